"""Closed-form Gaussian integrals, against mpmath quadrature at 30 digits."""

import mpmath
import pytest
import sympy as sp
from tolerances import MP30_QUAD_GAUSSIAN

from symtransport._core.gaussint import gaussian_integral, gaussian_integrals

x, y = sp.symbols("x y", real=True)
a = sp.Symbol("a", positive=True)
b, c = sp.symbols("b c", real=True)


VALUES = {a: sp.Rational(7, 5), b: sp.Rational(-3, 4), c: sp.Rational(1, 3)}


@pytest.mark.parametrize("k", range(5))
@pytest.mark.parametrize(
    ("low", "high"), [(-sp.oo, sp.oo), (c, sp.oo), (-sp.oo, b), (b, c), (c, b)]
)
def test_moments_match_quadrature(k, low, high):
    integrand = x**k * sp.exp(-a * x**2 + b * x + c) * (1 + x)
    closed = gaussian_integral(sp.Integral(integrand, (x, low, high)))
    assert closed is not None
    f = sp.lambdify([x], integrand.subs(VALUES), "mpmath")
    lo, hi = (sp.sympify(v).subs(VALUES) for v in (low, high))
    with mpmath.workdps(30):
        ends = [
            mpmath.mpf(sp.N(v, 40)) if v.is_finite else (mpmath.inf if v > 0 else -mpmath.inf)
            for v in (lo, hi)
        ]
        reference = mpmath.quad(f, [ends[0], 0, ends[1]] if ends[0] < 0 < ends[1] else ends)
        got = mpmath.mpf(str(sp.N(closed.subs(VALUES), 40)))
        assert abs(got - reference) < MP30_QUAD_GAUSSIAN * max(1, abs(reference))


def test_iterated_two_dimensional_integral():
    q = x * y * sp.exp(-(x**2 + x * y + y**2))
    closed = gaussian_integral(sp.Integral(q, (x, -sp.oo, sp.oo), (y, -sp.oo, sp.oo)))
    f = sp.lambdify([x, y], q, "mpmath")
    with mpmath.workdps(20):
        reference = mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf], [-mpmath.inf, 0, mpmath.inf])
    assert sp.simplify(closed + 2 * sp.sqrt(3) * sp.pi / 9) == 0
    assert abs(reference + 2 * mpmath.sqrt(3) * mpmath.pi / 9) < mpmath.mpf("1e-15")


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
        sp.Integral(sp.exp(-a * x**4), (x, -sp.oo, sp.oo)),  # not quadratic
        sp.Integral(sp.exp(-a * x**2) / (1 + x**2), (x, -sp.oo, sp.oo)),  # not polynomial
        sp.Integral(sp.exp(-a * x**2), (x, -sp.oo, sp.oo), (b, 0, 1)),  # outer layer not Gaussian
        sp.Integral(sp.exp(-a * x**2), (x, 0, x)),  # a limit depending on its own variable
    ],
)
def test_other_integrals_are_left_alone(integral):
    assert gaussian_integral(integral) is None
    assert gaussian_integrals(integral) == integral


def test_a_constant_denominator_that_is_a_sum_stays_outside():
    # expanding 1/(sqrt(2) + sqrt(3)) together with the integrand used to hide exp(-x) in a
    # sum and leave the integral unevaluated
    integrand = sp.exp(-(x**2)) * sp.exp(-x) / (sp.sqrt(2) + sp.sqrt(3))
    closed = gaussian_integral(sp.Integral(integrand, (x, 0, sp.oo)))
    assert closed is not None
    f = sp.lambdify([x], integrand, "mpmath")
    with mpmath.workdps(30):
        reference = mpmath.quad(f, [0, mpmath.inf])
        assert abs(mpmath.mpf(str(sp.N(closed, 40))) - reference) < MP30_QUAD_GAUSSIAN * abs(
            reference
        )


def test_partial_closed_form_leaves_the_outer_layer():
    # over a quadrant a correlated Gaussian's outer layer is a bivariate normal probability,
    # with no elementary closed form; the inner layer still has one
    q = sp.exp(-(x**2 + x * y + y**2))
    integral = sp.Integral(q, (x, 0, sp.oo), (y, 0, sp.oo))
    assert gaussian_integral(integral) is None
    partial = gaussian_integral(integral, partial=True)
    assert isinstance(partial, sp.Integral) and [lim[0] for lim in partial.limits] == [y]
    assert not partial.function.has(x)
    f = sp.lambdify([x, y], q, "mpmath")
    g = sp.lambdify([y], partial.function, "mpmath")
    with mpmath.workdps(20):
        reference = mpmath.quad(f, [0, mpmath.inf], [0, mpmath.inf])  # pi/(3 sqrt 3) exactly
        assert abs(reference - mpmath.pi / (3 * mpmath.sqrt(3))) < mpmath.mpf("1e-15")
        assert abs(mpmath.quad(g, [0, mpmath.inf]) - reference) < mpmath.mpf("1e-15")
    assert gaussian_integrals(integral, partial=True) == partial
    assert gaussian_integrals(integral) == integral
