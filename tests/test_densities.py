"""Densities: validation, pdf values, smoothing, mixtures, recognition and normalisation."""

import math
import random

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from tolerances import FLOAT64_CUBATURE, FLOAT64_SCIPY_PDF, MP30_QUAD_PIECEWISE

from symtransport._core.gaussint import gaussian_integral
from symtransport._theory.densities import (
    Density,
    Gaussian,
    GaussianMixture,
    as_density,
    recognise_gaussian_family,
)
from symtransport.errors import InvalidArgument, UnsupportedError

x, y, z = sp.symbols("x y z", real=True)
t = sp.Symbol("t", positive=True)
s2 = sp.Symbol("s2", positive=True)
m = sp.Symbol("m", real=True)


@pytest.fixture(autouse=True)
def thirty_digits():
    """Every mpmath reference and comparison in this module runs at 30 digits."""
    with mpmath.workdps(30):
        yield


def quad_1d(expr, var=x, points=(0,)):
    f = sp.lambdify([var], expr, "mpmath")
    with mpmath.workdps(30):
        return mpmath.quad(f, [-mpmath.inf, *points, mpmath.inf])


def mp(value):
    return mpmath.mpf(str(sp.N(value, 40)))


def same_function(a, b, variables, n=12, seed=1):
    """``a == b`` at seeded random points, at 30 digits (relative 1e-25)."""
    rng = random.Random(seed)
    fa = sp.lambdify(variables, a, "mpmath")
    fb = sp.lambdify(variables, b, "mpmath")
    with mpmath.workdps(30):
        for _ in range(n):
            point = [mpmath.mpf(rng.uniform(-3, 3)) for _ in variables]
            va, vb = fa(*point), fb(*point)
            if abs(va - vb) > mpmath.mpf("1e-25") * max(abs(va), abs(vb)):
                return False
    return True


# ------------------------------------------------------------------------------------------
# Gaussian: construction and validation
# ------------------------------------------------------------------------------------------


def test_gaussian_shapes_and_float_entries():
    g = Gaussian(0.1, 2.5)
    assert g.mean == sp.Matrix([sp.Rational(1, 10)])
    assert g.cov == sp.Matrix([[sp.Rational(5, 2)]])
    assert g.dim == 1
    g2 = Gaussian([0, 1], [[2, 0.5], [0.5, 1]])
    assert g2.dim == 2
    assert g2.mean.shape == (2, 1) and g2.cov.shape == (2, 2)
    assert g2.cov[0, 1] == sp.Rational(1, 2)
    g3 = Gaussian(sp.Matrix([1, 2]), sp.Matrix([[1, 0], [0, 1]]))
    assert g3 == Gaussian((1, 2), np.eye(2))
    assert hash(g3) == hash(Gaussian([1, 2], [[1, 0], [0, 1]]))


def test_gaussian_symbolic_entries():
    g = Gaussian(m, s2)
    assert g.free_symbols == {m, s2}
    assert not g.is_numeric
    assert Gaussian(0, 1).is_numeric
    assert g.family is g and g.normalisation == 1


