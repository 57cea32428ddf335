"""Expressions shown the way a person writes them, within a display budget.

The derivations compute with whatever form SymPy produces; what is printed is rewritten here,
never what is checked. Three rules:

* shape: a 1 x 1 matrix is its entry, a column vector is ``(a, b)``;
* sums of exponentials ``sum_k c_k(x) exp(E_k(x))`` (scores and maps of Gaussian mixtures) keep
  one exponential per component, its coefficient factored: ``-2*(x - 3)*exp(...)/5``, never
  ``exp(+...)`` factors moved across a fraction bar as ``simplify`` does; a rational function
  is factored (``-(x - 3)/5``, the score ``-(x - m)/s2`` of a Gaussian);
* a root object of a polynomial (``CRootOf``) names its variable ``z`` (or another name not
  among the user's variables), never a dummy that prints like the user's ``x``.

The rewriting is bounded: an expression of more than :data:`DISPLAY_OPS` operations is shown
as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symtransport._core.calculus import distributed_terms

__all__ = [
    "DISPLAY_OPS",
    "DISPLAY_TERMS",
    "FACTOR_OPS",
    "readable",
    "shown",
    "shown_latex",
    "support_part",
]

#: largest expression (``count_ops``) that is rewritten for display
DISPLAY_OPS = 4000
#: largest expression (``count_ops``) that is factored for display
FACTOR_OPS = 80
#: most terms a sum is distributed into for display (past it, it is grouped as it stands)
DISPLAY_TERMS = 2000


def readable(e: sp.Expr) -> sp.Expr:
    """``e`` in the form of the module docstring (equal to ``e``), or ``e`` when too large."""
    if not isinstance(e, sp.Expr) or e.is_number or e.has(sp.Integral, sp.Derivative):
        return e  # numbers as they are; integrals are not rewritten under the integral sign
    if sp.count_ops(e) > DISPLAY_OPS:
        return e
    if not e.has(sp.exp):
        candidate = _factored(sp.cancel(e))
        return candidate if sp.count_ops(candidate) <= sp.count_ops(e) else e
    # a sum of fractions over one sum of exponentials (a mixture's velocity) keeps that sum
    common = _over_common_sum(e) if e.is_Add else None
    if common is None:
        # exp(-a) stays a numerator
        common = sp.fraction(sp.together(e) if e.is_Add else e, exact=True)
    numerator, denominator = common
    return _by_exponential(numerator) / _by_exponential(denominator)


def _over_common_sum(e: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``(sum_k n_k / c_k + p D, D)`` when ``e = sum_k n_k / (c_k D) + p`` with one sum of
    exponentials ``D`` in the denominators (the velocity ``sum_k gamma_k v_k`` of a mixture,
    a map minus the identity), else None; ``together`` would instead move exponentials across
    the fraction bar."""
    parts, plain, common = [], [], None
    for term in sp.Add.make_args(e):
        numerator, denominator = sp.fraction(term, exact=True)
        sums = [f for f in sp.Mul.make_args(denominator) if f.is_Add and f.has(sp.exp)]
        if not sums:
            plain.append(term)  # such as the -x of g_t(x) - x: p = p D / D
            continue
        if len(sums) != 1 or (common is not None and sums[0] != common):
            return None
        common = sums[0]
        parts.append(numerator / (denominator / common))
    if common is None:
        return None
    return sp.Add(*parts) + sp.Add(*plain) * common, common


def _by_exponential(total: sp.Expr) -> sp.Expr:
    """The sum ``total`` grouped by its exponential factors, each coefficient factored."""
    groups: dict[sp.Expr, list[sp.Expr]] = {}
    terms = distributed_terms(total, DISPLAY_TERMS) or sp.Add.make_args(total)
    for term in terms:
        exps = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.exp)]
        rest = [f for f in sp.Mul.make_args(term) if not isinstance(f, sp.exp)]
        if len(exps) == 1:  # its exponent as derived: -x**2/(2 - 4*t), -(x - 1)**2/(2*t + 1)
            key = exps[0]
        else:
            key = sp.exp(_factored(sp.Add(*(f.args[0] for f in exps)))) if exps else sp.Integer(1)
        groups.setdefault(key, []).append(sp.Mul(*rest))
    return sp.Add(*(_factored(sp.Add(*cs)) * key for key, cs in groups.items()))


