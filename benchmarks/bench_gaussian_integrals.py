"""Benchmark: the exact stage's Gaussian-integral rewrite against SymPy's own integrator.

Both run in this process on the same expressions, so the printed ratio is machine-independent
to first order. Workload: the Gaussian posterior mean of [J] eq. (14) (a ratio of two
integrals over R) reduced to the affine map (30), and the Gaussian entropy integral.

    python benchmarks/bench_gaussian_integrals.py
"""

from __future__ import annotations

import time

import sympy as sp

from symtransport._core.calculus import gaussian_density
from symtransport._core.gaussint import gaussian_integrals
from symtransport.symbols import m, s2, t, x, xt


def workloads() -> dict[str, tuple[sp.Expr, sp.Expr]]:
    data = gaussian_density(x, m, s2)
    noise = gaussian_density(xt - x, 0, t)
    evidence = sp.Integral(noise * data, (x, -sp.oo, sp.oo))
    posterior_mean = sp.Integral(x * noise * data, (x, -sp.oo, sp.oo)) / evidence
    entropy = -sp.Integral(data * sp.log(data), (x, -sp.oo, sp.oo))
    return {
        "posterior mean (14) = (30)": (posterior_mean, (s2 * xt + t * m) / (s2 + t)),
        "Gaussian entropy": (entropy, sp.log(2 * sp.pi * sp.E * s2) / 2),
    }


def timed(reduce: object, expr: sp.Expr, target: sp.Expr) -> tuple[float, bool]:
    start = time.perf_counter()
    zero = sp.simplify(reduce(expr) - target) == 0
    return time.perf_counter() - start, zero


def main() -> None:
    print(f"{'workload':<30} {'sympy doit (s)':>15} {'gaussint (s)':>13} {'speed-up':>9}")
    for name, (expr, target) in workloads().items():
        sympy_s, sympy_zero = timed(lambda e: e.doit(), expr, target)
        ours_s, ours_zero = timed(gaussian_integrals, expr, target)
        print(
            f"{name:<30} {sympy_s:>15.3f} {ours_s:>13.3f} {sympy_s / ours_s:>8.1f}x"
            f"   (reduced to 0: sympy {sympy_zero}, gaussint {ours_zero})"
        )


if __name__ == "__main__":
    main()
