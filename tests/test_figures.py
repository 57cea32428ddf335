"""symtransport._reports.figures and symtransport._reports.figuredata: the numbers behind each
figure against independent closed forms typed here (mpmath where precision matters), and the files
written.

Facts used as references, with why they hold:

* (44) ``N(0, diag(2, 1))``: continuous flow (36) ``(x sqrt(1 - t), y sqrt(1 - 2t))``; shallow
  map (34) ``(x/(1 + t/2), y/(1 + t))``; a composition step of noise ``dt`` multiplies each axis
  by ``a = v/(v + dt)`` and maps the variance ``v -> v a^2`` (35).
* Mixtures (45)-(47): every component has y-variance 1 and mean on the x-axis, so the
  y-factor ``N(y; 0, 1 - 2t)`` is common to all components of (42): it cancels from the
  responsibilities (43), which depend on ``x`` only, and the y-velocity is ``-y/(1 - 2t)``.
  Hence ``y(t) = y0 sqrt(1 - 2t)`` and ``x(t)`` follows a 1-D flow, whose map is increasing, so
  it is the monotone rearrangement ``x(t) = F_t^-1(F_0(x0))`` with ``F_t`` the CDF of the
  x-marginal of (42).
* (45) with isotropic components ``N(+-1, v I)`` and noise ``dt``: (38) is
  ``x -> (v x + dt tanh(x/(v + dt)))/(v + dt)``, ``y -> v y/(v + dt)`` (the responsibilities
  of two equal-weight components at ``+-1`` with variance ``v + dt`` give
  ``E[m] = tanh(x/(v + dt))``).
"""

import functools
import importlib.util
import math
import struct
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import stats
from tolerances import (
    DOP853_MIXTURE_NEAR_BLOWUP,
    FLOAT64_FEW_OPS,
    FLOAT64_MANY_OPS,
    FLOAT64_QUAD_ENTROPY,
    LEARN_COMPOSITION_LAYER_2000,
    LEARN_DAE_L2_MU0_2000,
    LEARN_PUSHFORWARD_VARIANCE_2000,
    MC_LOG_JACOBIAN_ERROR,
    MC_SIGMAS,
    ONE_STEP_GAUSSIAN_W2,
    ONE_STEP_ORDER_TOL,
)

from symtransport import Gaussian
from symtransport._reports import figuredata as fd
from symtransport._reports.figures import FIGURES, NEEDS_LEARN, select, write_figures
from symtransport._theory.instances import mixture_45, mixture_46, mixture_47
from symtransport.errors import InvalidArgument, UnsupportedError

MIXTURES = {
    "(45)": ([0.5, 0.5], [-1.0, 1.0], [1.0, 1.0]),
    "(46)": ([0.2, 0.8], [-1.0, 1.0], [1.0, 1.0]),
    "(47)": ([0.2, 0.8], [-1.0, 1.0], [1.0, 2.0]),
}  # weights, x-means, x-variances (the y-variances are all 1, the y-means 0)
FLOW_DATA = {"(45)": fd.fig7_data, "(46)": fd.fig8_data, "(47)": fd.fig9_data}
DENSITIES = {"(45)": mixture_45, "(46)": mixture_46, "(47)": mixture_47}


@pytest.fixture(scope="module")
def fig6():
    return fd.fig6_data()


@pytest.fixture(scope="module")
def entropy():
    return fd.entropy_data()


def starts(panel):
    return np.concatenate([panel.grid[0], panel.samples[0]])


def path(panel):
    return np.concatenate([panel.grid, panel.samples], axis=1)


# --- Fig. 6 ---------------------------------------------------------------------------------


def test_fig6_panels_and_markers(fig6):
    kinds = [p.kind for p in fig6.panels]
    assert kinds == ["continuous", "shallow", "composition", "composition"]
    for panel in fig6.panels:
        assert panel.times[0] == 0
        assert panel.grid.shape[1] == fd.GRID_SIZE**2
        assert panel.samples.shape[1] == fd.SAMPLES
        np.testing.assert_allclose(np.ptp(panel.grid[0], axis=0), 2 * fd.GRID_EXTENT)
    marked = fig6.panels[0].times[fig6.panels[0].marks]
    np.testing.assert_allclose(marked, [0.2, 0.4], atol=FLOAT64_FEW_OPS)
    assert fig6.blowup_time == 0.5


def test_fig6_continuous_is_the_closed_form_36_up_to_blowup(fig6):
    panel = fig6.panels[0]
    x0 = starts(panel)
    assert panel.times[-1] == 0.5  # t* = lambda_min / 2 included
    for t, points in zip(panel.times, path(panel), strict=True):
        expected = x0 * np.sqrt([1 - 2 * t / 2, 1 - 2 * t])
        np.testing.assert_allclose(points, expected, rtol=0, atol=FLOAT64_FEW_OPS)
    # at t* the mass sits on the x-axis with x scaled by sqrt(1 - 2 t*/2)
    np.testing.assert_allclose(path(panel)[-1][:, 1], 0.0, atol=FLOAT64_FEW_OPS)
    np.testing.assert_allclose(path(panel)[-1][:, 0], x0[:, 0] / math.sqrt(2), atol=FLOAT64_FEW_OPS)
    np.testing.assert_allclose(fig6.attractor[:, 1], 0.0, atol=FLOAT64_FEW_OPS)


