"""Limits by continuity: taken only where the expression is provably continuous."""

import sympy as sp

from symtransport import Status, verify_identity
from symtransport._verification.continuous_limits import limit_by_continuity

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", positive=True)
s, mu = sp.Function("s"), sp.Function("mu")


def test_a_rational_expression_of_smooth_functions_is_evaluated_at_the_point():
    body = sp.diff(mu(x) / (1 + t * sp.diff(s(x, t), x)), t)
    value = limit_by_continuity(sp.Limit(body, t, 0, "+"))
    assert sp.simplify(value + mu(x) * sp.diff(s(x, 0), x)) == 0


def test_no_rule_where_continuity_is_not_provable():
    assert limit_by_continuity(sp.Limit(s(x, t) / t, t, 0, "+")) is None  # 0 denominator
    assert limit_by_continuity(sp.Limit(sp.log(t) * s(x, t), t, 0, "+")) is None
    assert limit_by_continuity(sp.Limit(sp.sqrt(t) * s(x, t), t, 0, "+")) is None
    assert limit_by_continuity(sp.Limit(1 / s(x, t), t, 0, "+")) is None  # s(x, 0) may vanish
    # ... unless the denominator is a regular density, positive by its class
    assert limit_by_continuity(sp.Limit(s(x, t) / mu(x), t, 0, "+"), {"mu"}) == s(x, 0) / mu(x)
    assert limit_by_continuity(sp.Limit(x * t, t, 0, "+")) is None  # SymPy's own business


def test_a_wrong_limit_is_refuted_and_a_right_one_proved():
    body = (s(x, t) - s(x, 0)) * s(x, t) + s(x, t)
    right = verify_identity(sp.Limit(body, t, 0, "+"), s(x, 0), functions={"s": "smooth"})
    assert right.status == Status.PROVED
    wrong = verify_identity(sp.Limit(body, t, 0, "+"), 2 * s(x, 0), functions={"s": "smooth"})
    assert wrong.status == Status.REFUTED


def test_sympy_series_only_meet_small_limits_without_error_functions():
    from symtransport._verification.exact import FINITE_LIMIT_OPS, _unbounded

    assert not _unbounded(sp.Limit(sp.sin(t) / t, t, 0, "+"))
    # the initial velocity of uniform noise holds erf: its series ran for minutes
    assert _unbounded(sp.Limit(sp.erf(x / sp.sqrt(t)) / t, t, 0, "+"))
    large = sp.Add(*(sp.cos(k * t) * x**k for k in range(FINITE_LIMIT_OPS)))
    assert _unbounded(sp.Limit(large, t, 0, "+"))


def test_no_rule_for_what_only_looks_continuous():
    f = sp.Function("f")
    y = sp.Symbol("y", real=True)
    # d/dx [f(t x)/t] = f'(t x) -> f'(0), not 0
    value = limit_by_continuity(sp.Limit(sp.Derivative(f(t * x) / t, x), t, 0, "+"))
    assert value is None or value == sp.Subs(sp.Derivative(f(y), y), y, 0).doit()
    assert limit_by_continuity(sp.Limit(t * sp.Subs(f(y) / y, y, t), t, 0, "+")) is None
    r = sp.Symbol("r", real=True)  # (for a positive t, SymPy makes sign(t) 1 by itself)
    assert limit_by_continuity(sp.Limit(f(sp.sign(r)), r, 0, "+")) is None
    assert limit_by_continuity(sp.Limit(sp.Subs(sp.Heaviside(y), y, t) * f(t), t, 0, "+")) is None
    assert limit_by_continuity(sp.Limit(sp.exp(x / t) * f(x), t, 0, "+")) is None
    assert limit_by_continuity(sp.Limit(f(x) / (t + f(t)), t, 0, "+")) is None  # f may vanish


def test_false_limits_are_not_proved():
    f = sp.Function("f")
    y = sp.Symbol("y", real=True)
    smooth = {"f": "smooth"}
    r = verify_identity(sp.Limit(sp.Derivative(f(t * x) / t, x), t, 0, "+"), 0, functions=smooth)
    assert r.status == Status.REFUTED
    r = verify_identity(sp.Limit(t * sp.Subs(f(y) / y, y, t), t, 0, "+"), 0, functions=smooth)
    assert r.status != Status.PROVED
