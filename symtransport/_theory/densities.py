"""Probability densities on R^d: Gaussians, Gaussian mixtures and densities given by a formula.

Three frozen dataclasses share one small interface (``dim``, ``pdf(xs)``, ``family``,
``normalisation``) and validate their invariants on construction; :func:`as_density` turns
an expression into one. This module defines :class:`Density` and re-exports the rest:

:class:`Gaussian`, :class:`GaussianMixture` (:mod:`symtransport._theory.gaussians`)
    ``N(m, S)``, with density ``exp(-(x - m)^T S^{-1} (x - m) / 2) / sqrt((2 pi)^d det S)``, and
    ``sum_k w_k N(m_k, S_k)`` ([J] §5.1, eqs. (38)-(43); responsibilities [J] eq. (40);
    smoothing ``nu_t * N(m, S) = N(m, S + tI)``, [J] App. D).
:class:`Density`
    ``mu(x) = f(x) / Z`` for a non-negative, integrable expression ``f`` (SymPy or text) with
    ``Z = int_{R^d} f``. ``Z`` is exact when the expression is a Gaussian family
    (:func:`recognise_gaussian_family`, :mod:`symtransport._theory.recognition`), a polynomial
    times a Gaussian, or when SymPy integrates it within a time budget; otherwise it is computed
    by quadrature (:mod:`symtransport._core.quadrature`: mpmath tanh-sinh at 30 digits in 1-D;
    in 2-D and 3-D adaptive QUADPACK over the first variable around a vectorised
    double-exponential rule over the others; never Monte Carlo), after the values and tails of
    ``f`` were checked (:mod:`symtransport._theory.probes`; :func:`check_values` runs the
    value checks alone).

Every entry given as a Python float or SymPy Float is read as the decimal the user typed
(:mod:`symtransport._core.decimals`): ``0.1`` becomes ``Rational(1, 10)``, so sums of typed weights
such as ``0.1 + 0.2 + 0.7`` are exactly 1. Variables are read by :func:`symbols_of`
(:mod:`symtransport._theory.variables`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from symtransport._core.budget import run_with_budget
from symtransport._core.decimals import exact_expression, exact_scalar
from symtransport._core.decimals import shown as _show
from symtransport._core.gaussint import gaussian_integral
from symtransport._core.matrices import coordinates
from symtransport._core.quadrature import QuadState, quad_1d, quad_nd
from symtransport._core.stages import stage
from symtransport._theory.gaussians import Gaussian, GaussianMixture
from symtransport._theory.probes import DECAY_MARGIN, DPS, TAIL_RADII, Probe, check_values
from symtransport._theory.recognition import (
    family_from_bumps,
    gaussian_bumps,
    recognise_gaussian_family,
)
from symtransport._theory.variables import symbols_of
from symtransport.errors import InvalidArgument, UnsupportedError
from symtransport.parsing import parse_expression

__all__ = [
    "MAX_NUMERIC_DIM",
    "SYMBOLIC_BUDGET",
    "Density",
    "Gaussian",
    "GaussianMixture",
    "as_density",
    "check_values",
    "exact_scalar",
    "recognise_gaussian_family",
    "symbols_of",
]

#: Largest dimension for which a non-Gaussian :class:`Density` is normalised numerically.
MAX_NUMERIC_DIM = 3
#: Default wall-clock budget (seconds) for SymPy's integrator when normalising a Density.
SYMBOLIC_BUDGET = 5.0

_REL_TOL_1D = mpmath.mpf(10) ** -12  # largest accepted relative error estimate, 1-D
_REL_TOL_ND = 1e-7  # largest accepted relative error estimate, 2-D and 3-D (float64)


# --------------------------------------------------------------------------------------------
# Normalisation: exact integrals, quadrature
# --------------------------------------------------------------------------------------------


def _is_good_constant(value: sp.Expr) -> bool:
    """A finite, positive, exact number (no Integral left, no symbols)."""
    if not isinstance(value, sp.Expr) or value.free_symbols:
        return False
    if value.has(sp.Integral, sp.nan, sp.zoo, sp.oo, -sp.oo, sp.Piecewise):
        return False
    if value.has(sp.Float):
        return False
    try:
        return bool(value.is_positive) and bool(value.is_finite)
    except TypeError:
        return False


def _moment_integral(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Expr | None:
    """``int f`` when ``f`` is a polynomial times Gaussians (iterated Gaussian integrals)."""
    current = expr
    for v in reversed(xs):
        current = gaussian_integral(sp.Integral(current, (v, -sp.oo, sp.oo)))
        if current is None:
            return None
    value = sp.simplify(current)
    return value if _is_good_constant(value) else None


def _sympy_integral_worker(expr: sp.Expr, xs: tuple[sp.Symbol, ...]) -> Iterator[sp.Expr]:
    """Generator run in a child process: SymPy's ``int_{R^d} expr``, term by term if a sum."""
    limits = [(v, -sp.oo, sp.oo) for v in reversed(xs)]
    terms = sp.Add.make_args(expr)
    if len(terms) > 1:
        parts = [sp.integrate(term, *limits) for term in terms]
        if all(p.is_finite for p in parts):
            yield sp.Add(*parts)
            return
    yield sp.integrate(expr, *limits)


