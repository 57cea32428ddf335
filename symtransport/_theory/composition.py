"""Compositions of DAEs, the "deep DAE" ([J] §4.1, Definition 4, eqs. (20)-(22)).

On the grid ``0 = t_0 < t_1 < ... < t_L = T`` with equal steps ``dt = T/L``, step ``l`` is the
shallow DAE of the current pushforward ``mu_l`` trained with noise variance ``dt``:

    g_l(x) = x + dt grad log[nu_dt * mu_l](x),   mu_{l+1} = g_l # mu_l          (20)
    g_{0:L} = g_{L-1} o ... o g_0                                                 (21)

(``nu_dt = N(0, dt I)``). [J] prints ``nu_{t_l}`` inside (20); the noise variance of a shallow
DAE trained for one step is the step ``t_{l+1} - t_l`` (the [check] on (20) in the notes), and
that is what is built here. ``(g_{0:l+1} - g_{0:l}) / dt = grad V_{t_l} o g_{0:l}`` (22), so the
composition is Euler's broken line for the continuous DAE ``dx/dt = grad log mu_t`` (23).

* Gaussians (:class:`GaussianComposition`): every step is exact. The shallow map of
  ``N(m, S)`` is affine, ``x -> A(x - m) + m`` with ``A = (I + dt S^-1)^-1`` (34), so
  ``mu_{l+1} = N(m, A S A^T)`` (35). Nothing is retyped: ``A`` is the Jacobian of
  :meth:`ShallowDAE.map` and the image covariance comes from :func:`affine_pushforward`.
  In 1-D the variance recursion is ``v -> v (v/(v + dt))^2`` (:func:`variance_step`). ``A`` is
  a matrix function of ``S``, so ``S_l`` keeps the eigenvectors of ``S_0`` and each eigenvalue
  follows the 1-D recursion (:meth:`GaussianComposition.numeric_covariance`).
* Mixtures (:class:`MixtureComposition`): the pushforward of a mixture by (38) is not a
  mixture. The approximation used (as [J] appears to do in Figs. 7-9) replaces each
  intermediate distribution by (39): every component is pushed by its own affine map (35),
  ``S_k -> A_k S_k A_k^T``, weights and means unchanged, and the next step is the exact shallow
  DAE (38) of that mixture, applied to particles.
* The exact composition in 1-D (:func:`exact_composition_1d`) needs no such approximation:
  ``mu_0`` is discretised on a fine grid ``x_j`` (weights ``mu_0(x_j) h``), ``G`` is the
  composition so far at the nodes, and the step map at ``y`` is the posterior mean (14)
  ``E[z | y] = sum_j G(x_j) nu_dt(y - G(x_j)) mu_0(x_j) / sum_j nu_dt(y - G(x_j)) mu_0(x_j)``,
  computed in log space (a softmax over ``j``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symtransport._core.codegen import CompiledMap, compile_map
from symtransport._core.decimals import exact_scalar
from symtransport._theory.dae import ShallowDAE, affine_parts, affine_pushforward
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport.errors import IllPosedError, InvalidArgument
from symtransport.symbols import coordinates

__all__ = [
    "GaussianComposition",
    "MixtureComposition",
    "exact_composition_1d",
    "gaussian_step",
    "iterate_variance",
    "step_size",
    "variance_step",
]


PERTURBATION = 1e-12  # the nodes' shift in the stability check of exact_composition_1d
MAX_AMPLIFICATION = 1e6  # rounding (1e-16) may then grow to 1e-10, far below what is measured


def _exact_positive(value: Any, name: str) -> sp.Expr:
    """``value`` as an exact positive SymPy number or provably positive expression (floats
    read as the decimals they print as)."""
    exact = exact_scalar(value, name)
    if exact.is_positive is not True:
        raise InvalidArgument(f"{name}={value!r} must be > 0 (a number, or a positive symbol)")
    return exact


def step_size(total_time: Any, steps: int) -> sp.Expr:
    """``dt = T / L``, exactly: the noise variance of each of the ``L`` steps of (20).

    Raises :class:`InvalidArgument` unless ``T > 0`` and ``L`` is an integer ``>= 1``.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InvalidArgument(f"steps={steps!r}: the number of DAEs L must be an integer >= 1")
    return _exact_positive(total_time, "total_time") / int(steps)


