"""Test families that stand in for generic (undefined) functions in numeric checks.

An identity about an undefined function ``mu(x, y)`` claims something for *every* function of
a class. The numeric stage of :func:`symtransport.verify_identity` replaces the function by
random members of a family much richer than Gaussians, so that an identity that holds only for
Gaussians, only for exponentials or only for positive functions is refuted. All parameters are
exact rationals, so each member is an exact SymPy expression: it can be evaluated at any
precision, and a density member integrates to exactly 1.

``density`` (the default)
    a mixture of 1 to 3 skew-normal components on R^n,
    ``sum_k w_k * 2 * N(u; m_k, S_k) * Phi(a_k . (u - m_k))`` with ``Phi(z) = erfc(-z/sqrt 2)/2``,
    which is smooth, strictly positive and normalised for every skewness vector ``a_k``.
    Where the function sits inside an integral (``closed_form=True``), its 1 or 2 components are
    instead Gaussians times a positive quadratic, ``w_k (c_k + (a_k . (u - m_k) + b_k)^2)
    N(u; m_k, S_k) / (c_k + a_k^T S_k a_k + b_k^2)`` with ``b_k >= 1/4``: skewed, and as far from
    Gaussian (``log`` of the quadratic has non-zero third derivatives), and their integrals
    against Gaussian kernels have closed forms (:mod:`symtransport._core.gaussint`), where a skew
    normal's need quadrature at up to 120 digits (tens of seconds per point).
``positive``
    a positive multiple ``c * density`` with ``c`` in [1/4, 4]: smooth, positive, unnormalised.
``smooth``
    a sign-changing smooth function: sums of polynomial-times-Gaussian bumps plus a modulated
    sinusoid, ``sum_k (c_k + b_k . (u - m_k)) exp(-|u - m_k|^2 / (2 s_k))``
    ``+ d sin(w . u + p) exp(-|u|^2 / (2 r))``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from symtransport.errors import InvalidArgument

__all__ = [
    "DEFAULT_FAMILY",
    "FAMILIES",
    "REGULAR",
    "FunctionInstance",
    "draw_instance",
    "family_names",
]

#: the family of a generic function no ``functions=`` entry names
DEFAULT_FAMILY = "density"

#: the families whose functions are *regular densities*: smooth, positive, bounded, with
#: finite moments of all orders. A generic function of one of these families stands, in a
#: general statement, for every such function; the exact stage may use those properties
#: (the convergence of moments, :mod:`symtransport._verification.intnormal`), and every member
#: drawn for the numeric stage has them.
REGULAR = frozenset({"density", "positive"})


@dataclass(frozen=True)
class FunctionInstance:
    """A concrete member of a test family: ``lam`` is a SymPy Lambda of the function's arity."""

    name: str
    family: str
    lam: sp.Lambda

    def describe(self) -> str:
        """The instance as text, exact enough to reproduce a counterexample."""
        args = ", ".join(str(a) for a in self.lam.variables)
        return f"{self.name}({args}) = {self.lam.expr}"


def _rational(rng: random.Random, low: float, high: float, denominator: int = 8) -> sp.Rational:
    return sp.Rational(round(rng.uniform(low, high) * denominator), denominator)


def _spd_matrix(rng: random.Random, n: int) -> sp.Matrix:
    """A random symmetric positive definite matrix with rational entries (L L^T + eps I)."""
    lower = sp.zeros(n, n)
    for i in range(n):
        lower[i, i] = _rational(rng, 0.4, 1.6)
        for j in range(i):
            lower[i, j] = _rational(rng, -0.6, 0.6)
    return lower * lower.T + sp.Rational(1, 20) * sp.eye(n)


def _gaussian(u: sp.Matrix, mean: sp.Matrix, cov: sp.Matrix) -> sp.Expr:
    n = u.shape[0]
    d = u - mean
    quad = (d.T * cov.inv() * d)[0, 0]
    return sp.exp(-quad / 2) / sp.sqrt((2 * sp.pi) ** n * cov.det())


