"""Noise models: additive ``x~ = x + eps``, ``eps ~ nu_t``, with covariance ``t C``, and masking.

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

A new additive model is one small class registered in :data:`NOISE_MODELS`. Each model builds
the convolution integral ``int f(x) nu_t(x~ - x) dx`` with the right limits (the uniform model
integrates over the box ``|x_i - x~_i| <= a`` rather than carrying an indicator).

:class:`MaskingNoise` is the corruption of the original DAEs: each coordinate is set to 0 with
probability ``p``, independently, ``x~ = x * b`` with ``b_i ~ Bernoulli(1 - p)``. It is not
additive and has no variance ``t``, so it is not in :data:`NOISE_MODELS` (the registry of the
additive models, which [J] Thm 4's convolution form (14) and everything built on it assume):
its additive interface (``density``, ``convolve``, ``covariance``, ``shape``,
``check_dimension``) raises :class:`~symtransport.errors.UnsupportedError`, so that
``ShallowDAE`` and the samplers of additive noise refuse it. Its posterior mean is in
:mod:`symtransport._theory.masking`. :data:`NOISE_NAMES` lists every name :func:`noise_model`
accepts.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp

from symtransport._core.decimals import exact_scalar
from symtransport.errors import InvalidArgument, UnsupportedError

__all__ = [
    "NOISE_MODELS",
    "NOISE_NAMES",
    "GaussianNoise",
    "GenericNoise",
    "LaplaceNoise",
    "MaskingNoise",
    "NoiseModel",
    "UniformNoise",
    "noise_model",
]


class NoiseModel:
    """Interface of a noise model; see the module docstring. Every method below belongs to
    additive noise (``is_additive``); :class:`MaskingNoise` refuses them."""

    name: ClassVar[str]
    is_gaussian: ClassVar[bool] = False
    is_additive: ClassVar[bool] = True

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


@dataclass(frozen=True)
class MaskingNoise(NoiseModel):
    """Masking noise: ``x~ = x * b``, ``b_i ~ Bernoulli(1 - p)`` independent of ``x`` and of each
    other, so each coordinate is zeroed with probability ``p``, ``0 < p < 1`` (an exact
    rational: ``0.1`` is read as ``1/10``). Not additive: the methods of additive noise raise
    :class:`~symtransport.errors.UnsupportedError` naming what to use instead."""

    p: Any
    name: ClassVar[str] = "masking"
    is_additive: ClassVar[bool] = False

    def __post_init__(self) -> None:
        value = exact_scalar(self.p, "masking probability p")
        if not value.is_Rational:
            raise InvalidArgument(
                f"masking probability p={self.p!r} is not a number; give a rational or a "
                "decimal such as 0.1 (the masked DAE's map does not depend on p)"
            )
        if not 0 < value < 1:
            raise InvalidArgument(
                f"masking probability p={value} is outside (0, 1); each coordinate is zeroed "
                "with probability p, so give 0 < p < 1"
            )
        object.__setattr__(self, "p", value)

    def _not_additive(self, what: str) -> UnsupportedError:
        return UnsupportedError(
            f"masking noise (p={self.p}) multiplies each coordinate by a Bernoulli(1 - p) "
            f"variable; it is not additive and has no variance t, so it has no {what}: [J] "
            "Thm 4's convolution form (14), ShallowDAE and the samplers of additive noise do "
            "not apply. Use symtransport.masked_posterior_mean (Gaussian mixtures), "
            "symtransport.mask_samples, or `symtransport derive dae --noise masking`"
        )

    def covariance(self, d: int, t: sp.Expr) -> sp.Matrix:
        raise self._not_additive("noise covariance t C")

    def shape(self, d: int) -> sp.Matrix:
        raise self._not_additive("noise covariance t C")

    def density(self, eps: Sequence[sp.Expr], t: sp.Expr) -> sp.Expr:
        raise self._not_additive("noise density nu_t")

    def convolve(
        self, f: sp.Expr, xs: Sequence[sp.Symbol], at: Sequence[sp.Expr], t: sp.Expr
    ) -> sp.Expr:
        raise self._not_additive("convolution with a noise density nu_t")

    def check_dimension(self, d: int) -> None:
        raise self._not_additive("additive DAE on R^d")


#: the additive models by name (Thm 4's setting); masking is apart (see the module docstring)
NOISE_MODELS: dict[str, type[NoiseModel]] = {
    cls.name: cls for cls in (GaussianNoise, LaplaceNoise, UniformNoise)
}

#: every name :func:`noise_model` accepts: the additive models, then masking
NOISE_NAMES: tuple[str, ...] = (*NOISE_MODELS, MaskingNoise.name)

_UNSET: Any = object()  # an argument not given (None is a value: the identity covariance)


def noise_model(
    name: str = "gaussian",
    parameter: Any = _UNSET,
    *,
    cov: Any = _UNSET,
    p: Any = _UNSET,
) -> NoiseModel:
    """The noise model ``name``. The second positional argument is its parameter: ``C`` for
    Gaussian noise ``N(0, tC)`` (optional, also ``cov=``; None is the identity), ``p`` for
    masking noise (required, also ``p=``); Laplace and uniform noise take none.

    >>> noise_model("masking", 0.1)
    MaskingNoise(p=1/10)
    """
    if name not in NOISE_NAMES:
        raise InvalidArgument(
            f"noise={name!r} is not a noise model; use one of {list(NOISE_NAMES)}"
        )
    if cov is None:  # None has always meant "no covariance given", for every model
        cov = _UNSET
    if cov is not _UNSET and name != GaussianNoise.name:
        raise InvalidArgument(
            f"a noise covariance goes with Gaussian noise only, not noise={name!r}"
        )
    if p is not _UNSET and name != MaskingNoise.name:
        raise InvalidArgument(f"a masking probability p goes with noise='masking', not {name!r}")
    named = p if name == MaskingNoise.name else cov
    given = [v for v in (parameter, named) if v is not _UNSET]
    if len(given) > 1:
        raise InvalidArgument(
            f"noise={name!r}: its parameter is given twice, positionally and by name"
        )
    value = given[0] if given else None
    if name == MaskingNoise.name:
        if value is None:
            raise InvalidArgument(
                "noise='masking' needs the masking probability p, e.g. noise_model('masking', 0.1)"
            )
        return MaskingNoise(value)
    if value is None:
        return NOISE_MODELS[name]()
    if name != GaussianNoise.name:
        raise InvalidArgument(
            f"noise={name!r} takes no parameter (a covariance C goes with Gaussian noise, a "
            "probability p with masking)"
        )
    return GaussianNoise(value)
