"""Benchmark: Tweedie's formula (14) = (17) checked in general, and its Gaussian-blind variant.

[J] Thm 5 for a generic density ``mu`` on R: the posterior mean (14) against
``x + t d/dx log(nu_t * mu)`` (17), and the wrong variant with ``t^2 d^3/dx^3 log(nu_t * mu)``
added, which vanishes for every Gaussian ``mu``. Baseline, in the same run: the same pair on a
fixed two-component mixture (instances), where the exact stage has closed forms. A second
comparison shows what the quadrature-free members buy: the wrong variant's numeric stage with the
generic density drawn as Gaussians times a positive quadratic (closed-form integrals, the
default inside integrals) against skew-normal mixtures (erfc, tanh-sinh quadrature at up to 120
digits).

    python benchmarks/bench_general_scope.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sympy as sp

import symtransport._verification.pointcheck as pointcheck
from symtransport import verify_identity
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.instances import fixed_mixture, generic_density
from symtransport.symbols import t, x


def pair(density: Any, wrong: bool) -> tuple[sp.Expr, sp.Expr]:
    dae = ShallowDAE(density)
    rhs = dae.tweedie()[0]
    if wrong:
        rhs += t**2 * sp.Derivative(sp.log(dae.evidence_integral()), x, 3)
    return dae.posterior_mean_integral()[0], rhs


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def numeric_only(lhs: sp.Expr, rhs: sp.Expr) -> str:
    symbols = sorted((lhs - rhs).free_symbols, key=str)
    results = list(pointcheck.numeric_stage([lhs], [rhs], symbols, [], {}, 0, 24, 30))
    return str(results[-1].kind)


def main() -> None:
    print(f"{'workload':<52} {'seconds':>8} {'ratio':>7}  status")
    rows = []
    for name, density in (
        ("fixed mixture (instances, baseline)", fixed_mixture(1)),
        ("generic density (general)", generic_density(1)),
    ):
        for wrong in (False, True):
            label = f"{name}{', blind term' if wrong else ''}"
            seconds, check = timed(lambda d=density, w=wrong: verify_identity(*pair(d, w)))
            rows.append((label, seconds, f"{check.status} ({check.method})"))
    base = rows[0][1]
    for label, seconds, status in rows:
        print(f"{label:<52} {seconds:>8.2f} {seconds / base:>6.2f}x  {status}")
    lhs, rhs = pair(generic_density(1), wrong=True)
    fast, kind = timed(lambda: numeric_only(lhs, rhs))
    original = pointcheck._inside_integrals_or_limits
    pointcheck._inside_integrals_or_limits = lambda exprs: set()  # skew normals everywhere
    try:
        slow, slow_kind = timed(lambda: numeric_only(lhs, rhs))
    finally:
        pointcheck._inside_integrals_or_limits = original
    print(f"{'blind term, numeric stage, closed-form members':<52} {fast:>8.2f} {1:>6.2f}x  {kind}")
    print(
        f"{'blind term, numeric stage, skew-normal members':<52} {slow:>8.2f} "
        f"{slow / fast:>6.2f}x  {slow_kind}"
    )


if __name__ == "__main__":
    main()
