"""The integral normal form: integrals equal by a change of variables are proved equal, and
integrals that differ are not (the numeric stage then refutes them)."""

import pytest
import sympy as sp

from symtransport import Status, verify_identity
from symtransport._verification.intnormal import integral_normal_form

x, y, a, b, e, f = sp.symbols("x y a b e f", real=True)
t = sp.Symbol("t", positive=True)
oo = sp.oo


def mu(p, q):
    """A correlated Gaussian: over a quadrant its outer layer has no elementary closed form
    (a bivariate normal probability), so the integrals stay integrals."""
    return sp.exp(-(p**2 + p * q + q**2) + p / 2)


def test_substitution_onto_canonical_ranges():
    g = sp.Function("g")
    assert (
        integral_normal_form(sp.Integral(g(e), (e, x, oo)) - sp.Integral(g(x + f), (f, 0, oo))) == 0
    )
    assert (
        integral_normal_form(sp.Integral(g(e), (e, -oo, x)) - sp.Integral(g(x - f), (f, 0, oo)))
        == 0
    )
    assert (
        integral_normal_form(sp.Integral(g(e), (e, a, b)) - sp.Integral(g(a + f), (f, 0, b - a)))
        == 0
    )


def test_linearity_splits_sums_and_pulls_out_constants():
    # polynomial times a Gaussian: every piece converges, so the split is allowed
    body = (x - e) * (1 + e**2) * sp.exp(-(e**2))
    lhs = sp.Integral(body, (e, 0, oo))
    rhs = x * sp.Integral((1 + e**2) * sp.exp(-(e**2)), (e, 0, oo)) - sp.Integral(
        (e + e**3) * sp.exp(-(e**2)), (e, 0, oo)
    )
    assert integral_normal_form(lhs - rhs) == 0
    wrong = rhs.subs(x, 2 * x)  # the constant pulled out twice over
    assert integral_normal_form(lhs - wrong) != 0


def quadrant_change_of_variables(shift_sign: int, high: sp.Expr):
    """int_{x0 < x, y0 > y} x0 mu(x0, y0) dx0 dy0 against the same over eps = x - x0."""
    x0, y0, ex, ey = sp.symbols("x0 y0 ex ey", real=True)
    lhs = sp.Integral(x0 * mu(x0, y0), (x0, -oo, x), (y0, y, oo))
    rhs = sp.Integral(
        (x - shift_sign * ex) * mu(x - shift_sign * ex, y + ey), (ex, 0, high), (ey, 0, oo)
    )
    return lhs, rhs


def test_two_dimensional_change_of_variables_is_proved():
    lhs, rhs = quadrant_change_of_variables(1, oo)
    check = verify_identity(lhs, rhs)
    assert check.status == Status.PROVED, check
    assert "integral normal form" in check.method


@pytest.mark.parametrize(
    ("shift_sign", "high"),
    [(-1, oo), (1, 3)],  # x0 = x + eps (the wrong side of the kink); a truncated range
)
def test_wrong_changes_of_variables_are_refuted(shift_sign, high):
    lhs, rhs = quadrant_change_of_variables(shift_sign, high)
    assert integral_normal_form(lhs - rhs) != 0
    check = verify_identity(lhs, rhs)
    assert check.status == Status.REFUTED, check


def test_a_missing_jacobian_is_not_proved():
    g = sp.exp(-(e**2)) / (1 + e**2)
    scaled = sp.Integral(g.subs(e, 2 * f), (f, 0, oo))  # needs a factor 2
    assert integral_normal_form(sp.Integral(g, (e, 0, oo)) - scaled) != 0
    assert verify_identity(sp.Integral(g, (e, 0, oo)), scaled).status == Status.REFUTED


def test_nested_integrals_and_name_clashes_are_left_alone():
    inner = sp.Integral(sp.exp(-(e**2)), (e, 0, f))
    nested = sp.Integral(sp.exp(-f) * inner, (f, 0, oo))  # not flattened: a product inside
    assert nested.function.has(sp.Integral)
    assert integral_normal_form(nested) == integral_normal_form(nested.xreplace({})) != 0
    assert integral_normal_form(nested).has(f)  # the outer variable kept its name
    clash = sp.Symbol("u[0]", real=True)
    integral = sp.Integral(sp.exp(-(e**2) - clash**2), (e, x, oo))
    assert integral_normal_form(integral) == integral


