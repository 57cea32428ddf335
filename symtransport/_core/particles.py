"""Particles carried by a velocity field: ``dx/dt = v_t(x)``, optionally with
``d/dt log det grad phi_t = div v_t(phi_t)`` (Liouville's formula, [J] Fact 2 / eq. (9)).

:func:`integrate` runs SciPy's DOP853 (explicit Runge-Kutta of order 8 with adaptive steps) on
all particles at once, with one vectorised call of the field per stage, e.g. a velocity
compiled by :func:`~symtransport.compile_map`. The log-Jacobian makes the change of variables
``mu_t(phi_t(x)) det grad phi_t(x) = mu_0(x)`` (7) checkable particle by particle, and the
entropy of the pushforward computable: ``H(phi_t # mu_0) = H(mu_0) + E_mu_0[log det grad phi_t]``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from symtransport.errors import IllPosedError, InvalidArgument

__all__ = ["integrate"]

Field = Callable[[np.ndarray, float], np.ndarray]


def integrate(
    field: Field,
    x0: Any,
    times: Sequence[float],
    *,
    log_jacobian: bool = False,
    start: float = 0.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Particles ``phi_t(x0)`` at each of ``times`` (shape ``(len(times), N, d)``), the flow of
    ``dx/dt = field(x, t)[:, :d]`` started at ``x0`` (an ``(N, d)`` array) at time ``start``.

    With ``log_jacobian=True`` the field returns ``d + 1`` columns, the last being the
    divergence of the velocity, and the result is also ``log det grad phi_t(x0)`` (shape
    ``(len(times), N)``). ``times``: strictly increasing numbers ``>= start``. Raises
    :class:`InvalidArgument` for bad arguments and :class:`IllPosedError` when the solver fails.
    """
    points = np.asarray(x0, dtype=float)
    if points.ndim != 2 or points.shape[0] < 1:
        raise InvalidArgument(f"x0 has shape {points.shape}; expected (N, d) with N >= 1")
    if not np.all(np.isfinite(points)):
        raise InvalidArgument("x0 has NaN or infinite entries; give finite starting points")
    if not (0 < rtol < 1 and atol > 0):
        raise InvalidArgument(f"rtol={rtol!r}, atol={atol!r}: need 0 < rtol < 1 and atol > 0")
    grid = [float(s) for s in times]
    if (
        not grid
        or not all(np.isfinite(grid))
        or grid[0] < start
        or any(b <= a for a, b in itertools.pairwise(grid))
    ):
        raise InvalidArgument(
            f"times={list(times)!r} must be a non-empty strictly increasing sequence of finite "
            f"numbers >= start={start!r}"
        )
    n, d = points.shape
    width = d + 1 if log_jacobian else d

    def rhs(s: float, y: np.ndarray) -> np.ndarray:
        state = y.reshape(n, width)
        out = np.asarray(field(np.ascontiguousarray(state[:, :d]), s))
        if out.ndim != 2 or out.shape[0] != n or out.shape[1] < width:
            raise InvalidArgument(
                f"the field returned shape {out.shape}; expected ({n}, {width}) (the velocity"
                + (" and its divergence)" if log_jacobian else ")")
            )
        return out[:, :width].ravel()

    initial = np.zeros((n, width))
    initial[:, :d] = points
    if grid[-1] == start:  # nothing to integrate: every time is the start
        states = np.broadcast_to(initial, (len(grid), n, width)).copy()
    else:
        solution = solve_ivp(
            rhs, (start, grid[-1]), initial.ravel(), "DOP853", t_eval=grid, rtol=rtol, atol=atol
        )
        if not solution.success:
            raise IllPosedError(f"the particle integration failed: {solution.message}")
        states = solution.y.T.reshape(len(grid), n, width)
    if not np.all(np.isfinite(states)):
        raise IllPosedError(
            "the particle integration produced non-finite values: the field blew up"
        )
    if log_jacobian:
        return states[:, :, :d], states[:, :, d]
    return states
