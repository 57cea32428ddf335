"""Reference numerics, with stated accuracy, for Gaussian mixtures ``mu = sum_k w_k N(m_k, S_k)``.

These are the numbers that property checks compare derived formulas against, so every result
carries an error it has established (:class:`Estimate`). Quantities:

* Shannon entropy ``H[mu] = -int mu log mu dx`` (notes §1; [J] Thm 8);
* Fisher information ``I(mu) = int |grad log mu|^2 mu dx = int |grad mu|^2 / mu dx``
  (notes §2.3). Along the continuous DAE, the backward heat flow ``d/dt mu_t = -Laplacian
  mu_t`` of [J] Thm 7 eq. (27), ``dH[mu_t]/dt = -I(mu_t)``: the reversed de Bruijn identity
  (notes §2.3, claim ``de-bruijn``);
* ``E_mu[fn] = int mu fn dx`` for a vectorised ``fn`` (:func:`expectation`); and the pointwise
  ``log mu`` (log-sum-exp, finite far from the data), the score ``grad log mu =
  -sum_k gamma_k S_k^{-1} (x - m_k)`` with responsibilities ``gamma_k`` as a softmax, and exact
  samples.

Method (d = 1, 2: quadrature). Every integral is a sum over components of Gaussian integrals in
whitened coordinates: with ``L_k`` the Cholesky factor of ``S_k`` and ``x = m_k + L_k Q y``
(``Q`` a rotation), ``w_k N(x; m_k, S_k) dx = w_k phi(y) dy`` with ``phi`` the standard normal
density. For the entropy and the Fisher information the integrand is split by a telescoping
identity over the partial mixtures ``M_k = sum_{j <= k} w_j N_j`` (``M_0 = 0``; components put
in an order chosen below)::

    mu f(mu) = sum_k [M_k f(M_k) - M_{k-1} f(M_{k-1})],

whose k-th term is ``w_k N_k`` times a function that only involves components ``1..k`` and
is bounded by ``w_k N_k`` times a polynomial, so it lives on component k's own support. With
``t_k = log(w_k N_k / M_{k-1})``, ``psi(t) = log(1 + e^-t) + e^-t log(1 + e^t)`` and
``s_j = -S_j^{-1}(x - m_j)``, this gives (exactly)::

    int mu log mu   = sum_k w_k [log w_k - (d/2) log(2 pi e) - (1/2) log det S_k
                                 + int phi(y) psi(t_k) dy],
    int mu |grad log mu|^2 = sum_k w_k [tr S_k^{-1}
                                 - int phi(y) sigmoid(-t_k) |s_k - s'_k|^2 dy],

``s'_k`` the score of ``M_{k-1}``. The Gaussian parts are closed forms (a single Gaussian is
exact); the remaining integrands vanish where component k dominates. The order puts wide
components first (largest ``det S_k`` first), so that each grid only has to resolve components
at least as wide as its own; when widths cross (one component narrower in some direction,
wider in another) the cheapest of all orders (K <= 6) is used instead.

Each remaining integral is the trapezoid rule on a lattice in ``y``, truncated to
``|y| <= RADIUS`` (Gaussian mass outside below ``3e-20``). Why the trapezoid rule: for an
integrand analytic in a strip of half-width ``a`` around the real axis and decaying like a
Gaussian, the error with step ``h`` is about ``exp(-2 pi a / h)`` (geometric convergence;
Gauss-Hermite is no better per point, and the lattice nests, which gives the error estimate
for free). Here ``a`` is set by the complex zeros of ``M_k`` (where two components cross over,
``pi sigma / r`` off the axis for a crossing ``r`` standard deviations ``sigma`` out), so the
step must be a fixed fraction of the *smallest* scale that matters: ``h`` in units of
component k's own scale, and finer, only where needed, along the axes on which an earlier
component (for :func:`expectation`: any other component) is narrower. That refinement is a
smooth change of variables per axis, ``du/dz = 1/h + sum_j 1/s_j(z)``, with
``s_j = a_j + g l_j (softplus((z - c_j - W_j)/l_j) + softplus((c_j - W_j - z)/l_j))``: the
step is at most ``h / r_j`` across the band ``|z - c_j| <= W_j`` where component j can matter
(10 of its standard deviations; ``r_j`` its narrowness in k's units), grows geometrically
(``g = 1/8`` per node) outside it, and is ``h`` far away. The map is analytic and its
singularities sit ``|Im u| ~ 8`` off the axis, so convergence stays geometric; nodes come from
8-point Gauss-Legendre integration of ``du/dz`` and Newton inversion. ``Q`` aligns the axes
with the most demanding narrow direction. Thanks to the order, a component narrower than the
others needs no refinement at all; only widths that cross (narrower in one direction, wider in
another) do. For :func:`expectation` the grids resolve every component's scale, since ``fn``
is typically built from ``mu`` itself (``log mu``, a score); ``fn`` is assumed analytic and no
rougher than the mixture. Steps: ``h = 0.04`` (1-D), ``0.09`` (2-D).

Error. Each lattice contains a sub-lattice of half its points (every other node in 1-D; the
checkerboard ``n1 + n2`` even in 2-D, which resolves like a square lattice of step
``sqrt(2) h``). The reported error is ``|Q_fine - Q_coarse|`` (about the coarse rule's
error, far above the fine rule's when the rule converges geometrically), plus the sum of
``|terms|`` on the outermost shell ``RADIUS - 1 < |y| <= RADIUS`` (larger than the truncated
tail, which decays faster), plus rounding: ``16 eps cond(S_k) (|closed form| + d)`` for the
closed forms (a float Cholesky factor) and ``16 eps sqrt(max cond)`` times the summed
magnitudes and rounding sensitivities of the quadrature terms. The error is an a posteriori
estimate, not a proof; measured (tests/test_numerics.py and 80 random mixtures with ``K <= 3``,
means in ``[-8, 8]``, covariance eigenvalues in ``[1e-3, 1e3]``, condition <= 100) against
30-digit ``mpmath.quad`` (1-D) and an independent composite Gauss-Legendre rule in
64-bit-mantissa arithmetic (2-D), the true error never exceeded ``5e-16 max(1, |value|)``
(1-D) and ``7e-15 max(1, |value|)`` (2-D), was always below the reported error, and the
reported error stayed below ``4e-14`` (1-D) and ``1e-12`` (2-D, mostly the conditioning
floor) relative, inside the ``1e-12`` / ``1e-10`` targets. Run time: under a millisecond
in 1-D (entropy and Fisher information), 1 to 30 ms in 2-D; :func:`expectation` costs more
(every grid is refined, and ``fn`` is called on every point), up to ~0.1 s in 2-D.

Method (d >= 3: Monte Carlo). The same decomposition, each ``int phi(y) G(y) dy`` estimated
from standard normal draws (stratified by component, samples allocated by weight); the error
is the standard error. A single Gaussian needs no samples (its value is the closed form and
``error`` is 0). :func:`expectation` samples ``fn`` directly, stratified by component.

Limitations: the quadrature's error is an a posteriori estimate (two nested rules), not a
rigorous bound, and for :func:`expectation` it presumes ``fn`` varies no faster than the
narrowest component. Widths that cross in oblique directions cost more points; beyond
``MAX_POINTS`` (estimated) points :class:`~symtransport.errors.UnsupportedError` is raised
(e.g. :func:`expectation` on two nearly singular components at an angle inside a wide one).
The rounding floor grows with the covariances' condition numbers, so nearly singular
components (the continuous DAE close to blow-up) get honest but larger errors.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from symtransport._random.arguments import count
from symtransport._random.arguments import seed as seed_of
from symtransport._theory.densities import Density, Gaussian, GaussianMixture
from symtransport.errors import InvalidArgument, UnsupportedError

__all__ = [
    "MAX_POINTS",
    "RADIUS",
    "Estimate",
    "entropy",
    "expectation",
    "fisher_information",
    "log_pdf",
    "mixture_arrays",
    "sample",
    "score",
]

#: Truncation radius of every grid in whitened coordinates (Gaussian mass outside < 3e-20).
RADIUS = 9.5
#: Largest number of quadrature points one call may use (beyond: UnsupportedError).
MAX_POINTS = 4_000_000

# Base step (fine lattice) in whitened units. 1-D: the coarse rule (every other node, step
# 0.08) must already reach ~1e-14, so that the fine rule's difference from it is an honest
# bound well below the 1e-12 target (two unit Gaussians 9.5 apart are the hardest case: their
# crossing puts poles pi/9.5 off the axis). 2-D: the checkerboard sub-lattice resolves like a
# square lattice of step 0.09 sqrt(2) ~ 0.13, accurate to ~1e-12 (target 1e-10).
_STEP = {1: 0.04, 2: 0.09}
_MIN_RATIO = 1.05  # refine an axis only for components narrower by more than this factor
_INFLUENCE = 10.0  # a component can matter within this many of its standard deviations
_GROWTH = 0.125  # outside a refined band the step grows by this fraction per node
_EDGE = 3.0  # rounding of a band's edges, in band steps (edge singularities at |Im u| ~ 8)
_FLOOR = 16.0  # rounding floor, in units of eps times the summed magnitudes
_CHUNK = 1 << 16  # points evaluated at once
_MAX_ORDERINGS = 6  # all orders of up to this many components are compared
_EPS = float(np.finfo(float).eps)
_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class Estimate:
    """A number with its error.

    ``method == "quadrature"``: ``error`` is the accuracy the method establishes for this case
    (difference of two nested rules, truncation and rounding; see the module docstring), an
    absolute bound in practice. ``method == "monte carlo"``: ``error`` is the standard error
    and ``samples`` the number of draws (0 when no sampling was needed: a single Gaussian).
    """

    value: float
    error: float
    method: str
    samples: int = 0


# --------------------------------------------------------------------------------------------
# From SymPy objects to float arrays
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, d)
    covs: np.ndarray  # (K, d, d)
    chol: np.ndarray  # (K, d, d), lower triangular
    chol_inv: np.ndarray  # (K, d, d)
    log_norm: np.ndarray  # (K,): log w_k - (d/2) log 2 pi - (1/2) log det S_k
    log_det: np.ndarray  # (K,)
    cond: np.ndarray  # (K,): condition numbers of the covariances

    @property
    def dim(self) -> int:
        return int(self.means.shape[1])

    @property
    def size(self) -> int:
        return int(self.weights.shape[0])


def _to_float(value: sp.Expr, name: str) -> float:
    if value.free_symbols:
        raise InvalidArgument(
            f"{name}={value} contains symbols {sorted(str(s) for s in value.free_symbols)}; "
            "expected numbers (substitute values first)."
        )
    if isinstance(value, sp.Integer | sp.Rational | sp.Float):
        out = float(value)
    else:
        out = float(sp.N(value, 30))
    if not math.isfinite(out):
        raise InvalidArgument(f"{name}={value} is not a finite float64.")
    return out


def _components(density: Any) -> tuple[tuple[Any, ...], tuple[Gaussian, ...]]:
    if isinstance(density, Gaussian):
        return (sp.Integer(1),), (density,)
    if isinstance(density, GaussianMixture):
        return tuple(density.weights), tuple(density.components)
    hint = ""
    if isinstance(density, Density) and density.family is not None:
        hint = " This Density is a Gaussian family: pass density.family."
    raise InvalidArgument(
        f"density={density!r} is a {type(density).__name__}; expected a Gaussian or a "
        f"GaussianMixture with numeric entries.{hint}"
    )


@lru_cache(maxsize=256)
def _model(density: Gaussian | GaussianMixture) -> _Model:
    weights_in, components = _components(density)
    d = components[0].dim
    weights = np.array([_to_float(w, f"weights[{k}]") for k, w in enumerate(weights_in)])
    means = np.array(
        [
            [_to_float(v, f"components[{k}].mean[{i}]") for i, v in enumerate(c.mean)]
            for k, c in enumerate(components)
        ]
    ).reshape(len(components), d)
    covs = np.array(
        [
            [
                [_to_float(c.cov[i, j], f"components[{k}].cov[{i}, {j}]") for j in range(d)]
                for i in range(d)
            ]
            for k, c in enumerate(components)
        ]
    )
    covs = (covs + np.swapaxes(covs, 1, 2)) / 2
    if np.any(weights <= 0) or not math.isclose(float(weights.sum()), 1.0, abs_tol=1e-12):
        raise InvalidArgument(
            f"weights={weights.tolist()}: expected positive weights summing to 1."
        )
    try:
        chol = np.linalg.cholesky(covs)
    except np.linalg.LinAlgError:
        raise InvalidArgument(
            f"covs={covs.tolist()}: a covariance is not positive definite in float64 (too "
            "close to singular for numerics)."
        ) from None
    eye = np.broadcast_to(np.eye(d), chol.shape)
    chol_inv = np.linalg.solve(chol, eye)
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    log_norm = np.log(weights) - 0.5 * d * _LOG_2PI - 0.5 * log_det
    cond = np.linalg.cond(covs)
    for array in (weights, means, covs, chol, chol_inv, log_norm, log_det, cond):
        array.flags.writeable = False
    return _Model(weights, means, covs, chol, chol_inv, log_norm, log_det, cond)


def _model_of(density: Any) -> _Model:
    _components(density)  # type check with a helpful message
    try:
        return _model(density)
    except TypeError:  # unhashable: should not happen for the frozen dataclasses
        return _model.__wrapped__(density)


def mixture_arrays(density: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(weights (K,), means (K, d), covs (K, d, d))`` as float64 arrays (fresh copies).

    ``density`` is a numeric :class:`~symtransport._theory.densities.Gaussian` (one component of
    weight 1) or :class:`~symtransport._theory.densities.GaussianMixture`. Raises
    :class:`~symtransport.errors.InvalidArgument` for symbolic entries, other types, or a
    covariance that is not positive definite in float64.
    """
    m = _model_of(density)
    return m.weights.copy(), m.means.copy(), m.covs.copy()


