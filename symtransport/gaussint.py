"""Closed forms of Gaussian integrals over the real line (completing the square).

For ``A > 0`` (provably, from the symbols' assumptions)

    int_{-oo}^{oo} x^k exp(-A x^2 + B x + C) dx = exp(C + B^2/(4A)) sqrt(pi/A) E[Y^k],

where ``Y ~ N(B/(2A), 1/(2A))`` and ``E[Y^k] = sum_j binom(k, 2j) mu^(k-2j) sigma^(2j) (2j-1)!!``.
Almost every integral of the theory (convolutions with Gaussian noise, posterior means,
moments and entropies of Gaussians) is of this form, and SymPy's general integrator is slow on
them and leaves them unsimplified. :func:`gaussian_integrals` rewrites every such integral in an
expression and leaves all others untouched; it is one of the exact stage's rewrites.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["gaussian_integral", "gaussian_integrals"]


def _moment(k: int, mean: sp.Expr, variance: sp.Expr) -> sp.Expr:
    """``E[Y^k]`` for ``Y ~ N(mean, variance)``."""
    return sp.Add(
        *(
            sp.binomial(k, 2 * j) * mean ** (k - 2 * j) * variance**j * sp.factorial2(2 * j - 1)
            for j in range(k // 2 + 1)
        )
    )


def _term(term: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """The integral of one term ``c * x^k * exp(quadratic)`` over R, or None if not of that form."""
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
    return (
        coeff
        * sp.exp(a0 + a1**2 / (4 * big_a))
        * sp.sqrt(sp.pi / big_a)
        * _moment(power, mean, variance)
    )


def gaussian_integral(integral: sp.Integral) -> sp.Expr | None:
    """The closed form of ``integral`` if it is a Gaussian integral over R, else None."""
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return None
    x, low, high = integral.limits[0]
    if low != -sp.oo or high != sp.oo:
        return None
    body = sp.expand(sp.expand_log(integral.function), power_exp=False, log=False)
    parts = [_term(t, x) for t in sp.Add.make_args(body)]
    if any(p is None for p in parts):
        return None
    return sp.Add(*parts)


def gaussian_integrals(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every Gaussian integral over R replaced by its closed form."""
    return expr.replace(
        lambda e: isinstance(e, sp.Integral) and gaussian_integral(e) is not None,
        gaussian_integral,
    )
