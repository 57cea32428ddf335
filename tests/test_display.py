"""What ``derive`` prints: :mod:`symtransport._verification.display` rewrites expressions for a
reader only.

Every rewritten expression must EQUAL its input (checked symbolically where SymPy decides it
quickly, and with mpmath at 40 digits at several points otherwise); shapes are shown as a
person writes them (a 1 x 1 matrix as its entry, a column as ``(a, b)``); root objects of
polynomials are written in a variable of their own, never in one of the user's variables.
"""

from __future__ import annotations

import re

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from tolerances import MP40_REWRITE

from symtransport._verification.display import (
    DISPLAY_OPS,
    readable,
    shown,
    shown_latex,
    support_part,
)

x, y = sp.symbols("x y", real=True)
t = sp.Symbol("t", positive=True)

POINTS = [
    {x: sp.Rational(-13, 7), y: sp.Rational(5, 9), t: sp.Rational(1, 3)},
    {x: sp.Rational(1, 5), y: sp.Rational(-7, 4), t: sp.Rational(5, 2)},
    {x: sp.Rational(17, 6), y: sp.Rational(2, 3), t: sp.Rational(7, 8)},
    {x: sp.Integer(-4), y: sp.Integer(3), t: sp.Integer(4)},
]


def assert_same_value(a: sp.Expr, b: sp.Expr) -> None:
    """``a`` and ``b`` agree at every point of POINTS to MP40_REWRITE (40-digit evaluation)."""
    for point in POINTS:
        with mpmath.workdps(40):
            va = mpmath.mpmathify(sp.N(a.subs(point), 40))
            vb = mpmath.mpmathify(sp.N(b.subs(point), 40))
            assert abs(va - vb) <= MP40_REWRITE * max(1, abs(va)), (a, b, point, va, vb)


def exp_arguments(e: sp.Basic) -> list[sp.Expr]:
    return [f.args[0] for f in e.atoms(sp.exp)]


#: a small time inside every blow-up interval used here, at which the leading coefficients
#: of exponents depending on t are signed
SMALL_TIME = sp.Rational(1, 10)


def has_positive_exponential(e: sp.Basic, var: sp.Symbol = x) -> bool:
    """Some ``exp(p(var))`` with ``p`` a polynomial of positive leading coefficient (a growing
    factor such as ``exp(4*x)`` or ``exp((x - 1)**2)``, moved across a fraction bar); a
    coefficient depending on ``t`` is signed at ``t = SMALL_TIME``."""
    for arg in exp_arguments(e):
        p = sp.Poly(sp.expand(arg), var)
        if p.degree() > 0 and bool(p.LC().subs(t, SMALL_TIME) > 0):
            return True
    return False


def mixture_score(components: list[tuple[int, int, sp.Rational]]) -> sp.Expr:
    """d/dx log sum_k w_k exp(-(x - m_k)^2 / (2 s_k)), as SymPy's diff writes it."""
    density = sp.Add(*(w * sp.exp(-((x - m) ** 2) / (2 * s)) for w, m, s in components))
    return sp.diff(sp.log(density), x)


# --- shown: shapes ---------------------------------------------------------------------------


def test_a_one_by_one_matrix_is_its_entry() -> None:
    assert shown(sp.Matrix([[x**2 + 1]])) == "x**2 + 1"
    assert shown(sp.Matrix([[sp.Rational(6, 5) - 2 * x / 5]])) == "6/5 - 2*x/5"  # shape only
    assert shown_latex(sp.Matrix([[x + 1]])) == sp.latex(x + 1)


def test_a_column_is_a_tuple_or_matrix_read_back() -> None:
    column = sp.Matrix([x + 1, 2 * y])
    assert shown(column) == "(x + 1, 2*y)"
    text = shown(column, readable_back=True)
    assert text == "Matrix([x + 1, 2*y])"
    back = sp.sympify(text, locals={"x": x, "y": y})
    assert isinstance(back, sp.MatrixBase) and back == column
    assert shown_latex(column) == r"\left(x + 1, 2 y\right)"


def test_other_shapes_and_scalars_are_printed_as_sympy_does() -> None:
    names = {"x": x, "y": y}
    for matrix in (sp.Matrix([[1, x], [y, 2]]), sp.Matrix([[x, y]])):
        text = shown(matrix)
        assert text.startswith("Matrix(["), text
        assert sp.sympify(text, locals=names) == matrix
    assert shown(x**2 / 3) == str(x**2 / 3)
    assert shown(sp.Integer(7)) == "7"


# --- shown: root objects in a variable of their own ------------------------------------------

ROOT = sp.CRootOf(746 * x**3 - 3 * x + 1, 0) / 2


def root_text_variable(text: str) -> str:
    match = re.search(r"CRootOf\((.*), \d+\)", text)
    assert match, text
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", match.group(1)))
    assert len(names) == 1, text
    return names.pop()


