"""Quadrature over R^d (d <= 3) of functions given as callables: never Monte Carlo.

:func:`quad_1d`
    ``int_R f`` by mpmath tanh-sinh quadrature at a given precision (30 digits for the
    normalisation of a density), with the line cut at given break points (kinks, peaks), so
    that ``f`` is analytic on each piece.
:func:`quad_nd`
    ``int_{R^d} f`` for d = 2 or 3 in float64: adaptive QUADPACK over the first variable (qagi
    on the two tails, qags between the break points) around a vectorised product
    double-exponential rule over the others. The inner rule is the trapezoid rule of step
    ``h`` after the substitutions ``x = c + r tanh(pi/2 sinh s)`` (tanh-sinh) on each finite
    piece between break points and ``x = b +- exp(pi/2 sinh s)`` (exp-sinh) on the two tails;
    both converge exponentially in ``1/h`` for integrands analytic inside each piece,
    including algebraically decaying tails. The step is halved from 1/4 until two successive
    steps agree to 1e-11 in 2-D, 1e-10 in 3-D (the difference is the error estimate).

The callers (:mod:`symtransport._theory.densities`) supply the integrand, its break points and
its peaks, and judge the results (relative error, divergence, decay of the marginal).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import mpmath
import numpy as np
from scipy import integrate as sp_integrate

__all__ = ["QuadState", "quad_1d", "quad_nd"]

_DE_STEPS = (1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64)
_DE_FINITE = 3.2  # tanh-sinh: t in [-3.2, 3.2] reaches the ends to double precision
_DE_INFINITE = 4.0  # exp-sinh: t in [-4, 4] covers distances 1e-19 .. 4e18 from the break


def quad_1d(f: Callable[[Any], Any], breaks: Iterable[Any], dps: int) -> tuple[Any, Any]:
    """``(int_R f, error estimate)`` by tanh-sinh quadrature at ``dps`` digits.

    ``f`` maps an mpf to a real mpf; ``breaks`` (numbers or mpf, repeats allowed) cut R into
    the pieces ``mpmath.quad`` integrates separately.
    """
    with mpmath.workdps(dps):
        inner = sorted(mpmath.mpf(b) for b in breaks)
        inner = [b for i, b in enumerate(inner) if i == 0 or b != inner[i - 1]]
        points = [-mpmath.inf, *inner, mpmath.inf]
        value, error = mpmath.quad(f, points, error=True)
        return +value, +error


class QuadState:
    """What the inner quadratures reported: largest error and value, and trouble flags."""

    def __init__(self) -> None:
        self.inner_error = 0.0
        self.inner_value = 0.0
        self.divergent = False
        self.unconverged = False

    def record(self, value: float, error: float) -> None:
        """Note one inner integral and its error estimate."""
        self.inner_error = max(self.inner_error, error)
        self.inner_value = max(self.inner_value, abs(value))

    @property
    def inner_relative_error(self) -> float:
        """The largest inner error relative to the largest inner value (0 if all were 0)."""
        return self.inner_error / self.inner_value if self.inner_value > 0 else 0.0


def _de_rule(breaks: Sequence[float], h: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the double-exponential trapezoid rule of step ``h`` on R.

    The line is cut at ``breaks``: tanh-sinh on each finite piece,
    ``x = c + r tanh(pi/2 sinh s)``, and exp-sinh on the two tails,
    ``x = b +- exp(pi/2 sinh s)``. Both converge exponentially in ``1/h`` for integrands
    analytic inside each piece, including algebraically decaying tails.
    """
    points = sorted(set(breaks)) or [0.0]
    s = np.arange(-_DE_INFINITE, _DE_INFINITE + h / 2, h)
    far = np.exp(np.pi / 2 * np.sinh(s))
    far_w = h * np.pi / 2 * np.cosh(s) * far
    nodes = [points[0] - far[::-1], points[-1] + far]
    weights = [far_w[::-1], far_w]
    u = np.arange(-_DE_FINITE, _DE_FINITE + h / 2, h)
    arg = np.pi / 2 * np.sinh(u)
    unit, unit_w = np.tanh(arg), h * np.pi / 2 * np.cosh(u) / np.cosh(arg) ** 2
    for a, b in itertools.pairwise(points):
        centre, half = (a + b) / 2, (b - a) / 2
        nodes.append(centre + half * unit)
        weights.append(half * unit_w)
    return np.concatenate(nodes), np.concatenate(weights)