def gaussian_step(density: Gaussian, dt: Any) -> tuple[sp.Matrix, sp.Matrix]:
    """``(A, b)`` with ``g(x) = A x + b`` the step (20) for ``N(m, S)`` and noise variance
    ``dt``: the shallow map (34), ``A = (I + dt S^-1)^-1``, ``b = (I + S/dt)^-1 m``, derived by
    :class:`ShallowDAE` and read off its Jacobian (exact for exact input)."""
    if not isinstance(density, Gaussian):
        raise InvalidArgument(f"density={density!r} is not a Gaussian")
    dae = ShallowDAE(density)
    image = dae.map().subs(dae.t, _exact_positive(dt, "dt"))
    return affine_parts(image.applyfunc(sp.cancel), dae.variables)


@functools.cache
def variance_step() -> tuple[sp.Symbol, sp.Symbol, sp.Expr]:
    """``(v, dt, v')``: one Gaussian step (20) in 1-D, ``v' = A v A`` with ``A = dg/dx`` of
    the shallow map (30) at noise variance ``dt``; it is ``v (v/(v + dt))^2`` (31)."""
    v, dt = sp.symbols("v dt", positive=True)
    dae = ShallowDAE(Gaussian(0, v))
    (x,) = dae.variables
    a = sp.diff(dae.map()[0], x).subs(dae.t, dt)
    _, cov = affine_pushforward(sp.Matrix([0]), sp.Matrix([[v]]), sp.Matrix([[a]]), sp.zeros(1))
    return v, dt, sp.cancel(cov[0, 0])


@functools.cache
def _variance_step_function() -> Any:
    v, dt, expr = variance_step()
    return sp.lambdify((v, dt), expr, modules="mpmath")


def iterate_variance(
    v0: Any, total_time: Any, steps: int, *, dps: int = 30, interval: bool = False
) -> list[Any]:
    """``[v_0, v_1, ..., v_L]``: the variances of the composition of ``L`` Gaussian DAEs of
    step ``dt = T/L`` (1-D, or one eigenvalue of ``S``), by the derived recursion
    :func:`variance_step` in mpmath at ``dps`` digits.

    With ``interval=True`` every value is an ``mpmath.iv`` interval that certainly contains
    the exact value, so comparisons between them cannot be decided by rounding. Each step maps
    the endpoints of the previous interval (the step increases in ``v``: its derivative
    ``v^2 (v + 3 dt)/(v + dt)^3`` is positive), so the width does not grow by the
    dependency effect of interval arithmetic.
    """
    dt = step_size(total_time, steps)
    start = _exact_positive(v0, "v0")
    if not isinstance(start, sp.Rational) or not isinstance(dt, sp.Rational):
        raise InvalidArgument(f"v0={v0!r} and total_time={total_time!r} must be rational numbers")
    step = _variance_step_function()
    ctx = mpmath.iv if interval else mpmath.mp
    saved = ctx.dps
    ctx.dps = dps
    try:
        v, h = ctx.mpf(start.p) / start.q, ctx.mpf(dt.p) / dt.q
        out = [v]
        for _ in range(steps):
            if interval:  # the step increases in v: map the endpoints, not the whole interval
                v = ctx.mpf([step(ctx.mpf(v.a), h).a, step(ctx.mpf(v.b), h).b])
            else:
                v = step(v, h)
            out.append(v)
    finally:
        ctx.dps = saved
    return out


