"""Recognising a Gaussian family in an expression: ``f = sum_k c_k exp(Q_k(x))``.

An expression is a Gaussian (mixture) up to a constant factor when it expands into terms
``c_k exp(Q_k(x))``, each with a provably positive constant ``c_k`` and a polynomial ``Q_k`` of
degree exactly 2 in the variables whose Hessian ``H_k`` is negative definite. Each term is then a
Gaussian bump (:class:`Bump`) with

    S_k = (-H_k)^{-1},   m_k = S_k grad Q_k(0),
    int_{R^d} c_k exp(Q_k) = c_k exp(Q_k(m_k)) sqrt((2 pi)^d det S_k),

terms with the same ``(m_k, S_k)`` merge, and the weights are the masses divided by their sum
``Z``, the exact normalisation of ``f`` (:func:`family_from_bumps`). Powers ``b**q`` of a
positive constant ``b`` count as ``exp(q log b)``, products of exponentials are merged first, and
``cosh``/``sinh`` are rewritten as exponentials. Symbols other than the variables are
parameters: every decision is taken from their assumptions, and undecidable means "not
recognised". A cheap filter (no exponential of the variables, or a large power of a sum) rejects
most other expressions before :func:`sympy.expand` could blow up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from symtransport._core.decimals import exact_expression
from symtransport._core.gaussint import MAX_EXPANDED_POWER
from symtransport._core.matrices import is_zero, positive_definite, sign_status
from symtransport._theory.gaussians import Gaussian, GaussianMixture
from symtransport._theory.variables import symbols_of
from symtransport.errors import InvalidArgument
from symtransport.parsing import parse_expression

__all__ = ["Bump", "family_from_bumps", "gaussian_bumps", "recognise_gaussian_family"]


@dataclass(frozen=True)
class Bump:
    """One term ``c exp(Q(x))``: its mass ``int c exp(Q)``, its mean and its covariance."""

    mass: sp.Expr
    mean: sp.ImmutableMatrix
    cov: sp.ImmutableMatrix


def _hyperbolic_to_exp(expr: sp.Expr) -> sp.Expr:
    if not expr.has(sp.cosh, sp.sinh):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.cosh | sp.sinh), lambda e: e.rewrite(sp.exp))


def _bump(term: sp.Expr, xs: Sequence[sp.Symbol]) -> Bump | None:
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
    if sign_status(const, strict=True) is not True:
        return None
    try:
        poly = sp.Poly(sp.expand(exponent), *xs)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    if poly.total_degree() != 2 or any(c.is_extended_real is not True for c in poly.coeffs()):
        return None
    q = poly.as_expr()
    neg_hessian = -sp.hessian(q, xs)
    status, _, _ = positive_definite(neg_hessian)
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
    return Bump(mass, sp.ImmutableMatrix(mean), sp.ImmutableMatrix(cov))


def _same(a: sp.MatrixBase, b: sp.MatrixBase) -> bool:
    return all(is_zero(p - q) for p, q in zip(a, b, strict=True))


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


def gaussian_bumps(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> list[Bump] | None:
    """The terms of ``expr`` as Gaussian bumps (equal mean and covariance merged), or None."""
    expr = _hyperbolic_to_exp(exact_expression(expr))
    if not expr.has(*xs) or not _may_be_gaussian(expr, xs):
        return None
    expanded = sp.expand(expr, power_exp=False, log=False)
    bumps: list[Bump] = []
    for term in sp.Add.make_args(expanded):
        bump = _bump(term, xs)
        if bump is None:
            return None
        for i, old in enumerate(bumps):
            if _same(old.mean, bump.mean) and _same(old.cov, bump.cov):
                bumps[i] = Bump(old.mass + bump.mass, old.mean, old.cov)
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


def family_from_bumps(bumps: list[Bump]) -> tuple[Gaussian | GaussianMixture, sp.Expr]:
    """The Gaussian (one bump) or the mixture (weights: the masses over their sum) of
    ``bumps``, and the sum ``Z`` of the masses (the exact integral of the expression)."""
    total = sp.Add(*(b.mass for b in bumps))
    if len(bumps) == 1:
        return Gaussian(bumps[0].mean, bumps[0].cov), total
    weights = []
    for b in bumps:
        w = b.mass / total
        weights.append(w if w.is_Rational else _simpler(w))
    components = tuple(Gaussian(b.mean, b.cov) for b in bumps)
    return GaussianMixture(tuple(weights), components), total


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
    bumps = gaussian_bumps(expr, xs)
    if bumps is None:
        return None
    return family_from_bumps(bumps)[0]
