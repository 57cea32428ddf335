"""Is a sample distributed as a given Gaussian mixture? Sliced Kolmogorov-Smirnov tests, and
how far is it? Sliced Wasserstein-2 distances.

A sample ``Y`` (``N x d``) is compared with a mixture ``sum_k w_k N(m_k, S_k)`` along
directions ``u``: the projection ``u . Y`` should follow the 1-D mixture
``sum_k w_k N(u . m_k, u^T S_k u)``, whose distribution function is exact (``scipy.special.ndtr``).
SciPy's :func:`scipy.stats.ks_1samp` and :func:`scipy.stats.ks_2samp` give the statistics and
their p-values; :func:`same_distribution` rejects when the smallest p-value, times the number of
tests (Bonferroni), falls below ``alpha``. The default ``alpha = 1e-6`` keeps a whole property
run of a few hundred examples free of false alarms (expected false rejections below ``1e-3``)
while a 2000-point sample still sees a change of a few per cent in a scale.

:func:`sliced_w2` measures a distance rather than testing: the sliced Wasserstein-2 distance

    SW2(Y, mu)^2 = mean over directions u of W2^2(u . Y, u # mu),

each 1-D ``W2^2`` between the projected sample's empirical measure and the projected mixture
computed on midpoint quantiles, ``(1/N) sum_i (y_(i) - Q((i - 1/2) / N))^2``, with ``y_(i)`` the
sorted projections and ``Q`` the exact quantile function of ``sum_k w_k N(u . m_k, u^T S_k u)``
(:func:`mixture_quantile`, to float64 accuracy). The midpoint rule is the exact ``W2`` between
the empirical measure and the ``N``-point quantization of ``mu`` at its midpoint quantiles;
it differs from the ``W2`` to ``mu`` itself by the spread of ``mu`` within each ``1/N`` of its
mass, far below the statistical floor: an exact ``N``-sample of a Gaussian mixture is at
distance ``O(N^{-1/2})`` up to a ``log log N`` factor from its own law (Bobkov & Ledoux,
"One-dimensional empirical measures, order statistics, and Kantorovich transport distances",
2019, §5: ``E W2^2 ~ (1/N) int F(1 - F) / f`` over the central ``1 - 1/N`` of the mass), so a
distance is only informative above that floor. A shift by ``c`` moves every projection by
``u . c``: in 1-D the distance of a shifted sample is ``|c|`` up to the floor (triangle
inequality). :func:`sliced_w2_samples` compares two samples of equal size the same way, with
sorted projections on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from symtransport.errors import InvalidArgument

__all__ = [
    "SampleTest",
    "directions",
    "mixture_quantile",
    "projected_cdf",
    "same_distribution",
    "sliced_w2",
    "sliced_w2_samples",
]

ALPHA = 1e-6
#: evenly spaced angles in [0, pi) of the default 2-D slicing (an angle and its opposite give
#: the same 1-D distance): a mixture's projections change smoothly with the angle, so 32 of
#: them resolve its features without the cost of many more sorts
W2_ANGLES = 32
_EPS = float(np.finfo(float).eps)
_MAX_ITERATIONS = 200  # safeguarded Newton: bisection alone needs ~60 halvings of a bracket
_TABLE = 1025  # points of the table that gives the Newton iteration its starting points


@dataclass(frozen=True)
class SampleTest:
    """The outcome of a family of KS tests: the smallest p-value, the number of tests, and
    whether the Bonferroni-corrected smallest p-value stays above ``alpha``."""

    p_value: float
    tests: int
    alpha: float

    @property
    def accepted(self) -> bool:
        """No test rejects at family-wise level ``alpha``."""
        return self.p_value * self.tests >= self.alpha


def directions(d: int) -> np.ndarray:
    """The ``d`` coordinate axes and, for ``d > 1``, the normalised diagonals ``e_i +- e_j``."""
    axes = list(np.eye(d))
    for i in range(d):
        for j in range(i + 1, d):
            for sign in (1.0, -1.0):
                u = np.zeros(d)
                u[i], u[j] = 1.0, sign
                axes.append(u / np.sqrt(2.0))
    return np.array(axes)


def projected_cdf(
    weights: np.ndarray, means: np.ndarray, covs: np.ndarray, u: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """The distribution function of ``u . X`` for ``X ~ sum_k w_k N(m_k, S_k)``."""
    centres = means @ u
    scales = np.sqrt(np.einsum("i,kij,j->k", u, covs, u))

    def cdf(s: np.ndarray) -> np.ndarray:
        z = (np.asarray(s, dtype=float)[:, None] - centres) / scales
        return special.ndtr(z) @ weights

    return cdf


def same_distribution(
    sample: np.ndarray,
    mixture: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    *,
    other: np.ndarray | None = None,
    alpha: float = ALPHA,
) -> SampleTest:
    """Sliced KS tests of ``sample`` against the mixture ``(weights, means, covs)`` and/or
    against a second sample ``other`` (two-sample tests), along :func:`directions`."""
    y = np.asarray(sample, dtype=float)
    if y.ndim != 2 or y.shape[0] < 2:
        raise InvalidArgument(f"sample has shape {y.shape}; expected (N, d) with N >= 2")
    if mixture is None and other is None:
        raise InvalidArgument("give a mixture, another sample, or both")
    p_values = []
    for u in directions(y.shape[1]):
        if mixture is not None:
            p_values.append(stats.ks_1samp(y @ u, projected_cdf(*mixture, u)).pvalue)
        if other is not None:
            p_values.append(stats.ks_2samp(y @ u, np.asarray(other, dtype=float) @ u).pvalue)
    return SampleTest(float(min(p_values)), len(p_values), alpha)


# --------------------------------------------------------------------------------------------
# Sliced Wasserstein-2 distances
# --------------------------------------------------------------------------------------------


def mixture_quantile(
    weights: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    p: np.ndarray,
    q: np.ndarray | None = None,
) -> np.ndarray:
    """The quantiles ``Q(p)`` of the 1-D mixture ``sum_k w_k N(centres_k, scales_k^2)``, to
    float64 accuracy, for probabilities ``0 < p < 1``; ``q = 1 - p`` (computed exactly by the
    caller, e.g. ``(N - i + 1/2) / N``) keeps upper-tail quantiles accurate; ``p`` and ``q``
    have shape ``(N,)``.

    Each root of ``F(x) = p`` is bracketed exactly: at ``min_k`` (resp. ``max_k``) of the
    components' own ``p``-quantiles every component's distribution function is at most (resp.
    at least) ``p``, so ``F`` is too. It starts from a table of ``F`` inverted by linear
    interpolation (clipped to the bracket), then a safeguarded Newton iteration on all points at
    once (Numerical Recipes' ``rtsafe``, vectorised): a Newton step when it stays inside the
    bracket and shrinks fast enough, else bisection, so it converges for every point
    (quadratically near the root); the residual is ``F(x) - p`` below the median and
    ``(1 - p) - S(x)`` (``S`` the survival function) above it, so both tails keep their relative
    accuracy. Why not SciPy: its bracketing root finders (``brentq``) solve one scalar equation a
    call, and a sample needs ``N`` quantiles for every direction.
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    c = np.asarray(centres, dtype=float)
    s = np.asarray(scales, dtype=float)
    p = np.asarray(p, dtype=float)
    q = 1.0 - p if q is None else np.asarray(q, dtype=float)
    if p.ndim != 1 or q.shape != p.shape:
        raise InvalidArgument(f"p has shape {p.shape}, q {q.shape}; expected equal shapes (N,)")
    if not (np.all((p > 0) & (p < 1)) and np.all((q > 0) & (q < 1))):
        raise InvalidArgument("expected probabilities 0 < p < 1 (and 0 < q = 1 - p < 1)")
    if p.size == 0:
        return np.empty(0)
    lower = p <= 0.5
    sign = np.where(lower, 1.0, -1.0)  # solve F(x) = p below the median, S(x) = 1 - p above
    target = np.where(lower, p, q)  # the tail probability on the root's side of the median
    z = sign * special.ndtri(target)
    own = c + s * z[:, None]  # (N, K): each component's own quantile
    lo, hi = own.min(axis=1), own.max(axis=1)
    # start from the inverse of a table of F (and S) by linear interpolation: a few Newton
    # steps then suffice (the bracket keeps the start inside when the table is coarse)
    grid = np.linspace(lo.min(), hi.max(), _TABLE)
    cdf = special.ndtr((grid[:, None] - c) / s) @ w
    sf = special.ndtr((c - grid[:, None]) / s) @ w
    start = np.where(lower, np.interp(p, cdf, grid), np.interp(q, sf[::-1], grid[::-1]))
    x = np.clip(start, lo, hi)
    step = hi - lo
    old = step.copy()
    active = np.flatnonzero(hi > lo)
    for _ in range(_MAX_ITERATIONS):
        if active.size == 0:
            break
        xa = x[active]
        za = (xa[:, None] - c) / s
        sign_a = sign[active]
        residual = sign_a * (special.ndtr(sign_a[:, None] * za) @ w - target[active])
        slope = (np.exp(-0.5 * za**2) / s) @ w / math.sqrt(2.0 * math.pi)
        lo[active] = np.where(residual < 0, xa, lo[active])
        hi[active] = np.where(residual < 0, hi[active], xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - residual / slope
        ok = (
            (slope > 0)
            & (newton >= lo[active])  # inclusive: a step below an ulp lands on x itself
            & (newton <= hi[active])
            & (np.abs(2.0 * residual) <= np.abs(old[active] * slope))
        )
        proposal = np.where(ok, newton, 0.5 * (lo[active] + hi[active]))
        old[active] = step[active]
        step[active] = proposal - xa
        x[active] = proposal
        tol = 2.0 * _EPS * (np.abs(proposal) + s.min())
        done = (np.abs(step[active]) <= tol) | (hi[active] - lo[active] <= tol) | (residual == 0)
        active = active[~done]
    return x


def _w2_directions(d: int, given: np.ndarray | None) -> np.ndarray:
    if given is None:
        if d == 1:
            return np.ones((1, 1))
        if d == 2:
            theta = np.pi * np.arange(W2_ANGLES) / W2_ANGLES
            return np.column_stack([np.cos(theta), np.sin(theta)])
        return directions(d)
    u = np.asarray(given, dtype=float)
    if u.ndim != 2 or u.shape[1] != d or u.shape[0] < 1 or not np.all(np.isfinite(u)):
        raise InvalidArgument(
            f"directions has shape {u.shape}; expected (M, {d}) finite rows, M >= 1"
        )
    norms = np.linalg.norm(u, axis=1)
    if np.any(norms == 0):
        raise InvalidArgument("directions has a zero row; expected non-zero directions")
    return u / norms[:, None]  # unit directions


def _sample(y: Any, name: str) -> np.ndarray:
    arr = np.asarray(y, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise InvalidArgument(f"{name} has shape {arr.shape}; expected (N, d) with N >= 1")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name} has non-finite entries; expected finite points")
    return arr


def sliced_w2(
    sample: np.ndarray,
    mixture: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    directions: np.ndarray | None = None,
) -> float:
    """The sliced Wasserstein-2 distance between the empirical measure of ``sample`` (N, d)
    and the Gaussian mixture ``mixture = (weights (K,), means (K, d), covs (K, d, d))`` (as
    :func:`~symtransport._random.numerics.mixture_arrays` returns): the square root of the mean
    over ``directions`` of the 1-D ``W2^2`` on midpoint quantiles (module docstring).

    ``directions`` (M, d) are normalised to unit rows; by default ``[1]`` in 1-D, ``W2_ANGLES``
    evenly spaced angles in ``[0, pi)`` in 2-D and :func:`directions` from 3-D on.
    """
    y = _sample(sample, "sample")
    n, d = y.shape
    try:
        w, means, covs = (np.asarray(a, dtype=float) for a in mixture)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            "mixture must be (weights (K,), means (K, d), covs (K, d, d)) float arrays"
        ) from exc
    k = w.shape[0] if w.ndim == 1 else -1
    if k < 1 or means.shape != (k, d) or covs.shape != (k, d, d):
        raise InvalidArgument(
            f"mixture arrays have shapes {w.shape}, {means.shape}, {covs.shape}; expected "
            f"(K,), (K, {d}), (K, {d}, {d}) for a sample in R^{d}"
        )
    if not (np.all(np.isfinite(w)) and np.all(w > 0)):
        raise InvalidArgument(f"weights={w.tolist()}: expected positive weights")
    rank = np.arange(1, n + 1, dtype=float)
    p, q = (rank - 0.5) / n, (n - rank + 0.5) / n
    total = 0.0
    units = _w2_directions(d, directions)
    for u in units:
        variances = np.einsum("i,kij,j->k", u, covs, u)
        if not (np.all(np.isfinite(variances)) and np.all(variances > 0)):
            raise InvalidArgument(
                f"the mixture's variance along {u.tolist()} is {variances.tolist()}; expected "
                "positive definite covariances"
            )
        quantiles = mixture_quantile(w, means @ u, np.sqrt(variances), p, q)
        total += float(np.mean((np.sort(y @ u) - quantiles) ** 2))
    return math.sqrt(total / units.shape[0])


def sliced_w2_samples(
    a: np.ndarray, b: np.ndarray, *, directions: np.ndarray | None = None
) -> float:
    """The sliced Wasserstein-2 distance between two samples of equal size (N, d): along each
    direction, ``W2^2 = (1/N) sum_i (a_(i) - b_(i))^2`` of the sorted projections; directions
    as in :func:`sliced_w2`."""
    x, y = _sample(a, "a"), _sample(b, "b")
    if x.shape != y.shape:
        raise InvalidArgument(
            f"the samples have shapes {x.shape} and {y.shape}; expected equal shapes (N, d)"
        )
    units = _w2_directions(x.shape[1], directions)
    total = sum(float(np.mean((np.sort(x @ u) - np.sort(y @ u)) ** 2)) for u in units)
    return math.sqrt(total / units.shape[0])