@pytest.mark.parametrize(
    ("taken", "expected"),
    [(["x"], "z"), (["x", "z"], "r"), (["x", "z", "r", "s"], "w"), ([], "z")],
)
def test_a_root_object_is_printed_in_its_own_variable(taken: list[str], expected: str) -> None:
    text = shown(ROOT, taken)
    assert text == f"CRootOf(746*{expected}**3 - 3*{expected} + 1, 0)/2"
    latex = shown_latex(ROOT, taken)
    assert f"{expected}^{{3}}" in latex and "x" not in latex, latex


def test_a_root_object_with_every_short_name_taken() -> None:
    name = root_text_variable(shown(ROOT, ["x", "z", "r", "s", "w"]))
    assert name not in {"x", "z", "r", "s", "w"}


def test_the_printed_root_reads_back_to_the_same_number() -> None:
    """The text is a definition of the same root (the variable's name is immaterial)."""
    back = sp.sympify(shown(ROOT, ["x"]))
    assert back.has(sp.CRootOf)
    # both sides are isolated roots evaluated to 30 digits; 1e-25 leaves room for rounding
    assert abs(sp.N(back - ROOT, 30)) < 1e-25


def test_a_root_object_avoids_the_expressions_own_symbols() -> None:
    """``z`` is a free symbol of the expression itself: the root must not print in it."""
    e = sp.Symbol("z", real=True) + ROOT
    assert root_text_variable(shown(e, ["x"])) not in {"x", "z"}


def test_a_root_of_a_dummy_generator_does_not_print_like_the_users_variable() -> None:
    """SymPy's eigenvalue and solver code builds roots in a Dummy that prints as ``x``."""
    dummy = sp.Dummy("x")
    root = sp.CRootOf(sp.Poly(5 * dummy**3 - 18 * dummy**2 + 16 * dummy - 4, dummy), 0) / 2
    text = shown(root, ["x", "y", "z"])
    assert root_text_variable(text) not in {"x", "y", "z"}, text
    assert "x" not in shown_latex(root, ["x", "y", "z"])


def test_a_squared_root_in_latex_keeps_its_power() -> None:
    latex = shown_latex(ROOT**2, ["x", "z"])
    assert r"\operatorname{CRootOf}" in latex and "^{2}" in latex and "r^{3}" in latex, latex


# --- readable: rational functions --------------------------------------------------------------


def test_a_gaussian_score_is_factored() -> None:
    e = sp.Rational(6, 5) - 2 * x / 5
    r = readable(e)
    assert str(r) == "-2*(x - 3)/5"
    assert sp.simplify(r - e) == 0


@pytest.mark.parametrize(
    "e",
    [
        x - t * (x - 3) / (sp.Rational(5, 2) + t),  # the map of N(3, 5/2)
        (x**2 - 1) / (x + 1),
        -(2 * x + y) / 3 + y / 6,
        x / (x**2 + 1) + 1 / (x - 2),
    ],
    ids=["gaussian-map", "cancels", "2-d", "already-short"],
)
def test_a_rational_function_keeps_its_value(e: sp.Expr) -> None:
    r = readable(e)
    assert sp.simplify(r - e) == 0
    assert sp.count_ops(r) <= sp.count_ops(e)  # never made longer


def test_numbers_and_integrals_are_left_alone() -> None:
    assert readable(sp.Integer(3)) == 3
    assert readable(sp.pi / 2) == sp.pi / 2
    u = sp.Symbol("u", real=True)
    ratio = sp.Integral(u * sp.exp(-((x - u) ** 2) / (2 * t) - u**2), (u, -sp.oo, sp.oo)) / (
        sp.Integral(sp.exp(-((x - u) ** 2) / (2 * t) - u**2), (u, -sp.oo, sp.oo))
    )
    assert readable(ratio) == ratio
    assert readable(ratio + x - x * t) == ratio + x - x * t


def test_a_large_expression_is_shown_as_it_is() -> None:
    big = sp.Add(*(k * x**k / (k + 1) for k in range(1, 1400)))
    assert sp.count_ops(big) > DISPLAY_OPS  # the guard is exercised
    assert readable(big) is big


# --- readable: sums of exponentials ----------------------------------------------------------

TWO_BUMPS = [(1, 1, sp.Rational(1, 2)), (2, -3, sp.Integer(1))]  # exp(-(x-1)^2) + 2 exp(-(x+3)^2/2)


def test_the_detector_of_growing_exponentials_works() -> None:
    """The helper the next tests rely on sees exp(+...) factors (so those tests can fail)."""
    assert has_positive_exponential((x - 1) / (1 + sp.exp((x - 1) ** 2)))
    assert has_positive_exponential(sp.exp(4 * x) / (1 + sp.exp(4 * x)))
    assert has_positive_exponential(1 / (1 + sp.exp(x**2 / (1 - 4 * t))))  # t < 1/4
    assert not has_positive_exponential(sp.exp(-(x**2)) + sp.exp(-((x + 3) ** 2) / 2))