@pytest.mark.parametrize(
    ("mean", "cov", "fragment"),
    [
        ([0, 0], [[1, 1], [0, 1]], "not symmetric"),
        ([0, 0], [[1, 2], [2, 1]], "not positive definite"),
        (0, 0, "zero variance"),
        (0, -1, "not positive definite"),
        (0, sp.Symbol("a", real=True), "cannot decide"),
        ([0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "expected (2, 2)"),
        ([0, 0], 1, "is a scalar but the dimension is d=2"),
        (0, "1", "is text"),
        (0, float("nan"), "not finite"),
        (0, 1j, "complex"),
        ([], 1, "empty"),
        (sp.Matrix([[0, 0]]), [[1, 0], [0, 1]], "expected a d x 1 column"),
    ],
)
def test_gaussian_rejects(mean, cov, fragment):
    with pytest.raises(InvalidArgument) as info:
        Gaussian(mean, cov)
    assert fragment in str(info.value)


def test_gaussian_error_messages_name_the_value():
    with pytest.raises(InvalidArgument) as info:
        Gaussian([0, 0], [[1, 2], [2, 1]])
    message = str(info.value)
    assert "cov=Matrix([[1, 2], [2, 1]])" in message
    assert "det(cov[:2, :2])=-3" in message
    with pytest.raises(InvalidArgument) as info:
        Gaussian(0, sp.Symbol("a", real=True))
    assert "positive=True" in str(info.value)


# ------------------------------------------------------------------------------------------
# Gaussian: pdf, log pdf, smoothing
# ------------------------------------------------------------------------------------------


def test_gaussian_pdf_formula_1d():
    g = Gaussian(m, s2)
    expected = sp.exp(-((x - m) ** 2) / (2 * s2)) / sp.sqrt(2 * sp.pi * s2)
    assert sp.simplify(g.pdf([x]) - expected) == 0
    assert g.pdf(x) == g.pdf([x])


def test_gaussian_pdf_integrates_to_one():
    g = Gaussian([1, -2], [[3, 1], [1, 2]])
    total = gaussian_integral(sp.Integral(g.pdf([x, y]), (x, -sp.oo, sp.oo)))
    total = gaussian_integral(sp.Integral(sp.expand(total), (y, -sp.oo, sp.oo)))
    assert sp.simplify(total - 1) == 0


@pytest.mark.parametrize(
    ("mean", "cov"),
    [
        ([0.5], [[2.0]]),
        ([1, -1], [[2, 0.3], [0.3, 0.5]]),
        ([0, 1, 2], [[1, 0.2, 0.1], [0.2, 2, -0.3], [0.1, -0.3, 1.5]]),
    ],
)
def test_gaussian_pdf_matches_scipy(mean, cov):
    g = Gaussian(mean, cov)
    xs = sp.symbols(f"u1:{g.dim + 1}", real=True)
    f = sp.lambdify(xs, g.pdf(xs), "mpmath")
    reference = stats.multivariate_normal(mean=mean, cov=cov)
    rng = np.random.default_rng(3)
    for point in rng.normal(size=(10, g.dim)) * 2:
        got = float(f(*[mpmath.mpf(float(p)) for p in point]))
        assert math.isclose(got, reference.pdf(point), rel_tol=FLOAT64_SCIPY_PDF)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(-20, 20), min_size=3, max_size=3),
    st.lists(st.integers(-20, 20), min_size=2, max_size=2),
)
def test_gaussian_pdf_matches_scipy_random_spd(entries, mean):
    a, b, c = (sp.Rational(v, 8) for v in entries)
    lower = sp.Matrix([[1 + abs(a), 0], [b, 1 + abs(c)]])
    cov = lower * lower.T
    g = Gaussian([sp.Rational(v, 4) for v in mean], cov)
    f = sp.lambdify([x, y], g.pdf([x, y]), "mpmath")
    reference = stats.multivariate_normal(
        mean=[float(v) for v in g.mean], cov=np.array(cov.tolist(), dtype=float)
    )
    for point in ([0.0, 0.0], [1.5, -0.5], [-2.0, 3.0]):
        got = float(f(*[mpmath.mpf(p) for p in point]))
        assert math.isclose(got, reference.pdf(point), rel_tol=FLOAT64_SCIPY_PDF)


def test_log_pdf_is_expanded_and_equals_log_of_pdf():
    for g, xs in [(Gaussian(m, s2), [x]), (Gaussian([1, 0], [[2, 1], [1, 3]]), [x, y])]:
        log_pdf = g.log_pdf(xs)
        assert not log_pdf.has(sp.exp)
        assert sp.simplify(sp.expand_log(sp.log(g.pdf(xs)), force=True) - log_pdf) == 0


