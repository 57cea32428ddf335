"""The paper's figures ([J] §5: Figs. 4, 6-10) and an entropy-time plot, drawn with matplotlib.

:func:`write_figures` writes every figure of :data:`FIGURES` (or those matching globs) as PNG
and PDF. The numbers come from :mod:`symtransport._reports.figuredata`; this module only draws them.
``fig4-shallow-1d`` and ``fig10-gaussian-plane`` draw the exact minimisers from the closed forms
and the library's derived maps; ``fig4-trained`` and ``fig10-trained`` put DAEs trained as
networks on finite data (as in [J]'s Figs. 4 and 10, right) beside them, and
``dae-convergence`` plots the error of trained and empirical-Bayes denoisers against ``n``, and
``one-step-orders`` the W2 error of one-step denoisers (full, half, Heun, 4 Euler steps) against
the noise variance.

matplotlib is optional (``pip install symtransport[plot]``) and imported only here, inside the
functions. The object API is used throughout (``matplotlib.figure.Figure``, no pyplot, no
global state), and the files are reproducible: no creation date in the PDF, no software tag in
the PNG. The trained figures (:data:`NEEDS_LEARN`) also need scikit-learn
(``symtransport[learn]``); without it :func:`write_figures` draws the others and says, in one
line, which it skipped and why.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symtransport._reports import figuredata as data
from symtransport.errors import InvalidArgument, SymtransportError, UnsupportedError

__all__ = ["FIGURES", "NEEDS_LEARN", "draw_convergence", "select", "write_figures"]

_GRAY = "0.55"
_KIND_COLOURS = {"continuous": "tab:blue", "shallow": "tab:green", "composition": "tab:red"}
_COMPOSITION_COLOURS = ("tab:orange", "tab:red")
_DPI = 100
_METADATA = {"png": {"Software": None}, "pdf": {"CreationDate": None}}


# --- Figs. 6-9 ----------------------------------------------------------------------------------


def _lines(ax: Any, path: np.ndarray, colours: Any, width: float, alpha: float) -> None:
    from matplotlib.collections import LineCollection

    ax.add_collection(
        LineCollection(list(np.swapaxes(path, 0, 1)), colors=colours, linewidths=width, alpha=alpha)
    )


def _flow_panel(ax: Any, figure: data.FlowFigureData, panel: data.Panel) -> None:
    ax.contour(
        figure.contour_x,
        figure.contour_y,
        figure.contour_z,
        levels=6,
        colors="0.8",
        linewidths=0.6,
    )
    n = panel.samples.shape[1]
    colours = [_sample_colour(i, n) for i in range(n)]
    _lines(ax, panel.grid, _GRAY, 0.5, 0.6)
    _lines(ax, panel.samples, colours, 0.9, 0.95)
    marked = panel.grid[panel.marks].reshape(-1, 2)
    ax.scatter(marked[:, 0], marked[:, 1], s=1.5, c=_GRAY, linewidths=0, alpha=0.8)
    sample_marks = panel.samples[panel.marks]  # (M, S, 2)
    ax.scatter(
        sample_marks[..., 0].ravel(),
        sample_marks[..., 1].ravel(),
        s=5,
        linewidths=0,
        c=np.tile(np.arange(n), len(panel.marks)),
        cmap="viridis",
        vmin=0,
        vmax=max(n - 1, 1),
    )
    end = panel.samples[-1]
    ax.scatter(end[:, 0], end[:, 1], s=14, c=colours, edgecolors="k", linewidths=0.4, zorder=3)
    if panel.kind == "continuous" and figure.attractor is not None:
        ax.plot(*figure.attractor.T, color="tab:blue", lw=0.8, ls="--", label="attractor at t*")
        ax.legend(loc="upper right", fontsize=7)
    if panel.kind == "shallow":
        ax.plot(*figure.mean, marker="*", ms=12, color="k", ls="none", label="data mean")
        ax.legend(loc="upper right", fontsize=7)
    lim = data.GRID_EXTENT + 0.5
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
    ax.set_title(panel.title, fontsize=9)


def _sample_colour(i: int, n: int) -> Any:
    from matplotlib import colormaps

    return colormaps["viridis"](i / max(n - 1, 1))


def _flow_figure(figure_data: Callable[[], data.FlowFigureData], name: str) -> Callable:
    def draw(fig: Any) -> None:
        figure = figure_data()
        axes = fig.subplots(2, 2, sharex=True, sharey=True)
        for ax, panel in zip(axes.ravel(), figure.panels, strict=True):
            _flow_panel(ax, figure, panel)
        fig.suptitle(
            f"{name}: μ0 = {_DENSITY_TEXT[figure.equation]} {figure.equation}; markers every "
            f"{data.MARK_EVERY:g} in time (every step when Δt > {data.MARK_EVERY:g})",
            fontsize=10,
        )

    return draw


_DENSITY_TEXT = {
    "(44)": "N([0,0], diag[2,1])",
    "(45)": "0.5 N([-1,0], I) + 0.5 N([1,0], I)",
    "(46)": "0.2 N([-1,0], I) + 0.8 N([1,0], I)",
    "(47)": "0.2 N([-1,0], I) + 0.8 N([1,0], diag[2,1])",
}


# --- Fig. 4 ------------------------------------------------------------------------------------


def _fig4(fig: Any) -> None:
    d = data.fig4_data()
    axes = fig.subplots(
        2, len(d.times), sharex=True, gridspec_kw={"height_ratios": [3, 1]}, squeeze=False
    )
    for i, t in enumerate(d.times):
        top, bottom = axes[0, i], axes[1, i]
        top.plot(d.x, d.data_density, color=_GRAY, ls="--", label="μ0 = N(0, 1)")
        top.plot(
            d.x,
            d.densities[i],
            color="tab:green",
            label=f"g_t♯μ0 = N(0, 1/(1+t)²) (31), var {d.variances[i]:.4g}",
        )
        top.set_title(f"shallow Gaussian DAE, noise variance t = {t:g}", fontsize=10)
        top.legend(fontsize=8, loc="upper left")
        top.set_ylabel("density")
        bottom.quiver(
            d.starts,
            np.ones_like(d.starts),
            d.ends[i] - d.starts,
            -np.ones_like(d.starts),
            angles="xy",
            scale_units="xy",
            scale=1,
            width=0.004,
            color="tab:green",
        )
        bottom.plot(d.starts, np.ones_like(d.starts), "o", ms=3, color=_GRAY)
        bottom.set(ylim=(-0.3, 1.3), yticks=[0, 1], yticklabels=["g_t(x)", "x"], xlabel="x")
        bottom.set_title("x → g_t(x) = x/(1+t) (30)", fontsize=9)


# --- Fig. 10 ------------------------------------------------------------------------------------


def _flow_lines(ax: Any, lines: Any, alpha: float) -> None:
    """The W2 gradient-flow lines of H in the (sigma_1, sigma_2) plane (hyperbolas)."""
    for k, line in enumerate(lines):
        ax.plot(
            line[:, 0],
            line[:, 1],
            color="tab:blue",
            lw=0.8,
            alpha=alpha,
            label="W2 gradient flow of H = continuous DAE (37)" if k == 0 else None,
        )


def _fig10(fig: Any) -> None:
    d = data.fig10_data()
    ax = fig.subplots()
    _flow_lines(ax, d.flow_lines, alpha=0.7)
    ax.plot(
        *d.continuous.T,
        color="tab:blue",
        lw=2.2,
        label="continuous DAE from (5, 4): (3, 0) at t = 8",
    )
    ax.plot(
        *d.shallow.T,
        color="tab:green",
        ls="--",
        lw=1.6,
        label=f"shallow DAE (35), 0 ≤ t ≤ {d.shallow_times[-1]:g}",
    )
    ax.plot(
        *d.composition.T,
        color="tab:green",
        lw=1.6,
        marker="o",
        ms=3,
        label=f"composition of DAEs, Δt = {d.composition_step:g}, T = {d.composition_times[-1]:g}",
    )
    ax.plot(*d.start, "k*", ms=12)
    ax.set(xlim=(0, 6), ylim=(0, 6), aspect="equal", xlabel="σ1", ylabel="σ2")
    ax.set_title("Q = {N(0, diag[σ1², σ2²])} (48); flow lines σ1² − σ2² = const", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


# --- trained networks: Fig. 4 and Fig. 10 (right) -----------------------------------------------


def _arrows(ax: Any, starts: np.ndarray, ends: np.ndarray, top: float, colour: str) -> None:
    """Arrows from ``(x, top)`` down to ``(g(x), top - 1)``."""
    ax.quiver(
        starts,
        np.full_like(starts, top),
        ends - starts,
        -np.ones_like(starts),
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.004,
        color=colour,
    )
    ax.plot(starts, np.full_like(starts, top), "o", ms=3, color=_GRAY)


def _fig4_trained(fig: Any) -> None:
    d = data.fig4_trained_data()
    exact = d.exact
    axes = fig.subplots(
        2, len(exact.times), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]}, squeeze=False
    )
    for i, t in enumerate(exact.times):
        top, bottom = axes[0, i], axes[1, i]
        top.plot(exact.x, exact.data_density, color=_GRAY, ls="--", label="μ0 = N(0, 1)")
        top.stairs(
            d.histograms[i],
            d.bin_edges,
            color="tab:red",
            lw=1.2,
            label=f"trained DAE ♯ μ0 (histogram of {d.pushed} draws), var {d.variances[i]:.3f}",
        )
        top.plot(
            exact.x,
            exact.densities[i],
            color="tab:green",
            label=f"exact N(0, 1/(1+t)²) (31), var {exact.variances[i]:.3f}",
        )
        converged = "" if d.converged[i] else ", not converged"
        top.set_title(
            f"noise variance t = {t:g}\nnetwork trained on n = {d.samples} draws "
            f"(seed {d.seed}{converged}); L2(μ0) distance to (30): {d.map_errors[i]:.3f}",
            fontsize=9,
        )
        top.legend(fontsize=7, loc="upper left")
        top.set_ylabel("density")
        _arrows(bottom, exact.starts, exact.ends[i], 3.0, "tab:green")
        _arrows(bottom, exact.starts, d.ends[i], 1.0, "tab:red")
        bottom.set(
            ylim=(-0.3, 3.3),
            yticks=[0, 1, 2, 3],
            yticklabels=["dae(x)", "x", "x/(1+t)", "x"],
            xlabel="x",
        )
        bottom.set_title("x → x/(1+t) (30), exact (top); x → dae(x), trained (bottom)", fontsize=8)


def _fig10_trained(fig: Any) -> None:
    d = data.fig10_trained_data()
    ax = fig.subplots()
    _flow_lines(ax, d.flow_lines, alpha=0.5)
    ax.plot(
        *d.continuous_curve.T,
        color="tab:blue",
        lw=2.2,
        label=f"continuous DAE from ({d.start[0]:g}, {d.start[1]:g}); "
        f"markers at t = l Δt, l ≤ {d.layers}",
    )
    ax.plot(*d.continuous.T, "o", color="tab:blue", ms=3)
    ax.plot(
        *d.composition.T,
        color="tab:green",
        lw=1.6,
        marker="o",
        ms=3,
        label=f"exact composition of DAEs (35), Δt = {d.step:g}, L = {d.layers}",
    )
    for k, path in enumerate(d.trials):
        ax.plot(
            *path.T,
            color="tab:red",
            lw=0.8,
            marker=".",
            ms=3,
            alpha=0.7,
            label=(
                f"{len(d.trials)} trials: compositions of trained DAEs "
                f"(n = {d.samples}, seeds 0-{len(d.trials) - 1}; σ of {d.pushed} fresh draws)"
                if k == 0
                else None
            ),
        )
    if not d.converged.all():
        ax.text(0.2, 0.2, f"{int((~d.converged).sum())} layer fits did not converge", fontsize=8)
    ax.plot(*d.start, "k*", ms=12)
    ax.set(xlim=(0, 6), ylim=(0, 6), aspect="equal", xlabel="σ1", ylabel="σ2")
    ax.set_title(
        f"Fig. 10 (right): trained compositions in Q (48), T = {d.times[-1]:g}", fontsize=10
    )
    ax.legend(fontsize=7, loc="upper left")


# --- convergence of trained and empirical-Bayes denoisers -----------------------------------------

_ESTIMATOR_STYLE = dict(zip(data.ESTIMATORS, (("o", "-"), ("s", "--")), strict=True))
_DIMENSION_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown")


def draw_convergence(fig: Any, d: data.ConvergenceData, note: str = "") -> None:
    """Draw :class:`~symtransport._reports.figuredata.ConvergenceData` (nothing is fitted
    here): the points, a line per ``(estimator, dimension)`` with its slope, and the reference
    rates; ``note`` (how the points were measured) goes under the title."""
    ax = fig.subplots()
    dimensions = sorted({s.dimension for s in d.series})
    colour = {
        dim: _DIMENSION_COLOURS[i % len(_DIMENSION_COLOURS)] for i, dim in enumerate(dimensions)
    }
    for s in d.series:
        marker, style = _ESTIMATOR_STYLE.get(s.estimator, ("^", "-."))
        ax.plot(s.n, s.relative, marker, color=colour[s.dimension], ms=4, ls="none", alpha=0.7)
        error = "" if np.isnan(s.slope_error) else f" ± {s.slope_error:.2f}"
        how = "given" if s.given_slope else "fitted"
        ax.plot(d.n_grid, s.fitted(d.n_grid), color=colour[s.dimension], ls=style, lw=1.4)
        ax.plot(  # the legend entry: the points' marker on the line's style
            [],
            [],
            marker=marker,
            ms=4,
            color=colour[s.dimension],
            ls=style,
            lw=1.4,
            label=f"{s.estimator}, d = {s.dimension}: {how} slope {s.slope:.2f}{error}",
        )
    ax.plot(d.n_grid, d.parametric, color="k", ls=":", lw=1.0, label="n^(-1/2) (parametric)")
    for dim, values in d.minimax:
        ax.plot(
            d.n_grid,
            values,
            color=colour[dim],
            ls=(0, (1, 3)),
            lw=1.2,
            label=f"n^(-1/{dim + 4}), d = {dim}: square root of the minimax score rate",
        )
    ax.set(xscale="log", yscale="log", xlabel="training samples n", ylabel="relative L2 error")
    title = "Trained DAEs and the empirical-Bayes denoiser against the exact map (14)"
    ax.set_title(f"{title}\n{note}" if note else title, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")


def _convergence(fig: Any) -> None:
    note = (
        f"fixed_mixture(1), noise variance t = {data.CONVERGENCE_TIME}, "
        f"{data.CONVERGENCE_REPLICATES} training seeds a size; compare_map on "
        f"{data.CONVERGENCE_SAMPLES} noisy draws"
    )
    draw_convergence(fig, data.convergence_data(data.convergence_measurement()), note)


# --- one-step denoisers -------------------------------------------------------------------------

_SCHEME_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:brown")


def _one_step_orders(fig: Any) -> None:
    d = data.one_step_orders_data()
    low, high = d.fit_range
    ax = fig.subplots()
    for i, name in enumerate(d.names):
        colour = _SCHEME_COLOURS[i % len(_SCHEME_COLOURS)]
        ax.plot(
            d.noises,
            d.errors[i],
            "o-",
            color=colour,
            ms=4,
            lw=1.2,
            label=f"{name}: slope {d.slopes[i].text()} ({low:.3g} ≤ s ≤ {high:.3g})",
        )
        ax.plot(d.noises, d.references[i], color=colour, ls=":", lw=1.0, label=f"s^{d.orders[i]}")
    ax.set(xscale="log", yscale="log", xlabel="noise variance s", ylabel="W2(T # u, μ0)")
    ax.set_title(
        "One-step denoisers of u = μ0 * N(0, s) as steps of the continuous DAE, "
        "μ0 = fixed_mixture(1)\nfull x + s∇log u, half x + (s/2)∇log u, Heun, 4 Euler steps; "
        "exact W2 by quadrature",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="lower right")


# --- entropy against time -----------------------------------------------------------------------


def _entropy(fig: Any) -> None:
    panels = data.entropy_data()
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        compositions = iter(_COMPOSITION_COLOURS)
        for curve in panel.curves:
            colour = (
                next(compositions) if curve.kind == "composition" else _KIND_COLOURS[curve.kind]
            )
            style = {"marker": "o", "ms": 3} if curve.kind == "composition" else {}
            # bands: the quadrature's error, or two standard errors of a Monte Carlo mean
            band = curve.errors * (2.0 if curve.method == "monte carlo" else 1.0)
            what = "±2 s.e." if curve.method == "monte carlo" else "error"
            label = f"{curve.label} ({curve.method}, {what} ≤ {band.max():.0e})"
            ax.plot(curve.times, curve.values, color=colour, label=label, **style)
            ax.fill_between(
                curve.times,
                curve.values - band,
                curve.values + band,
                color=colour,
                alpha=0.3,
                linewidth=0,
            )
        continuous = panel.curves[0].values
        ax.axvline(panel.blowup_time, color="k", ls=":", lw=0.8, label="blow-up t* = 1/2")
        ax.set(
            xlabel="t",
            ylabel="Shannon entropy H [nats]",
            ylim=(continuous.min() - 1.5, continuous.max() + 0.3),
            title=f"μ0 = {_DENSITY_TEXT[panel.equation]} {panel.equation}",
        )
        ax.title.set_fontsize(9)
        ax.legend(fontsize=7, loc="lower left")


# --- registry and writer -------------------------------------------------------------------------

_REGISTRY: dict[str, tuple[str, Callable[[Any], None], tuple[float, float]]] = {
    "fig4-shallow-1d": (
        "Fig. 4: shallow Gaussian DAE on N(0,1), noise t = 0.5, 1: pushforwards (31), arrows (30)",
        _fig4,
        (10.0, 5.5),
    ),
    "fig4-trained": (
        "Fig. 4 as in [J]: DAEs trained on 2000 draws of N(0,1), t = 0.5, 1, beside (30)-(31)",
        _fig4_trained,
        (11.0, 6.5),
    ),
    "fig6-gaussian": (
        "Fig. 6: N([0,0], diag[2,1]) (44): continuous (36), shallow (34), compositions",
        _flow_figure(data.fig6_data, "Fig. 6"),
        (10.0, 10.5),
    ),
    "fig7-mixture-45": (
        "Fig. 7: mixture (45): continuous (42)-(43), shallow (38), compositions",
        _flow_figure(data.fig7_data, "Fig. 7"),
        (10.0, 10.5),
    ),
    "fig8-mixture-46": (
        "Fig. 8: mixture (46): continuous (42)-(43), shallow (38), compositions",
        _flow_figure(data.fig8_data, "Fig. 8"),
        (10.0, 10.5),
    ),
    "fig9-mixture-47": (
        "Fig. 9: mixture (47): continuous (42)-(43), shallow (38), compositions",
        _flow_figure(data.fig9_data, "Fig. 9"),
        (10.0, 10.5),
    ),
    "fig10-gaussian-plane": (
        "Fig. 10 (left): (σ1, σ2) plane of (48): gradient flow of H, shallow (35), composition",
        _fig10,
        (7.0, 7.0),
    ),
    "fig10-trained": (
        "Fig. 10 (right): 10 trials of compositions of trained DAEs from (5, 4), exact (35), (37)",
        _fig10_trained,
        (7.5, 7.5),
    ),
    "entropy-time": (
        "Shannon entropy against time: continuous, shallow, compositions; (44) and (45)",
        _entropy,
        (11.0, 5.0),
    ),
    "dae-convergence": (
        "Relative L2 error of trained and empirical-Bayes DAEs against n, with rate lines",
        _convergence,
        (7.5, 6.0),
    ),
    "one-step-orders": (
        "W2 error of one-step denoisers (full, half, Heun, 4 Euler steps) against s, log-log",
        _one_step_orders,
        (7.5, 6.0),
    ),
}

#: Figure name -> one-line caption, in the paper's order.
FIGURES: dict[str, str] = {name: caption for name, (caption, _, _) in _REGISTRY.items()}
#: The figures that train networks, and so need scikit-learn (``symtransport[learn]``).
NEEDS_LEARN: frozenset[str] = frozenset({"fig4-trained", "fig10-trained", "dae-convergence"})


def select(only: Sequence[str] | None) -> list[str]:
    """The names matching any glob of ``only`` (all when ``only`` is None or empty)."""
    if not only:
        return list(FIGURES)
    patterns = [only] if isinstance(only, str) else list(only)
    chosen = [n for n in FIGURES if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    if not chosen:
        raise InvalidArgument(f"only={patterns!r} matches no figure; figures: {', '.join(FIGURES)}")
    return chosen


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise UnsupportedError(
            "writing figures needs matplotlib, which is not installed: "
            "install symtransport[plot] (matplotlib)"
        ) from exc
    return Figure


def _learn_missing() -> str | None:
    """Why the figures of :data:`NEEDS_LEARN` cannot be drawn, or None when they can."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return (
            "figures of trained networks need scikit-learn, which is not installed: "
            "install symtransport[learn] (scikit-learn)"
        )
    return None


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def write_figures(
    out: str | Path,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    skipped: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write each figure of :data:`FIGURES` (or those whose name matches a glob of ``only``)
    into the folder ``out`` (created if needed) as ``<name>.png`` and ``<name>.pdf``; call
    ``progress(name)`` after each is written. Returns the written paths.

    Without scikit-learn the figures of :data:`NEEDS_LEARN` are skipped and the others drawn;
    one line naming the skipped figures and why is passed to ``skipped`` (default: printed on
    stderr) before anything is drawn.

    Raises :class:`~symtransport.errors.InvalidArgument` when ``only`` matches no figure and
    :class:`~symtransport.errors.UnsupportedError` when matplotlib is not installed, or
    scikit-learn is not and every figure selected needs it;
    :class:`~symtransport.errors.SymtransportError` when the folder cannot be written.
    """
    names = select(only)
    if str(out) == "":  # Path("") is the current folder
        raise InvalidArgument("out='': give a folder to write figures into")
    figure_class = _figure_class()
    trained = [n for n in names if n in NEEDS_LEARN]
    reason = _learn_missing() if trained else None
    if reason is not None:
        names = [n for n in names if n not in NEEDS_LEARN]
        if not names:
            raise UnsupportedError(f"{', '.join(trained)}: {reason}")
        (skipped or _stderr)(f"skipped {', '.join(trained)}: {reason}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InvalidArgument(f"out={str(out)!r} is a file; give a folder to write figures into")
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            _, draw, size = _REGISTRY[name]
            fig = figure_class(figsize=size, dpi=_DPI, layout="constrained")
            draw(fig)
            for fmt, metadata in _METADATA.items():
                path = folder / f"{name}.{fmt}"
                fig.savefig(path, format=fmt, dpi=_DPI, metadata=metadata)
                written.append(path)
            if progress is not None:
                progress(name)
    except OSError as exc:
        raise SymtransportError(
            f"out={str(out)!r}: cannot write the figures ({exc.strerror or exc})"
        ) from exc
    return written