# --------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------


def _points(X: Any, d: int) -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(
            f"X={X!r} is not an array of real numbers; expected shape (N, {d})."
        ) from None
    if arr.ndim != 2 or arr.shape[1] != d:
        hint = " Reshape a flat array with X.reshape(-1, 1)." if d == 1 and arr.ndim == 1 else ""
        raise InvalidArgument(f"X has shape {arr.shape}; expected (N, {d}).{hint}")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise InvalidArgument(
            f"X[{bad[0]}, {bad[1]}]={arr[bad[0], bad[1]]} is not finite; expected finite points."
        )
    return arr


# --------------------------------------------------------------------------------------------
# Pointwise: log density, score, samples
# --------------------------------------------------------------------------------------------


def _log_terms(m: _Model, X: np.ndarray) -> np.ndarray:
    """``log(w_k N(x; m_k, S_k))`` as an (N, K) array."""
    out = np.empty((X.shape[0], m.size))
    for k in range(m.size):
        u = (X - m.means[k]) @ m.chol_inv[k].T
        out[:, k] = m.log_norm[k] - 0.5 * np.einsum("ij,ij->i", u, u)
    return out


def _logsumexp(terms: np.ndarray) -> np.ndarray:
    top = terms.max(axis=1)
    return top + np.log(np.exp(terms - top[:, None]).sum(axis=1))