def test_smoothed_adds_covariances():
    assert Gaussian(m, s2).smoothed(t) == Gaussian(m, s2 + t)
    g = Gaussian([0, 1], [[2, 1], [1, 2]])
    assert g.smoothed(t).cov == sp.Matrix([[2 + t, 1], [1, 2 + t]])
    extra = sp.Matrix([[1, 0], [0, 3]])
    assert g.smoothed(extra).cov == g.cov + extra
    assert g.smoothed(0) == g


def test_smoothing_is_convolution_with_noise():
    # [J] App. D: nu_t * N(m, s2) = N(m, s2 + t), checked by an exact Gaussian integral.
    u = sp.Symbol("u", real=True)
    noise = Gaussian(0, t).pdf([x - u])
    convolution = gaussian_integral(
        sp.Integral(Gaussian(m, s2).pdf([u]) * noise, (u, -sp.oo, sp.oo))
    )
    smoothed = Gaussian(m, s2).smoothed(t).pdf([x])
    assert sp.simplify(convolution - smoothed) == 0


def test_smoothed_rejects_negative_or_undecidable_noise():
    with pytest.raises(InvalidArgument, match="not positive semidefinite"):
        Gaussian(0, 2).smoothed(-1)
    with pytest.raises(InvalidArgument, match="cannot decide"):
        Gaussian(0, 2).smoothed(sp.Symbol("r", real=True))
    with pytest.raises(InvalidArgument, match="not symmetric"):
        Gaussian([0, 0], [[1, 0], [0, 1]]).smoothed([[1, 1], [0, 1]])


def test_pdf_rejects_wrong_number_of_coordinates():
    with pytest.raises(InvalidArgument, match="expected 2"):
        Gaussian([0, 0], [[1, 0], [0, 1]]).pdf([x])


# ------------------------------------------------------------------------------------------
# Gaussian mixtures
# ------------------------------------------------------------------------------------------


def test_mixture_float_weights_are_exact():
    mix = GaussianMixture([0.1, 0.2, 0.7], [Gaussian(0, 1), Gaussian(1, 2), Gaussian(-1, 0.5)])
    assert mix.weights == (sp.Rational(1, 10), sp.Rational(1, 5), sp.Rational(7, 10))
    assert mix.dim == 1 and mix.is_numeric and mix.family is mix and mix.normalisation == 1


@pytest.mark.parametrize(
    ("weights", "components", "fragment"),
    [
        ([-0.5, 1.5], [Gaussian(0, 1), Gaussian(1, 1)], "is not > 0"),
        ([0.1, 0.2, 0.6], [Gaussian(0, 1)] * 3, "sum to 9/10"),
        ([0.5, 0.5], [Gaussian(0, 1), Gaussian([0, 0], [[1, 0], [0, 1]])], "dimensions [1, 2]"),
        ([], [], "empty"),
        ([1], [(0, 1)], "expected a Gaussian"),
        ([0.5, 0.5], [Gaussian(0, 1)], "one weight per component"),
        ([sp.Symbol("w", real=True), 1], [Gaussian(0, 1)] * 2, "cannot decide"),
        ([1], Gaussian(0, 1), "single Gaussian"),
    ],
)
def test_mixture_rejects(weights, components, fragment):
    with pytest.raises(InvalidArgument) as info:
        GaussianMixture(weights, components)
    assert fragment in str(info.value)


def test_mixture_symbolic_weights():
    w = sp.Symbol("w", positive=True)
    mix = GaussianMixture([w / (1 + w), 1 / (1 + w)], [Gaussian(0, 1), Gaussian(m, s2)])
    assert mix.free_symbols == {w, m, s2}


