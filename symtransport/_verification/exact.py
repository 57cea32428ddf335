"""The exact stage of identity verification: bounded canonical rewriting of ``lhs - rhs``.

Each entry of the difference goes through a fixed sequence of rewrites, each valid under the
symbols' assumptions (no ``force=True``): closed forms of Gaussian integrals
(:mod:`symtransport._core.gaussint`), a normal form of the remaining integrals under substitution
and linearity (:mod:`symtransport._verification.intnormal`), evaluation of derivatives, integrals,
limits and sums (``doit``), an exponential normal form of the numerator (:func:`exp_normal_form`),
``expand``, ``cancel`` after ``together``, log and power rules (``expand_log``, ``powsimp``,
``powdenest``, all assumption-respecting), and finally ``simplify``. The identity is proved
when every entry becomes structurally 0 (or SymPy's assumption system says it is zero).

The work is bounded by counts, not by the clock, so that the verdict is the same on any
machine: each entry meets at most ``len(REWRITES)`` rewrites, and the rewrites whose cost
SymPy cannot bound are only tried on small enough input (``count_ops``):

* a ``Limit`` at infinity is evaluated by SymPy's ``limit`` (the Gruntz algorithm, whose cost
  there grows fast with the size of its argument: a second on an 80-operation mixture map, a
  minute on a 95-operation one) only when its argument has at most :data:`LIMIT_OPS`
  operations; larger ones stay unevaluated for the numeric stage, which extrapolates them.
  Limits at a finite point are taken by continuity first where that applies (generic smooth
  functions, :mod:`symtransport._verification.continuous_limits`); SymPy's series expansions then
  meet only arguments of at most :data:`FINITE_LIMIT_OPS` operations without error functions (a
  second on the 669-operation rate of a 3-D Gaussian's DAE; no end in sight on the 113-operation
  initial velocity of uniform noise, whose map holds ``erf``);
* SymPy's integrator (Risch, Meijer G, heuristics: minutes or hours on a convolution such as
  ``int (1 + u^2/3)^-2 exp(-(x - u)^2/(2t)) du``) only meets integrals of rational functions
  of their variables (partial fractions: polynomial work); Gaussian integrals have closed forms
  of their own (the first rewrite), and every other integral stays for the numeric stage's
  quadrature;
* ``cancel`` (multivariate polynomial gcds, one generator per distinct exponential or radical:
  0.04 s on 194 operations in 21 generators, no end in sight on 1934 operations in 27) runs
  only on at most :data:`CANCEL_OPS` operations;
* ``simplify`` runs only on at most :data:`SIMPLIFY_OPS` operations, and never on an
  expression that still holds an ``Integral``, ``Limit`` or ``Sum`` after ``doit`` (it would
  call the integrator again, for as long as it likes).

A wall-clock safety net remains around the whole stage (:mod:`symtransport._core.budget`), for a
runaway computation; reaching it is no verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sympy as sp

from symtransport._core.calculus import carry_out_derivatives, distributed_terms
from symtransport._core.gaussint import gaussian_integrals
from symtransport._verification.continuous_limits import limit_by_continuity
from symtransport._verification.intnormal import integral_normal_form

__all__ = ["CANCEL_OPS", "FINITE_LIMIT_OPS", "LIMIT_OPS", "REWRITES", "SIMPLIFY_OPS", "exact_stage"]

#: largest argument (in ``count_ops``) whose ``Limit`` at infinity the exact stage evaluates
LIMIT_OPS = 60
#: largest argument (in ``count_ops``) whose ``Limit`` at a finite point SymPy's series meet
FINITE_LIMIT_OPS = 700
_SERIES_RESISTANT = (sp.erf, sp.erfc)  # their expansions at a finite point run without bound
#: largest expression (in ``count_ops``) the exact stage gives to ``cancel``
CANCEL_OPS = 600
#: largest expression (in ``count_ops``) the exact stage gives to ``simplify``
SIMPLIFY_OPS = 400
#: most terms the exp normal form distributes an expression into before its grouping
DISTRIBUTED_TERMS = 400
#: exponentials from which the exp normal form first tries grouping term by term (a mixture
#: of several components): ``together`` then costs the product of the terms' denominators,
#: while on a few exponentials a failed attempt would only add to a cheap ``together``
MANY_EXPONENTIALS = 8
_UNEVALUATED = (sp.Integral, sp.Limit, sp.Sum)


def _unbounded(node: sp.Basic) -> bool:
    """Whether ``doit`` on ``node`` would run a search of unbounded cost (module docstring)."""
    if isinstance(node, sp.Limit):
        ops = sp.count_ops(node.args[0])
        if node.args[2].is_infinite:
            return ops > LIMIT_OPS
        return ops > FINITE_LIMIT_OPS or node.args[0].has(*_SERIES_RESISTANT)
    if isinstance(node, sp.Integral):
        integrand = node.function.doit() if node.function.has(sp.Derivative) else node.function
        return not integrand.is_rational_function(*node.variables)
    return False


def _continuity(e: sp.Expr, densities: frozenset[str]) -> sp.Expr:
    """``e`` with its limits of generic smooth functions taken by continuity
    (:mod:`symtransport._verification.continuous_limits`), where that rule applies."""

    def take(node: sp.Limit) -> sp.Expr:
        value = limit_by_continuity(node, densities)
        return node if value is None else value

    return e.replace(lambda n: isinstance(n, sp.Limit), take)


def _doit(e: sp.Expr) -> sp.Expr:
    """``e.doit()``, leaving the limits and integrals of :func:`_unbounded` as they are.

    Derivatives are carried out first, while every integral is still in place (SymPy moves a
    derivative under the integral sign without integrating: Leibniz's rule). What stays
    unevaluated is then masked by an undefined function of its free symbols, never by a
    constant: a derivative of the mask in a variable it depends on stays a derivative, and is
    not silently 0.
    """
    e = carry_out_derivatives(e)
    large = [node for node in e.atoms(sp.Limit, sp.Integral) if _unbounded(node)]
    if not large:
        return e.doit()
    masks = {
        node: sp.Function(f"unevaluated{k}")(*sorted(node.free_symbols, key=str))
        for k, node in enumerate(large)
    }
    done = e.xreplace(masks).doit()
    # restored as functions, so that a mask doit evaluated at a point (Subs) comes back too
    for node, mask in masks.items():
        done = done.replace(mask.func, sp.Lambda(mask.args, node))
    return done


def _bounded_cancel(e: sp.Expr) -> sp.Expr:
    """``cancel(together(e))`` within :data:`CANCEL_OPS` (else ``e``)."""
    return e if sp.count_ops(e) > CANCEL_OPS else sp.cancel(sp.together(e))


def _bounded_simplify(e: sp.Expr) -> sp.Expr:
    """``simplify(e)`` within the work limits of the module docstring (else ``e``)."""
    if e.has(*_UNEVALUATED) or sp.count_ops(e) > SIMPLIFY_OPS:
        return e
    return sp.simplify(e)


def _log_power_rules(e: sp.Expr) -> sp.Expr:
    return sp.expand(sp.powdenest(sp.powsimp(sp.expand_log(e))))


def _exp_normal_term(term: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``(coefficient, exp(E))`` for one product, ``E`` cancelled and radicands factored (so
    ``sqrt(3t^2 + 4t + 1)`` becomes ``sqrt(t + 1) sqrt(3t + 1)`` when both are positive)."""
    term = sp.powsimp(term, combine="exp")
    term = term.replace(lambda n: isinstance(n, sp.exp), lambda n: sp.exp(sp.cancel(n.args[0])))
    term = term.replace(
        lambda n: n.is_Pow and n.exp.is_Rational and not n.exp.is_Integer,
        lambda n: sp.Pow(sp.factor(sp.cancel(n.base)), n.exp),
    )
    exps = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.exp)]
    rest = [f for f in sp.Mul.make_args(term) if not isinstance(f, sp.exp)]
    return sp.Mul(*rest), sp.Mul(*exps)