def log_pdf(density: Any, X: Any) -> np.ndarray:
    """``log mu(x)`` at the rows of ``X`` (shape (N, d)) by log-sum-exp: finite far away."""
    m = _model_of(density)
    return _logsumexp(_log_terms(m, _points(X, m.dim)))


def score(density: Any, X: Any) -> np.ndarray:
    """``grad log mu(x) = -sum_k gamma_k(x) S_k^{-1} (x - m_k)`` at the rows of ``X`` (N, d),
    with the responsibilities ``gamma_k`` computed as a softmax (finite far away)."""
    m = _model_of(density)
    X = _points(X, m.dim)
    terms = _log_terms(m, X)
    gamma = np.exp(terms - _logsumexp(terms)[:, None])
    out = np.zeros_like(X)
    for k in range(m.size):
        u = (X - m.means[k]) @ m.chol_inv[k].T
        out -= gamma[:, k : k + 1] * (u @ m.chol_inv[k])
    return out


def sample(density: Any, n: int, seed: int = 0) -> np.ndarray:
    """``n`` exact independent draws from ``mu`` (shape (n, d)) from
    ``numpy.random.default_rng(seed)``: a component by its weight, then ``m_k + L_k z``."""
    m = _model_of(density)
    n = count(n, "n", 1)
    rng = np.random.default_rng(seed_of(seed))
    which = rng.choice(m.size, size=n, p=m.weights / m.weights.sum())
    z = rng.standard_normal((n, m.dim))
    return m.means[which] + np.einsum("nij,nj->ni", m.chol[which], z)