@dataclass(frozen=True)
class GaussianComposition:
    """The composition (21) of ``steps`` Gaussian DAEs of step ``dt = total_time/steps`` on
    ``density = N(m, S)``: each step is exact, ``N(m, S) -> N(m, A S A^T)``,
    ``A = (I + dt S^-1)^-1`` (34)-(35).

    :meth:`stages` and :meth:`affine_map` are exact (SymPy); exact rationals triple in length
    each step, so they suit small ``steps``. :meth:`numeric_covariance` works for any number
    of steps (mpmath).
    """

    density: Gaussian
    total_time: Any
    steps: int
    dt: sp.Expr = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.density, Gaussian):
            raise InvalidArgument(f"density={self.density!r} is not a Gaussian")
        object.__setattr__(self, "dt", step_size(self.total_time, self.steps))
        object.__setattr__(self, "total_time", _exact_positive(self.total_time, "total_time"))

    @functools.cached_property
    def _chain(self) -> tuple[list[Gaussian], list[tuple[sp.Matrix, sp.Matrix]]]:
        """The stages ``[mu_0, ..., mu_L]`` and the step maps ``[(A_l, b_l)]`` between them,
        derived once."""
        stages, maps = [self.density], []
        for _ in range(self.steps):
            a, b = gaussian_step(stages[-1], self.dt)
            mean, cov = affine_pushforward(stages[-1].mean, stages[-1].cov, a, b)
            stages.append(Gaussian(mean.applyfunc(sp.cancel), cov.applyfunc(sp.cancel)))
            maps.append((a, b))
        return stages, maps

    def stages(self) -> list[Gaussian]:
        """``[mu_0, ..., mu_L]``, each ``N(A m + b, A S A^T)`` of the previous one (35)."""
        return list(self._chain[0])

    def affine_map(self) -> tuple[sp.Matrix, sp.Matrix]:
        """``(A, b)`` with ``g_{0:L}(x) = A x + b`` (21): the steps' affine maps composed."""
        d = self.density.dim
        total_a, total_b = sp.eye(d), sp.zeros(d, 1)
        for a, b in self._chain[1]:
            total_a, total_b = a * total_a, a * total_b + b
        return total_a, total_b

    def map(self, variables: Sequence[sp.Symbol] | None = None) -> sp.Matrix:
        """``g_{0:L}(x) = A x + b`` in ``variables`` (default those of :class:`ShallowDAE`)."""
        xs = ShallowDAE(self.density).variables if variables is None else tuple(variables)
        a, b = self.affine_map()
        return a * sp.Matrix(xs) + b

    def numeric_covariance(self, dps: int = 30) -> mpmath.matrix:
        """``S_L`` in mpmath at ``dps`` digits, for any number of steps:
        ``S_0 = U diag(lambda) U^T`` and ``S_L = U diag(v_L(lambda)) U^T``, since every ``A_l``
        is a function of ``S_l`` and keeps its eigenvectors; ``v_L`` is
        :func:`iterate_variance`."""
        if self.density.free_symbols:
            raise InvalidArgument("numeric_covariance needs a numeric covariance")
        with mpmath.workdps(dps + 10):
            cov = mpmath.matrix([[mpmath.mpf(sp.N(e, dps + 10)) for e in row] for row in
                                 self.density.cov.tolist()])  # fmt: skip
            eigenvalues, vectors = mpmath.eigsy(cov)
            final = [
                iterate_variance(sp.Rational(str(lam)), self.total_time, self.steps, dps=dps)[-1]
                for lam in eigenvalues
            ]
            return vectors * mpmath.diag(final) * vectors.T


# --- mixtures: the (39) approximation ------------------------------------------------------


def _cholesky_symbols(d: int, k: int) -> tuple[sp.Matrix, list[sp.Symbol]]:
    """A lower-triangular ``C`` with positive diagonal symbols, so ``C C^T`` is SPD for every
    value, and its entries in row-major order."""
    entries = []
    c = sp.zeros(d, d)
    for i in range(d):
        for j in range(i + 1):
            s = (
                sp.Symbol(f"c{k}_{i}{j}", positive=True)
                if i == j
                else sp.Symbol(f"c{k}_{i}{j}", real=True)
            )
            c[i, j] = s
            entries.append(s)
    return c, entries


def _cholesky_values(cov: np.ndarray) -> np.ndarray:
    """The entries of ``cholesky(cov)`` in the order of :func:`_cholesky_symbols`."""
    try:
        lower = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as exc:
        raise InvalidArgument(f"the covariance {cov.tolist()} is not positive definite") from exc
    return lower[np.tril_indices(cov.shape[0])]


