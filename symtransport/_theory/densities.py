"""Probability densities on R^d: Gaussians, Gaussian mixtures and densities given by a formula.

Three frozen dataclasses share one small interface (``dim``, ``pdf(xs)``, ``family``,
``normalisation``) and validate their invariants on construction:

:class:`Gaussian`
    ``N(m, S)`` with mean ``m`` (a d x 1 column) and covariance ``S`` (d x d, symmetric positive
    definite; in 1-D the scalar ``S`` is the *variance*), with density

        N(x; m, S) = exp(-(x - m)^T S^{-1} (x - m) / 2) / sqrt((2 pi)^d det S).

    Smoothing by the Gaussian noise of [J] is a convolution that adds covariances,
    ``nu_t * N(m, S) = N(m, S + tI)`` ([J] App. D; ``nu_t = N(0, tI)``, ``t`` the noise variance).
:class:`GaussianMixture`
    ``sum_k w_k N(m_k, S_k)`` with positive weights summing to 1; its responsibilities
    ``gamma_k(x) = w_k N(x; m_k, S_k) / sum_j w_j N(x; m_j, S_j)`` are [J] eq. (40) once the
    components are smoothed (``S_k + tI``).
:class:`Density`
    ``mu(x) = f(x) / Z`` for a non-negative, integrable expression ``f`` (SymPy or text) with
    ``Z = int_{R^d} f``. ``Z`` is exact when the expression is a Gaussian family
    (:func:`recognise_gaussian_family`), a polynomial times a Gaussian, or when SymPy integrates
    it within a time budget; otherwise it is computed by quadrature (mpmath tanh-sinh at 30
    digits in 1-D; in 2-D and 3-D adaptive QUADPACK over the first variable around a vectorised
    double-exponential rule over the others; never Monte Carlo).

Every entry given as a Python float or SymPy Float is read as the decimal the user typed
(:mod:`symtransport._core.decimals`): ``0.1`` becomes ``Rational(1, 10)``, so sums of typed weights
such as ``0.1 + 0.2 + 0.7`` are exactly 1.
"""

from __future__ import annotations

import itertools
import math
import numbers
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Self

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate as sp_integrate

from symtransport._core.budget import run_with_budget
from symtransport._core.calculus import gaussian_density
from symtransport._core.decimals import exact_expression, exact_scalar
from symtransport._core.decimals import shown as _show
from symtransport._core.gaussint import MAX_EXPANDED_POWER, gaussian_integral
from symtransport._core.mpeval import compile_mp
from symtransport._core.stages import stage
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

_DPS = 30  # working precision of the pointwise checks and of the 1-D quadrature
_TAIL_RADII = (10**3, 10**4, 10**5, 10**6)
_DECAY_MARGIN = 0.05  # a decay exponent must exceed its threshold by this much
_SEED = 20171212  # seed of the pseudo-random probe points (fixed: the checks are deterministic)
_PROBE_SCALES = (0.01, 0.1, 1.0, 3.0, 10.0, 100.0)
_PROBES_PER_SCALE = 40
_GRID_STEPS = {1: 400, 2: 32, 3: 12}  # grid cells per axis over [-10, 10]
_MAX_BREAKS = 40
_REL_TOL_1D = mpmath.mpf(10) ** -12  # largest accepted relative error estimate, 1-D
_REL_TOL_ND = 1e-7  # largest accepted relative error estimate, 2-D and 3-D (float64)
_RESERVED = ("t",)


# --------------------------------------------------------------------------------------------
# Small helpers: entries, matrices, decisions
# --------------------------------------------------------------------------------------------


def _is_scalar(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    if isinstance(value, sp.MatrixBase):
        return False
    return isinstance(value, numbers.Number | sp.Basic | str | bytes | bool)


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, np.ndarray):
        return list(value.tolist())
    if isinstance(value, str | bytes | dict):
        return None
    if isinstance(value, Iterable):
        return list(value)
    return None


def _column(value: Any, name: str) -> sp.ImmutableMatrix:
    """A mean vector as an exact d x 1 column."""
    if isinstance(value, sp.MatrixBase):
        if value.cols != 1:
            raise InvalidArgument(
                f"{name} has shape {value.shape}; expected a d x 1 column. Pass a flat "
                f"sequence or a column Matrix (transpose a row with {name}.T)."
            )
        entries = list(value)
    elif _is_scalar(value):
        entries = [value.item() if isinstance(value, np.ndarray) else value]
    else:
        listed = _as_list(value)
        if listed is None:
            raise InvalidArgument(
                f"{name}={value!r} is not a number, a sequence or a Matrix; expected a mean "
                "vector such as 0, [0, 1] or Matrix([0, 1])."
            )
        entries = listed
    if not entries:
        raise InvalidArgument(f"{name}={value!r} is empty; expected at least one coordinate.")
    column = [exact_scalar(v, f"{name}[{i}]") for i, v in enumerate(entries)]
    return sp.ImmutableMatrix(column).reshape(len(entries), 1)


def _square(value: Any, d: int, name: str, scalar_means_identity: bool) -> sp.ImmutableMatrix:
    """A d x d matrix; a scalar is a 1 x 1 matrix (or ``value * I`` if allowed)."""
    if _is_scalar(value):
        scalar = exact_scalar(value.item() if isinstance(value, np.ndarray) else value, name)
        if d == 1:
            return sp.ImmutableMatrix([[scalar]])
        if scalar_means_identity:
            return sp.ImmutableMatrix(scalar * sp.eye(d))
        raise InvalidArgument(
            f"{name}={_show(scalar)} is a scalar but the dimension is d={d}; expected a "
            f"{d} x {d} matrix. For an isotropic covariance pass {_show(scalar)} * eye({d})."
        )
    if isinstance(value, sp.MatrixBase):
        rows = [list(value.row(i)) for i in range(value.rows)]
        shape = value.shape
    else:
        listed = _as_list(value)
        if listed is None:
            raise InvalidArgument(
                f"{name}={value!r} is not a number, a nested sequence or a Matrix; expected a "
                f"{d} x {d} covariance matrix."
            )
        rows = []
        for i, row in enumerate(listed):
            if _is_scalar(row):
                raise InvalidArgument(
                    f"{name}[{i}]={row!r} is a scalar; expected {name} to be a nested sequence "
                    f"of {d} rows of {d} entries, e.g. [[1, 0], [0, 1]]."
                )
            row_list = _as_list(row)
            if row_list is None:
                raise InvalidArgument(f"{name}[{i}]={row!r} is not a sequence of entries.")
            rows.append(row_list)
        shape = (len(rows), len(rows[0]) if rows else 0)
        if any(len(r) != shape[1] for r in rows):
            raise InvalidArgument(
                f"{name} has rows of different lengths {[len(r) for r in rows]}; expected "
                f"{d} rows of {d} entries."
            )
    if shape != (d, d):
        raise InvalidArgument(
            f"{name} has shape {shape}; expected ({d}, {d}) to match the mean's dimension d={d}."
        )
    return sp.ImmutableMatrix(
        [
            [exact_scalar(v, f"{name}[{i}, {j}]") for j, v in enumerate(r)]
            for i, r in enumerate(rows)
        ]
    )


