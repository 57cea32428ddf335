"""Rates of convergence of trained denoisers: log-log slopes with intervals, and the sweep over
training sizes that measures them.

:func:`loglog_slope` fits ``log y = slope log x + intercept`` by least squares and gives the
slope's standard error and its t-interval (``points - 2`` degrees of freedom). The interval
assumes independent, homoscedastic residuals in log scale; it is the uncertainty of the fitted
line over the measured range, not of an asymptotic rate.

:func:`convergence_sweep` measures, for each training size ``n`` and training seed, the
relative L2 error (:func:`~symtransport.compare_map`) to the exact posterior mean ``g_t``
((14), (17) of [J]) of a trained DAE (:func:`~symtransport.train_dae` by default) and of the
empirical-Bayes denoiser of the same ``n`` samples (:func:`~symtransport.empirical_bayes`):
the error of a network splits into network vs empirical Bayes vs population map. Every seed
is derived from the sweep's ``seed`` and the run's keys (:func:`derived_seed`), so a sweep is
reproducible from its seed, and a row does not depend on the other sizes asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from symtransport._random.comparison import compare_map
from symtransport._random.denoisers import empirical_bayes, train_dae
from symtransport._random.numerics import sample
from symtransport.errors import InvalidArgument

__all__ = ["Slope", "convergence_sweep", "derived_seed", "loglog_slope"]

#: the confidence of a fitted slope's interval
CONFIDENCE = 0.95
#: draws of ``x~`` for each comparison of a network with the exact map
SWEEP_SAMPLES = 20_000
#: ... and of the empirical-Bayes denoiser, which costs ``n`` kernel evaluations a draw
SWEEP_EB_SAMPLES = 5_000

Trainer = Callable[[np.ndarray, float, int], Callable[[np.ndarray], Any]]


@dataclass(frozen=True)
class Slope:
    """A least-squares line ``log y = slope log x + intercept``: the slope's standard error
    ``stderr`` and the half-width ``half_width`` of its ``confidence`` t-interval (NaN with
    fewer than three points)."""

    slope: float
    intercept: float
    stderr: float
    half_width: float
    points: int
    confidence: float = CONFIDENCE

    def text(self) -> str:
        """``slope +- half_width``, three decimals."""
        return f"{self.slope:.3f} +- {self.half_width:.3f}"


def derived_seed(seed: int, *keys: int) -> int:
    """A seed for one run, derived from a sweep's ``seed`` and the run's integer ``keys``
    (:class:`numpy.random.SeedSequence`: distinct keys give independent streams)."""
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0])


def loglog_slope(x: Sequence[float], y: Sequence[float], confidence: float = CONFIDENCE) -> Slope:
    """The least-squares slope of ``log y`` against ``log x``, with its t-interval; raises
    :class:`InvalidArgument` for non-positive values or fewer than two distinct ``x``."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise InvalidArgument(f"x and y have shapes {xs.shape} and {ys.shape}; give two 1-D lists")
    if not (
        np.all(np.isfinite(xs)) and np.all(np.isfinite(ys)) and (xs > 0).all() and (ys > 0).all()
    ):
        raise InvalidArgument("a log-log slope needs positive finite x and y")
    if np.unique(xs).size < 2:
        raise InvalidArgument("a slope needs values at two distinct x at least")
    if not 0 < confidence < 1:
        raise InvalidArgument(f"confidence={confidence!r}: a probability in (0, 1)")
    if xs.size < 3:
        slope, intercept = np.polyfit(np.log(xs), np.log(ys), 1)
        return Slope(float(slope), float(intercept), math.nan, math.nan, int(xs.size), confidence)
    fit = stats.linregress(np.log(xs), np.log(ys))
    quantile = float(stats.t.ppf(0.5 + confidence / 2, xs.size - 2))
    return Slope(
        float(fit.slope),
        float(fit.intercept),
        float(fit.stderr),
        quantile * float(fit.stderr),
        int(xs.size),
        confidence,
    )


def _network(samples: np.ndarray, t: float, seed: int) -> Callable[[np.ndarray], Any]:
    return train_dae(samples, t, seed=seed)


def convergence_sweep(
    density: Any,
    t: float,
    sizes: Sequence[int],
    replicates: int,
    seed: int = 0,
    *,
    trainer: Trainer | None = None,
    samples: int = SWEEP_SAMPLES,
    eb_samples: int = SWEEP_EB_SAMPLES,
) -> list[dict[str, Any]]:
    """One row a (training size ``n``, replicate): ``n``, ``seed`` (that of the run: the
    training draws, the network and, plus one, the comparison's draws), ``network`` and
    ``network_ci`` (the trained DAE's relative L2 error to ``g_t`` and its 95% Monte Carlo
    half-width) and ``empirical_bayes`` (the empirical-Bayes denoiser's, same samples).
    ``trainer(samples, t, seed)`` returns the map to measure (default: :func:`train_dae`)."""
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise InvalidArgument(f"replicates={replicates!r}: a positive integer")
    train = _network if trainer is None else trainer
    rows = []
    for n in sizes:
        for r in range(replicates):
            s = derived_seed(seed, density.dim, n, r)
            data = sample(density, n, seed=s)
            net = compare_map(train(data, t, s), density, t, samples=samples, seed=s + 1)
            eb = compare_map(empirical_bayes(data, t), density, t, samples=eb_samples, seed=s + 1)
            rows.append(
                {
                    "n": n,
                    "seed": s,
                    "network": net.relative,
                    "network_ci": net.relative_ci,
                    "empirical_bayes": eb.relative,
                }
            )
    return rows
