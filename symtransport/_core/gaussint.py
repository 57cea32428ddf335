"""Closed forms of Gaussian integrals over intervals (completing the square).

For ``A > 0`` (provably, from the symbols' assumptions) and ``Y ~ N(mu, s2)`` with
``mu = B/(2A)``, ``s2 = 1/(2A)``,

    int_a^b x^k exp(-A x^2 + B x + C) dx
        = exp(C + B^2/(4A)) * int_{a-mu}^{b-mu} (z + mu)^k exp(-z^2/(2 s2)) dz,

and the one-sided moments ``J_j(c) = int_c^oo z^j exp(-z^2/(2 s2)) dz`` obey
``J_0 = sqrt(pi s2 / 2) erfc(c / sqrt(2 s2))``, ``J_1 = s2 exp(-c^2/(2 s2))`` and
``J_j = c^(j-1) s2 exp(-c^2/(2 s2)) + (j-1) s2 J_{j-2}``; over the whole line
``int z^j exp(-z^2/(2 s2)) dz = sqrt(2 pi s2) s2^(j/2) (j-1)!!`` for even ``j`` and 0 for odd.
Almost every integral of the theory (convolutions with Gaussian, Laplace or uniform noise,
posterior means and covariances, moments and entropies of Gaussians) is of this form, iterated
over the coordinates; SymPy's general integrator is slow on them and leaves them unsimplified.
:func:`gaussian_integrals` rewrites every such integral in an expression (innermost variable
first) and leaves all others untouched; it is one of the exact stage's rewrites.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

__all__ = ["MAX_EXPANDED_POWER", "gaussian_integral", "gaussian_integrals"]


def _tail(j: int, c: sp.Expr, s2: sp.Expr) -> sp.Expr:
    """``int_c^oo z^j exp(-z^2/(2 s2)) dz`` (``c`` may be ``-oo``)."""
    if c == -sp.oo:
        if j % 2:
            return sp.Integer(0)
        return sp.sqrt(2 * sp.pi * s2) * s2 ** sp.Rational(j, 2) * sp.factorial2(j - 1)
    if c == sp.oo:
        return sp.Integer(0)
    g = sp.exp(-(c**2) / (2 * s2))
    if j == 0:
        return sp.sqrt(sp.pi * s2 / 2) * sp.erfc(c / sp.sqrt(2 * s2))
    if j == 1:
        return s2 * g
    return c ** (j - 1) * s2 * g + (j - 1) * s2 * _tail(j - 2, c, s2)


def _window(j: int, low: sp.Expr, high: sp.Expr, s2: sp.Expr) -> sp.Expr:
    """``int_low^high z^j exp(-z^2/(2 s2)) dz``.

    A lower half-line is written as the mirrored upper tail, ``(-1)^j J_j(-high)``, not as
    ``J_j(-oo) - J_j(high)``: the difference of two nearly equal numbers loses every digit
    when ``high`` is far below 0 (``erfc`` close to 2).
    """
    if low == -sp.oo and high != sp.oo:
        return (-1) ** j * _tail(j, -high, s2)
    return _tail(j, low, s2) - _tail(j, high, s2)


def _split(term: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, int, sp.Expr] | None:
    """``term = coeff * x^power * exp(exponent)`` with ``coeff`` free of x, or None."""
    coeff, dep = term.as_independent(x, as_Add=False)
    power, exponent = 0, sp.Integer(0)
    for factor in sp.Mul.make_args(sp.powsimp(dep, combine="exp")):
        base, exp = factor.as_base_exp()
        if factor == x:
            power += 1
        elif base == x and exp.is_Integer and exp >= 0:
            power += int(exp)
        elif isinstance(factor, sp.exp):
            exponent += factor.args[0]
        elif base is sp.E:
            exponent += exp
        elif factor != 1:
            return None
    return coeff, power, exponent


def _term(term: sp.Expr, x: sp.Symbol, low: sp.Expr, high: sp.Expr) -> sp.Expr | None:
    """The integral of one term ``c * x^k * exp(quadratic)`` over [low, high], or None."""
    split = _split(term, x)
    if split is None:
        return None
    coeff, power, exponent = split
    try:
        poly = sp.Poly(sp.expand(exponent), x)
    except sp.PolynomialError:
        return None
    if poly.degree() != 2:
        return None
    a2, a1, a0 = poly.all_coeffs()
    if not (-a2).is_positive:
        return None
    big_a = -a2
    mean, variance = a1 / (2 * big_a), 1 / (2 * big_a)
    moments = sp.Add(
        *(
            sp.binomial(power, j)
            * mean ** (power - j)
            * _window(j, low - mean, high - mean, variance)
            for j in range(power + 1)
        )
    )
    return coeff * sp.exp(a0 + a1**2 / (4 * big_a)) * moments


#: largest power of a sum that is expanded in search of Gaussian terms
MAX_EXPANDED_POWER = 16


def _expandable(body: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``body`` may expand into terms ``c x^k exp(quadratic)``: every power of a sum
    involving ``x`` is a small positive integer power, so that expanding it stays small
    (``(1 + x**2)**-10000`` is no Gaussian term, and expanding it would take minutes)."""
    for node in sp.preorder_traversal(body):
        if node.is_Pow and node.base.is_Add and node.base.has(x):
            power = node.exp
            if not (power.is_Integer and 0 < power <= MAX_EXPANDED_POWER):
                return False
    return True


