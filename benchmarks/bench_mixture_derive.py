"""Benchmark: typed Gaussian mixtures of many components through the shallow DAE's closed forms.

Two measurements, each against a baseline measured in the same run:

1. The exact stage of the App. D step (``nu_t * mu_0`` replaced by the smoothed mixture) for a
   1-D mixture of ``n`` components ``k exp(-(x - 2k)^2 / k)``: the exp normal form as it is now
   (the sum grouped by its exponentials term by term, which cancels here) against the previous
   form (the whole difference brought over one denominator first, then grouped). The same
   expressions, the same process.
2. ``derive dae`` end to end (recognition, derivation, every step's check, display) in this
   process, for 10 and 20 components in 1-D and 10 in 2-D, against a single Gaussian.

    python benchmarks/bench_mixture_derive.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sympy as sp

from symtransport._cli.derive import derive_dae
from symtransport._core.gaussint import gaussian_integrals
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.densities import Density
from symtransport._theory.noise import noise_model
from symtransport._verification import exact


def mixture_1d(n: int) -> str:
    return " + ".join(f"{k + 1}*exp(-(x-{2 * k})**2/{k + 1})" for k in range(n))


def mixture_2d(n: int) -> str:
    return " + ".join(f"{k + 1}*exp(-((x-{k})**2 + (y+{k % 3})**2)/{k + 2})" for k in range(n))


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def app_d_difference(n: int) -> sp.Expr:
    """The App. D lemma's ``lhs - rhs`` after the Gaussian integrals, as the exact stage sees it."""
    density = Density(mixture_1d(n), ["x"])
    dae = ShallowDAE(density, noise_model("gaussian", None), tuple(density.variables))
    lemma = dae.derivation().steps[1].rewrite
    assert lemma is not None
    old, new = lemma
    return gaussian_integrals(old) - new


def previous_exp_normal_form(e: sp.Expr) -> sp.Expr:
    """The exp normal form before this change: one denominator first, then the grouping."""
    numerator, _ = sp.fraction(sp.together(e))
    return exact._grouped(sp.Add.make_args(sp.expand(numerator)))


def main() -> None:
    print("1. exact stage of the App. D step, 1-D mixtures (seconds)")
    print(f"{'components':>10} {'previous':>10} {'now':>10} {'ratio':>8}")
    for n in (5, 10):
        e = app_d_difference(n)
        before, zero_before = timed(lambda e=e: previous_exp_normal_form(e))
        after, zero_after = timed(lambda e=e: exact.exp_normal_form(e))
        assert zero_before == 0 and zero_after == 0
        print(f"{n:>10} {before:>10.2f} {after:>10.2f} {before / after:>7.1f}x")
    e = app_d_difference(20)
    after, zero = timed(lambda: exact.exp_normal_form(e))
    assert zero == 0
    print(f"{20:>10} {'-':>10} {after:>10.2f}   (the previous form is not rerun: over a minute)")

    print("\n2. derive dae end to end, in this process (seconds; baseline: one Gaussian)")
    base, result = timed(lambda: derive_dae("exp(-(x-3)**2/5)", ["x"]))
    assert result["status"] == "proved"
    print(f"{'one Gaussian':>24} {base:>8.2f}  1.0x")
    for label, text, names in (
        ("10 components, 1-D", mixture_1d(10), ["x"]),
        ("20 components, 1-D", mixture_1d(20), ["x"]),
        ("10 components, 2-D", mixture_2d(10), ["x", "y"]),
    ):
        seconds, result = timed(lambda text=text, names=names: derive_dae(text, names))
        print(f"{label:>24} {seconds:>8.2f} {seconds / base:>4.1f}x  {result['status']}")


if __name__ == "__main__":
    main()