def _factored(e: sp.Expr) -> sp.Expr:
    """``factor(e)`` for a small ``e`` (at most :data:`FACTOR_OPS` operations: multivariate
    factoring is unbounded in general), else only its common factors pulled out."""
    return sp.factor(e) if sp.count_ops(e) <= FACTOR_OPS else sp.factor_terms(e)


def support_part(e: sp.Expr) -> sp.Expr:
    """``e`` inside the support of a density with jumps: ``Heaviside(g) = 1`` and
    ``DiracDelta(g) = 0`` where ``g > 0`` (the score of ``exp(-x) Heaviside(x)`` is ``-1`` for
    ``x > 0``; at the jump it is undefined)."""
    return e.replace(lambda n: isinstance(n, sp.DiracDelta), lambda n: sp.Integer(0)).replace(
        lambda n: isinstance(n, sp.Heaviside), lambda n: sp.Integer(1)
    )


def _root_name(e: sp.Basic, taken: Sequence[str]) -> sp.Symbol:
    """A name for the variable of ``e``'s root objects, apart from ``e``'s symbols, the
    names ``taken`` (the user's variables) and the roots' own generators."""
    used = {s.name for s in e.free_symbols} | set(taken)
    used |= {g.name for r in e.atoms(sp.CRootOf) for g in r.poly.gens}
    for name in ("z", "r", "s", "w"):
        if name not in used:
            return sp.Symbol(name)
    return sp.Symbol("root_variable")


class _Text(StrPrinter):
    """``str`` with root objects written in the variable ``root``."""

    def __init__(self, root: sp.Symbol) -> None:
        super().__init__()
        self._root = root

    def _print_ComplexRootOf(self, expr: sp.CRootOf) -> str:
        poly = expr.poly.as_expr().xreplace({expr.poly.gen: self._root})
        return f"CRootOf({self._print(poly)}, {expr.index})"


class _Latex(LatexPrinter):
    """``latex`` with root objects written in the variable ``root``."""

    def __init__(self, root: sp.Symbol) -> None:
        super().__init__()
        self._root = root

    def _print_ComplexRootOf(self, expr: sp.CRootOf, exp: str | None = None) -> str:
        poly = expr.poly.as_expr().xreplace({expr.poly.gen: self._root})
        tex = rf"\operatorname{{CRootOf}}{{\left({self._print(poly)}, {expr.index}\right)}}"
        return tex if exp is None else f"{tex}^{{{exp}}}"


def _entries(e: sp.Basic) -> sp.Basic | Sequence[sp.Basic]:
    if isinstance(e, sp.MatrixBase):
        if e.shape == (1, 1):
            return e[0, 0]
        if e.shape[1] == 1:
            return list(e)
    return e


def shown(e: sp.Basic, taken: Sequence[str] = (), *, readable_back: bool = False) -> str:
    """``e`` as text: a 1 x 1 matrix as its entry, a column as ``(a, b)``, root objects in a
    variable named apart from ``taken`` (the user's variables) and ``e``'s symbols.

    ``readable_back``: a column as ``Matrix([a, b])`` instead, so that ``sympify`` reads the
    text back as one object (the JSON outputs promise this)."""
    printer = _Text(_root_name(e, taken)).doprint
    entries = _entries(e)
    if isinstance(entries, list):
        inner = ", ".join(printer(v) for v in entries)
        return f"Matrix([{inner}])" if readable_back else f"({inner})"
    return printer(entries)


def shown_latex(e: sp.Basic, taken: Sequence[str] = ()) -> str:
    """``e`` as LaTeX, with the rules of :func:`shown`."""
    printer = _Latex(_root_name(e, taken)).doprint
    entries = _entries(e)
    if isinstance(entries, list):
        return r"\left(" + ", ".join(printer(v) for v in entries) + r"\right)"
    return printer(entries)