def _sympy_integral(expr: sp.Expr, xs: tuple[sp.Symbol, ...], budget: float) -> sp.Expr | None:
    if budget <= 0:
        return None
    try:
        run = run_with_budget(_sympy_integral_worker, (expr, xs), budget)
    except (AssertionError, OSError):  # no child processes here (e.g. inside a daemon worker)
        return None
    if not run.messages:
        return None
    value = run.messages[-1]
    if not isinstance(value, sp.Expr):
        return None
    if value.is_infinite or value == sp.oo:
        return value
    return value if _is_good_constant(value) else None


def _quad_1d(probe: Probe) -> tuple[Any, Any]:
    """``(Z, error estimate)`` by tanh-sinh quadrature at 30 digits over R, cut at 0, the
    kinks and the peaks."""

    def f(u: Any) -> Any:
        value = mpmath.mpmathify(probe.mp(u))
        return value.real if isinstance(value, mpmath.mpc) else value

    return quad_1d(f, {0.0, *probe.kinks(0), *probe.peaks(())}, DPS)


def _quad_nd(probe: Probe) -> tuple[float, float, bool, QuadState]:
    """``(Z, error estimate, marginal tails ok, state)`` for d = 2 or 3 by :func:`quad_nd`.

    Each axis is cut at 0, at its kinks and at the coordinate of the largest probed value; in
    2-D each slice also at its peaks. The marginal over the first variable must decay faster
    than ``r^-1`` (by the margin of the tail checks) from r = 1e3 to 1e4 on both sides.
    """
    breaks = [
        {0.0, *(float(k) for k in probe.kinks(i)), float(probe.argmax[i])} for i in range(probe.d)
    ]
    value, error, marginal, state = quad_nd(
        probe.float_values,
        breaks,
        float(probe.largest),
        peaks=lambda x0: probe.peaks((x0,)),
        marginal_at=[s * r for r in TAIL_RADII[:2] for s in (1, -1)],
    )
    tails_ok = True
    for s in range(2):
        near, far = marginal[s], marginal[2 + s]
        if far > 0 and (near <= 0 or math.log10(near / far) <= 1 + DECAY_MARGIN):
            tails_ok = False
    return value, error, tails_ok, state


