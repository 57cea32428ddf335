"""Hypothesis strategies for property-based tests of code that uses symtransport.

Import them in your own tests::

    from hypothesis import given
    from symtransport import ContinuousDAE
    from symtransport._random import strategies

    @given(strategies.gaussian_mixtures(dim=2))
    def test_blowup_time_is_positive(mixture):
        assert ContinuousDAE(mixture).blowup_time > 0

    @given(strategies.gaussian_mixtures(dim=2).flatmap(strategies.times_before_blowup))
    def test_times_are_admissible(t): ...

Every strategy validates its arguments when it is *called* (not when it draws) and raises
:class:`~symtransport.errors.InvalidArgument` naming the argument as ``name=value``.

:func:`gaussian_mixtures` (``dim=1, max_components=3, max_condition=100.0``)
    :class:`~symtransport._theory.densities.GaussianMixture` objects on R^dim, ``1 <= dim <= 6`` (a
    sequence such as ``dim=(1, 2)`` draws the dimension too, shrinking toward the first):

    * ``K`` in ``1 .. max_components`` components (``1 <= max_components <= 20``); weights
      ``n_k / 100`` with positive integers ``n_k`` summing to 100, stored as Python floats such
      as ``0.33`` (read as the decimals they print as, so they sum to exactly 1);
    * means with coordinates ``i / 100``, ``i`` in ``-800 .. 800`` (up to 16 apart per
      coordinate); a component may instead be placed within ``0.25`` per coordinate of an
      earlier one (overlapping components);
    * covariances ``R diag(lambda) R^T``: ``R`` a rotation (an angle in 2-D, a product of
      Givens rotations, one per coordinate plane, in 3-D and up; whole degrees in
      ``-179 .. 180``) and eigenvalues ``s * c^u`` with the scale ``s = 10^(e/100)`` in
      ``[0.1, 10]``, ``c = 0.996 * max_condition`` (isotropic if ``c <= 1``) and exponents
      ``u`` from 0 (the smallest) to a top exponent in ``[0, 1]`` (drawn in ``[0.9, 1]`` about
      half of the time, so condition numbers close to the bound are common); then
      symmetrised and rounded to 3 to 5 decimals, enough that rounding cannot break positive
      definiteness or push the condition number above ``max_condition`` (Weyl's inequality;
      also checked with ``numpy.linalg.eigvalsh``).
      Entries are Python floats. In 1-D the covariance is the variance ``s``.

    Shrinks toward one component of weight ``1.0`` with mean 0 and identity covariance; with
    several components, toward equal weights (``0.33, 0.33, 0.34``) and independent means.
:func:`times_before_blowup` (``mixture, *, max_fraction=0.999``)
    Python floats ``0 <= t < t*``, ``t* = min_k lambda_min(S_k) / 2`` the blow-up time of the
    continuous DAE of ``mixture`` (a numeric :class:`~symtransport._theory.densities.Gaussian` or
    :class:`~symtransport._theory.densities.GaussianMixture`): ``t = f * t*`` with ``f`` uniform in
    ``[0, max_fraction]`` or, for times close to blow-up, in ``[0.9, max_fraction]``
    (``0 < max_fraction < 1``; ``[max_fraction / 2, max_fraction]`` if
    ``max_fraction <= 0.9``). ``t*`` comes from ``numpy.linalg.eigvalsh`` with a safety margin
    (50-digit mpmath for very ill-conditioned covariances), so every draw is strictly below the
    exact ``ContinuousDAE(mixture).blowup_time``. Shrinks toward ``0.0``.
:func:`noise_models` (``dim``)
    :class:`~symtransport._theory.noise.NoiseModel` objects for R^dim: the isotropic Gaussian
    ``N(0, tI)``, an anisotropic Gaussian ``N(0, tC)`` with a drawn symmetric positive definite
    ``C`` of exact rationals (condition number ``<= 100``), Laplace and uniform noise. Shrinks
    toward the isotropic Gaussian.
:func:`points` (``mixture, *, spread=4.0``)
    Float ``numpy`` arrays of shape ``(d,)`` near the mass of ``mixture``: ``m_k + L_k z`` with
    ``k`` a component index, ``L_k`` the Cholesky factor of ``S_k`` and ``z`` in
    ``[-spread, spread]^d`` (so within ``spread`` standard deviations of a component mean).
    Shrinks toward the mean of the first component.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.noise import NoiseModel, noise_model
from symtransport.errors import InvalidArgument

__all__ = ["gaussian_mixtures", "noise_models", "points", "times_before_blowup"]

MAX_DIM = 6  # largest dimension drawn: exact SPD checks in SymPy grow quickly with d
# largest max_components: beyond ~20 components (hundreds of draws each) Hypothesis rarely
# reaches the largest mixtures and each draw spends long in SymPy's exact checks
MAX_COMPONENTS = 20
_MEAN_UNITS = 800  # mean coordinates are i/100 with |i| <= 800
_NEAR_UNITS = 25  # an overlapping component sits within 0.25 per coordinate of another
_ROUNDING_SLACK = 1e-3  # rounding moves each eigenvalue by at most this fraction of lambda_min
_NEAR_BLOWUP = 0.9  # the "close to blow-up" fractions start here
_FLOAT_MARGIN = 1e-12  # relative margin covering float64 eigenvalue and conversion errors


# --------------------------------------------------------------------------------------------
# Argument validation (eager: at call time, not at draw time)
# --------------------------------------------------------------------------------------------


def _check_int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidArgument(
            f"{name}={value!r} is a {type(value).__name__}; expected an int in {low}..{high}."
        )
    if not low <= int(value) <= high:
        raise InvalidArgument(
            f"{name}={value!r} is out of range; expected an int in {low}..{high}."
        )
    return int(value)


def _check_real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgument(
            f"{name}={value!r} is a {type(value).__name__}; expected a finite real number."
        )
    out = float(value)
    if not math.isfinite(out):
        raise InvalidArgument(f"{name}={value!r} is not finite; expected a finite real number.")
    return out


def _numeric_components(mixture: Any, name: str = "mixture") -> list[Gaussian]:
    """The components of a numeric Gaussian or Gaussian mixture."""
    if isinstance(mixture, Gaussian):
        components = [mixture]
    elif isinstance(mixture, GaussianMixture):
        components = list(mixture.components)
    else:
        raise InvalidArgument(
            f"{name}={mixture!r} is a {type(mixture).__name__}; expected a Gaussian or a "
            "GaussianMixture."
        )
    symbols = set().union(*(c.free_symbols for c in components))
    if symbols:
        raise InvalidArgument(
            f"{name} has symbols {sorted(str(s) for s in symbols)} in its means or "
            "covariances; expected numbers (substitute values first)."
        )
    return components


def _as_floats(matrix: sp.MatrixBase) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in matrix.tolist()], dtype=float)


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


def _rotation(degrees: Sequence[int], d: int) -> np.ndarray:
    """The product of Givens rotations, one per coordinate plane (i, j), i < j."""
    r = np.eye(d)
    planes = [(i, j) for i in range(d) for j in range(i + 1, d)]
    for (i, j), angle in zip(planes, degrees, strict=True):
        if angle == 0:
            continue
        theta = math.radians(angle)
        g = np.eye(d)
        g[i, i] = g[j, j] = math.cos(theta)
        g[i, j], g[j, i] = -math.sin(theta), math.sin(theta)
        r = r @ g
    return r


def _condition(matrix: np.ndarray) -> tuple[float, float]:
    """``(lambda_min, condition number)`` of a symmetric matrix (numpy eigvalsh)."""
    eig = np.linalg.eigvalsh(matrix)
    low, high = float(eig[0]), float(eig[-1])
    return low, (high / low if low > 0 else math.inf)


@st.composite
def _covariances(draw: st.DrawFn, d: int, max_condition: float) -> list[list[float]]:
    """A d x d SPD matrix of rounded Python floats with condition number <= max_condition.

    Before rounding the condition number is at most ``max_condition * (1 - 4 eta)`` and the
    rounding perturbation E has ``||E||_2 <= d * 10^-decimals / 2 <= eta * lambda_min``, so by
    Weyl's inequality the rounded matrix has condition at most
    ``max_condition * (1 - 4 eta) (1 + eta) / (1 - eta) < max_condition`` (eta = 1e-3).
    """
    eta = _ROUNDING_SLACK
    spread = max_condition * (1 - 4 * eta)
    scale = 10 ** (draw(st.integers(-100, 100)) / 100)  # in [0.1, 10], shrinks to 1
    eigenvalues = [scale] * d
    if spread > 1 and d > 1:
        # log_spread(cov) / log(spread) in [0, 1]; the second branch: near the bound
        top = draw(st.one_of(st.integers(0, 1000), st.integers(900, 1000))) / 1000
        inner = [draw(st.integers(0, 1000)) / 1000 * top for _ in range(d - 2)]
        eigenvalues = [scale * spread**u for u in (0.0, *inner, top)]
    degrees = [draw(st.integers(-179, 180)) for _ in range(d * (d - 1) // 2)]  # shrink to 0
    r = _rotation(degrees, d)
    s = r @ np.diag(eigenvalues) @ r.T
    decimals = max(3, math.ceil(math.log10(d / (2 * eta * min(eigenvalues)))))
    rounded = [[0.0] * d for _ in range(d)]
    for i in range(d):
        for j in range(i, d):
            value = round(float((s[i, j] + s[j, i]) / 2), decimals) + 0.0  # + 0.0: no -0.0
            rounded[i][j] = rounded[j][i] = value
    low, condition = _condition(np.array(rounded))
    assume(low > 0 and condition <= max_condition)  # holds by construction (see above)
    return rounded


@st.composite
def _weights(draw: st.DrawFn, k: int) -> list[float]:
    """k positive integers summing to 100, divided by 100; shrinks toward equal shares."""
    counts, remaining = [], 100
    for i in range(k - 1):
        left = k - i  # components still to be given a share, this one included
        share = remaining // left
        high = remaining - (left - 1)
        counts.append(share + draw(st.integers(1 - share, high - share)))
        remaining -= counts[-1]
    counts.append(remaining)
    return [n / 100 for n in counts]


@st.composite
def _means(draw: st.DrawFn, k: int, d: int) -> list[list[float]]:
    """k mean vectors with coordinates i/100; later ones may sit next to an earlier one."""
    units: list[list[int]] = []
    coordinate = st.integers(-_MEAN_UNITS, _MEAN_UNITS)
    for index in range(k):
        if index and draw(st.booleans()):
            anchor = units[draw(st.integers(0, index - 1))]
            offsets = [draw(st.integers(-_NEAR_UNITS, _NEAR_UNITS)) for _ in range(d)]
            clip = _MEAN_UNITS
            units.append(
                [max(-clip, min(clip, a + o)) for a, o in zip(anchor, offsets, strict=True)]
            )
        else:
            units.append([draw(coordinate) for _ in range(d)])
    return [[u / 100 for u in row] for row in units]


@st.composite
def _mixtures(
    draw: st.DrawFn, d: int, max_components: int, max_condition: float
) -> GaussianMixture:
    k = draw(st.integers(1, max_components))
    weights = draw(_weights(k)) if k > 1 else [1.0]
    means = draw(_means(k, d))
    covs = [draw(_covariances(d, max_condition)) for _ in range(k)]
    return GaussianMixture.from_arrays(weights, means, covs)


# --------------------------------------------------------------------------------------------
# Public strategies
# --------------------------------------------------------------------------------------------


def gaussian_mixtures(
    dim: int | Sequence[int] = 1, max_components: int = 3, max_condition: float = 100.0
) -> SearchStrategy[GaussianMixture]:
    """Gaussian mixtures on R^dim with at most ``max_components`` components whose covariances
    have condition number at most ``max_condition``; see the module docstring. ``dim`` may be
    a sequence of dimensions, drawn among (shrinking toward the first)."""
    if isinstance(dim, Sequence) and not isinstance(dim, str):
        if not dim:
            raise InvalidArgument("dim=[] is empty; expected a dimension or a list of them")
        dims = [_check_int(v, "dim", 1, MAX_DIM) for v in dim]
        gaussian_mixtures(dims[0], max_components, max_condition)  # validates the rest now
        return st.sampled_from(dims).flatmap(
            lambda d: gaussian_mixtures(d, max_components, max_condition)
        )
    d = _check_int(dim, "dim", 1, MAX_DIM)
    k = _check_int(max_components, "max_components", 1, MAX_COMPONENTS)
    bound = _check_real(max_condition, "max_condition")
    if bound < 1:
        raise InvalidArgument(
            f"max_condition={max_condition!r} is below 1; expected a bound >= 1 on the "
            "condition number lambda_max / lambda_min (1 allows isotropic covariances only)."
        )
    return _mixtures(d, k, bound)


def _lambda_min_mp(cov: sp.MatrixBase) -> mpmath.mpf:
    """A lower bound on lambda_min(cov) from 50-digit mpmath eigenvalues."""
    with mpmath.workdps(50):
        entries = [[mpmath.mpf(str(sp.N(v, 60))) for v in row] for row in cov.tolist()]
        eig = mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True)
        values = sorted(eig[i] for i in range(len(eig)))
        return values[0] - mpmath.mpf(10) ** -40 * abs(values[-1])


def _blowup_time_below(components: Sequence[Gaussian]) -> float:
    """A float strictly below ``t* = min_k lambda_min(S_k) / 2`` (relative gap ~1e-12)."""
    bound = math.inf
    for c in components:
        eig = np.linalg.eigvalsh(_as_floats(c.cov))
        low, high = float(eig[0]), float(eig[-1])
        safe = low - _FLOAT_MARGIN * max(abs(low), abs(high))
        if not safe > 1e-6 * abs(low):  # too ill-conditioned for float64
            safe = float(_lambda_min_mp(c.cov)) * (1 - _FLOAT_MARGIN)
        if not safe > 0:
            raise InvalidArgument(
                f"mixture has a covariance with lambda_min ~ {low:.3g} and lambda_max ~ "
                f"{high:.3g}; its blow-up time cannot be bounded below in 50 digits. Expected "
                "covariances with a condition number below ~1e40."
            )
        bound = min(bound, safe)
    return bound / 2 * (1 - _FLOAT_MARGIN)


def times_before_blowup(
    mixture: Gaussian | GaussianMixture, *, max_fraction: float = 0.999
) -> SearchStrategy[float]:
    """Times ``0 <= t < t*`` before the blow-up of the continuous DAE of ``mixture``, as
    Python floats ``t = f * t*`` with ``0 <= f <= max_fraction``; see the module docstring."""
    components = _numeric_components(mixture)
    fraction = _check_real(max_fraction, "max_fraction")
    if not 0 < fraction < 1:
        raise InvalidArgument(
            f"max_fraction={max_fraction!r} is out of range; expected 0 < max_fraction < 1 "
            "(the fraction of the blow-up time t* that times may reach)."
        )
    t_star = _blowup_time_below(components)
    near = _NEAR_BLOWUP if fraction > _NEAR_BLOWUP else fraction / 2
    fractions = st.one_of(
        st.floats(0.0, fraction),  # first: shrinks toward 0
        st.floats(near, fraction),  # times close to blow-up
    )
    return fractions.map(lambda f: float(f * t_star))


def noise_models(dim: int) -> SearchStrategy[NoiseModel]:
    """Noise models on R^dim: isotropic Gaussian, anisotropic Gaussian ``N(0, tC)``, Laplace,
    uniform; see the module docstring."""
    d = _check_int(dim, "dim", 1, MAX_DIM)
    shapes = _covariances(d, 100.0).map(
        lambda rows: sp.ImmutableMatrix([[sp.Rational(repr(v)) for v in row] for row in rows])
    )
    return st.one_of(
        st.builds(noise_model, st.just("gaussian")),  # first: the shrink target
        st.builds(noise_model, st.just("gaussian"), shapes),
        st.builds(noise_model, st.just("laplace")),
        st.builds(noise_model, st.just("uniform")),
    )


def _cholesky(cov: sp.MatrixBase) -> np.ndarray:
    """The lower Cholesky factor as floats (50-digit mpmath if float64 sees no SPD matrix)."""
    try:
        return np.linalg.cholesky(_as_floats(cov))
    except np.linalg.LinAlgError:
        with mpmath.workdps(50):
            entries = [[mpmath.mpf(str(sp.N(v, 60))) for v in row] for row in cov.tolist()]
            factor = mpmath.cholesky(mpmath.matrix(entries))
            return np.array(factor.tolist(), dtype=float)


def points(
    mixture: Gaussian | GaussianMixture, *, spread: float = 4.0
) -> SearchStrategy[np.ndarray]:
    """Points ``m_k + L_k z`` with ``z`` in ``[-spread, spread]^d`` near the mass of
    ``mixture``, as float arrays of shape ``(d,)``; see the module docstring."""
    components = _numeric_components(mixture)
    reach = _check_real(spread, "spread")
    if reach < 0:
        raise InvalidArgument(f"spread={spread!r} is negative; expected a spread >= 0.")
    means = [_as_floats(c.mean).reshape(-1) for c in components]
    factors = [_cholesky(c.cov) for c in components]
    d = len(means[0])

    @st.composite
    def draw_point(draw: st.DrawFn) -> np.ndarray:
        k = draw(st.integers(0, len(components) - 1))
        z = np.array([draw(st.floats(-reach, reach)) for _ in range(d)], dtype=float)
        return means[k] + factors[k] @ z

    return draw_point()