def _coefficient_normal_form(c: sp.Expr) -> sp.Expr:
    numerator, denominator = sp.fraction(sp.together(c))
    return sp.expand(numerator) / denominator


def exp_normal_form(e: sp.Expr) -> sp.Expr:
    """The expanded numerator of ``e`` as ``sum_k c_k exp(E_k)`` with distinct ``E_k``
    (cancelled), radicands factored and each coefficient ``c_k`` brought over one denominator
    with an expanded numerator.

    Sums of Gaussians written differently (``exp(-x^2/(2t)) exp(x^2/(2t+3))`` against
    ``exp(-3x^2/(2t(2t+3)))``, ``sqrt(3t^2 + 4t + 1)`` against ``sqrt(t + 1) sqrt(3t + 1)``)
    then meet as equal terms, where ``cancel`` would instead search for polynomial gcds over
    a dozen exponential generators. The numerator vanishes exactly when ``e`` does (wherever
    the denominator is non-zero, as for ``cancel``).

    With :data:`MANY_EXPONENTIALS` or more, the terms of ``e`` are first grouped as they stand
    (products distributed, denominators untouched); when that already cancels to 0 (a
    mixture's evidence against its smoothed closed form, App. D) no common denominator is
    formed. This only ever returns 0 for an expression equal to 0: the grouping is a
    regrouping of equal terms.
    """
    if len(e.atoms(sp.exp)) >= MANY_EXPONENTIALS:
        terms = distributed_terms(e, DISTRIBUTED_TERMS)
        if (
            terms is not None
            and not any(_exp_in_denominator(u) for u in terms)
            and _grouped(terms) == 0
        ):
            return sp.Integer(0)
    numerator, _ = sp.fraction(sp.together(e))
    return _grouped(sp.Add.make_args(sp.expand(numerator)))


