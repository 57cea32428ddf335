"""Functionals on densities, symbolically: entropy, Fisher information, first variation and
the Wasserstein (Otto) gradient ([J] §2 Fact 3, §4.3 Thm 8, §4.4).

A *local* functional is ``F[mu] = int f(mu(x)) dx`` for a SymPy expression ``f(u)`` in the
scalar placeholder ``u`` (:data:`U`, positive: the value of a density at a point). Then

* first variation: ``dF/dmu = f'(mu)``, so ``d/ds F[mu + s h]|_{s=0} = int f'(mu) h dx``;
* Wasserstein gradient, in the convention of the notes §1 ("Sign conventions"), under which a
  gradient flow is ``d/dt mu_t = -grad F[mu_t]`` ([J] (12)) and the continuity equation is
  ``d/dt mu_t = -div(mu_t v_t)`` ([J] (9)) with velocity ``v_t = -grad dF/dmu``:

      grad F[mu] = -div(mu grad dF/dmu).

The functionals of the paper:

* Shannon entropy ``H[mu] = -int mu log mu`` (:func:`shannon_entropy`); ``dH/dmu = -log mu - 1``
  and ``grad H[mu] = div(mu grad log mu) = Laplacian(mu)`` ([J] proof of Thm 8, (28));
* [J]'s "Renyi entropy" ``H^a[mu] = int (mu^a - mu)/(a - 1)`` (:func:`renyi`, [J] §4.4), in
  fact a Tsallis-type functional with ``H^a -> int mu log mu = -H`` as ``a -> 1``;
* the Tsallis entropy ``S_a = -H^a = int (mu - mu^a)/(a - 1)`` (:func:`tsallis`), with
  ``grad S_a[mu] = Laplacian(mu^a)``, so that its gradient flow is the backward porous medium
  equation ``d/dt mu = -Laplacian(mu^a)`` ([J] (29); notes §2.4);
* the Fisher information ``I(mu) = int |grad mu|^2 / mu dx`` (:func:`fisher_information`), not
  local in this sense (it depends on ``grad mu``); the rate of entropy along the backward heat
  flow, ``d/dt H[mu_t] = -I(mu_t)`` (notes §2.3, a reversed de Bruijn identity).

Integrals are returned unevaluated (over the whole space); :func:`symtransport.verify_identity`
closes the Gaussian ones exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from symtransport._core.calculus import divergence, gradient
from symtransport.errors import InvalidArgument

__all__ = [
    "LocalFunctional",
    "U",
    "fisher_information",
    "renyi",
    "shannon_entropy",
    "tsallis",
]

U = sp.Symbol("u", positive=True)
"""The placeholder for the value ``mu(x) > 0`` in the integrand ``f(u)`` of a local functional."""


def _coordinates(xs: Sequence[sp.Symbol]) -> tuple[sp.Symbol, ...]:
    if isinstance(xs, (sp.Symbol, str)):
        raise InvalidArgument(f"xs={xs!r}: give a sequence of coordinate symbols, e.g. (x, y)")
    coords = tuple(xs)
    if not coords or not all(isinstance(v, sp.Symbol) for v in coords):
        raise InvalidArgument(f"xs={xs!r}: give a non-empty sequence of coordinate symbols")
    if len(set(coords)) != len(coords):
        raise InvalidArgument(f"xs={xs!r} repeats a coordinate")
    return coords


def _expression(value: Any, name: str, hint: str) -> sp.Expr:
    """``value`` as a SymPy expression (never parsing text); :class:`InvalidArgument` naming
    ``name`` otherwise, with ``hint`` for text."""
    if isinstance(value, str | bool):
        raise InvalidArgument(f"{name}={value!r} is not a SymPy expression; {hint}")
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidArgument(f"{name}={value!r} is not a SymPy expression; {hint}") from exc
    if not isinstance(expr, sp.Expr):
        raise InvalidArgument(f"{name}={expr!r} is a {type(expr).__name__}, not an expression")
    return expr


def _density(mu: Any, xs: tuple[sp.Symbol, ...]) -> sp.Expr:
    expr = _expression(mu, "mu", "parse text with symtransport.parse_expression first")
    if U in expr.free_symbols:
        raise InvalidArgument(f"mu={expr} uses the placeholder {U}, reserved for f(u)")
    if not expr.has(*xs):
        raise InvalidArgument(f"mu={expr} does not depend on the coordinates {list(xs)}")
    return expr


def _whole_space(integrand: sp.Expr, xs: tuple[sp.Symbol, ...]) -> sp.Integral:
    return sp.Integral(integrand, *((v, -sp.oo, sp.oo) for v in xs))


@dataclass(frozen=True)
class LocalFunctional:
    """``F[mu] = int f(mu(x)) dx`` with ``f = integrand``, an expression in :data:`U`.

    ``name``: for messages and reports. The integrand may also contain parameters (such as the
    exponent ``a`` of :func:`tsallis`) but no coordinates: pass those to the methods.
    """

    name: str
    integrand: sp.Expr

    def __post_init__(self) -> None:
        f = _expression(
            self.integrand, "integrand", "build f(u) from symtransport._theory.functionals.U"
        )
        if f.atoms(AppliedUndef, sp.Derivative):
            raise InvalidArgument(
                f"integrand={f!r} must be an expression in the placeholder {U} alone, "
                "not a function of x"
            )
        if U not in f.free_symbols:
            raise InvalidArgument(f"integrand={f} does not depend on the placeholder {U}")
        object.__setattr__(self, "integrand", f)

    def density_integrand(self, mu: Any, xs: Sequence[sp.Symbol]) -> sp.Expr:
        """``f(mu(x))``."""
        coords = _coordinates(xs)
        return self.integrand.subs(U, _density(mu, coords))

    def value(self, mu: Any, xs: Sequence[sp.Symbol]) -> sp.Integral:
        """``F[mu] = int_{R^d} f(mu(x)) dx``, unevaluated."""
        coords = _coordinates(xs)
        return _whole_space(self.density_integrand(mu, coords), coords)

    def first_variation(self, mu: Any, xs: Sequence[sp.Symbol]) -> sp.Expr:
        """``dF/dmu = f'(mu)``: ``d/ds F[mu + s h]|_{s=0} = int f'(mu) h dx``."""
        coords = _coordinates(xs)
        return sp.diff(self.integrand, U).subs(U, _density(mu, coords))

    def wasserstein_gradient(self, mu: Any, xs: Sequence[sp.Symbol]) -> sp.Expr:
        """``grad F[mu] = -div(mu grad dF/dmu)`` (Otto; the convention of the notes §1, under
        which ``grad H[mu] = Laplacian(mu)`` as in [J] proof of Thm 8, (28))."""
        coords = _coordinates(xs)
        density = _density(mu, coords)
        potential = self.first_variation(density, coords)
        return -divergence(density * gradient(potential, coords), coords)


def shannon_entropy() -> LocalFunctional:
    """``H[mu] = -int mu log mu dx`` (notes §1; [J] Thm 8)."""
    return LocalFunctional("Shannon entropy H", -U * sp.log(U))


def _exponent(alpha: Any) -> sp.Expr:
    a = _expression(alpha, "alpha", "give a number or a SymPy expression")
    if a.is_positive is False or a.is_real is False:
        raise InvalidArgument(f"alpha={a!r}: the exponent must be a positive real number")
    if U in a.free_symbols:
        raise InvalidArgument(f"alpha={a} uses the placeholder {U}")
    if (a - 1).is_zero:
        raise InvalidArgument(
            "alpha=1: the functional is defined for alpha != 1; its limit is the Shannon "
            "entropy, shannon_entropy()"
        )
    return a


def renyi(alpha: Any) -> LocalFunctional:
    """[J]'s "Renyi entropy" ``H^a[mu] = int (mu^a - mu)/(a - 1) dx`` ([J] §4.4), ``a > 0``,
    ``a != 1``. A Tsallis-type functional: ``H^a -> int mu log mu = -H`` as ``a -> 1``."""
    a = _exponent(alpha)
    return LocalFunctional(f"H^{a}", (U**a - U) / (a - 1))


def tsallis(alpha: Any) -> LocalFunctional:
    """The Tsallis entropy ``S_a[mu] = -H^a[mu] = int (mu - mu^a)/(a - 1) dx``, ``a > 0``,
    ``a != 1``: ``S_a -> H`` as ``a -> 1``, and ``grad S_a = Laplacian(mu^a)``, whose gradient
    flow is the backward porous medium equation ([J] (29); notes §2.4)."""
    a = _exponent(alpha)
    return LocalFunctional(f"S_{a}", -renyi(a).integrand)


def fisher_information(mu: Any, xs: Sequence[sp.Symbol]) -> sp.Integral:
    """``I(mu) = int_{R^d} |grad mu|^2 / mu dx``, unevaluated (notes §2.3)."""
    coords = _coordinates(xs)
    density = _density(mu, coords)
    flux = gradient(density, coords)
    return _whole_space((flux.T * flux)[0, 0] / density, coords)