@functools.cache
def _component_step(d: int) -> Any:
    """``(C, dt) -> A S A^T`` with ``S = C C^T``: one component's covariance pushed by its own
    shallow map (35), derived once for a symbolic Cholesky factor and lambdified."""
    c, entries = _cholesky_symbols(d, 0)
    dt = sp.Symbol("dt", positive=True)
    dae = ShallowDAE(Gaussian(sp.zeros(d, 1), c * c.T))
    a, _ = affine_parts(dae.map().subs(dae.t, dt), dae.variables)
    _, cov = affine_pushforward(sp.zeros(d, 1), c * c.T, a, sp.zeros(d, 1))
    return sp.lambdify((entries, dt), cov, modules="numpy")


@functools.cache
def _mixture_map(
    weights: tuple[sp.Expr, ...], means: tuple[tuple[sp.Expr, ...], ...]
) -> tuple[CompiledMap, int]:
    """The shallow map (38) of ``sum_k w_k N(m_k, C_k C_k^T)`` with symbolic Cholesky factors,
    compiled once: ``f(X, dt, chol)``; and the number of Cholesky entries."""
    d = len(means[0])
    factors = [_cholesky_symbols(d, k) for k in range(len(weights))]
    template = GaussianMixture.from_arrays(
        list(weights), [list(m) for m in means], [c * c.T for c, _ in factors]
    )
    dae = ShallowDAE(template)
    entries = [s for _, group in factors for s in group]
    fn = compile_map(dae.map(), list(dae.variables), [dae.t, entries], backend="numpy")
    return fn, len(entries)


@dataclass(frozen=True)
class MixtureComposition:
    """The composition (21) of ``steps`` DAEs of step ``dt = total_time/steps`` on a numeric
    Gaussian mixture, each intermediate distribution replaced by (39).

    Stage ``l`` is ``sum_k w_k N(m_k, S_k^(l))`` with ``S_k^(l+1) = A S_k^(l) A^T``,
    ``A = (I + dt S_k^(l)^-1)^-1`` (35), and step ``l`` is the exact shallow DAE (38) of stage
    ``l`` at noise variance ``dt``. (39) is an approximation: the true pushforward of a mixture
    by (38) is not a mixture; :func:`exact_composition_1d` measures the difference in 1-D.
    """

    mixture: GaussianMixture
    total_time: Any
    steps: int
    dt: sp.Expr = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.mixture, GaussianMixture):
            raise InvalidArgument(f"mixture={self.mixture!r} is not a GaussianMixture")
        if self.mixture.free_symbols:
            raise InvalidArgument("the mixture's parameters must be numbers")
        object.__setattr__(self, "dt", step_size(self.total_time, self.steps))
        object.__setattr__(self, "total_time", _exact_positive(self.total_time, "total_time"))

    def stages(self) -> list[list[np.ndarray]]:
        """``[[S_k^(l) for k] for l = 0..L]``: the components' covariances (float64)."""
        step = _component_step(self.mixture.dim)
        dt = float(self.dt)
        covs = [np.array(c.cov.tolist(), dtype=float) for c in self.mixture.components]
        out = [covs]
        for _ in range(self.steps):
            covs = [np.asarray(step(_cholesky_values(s), dt), dtype=float) for s in covs]
            out.append(covs)
        return out

    def particles(self, x0: Any, every: bool = False) -> np.ndarray:
        """``g_{0:L}(x0)`` for an ``(N, d)`` array ``x0``; with ``every=True`` all the partial
        compositions, shape ``(L + 1, N, d)``."""
        points = np.asarray(x0, dtype=float)
        d = self.mixture.dim
        if points.ndim != 2 or points.shape[1] != d:
            raise InvalidArgument(f"x0 has shape {points.shape}; expected (N, {d})")
        means = tuple(tuple(c.mean) for c in self.mixture.components)
        fn, _ = _mixture_map(tuple(self.mixture.weights), means)
        dt = float(self.dt)
        path = [points]
        for covs in self.stages()[:-1]:
            chol = np.concatenate([_cholesky_values(s) for s in covs])
            path.append(np.asarray(fn(np.ascontiguousarray(path[-1]), dt, chol)))
        return np.stack(path) if every else path[-1]


