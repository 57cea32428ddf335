"""One-step denoisers as Euler steps of the continuous DAE ([J] Def. 4, §4.3, Thm 7; notes §1).

Noisy data ``u = mu_0 * N(0, sI)``. The continuous DAE of ``u``, ``dx/dtau = grad log u_tau(x)``
((23), (26)), moves ``u`` along the backward heat equation (27), ``u_tau = mu_0 * N(0, (s - 2tau)
I)`` (variances shrink at rate 2, notes §1), so it returns ``mu_0`` exactly at ``tau = s/2``. For
a Gaussian mixture ``mu_0`` the field ``grad log u_tau`` is in closed form for ``0 <= tau <= s/2``
(the mixture with covariances ``S_k + (s - 2tau) I``). The schemes below integrate that ODE from
``tau = 0`` to ``s/2`` (``total = s/2``, ``L`` steps of ``h = total/L``):

* ``full``: ``x + s grad log u(x)``, Tweedie's denoiser, the shallow DAE of ``mu_0`` at noise
  ``s`` ((17)): one Euler step of length ``s``, twice the time that returns ``mu_0``;
* ``euler`` (``L`` steps): ``x_{l+1} = x_l + h grad log u_{lh}(x_l)``; ``L = 1`` is
  "half-denoising" ``x + (s/2) grad log u(x)`` (Hyvarinen 2024; Beyler & Bach 2025);
* ``heun`` (``L`` steps, the explicit trapezoid): ``y = x_l + h v(lh, x_l)``,
  ``x_{l+1} = x_l + (h/2) (v(lh, x_l) + v((l + 1)h, y))``; its last stage uses the exact field
  at ``tau = s/2``, the score of ``mu_0`` itself.

A field is given as ``velocity(progress, x)``: ``grad log u_tau(x)`` at ``tau = progress *
total``, ``progress`` an exact :class:`fractions.Fraction` in ``[0, 1]``, so the same schemes run
on SymPy expressions (the proofs' Gaussian family) and on float arrays (:func:`mixture_velocity`).

W2 error in 1-D (:func:`w2_error`). The map ``S = F_0^{-1} o F_u`` is the monotone map that
pushes ``u`` to ``mu_0``, the continuous DAE's flow map ``phi_{s/2}`` (a monotone map pushing
``u`` to ``mu_0`` is unique). When a scheme's map ``T`` is increasing, ``(T, S)`` is the monotone
coupling of ``T # u`` and ``mu_0``, so ``W2^2(T # u, mu_0) = int (T - S)^2 du`` exactly; without
monotonicity the integral is still the cost of a coupling, an upper bound. The integral is
``numerics.expectation`` over ``u`` (quadrature with an error estimate), ``F_0^{-1}`` is
``mixture_quantile`` (float64 accuracy, both tails), and ``T`` is checked increasing on every
quadrature node: deterministic, with no sampling floor.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from symtransport._core.decimals import exact_scalar
from symtransport._core.particles import integrate
from symtransport._random.numerics import expectation, mixture_arrays, score
from symtransport._random.parametric import family_of, flow_field
from symtransport._random.samples import mixture_quantile
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport.errors import InvalidArgument

__all__ = [
    "FULL",
    "HALF",
    "HEUN",
    "Scheme",
    "W2Error",
    "clean_map",
    "coupling_error",
    "mixture_velocity",
    "one_step_errors",
    "w2_error",
]

#: DOP853 tolerances of the exact flow map in :func:`coupling_error`
FLOW_RTOL = 1e-12
FLOW_ATOL = 1e-14

#: ``velocity(progress, x)``: ``grad log u_tau(x)`` at ``tau = progress * total``
Velocity = Callable[[Fraction, Any], Any]


def _full(velocity: Velocity, x: Any, total: Any, steps: int) -> Any:
    """``x + 2 total v(0, x)``: one Euler step of twice the time (Tweedie's
    ``x + s grad log u``)."""
    return x + 2 * total * velocity(Fraction(0), x)


def _euler(velocity: Velocity, x: Any, total: Any, steps: int) -> Any:
    """``steps`` Euler steps of ``h = total/steps``, the field at the left end of each."""
    h = total / steps
    for ell in range(steps):
        x = x + h * velocity(Fraction(ell, steps), x)
    return x


def _heun(velocity: Velocity, x: Any, total: Any, steps: int) -> Any:
    """``steps`` Heun (explicit trapezoid) steps of ``h = total/steps``."""
    h = total / steps
    for ell in range(steps):
        start = velocity(Fraction(ell, steps), x)
        guess = x + h * start
        x = x + h / 2 * (start + velocity(Fraction(ell + 1, steps), guess))
    return x


_METHODS: dict[str, Callable[[Velocity, Any, Any, int], Any]] = {
    "full": _full,
    "euler": _euler,
    "heun": _heun,
}


@dataclass(frozen=True)
class Scheme:
    """A scheme for ``dx/dtau = grad log u_tau(x)`` from ``tau = 0`` to ``total``: ``method``
    one of ``full``, ``euler``, ``heun`` (module docstring), ``steps`` ``L >= 1`` (1 for
    ``full``)."""

    method: str
    steps: int = 1

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise InvalidArgument(f"method={self.method!r}; use one of {sorted(_METHODS)}")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 1:
            raise InvalidArgument(f"steps={self.steps!r}: an integer >= 1")
        if self.method == "full" and self.steps != 1:
            raise InvalidArgument(f"steps={self.steps}: the full step is a single step")

    @property
    def name(self) -> str:
        """``full``, ``half`` (one Euler step), ``heun``, or ``euler-L`` / ``heun-L``."""
        if self.method == "euler" and self.steps == 1:
            return "half"
        return self.method if self.steps == 1 else f"{self.method}-{self.steps}"

    def __call__(self, velocity: Velocity, x: Any, total: Any) -> Any:
        """The scheme's map at ``x`` (SymPy or NumPy, as ``velocity`` returns)."""
        return _METHODS[self.method](velocity, x, total, self.steps)