def _one(
    body: sp.Expr, limit: tuple[sp.Basic, ...], layers: dict[Any, sp.Expr | None]
) -> sp.Expr | None:
    """One layer ``int body d(limit)``, or None; ``layers``: the layers already worked out
    (the same x-dependent part recurs, e.g. in every entry of a posterior mean)."""
    if len(limit) != 3:
        return None
    x, low, high = limit
    if low.has(x) or high.has(x):
        return None
    # the factor free of x stays outside: expanding a constant denominator that is a sum
    # (a normalising constant such as 60 sqrt(3) + 112 sqrt(15)) would pull the x-dependent
    # exponentials into it
    # (expand_log changes nothing but logs, and walking a large body without one costs)
    expanded_log = sp.expand_log(body) if body.has(sp.log) else body
    constant, body = expanded_log.as_independent(x, as_Add=False)
    key = (body, x, low, high)
    if key not in layers:
        layers[key] = _layer(body, x, low, high)
    inner = layers[key]
    return None if inner is None else constant * inner


def _layer(body: sp.Expr, x: sp.Symbol, low: sp.Expr, high: sp.Expr) -> sp.Expr | None:
    """``int_low^high body dx`` for a body whose every term is ``c x^k exp(quadratic)``."""
    if not _expandable(body, x):
        return None
    expanded = sp.expand(body, power_exp=False, log=False)
    parts = [_term(t, x, low, high) for t in sp.Add.make_args(expanded)]
    if any(p is None for p in parts):
        return None
    return sp.Add(*parts)


def gaussian_integral(integral: sp.Integral, *, partial: bool = False) -> sp.Expr | None:
    """The closed form of ``integral`` (iterated, innermost first), or None if any layer is not
    a Gaussian integral over an interval.

    With ``partial=True`` the layers are done from the innermost as far as they go and the
    rest is kept as an integral of the closed-form inner part (None if not even the innermost
    layer is Gaussian): ``int int exp(q(u, v)) du dv`` over a box becomes
    ``int (erf terms in v) dv``, a one-dimensional integral, where the outer layer alone has
    no elementary closed form (a bivariate normal probability).
    """
    return _gaussian_integral(integral, partial, {})


def _gaussian_integral(
    integral: sp.Integral, partial: bool, layers: dict[Any, sp.Expr | None]
) -> sp.Expr | None:
    body = integral.function
    for done, limit in enumerate(integral.limits):
        inner = _one(body, limit, layers)
        if inner is None:
            if not partial or done == 0:
                return None
            return sp.Integral(body, *integral.limits[done:])
        body = inner
    return body


def gaussian_integrals(expr: sp.Basic, *, partial: bool = False) -> sp.Basic:
    """``expr`` with every Gaussian integral replaced by its closed form (with
    ``partial=True``, also the Gaussian inner layers of the others)."""
    # each integral, and each layer, is worked out once: ``replace`` asks the query and then
    # the value for the same node, and a matrix (a posterior mean) repeats its denominator in
    # every entry and the inner layers of its numerators
    done: dict[sp.Integral, sp.Expr | None] = {}
    layers: dict[Any, sp.Expr | None] = {}

    def closed(e: sp.Integral) -> sp.Expr | None:
        if e not in done:
            done[e] = _gaussian_integral(e, partial, layers)
        return done[e]

    return expr.replace(lambda e: isinstance(e, sp.Integral) and closed(e) is not None, closed)