def test_fig6_shallow_is_34_and_never_singular(fig6):
    panel = fig6.panels[1]
    x0 = starts(panel)
    for t, points in zip(panel.times, path(panel), strict=True):
        expected = x0 / np.array([1 + t / 2, 1 + t])
        np.testing.assert_allclose(points, expected, rtol=0, atol=FLOAT64_FEW_OPS)
    off_axis = np.abs(x0[:, 1]) > 0
    ratio = np.abs(path(panel)[-1][off_axis, 1] / x0[off_axis, 1])
    horizon = panel.times[-1]
    np.testing.assert_allclose(ratio, 1 / (1 + horizon), rtol=FLOAT64_FEW_OPS)  # > 0: not singular


def exact_gaussian_composition(x0, variances, dt, steps):
    """Particles and variances of the composition, per axis: ``x -> a x``, ``v -> v a^2``."""
    v = np.array(variances, dtype=float)
    x = np.array(x0, dtype=float)
    out, vs = [x.copy()], [v.copy()]
    for _ in range(steps):
        a = v / (v + dt)
        x, v = x * a, v * a**2
        out.append(x.copy())
        vs.append(v.copy())
    return np.stack(out), np.array(vs)


def test_fig6_compositions_follow_the_exact_recursion(fig6):
    for panel, (dt, steps) in zip(fig6.panels[2:], fd.COMPOSITIONS, strict=True):
        assert panel.step == float(dt)
        np.testing.assert_allclose(
            panel.times, float(dt) * np.arange(steps + 1), atol=FLOAT64_FEW_OPS
        )
        expected, _ = exact_gaussian_composition(starts(panel), [2, 1], float(dt), steps)
        np.testing.assert_allclose(path(panel), expected, rtol=0, atol=FLOAT64_MANY_OPS)


def test_fig6_finer_composition_is_closer_to_the_continuous_dae(fig6):
    continuous, _, fine, coarse = fig6.panels
    x0 = starts(continuous)
    at_half = x0 * np.array([math.sqrt(1 - 0.5), 0.0])  # (36) at t = 1/2
    assert continuous.times[-1] == 0.5
    np.testing.assert_allclose(path(continuous)[-1], at_half, atol=FLOAT64_FEW_OPS)

    def at_time_half(panel):
        (index,) = np.flatnonzero(np.isclose(panel.times, 0.5))
        return path(panel)[index]

    def distance(panel):
        return np.sqrt(np.mean(np.sum((at_time_half(panel) - at_half) ** 2, axis=1)))

    assert distance(fine) < distance(coarse)
    # at t = 1/2 the continuous DAE has collapsed onto the x-axis; the compositions have not
    # (no finite-time collapse, notes §3.2), and the finer one is nearer to it
    off_axis = x0[:, 1] != 0
    y_fine = np.abs(at_time_half(fine)[off_axis, 1])
    y_coarse = np.abs(at_time_half(coarse)[off_axis, 1])
    assert np.all(y_fine > 0) and np.all(y_fine < y_coarse)


# --- Fig. 4 ---------------------------------------------------------------------------------


def test_fig4_variances_densities_and_arrows():
    d = fd.fig4_data()
    np.testing.assert_allclose(d.times, [0.5, 1.0])
    np.testing.assert_allclose(d.variances, [1 / 1.5**2, 0.25], rtol=FLOAT64_FEW_OPS)
    np.testing.assert_allclose(d.data_density, np.exp(-(d.x**2) / 2) / math.sqrt(2 * math.pi))
    for i, t in enumerate(d.times):
        v = 1 / (1 + t) ** 2  # (31)
        pdf = np.exp(-(d.x**2) / (2 * v)) / math.sqrt(2 * math.pi * v)
        np.testing.assert_allclose(d.densities[i], pdf, rtol=FLOAT64_FEW_OPS, atol=1e-300)
        np.testing.assert_allclose(d.ends[i], d.starts / (1 + t), atol=FLOAT64_FEW_OPS)  # (30)
    assert d.densities[1].max() > d.densities[0].max() > d.data_density.max()


# --- Figs. 7-9 -------------------------------------------------------------------------------


def x_marginal_cdf(key, t):
    """The CDF of the x-marginal of (42) at time t, in mpmath."""
    weights, means, variances = MIXTURES[key]

    def cdf(x):
        return sum(
            w * mpmath.ncdf((x - m) / mpmath.sqrt(s - 2 * t))
            for w, m, s in zip(weights, means, variances, strict=True)
        )

    return cdf


