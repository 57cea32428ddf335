"""Additive noise models ``x~ = x + eps``, ``eps ~ nu_t``, with covariance ``t C``.

``t`` is the noise *variance* ([J] §3: ``nu_t`` is "parametrised by variance t"), not the
standard deviation. Every model here has independent coordinates of variance ``t`` (``C = I``),
except the anisotropic Gaussian ``N(0, tC)``.

==============  ======================================================  =====================
name            density ``nu_t(eps)`` on R^d                            Stein's identity
==============  ======================================================  =====================
``gaussian``    ``N(eps; 0, tC)``                                       ``-tC grad nu = eps nu``
``laplace``     ``prod_i exp(-|eps_i|/b) / (2b)``, ``b = sqrt(t/2)``    no
``uniform``     ``prod_i 1{|eps_i| <= a} / (2a)``, ``a = sqrt(3t)``     no
==============  ======================================================  =====================

:class:`GenericNoise` is any noise with a density, an undefined function ``nu(eps)`` (a
regular density, :data:`symtransport._verification.families.REGULAR`), for the general statements
of [J] Thm 4; it is not in the registry of named models.

A new model is one small class registered in :data:`NOISE_MODELS`. Each model builds the
convolution integral ``int f(x) nu_t(x~ - x) dx`` with the right limits (the uniform model
integrates over the box ``|x_i - x~_i| <= a`` rather than carrying an indicator).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from symtransport._core.decimals import exact_scalar
from symtransport.errors import InvalidArgument

__all__ = [
    "NOISE_MODELS",
    "GaussianNoise",
    "GenericNoise",
    "LaplaceNoise",
    "NoiseModel",
    "UniformNoise",
    "noise_model",
]


class NoiseModel:
    """Interface of an additive noise model; see the module docstring."""

    name: ClassVar[str]
    is_gaussian: ClassVar[bool] = False

    def covariance(self, d: int, t: sp.Expr) -> sp.Matrix:
        """``Cov[eps] = t C``."""
        return t * sp.eye(d)

    def shape(self, d: int) -> sp.Matrix:
        """``C``, the covariance per unit of ``t``."""
        return sp.eye(d)

    def density(self, eps: Sequence[sp.Expr], t: sp.Expr) -> sp.Expr:
        """``nu_t(eps)``."""
        raise NotImplementedError

    def convolve(
        self, f: sp.Expr, xs: Sequence[sp.Symbol], at: Sequence[sp.Expr], t: sp.Expr
    ) -> sp.Expr:
        """``int f(x) nu_t(at - x) dx`` over R^d as an unevaluated Integral (x = ``xs``)."""
        body = f * self.density([a - x for a, x in zip(at, xs, strict=True)], t)
        return sp.Integral(body, *[(x, -sp.oo, sp.oo) for x in xs])

    def expectation(self, f: sp.Expr, eps: Sequence[sp.Symbol], t: sp.Expr) -> sp.Expr:
        """``E[f(eps)] = int f(eps) nu_t(eps) d eps`` as an unevaluated Integral."""
        zero = [sp.Integer(0)] * len(eps)
        return self.convolve(f.subs({e: -e for e in eps}, simultaneous=True), eps, zero, t)

    def check_dimension(self, d: int) -> None:
        """Raise if the model cannot act on R^d."""


@dataclass(frozen=True)
class GaussianNoise(NoiseModel):
    """``N(0, tC)``; ``cov`` is ``C`` (None for the isotropic ``N(0, tI)``)."""

    cov: sp.Matrix | None = None
    name: ClassVar[str] = "gaussian"
    is_gaussian: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.cov is None:
            return
        try:
            c = sp.Matrix(self.cov)
        except (TypeError, ValueError, sp.SympifyError) as exc:
            raise InvalidArgument(f"noise cov={self.cov!r} is not a matrix of numbers") from exc
        c = c.applyfunc(lambda v: exact_scalar(v, "noise cov entry"))  # 0.5 is 1/2
        if c.shape[0] != c.shape[1]:
            raise InvalidArgument(f"noise cov={c.tolist()} is not square")
        if c != c.T:
            raise InvalidArgument(f"noise cov={c.tolist()} is not symmetric")
        for k in range(1, c.shape[0] + 1):
            minor = c[:k, :k].det()
            if minor.is_positive is not True:
                raise InvalidArgument(
                    f"noise cov={c.tolist()} is not positive definite (leading minor {k} = "
                    f"{minor}); give a symmetric positive definite matrix"
                )
        object.__setattr__(self, "cov", sp.ImmutableMatrix(c))

    def check_dimension(self, d: int) -> None:
        if self.cov is not None and self.cov.shape[0] != d:
            raise InvalidArgument(
                f"noise cov is {self.cov.shape[0]}x{self.cov.shape[0]} but the data live in "
                f"R^{d}; give a {d}x{d} matrix"
            )

    def shape(self, d: int) -> sp.Matrix:
        return sp.eye(d) if self.cov is None else sp.Matrix(self.cov)

    def covariance(self, d: int, t: sp.Expr) -> sp.Matrix:
        return t * self.shape(d)

    def density(self, eps: Sequence[sp.Expr], t: sp.Expr) -> sp.Expr:
        d = len(eps)
        e = sp.Matrix(eps)
        cov = self.covariance(d, t)
        quad = (e.T * cov.inv() * e)[0, 0]
        return sp.exp(-quad / 2) / sp.sqrt((2 * sp.pi) ** d * cov.det())


@dataclass(frozen=True)
class LaplaceNoise(NoiseModel):
    """Independent Laplace coordinates of variance ``t``: scale ``b = sqrt(t/2)``."""

    name: ClassVar[str] = "laplace"

    def density(self, eps: Sequence[sp.Expr], t: sp.Expr) -> sp.Expr:
        b = sp.sqrt(t / 2)
        return sp.Mul(*(sp.exp(-sp.Abs(e) / b) / (2 * b) for e in eps))

    def convolve(
        self, f: sp.Expr, xs: Sequence[sp.Symbol], at: Sequence[sp.Expr], t: sp.Expr
    ) -> sp.Expr:
        """The convolution split at the kink: ``|c - x|`` is ``c - x`` below ``c`` and
        ``x - c`` above, so each of the ``2^d`` pieces is free of ``Abs``."""
        b = sp.sqrt(t / 2)
        pieces = []
        for signs in itertools.product((1, -1), repeat=len(xs)):
            kernel, limits = sp.Integer(1), []
            for sign, x, c in zip(signs, xs, at, strict=True):
                kernel *= sp.exp(-sign * (c - x) / b) / (2 * b)
                limits.append((x, -sp.oo, c) if sign == 1 else (x, c, sp.oo))
            pieces.append(sp.Integral(f * kernel, *limits))
        return sp.Add(*pieces)


@dataclass(frozen=True)
class UniformNoise(NoiseModel):
    """Independent uniform coordinates on ``[-a, a]`` of variance ``t``: ``a = sqrt(3t)``."""

    name: ClassVar[str] = "uniform"

    def density(self, eps: Sequence[sp.Expr], t: sp.Expr) -> sp.Expr:
        a = sp.sqrt(3 * t)
        return sp.Mul(*(sp.Piecewise((1 / (2 * a), sp.Abs(e) <= a), (0, True)) for e in eps))

    def convolve(
        self, f: sp.Expr, xs: Sequence[sp.Symbol], at: Sequence[sp.Expr], t: sp.Expr
    ) -> sp.Expr:
        a = sp.sqrt(3 * t)
        return sp.Integral(
            f / (2 * a) ** len(xs), *[(x, c - a, c + a) for x, c in zip(xs, at, strict=True)]
        )


@dataclass(frozen=True)
class GenericNoise(NoiseModel):
    """Any noise with a density: ``nu_t(eps) = name(eps_1, ..., eps_d)``, an undefined function
    that :func:`symtransport.verify_identity` treats as a regular density (its variance, ``t``
    for the named models, plays no part in the identities it is used for)."""

    function: str = "nu"
    name: ClassVar[str] = "generic"

    def density(self, eps: Sequence[sp.Expr], t: sp.Expr) -> sp.Expr:
        return sp.Function(self.function)(*eps)


NOISE_MODELS: dict[str, type[NoiseModel]] = {
    cls.name: cls for cls in (GaussianNoise, LaplaceNoise, UniformNoise)
}


def noise_model(name: str = "gaussian", cov: object = None) -> NoiseModel:
    """The registered model ``name``; ``cov`` (the matrix ``C``) only for Gaussian noise."""
    if name not in NOISE_MODELS:
        raise InvalidArgument(
            f"noise={name!r} is not a noise model; use one of {list(NOISE_MODELS)}"
        )
    if cov is not None:
        if name != "gaussian":
            raise InvalidArgument(
                f"a noise covariance goes with Gaussian noise only, not noise={name!r}"
            )
        return GaussianNoise(cov)
    return NOISE_MODELS[name]()