def test_mixture_pdf_matches_scipy():
    weights = [0.2, 0.3, 0.5]
    means = [[0, 0], [2, 1], [-1, 2]]
    covs = [[[1, 0], [0, 1]], [[2, 0.5], [0.5, 1]], [[0.5, -0.2], [-0.2, 0.8]]]
    mix = GaussianMixture.from_arrays(weights, means, covs)
    f = sp.lambdify([x, y], mix.pdf([x, y]), "mpmath")
    for point in ([0.0, 0.0], [1.0, 1.0], [-2.0, 3.5], [4.0, -1.0]):
        reference = sum(
            w * stats.multivariate_normal(mean=mu, cov=c).pdf(point)
            for w, mu, c in zip(weights, means, covs, strict=True)
        )
        got = float(f(*[mpmath.mpf(p) for p in point]))
        assert math.isclose(got, reference, rel_tol=FLOAT64_SCIPY_PDF)


def test_responsibilities_sum_to_one():
    mix = GaussianMixture.from_arrays([sp.Rational(1, 3), sp.Rational(2, 3)], [m, 1], [s2, 2])
    gammas = mix.responsibilities([x])
    assert len(gammas) == 2
    assert sp.simplify(sp.Add(*gammas) - 1) == 0
    # [J] eq. (40): responsibilities of the smoothed mixture use S_k + tI
    smoothed = mix.smoothed(t).responsibilities([x])
    expected = mix.weights[0] * Gaussian(m, s2 + t).pdf([x]) / mix.smoothed(t).pdf([x])
    assert sp.simplify(smoothed[0] - expected) == 0


def test_mixture_mean_and_smoothing():
    mix = GaussianMixture.from_arrays(
        [sp.Rational(3, 10), sp.Rational(7, 10)], [[2, 0], [0, 1]], [[[1, 0], [0, 1]]] * 2
    )
    assert mix.mean == sp.Matrix([sp.Rational(3, 5), sp.Rational(7, 10)])
    smoothed = mix.smoothed(t)
    assert smoothed.weights == mix.weights
    assert all(c.cov == sp.Matrix([[1 + t, 0], [0, 1 + t]]) for c in smoothed.components)
    assert GaussianMixture([1], [Gaussian(m, s2)]).mean == sp.Matrix([m])


# ------------------------------------------------------------------------------------------
# Recognising Gaussian families
# ------------------------------------------------------------------------------------------

ROT = sp.Matrix([[sp.Rational(3, 5), sp.Rational(4, 5)], [-sp.Rational(4, 5), sp.Rational(3, 5)]])
ROTATED_COV = ROT.T * sp.diag(2, sp.Rational(1, 2)) * ROT
_u, _v = ROT * sp.Matrix([x - 1, y + 2])


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("exp(-x**2/2)/sqrt(2*pi)", "x", Gaussian(0, 1)),
        ("exp(-(x-1)**2/2)*exp(3)", "x", Gaussian(1, 1)),
        ("2**(-x**2)", "x", Gaussian(0, 1 / (2 * sp.log(2)))),
        ("3*exp(-x**2 - x*y - y**2)", "xy", Gaussian([0, 0], sp.Matrix([[2, -1], [-1, 2]]) / 3)),
        ("exp(-x**2)*exp(-y**2/4)", "xy", Gaussian([0, 0], [[sp.Rational(1, 2), 0], [0, 2]])),
        ("exp(-(x**2+y**2)/2 + x)", "xy", Gaussian([1, 0], [[1, 0], [0, 1]])),
        ("exp(-x**2/2)*cosh(0)", "x", Gaussian(0, 1)),
    ],
)
def test_recognise_single_gaussians(text, variables, expected):
    family = recognise_gaussian_family(text, list(variables))
    assert family == expected


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(-20, 20), min_size=3, max_size=3),
    st.lists(st.integers(-20, 20), min_size=2, max_size=2),
    st.integers(1, 9),
)
def test_recognise_round_trip_of_any_gaussian(entries, mean, scale):
    a, b, c = (sp.Rational(v, 8) for v in entries)
    lower = sp.Matrix([[1 + abs(a), 0], [b, 1 + abs(c)]])
    g = Gaussian([sp.Rational(v, 4) for v in mean], lower * lower.T)
    assert recognise_gaussian_family(scale * g.pdf([x, y]), [x, y]) == g


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 9), st.integers(-8, 8), st.integers(1, 8)),
        min_size=1,
        max_size=3,
        unique_by=lambda c: c[1],
    )
)
def test_recognise_round_trip_of_any_1d_mixture(parts):
    total = sum(w for w, _, _ in parts)
    weights = [sp.Rational(w, total) for w, _, _ in parts]
    components = [Gaussian(sp.Rational(mu, 2), sp.Rational(v, 4)) for _, mu, v in parts]
    family = recognise_gaussian_family(
        sp.Add(*(w * c.pdf([x]) for w, c in zip(weights, components, strict=True))), [x]
    )
    if len(parts) == 1:
        assert family == components[0]
    else:
        assert dict(zip(family.components, family.weights, strict=True)) == dict(
            zip(components, weights, strict=True)
        )