@pytest.mark.parametrize("key", list(MIXTURES))
def test_mixture_continuous_dae_against_the_monotone_rearrangement(key):
    figure = FLOW_DATA[key]()
    panel = figure.panels[0]
    assert figure.blowup_time == 0.5
    assert 0.48 < panel.times[-1] < 0.5  # integrated to just below t*
    x0 = starts(panel)
    got = path(panel)
    # y(t) = y0 sqrt(1 - 2t) (module docstring)
    for t, points in zip(panel.times, got, strict=True):
        np.testing.assert_allclose(
            points[:, 1], x0[:, 1] * math.sqrt(1 - 2 * t), atol=DOP853_MIXTURE_NEAR_BLOWUP
        )
    # x(t) = F_t^-1(F_0(x0)) at two times, for the sampled particles
    n = panel.grid.shape[1]
    with mpmath.workdps(30):
        f0 = x_marginal_cdf(key, 0)
        for index in (int(np.argmin(np.abs(panel.times - 0.2))), len(panel.times) - 1):
            t = float(panel.times[index])
            ft = x_marginal_cdf(key, mpmath.mpf(t))
            for start, end in zip(x0[n:, 0], got[index, n:, 0], strict=True):
                target = f0(mpmath.mpf(start))
                exact = mpmath.findroot(lambda x, ft=ft, target=target: ft(x) - target, end)
                assert abs(float(exact) - end) < DOP853_MIXTURE_NEAR_BLOWUP


def test_mixture_45_clusters_keep_their_side():
    panel = fd.fig7_data().panels[0]
    x0, final = starts(panel), path(panel)[-1]
    moved = x0[:, 0] != 0
    assert np.all(np.sign(path(panel)[:, moved, 0]) == np.sign(x0[moved, 0]))
    # near t* the mass gathers at +-1 (the components' means), y -> 0
    samples = panel.samples[-1]
    assert np.max(np.abs(np.abs(samples[:, 0]) - 1)) < 0.5
    assert (
        np.max(np.abs(final[:, 1]))
        < 3 * math.sqrt(1 - 2 * panel.times[-1]) + DOP853_MIXTURE_NEAR_BLOWUP
    )


def reference_shallow_38(key, x, t):
    """(38) for a mixture with diagonal covariances, in mpmath: the responsibilities of
    ``N(m_k, S_k + tI)`` times ``S_k (S_k + tI)^-1 x + t (S_k + tI)^-1 m_k`` per axis."""
    weights, means, variances = MIXTURES[key]
    parts = []
    for w, m, s in zip(weights, means, variances, strict=True):
        sx, sy = mpmath.mpf(s) + t, mpmath.mpf(1) + t
        log_w = (
            mpmath.log(w)
            - (x[0] - m) ** 2 / (2 * sx)
            - x[1] ** 2 / (2 * sy)
            - mpmath.log(sx * sy) / 2
        )
        image = ((s * x[0] + t * m) / sx, x[1] / sy)
        parts.append((log_w, image))
    top = max(p[0] for p in parts)
    gammas = [mpmath.exp(p[0] - top) for p in parts]
    total = sum(gammas)
    return [
        float(sum(g * p[1][i] for g, p in zip(gammas, parts, strict=True)) / total) for i in (0, 1)
    ]


@pytest.mark.parametrize("key", list(MIXTURES))
def test_mixture_shallow_dae_is_38(key):
    panel = FLOW_DATA[key]().panels[1]
    x0 = panel.samples[0]
    with mpmath.workdps(30):
        for t in (0.2, 1.0, 2.0):
            (index,) = np.flatnonzero(np.isclose(panel.times, t))
            for start, got in zip(x0, panel.samples[index], strict=True):
                expected = reference_shallow_38(key, [mpmath.mpf(v) for v in start], mpmath.mpf(t))
                np.testing.assert_allclose(got, expected, rtol=0, atol=FLOAT64_FEW_OPS)


@pytest.mark.parametrize("key", list(MIXTURES))
def test_mixture_shallow_dae_heads_to_the_data_mean_not_the_origin(key):
    density = DENSITIES[key]()
    grid, samples = fd.starting_points(density)
    t = 1e4
    panel = fd.shallow_panel(density, grid, samples, times=np.array([0.0, t]))
    mean = np.array([0.0, 0.0]) if key == "(45)" else np.array([0.6, 0.0])
    final = path(panel)[-1]
    # g_t(x) - E[x] ~ Cov (x - E[x]) / t: ||Cov|| < 2.5 and |x - E[x]| < 5 on the grid, so
    # 20/t bounds it with room for the O(1/t^2) terms
    assert np.max(np.linalg.norm(final - mean, axis=1)) < 20 / t
    if key != "(45)":
        assert np.min(np.linalg.norm(final, axis=1)) > 0.59