def _exp_in_denominator(term: sp.Expr) -> bool:
    """Whether an exponential sits in a denominator of ``term`` (a ratio such as a posterior
    mean, which only ``together`` can cancel)."""
    return any(
        f.is_Pow and f.exp.is_negative and f.base.has(sp.exp) for f in sp.Mul.make_args(term)
    )


def _grouped(terms: Sequence[sp.Expr]) -> sp.Expr:
    """``sum_k c_k exp(E_k)`` over the ``terms``, grouped by their exponentials."""
    groups: dict[sp.Expr, list[sp.Expr]] = {}
    for term in terms:
        coefficient, exponential = _exp_normal_term(term)
        groups.setdefault(exponential, []).append(coefficient)
    return sp.Add(*(_coefficient_normal_form(sp.Add(*cs)) * ex for ex, cs in groups.items()))


# (name, rewrite, chained): a rewrite is called with the expression and the names of the
# generic functions that stand for regular densities (:mod:`symtransport._verification.intnormal`);
# a chained rewrite's result feeds the next rewrite, an unchained one is only tried on the current
# expression
Rewrite = Callable[[sp.Expr, frozenset[str]], sp.Expr]


def _around_large_limits(rewrite: Callable[[sp.Expr], sp.Expr]) -> Rewrite:
    """``rewrite`` with each limit that ``doit`` left unevaluated as too large
    (:func:`_unbounded`) standing as an opaque symbol, put back afterwards.

    The exact stage does not evaluate such a limit, so it does not rewrite inside it either:
    ``expand``, ``cancel`` and the log and power rules would otherwise work through an argument
    of hundreds of operations (seconds each) only to leave the limit unevaluated. Equal limits
    still cancel (one symbol each); the symbol has no assumptions, so a rewrite valid for it is
    valid for any value of the limit.
    """

    def apply(e: sp.Expr, _: frozenset[str]) -> sp.Expr:
        large = [node for node in e.atoms(sp.Limit) if _unbounded(node)]
        if not large:
            return rewrite(e)
        symbols = {node: sp.Dummy(f"limit{k}") for k, node in enumerate(large)}
        done = rewrite(e.xreplace(symbols))
        return done.xreplace({s: node for node, s in symbols.items()})

    return apply


REWRITES: tuple[tuple[str, Rewrite, bool], ...] = (
    ("gaussian integrals", lambda e, _: gaussian_integrals(e), True),
    (
        "integral normal form",
        lambda e, densities: (
            integral_normal_form(carry_out_derivatives(e), densities) if e.has(sp.Integral) else e
        ),
        False,
    ),
    ("doit", lambda e, densities: _doit(_continuity(e, densities)), True),
    ("exp normal form", _around_large_limits(exp_normal_form), False),
    ("expand", _around_large_limits(sp.expand), True),
    ("cancel", _around_large_limits(_bounded_cancel), True),
    ("log-power rules", _around_large_limits(_log_power_rules), True),
    ("simplify", lambda e, _: _bounded_simplify(e), True),
)


def _is_zero(e: sp.Expr) -> bool:
    return e == 0 or e.is_zero is True


def exact_stage(
    differences: Sequence[sp.Expr], densities: frozenset[str] = frozenset()
) -> Iterator[tuple[Any, ...]]:
    """Yield ``("entry", index, rewrite)`` for each entry proved zero, then ``("proved", method)``.
    ``densities``: the generic functions that stand for regular densities.

    ``method`` names the last rewrite any entry needed. Stops at the first entry that no rewrite
    reduces to zero (yielding ``("stuck", index)``), since one such entry already rules out a
    proof.
    """
    methods: list[str] = []
    for index, entry in enumerate(differences):
        current = sp.sympify(entry)
        used = "structural" if _is_zero(current) else None
        for name, rewrite, chained in REWRITES:
            if used is not None:
                break
            try:
                result = rewrite(current, densities)
            except (ValueError, TypeError, NotImplementedError, sp.PolynomialError):
                continue  # a rewrite that cannot handle the expression makes no progress
            if _is_zero(result):
                used = name
            if chained:
                current = result
        if used is None:
            yield ("stuck", index)
            return
        methods.append(used)
        yield ("entry", index, used)
    order = ["structural", *(name for name, _, _ in REWRITES)]
    yield ("proved", max(methods, key=order.index) if methods else "structural")