# --- the exact composition in 1-D, by quadrature -------------------------------------------


def exact_composition_1d(
    density: Gaussian | GaussianMixture, total_time: Any, steps: int, nodes: Any
) -> np.ndarray:
    """``g_{0:L}(x_j)`` at the nodes of a uniform grid ``x_j`` (spacing ``h``) of a 1-D
    ``density``, with no approximation of the intermediate distributions beyond quadrature.

    ``mu_l = G_# mu_0`` is the weighted sum of point masses ``mu_0(x_j) h`` at ``G(x_j)``, and
    the step (20) is the posterior mean (14) for that ``mu_l`` and noise ``N(0, dt)``:
    ``E[z | y] = sum_j G(x_j) nu_dt(y - G(x_j)) mu_0(x_j) / sum_j nu_dt(y - G(x_j)) mu_0(x_j)``,
    evaluated at ``y = G(x_i)`` in log space. Cost ``O(N^2 L)``. The grid must hold the mass
    of ``mu_0`` and have ``h`` well below ``sqrt(dt)``; nodes within a few standard deviations
    of the grid's ends feel its truncation.

    Like the backward heat equation it discretises, the scheme amplifies perturbations at the
    kernel's scale ``sqrt(dt)`` by a bounded factor a step, so exponentially in ``L`` (about
    ``1e4`` at 20 steps and ``1e9`` at 40 on the test mixtures). The computation is therefore
    run twice, the second time from nodes moved by ``PERTURBATION``; if the two results differ
    by more than ``MAX_AMPLIFICATION * PERTURBATION``, rounding errors (``1e-16``) could have
    grown past ``1e-10`` and :class:`IllPosedError` is raised: use fewer steps.
    """
    if not isinstance(density, (Gaussian, GaussianMixture)) or density.dim != 1:
        raise InvalidArgument(f"density={density!r} is not a 1-D Gaussian or mixture")
    if density.free_symbols:
        raise InvalidArgument("the density's parameters must be numbers")
    dt = float(step_size(total_time, steps))
    grid = np.asarray(nodes, dtype=float)
    if grid.ndim != 1 or grid.size < 3 or not np.allclose(np.diff(grid), grid[1] - grid[0]):
        raise InvalidArgument("nodes must be a uniform increasing 1-D grid of >= 3 points")
    h = grid[1] - grid[0]
    if not h > 0 or h > np.sqrt(dt) / 4:  # the kernel must span several nodes
        raise InvalidArgument(f"the node spacing h={h:g} must be below sqrt(dt)/4={dt**0.5 / 4:g}")
    (x,) = coordinates(1)
    pdf = compile_map(density.pdf([x]), [x], backend="numpy")(grid[:, None])[:, 0]
    mass = float(np.sum(pdf) * h)
    if abs(mass - 1) > 1e-8:
        raise InvalidArgument(f"the nodes hold mass {mass:.10f} of mu_0, not 1: widen the grid")
    with np.errstate(divide="ignore"):
        log_w = np.log(pdf * h)

    def compose(image: np.ndarray) -> np.ndarray:
        for _ in range(steps):
            logits = log_w[None, :] - (image[:, None] - image[None, :]) ** 2 / (2 * dt)
            logits -= logits.max(axis=1, keepdims=True)
            weights = np.exp(logits)
            image = weights @ image / weights.sum(axis=1)
        return image

    result = compose(grid.copy())
    shift = PERTURBATION * np.random.default_rng(0).standard_normal(grid.size)
    growth = float(np.max(np.abs(compose(grid + shift) - result))) / PERTURBATION
    if growth > MAX_AMPLIFICATION:
        raise IllPosedError(
            f"steps={steps}: the composition amplifies a perturbation of the nodes by "
            f"{growth:.3g} > {MAX_AMPLIFICATION:g}, so rounding errors may dominate the "
            "result (the scheme inherits the instability of the backward heat equation); "
            "use fewer steps"
        )
    return result