def test_mixture_45_compositions_follow_the_exact_1d_recursion():
    figure = fd.fig7_data()
    for panel, (dt, steps) in zip(figure.panels[2:], fd.COMPOSITIONS, strict=True):
        h = float(dt)
        points = starts(panel)
        x, y, v = points[:, 0].copy(), points[:, 1].copy(), 1.0
        for level in range(1, steps + 1):
            x = (v * x + h * np.tanh(x / (v + h))) / (v + h)
            y = v * y / (v + h)
            v = v * (v / (v + h)) ** 2
            np.testing.assert_allclose(
                path(panel)[level], np.column_stack([x, y]), atol=FLOAT64_MANY_OPS
            )


# --- Fig. 10 -------------------------------------------------------------------------------


def test_fig10_flow_lines_shallow_curve_and_composition():
    d = fd.fig10_data()
    for line in d.flow_lines:
        c = line[:, 0] ** 2 - line[:, 1] ** 2
        np.testing.assert_allclose(c, c[0], atol=FLOAT64_FEW_OPS * 100)  # squares of numbers <= 6
        assert min(line[-1]) < 1e-6  # each ends on an axis (sqrt of the remaining time)
    # the continuous DAE from (5, 4): sigma_i^2 = sigma_i^2(0) - 2t, (3, 0) at t = 8
    np.testing.assert_allclose(d.start, [5, 4])
    assert d.continuous_times[-1] == 8
    np.testing.assert_allclose(d.continuous[-1], [3, 0], atol=FLOAT64_FEW_OPS)
    expected = np.sqrt(np.maximum([25, 16] - 2 * d.continuous_times[:, None], 0))
    np.testing.assert_allclose(d.continuous, expected, atol=1e-6)  # sqrt near 0 amplifies
    # the shallow curve (35): sigma_i / (1 + t / sigma_i^2), which leaves the flow line
    s = np.array([5.0, 4.0])
    expected = s / (1 + d.shallow_times[:, None] / s**2)
    np.testing.assert_allclose(d.shallow, expected, rtol=FLOAT64_FEW_OPS)
    gap = d.shallow[:, 0] ** 2 - d.shallow[:, 1] ** 2
    assert np.max(np.abs(gap - 9)) > 1
    # the composition: the per-eigenvalue variance recursion, at 40 digits
    steps = len(d.composition_times) - 1
    with mpmath.workdps(40):
        for axis, v0 in enumerate((25, 16)):
            v, dt = mpmath.mpf(v0), mpmath.mpf(d.composition_step)
            for level in range(steps + 1):
                assert (
                    abs(d.composition[level, axis] - float(mpmath.sqrt(v))) < FLOAT64_FEW_OPS * 10
                )
                v = v * (v / (v + dt)) ** 2


# --- entropy against time -----------------------------------------------------------------------


def gaussian_entropy(variances):
    return 0.5 * sum(math.log(2 * math.pi * math.e * v) for v in variances)


def test_gaussian_entropy_curves_are_the_closed_forms(entropy):
    panel = entropy[0]
    continuous, shallow, *compositions = panel.curves
    for t, value in zip(continuous.times, continuous.values, strict=True):
        assert abs(value - gaussian_entropy([2 - 2 * t, 1 - 2 * t])) < FLOAT64_QUAD_ENTROPY
    for t, value in zip(shallow.times, shallow.values, strict=True):
        assert (
            abs(value - gaussian_entropy([2 / (1 + t / 2) ** 2, 1 / (1 + t) ** 2]))
            < FLOAT64_QUAD_ENTROPY
        )
    for curve, (dt, steps) in zip(compositions, fd.COMPOSITIONS, strict=True):
        _, variances = exact_gaussian_composition([[0, 0]], [2, 1], float(dt), steps)
        expected = [gaussian_entropy(v) for v in variances]
        np.testing.assert_allclose(curve.values, expected, rtol=0, atol=FLOAT64_QUAD_ENTROPY)


def mixture_45_density(x, v=1):
    return (mpmath.npdf(x, -1, mpmath.sqrt(v)) + mpmath.npdf(x, 1, mpmath.sqrt(v))) / 2


def mixture_45_x_entropy(v=1):
    def integrand(x):
        p = mixture_45_density(x, v)
        return -p * mpmath.log(p) if p > 0 else 0

    s = 12 * mpmath.sqrt(v)
    return mpmath.quad(integrand, [-1 - s, -1, 0, 1, 1 + s])


def composed_log_jacobian(x, v, dt, steps):
    """``sum_l log g_l'(x_l)`` of the 1-D recursion (module docstring), with the y-axis factor
    ``log(v/(v + dt))`` of each step; the stage variance follows (35)."""
    total = mpmath.mpf(0)
    for _ in range(steps):
        s = v + dt
        total += mpmath.log((v + dt * mpmath.sech(x / s) ** 2 / s) / s) + mpmath.log(v / s)
        x = (v * x + dt * mpmath.tanh(x / s)) / s
        v = v * (v / s) ** 2
    return total


