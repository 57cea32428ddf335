"""The paper's figures ([J] §5: Figs. 4, 6-10) and an entropy-time plot, drawn with matplotlib.

:func:`write_figures` writes every figure of :data:`FIGURES` (or those matching globs) as PNG
and PDF. The numbers come from :mod:`symtransport._reports.figuredata`; this module only draws them.
Everything is computed from the closed forms and the library's derived maps: unlike [J]'s
Figs. 4 and 10 (right), no network is trained, so Fig. 4 shows the exact minimiser (30)-(31)
and Fig. 10 only its theoretical (left) panel.

matplotlib is optional (``pip install symtransport[plot]``) and imported only here, inside the
functions. The object API is used throughout (``matplotlib.figure.Figure``, no pyplot, no
global state), and the files are reproducible: no creation date in the PDF, no software tag in
the PNG.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symtransport._reports import figuredata as data
from symtransport.errors import InvalidArgument, SymtransportError, UnsupportedError

__all__ = ["FIGURES", "select", "write_figures"]

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


def _fig10(fig: Any) -> None:
    d = data.fig10_data()
    ax = fig.subplots()
    for k, line in enumerate(d.flow_lines):
        ax.plot(
            line[:, 0],
            line[:, 1],
            color="tab:blue",
            lw=0.8,
            alpha=0.7,
            label="W2 gradient flow of H = continuous DAE (37)" if k == 0 else None,
        )
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
    "entropy-time": (
        "Shannon entropy against time: continuous, shallow, compositions; (44) and (45)",
        _entropy,
        (11.0, 5.0),
    ),
}

#: Figure name -> one-line caption, in the paper's order.
FIGURES: dict[str, str] = {name: caption for name, (caption, _, _) in _REGISTRY.items()}


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


def write_figures(
    out: str | Path,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write each figure of :data:`FIGURES` (or those whose name matches a glob of ``only``)
    into the folder ``out`` (created if needed) as ``<name>.png`` and ``<name>.pdf``; call
    ``progress(name)`` after each is written. Returns the written paths.

    Raises :class:`~symtransport.errors.InvalidArgument` when ``only`` matches no figure and
    :class:`~symtransport.errors.UnsupportedError` when matplotlib is not installed,
    :class:`~symtransport.errors.SymtransportError` when the folder cannot be written.
    """
    names = select(only)
    if str(out) == "":  # Path("") is the current folder
        raise InvalidArgument("out='': give a folder to write figures into")
    figure_class = _figure_class()
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
