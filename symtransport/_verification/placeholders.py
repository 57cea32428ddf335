"""Bind the placeholders that SymPy's chain rule can leave free in derivatives.

Differentiating a generic function of several arguments at composite arguments twice, e.g.
``diff(u(b11*x1 + b12*x2, b21*x1 + b22*x2), x1, x2)``, SymPy (1.14) can return a mixed
derivative ``Derivative(u(P, xi), xi, P)`` in which ``P`` is a plain ``Symbol`` named
``"_b11*x1 + b12*x2"``, standing for the argument it replaced, but bound by no ``Subs``. Left
free, the numeric stage would draw a random value for it, as for any other symbol, and could
refute a true identity. Each such placeholder is substituted by the expression its name spells
(``subs`` rewrites a derivative with respect to an expression into a ``Subs``, which is the
intended meaning: the derivative at that argument).

A symbol counts as a placeholder only when it is a variable of differentiation, its name is
``"_"`` followed by the text of a compound expression in the expression's other symbols, read by
:func:`symtransport.parse_expression` (never evaluated as code), and that expression prints back
to exactly the same text. A symbol of a user's that merely starts with ``_`` is left alone.
"""

from __future__ import annotations

import sympy as sp

from symtransport.errors import InvalidArgument
from symtransport.parsing import parse_expression

__all__ = ["bind_placeholders"]


def _spelled(symbol: sp.Symbol, others: list[sp.Symbol]) -> sp.Expr | None:
    """The compound expression ``symbol``'s name spells, or None if it spells none."""
    text = symbol.name[1:]
    try:
        value = parse_expression(text, others)
    except InvalidArgument:
        return None
    if value.is_Atom or str(value) != text:
        return None
    return value


def bind_placeholders(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every free chain-rule placeholder replaced by the expression it stands
    for (see the module docstring); ``expr`` itself when it has none."""
    variables = {
        v
        for d in expr.atoms(sp.Derivative)
        for v in d.variables
        if type(v) is sp.Symbol and v.name.startswith("_")
    }
    free = expr.free_symbols
    placeholders = variables & free
    if not placeholders:
        return expr
    others = sorted((s for s in free - placeholders if type(s) is sp.Symbol), key=lambda s: s.name)
    values = {p: _spelled(p, others) for p in placeholders}
    bound = {p: v for p, v in values.items() if v is not None}
    return expr.subs(bound) if bound else expr
