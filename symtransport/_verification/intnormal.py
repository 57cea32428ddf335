"""A normal form for definite integrals, so that integrals equal by a change of variables meet.

Two rules, each an identity of Lebesgue integrals:

* *substitution* onto a canonical range: for each integration variable ``v`` (innermost
  first) with limits free of the other integration variables,

      int_a^oo f(v) dv = int_0^oo f(a + u) du,      int_-oo^b f(v) dv = int_0^oo f(b - u) du,
      int_a^b f(v) dv = int_0^(b-a) f(a + u) du,    int_-oo^oo f(v) dv = int_-oo^oo f(u) du,

  with ``u`` a canonical variable named by its position, so the names the integrals were
  written with no longer matter;
  reversed ranges (``int_oo^a = -int_a^oo``) are turned round first; complex limits are
  left alone;
* *linearity*: the integrand is expanded, each term's factor free of the integration
  variables moves outside and each term becomes an integral of its own, with its exponentials
  merged into one ``exp`` of an expanded exponent. Splitting ``int (f + g)`` into
  ``int f + int g`` needs both to converge, or ``log 2 = oo - oo`` would be "proved"; it is
  done only when every term provably converges: a polynomial times ``exp(E)`` with ``E`` a
  polynomial of degree 2 in the variables of infinite range whose quadratic part is negative
  definite (Sylvester's criterion, decided from the symbols' assumptions), or any polynomial
  times ``exp(E)`` over a bounded box. Otherwise the integral keeps one integrand.
  *Regular densities* (the names in ``densities``: generic functions standing for smooth,
  positive, bounded densities with finite moments of all orders, the class of
  :mod:`symtransport._verification.families`' ``density`` members) add one rule: a polynomial times
  a bounded ``exp(E)`` (``E`` free of the unbounded variables, or with a negative definite quadratic
  part) times regular densities converges when one of the densities has for argument an
  invertible affine map ``A u + b`` of the unbounded variables (``int |P(u)| g(Au + b) du`` is a
  moment of ``g``; the others are bounded);
* *the density's own coordinates*: over the whole space, an integrand holding a regular
  density ``g(A u + b)`` (the first by name, ``A`` constant and invertible) is rewritten in
  ``v = A u + b``, so that ``int nu(x - u) mu(u) du`` and ``int nu(e) mu(x - e) de`` meet.

The posterior mean (14) written over the clean point ``x0`` and over the noise
``eps = x - x0`` (15) are then sums of the same integrals, which is [J] Thm 4's change of
variables, proved rather than sampled. This is one of the exact stage's rewrites.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = ["integral_normal_form"]


def _canonical(position: int) -> sp.Symbol:
    # a name no parsed text can produce (not an identifier); an integral whose symbols
    # already hold it is left alone
    return sp.Symbol(f"u[{position}]", real=True)


def _substitute(
    body: sp.Expr, limits: tuple[tuple[sp.Basic, ...], ...]
) -> tuple[sp.Expr, list[tuple[sp.Basic, ...]]] | None:
    variables = {lim[0] for lim in limits}
    out = []
    for position, limit in enumerate(limits):
        if len(limit) != 3:
            return None
        v, a, b = limit
        if (a.free_symbols | b.free_symbols) & variables:
            return None
        if not (a.is_extended_real and b.is_extended_real):
            return None  # a complex path: the real canonical variable would not describe it
        if a == sp.oo or b == -sp.oo:  # int_a^b = -int_b^a
            a, b, body = b, a, -body
        u = _canonical(position)
        if a == -sp.oo and b == sp.oo:
            body, new = body.xreplace({v: u}), (u, -sp.oo, sp.oo)
        elif a == -sp.oo and b.is_finite:
            body, new = body.xreplace({v: b - u}), (u, 0, sp.oo)
        elif b == sp.oo and a.is_finite:
            body, new = body.xreplace({v: a + u}), (u, 0, sp.oo)
        elif a.is_finite and b.is_finite:
            body, new = body.xreplace({v: a + u}), (u, 0, b - a)
        else:
            return None
        out.append(new)
    return body, out


def _affine(args: tuple[sp.Basic, ...], us: list[sp.Symbol]) -> tuple[sp.Matrix, sp.Matrix] | None:
    """``(A, b)`` with ``args = A us + b``, ``A`` constant, real, square and invertible, ``b``
    real; else None."""
    if len(args) != len(us):
        return None
    column = sp.Matrix(args)
    jacobian = column.jacobian(us)
    offset = column.subs(dict.fromkeys(us, 0))
    if jacobian.has(*us) or not jacobian.det().is_nonzero:
        return None
    if not all(entry.is_extended_real for entry in [*jacobian, *offset]):
        return None
    return jacobian, offset


def _density_coordinates(
    body: sp.Expr, limits: list[tuple[sp.Basic, ...]], densities: Collection[str]
) -> sp.Expr:
    """Over the whole space, ``body`` in the coordinates ``v = A u + b`` of its first regular
    density ``g(A u + b)`` (times ``|det A^-1|``); else ``body`` unchanged."""
    if not all(lim[1] == -sp.oo and lim[2] == sp.oo for lim in limits):
        return body
    us = [lim[0] for lim in limits]
    applications = sorted(
        (app for app in body.atoms(AppliedUndef) if app.func.__name__ in densities),
        key=lambda app: (app.func.__name__, sp.default_sort_key(app)),
    )
    for app in applications:
        parts = _affine(app.args, us)
        if parts is None:
            continue
        a, b = parts
        if list(app.args) == us:
            return body
        inverse = a.inv()
        old = inverse * (sp.Matrix(us) - b)
        return body.xreplace(dict(zip(us, old, strict=True))) * abs(inverse.det())
    return body


def _merge_exponentials(term: sp.Expr) -> sp.Expr:
    term = sp.powsimp(term, combine="exp")
    return term.replace(lambda n: isinstance(n, sp.exp), lambda n: sp.exp(sp.expand(n.args[0])))


def _converges(
    term: sp.Expr, limits: list[tuple[sp.Basic, ...]], densities: Collection[str]
) -> bool:
    """Whether ``int term`` over ``limits`` provably converges (module docstring)."""
    us = [lim[0] for lim in limits]
    unbounded = [lim[0] for lim in limits if lim[2] == sp.oo or lim[1] == -sp.oo]
    exponent = sp.Integer(0)
    regular: list[sp.Basic] = []
    for factor in sp.Mul.make_args(_merge_exponentials(term)):
        if isinstance(factor, sp.exp):
            exponent += factor.args[0]
        elif isinstance(factor, AppliedUndef) and factor.func.__name__ in densities:
            regular.append(factor)
        elif not factor.is_polynomial(*us):
            return False
    if not exponent.is_polynomial(*us):
        return False
    if not unbounded:
        return True
    if regular and not exponent.has(*unbounded):
        return any(_affine(app.args, unbounded) is not None for app in regular)
    try:
        poly = sp.Poly(exponent, *unbounded)
    except sp.PolynomialError:
        return False
    if poly.total_degree() != 2:
        return False
    hessian = -sp.hessian(exponent, unbounded)
    # a Gaussian times bounded regular densities: integrable whatever their arguments
    return all(hessian[:k, :k].det().is_positive for k in range(1, len(unbounded) + 1))


def _normal(integral: sp.Integral, densities: Collection[str]) -> sp.Expr:
    # nested integrals keep their names: an outer substitution would otherwise capture the
    # inner integral's canonical variable
    if integral.function.has(sp.Integral):
        return integral
    canonical = {_canonical(k) for k in range(len(integral.limits))}
    if integral.atoms(sp.Symbol) & canonical:
        return integral
    try:
        substituted = _substitute(integral.function, integral.limits)
    except (ValueError, TypeError, NotImplementedError):  # a bound construct in the body
        return integral
    if substituted is None:
        return integral
    body, limits = substituted
    body = _density_coordinates(body, limits, densities)
    us = [lim[0] for lim in limits]
    # the factor free of the variables first: expanding a constant denominator that is a sum
    # would pull the integrand's exponentials into it
    constant, rest = body.as_independent(*us, as_Add=False)
    terms = sp.Add.make_args(sp.expand(rest, power_exp=False))
    if len(terms) > 1 and not all(_converges(term, limits, densities) for term in terms):
        return constant * sp.Integral(sp.Add(*terms), *limits)
    total = []
    for term in terms:
        outside, inside = term.as_independent(*us, as_Add=False)
        total.append(constant * outside * sp.Integral(_merge_exponentials(inside), *limits))
    return sp.Add(*total)


def integral_normal_form(expr: sp.Basic, densities: Collection[str] = ()) -> sp.Basic:
    """``expr`` with every definite integral in the normal form of the module docstring,
    brought over one denominator with an expanded numerator. ``densities``: the names of the
    generic functions that stand for regular densities."""
    normal = expr.replace(lambda n: isinstance(n, sp.Integral), lambda n: _normal(n, densities))
    numerator, _ = sp.fraction(sp.together(normal))
    return sp.expand(numerator, power_exp=False)