def test_recognise_rotated_quadratic():
    expr = 5 * sp.exp(-(_u**2 / 2 + 2 * _v**2) / 2)
    family = recognise_gaussian_family(expr, [x, y])
    assert family == Gaussian([1, -2], ROTATED_COV)


def test_recognise_mixture_1d():
    family = recognise_gaussian_family("exp(-(x-1)**2/2) + 2*exp(-(x+1)**2)", ["x"])
    assert isinstance(family, GaussianMixture)
    by_mean = {
        c.mean[0]: (w, c.cov[0, 0]) for w, c in zip(family.weights, family.components, strict=True)
    }
    # masses sqrt(2 pi) and 2 sqrt(pi / 1) = 2 sqrt(pi): weights proportional to sqrt(2) : 2
    assert by_mean[1][1] == 1 and by_mean[-1][1] == sp.Rational(1, 2)
    assert sp.simplify(by_mean[1][0] - sp.sqrt(2) / (sp.sqrt(2) + 2)) == 0


def test_recognise_mixture_of_three_2d_and_merges_equal_terms():
    typed = (
        sp.exp(-(x**2) - y**2)
        + 3 * sp.exp(-((x - 2) ** 2) / 2 - (x - 2) * (y + 1) - (y + 1) ** 2)
        + 2 * sp.exp(-(_u**2 / 2 + 2 * _v**2) / 2)
        + sp.exp(-(x**2) - y**2)  # same component again: merged
    )
    family = recognise_gaussian_family(typed, [x, y])
    assert isinstance(family, GaussianMixture)
    assert len(family.components) == 3
    assert sp.simplify(sp.Add(*family.weights) - 1) == 0
    covs = {tuple(c.mean): c.cov for c in family.components}
    assert covs[(2, -1)] == sp.Matrix([[2, -1], [-1, 1]])
    assert covs[(1, -2)] == ROTATED_COV
    density = Density(typed, [x, y])
    assert same_function(family.pdf([x, y]), density.expr, [x, y])


def test_recognise_symbolic_parameters():
    family = recognise_gaussian_family(sp.exp(-((x - m) ** 2) / (2 * s2)), [x])
    assert family == Gaussian(m, s2)
    assert recognise_gaussian_family(sp.exp(-(x**2) / sp.Symbol("a", real=True)), [x]) is None


@pytest.mark.parametrize(
    "text",
    [
        "(1 + x**2/3)**-2",  # Student-t
        "exp(-x)/(1 + exp(-x))**2",  # logistic
        "exp(-x**4)",
        "exp(-abs(x))",
        "exp(-x**2)*(1 + x**2)",
        "exp(-x**2) - exp(-2*x**2)/2",  # a negative coefficient
        "exp(x**2 - 2*x)",  # convex, not concave
        "exp(-x**2/2)*sin(x)**2",
        "x**2 + 1",
    ],
)
def test_non_gaussians_are_not_recognised_1d(text):
    assert recognise_gaussian_family(text, ["x"]) is None


