"""Closed-form Gaussian integrals, against mpmath quadrature at 30 digits."""

import mpmath
import pytest
import sympy as sp

from symtransport.gaussint import gaussian_integral, gaussian_integrals

x = sp.Symbol("x", real=True)
a = sp.Symbol("a", positive=True)
b, c = sp.symbols("b c", real=True)
TOL = mpmath.mpf("1e-24")  # quadrature of an analytic Gaussian integrand at 30 digits


@pytest.mark.parametrize("k", range(5))
def test_moments_match_quadrature(k):
    integrand = x**k * sp.exp(-a * x**2 + b * x + c) * (1 + x)
    closed = gaussian_integral(sp.Integral(integrand, (x, -sp.oo, sp.oo)))
    assert closed is not None
    values = {a: sp.Rational(7, 5), b: sp.Rational(-3, 4), c: sp.Rational(1, 3)}
    f = sp.lambdify([x], integrand.subs(values), "mpmath")
    with mpmath.workdps(30):
        reference = mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf])
        got = sp.N(closed.subs(values), 30)
        assert abs(mpmath.mpf(str(got)) - reference) < TOL * max(1, abs(reference))


def test_log_of_a_gaussian_inside_is_expanded():
    s = sp.Symbol("s", positive=True)
    phi = sp.exp(-(x**2) / (2 * s)) / sp.sqrt(2 * sp.pi * s)
    entropy = -gaussian_integrals(sp.Integral(phi * sp.log(phi), (x, -sp.oo, sp.oo)))
    assert sp.simplify(entropy - sp.log(2 * sp.pi * sp.E * s) / 2) == 0


@pytest.mark.parametrize(
    "integral",
    [
        sp.Integral(sp.exp(-b * x**2), (x, -sp.oo, sp.oo)),  # sign of b unknown: may diverge
        sp.Integral(sp.exp(a * x**2), (x, -sp.oo, sp.oo)),  # diverges
        sp.Integral(sp.exp(-a * x**2), (x, 0, sp.oo)),  # half line
        sp.Integral(sp.exp(-a * x**4), (x, -sp.oo, sp.oo)),  # not quadratic
        sp.Integral(sp.exp(-a * x**2) / (1 + x**2), (x, -sp.oo, sp.oo)),  # not polynomial
        sp.Integral(sp.exp(-a * x**2), (x, -sp.oo, sp.oo), (b, 0, 1)),  # two variables
    ],
)
def test_other_integrals_are_left_alone(integral):
    assert gaussian_integral(integral) is None
    assert gaussian_integrals(integral) == integral