def _segments(
    g: Any, breaks: Iterable[float], epsabs: float, epsrel: float, state: QuadState
) -> tuple[float, float]:
    """Adaptive QUADPACK over R cut at ``breaks`` (qagi on the tails, qags in between)."""
    points = sorted({float(b) for b in breaks})
    edges = [-math.inf, *points, math.inf]
    total, error = 0.0, 0.0
    for a, b in itertools.pairwise(edges):
        out = sp_integrate.quad(g, a, b, epsabs=epsabs, epsrel=epsrel, limit=200, full_output=1)
        total += out[0]
        error += out[1]
        if len(out) > 3 and "divergent" in str(out[3]):
            state.divergent = True
    return total, error


def quad_nd(
    f: Callable[..., np.ndarray],
    breaks: Sequence[Collection[float]],
    scale: float,
    *,
    peaks: Callable[[float], Iterable[float]] | None = None,
    marginal_at: Sequence[float] = (),
) -> tuple[float, float, list[float], QuadState]:
    """``(int f, error estimate, marginal values, state)`` for d = ``len(breaks)`` = 2 or 3.

    ``f(x0, y)`` (2-D) or ``f(x0, y[:, None], z[None, :])`` (3-D) evaluates the integrand in
    float64 on broadcast arrays, with finite values. ``breaks[i]`` are the break points of
    axis ``i``; ``scale`` is the size of ``f`` (its largest value seen), for the absolute
    tolerances. The outer variable is integrated by adaptive QUADPACK; for each of its values
    ``x0`` the inner integral over the remaining d - 1 variables is a product double-exponential
    rule (:func:`_de_rule`), vectorised in NumPy, with the step halved until two successive
    steps agree to 1e-11 in 2-D, 1e-10 in 3-D (the difference is the error estimate). In 2-D
    each slice also gets break points at ``peaks(x0)`` (the local maxima of ``f(x0, .)``), so
    a ridge is not missed. The marginal ``int f(x0, ...)`` is returned at each ``x0`` in
    ``marginal_at`` (for a check of its decay). ``state`` collects what the inner rules report:
    the largest inner error and value, ``unconverged`` (no two steps agreed to 1e-6), and
    ``divergent`` (mass left at the rule's ends, beyond distance 4e18, or QUADPACK's own
    divergence diagnosis).
    """
    d = len(breaks)
    if d not in (2, 3):
        raise ValueError(f"quad_nd integrates over R^2 or R^3, not R^{d}")
    scale = max(scale, 1e-300)
    axis_breaks = [set(b) for b in breaks]
    state = QuadState()
    rules: dict[tuple[int, float], tuple[np.ndarray, np.ndarray]] = {}

    def rule(axis: int, h: float) -> tuple[np.ndarray, np.ndarray]:
        key = (axis, h)
        if key not in rules:
            rules[key] = _de_rule(sorted(axis_breaks[axis]), h)
        return rules[key]

    tolerance = 1e-11 if d == 2 else 1e-10
    steps = _DE_STEPS if d == 2 else _DE_STEPS[:-1]

    def inner(x0: float) -> float:
        previous = math.nan
        value = 0.0
        if d == 2:
            slice_breaks = sorted(axis_breaks[1] | set(peaks(x0) if peaks is not None else ()))
        for h in steps:
            if d == 2:
                nodes, weights = _de_rule(slice_breaks, h)
                values = f(np.float64(x0), nodes)
                value = float(weights @ values)
                ends = values[[0, -1]] * weights[[0, -1]]
            else:
                ny, wy = rule(1, h)
                nz, wz = rule(2, h)
                grid = f(np.float64(x0), ny[:, None], nz[None, :])
                value = float(wy @ grid @ wz)
                ends = np.concatenate([grid[[0, -1], :] @ wz, wy @ grid[:, [0, -1]]])
            gap = abs(value - previous)
            if gap <= tolerance * abs(value) + 1e-15 * scale:
                break
            previous = value
        else:
            state.unconverged = state.unconverged or gap > 1e-6 * abs(value) + 1e-12 * scale
        if np.abs(ends).max(initial=0.0) > 1e-12 * abs(value) + 1e-15 * scale:
            state.divergent = True  # mass left beyond distance 4e18: tails too heavy
        state.record(value, gap)
        return value

    with np.errstate(all="ignore"):
        value, error = _segments(inner, axis_breaks[0], 1e-14 * scale, tolerance, state)
        marginal = [inner(x0) for x0 in marginal_at]
    return value, error, marginal, state