def composition_entropy_45(h0, dt, steps):
    """``H[mu_0] + E[sum_l log g_l'(x_l)]`` for (45), split at the basins' boundary x = 0,
    where the composed map becomes steep (checked against a 2e6-node trapezoid rule)."""
    gain = mpmath.quad(
        lambda x: mixture_45_density(x) * composed_log_jacobian(x, mpmath.mpf(1), dt, steps),
        [-14, -1, 0, 1, 14],
    )
    return float(h0 + gain)


def test_mixture_45_entropy_curves_against_mpmath(entropy):
    panel = entropy[1]
    continuous, shallow, fine, coarse = panel.curves
    with mpmath.workdps(30):
        h0 = mixture_45_x_entropy() + gaussian_entropy([1])
        for index in (5, len(continuous.times) - 1):
            t = mpmath.mpf(float(continuous.times[index]))
            expected = mixture_45_x_entropy(1 - 2 * t) + gaussian_entropy([float(1 - 2 * t)])
            assert abs(continuous.values[index] - float(expected)) < FLOAT64_QUAD_ENTROPY
        # the shallow DAE (38) at noise t is the one-step composition of step t (quadrature)
        for t in (0.2, 0.6, 2.0):
            (index,) = np.flatnonzero(np.isclose(shallow.times, t))
            expected = composition_entropy_45(h0, mpmath.mpf(t), 1)
            assert abs(shallow.values[index] - expected) < FLOAT64_QUAD_ENTROPY
        # the compositions (Monte Carlo): within MC_SIGMAS standard errors
        for curve, (dt, steps) in zip((fine, coarse), fd.COMPOSITIONS, strict=True):
            assert curve.method == "monte carlo"
            for level in sorted({1, steps // 3, 2 * steps // 3, steps} - {0}):
                expected = composition_entropy_45(h0, mpmath.mpf(dt.p) / dt.q, level)
                assert abs(curve.values[level] - expected) < MC_SIGMAS * curve.errors[level]


def test_entropy_curves_decrease_with_small_errors(entropy):
    for panel in entropy:
        assert panel.blowup_time == 0.5
        for curve in panel.curves:
            assert curve.times[0] == 0
            assert np.all(np.diff(curve.values) < 0), (panel.equation, curve.label)
            bound = FLOAT64_QUAD_ENTROPY if curve.method == "quadrature" else MC_LOG_JACOBIAN_ERROR
            assert np.all(curve.errors < bound), (panel.equation, curve.label)
        start = {float(c.values[0]) for c in panel.curves}
        assert max(start) - min(start) < FLOAT64_QUAD_ENTROPY  # all start at H[mu_0]


# --- trained networks: Fig. 4 and Fig. 10 (right) -----------------------------------------------

needs_learn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None, reason="needs scikit-learn (symtransport[learn])"
)
#: Fig. 10 (right) reduced for the tests: the figure's first three layers of its first three
#: trials (a layer's seed does not depend on L, and the draws are those of the figure)
FIG10_EARLY = {"trials": 3, "layers": 3, "total_time": sp.Rational(3, 2)}


@pytest.fixture(scope="module")
def fig4_trained():
    pytest.importorskip("sklearn")
    return fd.fig4_trained_data()  # the figure's own n = 2000 and seed: about 1 CPU s


@pytest.fixture(scope="module")
def fig10_early():
    pytest.importorskip("sklearn")
    return fd.fig10_trained_data(**FIG10_EARLY)


@needs_learn
def test_fig4_trained_variances_are_near_the_exact_pushforward(fig4_trained):
    d = fig4_trained
    exact = fd.fig4_data()
    assert (d.samples, d.seed) == (fd.FIG4_TRAINED_SAMPLES, fd.FIG4_TRAINED_SEED) == (2000, 0)
    np.testing.assert_array_equal(d.exact.times, [0.5, 1.0])
    np.testing.assert_array_equal(d.exact.densities, exact.densities)
    v = 1 / (1 + d.exact.times) ** 2  # (31)
    # the trained map is near x/(1 + t) on mu_0, and so its pushforward variance near (31)
    assert np.all(d.map_errors < LEARN_DAE_L2_MU0_2000)
    assert np.all(np.abs(d.variances - v) / v < LEARN_PUSHFORWARD_VARIANCE_2000)
    # and as near as that error allows: |sd(dae(x)) - sd(x/(1+t))| <= rms |dae(x) - x/(1+t)|
    # on the same draws (the triangle inequality), and the draws' sd is 1/(1+t) within MC error
    sd_error = np.sqrt(v) / math.sqrt(2 * (d.pushed - 1))
    assert np.all(np.abs(np.sqrt(d.variances) - np.sqrt(v)) <= d.map_errors + MC_SIGMAS * sd_error)
    # the reported standard error is that of a Gaussian sample variance, v sqrt(2/m)
    np.testing.assert_allclose(d.variance_errors, d.variances * math.sqrt(2 / d.pushed), rtol=0.1)
    # Fig. 4's claim: the variance shrinks as t grows (entropy decreases)
    assert d.variances[1] < d.variances[0] < 1
    assert d.converged.all()
    # histograms are densities of the pushed draws (almost all inside the bins)
    widths = np.diff(d.bin_edges)
    np.testing.assert_allclose(d.histograms @ widths, 1.0, atol=1e-3)
    # arrows: increasing in x and contracting towards 0, like x/(1 + t)
    assert np.all(np.diff(d.ends, axis=1) > 0)
    moved = d.exact.starts != 0
    assert np.all(np.abs(d.ends[:, moved]) < np.abs(d.exact.starts[moved]))


@needs_learn
def test_fig10_trained_trajectories_start_at_5_4_and_follow_the_exact_composition(fig10_early):
    d = fig10_early
    assert d.trials.shape == (3, 4, 2) and d.step == 0.5
    np.testing.assert_allclose(d.times, [0, 0.5, 1, 1.5])
    # the exact composition (35) and the continuous DAE (37) at the layers' times
    _, variances = exact_gaussian_composition([[0, 0]], [25, 16], 0.5, 3)
    np.testing.assert_allclose(d.composition, np.sqrt(variances), rtol=FLOAT64_MANY_OPS)
    np.testing.assert_allclose(
        d.continuous, np.sqrt([25, 16] - 2 * d.times[:, None]), rtol=FLOAT64_MANY_OPS
    )
    # each trial starts at (5, 4): the sample sd of the fresh draws, within MC error
    start_error = d.start / math.sqrt(2 * (d.pushed - 1))
    assert np.all(np.abs(d.trials[:, 0] - [5, 4]) < MC_SIGMAS * start_error)
    # and moves toward smaller sigmas at every layer, on both axes
    assert np.all(np.diff(d.trials, axis=1) < 0)
    # near the exact composition's steps: sigma_l / sigma_0 against (35), l layers in
    ratio = d.trials / d.trials[:, :1]
    exact_ratio = d.composition / d.composition[:1]
    layers = np.arange(4)[None, :, None]
    assert np.all(np.abs(ratio - exact_ratio) <= layers * LEARN_COMPOSITION_LAYER_2000)
    # the tolerance is about half the exact move of a layer, so the steps are resolved
    assert np.all(-np.diff(exact_ratio, axis=0) > 1.9 * LEARN_COMPOSITION_LAYER_2000)
    # the gradient-flow lines are those of Fig. 10 (left)
    for ours, theirs in zip(d.flow_lines, fd.fig10_data().flow_lines, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert d.continuous_curve[-1, 1] < 1e-6 and d.continuous_times[-1] == 8


def hand_made_points():
    """Exact power laws with log-symmetric seed offsets (factors 1.2 and 1/1.2 at every n), so
    the least-squares slope is the law's exponent: network, d = 1: ``2 n^(-1/2)``; empirical
    Bayes, d = 1: ``n^(-0.8)``; network, d = 2: ``3 n^(-1/3)``."""
    laws = {("network", 1): (2.0, -0.5), ("empirical Bayes", 1): (1.0, -0.8)}
    laws[("network", 2)] = (3.0, -1 / 3)
    points = []
    for n in (100, 316, 1000, 3162, 10000):
        for (estimator, dim), (c, slope) in laws.items():
            for seed, factor in ((0, 1.2), (1, 1 / 1.2)):
                points.append((n, c * n**slope * factor, estimator, dim, seed))
    return laws, points


def test_convergence_data_fits_the_slopes_of_hand_made_records():
    laws, points = hand_made_points()
    # tuples, dicts and ConvergencePoint records are the same points
    keys = ("n", "relative", "estimator", "dimension", "seed")
    as_dicts = [dict(zip(keys, p, strict=True)) for p in points]
    for records in (points, as_dicts, [fd.ConvergencePoint(*p) for p in points]):
        d = fd.convergence_data(records)
        assert [(s.estimator, s.dimension) for s in d.series] == list(laws)
        for s in d.series:
            c, slope = laws[(s.estimator, s.dimension)]
            assert abs(s.slope - slope) < FLOAT64_MANY_OPS
            assert abs(s.intercept - math.log(c)) < FLOAT64_MANY_OPS
            np.testing.assert_allclose(s.fitted(s.n), c * s.n**slope, rtol=FLOAT64_MANY_OPS)
            assert len(s.n) == 10 and not s.given_slope
    # the slope's standard error is the ordinary least-squares one
    s = d.series[0]
    reference = stats.linregress(np.log(s.n), np.log(s.relative))
    assert abs(s.slope_error - reference.stderr) < FLOAT64_MANY_OPS
    # reference lines: n^(-1/2) and n^(-1/(d+4)) per dimension, from the smallest n's errors
    logs = np.log(d.n_grid)
    np.testing.assert_allclose(np.diff(np.log(d.parametric)) / np.diff(logs), -0.5)
    assert [dim for dim, _ in d.minimax] == [1, 2]
    for dim, values in d.minimax:
        np.testing.assert_allclose(np.diff(np.log(values)) / np.diff(logs), -1 / (dim + 4))
    at_100 = [p[1] for p in points if p[0] == 100 and p[3] == 2]
    np.testing.assert_allclose(d.minimax[1][1][0], math.exp(np.mean(np.log(at_100))))
    # a slope given (a claim's) replaces the fitted one; the intercept is fitted with it
    given = fd.convergence_data(points, slopes={("network", 1): -0.45})
    s = given.series[0]
    assert s.given_slope and s.slope == -0.45
    residual = np.log(s.relative) - (s.intercept + s.slope * np.log(s.n))
    assert abs(residual.mean()) < FLOAT64_MANY_OPS


def test_convergence_points_from_claim_rows_and_bad_records():
    rows = [
        {"n": 100, "seed": 7, "network": 0.3, "network_ci": 0.01, "empirical_bayes": 0.2},
        {"n": 1000, "seed": 8, "network": 0.1, "network_ci": 0.01, "empirical_bayes": 0.05},
    ]
    points = fd.points_from_rows(rows, 2)
    assert points[:2] == [
        fd.ConvergencePoint(100, 0.3, "network", 2, 7),
        fd.ConvergencePoint(100, 0.2, "empirical Bayes", 2, 7),
    ]
    d = fd.convergence_data(points)
    assert abs(d.series[0].slope - math.log10(0.1 / 0.3)) < FLOAT64_MANY_OPS
    assert math.isnan(d.series[0].slope_error)  # two points: no standard error
    for bad in ([], [(100, 0.1, "network", 1, 0)], [(100, 0.0, "network", 1, 0)] * 2):
        with pytest.raises(InvalidArgument):
            fd.convergence_data(bad)
    with pytest.raises(InvalidArgument):
        fd.convergence_data([(100.5, 0.1, "network", 1, 0), (200, 0.1, "network", 1, 0)])
    with pytest.raises(InvalidArgument, match="points_from_rows"):
        fd.convergence_data(rows)


@pytest.fixture
def small_trained(monkeypatch):
    """The trained figures' data at a small cost: Fig. 10 (right) reduced to FIG10_EARLY, and
    the convergence plot from hand-made records (Fig. 4 keeps its own size: about 1 CPU s)."""
    monkeypatch.setattr(
        fd, "fig10_trained_data", functools.partial(fd.fig10_trained_data, **FIG10_EARLY)
    )
    monkeypatch.setattr(fd, "convergence_measurement", lambda: hand_made_points()[1])


@needs_learn
def test_the_trained_figures_are_written(tmp_path, small_trained):
    names = ["fig4-trained", "fig10-trained", "dae-convergence"]
    assert select(names) == names and set(names) == NEEDS_LEARN
    written = write_figures(tmp_path, only=names)
    assert [p.name for p in written] == [f"{n}.{ext}" for n in names for ext in ("png", "pdf")]
    for p in written:
        content = p.read_bytes()
        assert content.startswith(b"%PDF" if p.suffix == ".pdf" else PNG_SIGNATURE)


def test_without_scikit_learn_the_trained_figures_are_skipped_in_one_line(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    written = write_figures(tmp_path, only=["fig4*", "fig10-trained", "dae-convergence"])
    assert [p.name for p in written] == ["fig4-shallow-1d.png", "fig4-shallow-1d.pdf"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "fig4-trained, fig10-trained, dae-convergence" in err
    assert "scikit-learn" in err and "symtransport[learn]" in err
    lines = []
    write_figures(tmp_path / "b", only=["fig4*"], skipped=lines.append)
    assert len(lines) == 1 and lines[0].startswith("skipped fig4-trained: ")
    assert capsys.readouterr().err == ""
    # nothing left to draw: an error, as without matplotlib
    with pytest.raises(UnsupportedError, match=r"symtransport\[learn\]"):
        write_figures(tmp_path / "c", only=["fig4-trained"])
    assert not (tmp_path / "c").exists()


# --- one-step denoisers ------------------------------------------------------------------------


def test_one_step_orders_of_a_gaussian_are_the_closed_forms():
    """For ``mu_0 = N(0, 1)`` every scheme is linear, ``x -> a x``, with ``a`` typed here from
    ``grad log u_tau(x) = -x/(1 + s - 2tau)``: ``W2 = |a sqrt(1 + s) - 1|``."""
    noises = (sp.Rational(1, 4), sp.Rational(1, 16), sp.Rational(1, 64))
    d = fd.one_step_orders_data(Gaussian(0, 1), noises)
    assert d.names == ("full", "half", "heun", "euler-4")
    for j, s in enumerate(noises):
        with mpmath.workdps(30):
            v = mpmath.mpf(s.p) / s.q
            half = 1 - v / (2 * (1 + v))
            factors = {
                "full": 1 - v / (1 + v),
                "half": half,
                "heun": 1 - v / 4 * (1 / (1 + v) + half),
                "euler-4": mpmath.fprod(1 - (v / 8) / (1 + v - k * v / 4) for k in range(4)),
            }
            for i, name in enumerate(d.names):
                exact = float(abs(factors[name] * mpmath.sqrt(1 + v) - 1))
                assert d.errors[i, j] == pytest.approx(exact, rel=ONE_STEP_GAUSSIAN_W2)
                assert d.bounds[i, j] <= ONE_STEP_GAUSSIAN_W2 * exact
    # each reference line passes through the smallest noise's error with slope = the order
    smallest = int(np.argmin(d.noises))
    assert np.allclose(d.references[:, smallest], d.errors[:, smallest], rtol=FLOAT64_FEW_OPS)
    ratios = np.log(d.references[:, 0] / d.references[:, smallest])
    assert np.allclose(ratios / np.log(d.noises[0] / d.noises[smallest]), d.orders)


def test_one_step_orders_default_slopes():
    d = fd.one_step_orders_data()
    assert d.fit_range == (2.0**-9, 2.0**-5)
    for slope, order in zip(d.slopes, d.orders, strict=True):
        # the criterion of the claim one-step-mixture-orders
        assert abs(slope.slope - order) + slope.half_width <= ONE_STEP_ORDER_TOL


def test_only_one_step_orders(tmp_path):
    written = write_figures(tmp_path, only=["one-step*"])
    assert [p.name for p in written] == ["one-step-orders.png", "one-step-orders.pdf"]
    assert written[0].read_bytes().startswith(PNG_SIGNATURE)


# --- writing ---------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data):
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow  # draws every figure: about 10 s (the trained ones reduced)
def test_write_figures_writes_png_and_pdf_for_every_figure(tmp_path, small_trained):
    pytest.importorskip("sklearn")
    seen = []
    written = write_figures(tmp_path / "new" / "figs", progress=seen.append)
    assert seen == list(FIGURES)
    names = [f"{n}.{ext}" for n in FIGURES for ext in ("png", "pdf")]
    assert [p.name for p in written] == names
    for p in written:
        assert p.parent == tmp_path / "new" / "figs"
        content = p.read_bytes()
        if p.suffix == ".pdf":
            assert content.startswith(b"%PDF")
            assert b"CreationDate" not in content
        else:
            assert content.startswith(PNG_SIGNATURE)
            assert min(png_size(content)) >= 400
            assert b"Software" not in content


@needs_learn
def test_only_selects_by_glob_and_files_are_reproducible(tmp_path):
    first = write_figures(tmp_path / "a", only=["fig4*"])
    second = write_figures(tmp_path / "b", only=["fig4-shallow-1d", "fig4-trained"])
    assert [p.name for p in first] == [
        "fig4-shallow-1d.png",
        "fig4-shallow-1d.pdf",
        "fig4-trained.png",
        "fig4-trained.pdf",
    ]
    for a, b in zip(first, second, strict=True):  # a trained network too: fixed seeds
        assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in first)


def test_only_fig6(tmp_path):
    written = write_figures(tmp_path, only=["fig6*"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig6-gaussian.pdf", "fig6-gaussian.png"]
    assert len(written) == 2


def test_a_glob_matching_nothing_is_rejected_with_the_names(tmp_path):
    with pytest.raises(InvalidArgument) as info:
        write_figures(tmp_path / "x", only=["fig99*"])
    for name in FIGURES:
        assert name in str(info.value)
    assert not (tmp_path / "x").exists()


def test_select_matches_globs_in_paper_order():
    assert select(None) == select([]) == list(FIGURES)
    assert select(["entropy-time", "fig1*"]) == [
        "fig10-gaussian-plane",
        "fig10-trained",
        "entropy-time",
    ]
    assert select("fig6*") == ["fig6-gaussian"]
    with pytest.raises(InvalidArgument, match="fig4-shallow-1d"):
        select(["nope"])


def test_out_must_not_be_a_file(tmp_path):
    target = tmp_path / "taken"
    target.write_text("")
    with pytest.raises(InvalidArgument, match="is a file"):
        write_figures(target, only=["fig4-shallow-1d"])


def test_missing_matplotlib_is_an_unsupported_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(UnsupportedError, match=r"symtransport\[plot\]"):
        write_figures(tmp_path, only=["fig4-shallow-1d"])


def test_the_package_and_the_figure_modules_import_without_matplotlib_or_scikit_learn():
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['sklearn'] = None\n"
        "import symtransport, symtransport._reports.figures, symtransport._reports.figuredata\n"
        "assert sys.modules['matplotlib'] is None and sys.modules['sklearn'] is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_figures_are_named_and_captioned_in_paper_order():
    assert list(FIGURES) == [
        "fig4-shallow-1d",
        "fig4-trained",
        "fig6-gaussian",
        "fig7-mixture-45",
        "fig8-mixture-46",
        "fig9-mixture-47",
        "fig10-gaussian-plane",
        "fig10-trained",
        "entropy-time",
        "dae-convergence",
        "one-step-orders",
    ]
    assert all(isinstance(c, str) and c and "\n" not in c for c in FIGURES.values())
