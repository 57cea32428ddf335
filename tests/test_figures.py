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

import math
import struct
import subprocess
import sys

import mpmath
import numpy as np
import pytest
from tolerances import (
    DOP853_MIXTURE_NEAR_BLOWUP,
    FLOAT64_FEW_OPS,
    FLOAT64_MANY_OPS,
    FLOAT64_QUAD_ENTROPY,
    MC_LOG_JACOBIAN_ERROR,
    MC_SIGMAS,
)

from symtransport._reports import figuredata as fd
from symtransport._reports.figures import FIGURES, select, write_figures
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


# --- writing ---------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data):
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow  # draws every figure: about 10 s
def test_write_figures_writes_png_and_pdf_for_every_figure(tmp_path):
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


def test_only_selects_by_glob_and_files_are_reproducible(tmp_path):
    first = write_figures(tmp_path / "a", only=["fig4*"])
    second = write_figures(tmp_path / "b", only="fig4-shallow-1d")
    assert [p.name for p in first] == ["fig4-shallow-1d.png", "fig4-shallow-1d.pdf"]
    for a, b in zip(first, second, strict=True):
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
    assert select(["entropy-time", "fig1*"]) == ["fig10-gaussian-plane", "entropy-time"]
    assert select("fig6*") == ["fig6-gaussian"]
    with pytest.raises(InvalidArgument, match="fig4-shallow-1d"):
        select(["nope"])


def test_out_must_not_be_a_file(tmp_path):
    target = tmp_path / "taken"
    target.write_text("")
    with pytest.raises(InvalidArgument, match="is a file"):
        write_figures(target, only=["fig4*"])


def test_missing_matplotlib_is_an_unsupported_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(UnsupportedError, match=r"symtransport\[plot\]"):
        write_figures(tmp_path, only=["fig4*"])


def test_the_package_and_the_figure_modules_import_without_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import symtransport, symtransport._reports.figures, symtransport._reports.figuredata\n"
        "assert sys.modules['matplotlib'] is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_figures_are_named_and_captioned_in_paper_order():
    assert list(FIGURES) == [
        "fig4-shallow-1d",
        "fig6-gaussian",
        "fig7-mixture-45",
        "fig8-mixture-46",
        "fig9-mixture-47",
        "fig10-gaussian-plane",
        "entropy-time",
    ]
    assert all(isinstance(c, str) and c and "\n" not in c for c in FIGURES.values())