# --------------------------------------------------------------------------------------------
# Density given by an expression
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, init=False)
class Density:
    """A probability density ``mu(x) = f(x) / Z`` on R^d given by an expression ``f``.

    ``Density(expr, variables)``: ``expr`` is a SymPy expression or text (parsed with
    :func:`~symtransport.parsing.parse_expression`, never evaluated as code); ``variables``
    are names (they become real Symbols) or Symbols. The name ``t`` is reserved for the noise
    variance / time of [J]. Every other symbol is an error: the density must be numeric.

    On construction ``f`` is checked and normalised, ``Z = int_{R^d} f(x) dx``:

    * ``f`` is evaluated at 30 digits (mpmath) on a grid over ``[-10, 10]^d`` and at seeded
      pseudo-random points at scales 1e-2 .. 1e2; a negative (confirmed at 60 digits),
      non-real, non-finite or undefined value is an error naming the point and the value, and so
      is a function that is zero at every point;
    * along each axis and diagonal ray, ``f`` at radii 1e3 .. 1e6 must decay faster than
      ``r^-1`` (and faster than ``r^-d`` in some direction): ``1/sqrt(1 + x^2)`` and ``exp(x)`` are
      rejected as not integrable, the Cauchy ``1/(1 + x^2)`` is accepted;
    * ``Z`` exactly, if ``f`` is a Gaussian family (:func:`recognise_gaussian_family`; then ``Z``
      is its closed form and the checks above are not needed), a polynomial times Gaussians
      (:func:`~symtransport._core.gaussint.gaussian_integral`), or if ``sympy.integrate`` finds a
      finite positive closed form within ``symbolic_budget`` seconds (in a child process; in
      1-D the closed form is cross-checked by quadrature); else numerically: mpmath tanh-sinh
      quadrature at 30 digits in 1-D (break points at 0, kinks and peaks; rejected unless the
      relative error estimate is below 1e-12); in 2-D and 3-D adaptive QUADPACK over the first
      variable around a vectorised double-exponential rule over the others (rejected unless
      the relative error estimate is below 1e-7, or if the marginal's tails decay too slowly).
      Dimensions above :data:`MAX_NUMERIC_DIM` are supported for Gaussian families only.
      ``symbolic_budget=0`` skips SymPy's integrator.

    Limits: the pointwise checks are samples, not proofs: a negative dip or a bump narrower
    than the probe spacing, away from any kink, can be missed; integrable singularities and
    removable ones (``sin(x)/x`` at 0) are rejected; densities whose scale exceeds ~1e5 look
    non-decaying at the tail radii; in d > 1 a closed form from SymPy is not cross-checked.

    Stored: ``raw`` (the expression as given), ``variables`` (Symbols), ``normalisation``
    (``Z``: an exact SymPy number, or a Float carrying the digits the quadrature supports, at
    most 20), ``exact_normalisation``, ``normalisation_error`` (relative error estimate of
    ``Z``, 0 when exact) and ``expr = f / Z`` (with floats in ``raw`` read as typed decimals).
    """

    raw: sp.Expr
    variables: tuple[sp.Symbol, ...]
    normalisation: sp.Expr
    expr: sp.Expr
    exact_normalisation: bool
    normalisation_error: float
    _family: Gaussian | GaussianMixture | None = field(repr=False, compare=False)

    def __init__(
        self,
        expr: sp.Expr | str,
        variables: Sequence[str | sp.Symbol],
        *,
        symbolic_budget: float = SYMBOLIC_BUDGET,
    ) -> None:
        xs = symbols_of(variables, reserve=True)
        with stage("reading the density"):
            raw = self._expression(expr, xs)
            label = f"Density(expr={_show(raw, 120)}, variables={list(xs)})"
            work = exact_expression(raw)
        if work == 0:
            raise InvalidArgument(
                f"{label}: the expression is identically zero; expected a density with "
                "positive mass."
            )
        family: Gaussian | GaussianMixture | None = None
        with stage("recognising a Gaussian family in the density"):
            bumps = gaussian_bumps(work, xs)
            if bumps is not None:
                family, total = family_from_bumps(bumps)
                z, exact, error = self._simplify_constant(total), True, 0.0
        if bumps is None:
            z, exact, error = self._normalise(work, xs, label, symbolic_budget)
        object.__setattr__(self, "raw", raw)
        object.__setattr__(self, "variables", xs)
        object.__setattr__(self, "normalisation", z)
        object.__setattr__(self, "expr", work / z)
        object.__setattr__(self, "exact_normalisation", exact)
        object.__setattr__(self, "normalisation_error", error)
        object.__setattr__(self, "_family", family)

    @staticmethod
    def _expression(expr: Any, xs: tuple[sp.Symbol, ...]) -> sp.Expr:
        if isinstance(expr, str):
            parsed = parse_expression(expr, xs)
        elif isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixBase):
            parsed = expr
        elif isinstance(expr, numbers.Real) and not isinstance(expr, bool):
            parsed = exact_scalar(expr, "expr")
        else:
            raise InvalidArgument(
                f"expr={expr!r} is a {type(expr).__name__}; expected a SymPy expression or "
                "text such as 'exp(-x**2/2)'."
            )
        foreign = parsed.free_symbols - set(xs)
        if foreign:
            names = sorted(str(s) for s in foreign)
            clash = [s.name for s in foreign if any(s.name == v.name for v in xs)]
            hint = (
                f" The symbol(s) {clash} share a name with a variable but carry different "
                "assumptions: build the expression with the variables' Symbols (or pass the "
                "expression's own Symbols as variables)."
                if clash
                else " Densities here are numeric: substitute numbers for every parameter."
            )
            raise InvalidArgument(
                f"expr={_show(parsed)} mentions symbols {names} that are not among "
                f"variables={[v.name for v in xs]}.{hint}"
            )
        if parsed.has(sp.Derivative, sp.Integral, sp.Sum, sp.Limit):
            raise InvalidArgument(
                f"expr={_show(parsed)} contains an unevaluated derivative, integral, sum or "
                "limit; evaluate it (doit()) first."
            )
        return parsed

    @staticmethod
    def _simplify_constant(z: sp.Expr) -> sp.Expr:
        simpler = sp.simplify(z)
        return simpler if sp.count_ops(simpler) <= sp.count_ops(z) else z

    @staticmethod
    def _normalise(
        work: sp.Expr, xs: tuple[sp.Symbol, ...], label: str, budget: float
    ) -> tuple[sp.Expr, bool, float]:
        d = len(xs)
        if d > MAX_NUMERIC_DIM:
            raise UnsupportedError(
                f"{label}: d={d} but densities that are not Gaussian families are normalised "
                f"numerically only up to d={MAX_NUMERIC_DIM}. Use a Gaussian or "
                "GaussianMixture, or a Gaussian-family expression, in higher dimensions."
            )
        missing = [v for v in xs if v not in work.free_symbols]
        if missing:
            raise InvalidArgument(
                f"{label}: not integrable: the expression does not depend on "
                f"{[str(v) for v in missing]}, so it is constant along those axes. Expected "
                "a density that decays in every variable; drop unused variables."
            )
        with stage("checking the density's values at probe points"):
            probe = Probe(work, xs, label)
            probe.check_pointwise()
        with stage("checking the density's tails"):
            probe.check_tails()
        with stage("normalising the density (Gaussian moment integrals)"):
            exact = _moment_integral(work, xs)
        if exact is not None:
            return exact, True, 0.0
        with stage("normalising the density (SymPy's integrator)"):
            exact = _sympy_integral(work, xs, budget)
        if exact is not None and exact.is_infinite:
            raise InvalidArgument(
                f"{label}: not integrable: SymPy finds int f = {exact}. Expected an integrable "
                "expression."
            )
        if d == 1:
            try:
                with stage("normalising the density (quadrature)"):
                    value, error = _quad_1d(probe)
            except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError) as exc:
                if exact is not None:
                    return exact, True, 0.0
                raise InvalidArgument(
                    f"{label}: the quadrature failed ({exc}); the normalisation could not be "
                    "computed."
                ) from None
            if exact is not None:
                with mpmath.workdps(DPS):
                    gap = abs(mpmath.mpf(sp.N(exact, DPS)) - value)
                if gap <= max(10 * error, abs(value) * mpmath.mpf(10) ** -20):
                    return exact, True, 0.0
            return Density._numeric_constant(label, value, error, _REL_TOL_1D)
        if exact is not None:
            return exact, True, 0.0
        with stage("normalising the density (quadrature)"):
            value, error, tails_ok, state = _quad_nd(probe)
        if state.divergent or not tails_ok or state.unconverged:
            raise InvalidArgument(
                f"{label}: not integrable: the marginal integral decays too slowly or the "
                "quadrature reports divergence. Check the tails of the expression."
            )
        error += state.inner_relative_error * abs(value)
        return Density._numeric_constant(label, value, error, _REL_TOL_ND)

    @staticmethod
    def _numeric_constant(
        label: str, value: Any, error: Any, tolerance: Any
    ) -> tuple[sp.Expr, bool, float]:
        if value <= 0:
            raise InvalidArgument(
                f"{label}: the integral of the expression is {value}; expected a positive "
                "mass (the expression seems to be zero almost everywhere)."
            )
        relative = abs(error) / abs(value)
        if not relative <= tolerance:
            raise InvalidArgument(
                f"{label}: the normalisation could not be computed reliably: relative error "
                f"estimate {float(relative):.3g} > {float(tolerance):.0e}. The density may not be "
                "integrable, or may have features too narrow or tails too heavy for the "
                "quadrature."
            )
        digits = 20 if relative == 0 else max(6, min(20, int(-math.log10(float(relative))) - 1))
        return sp.Float(mpmath.nstr(value, digits + 2), digits), False, float(relative)

    @property
    def dim(self) -> int:
        """The dimension d (number of variables)."""
        return len(self.variables)

    @property
    def family(self) -> Gaussian | GaussianMixture | None:
        """The recognised Gaussian or Gaussian mixture equal to this density, or None."""
        return self._family

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """Always empty: a Density is numeric (its variables are bound)."""
        return frozenset()

    @property
    def is_numeric(self) -> bool:
        """Always True (see :attr:`free_symbols`)."""
        return True

    def pdf(self, xs: Any) -> sp.Expr:
        """``f(xs) / Z``: the normalised expression with the variables replaced by ``xs``."""
        u = coordinates(xs, self.dim)
        return self.expr.xreplace(dict(zip(self.variables, u, strict=True)))