@pytest.mark.parametrize(
    "text",
    [
        "exp(x**2 - 2*x*y - y**2)",  # indefinite
        "exp(-x**2)",  # degenerate: constant in y
        "exp(-(x - y)**2)",  # degenerate along the diagonal
        "exp(-x**2 - y**2)/(1 + x**2)",
    ],
)
def test_non_gaussians_are_not_recognised_2d(text):
    assert recognise_gaussian_family(text, ["x", "y"]) is None


# ------------------------------------------------------------------------------------------
# Density: validation
# ------------------------------------------------------------------------------------------


def test_density_negative_reports_point_and_value():
    with pytest.raises(InvalidArgument) as info:
        Density("x**2 - 1", ["x"])
    message = str(info.value)
    assert "negative at x=0" in message and "-1.0" in message


@pytest.mark.parametrize(
    ("text", "variables", "fragment"),
    [
        ("1/sqrt(1 + x**2)", ["x"], "decays only like r^-1"),
        ("exp(x)", ["x"], "grows"),
        ("exp(-x**2)", ["x", "y"], "does not depend on ['y']"),
        ("1/(1 + x**2 + y**2)", ["x", "y"], "decays no faster than r^-2"),
        ("exp(-(x - y)**2)", ["x", "y"], "not integrable"),
    ],
)
def test_density_not_integrable(text, variables, fragment):
    with pytest.raises(InvalidArgument) as info:
        Density(text, variables, symbolic_budget=0)
    assert "not integrable" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("0", "identically zero"),
        ("0*x", "identically zero"),
        ("Piecewise((0, x > 0), (0, True))", "identically zero"),
        ("exp(-x**2)*(sin(x)**2 + cos(x)**2 - 1)", "rounding noise"),
        ("Max(0, sin(x) - 2)", "zero at every one"),
    ],
)
def test_density_zero(expr, fragment):
    with pytest.raises(InvalidArgument) as info:
        Density(expr, ["x"], symbolic_budget=0)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("expr", "variables", "error", "fragment"),
    [
        ("exp(-t**2)", ["t"], InvalidArgument, "t is reserved"),
        ("exp(-x**2 - a)", ["x"], InvalidArgument, "Unknown name name='a'"),
        (sp.exp(-(x**2) - sp.Symbol("a")), [x], InvalidArgument, "symbols ['a']"),
        (sp.exp(-(sp.Symbol("x") ** 2)), ["x"], InvalidArgument, "different assumptions"),
        ("__import__('os')", ["x"], InvalidArgument, "underscore"),
        ("exp(-x**2).real", ["x"], InvalidArgument, "attribute"),
        ("sqrt(x)*exp(-x**2)", ["x"], InvalidArgument, "not real at x=-"),
        ("exp(-x**2)/x", ["x"], InvalidArgument, "undefined at x=0"),
        (42, ["x"], InvalidArgument, "not integrable"),
        ([x], ["x"], InvalidArgument, "expected a SymPy expression"),
        ("exp(-x**2)", ["x", "x"], InvalidArgument, "repeated"),
        ("exp(-x**2)", [], InvalidArgument, "empty"),
        (
            "1/((1 + x1**2)*(1 + x2**2)*(1 + x3**2)*(1 + x4**2))",
            ["x1", "x2", "x3", "x4"],
            UnsupportedError,
            "d=4",
        ),
    ],
)
def test_density_rejects(expr, variables, error, fragment):
    with pytest.raises(error) as info:
        Density(expr, variables, symbolic_budget=0)
    assert fragment in str(info.value)


def test_four_dimensional_gaussian_family_is_supported():
    xs = sp.symbols("x1:5", real=True)
    density = Density(sp.exp(-sum(v**2 for v in xs) / 2), xs)
    assert density.normalisation == 4 * sp.pi**2
    assert density.family == Gaussian([0] * 4, sp.eye(4))


# ------------------------------------------------------------------------------------------
# Density: normalisation
# ------------------------------------------------------------------------------------------


