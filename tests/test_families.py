"""The test families for generic functions: the properties the verifier relies on."""

import random

import mpmath
import pytest
import scipy.integrate
import sympy as sp
from tolerances import MP30_QUAD_SMOOTH

from symtransport import InvalidArgument
from symtransport._verification.families import draw_instance, family_names


@pytest.mark.parametrize("seed", range(5))
def test_density_members_are_normalised_in_1d(seed):
    inst = draw_instance("mu", "density", 1, random.Random(seed))
    f = sp.lambdify(inst.lam.variables, inst.lam.expr, "mpmath")
    with mpmath.workdps(30):
        total = mpmath.quad(f, [-mpmath.inf, -2, 0, 2, mpmath.inf])
    assert abs(total - 1) < MP30_QUAD_SMOOTH


def test_density_members_are_normalised_in_2d():
    inst = draw_instance("mu", "density", 2, random.Random(3))
    f = sp.lambdify(inst.lam.variables, inst.lam.expr, ["scipy", "numpy"])
    # float64 adaptive cubature; the components sit within |u| < 2 with variances below 4,
    # so the box [-25, 25]^2 holds all but ~1e-30 of the mass
    total, _ = scipy.integrate.dblquad(lambda v, u: f(u, v), -25, 25, -25, 25, epsabs=1e-12)
    assert abs(total - 1) < 1e-9  # the cubature's own error estimate is ~1e-12


def test_density_members_are_positive_far_out_and_not_all_gaussian():
    u = sp.Symbol("u", real=True)
    non_gaussian = 0
    for seed in range(6):
        inst = draw_instance("mu", "density", 1, random.Random(seed))
        expr = inst.lam(u)
        for point in (-40, -3, 0, 5, 40):
            assert sp.N(expr.subs(u, point), 30) > 0
        # log of a Gaussian is quadratic: its third derivative vanishes
        third = sp.diff(sp.log(expr), u, 3)
        if abs(sp.N(third.subs(u, sp.Rational(1, 3)), 30)) > 1e-10:
            non_gaussian += 1
    assert non_gaussian >= 4


def test_smooth_members_change_sign():
    u = sp.Symbol("u", real=True)
    signs = set()
    for seed in range(4):
        expr = draw_instance("f", "smooth", 1, random.Random(seed)).lam(u)
        for k in range(-30, 31):
            signs.add(sp.sign(sp.N(expr.subs(u, sp.Rational(k, 10)), 20)))
    assert {-1, 1} <= signs


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(InvalidArgument, match="density"):
        draw_instance("f", "gaussian", 1, random.Random(0))
    assert family_names() == ["density", "positive", "smooth"]


def test_instances_are_deterministic_for_a_seed():
    a = draw_instance("mu", "density", 2, random.Random(7))
    b = draw_instance("mu", "density", 2, random.Random(7))
    assert a.lam == b.lam


@pytest.mark.parametrize("seed", range(4))
def test_closed_form_members_are_normalised_positive_and_not_gaussian(seed):
    u = sp.Symbol("u", real=True)
    inst = draw_instance("mu", "density", 1, random.Random(seed), closed_form=True)
    expr = inst.lam(u)
    assert not expr.has(sp.erfc)  # their Gaussian integrals have closed forms
    f = sp.lambdify(u, expr, "mpmath")
    with mpmath.workdps(30):
        assert abs(mpmath.quad(f, [-mpmath.inf, -2, 0, 2, mpmath.inf]) - 1) < MP30_QUAD_SMOOTH
    assert all(sp.N(expr.subs(u, p), 30) > 0 for p in (-40, 0, 40))
    # log of a Gaussian is quadratic; a positive quadratic factor makes the third derivative
    # non-zero somewhere
    third = sp.diff(sp.log(expr), u, 3)
    assert any(abs(sp.N(third.subs(u, sp.Rational(k, 3)), 30)) > 1e-10 for k in range(-6, 7))
