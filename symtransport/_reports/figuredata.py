"""The numbers behind the paper's figures ([J] §5, Figs. 4, 6-10) and an entropy-time plot.

Everything is computed by the library's own objects; nothing here restates a formula. The
trained-network figures (Fig. 4 and Fig. 10, right, as [J] drew them, and the convergence plot)
are at the end of the module: networks trained by :mod:`symtransport._random.denoisers` beside
the exact maps below. The exact maps:

* the continuous DAE (Definition 4): the closed-form flow (32), (36) of a Gaussian,
  ``phi_t(x) = sqrt(I - 2t S^-1)(x - m) + m`` (:meth:`ContinuousDAE.map`), valid up to and
  including the blow-up time ``t* = lambda_min(S)/2``; for a mixture, particles of
  ``dx/dt = grad log mu_t(x)`` with ``mu_t = sum_k w_k N(m_k, S_k - 2tI)`` (42) and the velocity
  (43), integrated by :meth:`ContinuousDAE.trajectories` (DOP853) to just below ``t*``;
* the shallow DAE (Thm 5): ``t -> g_t(x)`` with ``g_t = x + t grad log(nu_t * mu_0)`` (17), in
  closed form (30) / (34) for a Gaussian and (38) for a mixture (:meth:`ShallowDAE.map`);
* the composition of DAEs (20)-(21) with step ``dt``: each step the shallow DAE (34) / (38) of
  the current stage, the stage covariances following (35) (:class:`MixtureComposition`; for a
  Gaussian, a one-component mixture, for which (39) is exact);
* entropies: ``numerics.entropy`` of ``mu_t`` (42) for the continuous DAE; for a map ``g``
  (shallow DAE or composition) ``H[g # mu_0] = H[mu_0] + E_mu_0[log det grad g]``, exact
  because ``g`` is injective (for Gaussian noise ``grad g_t = Cov[x | x~]/t`` is positive
  definite, so each step is the gradient of a strictly convex function; notes §3.2), with the
  Jacobian of (38) from :func:`~symtransport._random.parametric.shallow_jacobian` and the
  expectation by ``numerics.expectation`` (shallow DAE) or Monte Carlo (compositions, whose maps
  become too steep for the quadrature; see :func:`_composition_entropy`). Each value carries its
  error.

Time horizons. The continuous DAE of (44)-(47) blows up at ``t* = 1/2``. The compositions run
``L`` steps of ``dt``: ``dt = 0.05, L = 15`` (``T = 0.75``) and ``dt = 0.5, L = 3``
(``T = 1.5``). A stage variance ``v`` follows ``v -> v (v/(v + dt))^2`` per eigenvalue (35),
which collapses super-exponentially once ``v < dt`` (``v' ~ v^3/dt^2``): from ``v = 1`` with
``dt = 0.05`` it is ``2e-13`` after 15 steps and underflows float64 after 19, where a stage
covariance is no longer positive definite in floating point. Hence ``T = 0.75`` there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from symtransport._core.codegen import CompiledMap, compile_map
from symtransport._random import numerics
from symtransport._random.denoisers import train_composition, train_dae
from symtransport._random.one_step import FULL, HALF, HEUN, Scheme, one_step_errors
from symtransport._random.parametric import family_of, shallow_jacobian
from symtransport._random.rates import SWEEP_SAMPLES, Slope, convergence_sweep, loglog_slope
from symtransport._theory.composition import MixtureComposition, iterate_variance
from symtransport._theory.dae import ShallowDAE, affine_parts, affine_pushforward
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.flow import ContinuousDAE
from symtransport._theory.instances import (
    fixed_mixture,
    gaussian_44,
    mixture_45,
    mixture_46,
    mixture_47,
)
from symtransport.errors import InvalidArgument

__all__ = [
    "COMPOSITIONS",
    "ESTIMATORS",
    "ConvergenceData",
    "ConvergencePoint",
    "ConvergenceSeries",
    "EntropyCurve",
    "EntropyPanel",
    "Fig4Data",
    "Fig4TrainedData",
    "Fig10Data",
    "Fig10TrainedData",
    "FlowFigureData",
    "OneStepOrdersData",
    "Panel",
    "composition_panel",
    "continuous_panel",
    "convergence_data",
    "convergence_measurement",
    "entropy_data",
    "fig4_data",
    "fig4_trained_data",
    "fig6_data",
    "fig7_data",
    "fig8_data",
    "fig9_data",
    "fig10_data",
    "fig10_trained_data",
    "flow_figure_data",
    "one_step_orders_data",
    "points_from_rows",
    "shallow_panel",
    "starting_points",
]

R = sp.Rational

GRID_EXTENT = 3.0  # gray trajectories start on a regular grid over [-3, 3]^2 ([J] Fig. 6)
GRID_SIZE = 13  # points per axis (spacing 0.5)
SAMPLES = 30  # coloured trajectories start at this many draws from mu_0
SEED = 0  # of those draws
MARK_EVERY = 0.2  # markers every 0.2 in time ([J] Fig. 6)
MIXTURE_END = 0.49  # the mixtures' continuous DAE is integrated to just below t* = 1/2
# (and to 0.98 t* at most, for mixtures that blow up earlier)
SHALLOW_END = 2.0  # the shallow panels show g_t for 0 <= t <= 2
MC_SAMPLES = 100_000  # draws of mu_0 for the compositions' entropies (standard error ~3e-3)
#: The compositions ``(dt, L)`` of the figures (see the module docstring for the horizons).
COMPOSITIONS: tuple[tuple[sp.Rational, int], ...] = ((R(1, 20), 15), (R(1, 2), 3))
FIG4_TIMES = (R(1, 2), R(1))  # the noise variances of [J] Fig. 4
FIG10_STEP = R(1, 2)  # the step and the horizon of the composition in Fig. 10
FIG10_TIME = R(12)
_NODES = 61  # time nodes of a smooth curve (before the marker times are added)
_CONTOUR_NODES = 121  # density contour grid, per axis


# --- data classes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """One panel of Figs. 6-9: particles ``x(t)`` of one transport at ``times`` (shape ``(T,)``).

    ``grid``: from the regular grid, shape ``(T, G, 2)``; ``samples``: from draws of
    ``mu_0``, shape ``(T, S, 2)``; ``marks``: indices into ``times`` where markers go;
    ``kind``: ``"continuous"``, ``"shallow"`` or ``"composition"``; ``step``: ``dt`` of a
    composition.
    """

    title: str
    kind: str
    times: np.ndarray
    grid: np.ndarray
    samples: np.ndarray
    marks: np.ndarray
    step: float | None = None


@dataclass(frozen=True)
class FlowFigureData:
    """Figs. 6-9: a density ``mu_0``, its mean, its blow-up time ``t*``, a grid of its density
    for contours (``contour_x``, ``contour_y`` of shape ``(n,)``, ``contour_z`` of ``(n, n)``)
    and the four panels: continuous DAE, shallow DAE, compositions with ``dt = 0.05`` and
    ``0.5``. ``attractor``: for a Gaussian on ``R^2`` with distinct eigenvalues, two points of
    the line through the mean along the largest eigendirection, onto which the continuous DAE
    collapses at ``t*`` (36) (else None)."""

    equation: str
    density: Gaussian | GaussianMixture
    mean: np.ndarray
    blowup_time: float
    contour_x: np.ndarray
    contour_y: np.ndarray
    contour_z: np.ndarray
    panels: tuple[Panel, ...]
    attractor: np.ndarray | None = None


@dataclass(frozen=True)
class Fig4Data:
    """Fig. 4: the shallow DAE of ``N(0, 1)`` at noise variances ``times``.

    ``x``: evaluation grid; ``data_density``: ``mu_0(x)``; ``densities[i]``: the pushforward
    ``g_t # mu_0 = N(0, 1/(1 + t)^2)`` (31) at ``times[i]``, with variance ``variances[i]``;
    ``starts``: arrow tails ``x_j``; ``ends[i]``: arrow heads ``g_t(x_j) = x_j/(1 + t)`` (30).
    """

    x: np.ndarray
    data_density: np.ndarray
    times: np.ndarray
    variances: np.ndarray
    densities: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


@dataclass(frozen=True)
class Fig10Data:
    """Fig. 10: the plane ``(sigma_1, sigma_2)`` of ``Q = {N(0, diag(s1^2, s2^2))}`` (48).

    ``flow_lines``: ``W_2`` gradient-flow lines of ``H`` (49), i.e. the continuous DAE (37),
    ``sigma_i^2(t) = sigma_i^2(0) - 2t``, each an ``(n, 2)`` array; ``continuous``,
    ``shallow`` (35) and ``composition`` (step ``composition_step``) start at ``start``, with
    their times.
    """

    start: np.ndarray
    flow_lines: tuple[np.ndarray, ...]
    continuous_times: np.ndarray
    continuous: np.ndarray
    shallow_times: np.ndarray
    shallow: np.ndarray
    composition_step: float
    composition_times: np.ndarray
    composition: np.ndarray


@dataclass(frozen=True)
class EntropyCurve:
    """Shannon entropy ``values`` (nats) at ``times``, each with its error: for ``method``
    ``"quadrature"`` the estimate of ``numerics`` (a bound in practice), for ``"monte carlo"``
    the standard error (0 where the integrand is constant)."""

    label: str
    kind: str
    times: np.ndarray
    values: np.ndarray
    errors: np.ndarray
    method: str = "quadrature"


@dataclass(frozen=True)
class EntropyPanel:
    """The entropy curves of one density (``equation`` names it)."""

    equation: str
    blowup_time: float
    curves: tuple[EntropyCurve, ...]


# --- helpers -----------------------------------------------------------------------------------


def _time_grid(end: float, dense_end: bool = False) -> np.ndarray:
    """``0 .. end`` with every positive multiple of ``MARK_EVERY``; with ``dense_end`` the nodes
    crowd towards ``end`` like ``end (1 - (1 - u)^2)`` (the flow's ``sqrt(t* - t)`` there)."""
    u = np.linspace(0.0, 1.0, _NODES)
    base = end * (1.0 - (1.0 - u) ** 2) if dense_end else end * u
    marks = MARK_EVERY * np.arange(1, int(np.floor(end / MARK_EVERY + 1e-9)) + 1)
    return np.unique(np.round(np.concatenate([base, marks]), 12))


def _marks(times: np.ndarray, every: float = MARK_EVERY) -> np.ndarray:
    """Indices of the positive times that are multiples of ``every``."""
    ratio = times / every
    return np.flatnonzero((times > 0) & (np.abs(ratio - np.round(ratio)) < 1e-9))


def starting_points(density: Gaussian | GaussianMixture) -> tuple[np.ndarray, np.ndarray]:
    """The regular grid over ``[-3, 3]^2`` and ``SAMPLES`` draws of ``mu_0`` (seed ``SEED``)."""
    axis = np.linspace(-GRID_EXTENT, GRID_EXTENT, GRID_SIZE)
    xx, yy = np.meshgrid(axis, axis)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    return grid, numerics.sample(density, SAMPLES, seed=SEED)


def _time_map(exprs: sp.Matrix, variables: tuple[sp.Symbol, ...], t: sp.Symbol) -> CompiledMap:
    """``f(X, t)``, compiled once per expression by :func:`compile_map` (NumPy: no JIT start)."""
    return compile_map(exprs, list(variables), [t], backend="numpy")


def _along(
    fn: Callable[[np.ndarray, float], np.ndarray], times: np.ndarray, x0: np.ndarray
) -> np.ndarray:
    """``[fn(x0, t) for t in times]`` stacked, shape ``(T, N, d)``."""
    return np.stack([np.asarray(fn(x0, float(s))) for s in times])


def _split(path: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = grid.shape[0]
    return path[:, :n], path[:, n:]


def _as_mixture(density: Gaussian | GaussianMixture) -> GaussianMixture:
    """A Gaussian as a one-component mixture (for which (38) is (34) and (39) is (35))."""
    return density if isinstance(density, GaussianMixture) else GaussianMixture([1], [density])


# --- Figs. 6-9 -------------------------------------------------------------------------------


def continuous_panel(
    density: Gaussian | GaussianMixture, grid: np.ndarray, samples: np.ndarray
) -> Panel:
    """The continuous DAE: for a Gaussian the closed-form flow (36) on ``[0, t*]``, ``t*``
    included (the attractor: ``x`` on the affine subspace through the mean orthogonal to the
    smallest eigendirection); for a mixture particles of (42)-(43) on ``[0, MIXTURE_END]``."""
    flow = ContinuousDAE(density)
    blowup = float(flow.blowup_time)
    x0 = np.concatenate([grid, samples])
    if isinstance(density, Gaussian):
        times = _time_grid(blowup, dense_end=True)
        path = _along(_time_map(flow.map(), flow.variables, flow.t), times, x0)
        title = f"continuous DAE (36), 0 ≤ t ≤ t* = {blowup:g}"
    else:
        times = _time_grid(min(MIXTURE_END, 0.98 * blowup), dense_end=True)
        path = np.asarray(flow.trajectories(x0, times))
        title = f"continuous DAE (42)-(43), 0 ≤ t ≤ {times[-1]:g} (t* = {blowup:g})"
    g, s = _split(path, grid)
    return Panel(title, "continuous", times, g, s, _marks(times))


def shallow_panel(
    density: Gaussian | GaussianMixture,
    grid: np.ndarray,
    samples: np.ndarray,
    times: np.ndarray | None = None,
) -> Panel:
    """The shallow DAE ``t -> g_t(x)`` at ``times`` (default ``0 <= t <= SHALLOW_END``): (34)
    for a Gaussian, (38) for a mixture. As ``t -> infinity``, ``g_t(x)`` tends to the data
    mean, not the origin (notes §3.2)."""
    dae = ShallowDAE(density)
    times = _time_grid(SHALLOW_END) if times is None else np.asarray(times, dtype=float)
    path = _along(
        _time_map(dae.map(), dae.variables, dae.t), times, np.concatenate([grid, samples])
    )
    g, s = _split(path, grid)
    equation = "(34)" if isinstance(density, Gaussian) else "(38)"
    title = f"shallow DAE {equation}, 0 ≤ t ≤ {times[-1]:g}"
    return Panel(title, "shallow", times, g, s, _marks(times))


def composition_panel(
    density: Gaussian | GaussianMixture,
    grid: np.ndarray,
    samples: np.ndarray,
    dt: sp.Rational,
    steps: int,
) -> Panel:
    """The composition (21) of ``steps`` DAEs of noise variance ``dt`` (20): each step the
    shallow DAE (34) / (38) of the current stage, whose covariances follow (35)."""
    composition = MixtureComposition(_as_mixture(density), dt * steps, steps)
    path = composition.particles(np.concatenate([grid, samples]), every=True)
    times = float(dt) * np.arange(steps + 1)
    # a step longer than the marker spacing: every state is a marker
    marks = _marks(times) if float(dt) < MARK_EVERY else np.arange(1, steps + 1)
    g, s = _split(path, grid)
    title = f"composition of DAEs, Δt = {float(dt):g}, L = {steps} (T = {float(dt * steps):g})"
    return Panel(title, "composition", times, g, s, marks, float(dt))


def flow_figure_data(density: Gaussian | GaussianMixture, equation: str) -> FlowFigureData:
    """The four panels of Figs. 6-9 for ``density`` (labelled by its ``equation`` number)."""
    grid, samples = starting_points(density)
    panels = (
        continuous_panel(density, grid, samples),
        shallow_panel(density, grid, samples),
        *(composition_panel(density, grid, samples, dt, n) for dt, n in COMPOSITIONS),
    )
    axis = np.linspace(-GRID_EXTENT - 0.5, GRID_EXTENT + 0.5, _CONTOUR_NODES)
    xx, yy = np.meshgrid(axis, axis)
    z = np.exp(numerics.log_pdf(density, np.column_stack([xx.ravel(), yy.ravel()])))
    mean = np.array(density.mean, dtype=float).ravel()
    attractor = None
    if isinstance(density, Gaussian):
        eigenvalues, vectors = np.linalg.eigh(np.array(density.cov.tolist(), dtype=float))
        if eigenvalues[0] < eigenvalues[-1]:
            attractor = mean + np.outer([-10.0, 10.0], vectors[:, -1])
    return FlowFigureData(
        equation,
        density,
        mean,
        float(ContinuousDAE(density).blowup_time),
        axis,
        axis,
        z.reshape(xx.shape),
        panels,
        attractor,
    )


def fig6_data() -> FlowFigureData:
    """Fig. 6: ``N([0,0], diag[2,1])`` (44)."""
    return flow_figure_data(gaussian_44(), "(44)")


def fig7_data() -> FlowFigureData:
    """Fig. 7: ``0.5 N([-1,0], I) + 0.5 N([1,0], I)`` (45)."""
    return flow_figure_data(mixture_45(), "(45)")


def fig8_data() -> FlowFigureData:
    """Fig. 8: ``0.2 N([-1,0], I) + 0.8 N([1,0], I)`` (46)."""
    return flow_figure_data(mixture_46(), "(46)")


def fig9_data() -> FlowFigureData:
    """Fig. 9: ``0.2 N([-1,0], I) + 0.8 N([1,0], diag[2,1])`` (47)."""
    return flow_figure_data(mixture_47(), "(47)")


# --- Fig. 4 --------------------------------------------------------------------------------------


def fig4_data(times: tuple[sp.Rational, ...] = FIG4_TIMES) -> Fig4Data:
    """Fig. 4: the shallow DAE of ``mu_0 = N(0, 1)``, ``g_t(x) = x/(1 + t)`` (30), and its
    pushforward ``N(0, 1/(1 + t)^2)`` (31), as the affine image of ``mu_0`` under the derived
    map."""
    density = Gaussian(0, 1)
    dae = ShallowDAE(density)
    x = np.linspace(-4.0, 4.0, 401)
    starts = np.linspace(-2.5, 2.5, 11)
    fn = _time_map(dae.map(), dae.variables, dae.t)
    variances, densities, ends = [], [], []
    for t in times:
        a, b = affine_parts(dae.map().subs(dae.t, t), dae.variables)
        mean, cov = affine_pushforward(sp.Matrix(density.mean), sp.Matrix(density.cov), a, b)
        image = Gaussian(mean, cov)
        variances.append(float(cov[0, 0]))
        densities.append(np.exp(numerics.log_pdf(image, x[:, None])))
        ends.append(np.asarray(fn(starts[:, None], float(t)))[:, 0])
    return Fig4Data(
        x,
        np.exp(numerics.log_pdf(density, x[:, None])),
        np.array([float(t) for t in times]),
        np.array(variances),
        np.array(densities),
        starts,
        np.array(ends),
    )


# --- Fig. 10 ------------------------------------------------------------------------------------


@functools.cache
def _sigma_maps() -> tuple[CompiledMap, CompiledMap]:
    """``(t; a, b) -> (sigma_1, sigma_2)`` for ``N(0, diag(a, b))``: under the continuous DAE,
    the square roots of the diagonal of ``S - 2tI`` (37); under the shallow DAE, of the image
    covariance ``A S A^T`` of the affine map (34), i.e. (35). Derived symbolically once."""
    a, b = sp.symbols("a b", positive=True)
    density = Gaussian([0, 0], sp.diag(a, b))
    flow = ContinuousDAE(density)
    dae = ShallowDAE(density)
    lin, shift = affine_parts(dae.map(), dae.variables)
    _, shallow = affine_pushforward(sp.Matrix(density.mean), sp.Matrix(density.cov), lin, shift)
    maps = []
    for cov, t in ((flow.covariance(), flow.t), (shallow, dae.t)):
        roots = [sp.sqrt(sp.factor(cov[i, i])) for i in range(2)]
        maps.append(compile_map(roots, [t], [a, b], backend="numpy"))
    return maps[0], maps[1]


def _sigmas(fn: CompiledMap, start: np.ndarray, times: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # sqrt(-0.0) at the end of a flow line is 0
        out = np.asarray(fn(times[:, None], start[0] ** 2, start[1] ** 2))
    return np.nan_to_num(out, nan=0.0)


def _flow_lines() -> tuple[np.ndarray, ...]:
    """The ``W_2`` gradient-flow lines of ``H`` in ``(sigma_1, sigma_2)`` (the continuous DAE
    (37)), from the edges of ``[0, 6]^2``, each ending on an axis."""
    continuous_map, _ = _sigma_maps()
    u = np.linspace(0.0, 1.0, 101)
    lines = []
    edge = 6.0
    for s in (1.0, 2.0, 3.0, 4.0, 5.0):
        for point in ((edge, s), (s, edge)):
            p = np.array(point)
            end = min(p) ** 2 / 2
            lines.append(_sigmas(continuous_map, p, end * (1 - (1 - u) ** 2)))
    lines.append(_sigmas(continuous_map, np.array([edge, edge]), 18 * (1 - (1 - u) ** 2)))
    return tuple(lines)


def fig10_data(
    start: tuple[float, float] = (5.0, 4.0),
    composition_step: sp.Rational = FIG10_STEP,
    composition_time: sp.Rational = FIG10_TIME,
    shallow_time: float = 200.0,
) -> Fig10Data:
    """Fig. 10: in ``(sigma_1, sigma_2)``, the gradient flow lines of ``H`` (the continuous DAE
    (37): hyperbolas ``sigma_1^2 - sigma_2^2 = const``, ending on an axis at
    ``t = min sigma_i^2 / 2``), and from ``start`` the continuous DAE, the shallow DAE (35) for
    ``0 <= t <= shallow_time`` and the composition of DAEs of step ``composition_step`` (the
    per-eigenvalue recursion ``v -> v (v/(v + dt))^2``, :func:`iterate_variance`)."""
    continuous_map, shallow_map = _sigma_maps()
    u = np.linspace(0.0, 1.0, 101)
    lines = _flow_lines()
    p0 = np.array(start, dtype=float)
    t_end = min(p0) ** 2 / 2
    cont_times = t_end * (1 - (1 - u) ** 2)
    shallow_times = np.concatenate(
        [np.linspace(0, 10, 101), np.geomspace(10, shallow_time, 60)[1:]]
    )
    steps = int(composition_time / composition_step)
    variances = [
        iterate_variance(R(str(v)), composition_time, steps) for v in (p0[0] ** 2, p0[1] ** 2)
    ]
    comp = np.sqrt(np.array([[float(v) for v in axis] for axis in variances]).T)
    return Fig10Data(
        p0,
        lines,
        cont_times,
        _sigmas(continuous_map, p0, cont_times),
        shallow_times,
        _sigmas(shallow_map, p0, shallow_times),
        float(composition_step),
        float(composition_step) * np.arange(steps + 1),
        comp,
    )


# --- entropy against time ---------------------------------------------------------------------


def _log_det(jacobian: np.ndarray, d: int) -> np.ndarray:
    """``log det J`` for rows of flattened (row-major) ``d x d`` Jacobians, which must have
    positive determinants (each step is the gradient of a strictly convex function)."""
    sign, logdet = np.linalg.slogdet(jacobian.reshape(-1, d, d))
    if np.any(sign <= 0):
        raise ArithmeticError("a DAE Jacobian with a non-positive determinant: not injective")
    return logdet


def _shallow_entropy(
    density: Gaussian | GaussianMixture, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``H[g_t # mu_0] = H[mu_0] + E_mu_0[log det grad g_t]`` for the shallow DAE (38)."""
    mixture = _as_mixture(density)
    family = family_of(mixture)
    jacobian = family.compiled(shallow_jacobian)
    params = family.values(mixture)
    start = numerics.entropy(density)
    values, errors = [], []
    for t in times:
        if t == 0:
            values.append(start.value)
            errors.append(start.error)
            continue

        def log_det(X: np.ndarray, t: float = float(t)) -> np.ndarray:
            return _log_det(np.asarray(jacobian(X, t, *params)), mixture.dim)

        gain = numerics.expectation(density, log_det)
        values.append(start.value + gain.value)
        errors.append(start.error + gain.error)
    return np.array(values), np.array(errors)


def _composition_entropy(
    density: Gaussian | GaussianMixture, dt: sp.Rational, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """``H[g_{0:l} # mu_0] = H[mu_0] + E_mu_0[sum_{j<l} log det grad g_j(x_j)]`` for
    ``l = 0..L``, ``x_j = g_{0:j}(x)`` the particles of :meth:`MixtureComposition.particles`
    and ``g_j`` the shallow DAE (38) of stage ``j`` at noise variance ``dt``.

    The expectation is a Monte Carlo mean over ``MC_SAMPLES`` draws of ``mu_0`` (error: its
    standard error), not quadrature: as the stages collapse, the composed map of a mixture
    becomes steep across the boundary between basins (on (45), ``|d/dx log det|`` reaches
    ``1e5`` after 15 steps of 0.05), far rougher than ``mu_0``, which violates the premise of
    ``numerics.expectation``; there its nested-rule estimate reported ``2e-13`` for an actual
    error of ``6e-3``. For a Gaussian every ``log det`` is constant and the mean is exact.
    """
    mixture = _as_mixture(density)
    d = mixture.dim
    composition = MixtureComposition(mixture, dt * steps, steps)
    family = family_of(mixture)
    jacobian = family.compiled(shallow_jacobian)
    weights, means, _ = numerics.mixture_arrays(mixture)
    points = numerics.sample(density, MC_SAMPLES, seed=SEED)
    path = composition.particles(points, every=True)
    parts = [
        _log_det(
            np.asarray(jacobian(path[j], float(dt), *family.parameters(weights, means, covs))), d
        )
        for j, covs in enumerate(composition.stages()[:-1])
    ]
    cumulative = np.cumsum(np.vstack([np.zeros(MC_SAMPLES), *parts]), axis=0)
    start = numerics.entropy(density)
    spread = cumulative.std(axis=1, ddof=1) / np.sqrt(MC_SAMPLES)
    return start.value + cumulative.mean(axis=1), start.error + spread


def _entropy_panel(density: Gaussian | GaussianMixture, equation: str) -> EntropyPanel:
    flow = ContinuousDAE(density)
    blowup = float(flow.blowup_time)
    times = _time_grid(min(MIXTURE_END, 0.98 * blowup), dense_end=True)
    estimates = [numerics.entropy(flow.at(float(t))) for t in times]
    curves = [
        EntropyCurve(
            "continuous DAE",
            "continuous",
            times,
            np.array([e.value for e in estimates]),
            np.array([e.error for e in estimates]),
        )
    ]
    shallow_times = _time_grid(SHALLOW_END)
    curves.append(
        EntropyCurve(
            "shallow DAE", "shallow", shallow_times, *_shallow_entropy(density, shallow_times)
        )
    )
    for dt, steps in COMPOSITIONS:
        values, errors = _composition_entropy(density, dt, steps)
        curves.append(
            EntropyCurve(
                f"composition, Δt = {float(dt):g}",
                "composition",
                float(dt) * np.arange(steps + 1),
                values,
                errors,
                "monte carlo",
            )
        )
    return EntropyPanel(equation, blowup, tuple(curves))


def entropy_data() -> tuple[EntropyPanel, EntropyPanel]:
    """Shannon entropy against time for the Gaussian (44) and the mixture (45): continuous
    DAE (``numerics.entropy`` of (37) / (42), quadrature), shallow DAE (``H[mu_0] + E log det``
    by quadrature: the map (38) at noise ``t`` varies on the scale of ``nu_t * mu_0``, no
    faster than ``mu_0``) and the compositions (the same by Monte Carlo)."""
    return _entropy_panel(gaussian_44(), "(44)"), _entropy_panel(mixture_45(), "(45)")


# --- trained networks: Fig. 4 and Fig. 10 (right) ------------------------------------------------
#
# [J] gives no architecture, sample size or optimiser for its trained networks (notes §4); these
# figures train ``symtransport._random.denoisers`` networks (scikit-learn, the ``[learn]``
# extra, imported only when a network is trained) from fixed seeds, so they are reproducible on
# a CPU. Fresh draws (seed ``seed + FRESH_SEED_OFFSET``, never a training seed for seeds below
# the offset) are pushed through the trained maps, so the figures show the pushforward of
# ``mu_0``, not of the training set.

FRESH_SEED_OFFSET = 1000
FIG4_TRAINED_SAMPLES = 2000  # n: training draws of N(0, 1)
FIG4_TRAINED_SEED = 0  # of the training draws and of the networks
FIG4_PUSHED_SAMPLES = 20_000  # fresh draws pushed through each trained map
FIG4_BINS = np.linspace(-4.0, 4.0, 65)  # histogram bins of the trained pushforward
FIG10_TRAINED_SAMPLES = 2000  # n: training draws of N(0, diag(25, 16)) per trial
FIG10_TRAINED_TRIALS = 10  # trials, seeds 0, 1, ...
FIG10_TRAINED_TIME = R(6)  # total noise variance T of each trained composition
FIG10_TRAINED_LAYERS = 12  # L layers, each of noise variance T/L = 1/2
FIG10_PUSHED_SAMPLES = 10_000  # fresh draws pushed through each trained composition


@dataclass(frozen=True)
class Fig4TrainedData:
    """Fig. 4 with trained networks: for each noise variance ``times[i]``, a DAE trained by
    ``train_dae`` on ``samples`` draws of ``N(0, 1)`` (seed ``seed``) beside the exact
    minimiser (30)-(31) (``exact``, the :class:`Fig4Data` of :func:`fig4_data`).

    ``histograms[i]``: the density histogram (bins ``bin_edges``) of the trained map applied
    to ``pushed`` fresh draws of ``N(0, 1)``; ``variances[i]``: their sample variance, with
    standard error ``variance_errors[i]`` (of the evaluation draws only, not of the training);
    ``map_errors[i]``: the root-mean-square distance of the trained map to ``x/(1 + t)`` over
    the same draws (the ``L2(mu_0)`` error); ``ends[i]``: arrow heads ``dae(x_j)`` for the tails
    ``exact.starts``; ``converged[i]``: whether the optimiser reported convergence.
    """

    exact: Fig4Data
    samples: int
    seed: int
    pushed: int
    bin_edges: np.ndarray
    histograms: np.ndarray
    variances: np.ndarray
    variance_errors: np.ndarray
    map_errors: np.ndarray
    ends: np.ndarray
    converged: np.ndarray


@dataclass(frozen=True)
class Fig10TrainedData:
    """Fig. 10 (right): compositions of DAEs trained as networks, in the plane
    ``(sigma_1, sigma_2)`` of (48).

    Each trial ``k`` (seed ``seeds[k]``) trains ``train_composition`` on ``samples`` draws of
    ``N(0, diag(start^2))`` with total noise variance ``times[-1]`` over ``layers`` layers of
    step ``step``; ``trials[k, l]`` are the square roots of the per-coordinate sample variances
    of ``pushed`` fresh draws after ``l`` layers. Beside them, at the same ``times``:
    ``composition``, the exact composition (the per-eigenvalue recursion
    ``v -> v (v/(v + dt))^2`` (35), :func:`iterate_variance`), and ``continuous``, the
    continuous DAE (37) ``sigma_i^2 = sigma_i^2(0) - 2t``; its whole curve up to the axis is
    ``continuous_curve`` (at ``continuous_times``), and ``flow_lines`` are the ``W_2`` gradient
    flow lines of :func:`fig10_data`. ``converged[k, l]``: whether layer ``l`` of trial ``k``
    reported convergence.
    """

    start: np.ndarray
    flow_lines: tuple[np.ndarray, ...]
    continuous_times: np.ndarray
    continuous_curve: np.ndarray
    samples: int
    pushed: int
    layers: int
    step: float
    times: np.ndarray
    continuous: np.ndarray
    composition: np.ndarray
    seeds: np.ndarray
    trials: np.ndarray
    converged: np.ndarray


def _variance_error(values: np.ndarray) -> float:
    """The standard error of the sample variance of ``values`` (one column), from the sample
    fourth central moment: ``sqrt((m4 - s^4)/m)``."""
    centred = values - values.mean()
    m2 = np.mean(centred**2)
    m4 = np.mean(centred**4)
    return float(np.sqrt(max(m4 - m2**2, 0.0) / len(values)))


def fig4_trained_data(
    times: tuple[sp.Rational, ...] = FIG4_TIMES,
    samples: int = FIG4_TRAINED_SAMPLES,
    seed: int = FIG4_TRAINED_SEED,
    pushed: int = FIG4_PUSHED_SAMPLES,
    **options: Any,
) -> Fig4TrainedData:
    """Fig. 4 as in [J]: a DAE trained on ``samples`` draws of ``mu_0 = N(0, 1)`` for each noise
    variance of ``times``, its pushforward of ``pushed`` fresh draws (a histogram and its
    variance) beside the exact ``N(0, 1/(1 + t)^2)`` (31), and arrows ``x -> dae(x)`` beside
    ``x -> x/(1 + t)`` (30). ``options`` go to ``train_dae`` (``hidden``, ``alpha``, ...)."""
    exact = fig4_data(times)
    density = Gaussian(0, 1)
    shallow = ShallowDAE(density)
    exact_map = _time_map(shallow.map(), shallow.variables, shallow.t)
    training = numerics.sample(density, samples, seed=seed)
    fresh = numerics.sample(density, pushed, seed=seed + FRESH_SEED_OFFSET)
    histograms, variances, errors, map_errors, ends, converged = [], [], [], [], [], []
    for t in exact.times:
        dae = train_dae(training, float(t), seed=seed, **options)
        image = np.asarray(dae(fresh))[:, 0]
        target = np.asarray(exact_map(fresh, float(t)))[:, 0]
        histograms.append(np.histogram(image, bins=FIG4_BINS, density=True)[0])
        variances.append(float(np.var(image, ddof=1)))
        errors.append(_variance_error(image))
        map_errors.append(float(np.sqrt(np.mean((image - target) ** 2))))
        ends.append(np.asarray(dae(exact.starts[:, None]))[:, 0])
        converged.append(dae.converged)
    return Fig4TrainedData(
        exact,
        samples,
        seed,
        pushed,
        FIG4_BINS.copy(),
        np.array(histograms),
        np.array(variances),
        np.array(errors),
        np.array(map_errors),
        np.array(ends),
        np.array(converged),
    )


def _sample_sigmas(points: np.ndarray) -> np.ndarray:
    """Square roots of the per-coordinate sample variances."""
    return np.sqrt(np.var(np.asarray(points, dtype=float), axis=0, ddof=1))


def fig10_trained_data(
    start: tuple[float, float] = (5.0, 4.0),
    samples: int = FIG10_TRAINED_SAMPLES,
    trials: int = FIG10_TRAINED_TRIALS,
    total_time: sp.Rational = FIG10_TRAINED_TIME,
    layers: int = FIG10_TRAINED_LAYERS,
    pushed: int = FIG10_PUSHED_SAMPLES,
    **options: Any,
) -> Fig10TrainedData:
    """Fig. 10 (right): ``trials`` compositions of ``layers`` DAEs trained as networks
    (``train_composition``, seeds ``0 .. trials - 1``, each on its own ``samples`` draws of
    ``N(0, diag(start^2))``), as trajectories of the sample ``(sigma_1, sigma_2)`` of fresh
    draws, beside the exact composition (35) and the continuous DAE (37) at the layers' times,
    in the plane of :func:`fig10_data`. ``options`` go to ``train_composition``."""
    total = sp.nsimplify(total_time)
    if not isinstance(total, sp.Rational) or total <= 0 or int(layers) < 1:
        raise InvalidArgument(
            f"total_time={total_time!r} must be a positive rational and layers={layers!r} >= 1"
        )
    p0 = np.array(start, dtype=float)
    exact_variances = [R(str(v)) for v in p0**2]
    density = Gaussian([0, 0], sp.diag(*exact_variances))
    step = total / layers
    times = float(step) * np.arange(layers + 1)
    composition = np.sqrt(
        np.array(
            [[float(v) for v in iterate_variance(v0, total, layers)] for v0 in exact_variances]
        ).T
    )
    continuous_map, _ = _sigma_maps()
    u = np.linspace(0.0, 1.0, 101)
    continuous_times = min(p0) ** 2 / 2 * (1 - (1 - u) ** 2)
    paths, converged = [], []
    for seed in range(trials):
        training = numerics.sample(density, samples, seed=seed)
        fresh = numerics.sample(density, pushed, seed=seed + FRESH_SEED_OFFSET)
        trained = train_composition(training, total, layers, seed=seed, **options)
        paths.append([_sample_sigmas(stage) for stage in trained.stages(fresh)])
        converged.append([g.converged for g in trained.layers])
    return Fig10TrainedData(
        p0,
        _flow_lines(),
        continuous_times,
        _sigmas(continuous_map, p0, continuous_times),
        samples,
        pushed,
        layers,
        float(step),
        times,
        _sigmas(continuous_map, p0, times),
        composition,
        np.arange(trials),
        np.array(paths).reshape(trials, layers + 1, 2),
        np.array(converged, dtype=bool).reshape(trials, layers),
    )


# --- convergence of trained and empirical-Bayes denoisers -----------------------------------------

ESTIMATORS = ("network", "empirical Bayes")
#: The default measurement of the convergence plot (:func:`convergence_measurement`).
CONVERGENCE_TIME = R(1, 2)
CONVERGENCE_SIZES = (100, 316, 1000, 3162, 10000)
CONVERGENCE_REPLICATES = 2  # training seeds a size
CONVERGENCE_SAMPLES = SWEEP_SAMPLES  # evaluation draws of compare_map for a network


@dataclass(frozen=True)
class ConvergencePoint:
    """One measurement: the relative ``L2`` error ``relative`` to the exact map of a denoiser
    (``estimator``: ``"network"`` or ``"empirical Bayes"``) fitted on ``n`` draws in dimension
    ``dimension`` with seed ``seed``."""

    n: int
    relative: float
    estimator: str
    dimension: int
    seed: int


@dataclass(frozen=True)
class ConvergenceSeries:
    """The points of one ``(estimator, dimension)`` and the least-squares line
    ``log relative = intercept + slope log n`` through them (``slope_error``: the slope's
    standard error, NaN with fewer than three points). ``given_slope``: whether ``slope`` was
    given by the caller (the intercept then fitted with that slope)."""

    estimator: str
    dimension: int
    n: np.ndarray
    relative: np.ndarray
    seeds: np.ndarray
    slope: float
    intercept: float
    slope_error: float
    given_slope: bool = False

    def fitted(self, n: np.ndarray) -> np.ndarray:
        """The fitted line at ``n``."""
        return np.exp(self.intercept + self.slope * np.log(np.asarray(n, dtype=float)))


@dataclass(frozen=True)
class ConvergenceData:
    """The convergence plot: the ``series`` and reference lines over ``n_grid``:
    ``parametric`` ``~ n^(-1/2)`` and, per dimension ``d`` of ``minimax`` (pairs
    ``(d, values)``), ``~ n^(-1/(d + 4))``, the square root of the minimax rate
    ``n^(-2/(d + 4))`` of score estimation (Wibisono, Wu & Yang, COLT 2024) for an ``L2`` (not
    squared) error. Each reference line passes through the geometric mean of the errors
    measured at the smallest ``n`` (of its dimension, for ``minimax``)."""

    series: tuple[ConvergenceSeries, ...]
    n_grid: np.ndarray
    parametric: np.ndarray
    minimax: tuple[tuple[int, np.ndarray], ...]


_POINT_FIELDS = ("n", "relative", "estimator", "dimension", "seed")


def _convergence_point(record: object) -> ConvergencePoint:
    try:
        if isinstance(record, ConvergencePoint):
            point = record
        elif isinstance(record, dict):
            point = ConvergencePoint(**record)
        elif isinstance(record, tuple | list):
            point = ConvergencePoint(*record)
        else:
            point = ConvergencePoint(*(getattr(record, f) for f in _POINT_FIELDS))
        n, relative = point.n, float(point.relative)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidArgument(
            f"{record!r} is not a convergence point {_POINT_FIELDS} ({exc}); a claim's rows "
            "convert with points_from_rows"
        ) from exc
    if int(n) != n or n < 1 or not np.isfinite(relative) or relative <= 0:
        raise InvalidArgument(
            f"{record!r}: n must be a positive integer and the relative error positive and finite"
        )
    return ConvergencePoint(
        int(n), relative, str(point.estimator), int(point.dimension), int(point.seed)
    )


def points_from_rows(rows: object, dimension: int) -> list[ConvergencePoint]:
    """Convergence points from rows ``{"n", "seed", "network", "empirical_bayes", ...}`` (one
    per sample size and seed, both estimators' relative errors; extra keys ignored) measured
    in ``dimension``: two points a row."""
    return [
        ConvergencePoint(int(row["n"]), float(row[key]), estimator, dimension, int(row["seed"]))
        for row in rows  # type: ignore[attr-defined]
        for key, estimator in (("network", "network"), ("empirical_bayes", "empirical Bayes"))
    ]


def convergence_data(
    points: object, slopes: dict[tuple[str, int], float] | None = None
) -> ConvergenceData:
    """The convergence plot from measured ``points``: records ``(n, relative error, estimator,
    dimension, seed)`` (:class:`ConvergencePoint`, tuples, dicts or objects with those
    attributes). Per ``(estimator, dimension)``, in order of appearance, a least-squares line in
    log-log; a slope given in ``slopes`` for that key (e.g. the one a claim fitted) replaces
    the fitted one, and the intercept is then fitted with it. Nothing is measured here."""
    records = [_convergence_point(r) for r in points]  # type: ignore[attr-defined]
    if not records:
        raise InvalidArgument("points is empty: give measured convergence points")
    groups: dict[tuple[str, int], list[ConvergencePoint]] = {}
    for r in records:
        groups.setdefault((r.estimator, r.dimension), []).append(r)
    series = []
    for (estimator, dimension), group in groups.items():
        n = np.array([r.n for r in group], dtype=float)
        err = np.array([r.relative for r in group])
        fit = loglog_slope(n.tolist(), err.tolist())
        slope, intercept, slope_error = fit.slope, fit.intercept, fit.stderr
        given = slopes is not None and (estimator, dimension) in slopes
        if given:
            slope = float(slopes[(estimator, dimension)])  # type: ignore[index]
            intercept = float(np.mean(np.log(err) - slope * np.log(n)))
        series.append(
            ConvergenceSeries(
                estimator,
                dimension,
                n.astype(int),
                err,
                np.array([r.seed for r in group]),
                slope,
                intercept,
                slope_error,
                given,
            )
        )
    sizes = np.array([r.n for r in records], dtype=float)
    n_grid = np.geomspace(sizes.min(), sizes.max(), 50)

    def anchored(selected: list[ConvergencePoint], exponent: float) -> np.ndarray:
        low = min(r.n for r in selected)
        level = np.exp(np.mean([np.log(r.relative) for r in selected if r.n == low]))
        return level * (n_grid / low) ** exponent

    dimensions = sorted({r.dimension for r in records})
    minimax = tuple(
        (d, anchored([r for r in records if r.dimension == d], -1.0 / (d + 4))) for d in dimensions
    )
    return ConvergenceData(tuple(series), n_grid, anchored(records, -0.5), minimax)


def convergence_measurement(
    dimension: int = 1,
    t: sp.Rational = CONVERGENCE_TIME,
    sizes: tuple[int, ...] = CONVERGENCE_SIZES,
    replicates: int = CONVERGENCE_REPLICATES,
    seed: int = 0,
) -> list[ConvergencePoint]:
    """A small default measurement for the convergence plot: the sweep of
    :func:`~symtransport.numerics.convergence_sweep` (trained DAEs and the empirical-Bayes
    denoiser of the same samples against the exact map, ``replicates`` training seeds a size)
    on the fixed mixture of ``dimension``, at noise variance ``t``, as points."""
    rows = convergence_sweep(fixed_mixture(dimension), float(t), sizes, replicates, seed)
    return points_from_rows(rows, dimension)


# --- one-step denoisers: W2 error against the noise variance ------------------------------------

#: The one-step plot: ``fixed_mixture(1)`` (smallest component variance 1/2), noise variances
#: ``s = 2^-1 .. 2^-9``, and the schemes of :mod:`symtransport._random.one_step`.
ONE_STEP_NOISES = tuple(R(1, 2**k) for k in range(1, 10))
ONE_STEP_SCHEMES = (FULL, HALF, HEUN, Scheme("euler", 4))
#: the order of each scheme's W2 error in ``s`` (notes §1; claim ``one-step-gaussian-orders``)
ONE_STEP_ORDERS = {"full": 1, "half": 2, "heun": 3, "euler-4": 2}
#: slopes are fitted over the smallest five noises, ``s <= lambda_min/16`` as in the claim
#: ``one-step-mixture-orders`` (the larger ones show the pre-asymptotic bend)
ONE_STEP_FITTED = 5


@dataclass(frozen=True)
class OneStepOrdersData:
    """The one-step plot: ``W2(T # u, mu_0)`` for ``u = mu_0 * N(0, s)`` at the noise
    variances ``noises`` (shape ``(n,)``), one row of ``errors`` (and of their quadrature
    ``bounds``) per scheme of ``names``; ``slopes``: the log-log line of each fitted over the
    smallest ``fitted`` noises (whose range is ``fit_range``); the
    reference line of slope ``orders[i]`` passes through scheme ``i``'s error at the smallest
    ``s`` (``references``, same shape as ``errors``)."""

    noises: np.ndarray
    names: tuple[str, ...]
    errors: np.ndarray
    bounds: np.ndarray
    slopes: tuple[Slope, ...]
    fit_range: tuple[float, float]
    orders: tuple[int, ...]
    references: np.ndarray


def one_step_orders_data(
    mixture: Gaussian | GaussianMixture | None = None,
    noises: tuple[sp.Rational, ...] = ONE_STEP_NOISES,
    schemes: tuple[Scheme, ...] = ONE_STEP_SCHEMES,
) -> OneStepOrdersData:
    """The W2 errors of the one-step denoisers on ``mixture`` (default ``fixed_mixture(1)``)
    by :func:`~symtransport._random.one_step.one_step_errors`, as the claims measure them."""
    density = fixed_mixture(1) if mixture is None else mixture
    found = one_step_errors(density, noises, schemes)
    names = tuple(found)
    s = np.array([float(v) for v in noises])
    errors = np.array([[e.value for e in found[n]] for n in names])
    bounds = np.array([[e.error for e in found[n]] for n in names])
    orders = tuple(ONE_STEP_ORDERS[n] for n in names)
    smallest = int(np.argmin(s))
    references = np.array(
        [row[smallest] * (s / s[smallest]) ** p for row, p in zip(errors, orders, strict=True)]
    )
    fitted = np.argsort(s)[:ONE_STEP_FITTED]
    slopes = tuple(loglog_slope(s[fitted].tolist(), row[fitted].tolist()) for row in errors)
    fit_range = (float(s[fitted].min()), float(s[fitted].max()))
    return OneStepOrdersData(s, names, errors, bounds, slopes, fit_range, orders, references)
