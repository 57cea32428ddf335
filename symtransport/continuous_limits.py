"""Limits at a finite point by continuity, for expressions built from generic smooth functions.

SymPy's ``limit`` (series expansions, the Gruntz algorithm) cannot see inside an undefined
function ``s(x, t)``, so ``lim_{t -> 0} [d/dt (mu(x) / (1 + t d_x s(x, t))) - ...]`` stays
unevaluated. Every generic function of symtransport stands for a smooth function
(:mod:`symtransport.families`: all test families are C-infinity), so an expression built from
them, their derivatives, symbols, sums, products, integer powers, ``exp``, ``sin`` and ``cos``
is continuous wherever its denominator is non-zero, and then

    lim_{t -> a} f(t) = f(a).

:func:`limit_by_continuity` applies that rule when the denominator at ``a`` is provably
non-zero: a non-zero number, or a product of non-zero numbers and regular densities (positive
by their class) and their powers. Anything else (a logarithm, a root, an integral, a
denominator that may vanish) is left for SymPy's ``limit`` or for the numeric stage.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = ["limit_by_continuity"]

_ALLOWED = (sp.Add, sp.Mul, sp.exp, sp.sin, sp.cos, sp.Derivative, sp.Subs, AppliedUndef)


def _continuous(e: sp.Basic) -> bool:
    """Whether ``e`` is built only from the continuous pieces of the module docstring."""
    if e.is_Atom:
        return True
    if isinstance(e, sp.Pow):
        return bool(e.exp.is_Integer) and _continuous(e.base)
    if not isinstance(e, _ALLOWED):
        return False
    if isinstance(e, (sp.Derivative, sp.Subs, AppliedUndef)):
        return not e.atoms(sp.Integral, sp.Limit, sp.Sum)
    return all(_continuous(a) for a in e.args)


def _nonzero(e: sp.Expr, densities: Collection[str]) -> bool:
    """Whether ``e`` is provably non-zero (module docstring)."""
    for factor in sp.Mul.make_args(e):
        base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_Integer else factor
        if isinstance(base, AppliedUndef) and base.func.__name__ in densities:
            continue
        if not base.is_nonzero:
            return False
    return True


def limit_by_continuity(limit: sp.Limit, densities: Collection[str] = ()) -> sp.Expr | None:
    """``f(a)`` for ``Limit(f, t, a)`` with ``a`` finite, when the rule of the module docstring
    applies; else None. ``densities``: generic functions that stand for regular densities."""
    body, variable, point = limit.args[0], limit.args[1], limit.args[2]
    if not point.is_finite or not body.atoms(AppliedUndef) or not _continuous(body):
        return None
    numerator, denominator = sp.fraction(sp.together(body))
    at_point = sp.expand(denominator.subs(variable, point).doit())
    if at_point.has(variable) or not _nonzero(sp.factor(at_point), densities):
        return None
    return (numerator.subs(variable, point) / at_point).doit()