def _is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` is provably 0 (exact rewriting, never floating point).

    The structural test comes first: SymPy's ``is_zero`` on a sum of many square roots (the
    weights of a mixture of ten components with different variances) computes minimal
    polynomials of ever higher degree, while ``together`` cancels ``sum_k m_k / T - 1`` with
    ``T = sum_k m_k`` at once.
    """
    if expr == 0 or sp.expand(sp.together(expr).as_numer_denom()[0]) == 0:
        return True
    if expr.is_zero:
        return True
    if expr.is_zero is False:
        return False
    return bool(sp.cancel(sp.together(expr)) == 0 or sp.simplify(expr) == 0)


def _sign_status(expr: sp.Expr, strict: bool) -> bool | None:
    """Whether ``expr > 0`` (strict) or ``expr >= 0`` holds: True, False, or None (undecided)."""
    decided = expr.is_positive if strict else expr.is_nonnegative
    if decided is None and not expr.is_number:
        simpler = sp.simplify(expr)
        decided = simpler.is_positive if strict else simpler.is_nonnegative
    return None if decided is None else bool(decided)


def _check_symmetric(matrix: sp.ImmutableMatrix, name: str) -> None:
    n = matrix.rows
    for i in range(n):
        for j in range(i + 1, n):
            if not _is_zero(matrix[i, j] - matrix[j, i]):
                raise InvalidArgument(
                    f"{name}={_show(matrix)} is not symmetric: {name}[{i}, {j}]="
                    f"{_show(matrix[i, j])} but {name}[{j}, {i}]={_show(matrix[j, i])}. "
                    "Expected a symmetric matrix; symmetrise it, e.g. (S + S.T)/2."
                )


def _leading_minors(matrix: sp.MatrixBase) -> Iterator[tuple[int, sp.Expr]]:
    for k in range(1, matrix.rows + 1):
        minor = matrix[:k, :k].det(method="berkowitz")
        yield k, (sp.factor(minor) if minor.free_symbols else minor)


def _positive_definite(matrix: sp.MatrixBase) -> tuple[bool | None, int, sp.Expr]:
    """Sylvester's criterion: (True, 0, 1) or (False/None, order, minor) of the first failure."""
    for k, minor in _leading_minors(matrix):
        status = _sign_status(minor, strict=True)
        if status is not True:
            return status, k, minor
    return True, 0, sp.Integer(1)


def _check_positive_definite(matrix: sp.ImmutableMatrix, name: str) -> None:
    status, k, minor = _positive_definite(matrix)
    if status is True:
        return
    which = f"det({name}[:{k}, :{k}])" if matrix.rows > 1 else name
    if status is False:
        hint = (
            " A zero variance is a point mass, which has no density."
            if minor == 0 and matrix.rows == 1
            else ""
        )
        raise InvalidArgument(
            f"{name}={_show(matrix)} is not positive definite: the leading principal minor of "
            f"order {k}, {which}={_show(minor)}, is not > 0.{hint} Expected a symmetric "
            "positive definite covariance (in 1-D a variance > 0)."
        )
    raise InvalidArgument(
        f"{name}={_show(matrix)}: cannot decide whether the leading principal minor of order "
        f"{k}, {which}={_show(minor)}, is > 0 from the symbols' assumptions. Declare the "
        "symbols positive, e.g. Symbol('s2', positive=True), or pass numbers."
    )


def _check_positive_semidefinite(matrix: sp.ImmutableMatrix, name: str) -> None:
    n = matrix.rows
    for size in range(1, n + 1):
        for idx in itertools.combinations(range(n), size):
            minor = matrix.extract(list(idx), list(idx)).det(method="berkowitz")
            status = _sign_status(minor, strict=False)
            if status is True:
                continue
            which = f"the principal minor on rows/columns {list(idx)}" if n > 1 else name
            if status is False:
                raise InvalidArgument(
                    f"{name}={_show(matrix)} is not positive semidefinite: {which} is "
                    f"{_show(minor)} < 0. Smoothing adds noise: expected a covariance >= 0 "
                    "(a variance t >= 0 in 1-D or t*I)."
                )
            raise InvalidArgument(
                f"{name}={_show(matrix)}: cannot decide whether {which}, {_show(minor)}, is "
                ">= 0. Declare the symbols positive, e.g. Symbol('t', positive=True)."
            )


def _coordinates(xs: Any, d: int) -> list[sp.Expr]:
    """The coordinates at which a density is evaluated (Symbols, expressions or numbers)."""
    if d == 1 and (_is_scalar(xs) and not isinstance(xs, str | bytes)):
        items = [xs]
    elif isinstance(xs, sp.MatrixBase):
        items = list(xs)
    else:
        listed = _as_list(xs)
        if listed is None:
            raise InvalidArgument(
                f"xs={xs!r} is not a sequence of coordinates; expected {d} SymPy symbols or "
                f"values, e.g. {list(sp.symbols(f'x1:{d + 1}'))}."
            )
        items = listed
    if len(items) != d:
        raise InvalidArgument(
            f"xs={_show(items)} has {len(items)} coordinates; expected {d} (the dimension)."
        )
    return [exact_scalar(v, f"xs[{i}]") for i, v in enumerate(items)]


def _free_symbols(*exprs: sp.Basic) -> frozenset[sp.Symbol]:
    out: set[sp.Symbol] = set()
    for e in exprs:
        out |= e.free_symbols
    return frozenset(out)


# --------------------------------------------------------------------------------------------
# Gaussian
# --------------------------------------------------------------------------------------------


class _GaussianFamily:
    """What Gaussians and Gaussian mixtures share: each is its own (exactly normalised)
    Gaussian family; subclasses define ``free_symbols``."""

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """The symbols of the parameters."""
        raise NotImplementedError

    @property
    def family(self) -> Self:
        """The Gaussian family the density belongs to: itself."""
        return self

    @property
    def normalisation(self) -> sp.Expr:
        """The normalisation constant of ``pdf``: 1 (the density is normalised)."""
        return sp.Integer(1)

    @property
    def exact_normalisation(self) -> bool:
        """Always True: the normalisation is exact."""
        return True

    @property
    def is_numeric(self) -> bool:
        """True when no parameter contains a symbol."""
        return not self.free_symbols


@dataclass(frozen=True)
class Gaussian(_GaussianFamily):
    """The normal distribution ``N(mean, cov)`` on R^d.

    ``mean``: a scalar (d = 1), a flat sequence or a SymPy column Matrix. ``cov``: a scalar
    (d = 1; it is the **variance**, not the standard deviation), a nested sequence or a SymPy
    Matrix. Entries are numbers or real SymPy expressions; floats are read as the decimals they
    print as (``0.1`` -> ``1/10``). Both are stored as immutable SymPy matrices, ``mean`` d x 1
    and ``cov`` d x d.

    Raises :class:`~symtransport.errors.InvalidArgument` unless ``cov`` is symmetric and
    positive definite, decided by Sylvester's criterion on the leading principal minors, exactly
    for numbers and from the symbols' assumptions for expressions (an undecidable minor is an
    error: declare the symbols positive).
    """

    mean: sp.ImmutableMatrix
    cov: sp.ImmutableMatrix

    def __post_init__(self) -> None:
        mean = _column(self.mean, "mean")
        cov = _square(self.cov, mean.rows, "cov", scalar_means_identity=False)
        _check_symmetric(cov, "cov")
        _check_positive_definite(cov, "cov")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "cov", cov)

    @property
    def dim(self) -> int:
        """The dimension d."""
        return int(self.mean.rows)

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """The symbols in the mean and the covariance."""
        return _free_symbols(self.mean, self.cov)

    @cached_property
    def precision(self) -> sp.ImmutableMatrix:
        """The precision matrix ``cov^{-1}``."""
        inverse = self.cov.inv()
        if self.free_symbols:
            inverse = inverse.applyfunc(sp.cancel)
        return sp.ImmutableMatrix(inverse)

    @cached_property
    def det(self) -> sp.Expr:
        """``det cov``."""
        value = self.cov.det(method="berkowitz")
        return sp.factor(value) if value.free_symbols else value

    def pdf(self, xs: Any) -> sp.Expr:
        """The density at ``xs`` (d coordinates: Symbols, expressions or numbers).

        1-D: ``exp(-(x - m)^2 / (2 v)) / sqrt(2 pi v)``; d-D:
        ``exp(-(x - m)^T S^{-1} (x - m) / 2) / sqrt((2 pi)^d det S)``.
        """
        u = _coordinates(xs, self.dim)
        if self.dim == 1:
            return gaussian_density(u[0], self.mean[0], self.cov[0, 0])
        diff = sp.Matrix(u) - self.mean
        quad = (diff.T * self.precision * diff)[0, 0]
        return sp.exp(-quad / 2) / sp.sqrt((2 * sp.pi) ** self.dim * self.det)

    def log_pdf(self, xs: Any) -> sp.Expr:
        """``log N(xs; m, S) = -(x-m)^T S^{-1} (x-m)/2 - (d/2) log(2 pi) - log(det S)/2``."""
        u = _coordinates(xs, self.dim)
        diff = sp.Matrix(u) - self.mean
        quad = (diff.T * self.precision * diff)[0, 0]
        return (
            -quad / 2
            - sp.Rational(self.dim, 2) * sp.log(2 * sp.pi)
            - sp.expand_log(sp.log(self.det), force=False) / 2
        )

    def smoothed(self, extra_cov: Any) -> Gaussian:
        """The convolution with ``N(0, extra_cov)``: ``N(m, S) * N(0, E) = N(m, S + E)``.

        ``extra_cov`` is a d x d positive semidefinite matrix or a scalar ``t`` meaning ``t I``
        (in 1-D a variance). With ``extra_cov = t`` this is the noise smoothing of [J] App. D,
        ``nu_t * N(m, S) = N(m, S + tI)``.
        """
        extra = _square(extra_cov, self.dim, "extra_cov", scalar_means_identity=True)
        _check_symmetric(extra, "extra_cov")
        _check_positive_semidefinite(extra, "extra_cov")
        return Gaussian(self.mean, self.cov + extra)


# --------------------------------------------------------------------------------------------
# Gaussian mixture
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaussianMixture(_GaussianFamily):
    """The mixture ``sum_k w_k N(m_k, S_k)`` of Gaussians on R^d ([J] §5.1, eqs. (38)-(43)).

    ``weights``: a sequence of numbers or real SymPy expressions, each provably > 0, summing to
    exactly 1 (floats are read as typed decimals, so ``[0.1, 0.2, 0.7]`` passes); ``components``:
    a non-empty sequence of :class:`Gaussian` of one dimension. Stored as tuples.
    """

    weights: Sequence[Any]  # stored as a tuple of exact SymPy numbers or expressions
    components: Sequence[Gaussian]  # stored as a tuple

    def __post_init__(self) -> None:
        if isinstance(self.components, Gaussian):
            raise InvalidArgument(
                "components is a single Gaussian; expected a sequence of Gaussians, e.g. "
                "[Gaussian(0, 1)]."
            )
        components = _as_list(self.components)
        if components is None:
            raise InvalidArgument(
                f"components={self.components!r} is not a sequence; expected a sequence of "
                "Gaussian objects."
            )
        if not components:
            raise InvalidArgument(
                "components=[] is empty; expected at least one Gaussian component."
            )
        for k, c in enumerate(components):
            if not isinstance(c, Gaussian):
                raise InvalidArgument(
                    f"components[{k}]={c!r} is a {type(c).__name__}; expected a Gaussian. "
                    "Use GaussianMixture.from_arrays(weights, means, covs) to build them."
                )
        dims = [c.dim for c in components]
        if len(set(dims)) != 1:
            raise InvalidArgument(
                f"the components have dimensions {dims}; expected one dimension for all."
            )
        weights_in = [self.weights] if _is_scalar(self.weights) else _as_list(self.weights)
        if weights_in is None:
            raise InvalidArgument(f"weights={self.weights!r} is not a sequence of numbers.")
        if len(weights_in) != len(components):
            raise InvalidArgument(
                f"len(weights)={len(weights_in)} but len(components)={len(components)}; "
                "expected one weight per component."
            )
        weights = [exact_scalar(w, f"weights[{k}]") for k, w in enumerate(weights_in)]
        for k, w in enumerate(weights):
            status = _sign_status(w, strict=True)
            if status is False:
                raise InvalidArgument(
                    f"weights[{k}]={_show(w)} is not > 0; expected positive weights. Drop "
                    "components of weight 0."
                )
            if status is None:
                raise InvalidArgument(
                    f"weights[{k}]={_show(w)}: cannot decide whether it is > 0; declare its "
                    "symbols positive, e.g. Symbol('w', positive=True)."
                )
        total = sp.Add(*weights)
        if not _is_zero(total - 1):
            shown = f"{_show(total)}" + (
                f" (={float(total):.6g})" if total.is_number and not total.is_Integer else ""
            )
            raise InvalidArgument(
                f"the weights {[_show(w) for w in weights]} sum to {shown}; expected them to "
                "sum to exactly 1. Divide each weight by their sum."
            )
        object.__setattr__(self, "weights", tuple(weights))
        object.__setattr__(self, "components", tuple(components))

    @classmethod
    def from_arrays(
        cls, weights: Sequence[Any], means: Sequence[Any], covs: Sequence[Any]
    ) -> GaussianMixture:
        """Build the mixture from parallel sequences: ``Gaussian(means[k], covs[k])``."""
        means_l, covs_l = _as_list(means), _as_list(covs)
        if means_l is None or covs_l is None:
            raise InvalidArgument(
                "means and covs must be sequences with one entry per component, e.g. "
                "means=[0, 1], covs=[1, 2]."
            )
        if len(means_l) != len(covs_l):
            raise InvalidArgument(
                f"len(means)={len(means_l)} but len(covs)={len(covs_l)}; expected one mean and "
                "one covariance per component."
            )
        return cls(
            tuple(weights), tuple(Gaussian(m, s) for m, s in zip(means_l, covs_l, strict=True))
        )

    @property
    def dim(self) -> int:
        """The dimension d."""
        return self.components[0].dim

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """The symbols in the weights, means and covariances."""
        return _free_symbols(*self.weights).union(*(c.free_symbols for c in self.components))

    @cached_property
    def mean(self) -> sp.ImmutableMatrix:
        """The mixture mean ``sum_k w_k m_k`` (a d x 1 column)."""
        total = sp.zeros(self.dim, 1)
        for w, c in zip(self.weights, self.components, strict=True):
            total += w * c.mean
        return sp.ImmutableMatrix(total)

    def pdf(self, xs: Any) -> sp.Expr:
        """``sum_k w_k N(xs; m_k, S_k)``."""
        u = _coordinates(xs, self.dim)
        return sp.Add(*(w * c.pdf(u) for w, c in zip(self.weights, self.components, strict=True)))

    def responsibilities(self, xs: Any) -> list[sp.Expr]:
        """``gamma_k(xs) = w_k N(xs; m_k, S_k) / sum_j w_j N(xs; m_j, S_j)`` ([J] eq. (40)).

        [J] eq. (40) uses the smoothed components ``S_k + tI``: call ``smoothed(t)`` first.
        These are exact expressions; evaluate them in log space (a softmax) numerically.
        """
        u = _coordinates(xs, self.dim)
        parts = [w * c.pdf(u) for w, c in zip(self.weights, self.components, strict=True)]
        total = sp.Add(*parts)
        return [p / total for p in parts]

    def smoothed(self, extra_cov: Any) -> GaussianMixture:
        """Every component convolved with ``N(0, extra_cov)`` (weights unchanged).

        ``nu_t * sum_k w_k N(m_k, S_k) = sum_k w_k N(m_k, S_k + tI)`` ([J] App. D and (38)).
        """
        return GaussianMixture(self.weights, tuple(c.smoothed(extra_cov) for c in self.components))


# --------------------------------------------------------------------------------------------
# Recognising Gaussian families
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bump:
    """One term ``c exp(Q(x))``: its mass ``int c exp(Q)``, its mean and its covariance."""

    mass: sp.Expr
    mean: sp.ImmutableMatrix
    cov: sp.ImmutableMatrix


def _hyperbolic_to_exp(expr: sp.Expr) -> sp.Expr:
    if not expr.has(sp.cosh, sp.sinh):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.cosh | sp.sinh), lambda e: e.rewrite(sp.exp))


def _bump(term: sp.Expr, xs: Sequence[sp.Symbol]) -> _Bump | None:
    """``term`` as ``c exp(Q)`` with ``c > 0`` and ``Q`` a concave quadratic, or None."""
    term = sp.powsimp(term, combine="exp")
    constants: list[sp.Expr] = []
    exponent: sp.Expr = sp.Integer(0)
    for factor in sp.Mul.make_args(term):
        if not factor.has(*xs):
            constants.append(factor)
        elif isinstance(factor, sp.exp):
            exponent += factor.args[0]
        elif factor.is_Pow:
            base, power = factor.args
            if isinstance(base, sp.exp) and not power.has(*xs) and power.is_extended_real:
                exponent += base.args[0] * power
            elif not base.has(*xs) and base.is_positive:
                exponent += power * sp.log(base)
            else:
                return None
        else:
            return None
    const = sp.Mul(*constants)
    if _sign_status(const, strict=True) is not True:
        return None
    try:
        poly = sp.Poly(sp.expand(exponent), *xs)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    if poly.total_degree() != 2 or any(c.is_extended_real is not True for c in poly.coeffs()):
        return None
    q = poly.as_expr()
    neg_hessian = -sp.hessian(q, xs)
    status, _, _ = _positive_definite(neg_hessian)
    if status is not True:
        return None
    cov = neg_hessian.inv()
    if cov.free_symbols:
        cov = cov.applyfunc(sp.cancel)
    origin = {v: 0 for v in xs}
    slope = sp.Matrix([sp.diff(q, v).xreplace(origin) for v in xs])
    mean = cov * slope
    peak = q.xreplace(origin) + (slope.T * cov * slope)[0, 0] / 2
    det = cov.det(method="berkowitz")
    mass = const * sp.exp(peak) * sp.sqrt((2 * sp.pi) ** len(xs) * det)
    if mean.free_symbols:
        mean = mean.applyfunc(sp.cancel)
    return _Bump(mass, sp.ImmutableMatrix(mean), sp.ImmutableMatrix(cov))


def _same(a: sp.MatrixBase, b: sp.MatrixBase) -> bool:
    return all(_is_zero(p - q) for p, q in zip(a, b, strict=True))


def _may_be_gaussian(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> bool:
    """A cheap filter run before expanding: an exponential in the variables, no big powers.

    A power of a sum involving the variables can only expand into Gaussian terms if its
    exponent is a small positive integer; anything else (``(1 + x**2)**-2``, ``(x + 1)**5000``)
    is rejected here, before :func:`sympy.expand` could blow up.
    """
    has_exponential = False
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.exp) and node.has(*xs):
            has_exponential = True
        elif node.is_Pow and node.has(*xs):
            base, power = node.args
            if power.has(*xs):
                has_exponential = True
            elif (base.is_Add or base.is_Symbol) and not (
                power.is_Integer and 0 < power <= MAX_EXPANDED_POWER
            ):
                return False  # x**(10**100) as much as (x + 1)**5000
    return has_exponential


def _bumps(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> list[_Bump] | None:
    """The terms of ``expr`` as Gaussian bumps (equal mean and covariance merged), or None."""
    expr = _hyperbolic_to_exp(exact_expression(expr))
    if not expr.has(*xs) or not _may_be_gaussian(expr, xs):
        return None
    expanded = sp.expand(expr, power_exp=False, log=False)
    bumps: list[_Bump] = []
    for term in sp.Add.make_args(expanded):
        bump = _bump(term, xs)
        if bump is None:
            return None
        for i, old in enumerate(bumps):
            if _same(old.mean, bump.mean) and _same(old.cov, bump.cov):
                bumps[i] = _Bump(old.mass + bump.mass, old.mean, old.cov)
                break
        else:
            bumps.append(bump)
    return bumps


def _simpler(w: sp.Expr) -> sp.Expr:
    """``w`` with common factors cancelled (``cancel``, which is bounded by the polynomial
    sizes here), kept only when it is no larger: SymPy's ``simplify`` is unbounded on sums of
    many square roots."""
    simpler = sp.cancel(w)
    return simpler if sp.count_ops(simpler) <= sp.count_ops(w) else w


def _family_from_bumps(bumps: list[_Bump]) -> tuple[Gaussian | GaussianMixture, sp.Expr]:
    total = sp.Add(*(b.mass for b in bumps))
    if len(bumps) == 1:
        return Gaussian(bumps[0].mean, bumps[0].cov), total
    weights = []
    for b in bumps:
        w = b.mass / total
        weights.append(w if w.is_Rational else _simpler(w))
    components = tuple(Gaussian(b.mean, b.cov) for b in bumps)
    return GaussianMixture(tuple(weights), components), total


def symbols_of(variables: Any, reserve: bool) -> tuple[sp.Symbol, ...]:
    """``variables`` (names or real Symbols) as distinct real Symbols; with ``reserve`` the name
    ``t`` (the noise variance / time of [J]) is refused. :class:`InvalidArgument` otherwise."""
    if isinstance(variables, str | sp.Symbol):
        variables = [variables]
    listed = _as_list(variables)
    if listed is None:
        raise InvalidArgument(
            f"variables={variables!r} is not a sequence; expected names or real Symbols, e.g. "
            "['x', 'y']."
        )
    if not listed:
        raise InvalidArgument("variables=[] is empty; expected at least one variable.")
    out: list[sp.Symbol] = []
    for i, v in enumerate(listed):
        if isinstance(v, str):
            if not v.isidentifier():
                raise InvalidArgument(
                    f"variables[{i}]={v!r} is not a valid name; expected an identifier like 'x'."
                )
            symbol = sp.Symbol(v, real=True)
        elif isinstance(v, sp.Symbol):
            symbol = v
        else:
            raise InvalidArgument(
                f"variables[{i}]={v!r} is a {type(v).__name__}; expected a name or a Symbol."
            )
        if reserve and symbol.name in _RESERVED:
            raise InvalidArgument(
                f"variables[{i}]={symbol.name!r}: t is reserved for the noise variance / time "
                "of [J] (nu_t = N(0, tI)); name the coordinate differently, e.g. 'x' or 'u'."
            )
        if symbol.is_extended_real is False:
            raise InvalidArgument(f"variables[{i}]={symbol!r} is not real; expected a real Symbol.")
        if any(s.name == symbol.name for s in out):
            raise InvalidArgument(
                f"variables[{i}]={symbol.name!r} is repeated; expected distinct variables."
            )
        out.append(symbol)
    return tuple(out)


def recognise_gaussian_family(
    expr: sp.Expr | str, variables: Sequence[str | sp.Symbol]
) -> Gaussian | GaussianMixture | None:
    """The normalised Gaussian (mixture) proportional to ``expr``, or None if it is not one.

    ``expr`` (SymPy, or text parsed with :func:`~symtransport.parsing.parse_expression`) is
    recognised when it is a sum of terms ``c_k exp(Q_k(x))``, each with a provably positive
    constant ``c_k`` and a polynomial ``Q_k`` of degree exactly 2 in ``variables`` whose Hessian
    ``H_k`` is negative definite. Then ``S_k = (-H_k)^{-1}``, ``m_k = S_k grad Q_k(0)`` and the
    weight of component ``k`` is proportional to ``c_k exp(Q_k(m_k)) sqrt((2 pi)^d det S_k)``;
    terms with the same ``(m_k, S_k)`` merge. Powers ``b**q`` of a positive constant ``b`` count as
    ``exp(q log b)``, products of exponentials are merged first, and ``cosh``/``sinh`` are
    rewritten as exponentials. Symbols other than ``variables`` are parameters: every decision
    (``c_k > 0``, ``-H_k`` positive definite) is taken from their assumptions, and undecidable
    means "not recognised".
    """
    xs = symbols_of(variables, reserve=False)
    if isinstance(expr, str):
        expr = parse_expression(expr, xs)
    if not isinstance(expr, sp.Expr):
        raise InvalidArgument(
            f"expr={expr!r} is a {type(expr).__name__}; expected a SymPy expression or text."
        )
    bumps = _bumps(expr, xs)
    if bumps is None:
        return None
    return _family_from_bumps(bumps)[0]


# --------------------------------------------------------------------------------------------
# Density given by an expression: pointwise checks, tails, normalisation
# --------------------------------------------------------------------------------------------


def _point_text(xs: Sequence[sp.Symbol], point: Sequence[Any]) -> str:
    return ", ".join(f"{v}={mpmath.nstr(p, 8)}" for v, p in zip(xs, point, strict=True))


class _Probe:
    """The unnormalised density ``f`` compiled for mpmath (checks) and NumPy (quadrature)."""

    def __init__(self, expr: sp.Expr, xs: tuple[sp.Symbol, ...], label: str) -> None:
        self.expr, self.xs, self.label = expr, xs, label
        self.d = len(xs)
        try:
            self.mp = compile_mp(expr, list(xs))
        except Exception as exc:
            raise InvalidArgument(
                f"{label}: the expression cannot be evaluated numerically ({exc}). Expected an "
                "expression of elementary and special functions."
            ) from None
        try:
            self.fast = sp.lambdify(list(xs), expr, modules=["scipy", "numpy"])
        except Exception:
            self.fast = None
        self._kinks: dict[int, list[Any]] = {}
        self.largest: Any = mpmath.mpf(0)
        self.argmax: tuple[float, ...] = (0.0,) * self.d

    def value(self, point: Sequence[Any], dps: int = _DPS) -> Any:
        """``f(point)`` as a real mpf at ``dps`` digits; invalid values raise InvalidArgument."""
        with mpmath.workdps(dps):
            try:
                value = self.mp(*[mpmath.mpf(p) for p in point])
            except OverflowError:
                raise InvalidArgument(
                    f"{self.label}: the expression cannot be evaluated at "
                    f"{_point_text(self.xs, point)}: a number in it overflows (a power such as "
                    "x**(10**100)). Expected a density of moderate powers; rescale it."
                ) from None
            except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
                raise InvalidArgument(
                    f"{self.label}: the expression is undefined at "
                    f"{_point_text(self.xs, point)}. Expected a density defined (and finite) "
                    "everywhere on R^d; write removable singularities out (e.g. with Piecewise)."
                ) from None
            value = mpmath.mpmathify(value)
            if isinstance(value, mpmath.mpc):
                if abs(value.imag) > mpmath.mpf(10) ** (5 - dps) * max(1, abs(value.real)):
                    raise InvalidArgument(
                        f"{self.label}: the expression is not real at "
                        f"{_point_text(self.xs, point)}, where it equals "
                        f"{mpmath.nstr(value, 8)}. Expected a real, non-negative density."
                    )
                value = value.real
            if not mpmath.isfinite(value):
                raise InvalidArgument(
                    f"{self.label}: the expression is not finite at "
                    f"{_point_text(self.xs, point)}, where it equals {value}. Expected a finite "
                    "density; integrable singularities are not supported."
                )
            return +value

    def probe_points(self) -> list[tuple[float, ...]]:
        steps = _GRID_STEPS[self.d]
        axis = [-10 + 20 * k / steps for k in range(steps + 1)]
        points = list(itertools.product(axis, repeat=self.d))
        rng = random.Random(_SEED)
        for scale in _PROBE_SCALES:
            for _ in range(_PROBES_PER_SCALE):
                points.append(tuple(float(f"{rng.gauss(0.0, scale):.6g}") for _ in range(self.d)))
        return points + self.kink_points()

    def kink_points(self) -> list[tuple[float, ...]]:
        """Points at, between and just beside the kinks of every axis (their product in d-D).

        A narrow plateau such as ``Piecewise((1, (50 < x) & (x < 50.001)), (0, True))`` lies
        between two kinks, and is missed by the grid but not by these points.
        """
        per_axis = []
        cap = {1: 60, 2: 16, 3: 6}[self.d]
        for i in range(self.d):
            kinks = self.kinks(i)
            near = [k + s * 1e-3 * max(1.0, abs(k)) for k in kinks for s in (1, -1)]
            middles = [(a + b) / 2 for a, b in itertools.pairwise(kinks)]
            coordinates = sorted({*middles, *kinks, *near})
            if len(coordinates) > cap:
                coordinates = sorted(middles)[:cap]
            per_axis.append(coordinates or [0.0])
        if all(c == [0.0] for c in per_axis):
            return []
        return list(itertools.product(*per_axis))

    def check_pointwise(self, *, skip_undefined: bool = False) -> None:
        """Negative, non-real, non-finite or undefined values, and zero everywhere, are errors
        (with ``skip_undefined``, points where the expression cannot be evaluated are skipped:
        a removable singularity is no evidence against a density)."""
        negatives: list[tuple[Any, tuple[float, ...]]] = []
        for point in self.probe_points():
            try:
                value = self.value(point)
            except InvalidArgument:
                if skip_undefined:
                    continue
                raise
            if value < 0:
                negatives.append((value, point))
            elif value > self.largest:
                self.largest, self.argmax = value, point
        for value, point in sorted(negatives)[:5]:
            precise = self.value(point, dps=2 * _DPS)
            if precise < 0 and abs(precise - value) < abs(precise) / 1000:
                raise InvalidArgument(
                    f"{self.label}: the expression is negative at "
                    f"{_point_text(self.xs, point)}, where it equals {mpmath.nstr(precise, 8)}. "
                    "Expected a non-negative density; check the signs, or square or "
                    "exponentiate the expression."
                )
        if self.largest == 0:
            raise InvalidArgument(
                f"{self.label}: the expression is zero at every one of the "
                f"{len(self.probe_points())} test points; expected a density with positive "
                "mass (a zero function cannot be normalised)."
            )
        precise = self.value(self.argmax, dps=2 * _DPS)
        if not abs(precise - self.largest) < abs(precise) / 1000:
            raise InvalidArgument(
                f"{self.label}: the expression looks identically zero: its largest value at the "
                f"test points, {mpmath.nstr(self.largest, 5)} at "
                f"{_point_text(self.xs, self.argmax)}, is rounding noise (it becomes "
                f"{mpmath.nstr(precise, 5)} at {2 * _DPS} digits). Expected a density with "
                "positive mass; simplify the expression."
            )

    def rays(self) -> list[tuple[int, ...]]:
        axes = []
        for i in range(self.d):
            for s in (1, -1):
                axes.append(tuple(s if j == i else 0 for j in range(self.d)))
        diagonals = list(itertools.product((1, -1), repeat=self.d)) if self.d > 1 else []
        return axes + diagonals

    def check_tails(self) -> None:
        """The density must decay along every ray fast enough to be integrable.

        Along each axis and diagonal direction ``u`` the local decay exponent
        ``p = log10(f(r u) / f(10 r u))`` over the decades ``r = 1e3 .. 1e6`` (the largest of
        the three, so an unlucky oscillation does not count) must exceed 1; in d > 1 dimensions
        at least one direction must decay faster than
        ``r^-d``, since ``f ~ r^-p`` in every direction with ``p <= d`` is not integrable.
        """
        exponents: list[tuple[float, tuple[int, ...]]] = []
        for ray in self.rays():
            values = [self.value([r * c for c in ray]) for r in _TAIL_RADII]
            decades = []
            for near, far in itertools.pairwise(values):
                if far == 0:
                    decades.append(math.inf)
                elif near == 0:
                    decades.append(-math.inf)
                else:
                    decades.append(float(mpmath.log10(near / far)))
            p = max(decades)
            direction = "(" + ", ".join(str(c) for c in ray) + ")"
            if p <= 1 + _DECAY_MARGIN:
                shown = ", ".join(
                    f"f({r:.0e}*u)={mpmath.nstr(v, 5)}"
                    for r, v in zip(_TAIL_RADII, values, strict=True)
                )
                trend = "grows" if p < 0 else f"decays only like r^-{p:.3g}"
                raise InvalidArgument(
                    f"{self.label}: not integrable: along the ray r*u, u={direction}, the "
                    f"expression {trend} ({shown}); an integrable density must decay faster "
                    "than r^-1 along every ray. Check the tails of the expression."
                )
            exponents.append((p, ray))
        if self.d > 1 and max(p for p, _ in exponents) <= self.d + _DECAY_MARGIN:
            shown = ", ".join(f"{p:.3g}" for p, _ in exponents)
            raise InvalidArgument(
                f"{self.label}: not integrable: in every direction tested the expression decays "
                f"no faster than r^-{self.d} (decay exponents {shown}), and a density on "
                f"R^{self.d} must decay faster than r^-{self.d}. Check the tails of the "
                "expression."
            )

    # -- break points and peaks --------------------------------------------------------------

    def kinks(self, axis: int) -> list[Any]:
        """Where the expression may be non-smooth along ``axis`` (Abs, Piecewise, Min, ...)."""
        if axis not in self._kinks:
            self._kinks[axis] = self._find_kinks(axis)
        return self._kinks[axis]

    def _find_kinks(self, axis: int) -> list[Any]:
        x = self.xs[axis]
        found: set[Any] = set()
        candidates: list[sp.Expr] = []
        for node in self.expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
            candidates.append(node.args[0])
        for node in self.expr.atoms(sp.Min, sp.Max):
            candidates.extend(a - b for a, b in itertools.combinations(node.args, 2))
        for rel in self.expr.atoms(sp.Rel):
            candidates.append(rel.lhs - rel.rhs)
        for g in candidates:
            if g.free_symbols != {x}:
                continue
            for root in _real_roots(g, x):
                found.add(root)
        return sorted(found)[:_MAX_BREAKS]

    def float_values(self, *args: Any) -> np.ndarray:
        """``f`` in float64 at broadcast arrays (non-finite values and failures become 0)."""
        arrays = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
        shape = arrays[0].shape
        if self.fast is None:
            return np.zeros(shape)
        with np.errstate(all="ignore"):
            try:
                out = np.asarray(self.fast(*arrays))
            except Exception:  # a failing float evaluation: the quadrature sees 0 and no peak
                return np.zeros(shape)
        out = np.broadcast_to(np.real(out).astype(float, copy=False), shape)
        return np.where(np.isfinite(out), out, 0.0)

    def peaks(self, fixed: Sequence[float]) -> list[float]:
        """Local maxima of ``f(fixed, y)`` in ``y`` on a float scan (up to 8, largest first)."""
        centre = np.linspace(-30.0, 30.0, 601)
        far = np.geomspace(30.0, 1e6, 200)
        extra = [np.linspace(s * c - 20, s * c + 20, 81) for c in fixed for s in (1, -1)]
        grid = np.unique(np.concatenate([centre, far, -far, *extra]))
        values = self.float_values(*[np.float64(c) for c in fixed], grid)
        if not values.any():
            return []
        top = values.max()
        inner = (values[1:-1] >= values[:-2]) & (values[1:-1] >= values[2:])
        inner &= values[1:-1] > 1e-10 * top
        where = np.flatnonzero(inner) + 1
        where = where[np.argsort(-values[where])][:8]
        return [float(grid[i]) for i in where]


def _real_roots(g: sp.Expr, x: sp.Symbol) -> list[Any]:
    """Real roots of ``g`` in ``x`` as 30-digit mpf (polynomials; Abs split into both signs).

    Roots of polynomials with rational coefficients are isolated exactly and then rounded, so a
    jump at ``x = 50001/1000`` becomes a break point at that value to 30 digits.
    """
    abs_nodes = list(g.atoms(sp.Abs))
    if abs_nodes:
        node = abs_nodes[0]
        roots = _real_roots(node.args[0], x)
        for s in (1, -1):
            roots += _real_roots(g.xreplace({node: s * node.args[0]}), x)
        return roots
    try:
        poly = sp.Poly(g, x)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return []
    if poly.degree() < 1 or poly.degree() > 8 or poly.free_symbols - {x}:
        return []
    try:
        with mpmath.workdps(_DPS):
            if poly.domain.is_QQ or poly.domain.is_ZZ:
                return [mpmath.mpf(str(sp.N(r, _DPS))) for r in poly.real_roots()]
            return [
                mpmath.mpf(str(sp.re(r)))
                for r in poly.nroots(n=_DPS)
                if abs(sp.im(r)) < 10 ** (-_DPS // 2)
            ]
    except (sp.polys.polyerrors.NoConvergence, sp.PolynomialError, ValueError, TypeError):
        return []


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


def _quad_1d(probe: _Probe) -> tuple[Any, Any]:
    """``(Z, error estimate)`` by tanh-sinh quadrature at 30 digits over R."""
    breaks = {0.0, *probe.kinks(0), *probe.peaks(())}

    def f(u: Any) -> Any:
        value = mpmath.mpmathify(probe.mp(u))
        return value.real if isinstance(value, mpmath.mpc) else value

    with mpmath.workdps(_DPS):
        inner = sorted(mpmath.mpf(b) for b in breaks)
        inner = [b for i, b in enumerate(inner) if i == 0 or b != inner[i - 1]]
        points = [-mpmath.inf, *inner, mpmath.inf]
        value, error = mpmath.quad(f, points, error=True)
        return +value, +error


class _QuadState:
    """What the inner quadratures reported: largest error and value, and trouble flags."""

    def __init__(self) -> None:
        self.inner_error = 0.0
        self.inner_value = 0.0
        self.divergent = False
        self.unconverged = False

    def record(self, value: float, error: float) -> None:
        self.inner_error = max(self.inner_error, error)
        self.inner_value = max(self.inner_value, abs(value))

    @property
    def inner_relative_error(self) -> float:
        return self.inner_error / self.inner_value if self.inner_value > 0 else 0.0


_DE_STEPS = (1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64)
_DE_FINITE = 3.2  # tanh-sinh: t in [-3.2, 3.2] reaches the ends to double precision
_DE_INFINITE = 4.0  # exp-sinh: t in [-4, 4] covers distances 1e-19 .. 4e18 from the break


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
    g: Any, breaks: Iterable[float], epsabs: float, epsrel: float, state: _QuadState
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


def _quad_nd(probe: _Probe) -> tuple[float, float, bool, _QuadState]:
    """``(Z, error estimate, marginal tails ok, state)`` for d = 2 or 3.

    The outer variable is integrated by adaptive QUADPACK; for each of its values the inner
    integral over the remaining d - 1 variables is a product double-exponential rule
    (:func:`_de_rule`), vectorised in NumPy, with the step halved until two successive steps
    agree to 1e-11 in 2-D, 1e-10 in 3-D (the difference is the error estimate). In 2-D each
    slice gets its own break points at the local maxima found by a float scan, so a ridge is
    not missed.
    """
    d = probe.d
    scale = max(float(probe.largest), 1e-300)
    axis_breaks = [
        {0.0, *(float(k) for k in probe.kinks(i)), float(probe.argmax[i])} for i in range(d)
    ]
    state = _QuadState()
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
        for h in steps:
            if d == 2:
                nodes, weights = _de_rule(sorted(axis_breaks[1] | set(probe.peaks((x0,)))), h)
                values = probe.float_values(np.float64(x0), nodes)
                value = float(weights @ values)
                ends = values[[0, -1]] * weights[[0, -1]]
            else:
                ny, wy = rule(1, h)
                nz, wz = rule(2, h)
                grid = probe.float_values(np.float64(x0), ny[:, None], nz[None, :])
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
        marginal = [inner(s * r) for r in _TAIL_RADII[:2] for s in (1, -1)]
    tails_ok = True
    for s in range(2):
        near, far = marginal[s], marginal[2 + s]
        if far > 0 and (near <= 0 or math.log10(near / far) <= 1 + _DECAY_MARGIN):
            tails_ok = False
    return value, error, tails_ok, state


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
            bumps = _bumps(work, xs)
            if bumps is not None:
                family, total = _family_from_bumps(bumps)
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
            probe = _Probe(work, xs, label)
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
                with mpmath.workdps(_DPS):
                    gap = abs(mpmath.mpf(sp.N(exact, _DPS)) - value)
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
        u = _coordinates(xs, self.dim)
        return self.expr.xreplace(dict(zip(self.variables, u, strict=True)))


def check_values(expr: sp.Expr, variables: Sequence[str | sp.Symbol]) -> None:
    """The sign checks of :class:`Density` alone (no normalisation): a negative value at the
    probe points, or zero at all of them, is an :class:`InvalidArgument` naming the point
    (points where ``expr`` cannot be evaluated, such as a removable singularity, are skipped)."""
    xs = symbols_of(variables, reserve=False)
    label = f"density={_show(expr, 120)}"
    with stage("checking the density's values at probe points"):
        _Probe(exact_expression(expr), xs, label).check_pointwise(skip_undefined=True)


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