FULL = Scheme("full")
HALF = Scheme("euler", 1)
HEUN = Scheme("heun", 1)


def _exact(value: Any, name: str) -> sp.Rational:
    """``value`` as an exact positive rational (a float read as its shortest decimal)."""
    exact = exact_scalar(value, name)
    if not (exact.is_Rational and exact > 0):
        raise InvalidArgument(f"{name}={value!r}: a positive rational number")
    return exact


@functools.lru_cache(maxsize=256)  # the fields of a few noise levels, shared by the schemes
def _smoothed(
    mixture: Gaussian | GaussianMixture, variance: sp.Rational
) -> Gaussian | GaussianMixture:
    """``mu_0 * N(0, variance I)`` (``mu_0`` itself for ``variance = 0``)."""
    return mixture.smoothed(variance) if variance != 0 else mixture


def mixture_velocity(mixture: Gaussian | GaussianMixture, s: Any) -> Velocity:
    """``velocity(progress, X) = grad log u_tau(X)`` for ``u_tau = mu_0 * N(0, s (1 - progress)
    I)`` (``tau = progress s/2``): the continuous DAE's field for ``u = mu_0 * N(0, sI)``,
    each ``u_tau`` built once (:meth:`smoothed`) and evaluated by ``numerics.score``."""
    noise = _exact(s, "s")

    def velocity(progress: Fraction, x: np.ndarray) -> np.ndarray:
        left = 1 - sp.Rational(progress.numerator, progress.denominator)
        return score(_smoothed(mixture, noise * left), x)

    return velocity


def clean_map(mixture: Gaussian | GaussianMixture, s: Any, x: np.ndarray) -> np.ndarray:
    """``S(x) = F_0^{-1}(F_u(x))`` at the points ``x`` (N,) for a 1-D ``mixture`` ``mu_0`` and
    ``u = mu_0 * N(0, s)``: the monotone map pushing ``u`` to ``mu_0``, which is the continuous
    DAE's flow map ``phi_{s/2}`` (module docstring). ``F_u`` and ``1 - F_u`` are summed on their
    own (both tails keep their relative accuracy) and ``F_0^{-1}`` is ``mixture_quantile``."""
    if mixture.dim != 1:
        raise InvalidArgument(f"mixture is on R^{mixture.dim}; the quantile map needs R^1")
    weights, means, covs = mixture_arrays(_smoothed(mixture, _exact(s, "s")))
    z = (np.asarray(x, dtype=float)[:, None] - means[:, 0]) / np.sqrt(covs[:, 0, 0])
    # each of p, q is used only on its own side of the median, where it is below 1/2; the
    # other may round to 1 in float64 and only has to stay below it to pick the side
    below = 1.0 - 2.0**-53
    p = np.minimum(special.ndtr(z) @ weights, below)
    q = np.minimum(special.ndtr(-z) @ weights, below)
    clean = mixture_arrays(mixture)
    return mixture_quantile(clean[0], clean[1][:, 0], np.sqrt(clean[2][:, 0, 0]), p, q)


