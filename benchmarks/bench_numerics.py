"""Benchmark: ``numerics.entropy`` against SciPy baselines, timed in the same run, with the
errors each achieves against an independent, more precise reference.

Workloads: a 1-D and a 2-D three-component Gaussian mixture (narrow, wide and overlapping
components). Baselines: ``scipy.integrate.quad`` (1-D, break points at the means, tolerance
1e-13) and ``scipy.integrate.dblquad`` (2-D, tolerance 1e-10) or, with ``--quick``, a plain
trapezoid rule on a uniform 1500 x 1500 grid. References: ``mpmath.quad`` at 30 digits
(1-D); a composite 24-point Gauss-Legendre rule in 64-bit-mantissa arithmetic (2-D). The
ratio is baseline time / numerics time, so it is machine-independent to first order.

    python benchmarks/bench_numerics.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import mpmath
import numpy as np
from mpmath.calculus.quadrature import GaussLegendre
from scipy import integrate

from symtransport import Gaussian, GaussianMixture
from symtransport._random import numerics

LD = np.longdouble


def mixture_1d() -> GaussianMixture:
    return GaussianMixture.from_arrays([0.3, 0.5, 0.2], [-2.0, 0.5, 3.0], [1.0, 0.01, 20.0])


def mixture_2d() -> GaussianMixture:
    return GaussianMixture(
        [0.3, 0.45, 0.25],
        [
            Gaussian([0, 0], [[0.65, 0.779423], [0.779423, 1.55]]),
            Gaussian([1.2, -0.5], [[0.5, 0], [0, 0.5]]),
            Gaussian([-0.8, 1.0], [[1.330619, -0.463233], [-0.463233, 0.219381]]),
        ],
    )


def timed(run: Callable[[], float], repeats: int) -> tuple[float, float]:
    """(value, best wall time in seconds over ``repeats`` runs)."""
    best, value = math.inf, math.nan
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - start)
    return value, best


# --- references ------------------------------------------------------------------------------


def reference_1d(w: np.ndarray, m: np.ndarray, v: np.ndarray) -> float:
    with mpmath.workdps(30):
        ws, ms, vs = ([mpmath.mpf(float(a)) for a in arr] for arr in (w, m, v))
        cs = [wk / mpmath.sqrt(2 * mpmath.pi * vk) for wk, vk in zip(ws, vs, strict=True)]

        def f(x: mpmath.mpf) -> mpmath.mpf:
            mu = mpmath.fsum(
                c * mpmath.exp(-((x - mk) ** 2) / (2 * vk))
                for c, mk, vk in zip(cs, ms, vs, strict=True)
            )
            return -mu * mpmath.log(mu) if mu else mpmath.zero

        steps = (0, 1, 2, 3, 4, 6, 8, 10, 13)
        pts = sorted(
            {
                mk + s * j * mpmath.sqrt(vk)
                for mk, vk in zip(ms, vs, strict=True)
                for j in steps
                for s in (1, -1)
            }
        )
        return float(mpmath.quad(f, [-mpmath.inf, *pts, mpmath.inf]))


def reference_2d(w: np.ndarray, m: np.ndarray, s: np.ndarray) -> float:
    """Tensor composite 24-point Gauss-Legendre, panels 2.5 x the smallest standard deviation
    near each component (widening outside), evaluated in longdouble."""
    with mpmath.workdps(30):
        pairs = GaussLegendre(mpmath.mp).calc_nodes(4, mpmath.mp.prec)
        nodes = np.array([LD(mpmath.nstr(p[0], 25)) for p in pairs])
        weights = np.array([LD(mpmath.nstr(p[1], 25)) for p in pairs])
    smallest = [math.sqrt(np.linalg.eigvalsh(c)[0]) for c in s]
    axes = []
    for a in range(2):
        centers = [mk[a] for mk in m]
        reach = [10.5 * math.sqrt(c[a, a]) for c in s]
        fine = [2.5 * sd for sd in smallest]
        edges = [min(c - r for c, r in zip(centers, reach, strict=True))]
        hi = max(c + r for c, r in zip(centers, reach, strict=True))
        while edges[-1] < hi:
            x = edges[-1]
            width = min(
                f + 0.4 * max(0.0, abs(x - c) - r)
                for c, r, f in zip(centers, reach, fine, strict=True)
            )
            edges.append(min(hi, x + width / 1.4))
        e = np.array(edges, dtype=LD)
        mid, half = (e[1:] + e[:-1]) / 2, (e[1:] - e[:-1]) / 2
        axes.append(
            ((mid[:, None] + half[:, None] * nodes).ravel(), (half[:, None] * weights).ravel())
        )
    (x1, w1), (x2, w2) = axes
    prec, const = [], []
    with mpmath.workdps(40):  # parameters beyond longdouble precision
        for wk, c in zip(w, s, strict=True):
            cm = mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in c])
            p = cm**-1
            prec.append(
                np.array([[LD(mpmath.nstr(p[i, j], 30)) for j in range(2)] for i in range(2)])
            )
            value = mpmath.log(wk) - mpmath.log(2 * mpmath.pi) - mpmath.log(mpmath.det(cm)) / 2
            const.append(LD(mpmath.nstr(value, 30)))
    total = LD(0)
    for start in range(0, x1.size, 128):
        a = [x1[start : start + 128, None] - LD(mk[0]) for mk in m]
        b = [x2[None, :] - LD(mk[1]) for mk in m]
        logs = np.stack(
            [
                c - (p[0, 0] * da * da + 2 * p[0, 1] * da * db + p[1, 1] * db * db) / 2
                for c, p, da, db in zip(const, prec, a, b, strict=True)
            ]
        )
        top = logs.max(axis=0)
        log_mu = top + np.log(np.exp(logs - top).sum(axis=0))
        total += (w1[start : start + 128, None] * w2[None, :] * (-np.exp(log_mu) * log_mu)).sum()
    return float(total)


# --- baselines -------------------------------------------------------------------------------


def log_mu_factory(w: np.ndarray, m: np.ndarray, s: np.ndarray) -> Callable[..., float]:
    prec = [np.linalg.inv(c) for c in s]
    const = [
        math.log(wk) - 0.5 * len(mk) * math.log(2 * math.pi) - 0.5 * math.log(np.linalg.det(c))
        for wk, mk, c in zip(w, m, s, strict=True)
    ]

    def log_mu(*x: float) -> float:
        v = np.array(x)
        terms = [c - 0.5 * (v - mk) @ p @ (v - mk) for c, p, mk in zip(const, prec, m, strict=True)]
        top = max(terms)
        return top + math.log(sum(math.exp(t - top) for t in terms))

    return log_mu


def scipy_quad_1d(w: np.ndarray, m: np.ndarray, s: np.ndarray) -> float:
    log_mu = log_mu_factory(w, m, s)
    sd = np.sqrt(s[:, 0, 0])
    lo, hi = float((m[:, 0] - 12 * sd).min()), float((m[:, 0] + 12 * sd).max())

    def f(x: float) -> float:
        lm = log_mu(x)
        return -math.exp(lm) * lm

    value, _ = integrate.quad(
        f, lo, hi, points=sorted(m[:, 0]), limit=1000, epsabs=1e-14, epsrel=1e-13
    )
    return value


def box(m: np.ndarray, s: np.ndarray) -> tuple[float, float, float, float]:
    sd = np.sqrt(np.diagonal(s, axis1=1, axis2=2))
    lo, hi = (m - 10 * sd).min(axis=0), (m + 10 * sd).max(axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def scipy_dblquad_2d(w: np.ndarray, m: np.ndarray, s: np.ndarray) -> float:
    log_mu = log_mu_factory(w, m, s)
    x0, x1, y0, y1 = box(m, s)

    def f(y: float, x: float) -> float:
        lm = log_mu(x, y)
        return -math.exp(lm) * lm

    value, _ = integrate.dblquad(f, x0, x1, y0, y1, epsabs=1e-10, epsrel=1e-10)
    return value


def plain_grid_2d(w: np.ndarray, m: np.ndarray, s: np.ndarray, n: int = 1500) -> float:
    x0, x1, y0, y1 = box(m, s)
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1).reshape(-1, 2)
    terms = []
    for wk, mk, c in zip(w, m, s, strict=True):
        u = np.linalg.solve(np.linalg.cholesky(c), (X - mk).T)
        terms.append(
            math.log(wk)
            - math.log(2 * math.pi)
            - 0.5 * math.log(np.linalg.det(c))
            - 0.5 * (u * u).sum(axis=0)
        )
    logs = np.stack(terms)
    top = logs.max(axis=0)
    log_mu = top + np.log(np.exp(logs - top).sum(axis=0))
    return float((-np.exp(log_mu) * log_mu).sum() * (xs[1] - xs[0]) * (ys[1] - ys[0]))


# --- main ------------------------------------------------------------------------------------


def row(name: str, value: float, seconds: float, ref: float, base: float | None) -> str:
    ratio = "" if base is None else f"{base / seconds:>9.1f}x"
    return f"  {name:<30} {seconds * 1e3:>10.3f} ms {abs(value - ref):>12.2e} {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats; a plain grid instead of dblquad in 2-D"
    )
    args = parser.parse_args()
    repeats = 5 if args.quick else 20

    print(f"  {'method':<30} {'time':>13} {'|error|':>12} {'speed-up':>10}")
    for dim, build in ((1, mixture_1d), (2, mixture_2d)):
        mu = build()
        estimate = numerics.entropy(mu)  # first call: also warms up NumPy and the caches
        w, m, s = numerics.mixture_arrays(mu)
        ref = reference_1d(w, m[:, 0], s[:, 0, 0]) if dim == 1 else reference_2d(w, m, s)
        value, warm = timed(lambda mu=mu: numerics.entropy(mu).value, repeats)

        def fresh(mu: GaussianMixture = mu) -> float:
            numerics._model.cache_clear()  # as for a new mixture: SymPy -> float64 included
            return numerics.entropy(mu).value

        _, cold = timed(fresh, repeats)
        if dim == 1:
            name, baseline = "scipy quad (tol 1e-13)", lambda w=w, m=m, s=s: scipy_quad_1d(w, m, s)
            base_value, base_time = timed(baseline, max(1, repeats // 5))
        elif args.quick:
            name, baseline = "plain grid 1500^2", lambda w=w, m=m, s=s: plain_grid_2d(w, m, s)
            base_value, base_time = timed(baseline, 1)
        else:
            name = "scipy dblquad (tol 1e-10)"
            base_value, base_time = timed(lambda w=w, m=m, s=s: scipy_dblquad_2d(w, m, s), 1)
        print(
            f"{dim}-D, 3 components: H = {ref:.15f} (reference); numerics reports "
            f"error {estimate.error:.1e}"
        )
        print(row("numerics.entropy", value, warm, ref, base_time))
        print(row("numerics.entropy, new mixture", value, cold, ref, base_time))
        print(row(name, base_value, base_time, ref, None))


if __name__ == "__main__":
    main()