def test_gaussian_text_normalisation_is_exact():
    density = Density("exp(-x**2/2)", ["x"])
    assert density.exact_normalisation
    assert density.normalisation_error == 0
    assert sp.simplify(density.normalisation - sp.sqrt(2 * sp.pi)) == 0
    assert density.family == Gaussian(0, 1)
    assert sp.simplify(density.pdf([y]) - Gaussian(0, 1).pdf([y])) == 0


def test_student_t_normalisation_is_exact_and_right():
    density = Density("(1 + x**2/3)**-2", ["x"])
    assert density.exact_normalisation and density.family is None
    reference = quad_1d((1 + x**2 / 3) ** -2)
    assert abs(mp(density.normalisation) - reference) < MP30_QUAD_PIECEWISE * reference
    assert abs(quad_1d(density.expr) - 1) < MP30_QUAD_PIECEWISE


def test_logistic_normalisation_is_one():
    density = Density("exp(-x)/(1 + exp(-x))**2", ["x"])
    assert density.exact_normalisation
    assert density.normalisation == 1


def test_cauchy_is_accepted():
    density = Density("1/(1 + x**2)", ["x"])
    assert density.normalisation == sp.pi


def test_polynomial_times_gaussian_is_exact():
    density = Density(x**2 * sp.exp(-(x**2) / 2), [x], symbolic_budget=0)
    assert density.exact_normalisation and density.family is None
    assert sp.simplify(density.normalisation - sp.sqrt(2 * sp.pi)) == 0


def test_floats_in_a_sympy_expression_are_read_as_typed():
    raw = sp.exp(-0.5 * x**2)
    density = Density(raw, [x])
    assert density.raw == raw
    assert density.family == Gaussian(0, 1)
    assert not density.expr.has(sp.Float)


def test_uniform_piecewise_density():
    density = Density("Piecewise((1/2, (x > 0) & (x < 2)), (0, True))", ["x"])
    assert density.normalisation == 1


def test_narrow_plateau_is_found_between_its_kinks():
    density = Density("Piecewise((1, (x > 50) & (x < 50.001)), (0, True))", ["x"])
    assert density.normalisation == sp.Rational(1, 1000)
    numeric = Density(
        "Piecewise((1, (x > 50) & (x < 50.001)), (0, True))", ["x"], symbolic_budget=0
    )
    assert abs(mp(numeric.normalisation) - mpmath.mpf("0.001")) < mpmath.mpf("1e-20")


def test_numeric_normalisation_1d():
    # symbolic_budget=0 forces the 30-digit quadrature (with a break point at the kink x=0)
    density = Density("exp(-abs(x)**3)*(2 + cos(x))", ["x"], symbolic_budget=0)
    assert not density.exact_normalisation
    reference = quad_1d(sp.exp(-(sp.Abs(x) ** 3)) * (2 + sp.cos(x)))
    assert abs(mp(density.normalisation) - reference) < mpmath.mpf("1e-18") * reference
    assert density.normalisation_error < 1e-12


def test_numeric_normalisation_2d_sum_of_bumps():
    text = "exp(-(x-1)**4 - y**2) + 2/(1 + (x+2)**2 + 4*y**2)**2"
    density = Density(text, ["x", "y"], symbolic_budget=0)
    assert not density.exact_normalisation
    # exact: int exp(-(x-1)^4) dx = 2 Gamma(5/4), int exp(-y^2) = sqrt(pi); with u = x + 2,
    # v = 2y the second bump is int 1/(1+u^2+v^2)^2 du dv = pi (polar coordinates).
    with mpmath.workdps(30):
        reference = 2 * mpmath.gamma(mpmath.mpf(5) / 4) * mpmath.sqrt(mpmath.pi) + mpmath.pi
    assert density.normalisation_error < FLOAT64_CUBATURE
    assert abs(mp(density.normalisation) - reference) < FLOAT64_CUBATURE * reference
    # the normalised density integrates to 1 (independent check: scipy's dblquad)
    from scipy.integrate import dblquad

    f = sp.lambdify([x, y], density.expr, "numpy")
    total, _ = dblquad(lambda b, a: f(a, b), -np.inf, np.inf, -np.inf, np.inf, epsrel=1e-10)
    assert math.isclose(total, 1, rel_tol=FLOAT64_CUBATURE)