# --------------------------------------------------------------------------------------------
# Grids: per-axis smooth refinement maps, lattices in whitened coordinates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Zone:
    """Step at most ``h / ratio`` (ratio > 1) on ``|z - center| <= width`` of one axis."""

    center: float
    width: float
    ratio: float


def _fine_step(h: float, ratio: float) -> float:
    """The band step ``a`` of a zone: with ``1/s = 1/h + 1/s_j`` and ``s_j <= (1 + _EDGE
    _GROWTH log 2) a`` on the band, ``s <= h / ratio`` there."""
    return h * (1.0 + _EDGE * _GROWTH * math.log(2.0)) / (ratio - 1.0)


def _axis(h: float, zones: list[_Zone], radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trapezoid nodes with unit step in ``u`` mapped to ``z`` on ``[-radius, radius]``:
    (integer labels, nodes ``z``, weights ``dz/du``).

    The map is ``du/dz = 1/s(z) = 1/h + sum_j 1/s_j(z)`` with ``s_j = a_j + G lam_j (sp((z -
    c_j - W_j)/lam_j) + sp((c_j - W_j - z)/lam_j))`` (``sp`` the softplus, ``lam_j = _EDGE
    a_j``, ``G = _GROWTH``): about ``a_j`` on the band ``|z - c_j| <= W_j``, growing
    geometrically (by ``G`` per node) outside it, and ``h`` far away. ``1/s`` is analytic; its
    singularities (at the band edges, ``pi lam_j`` off the real axis) map to ``|Im u| ~ 8``, so
    the mapped rule still converges geometrically. ``u(z)`` is integrated by 8-point
    Gauss-Legendre on a table finer than half a step and inverted by Newton's method.
    """
    if not zones:
        count = math.floor(radius / h)
        labels = np.arange(-count, count + 1)
        return labels, labels * h, np.full(labels.shape, h)
    centers = np.array([z.center for z in zones])
    widths = np.array([z.width for z in zones])
    fine = np.array([_fine_step(h, z.ratio) for z in zones])
    edge = _EDGE * fine

    def inv_step(z: np.ndarray) -> np.ndarray:
        zz = z[..., None]
        g = np.logaddexp(0.0, (zz - centers - widths) / edge) + np.logaddexp(
            0.0, (centers - widths - zz) / edge
        )
        return 1.0 / h + (1.0 / (fine + _GROWTH * edge * g)).sum(axis=-1)

    pieces = [np.linspace(-radius, radius, math.ceil(2 * radius / h) + 1), np.zeros(1)]
    for c, w, a in zip(centers, widths, fine, strict=True):
        lo, hi = max(-radius, c - w - 4 * a), min(radius, c + w + 4 * a)
        if hi > lo:
            pieces.append(np.linspace(lo, hi, math.ceil((hi - lo) / a) + 1))
    table = np.unique(np.concatenate(pieces))
    for _ in range(64):  # at most half a local step between table points
        local = 1.0 / inv_step(table)
        gaps = np.diff(table)
        wide = gaps > 0.5 * np.minimum(local[:-1], local[1:])
        if not wide.any():
            break
        table = np.sort(np.concatenate([table, table[:-1][wide] + gaps[wide] / 2]))
    nodes, gl_weights = np.polynomial.legendre.leggauss(8)
    half = np.diff(table) / 2
    mids = (table[:-1] + table[1:]) / 2
    pieces_u = half * (inv_step(mids[:, None] + half[:, None] * nodes) @ gl_weights)
    u_table = np.concatenate([np.zeros(1), np.cumsum(pieces_u)])
    anchor = float(u_table[np.searchsorted(table, 0.0)])
    labels = np.arange(math.ceil(u_table[0] - anchor), math.floor(u_table[-1] - anchor) + 1)
    target = anchor + labels
    i = np.clip(np.searchsorted(u_table, target, side="right") - 1, 0, table.size - 2)
    frac = (target - u_table[i]) / (u_table[i + 1] - u_table[i])
    z = table[i] + frac * (table[i + 1] - table[i])
    residual = np.inf
    for _ in range(12):
        hw = (z - table[i]) / 2
        inner = inv_step((table[i] + hw)[:, None] + hw[:, None] * nodes) @ gl_weights
        residual = u_table[i] + hw * inner - target
        if np.abs(residual).max() <= 1e-11:
            break
        z = z - residual / inv_step(z)
    if not np.abs(residual).max() <= 1e-9:  # pragma: no cover - the table makes Newton converge
        raise RuntimeError(f"refinement map inversion failed (residual {np.abs(residual).max():g})")
    return labels, z, 1.0 / inv_step(z)


@dataclass(frozen=True)
class _Grid:
    """Quadrature points ``y`` of one component's whitened coordinates, with weights
    ``phi(y) dy`` for the fine rule, the coarse sub-lattice and the outermost shell."""

    y: np.ndarray  # (N, d)
    weight: np.ndarray  # (N,): phi(y) times the cell volume
    coarse: np.ndarray  # (N,) bool: the nested sub-lattice (its weights are 2x)
    shell: np.ndarray  # (N,) bool: RADIUS - 1 < |y|


@dataclass(frozen=True)
class _Plan:
    """Where and how to integrate one component's term."""

    k: int
    features: tuple[int, ...]  # components whose scales the grid must resolve
    rotation: np.ndarray  # Q (d, d)
    zones: tuple[tuple[_Zone, ...], ...]  # per axis
    points: float  # estimated number of grid points


def _plain_points(d: int, h: float) -> float:
    """Points of an unrefined grid (the estimate used by :func:`_plan`)."""
    return (2 * RADIUS / h) ** d * (math.pi / 4 if d == 2 else 1.0)


def _plan(m: _Model, k: int, features: tuple[int, ...], h: float) -> _Plan:
    d = m.dim
    lk = m.chol[k]
    # precision (B_j) and covariance (C_j) of component j in component k's whitened coordinates
    precisions, covariances, centers = [], [], []
    for j in features:
        a = m.chol_inv[j] @ lk
        precisions.append(a.T @ a)
        ci = np.linalg.solve(a, np.eye(d))
        covariances.append(ci @ ci.T)
        centers.append(m.chol_inv[k] @ (m.means[j] - m.means[k]))
    relevant = []
    for b, c, center in zip(precisions, covariances, centers, strict=True):
        reach = _INFLUENCE * np.sqrt(np.diag(c))
        if np.all(np.abs(center) - reach < RADIUS) and np.linalg.eigvalsh(b)[-1] > _MIN_RATIO**2:
            relevant.append((b, c, center))
    rotation = np.eye(d)
    if d > 1 and relevant:
        demanding = max(relevant, key=lambda item: np.linalg.eigvalsh(item[0])[-1])[0]
        rotation = np.linalg.eigh(demanding)[1][:, ::-1]
    zones: list[list[_Zone]] = [[] for _ in range(d)]
    for b, c, center in relevant:
        br, cr, cen = rotation.T @ b @ rotation, rotation.T @ c @ rotation, rotation.T @ center
        for axis in range(d):
            ratio = math.sqrt(br[axis, axis])
            width = _INFLUENCE * math.sqrt(cr[axis, axis])
            if ratio > _MIN_RATIO and abs(cen[axis]) - width < RADIUS:
                zones[axis].append(_Zone(float(cen[axis]), width, ratio))
    per_axis = []
    for axis_zones in zones:
        count = 2 * RADIUS / h
        for zone in axis_zones:
            a = _fine_step(h, zone.ratio)
            band = min(2 * zone.width, 2 * RADIUS)
            count += band / a + 2 * math.log(1.0 + h / a) / _GROWTH
        per_axis.append(count)
    points = float(np.prod(per_axis)) * (math.pi / 4 if d == 2 else 1.0)
    return _Plan(k, features, rotation, tuple(tuple(z) for z in zones), points)


def _grid(plan: _Plan, d: int, h: float) -> _Grid:
    """The lattice of ``plan`` (tensor product of the mapped axes) within ``|y| <= RADIUS``."""
    axes = [_axis(h, list(plan.zones[a]), RADIUS) for a in range(d)]
    if d == 1:
        labels, z, cell = axes[0]
        keep = np.abs(z) <= RADIUS
        y, cell, parity = z[keep][:, None], cell[keep], labels[keep] % 2 == 0
    else:
        (l1, z1, s1), (l2, z2, s2) = axes
        g1, g2 = np.nonzero(z1[:, None] ** 2 + z2[None, :] ** 2 <= RADIUS**2)
        y = np.stack([z1[g1], z2[g2]], axis=1)
        cell = s1[g1] * s2[g2]
        parity = (l1[g1] + l2[g2]) % 2 == 0
    r2 = np.einsum("ij,ij->i", y, y)
    weight = cell * np.exp(-0.5 * r2) / (2.0 * math.pi) ** (d / 2)
    return _Grid(y, weight, parity, r2 > (RADIUS - 1.0) ** 2)


def _order(m: _Model, h: float) -> tuple[list[int], list[_Plan]]:
    """The component order (and its grids) needing the fewest points for the telescoping sum."""
    k_count = m.size
    widest_first = tuple(int(i) for i in np.argsort(-m.log_det, kind="stable"))
    candidates = [widest_first]  # needs no refinement unless widths cross (always in 1-D)
    if k_count <= _MAX_ORDERINGS:
        candidates += [o for o in itertools.permutations(range(k_count)) if o != widest_first]
    unrefined = (k_count - 1) * _plain_points(m.dim, h)
    best: tuple[float, list[int], list[_Plan]] | None = None
    cache: dict[tuple[int, tuple[int, ...]], _Plan] = {}
    for order in candidates:
        plans = []
        for p in range(1, k_count):
            key = (order[p], tuple(sorted(order[:p])))
            if key not in cache:
                cache[key] = _plan(m, order[p], key[1], h)
            plans.append(cache[key])
        cost = sum(plan.points for plan in plans)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, list(order), plans)
        if cost <= unrefined * (1 + 1e-12):
            break  # no order can do better
    assert best is not None
    return best[1], best[2]