def _density(rng: random.Random, u: sp.Matrix, closed_form: bool = False) -> sp.Expr:
    n = u.shape[0]
    # closed-form members have at most 2 components: a product of two generic densities in an
    # integral is then at most 4 Gaussian terms, not 9
    k = rng.choice([1, 2] if closed_form else [1, 2, 2, 3])
    raw = [sp.Integer(rng.randint(1, 6)) for _ in range(k)]
    weights = [w / sum(raw) for w in raw]
    total = sp.Integer(0)
    for w in weights:
        mean = sp.Matrix([_rational(rng, -1.5, 1.5) for _ in range(n)])
        cov = _spd_matrix(rng, n)
        skew = sp.Matrix([_rational(rng, -2.0, 2.0) for _ in range(n)])
        z = (skew.T * (u - mean))[0, 0]
        if closed_form:
            # (c + (a.(u - m) + b)^2) N(u; m, S): positive, and skewed by b != 0; its mean
            # is c + a^T S a + b^2
            offset, shift = _rational(rng, 0.1, 1.0), _rational(rng, 0.25, 1.0)
            variance = (skew.T * cov * skew)[0, 0]
            factor = (offset + (z + shift) ** 2) / (offset + variance + shift**2)
            total += w * factor * _gaussian(u, mean, cov)
        else:
            total += w * _gaussian(u, mean, cov) * sp.erfc(-z / sp.sqrt(2))
    return total


def _positive(rng: random.Random, u: sp.Matrix, closed_form: bool = False) -> sp.Expr:
    return _rational(rng, 0.25, 4.0) * _density(rng, u, closed_form)


def _smooth(rng: random.Random, u: sp.Matrix, closed_form: bool = False) -> sp.Expr:
    n = u.shape[0]
    total = sp.Integer(0)
    for _ in range(rng.choice([1, 2])):
        mean = sp.Matrix([_rational(rng, -1.5, 1.5) for _ in range(n)])
        slope = sp.Matrix([_rational(rng, -2.0, 2.0) for _ in range(n)])
        d = u - mean
        width = _rational(rng, 0.3, 2.0)
        height = _rational(rng, -2.0, 2.0) or sp.Integer(1)
        total += (height + (slope.T * d)[0, 0]) * sp.exp(-(d.T * d)[0, 0] / (2 * width))
    freq = sp.Matrix([_rational(rng, 0.5, 3.0) for _ in range(n)])
    phase = _rational(rng, -3.0, 3.0)
    spread = _rational(rng, 1.0, 4.0)
    amplitude = _rational(rng, 0.25, 1.5)
    total += (
        amplitude * sp.sin((freq.T * u)[0, 0] + phase) * sp.exp(-(u.T * u)[0, 0] / (2 * spread))
    )
    return total


FAMILIES: dict[str, Callable[[random.Random, sp.Matrix, bool], sp.Expr]] = {
    "density": _density,
    "positive": _positive,
    "smooth": _smooth,
}


def family_names() -> list[str]:
    """Names of the registered families."""
    return sorted(FAMILIES)


def draw_instance(
    name: str, family: str, arity: int, rng: random.Random, closed_form: bool = False
) -> FunctionInstance:
    """A random member of ``family`` with ``arity`` arguments, standing in for function ``name``;
    ``closed_form``: a member whose integrals against Gaussians have closed forms, where the
    family has such members (module docstring)."""
    if family not in FAMILIES:
        raise InvalidArgument(
            f"functions[{name!r}]={family!r} is not a known function family; "
            f"use one of {family_names()}"
        )
    variables: Sequence[sp.Symbol] = sp.symbols(f"u1:{arity + 1}", real=True)
    expr = FAMILIES[family](rng, sp.Matrix(variables), closed_form)
    return FunctionInstance(name=name, family=family, lam=sp.Lambda(tuple(variables), expr))
