"""Numeric evaluation of Integral, Limit and Sum nodes, against mpmath references."""

import mpmath
import pytest
import sympy as sp
from tolerances import MP30_RESULT

from symtransport._core.mpeval import NumericTrouble, compile_mp

x, y = sp.symbols("x y", real=True)
a = sp.Symbol("a", positive=True)
k = sp.Symbol("k", integer=True)


def value(expr, symbols, *args, dps=30):
    f = compile_mp(expr, symbols)
    with mpmath.workdps(dps):
        return f(*[mpmath.mpf(v) for v in args])


def test_gaussian_integral_with_a_parameter():
    got = value(sp.Integral(sp.exp(-a * x**2), (x, -sp.oo, sp.oo)), [a], 3)
    with mpmath.workdps(30):
        assert abs(got - mpmath.sqrt(mpmath.pi / 3)) < MP30_RESULT


def test_a_narrow_peak_far_from_the_origin_is_found():
    peak = sp.exp(-((x - 150) ** 2) / (2 * a)) / sp.sqrt(2 * sp.pi * a)
    got = value(sp.Integral(peak, (x, -sp.oo, sp.oo)), [a], 0.01)
    assert abs(got - 1) < MP30_RESULT


def test_nested_integral_over_a_triangle():
    got = value(sp.Integral(x * y, (y, 0, x), (x, 0, 1)), [])
    assert abs(got - mpmath.mpf(1) / 8) < MP30_RESULT


def test_limit_from_above():
    got = value(sp.Limit(sp.sin(a * x) / x, x, 0), [a], 2.5)
    assert abs(got - mpmath.mpf("2.5")) < mpmath.mpf("1e-15")


def test_two_sided_limit_that_does_not_exist_is_trouble():
    with pytest.raises(NumericTrouble):
        value(sp.Limit(sp.sign(x), x, 0, dir="+-"), [])


def test_finite_and_infinite_sums():
    assert value(sp.Sum(k**2, (k, 1, 10)), []) == 385
    got = value(sp.Sum(1 / k**2, (k, 1, sp.oo)), [])
    with mpmath.workdps(30):
        assert abs(got - mpmath.pi**2 / 6) < MP30_RESULT


def test_a_sum_of_thousands_of_terms_compiles():
    expr = sp.expand((x + y + 1) ** 60)  # 1891 terms: `a + b + ...` would overflow the compiler
    got = value(expr, [x, y], 0.5, 0.25)
    with mpmath.workdps(30):
        exact = mpmath.mpf("1.75") ** 60
        assert abs(got - exact) < MP30_RESULT * exact


def test_unevaluated_derivatives_are_refused():
    with pytest.raises(NumericTrouble):
        compile_mp(sp.Derivative(sp.Function("f")(x), x), [x])


def test_definitions_are_computed_once_and_used_by_name():
    # f0 stands for exp(x) + y wherever the expression uses it
    f0 = sp.Dummy("f0")
    f = compile_mp([f0**2 - f0, sp.sin(f0)], [x, y], [(f0, sp.exp(x) + y)])
    with mpmath.workdps(30):
        u = mpmath.exp(mpmath.mpf("0.5")) + 2
        got = f(mpmath.mpf("0.5"), mpmath.mpf(2))
        assert abs(got[0] - (u**2 - u)) < MP30_RESULT * abs(u**2)
        assert abs(got[1] - mpmath.sin(u)) < MP30_RESULT


def test_definitions_must_be_plain():
    f0 = sp.Dummy("f0")
    with pytest.raises(NumericTrouble):
        compile_mp(f0, [a], [(f0, sp.Integral(sp.exp(-a * x**2), (x, 0, 1)))])


def test_a_limit_that_fails_fails_again_when_compiled_again():
    # the failure is remembered with the value, and re-raised: never a value on the second call
    node = sp.Limit(sp.sign(x) * a, x, 0, "+-")
    for _ in range(2):
        with pytest.raises(NumericTrouble):
            value(node, [a], 2)