# --------------------------------------------------------------------------------------------
# Integrands of the telescoping sum, in component k's whitened coordinates
# --------------------------------------------------------------------------------------------


def _psi(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``psi(t) = log(1 + e^-t) + e^-t log(1 + e^t)`` (>= 0, ~ 1 - t as t -> -oo, ~ (1 + t)
    e^-t as t -> oo) and ``-psi'(t) = e^-t log(1 + e^t)`` (in (0, 1])."""
    out = np.empty_like(t)
    slope = np.empty_like(t)
    pos = t >= 0
    e = np.exp(-t[pos])
    slope[pos] = e * (t[pos] + np.log1p(e))
    out[pos] = np.log1p(e) + slope[pos]
    neg = ~pos
    tn = t[neg]
    x = np.exp(tn)
    small = x < 1e-5
    ratio = np.where(small, 1.0 - x / 2 + x * x / 3, np.log1p(x) / np.where(small, 1.0, x))
    slope[neg] = ratio
    out[neg] = -tn + np.log1p(x) + ratio
    return out, slope


class _Local:
    """Component k's coordinates ``x = m_k + L_k Q y`` and the earlier components seen in them."""

    def __init__(self, m: _Model, k: int, earlier: tuple[int, ...], rotation: np.ndarray):
        self.m, self.k, self.earlier = m, k, earlier
        lq = m.chol[k] @ rotation
        self.to_x = lq
        self.maps = [
            (m.chol_inv[j] @ lq, m.chol_inv[j] @ (m.means[k] - m.means[j])) for j in earlier
        ]
        self.score_k = -(rotation.T @ m.chol_inv[k])  # row form: s_k = y @ score_k

    def x(self, y: np.ndarray) -> np.ndarray:
        return self.m.means[self.k] + y @ self.to_x.T

    def logs(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
        """``log(w_k N_k)``, ``log M_{k-1}``, whitened coordinates of the earlier components and
        their log terms (N, k-1)."""
        m = self.m
        log_n = m.log_norm[self.k] - 0.5 * np.einsum("ij,ij->i", y, y)
        us = [y @ a.T + b for a, b in self.maps]
        terms = np.stack(
            [
                m.log_norm[j] - 0.5 * np.einsum("ij,ij->i", u, u)
                for j, u in zip(self.earlier, us, strict=True)
            ],
            axis=1,
        )
        return log_n, _logsumexp(terms), us, terms


def _entropy_integrand(local: _Local, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``psi(t_k)`` and its rounding sensitivity ``|psi'(t)| (|log n| + |log M|)``."""
    log_n, log_m, _, _ = local.logs(y)
    values, slope = _psi(log_n - log_m)
    return values, slope * (np.abs(log_n) + np.abs(log_m))


def _fisher_integrand(local: _Local, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sigmoid(-t_k) |s_k - s'|^2`` and its rounding sensitivity."""
    m = local.m
    log_n, log_m, us, terms = local.logs(y)
    gamma = np.exp(terms - log_m[:, None])
    s_prev = np.zeros_like(y)
    for idx, (j, u) in enumerate(zip(local.earlier, us, strict=True)):
        s_prev -= gamma[:, idx : idx + 1] * (u @ m.chol_inv[j])
    s_k = y @ local.score_k
    diff = s_k - s_prev
    d2 = np.einsum("ij,ij->i", diff, diff)
    weight = special.expit(log_m - log_n)
    size = np.sqrt(np.einsum("ij,ij->i", s_k, s_k)) + np.sqrt(np.einsum("ij,ij->i", s_prev, s_prev))
    sens = weight * (size**2 + d2 * (np.abs(log_n) + np.abs(log_m)))
    return weight * d2, sens


# --------------------------------------------------------------------------------------------
# Quadrature and Monte Carlo drivers
# --------------------------------------------------------------------------------------------


@dataclass
class _Sum:
    fine: float = 0.0
    coarse: float = 0.0
    shell: float = 0.0
    magnitude: float = 0.0

    def add(self, g: _Grid, sl: slice, values: np.ndarray, sens: np.ndarray) -> None:
        w = g.weight[sl]
        terms = w * values
        self.fine += float(terms.sum())
        self.coarse += 2.0 * float(terms[g.coarse[sl]].sum())
        self.shell += float(np.abs(terms[g.shell[sl]]).sum())
        self.magnitude += float((w * (np.abs(values) + sens)).sum())

    def error(self, conditioning: float = 1.0) -> float:
        """Nested-rule difference + truncation + rounding (inputs carry ``conditioning`` eps)."""
        rounding = _FLOOR * _EPS * conditioning * self.magnitude
        return abs(self.fine - self.coarse) + self.shell + rounding


def _check_budget(points: float, what: str) -> None:
    if points > MAX_POINTS:
        raise UnsupportedError(
            f"{what} would need about {points:.3g} quadrature points (limit MAX_POINTS="
            f"{MAX_POINTS}): the components' scales differ too much in oblique directions."
        )


def _integrate(g: _Grid, evaluate: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> _Sum:
    out = _Sum()
    for start in range(0, g.y.shape[0], _CHUNK):
        sl = slice(start, start + _CHUNK)
        values, sens = evaluate(g.y[sl])
        out.add(g, sl, values, sens)
    return out


def _telescoped(
    density: Any,
    exact: Callable[[_Model, int], float],
    integrand: Callable[[_Local, np.ndarray], tuple[np.ndarray, np.ndarray]],
    sign: float,
    samples: Any,
    seed: Any,
    what: str,
) -> Estimate:
    """``sign * sum_k w_k exact_k - sum_k w_k int phi(y) G_k(y) dy`` (telescoping order)."""
    m = _model_of(density)
    samples = count(samples, "samples", 2)
    seed = seed_of(seed)
    d = m.dim
    closed = [exact(m, k) for k in range(m.size)]
    base = float(sum(m.weights[k] * closed[k] for k in range(m.size)))
    # the closed forms (log det S, tr S^-1 from a float Cholesky factor) carry relative errors
    # of about cond(S) eps, and so do the whitened coordinates (sqrt(cond) eps)
    floor = (
        _FLOOR
        * _EPS
        * float(sum(m.weights[k] * m.cond[k] * (abs(closed[k]) + d) for k in range(m.size)))
    )
    conditioning = float(np.sqrt(m.cond.max()))
    if d <= 2:
        h = _STEP[d]
        order, plans = _order(m, h)
        _check_budget(sum(p.points for p in plans), what)
        total, error = 0.0, floor
        for p, plan in enumerate(plans, start=1):
            local = _Local(m, plan.k, tuple(order[:p]), plan.rotation)
            part = _integrate(_grid(plan, d, h), functools.partial(integrand, local))
            total += m.weights[plan.k] * part.fine
            error += m.weights[plan.k] * part.error(conditioning)
        value = float(sign * base - total)
        return Estimate(value, float(error + 4 * _EPS * abs(value)), "quadrature")
    order = [int(i) for i in np.argsort(-m.log_det, kind="stable")]
    rng = np.random.default_rng(seed)
    later = order[1:]
    total, variance, used = 0.0, 0.0, 0
    if later:
        share = m.weights[later] / m.weights[later].sum()
        for p, k in enumerate(later, start=1):
            n_k = max(2, round(samples * float(share[p - 1])))
            local = _Local(m, k, tuple(order[:p]), np.eye(d))
            values = np.concatenate(
                [
                    integrand(local, rng.standard_normal((min(_CHUNK, n_k - s), d)))[0]
                    for s in range(0, n_k, _CHUNK)
                ]
            )
            total += m.weights[k] * float(values.mean())
            variance += m.weights[k] ** 2 * float(values.var(ddof=1)) / n_k
            used += n_k
    return Estimate(float(sign * base - total), math.sqrt(variance), "monte carlo", used)


def entropy(density: Any, *, samples: int = 200_000, seed: int = 0) -> Estimate:
    """Shannon entropy ``H[mu] = -int mu log mu dx`` (nats).

    Quadrature in d = 1, 2 (``samples``, ``seed`` unused), Monte Carlo with ``samples`` draws
    in d >= 3; see the module docstring for the method and its accuracy. A Gaussian gives
    ``(d/2) log(2 pi e) + (1/2) log det S``.
    """

    def exact(m: _Model, k: int) -> float:
        return float(m.log_norm[k]) - 0.5 * m.dim

    return _telescoped(density, exact, _entropy_integrand, -1.0, samples, seed, "entropy")


def fisher_information(density: Any, *, samples: int = 200_000, seed: int = 0) -> Estimate:
    """Fisher information ``I(mu) = int |grad log mu|^2 mu dx``.

    Quadrature in d = 1, 2, Monte Carlo in d >= 3 (module docstring). A Gaussian gives
    ``tr S^{-1}``.
    """

    def exact(m: _Model, k: int) -> float:
        return float(np.sum(m.chol_inv[k] ** 2))

    return _telescoped(density, exact, _fisher_integrand, 1.0, samples, seed, "fisher_information")


def _call(fn: Callable[[np.ndarray], Any], X: np.ndarray) -> np.ndarray:
    out = fn(X)
    try:
        arr = np.asarray(out)
    except Exception:  # pragma: no cover - asarray accepts almost anything
        arr = np.asarray(None)
    if arr.shape != (X.shape[0],):
        raise InvalidArgument(
            f"fn returned an array of shape {arr.shape} for X of shape {X.shape}; expected "
            f"({X.shape[0]},): one value per row."
        )
    if arr.dtype.kind not in "biuf":
        raise InvalidArgument(f"fn returned values of dtype {arr.dtype}; expected real numbers.")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidArgument(
            f"fn(X)[{i}]={arr[i]} at x={X[i].tolist()} is not finite; expected finite values."
        )
    return arr


def expectation(
    density: Any,
    fn: Callable[[np.ndarray], Any],
    *,
    samples: int = 200_000,
    seed: int = 0,
) -> Estimate:
    """``E_mu[fn] = int mu(x) fn(x) dx`` for a vectorised ``fn``: ``X`` (N, d) -> (N,).

    d = 1, 2: quadrature on every component's grid, refined wherever another component is
    narrower (``fn`` may involve ``mu`` itself); accurate when ``fn`` is analytic and varies no
    faster than the mixture. The error is that of integrating ``fn`` as evaluated: a bias in
    ``fn``'s own values (e.g. float64 cancellation in a formula near blow-up) is integrated
    faithfully and not reported. d >= 3: Monte Carlo, ``samples`` draws stratified by component,
    with the standard error. Raises :class:`~symtransport.errors.InvalidArgument` when ``fn``
    is not callable or returns a wrong shape or non-finite values.
    """
    m = _model_of(density)
    if not callable(fn):
        raise InvalidArgument(f"fn={fn!r} is not callable; expected fn(X) -> (N,) values.")
    samples = count(samples, "samples", 2)
    seed = seed_of(seed)
    d = m.dim
    if d <= 2:
        h = _STEP[d]
        plans = [_plan(m, k, tuple(j for j in range(m.size) if j != k), h) for k in range(m.size)]
        _check_budget(sum(p.points for p in plans), "expectation")
        total, error = 0.0, 0.0
        for plan in plans:
            local = _Local(m, plan.k, (), plan.rotation)

            def evaluate(y: np.ndarray, local: _Local = local) -> tuple[np.ndarray, np.ndarray]:
                values = _call(fn, local.x(y))
                return values, np.zeros_like(values)

            part = _integrate(_grid(plan, d, h), evaluate)
            total += m.weights[plan.k] * part.fine
            error += m.weights[plan.k] * part.error()
        return Estimate(float(total), float(error + 4 * _EPS * abs(total)), "quadrature")
    rng = np.random.default_rng(seed)
    total, variance, used = 0.0, 0.0, 0
    for k in range(m.size):
        n_k = max(2, round(samples * float(m.weights[k])))
        values = np.concatenate(
            [
                _call(fn, m.means[k] + rng.standard_normal((min(_CHUNK, n_k - s), d)) @ m.chol[k].T)
                for s in range(0, n_k, _CHUNK)
            ]
        )
        total += m.weights[k] * float(values.mean())
        variance += m.weights[k] ** 2 * float(values.var(ddof=1)) / n_k
        used += n_k
    return Estimate(float(total), math.sqrt(variance), "monte carlo", used)
