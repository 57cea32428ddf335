"""The Gaussian family on R^d: Gaussians and Gaussian mixtures, with exact parameters.

Two frozen dataclasses share one small interface with
:class:`~symtransport._theory.densities.Density` (``dim``, ``pdf(xs)``, ``family``,
``normalisation``) and validate their invariants on construction:

:class:`Gaussian`
    ``N(m, S)`` with mean ``m`` (a d x 1 column) and covariance ``S`` (d x d, symmetric positive
    definite; in 1-D the scalar ``S`` is the *variance*), with density

        N(x; m, S) = exp(-(x - m)^T S^{-1} (x - m) / 2) / sqrt((2 pi)^d det S).

    Smoothing by the Gaussian noise of [J] is a convolution that adds covariances,
    ``nu_t * N(m, S) = N(m, S + tI)`` ([J] App. D; ``nu_t = N(0, tI)``, ``t`` the noise variance).
:class:`GaussianMixture`
    ``sum_k w_k N(m_k, S_k)`` with positive weights summing to 1 ([J] §5.1, eqs. (38)-(43)); its
    responsibilities ``gamma_k(x) = w_k N(x; m_k, S_k) / sum_j w_j N(x; m_j, S_j)`` are [J]
    eq. (40) once the components are smoothed (``S_k + tI``).

Every entry given as a Python float or SymPy Float is read as the decimal the user typed
(:mod:`symtransport._core.decimals`): ``0.1`` becomes ``Rational(1, 10)``, so sums of typed weights
such as ``0.1 + 0.2 + 0.7`` are exactly 1. Symmetry and positive definiteness are decided exactly
(:mod:`symtransport._core.matrices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Self

import sympy as sp

from symtransport._core.calculus import gaussian_density
from symtransport._core.decimals import exact_scalar
from symtransport._core.decimals import shown as _show
from symtransport._core.matrices import (
    as_column,
    as_list,
    as_square,
    check_positive_definite,
    check_positive_semidefinite,
    check_symmetric,
    coordinates,
    free_symbols_of,
    is_scalar,
    is_zero,
    sign_status,
)
from symtransport.errors import InvalidArgument

__all__ = ["Gaussian", "GaussianMixture"]


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
        mean = as_column(self.mean, "mean")
        cov = as_square(self.cov, mean.rows, "cov", scalar_means_identity=False)
        check_symmetric(cov, "cov")
        check_positive_definite(cov, "cov")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "cov", cov)

    @property
    def dim(self) -> int:
        """The dimension d."""
        return int(self.mean.rows)

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """The symbols in the mean and the covariance."""
        return free_symbols_of(self.mean, self.cov)

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
        u = coordinates(xs, self.dim)
        if self.dim == 1:
            return gaussian_density(u[0], self.mean[0], self.cov[0, 0])
        diff = sp.Matrix(u) - self.mean
        quad = (diff.T * self.precision * diff)[0, 0]
        return sp.exp(-quad / 2) / sp.sqrt((2 * sp.pi) ** self.dim * self.det)

    def log_pdf(self, xs: Any) -> sp.Expr:
        """``log N(xs; m, S) = -(x-m)^T S^{-1} (x-m)/2 - (d/2) log(2 pi) - log(det S)/2``."""
        u = coordinates(xs, self.dim)
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
        extra = as_square(extra_cov, self.dim, "extra_cov", scalar_means_identity=True)
        check_symmetric(extra, "extra_cov")
        check_positive_semidefinite(extra, "extra_cov")
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
        components = as_list(self.components)
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
        weights_in = [self.weights] if is_scalar(self.weights) else as_list(self.weights)
        if weights_in is None:
            raise InvalidArgument(f"weights={self.weights!r} is not a sequence of numbers.")
        if len(weights_in) != len(components):
            raise InvalidArgument(
                f"len(weights)={len(weights_in)} but len(components)={len(components)}; "
                "expected one weight per component."
            )
        weights = [exact_scalar(w, f"weights[{k}]") for k, w in enumerate(weights_in)]
        for k, w in enumerate(weights):
            status = sign_status(w, strict=True)
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
        if not is_zero(total - 1):
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
        means_l, covs_l = as_list(means), as_list(covs)
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
        return free_symbols_of(*self.weights).union(*(c.free_symbols for c in self.components))

    @cached_property
    def mean(self) -> sp.ImmutableMatrix:
        """The mixture mean ``sum_k w_k m_k`` (a d x 1 column)."""
        total = sp.zeros(self.dim, 1)
        for w, c in zip(self.weights, self.components, strict=True):
            total += w * c.mean
        return sp.ImmutableMatrix(total)

    def pdf(self, xs: Any) -> sp.Expr:
        """``sum_k w_k N(xs; m_k, S_k)``."""
        u = coordinates(xs, self.dim)
        return sp.Add(*(w * c.pdf(u) for w, c in zip(self.weights, self.components, strict=True)))

    def responsibilities(self, xs: Any) -> list[sp.Expr]:
        """``gamma_k(xs) = w_k N(xs; m_k, S_k) / sum_j w_j N(xs; m_j, S_j)`` ([J] eq. (40)).

        [J] eq. (40) uses the smoothed components ``S_k + tI``: call ``smoothed(t)`` first.
        These are exact expressions; evaluate them in log space (a softmax) numerically.
        """
        u = coordinates(xs, self.dim)
        parts = [w * c.pdf(u) for w, c in zip(self.weights, self.components, strict=True)]
        total = sp.Add(*parts)
        return [p / total for p in parts]

    def smoothed(self, extra_cov: Any) -> GaussianMixture:
        """Every component convolved with ``N(0, extra_cov)`` (weights unchanged).

        ``nu_t * sum_k w_k N(m_k, S_k) = sum_k w_k N(m_k, S_k + tI)`` ([J] App. D and (38)).
        """
        return GaussianMixture(self.weights, tuple(c.smoothed(extra_cov) for c in self.components))