def as_density(
    obj: Gaussian | GaussianMixture | Density | sp.Expr | str,
    variables: Sequence[str | sp.Symbol] | None = None,
) -> Gaussian | GaussianMixture | Density:
    """``obj`` as a density object with ``dim``, ``pdf(xs)``, ``family`` and ``normalisation``.

    A :class:`Gaussian`, :class:`GaussianMixture` or :class:`Density` is returned unchanged (if
    ``variables`` is given its length must equal ``obj.dim``); an expression or text together
    with ``variables`` becomes ``Density(obj, variables)``.
    """
    if isinstance(obj, Gaussian | GaussianMixture | Density):
        if variables is not None:
            count = len(symbols_of(variables, reserve=False))
            if count != obj.dim:
                raise InvalidArgument(
                    f"variables={list(variables)} has {count} entries but the density has "
                    f"dimension {obj.dim}; expected {obj.dim}."
                )
        return obj
    if isinstance(obj, str | sp.Expr) and not isinstance(obj, sp.MatrixBase):
        if variables is None:
            raise InvalidArgument(
                f"obj={_show(obj)} is an expression; pass variables=[...] to make it a Density."
            )
        return Density(obj, variables)
    raise InvalidArgument(
        f"obj={obj!r} of type {type(obj).__name__} is not a density; expected a Gaussian, a "
        "GaussianMixture, a Density, or an expression (SymPy or text) with variables."
    )
