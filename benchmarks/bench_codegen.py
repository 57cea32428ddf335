"""Benchmark: ``compile_map`` on a mixture's Tweedie map, against ``sympy.lambdify`` and a floor.

Workload (issue 4): the shallow DAE ``g_t = x + t grad log(nu_t * mu_0)`` of a K-component
mixture in d dimensions, derived by :class:`ShallowDAE` and compiled from the plain derived
expression, evaluated at N points at ``t = 0.5``. Baselines measured in the same run:

* ``sympy.lambdify`` of the same expression (NumPy module);
* the floor: one ``numpy.exp`` over an N x K array, the exponentials the map cannot avoid.

Each time is the best of several runs. Targets for K = 8, d = 2, N = 200 000: at least 4x
faster than lambdify and at most 3x the floor; K = 64, d = 10 is reported. The compile time
is SymPy's common-subexpression elimination and lowering plus the backend's own compilation.

    python benchmarks/bench_codegen.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import timeit

import numpy as np
import sympy as sp

from symtransport import GaussianMixture, ShallowDAE, compile_map
from symtransport._core.calculus import gradient
from symtransport._core.codegen import _optional
from symtransport.symbols import t


def random_mixture(k: int, d: int, rng: np.random.Generator) -> GaussianMixture:
    raw = [sp.Integer(int(v)) for v in rng.integers(1, 100, k)]
    weights = [r / sum(raw) for r in raw]
    means = rng.normal(size=(k, d)) * 3
    covs = []
    for _ in range(k):
        a = rng.normal(size=(d, d))
        covs.append(np.round(a @ a.T / d + 0.5 * np.eye(d), 6))
    return GaussianMixture.from_arrays(weights, means.round(6), covs)


def best(f: object, repeat: int) -> float:
    return min(timeit.repeat(f, number=1, repeat=repeat))


def tweedie_at(mixture: GaussianMixture, time_value: sp.Rational) -> tuple[list, list]:
    """``x + t grad log(N(0, tI) * mu_0)`` at a fixed ``t``: for K = 64, d = 10 the symbolic
    time would need 64 symbolic 10 x 10 inverses."""
    xs = list(sp.symbols(f"x1:{mixture.dim + 1}", real=True))
    smoothed = mixture.smoothed(time_value * sp.eye(mixture.dim))
    score = gradient(sp.log(smoothed.pdf(xs)), xs)
    return [x + time_value * s for x, s in zip(xs, score, strict=True)], xs


def run(k: int, d: int, n: int, repeat: int, with_lambdify: bool) -> None:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    if with_lambdify:
        dae = ShallowDAE(random_mixture(k, d, rng))
        g, xs, params, values = list(dae.map()), list(dae.variables), [t], [0.5]
    else:
        g, xs = tweedie_at(random_mixture(k, d, rng), sp.Rational(1, 2))
        params, values = [], []
    derive = time.perf_counter() - start
    X = rng.normal(size=(n, d)) * 3
    E = rng.normal(size=(n, k))
    floor = best(lambda: np.exp(E), repeat)
    print(f"\nK = {k}, d = {d}, N = {n}: derived in {derive:.2f} s; floor numpy.exp(N x K) "
          f"{floor * 1e3:.2f} ms")  # fmt: skip
    lam_time = None
    if with_lambdify:
        lam = sp.lambdify([*xs, *params], g, "numpy")
        cols = [X[:, i] for i in range(d)]
        with np.errstate(all="ignore"):
            lam_time = best(lambda: lam(*cols, *values), repeat)
        print(f"  {'sympy.lambdify':<22} {lam_time * 1e3:9.2f} ms")
    backends = ["numpy"] + (["numba"] if _optional("numba") is not None else [])
    for backend in backends:
        start = time.perf_counter()
        f = compile_map(g, xs, params, backend=backend)
        f(X[:10], *values)
        compile_time = time.perf_counter() - start
        seconds = best(lambda f=f: f(X, *values), repeat)
        ratio = f"{lam_time / seconds:5.1f}x faster than lambdify, " if lam_time else ""
        print(
            f"  compile_map[{backend}]{'':<{9 - len(backend)}} {seconds * 1e3:9.2f} ms  "
            f"{ratio}{seconds / floor:5.1f}x the floor; compile {compile_time:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N, for a smoke test")
    args = parser.parse_args()
    n = 20_000 if args.quick else 200_000
    run(8, 2, n, repeat=3 if args.quick else 7, with_lambdify=True)
    if not args.quick:
        run(64, 10, n, repeat=3, with_lambdify=False)


if __name__ == "__main__":
    main()