def test_numeric_normalisation_2d_ridge():
    # a ridge along y = -x: each slice x has its peak at y = -x, found by the per-slice scan
    density = Density("exp(-(x + y)**2)/(1 + (x - y)**2)", ["x", "y"], symbolic_budget=0)
    reference = mpmath.pi * mpmath.sqrt(mpmath.pi) / 2  # u = x - y, v = x + y, Jacobian 1/2
    assert abs(mp(density.normalisation) - reference) < FLOAT64_CUBATURE * reference


def test_numeric_normalisation_3d():
    density = Density("1/((1 + x**2)*(1 + y**2)*(1 + z**2))", ["x", "y", "z"], symbolic_budget=0)
    assert abs(mp(density.normalisation) - mpmath.pi**3) < FLOAT64_CUBATURE * mpmath.pi**3


def test_sympy_route_in_2d():
    density = Density("1/((1 + x**2)*(1 + y**2))", ["x", "y"])
    assert density.exact_normalisation
    assert density.normalisation == sp.pi**2


def test_density_family_pdf_equals_normalised_expression():
    expected_z = {
        "exp(-(x-1)**2/2) + 2*exp(-(x+1)**2)": sp.sqrt(2 * sp.pi) + 2 * sp.sqrt(sp.pi),
        "3*exp(-x**2 - x*y - y**2)": 2 * sp.sqrt(3) * sp.pi,
        "exp(-x**2)*exp(-y**2/4)": 2 * sp.pi,
        "exp(-(x**2+y**2)/2 + x)": 2 * sp.pi * sp.exp(sp.Rational(1, 2)),
        "2**(-x**2)": sp.sqrt(sp.pi / sp.log(2)),
        "exp(-x**2/2)*exp(3)": sp.sqrt(2 * sp.pi) * sp.exp(3),
    }
    for text, variables in [
        ("exp(-(x-1)**2/2) + 2*exp(-(x+1)**2)", ["x"]),
        ("3*exp(-x**2 - x*y - y**2)", ["x", "y"]),
        ("exp(-x**2)*exp(-y**2/4)", ["x", "y"]),
        ("exp(-(x**2+y**2)/2 + x)", ["x", "y"]),
        ("2**(-x**2)", ["x"]),
        ("exp(-x**2/2)*exp(3)", ["x"]),
    ]:
        density = Density(text, variables)
        xs = density.variables
        assert density.family is not None, text
        assert sp.simplify(density.normalisation - expected_z[text]) == 0, text
        assert density.exact_normalisation
        assert same_function(density.family.pdf(xs), density.expr, xs), text
        if len(xs) == 1:
            assert sp.simplify(density.family.pdf(xs) - density.expr) == 0, text


def test_density_interface():
    density = Density("exp(-x**2)", ["x"])
    assert density.dim == 1
    assert density.variables == (x,)
    assert density.pdf([0]) == 1 / sp.sqrt(sp.pi)
    assert density.free_symbols == frozenset() and density.is_numeric
    assert density == Density("exp(-x**2)", ["x"])


# ------------------------------------------------------------------------------------------
# as_density
# ------------------------------------------------------------------------------------------


def test_as_density():
    g = Gaussian(0, 1)
    assert as_density(g) is g
    mix = GaussianMixture([1], [g])
    assert as_density(mix, ["x"]) is mix
    density = as_density("exp(-x**2)", ["x"])
    assert isinstance(density, Density) and density.dim == 1
    assert as_density(density) is density
    with pytest.raises(InvalidArgument, match="expected a Gaussian, a GaussianMixture"):
        as_density(3)
    with pytest.raises(InvalidArgument, match="dimension 1"):
        as_density(g, ["x", "y"])
    with pytest.raises(InvalidArgument, match="pass variables"):
        as_density("exp(-x**2)")