@dataclass(frozen=True)
class W2Error:
    """``W2(T # u, mu_0)`` for a scheme's map ``T``: ``value`` (the square root of the
    quadrature of ``(T - S)^2`` over ``u``), ``error`` (its bound, from the quadrature's error
    on the square), ``monotone`` (``T`` increased over every quadrature node: then ``value`` is
    the exact W2, else an upper bound) and ``nodes`` (how many were checked)."""

    value: float
    error: float
    monotone: bool
    nodes: int


def w2_error(
    mixture: Gaussian | GaussianMixture, s: Any, scheme: Scheme, velocity: Velocity | None = None
) -> W2Error:
    """``W2(T # u, mu_0)`` in 1-D for ``u = mu_0 * N(0, s)`` and ``T`` the ``scheme`` run over
    ``total = s/2`` on the field ``velocity`` (default :func:`mixture_velocity`; a test may pass
    a wrong one): ``int (T - F_0^{-1} o F_u)^2 du`` by ``numerics.expectation`` (module
    docstring)."""
    if mixture.dim != 1:
        raise InvalidArgument(f"mixture is on R^{mixture.dim}; the quantile W2 needs R^1")
    noise = _exact(s, "s")
    field = mixture_velocity(mixture, noise) if velocity is None else velocity
    total = float(noise) / 2
    seen = {"monotone": True, "nodes": 0}

    def squared_gap(x: np.ndarray) -> np.ndarray:
        image = np.asarray(scheme(field, x, total), dtype=float)[:, 0]
        order = np.argsort(x[:, 0])
        seen["monotone"] = seen["monotone"] and bool(np.all(np.diff(image[order]) > 0))
        seen["nodes"] += x.shape[0]
        return (image - clean_map(mixture, noise, x[:, 0])) ** 2

    noisy = _smoothed(mixture, noise)
    estimate = expectation(noisy, squared_gap)
    value = math.sqrt(max(estimate.value, 0.0))
    upper = math.sqrt(max(estimate.value, 0.0) + estimate.error)
    return W2Error(value, upper - value, bool(seen["monotone"]), int(seen["nodes"]))


def coupling_error(mixture: Gaussian | GaussianMixture, s: Any, scheme: Scheme) -> W2Error:
    """``sqrt(E_u |T(x) - phi_{s/2}(x)|^2) >= W2(T # u, mu_0)`` in ``R^d`` (``d <= 2``: the
    quadrature of ``numerics.expectation``): the cost of the coupling ``(T(X), phi(X))``,
    ``X ~ u``, with ``phi`` the continuous DAE's flow map of ``u``, which pushes ``u`` to
    ``mu_0`` (particles of the compiled velocity (43), DOP853 at ``rtol = 1e-12``). An upper
    bound on W2 (equal to it in 1-D, where both maps are monotone); ``monotone`` is not
    checked here (always False)."""
    noise = _exact(s, "s")
    noisy = _smoothed(mixture, noise)
    field = mixture_velocity(mixture, noise)
    fam = family_of(noisy)
    flow = flow_field(fam, fam.values(noisy))
    total = float(noise) / 2
    seen = {"nodes": 0}

    def squared_gap(x: np.ndarray) -> np.ndarray:
        image = np.asarray(scheme(field, x, total), dtype=float)
        exact = integrate(flow, x, [total], rtol=FLOW_RTOL, atol=FLOW_ATOL)[-1]
        seen["nodes"] += x.shape[0]
        return np.sum((image - exact) ** 2, axis=1)

    estimate = expectation(noisy, squared_gap)
    value = math.sqrt(max(estimate.value, 0.0))
    upper = math.sqrt(max(estimate.value, 0.0) + estimate.error)
    return W2Error(value, upper - value, False, int(seen["nodes"]))


def one_step_errors(
    mixture: Gaussian | GaussianMixture, noises: Sequence[Any], schemes: Sequence[Scheme]
) -> dict[str, list[W2Error]]:
    """``{scheme.name: [W2(T # u_s, mu_0) for s in noises]}`` (:func:`w2_error`)."""
    return {sc.name: [w2_error(mixture, s, sc) for s in noises] for sc in schemes}