def test_a_mixture_score_is_grouped_per_component() -> None:
    score = mixture_score(TWO_BUMPS)
    r = readable(score)
    assert_same_value(r, score)
    assert not has_positive_exponential(r), r
    # one exponential per component, each with a factored coefficient
    assert r.atoms(sp.exp) == {sp.exp(-((x - 1) ** 2)), sp.exp(-((x + 3) ** 2) / 2)}, r
    text = str(r)
    assert "2*(x - 1)*exp(-(x - 1)**2)" in text and "2*(x + 3)*exp(-(x + 3)**2/2)" in text, text


def test_readable_does_not_change_a_mixture_score() -> None:
    """The wrong-variant check: a rewriting that dropped a component, a weight or a sign
    would fail here (the components differ in weight, mean and variance)."""
    score = mixture_score([(1, 0, sp.Integer(1)), (3, 2, sp.Rational(1, 3)), (2, -4, 2)])
    r = readable(score)
    assert_same_value(r, score)
    assert not has_positive_exponential(r), r
    # and the check itself tells a wrong score apart
    wrong = mixture_score([(1, 0, sp.Integer(1)), (2, 2, sp.Rational(1, 3)), (2, -4, 2)])
    with pytest.raises(AssertionError):
        assert_same_value(readable(wrong), score)


def mixture_map_shift() -> sp.Expr:
    """g_t(x) - x for the mixture exp(-(x-1)^2) + 2 exp(-(x+3)^2/2) = N(1, 1/2) + N(-3, 1)
    (unnormalised), written as ``-x + ratio``: Gaussians whose variances depend on ``t``."""
    components = [(1, 1, sp.Rational(1, 2)), (2, -3, sp.Integer(1))]
    gammas = [
        w * sp.exp(-((x - m) ** 2) / (2 * (s + t))) / sp.sqrt(s + t) for w, m, s in components
    ]
    means = [(s * x + t * m) / (s + t) for _, m, s in components]
    g = sp.Add(*(a * b for a, b in zip(gammas, means, strict=True))) / sp.Add(*gammas)
    return g - x


def test_a_mixture_map_with_the_time_keeps_its_value() -> None:
    e = mixture_map_shift()
    assert_same_value(readable(e), e)


def test_a_sum_of_fractions_of_exponentials_has_no_growing_factors() -> None:
    r = readable(mixture_map_shift())
    assert not has_positive_exponential(r), r


@pytest.mark.parametrize(
    "e",
    [
        sp.diff(sp.log(sp.exp(-x) / (1 + sp.exp(-x)) ** 2), x),  # logistic score
        sp.exp(x) * sp.exp(y) + x * sp.exp(x + y),
        (x * sp.exp(-(x**2)) + sp.exp(x)) / (1 + sp.exp(2 * x)),
        sp.sqrt(x**2 + 1) * sp.exp(-x) + sp.exp(-x),
        sp.exp(-x) / (2 + sp.exp(-x)) - 1 / (1 + 2 * sp.exp(x)),
        sp.diff(
            sp.log(sp.exp(-(x**2 + x * y + y**2)) + 2 * sp.exp(-((x - 1) ** 2 + (y + 1) ** 2) / 2)),
            y,
        ),
        sp.Heaviside(x) * sp.exp(-x) + x * sp.exp(-x),
    ],
    ids=["logistic", "products", "mixed", "sqrt", "cancelling", "2-d-mixture", "heaviside"],
)
def test_readable_keeps_the_value_of_exponential_expressions(e: sp.Expr) -> None:
    assert_same_value(readable(e), e)


@settings(max_examples=20)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 9),
            st.integers(-6, 6),
            st.fractions(min_value=sp.Rational(1, 4), max_value=4, max_denominator=4),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda c: c[1],
    )
)
def test_random_mixture_scores_keep_their_value(components: list) -> None:
    comps = [(w, m, sp.Rational(s.numerator, s.denominator)) for w, m, s in components]
    score = mixture_score(comps)
    r = readable(score)
    assert_same_value(r, score)
    assert not has_positive_exponential(r), r


# --- support_part ------------------------------------------------------------------------------


def test_support_part_sets_heaviside_to_one_and_diracdelta_to_zero() -> None:
    score = sp.diff(sp.log(sp.exp(-x) * sp.Heaviside(x)), x)
    assert score.has(sp.DiracDelta)  # the score of a density with a jump, as SymPy writes it
    assert sp.simplify(support_part(score)) == -1
    assert support_part(sp.Heaviside(x) * sp.exp(-x) + sp.DiracDelta(x)) == sp.exp(-x)
    assert support_part(sp.Heaviside(x - 1) * sp.Heaviside(y) * x * y) == x * y
    assert support_part(3 * sp.DiracDelta(x, 1) + y) == y


def test_support_part_leaves_expressions_without_jumps() -> None:
    e = -2 * (x - 3) / 5 + sp.exp(-(x**2))
    assert support_part(e) == e