def test_reversed_infinite_ranges_are_turned_round():
    g = sp.exp(-e)
    assert integral_normal_form(sp.Integral(g, (e, oo, 0)) + sp.Integral(g, (e, 0, oo))) == 0
    assert integral_normal_form(sp.Integral(g, (e, oo, 0))) != 0
    assert integral_normal_form(sp.Integral(g, (e, 0, -oo)) + sp.Integral(g, (e, -oo, 0))) == 0
    # over two variables there is no numeric cross-check after a proof: a false 0 must not be
    # proved (int_oo^0 int_0^oo of a positive function is negative). The exact stage settles
    # that in well under a second (0.03 s); the 2-D quadrature at 30-120 digits that would
    # then refute it takes minutes, so a 10 s safety net ends it as `error` (no verdict), which
    # is no proof either, provided the exact stage had finished: the net must stop the numeric
    # stage, not the exact one.
    h = sp.exp(-e) / (1 + e**2) * sp.exp(-f) / (1 + f**2)
    check = verify_identity(sp.Integral(h, (e, oo, 0), (f, 0, oo)), 0, timeout=10)
    assert check.status in (Status.REFUTED, Status.UNDECIDED, Status.ERROR), check
    assert check.status != Status.ERROR or "during the numeric stage" in check.explanation, check


def test_complex_paths_are_left_alone():
    zc = sp.Symbol("zc")  # complex
    integral = sp.Integral(sp.sqrt(zc**2), (zc, 0, sp.I))
    assert integral_normal_form(integral) == integral
    h = sp.exp(-f)
    lhs = sp.Integral(sp.sqrt(zc**2) * h, (zc, 0, sp.I), (f, 0, oo))
    rhs = sp.Integral(sp.Abs(zc) * h, (zc, 0, sp.I), (f, 0, oo))
    assert verify_identity(lhs, rhs).status != Status.PROVED


def test_divergent_pieces_are_not_split():
    # int (1/(1+e) - 1/(2+e)) = log 2, but each piece diverges: oo - oo is no proof
    whole = sp.Integral(1 / (1 + e) - 1 / (2 + e), (e, 0, oo))
    pieces = sp.Integral(1 / (1 + e), (e, 0, oo)) - sp.Integral(1 / (2 + e), (e, 0, oo))
    assert integral_normal_form(whole - pieces) != 0
    assert verify_identity(whole, pieces).status != Status.PROVED


def test_bound_constructs_in_the_integrand_do_not_stop_the_exact_stage():
    v = sp.Symbol("v", real=True)
    check = verify_identity(sp.Integral(sp.Derivative(v**3, v), (v, x, 1)), 1 - x**3)
    assert check.status == Status.PROVED, check


def test_moments_of_regular_densities_split_and_other_functions_do_not():
    u = sp.Symbol("u", real=True)
    mu_, g = sp.Function("mu"), sp.Function("g")
    gauss = sp.exp(-((x - u) ** 2) / (2 * t))
    whole = sp.Integral((x - u) * gauss * mu_(u), (u, -oo, oo))
    split = x * sp.Integral(gauss * mu_(u), (u, -oo, oo)) - sp.Integral(
        u * gauss * mu_(u), (u, -oo, oo)
    )
    assert integral_normal_form(whole - split, {"mu"}) == 0
    # without the density class, nothing is known to converge: no split, no proof
    assert integral_normal_form(whole - split) != 0
    # a generic function that is not a density (g) makes no moment converge
    body = (1 + u) * g(u)
    unsplit = integral_normal_form(sp.Integral(body, (u, -oo, oo)), {"mu"})
    assert len(unsplit.atoms(sp.Integral)) == 1


def test_the_density_takes_its_own_coordinates_over_the_whole_line():
    u, e = sp.symbols("u e", real=True)
    mu_, nu = sp.Function("mu"), sp.Function("nu")
    lhs = sp.Integral(nu(x - u) * mu_(u), (u, -oo, oo))
    rhs = sp.Integral(nu(e) * mu_(x - e), (e, -oo, oo))
    assert integral_normal_form(lhs - rhs, {"mu", "nu"}) == 0
    scaled = sp.Integral(nu(e) * mu_(x - 2 * e), (e, -oo, oo))  # v = x - 2e: a Jacobian of 1/2
    in_v = sp.Integral(nu((x - u) / 2) * mu_(u), (u, -oo, oo)) / 2
    assert integral_normal_form(scaled - in_v, {"mu", "nu"}) == 0
    assert integral_normal_form(scaled - 2 * in_v, {"mu", "nu"}) != 0
    half = sp.Integral(nu(e) * mu_(x - e), (e, 0, oo))  # not the whole line: no change
    assert integral_normal_form(half - lhs, {"mu", "nu"}) != 0
