"""Limits at a finite point by continuity, for expressions built from generic smooth functions.

SymPy's ``limit`` (series expansions, the Gruntz algorithm) cannot see inside an undefined
function ``s(x, t)``, so ``lim_{t -> 0} [d/dt (mu(x) / (1 + t d_x s(x, t))) - ...]`` stays
unevaluated. Every generic function of symtransport stands for a smooth function
(:mod:`symtransport._verification.families`: all test families are C-infinity), so an expression
built from them, their derivatives (also at a point, SymPy's ``Subs``), symbols, sums, products,
integer powers, ``exp``, ``sin`` and ``cos`` is continuous wherever the base of each negative power
is non-zero, and then

    lim_{t -> a} f(t) = f(a)    (from either side).

:func:`limit_by_continuity` carries out the derivatives, then applies that rule when every
piece, and every argument of every piece, is of those kinds and the base of every negative
power is provably non-zero at ``a`` (a product of non-zero numbers, and of regular densities,
positive by their class); a value holding an infinity or ``nan`` is refused. Anything else
(a logarithm, a root, a sign, an integral, a ``Subs`` of anything but a generic derivative, a
base that may vanish) is left for SymPy's ``limit`` or for the numeric stage.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp
from sympy.core.function import AppliedUndef

from symtransport._core.calculus import carry_out_derivatives

__all__ = ["limit_by_continuity"]

_ELEMENTARY = (sp.Add, sp.Mul, sp.exp, sp.sin, sp.cos)
_UNDEFINED_VALUES = (sp.zoo, sp.nan, sp.oo, -sp.oo)


def _nonzero(e: sp.Expr, densities: Collection[str]) -> bool:
    """Whether ``e`` is provably non-zero: a product of non-zero factors, regular densities
    (positive by their class) among them."""
    for factor in sp.Mul.make_args(sp.factor(e)):
        base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_Integer else factor
        if isinstance(base, AppliedUndef) and base.func.__name__ in densities:
            continue
        if not base.is_nonzero:
            return False
    return True


def _smooth_application(e: sp.Basic) -> bool:
    """A generic function, or its derivative in symbols, applied to anything."""
    if isinstance(e, sp.Derivative):
        return isinstance(e.expr, AppliedUndef) and all(v.is_Symbol for v in e.variables)
    return isinstance(e, AppliedUndef)


def _continuous(
    e: sp.Basic, variable: sp.Symbol, point: sp.Expr, densities: Collection[str]
) -> bool:
    """Whether ``e`` is continuous in ``variable`` at ``point`` by the rule of the module
    docstring: every piece allowed, every argument continuous, every negative power's base
    provably non-zero at the point."""
    if e.is_Atom:
        return True
    if isinstance(e, sp.Pow):
        if not e.exp.is_Integer or not _continuous(e.base, variable, point, densities):
            return False
        if e.exp.is_negative and e.base.has(variable):
            return _nonzero(e.base.subs(variable, point).doit(), densities)
        return True
    if isinstance(e, sp.Subs):  # a derivative at a point: SymPy's d_1 f(g(t), ...)
        return _smooth_application(e.expr) and all(
            _continuous(p, variable, point, densities) for p in e.point
        )
    if _smooth_application(e):
        applied = e.expr if isinstance(e, sp.Derivative) else e
        return all(_continuous(a, variable, point, densities) for a in applied.args)
    if isinstance(e, _ELEMENTARY):
        return all(_continuous(a, variable, point, densities) for a in e.args)
    return False


def limit_by_continuity(limit: sp.Limit, densities: Collection[str] = ()) -> sp.Expr | None:
    """``f(a)`` for ``Limit(f, t, a)`` with ``a`` finite, when the rule of the module docstring
    applies; else None. ``densities``: generic functions that stand for regular densities.
    Derivatives are carried out first, so that only derivatives of generic functions remain."""
    body, variable, point = limit.args[0], limit.args[1], limit.args[2]
    if not point.is_finite or not body.atoms(AppliedUndef):
        return None
    body = carry_out_derivatives(body)
    if not _continuous(body, variable, point, densities):
        return None
    value = body.subs(variable, point).doit()
    if value.has(*_UNDEFINED_VALUES):
        return None
    return value
