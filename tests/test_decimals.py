"""Decimals are decimals: floats typed by a person are the decimals they wrote, at every public
boundary, and no refutation rests on binary rounding (symtransport._core.decimals)."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from symtransport import (
    Density,
    Derivation,
    Gaussian,
    GaussianMixture,
    ShallowDAE,
    Status,
    compile_map,
    noise_model,
    parse_expression,
    verify_identity,
)
from symtransport._cli.derive import derive_dae, parse_matrix
from symtransport._core.decimals import exact_scalar, read_float, shortest_decimal

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
R = sp.Rational


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_shortest_decimal_of_a_double_is_its_repr(value):
    assert sp.Rational(shortest_decimal(value)) == sp.Rational(repr(value))


@pytest.mark.parametrize(
    ("value", "exact"),
    [
        (0.1, R(1, 10)),
        (2.5e-3, R(1, 400)),
        (-1e-300, -R(1, 10**300)),
        (np.float64(0.7), R(7, 10)),
        (np.float32(0.1), R(1, 10)),  # the shortest decimal at float32's own precision
        (sp.Float("0.1", 30), R(1, 10)),
        (sp.Float(0.1), R(1, 10)),
    ],
)
def test_typed_floats_are_the_decimals_written(value, exact):
    assert exact_scalar(value, "v") == exact


def test_computed_floats_are_told_from_typed_ones_by_their_digits():
    assert read_float(sp.Float(0.3))[1] is None
    summed, rounded = read_float(sp.Float(0.1) + sp.Float(0.2))  # 0.30000000000000004
    assert summed == R(30000000000000004, 10**17)
    assert rounded is not None and rounded.precision == 53
    assert rounded.relative_error == 2.0**-53
    third = read_float(sp.Float(1, 30) / 3)[1]
    assert third is not None and third.precision == sp.Float(1, 30)._prec


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (0.1 * x + 0.2 * x, 0.3 * x),  # SymPy adds the doubles: 0.30000000000000004 x
        (x * sp.Float(1.0) / 3, x / 3),
        (sp.exp(-(x**2) * sp.Float(1.0) / 3), sp.exp(-(x**2) / 3)),
        (sp.Matrix([0.1 * x + 0.2 * x, 0.5]), sp.Matrix([0.3 * x, R(1, 2)])),
    ],
)
def test_rounding_of_computed_floats_is_never_a_counterexample(lhs, rhs):
    r = verify_identity(lhs, rhs)
    assert r.status in (Status.PROVED, Status.VERIFIED), r.explanation
    if r.status == Status.VERIFIED:
        assert "rounding" in r.explanation


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (0.1 * x, 0.1001 * x),  # a false decimal statement
        (x + sp.Integer(10) ** -20, x),  # an exact perturbation far below double precision
        (0.1 * x + 1e-20, 0.1 * x),  # typed decimals are exact: 1e-20 is no rounding
        (x * sp.Float(1.0) / 3, x / 3 + x * R(1, 10**10)),  # far above what 0.333... carries
        (sp.Matrix([0.1 * x + 0.2 * x, 0.5]), sp.Matrix([0.3 * x, R(1, 2) + R(1, 10**12)])),
    ],
)
def test_genuinely_false_decimal_statements_are_refuted(lhs, rhs):
    r = verify_identity(lhs, rhs)
    assert r.status == Status.REFUTED, r.explanation


@pytest.mark.parametrize(
    ("as_float", "as_rational"),
    [
        ((0.5 * x, x / 2), (R(1, 2) * x, x / 2)),
        ((sp.exp(-0.25 * x**2), sp.exp(-(x**2) / 4)), (sp.exp(-R(1, 4) * x**2),) * 2),
        ((0.1 * x, 0.1001 * x), (x / 10, R(1001, 10000) * x)),
        ((x + 0.5, x), (x + R(1, 2), x)),
    ],
)
def test_float_and_rational_spellings_get_the_same_verdict(as_float, as_rational):
    assert verify_identity(*as_float).status == verify_identity(*as_rational).status


def test_gaussian_and_mixture_read_floats_as_decimals():
    assert Gaussian(0.1, 0.2) == Gaussian(R(1, 10), R(1, 5))
    assert Gaussian([0.1, 0], [[2, 0.5], [0.5, 1]]) == Gaussian(
        [R(1, 10), 0], [[2, R(1, 2)], [R(1, 2), 1]]
    )
    floats = GaussianMixture([0.1, 0.2, 0.7], [Gaussian(0, 1), Gaussian(1, 0.5), Gaussian(2, 1)])
    exact = GaussianMixture(
        [R(1, 10), R(1, 5), R(7, 10)], [Gaussian(0, 1), Gaussian(1, R(1, 2)), Gaussian(2, 1)]
    )
    assert floats == exact


def test_density_reads_floats_as_decimals():
    typed = Density(0.5 * sp.exp(-0.5 * x**2), [x])
    exact = Density(R(1, 2) * sp.exp(-(x**2) / 2), [x])
    assert typed.expr == exact.expr and typed.exact_normalisation


def test_the_float_noise_covariance_gives_the_rational_verdict():
    data = Gaussian([0, 0], [[1, 0], [0, 1]])
    floats = ShallowDAE(data, noise_model("gaussian", [[2, 0.5], [0.5, 1]]))
    exact = ShallowDAE(data, noise_model("gaussian", [[2, R(1, 2)], [R(1, 2), 1]]))
    assert floats.noise == exact.noise
    assert floats.derivation().verify().status == exact.derivation().verify().status
    assert floats.derivation().verify().status == Status.PROVED


def test_the_command_line_matrix_reads_decimals():
    assert parse_matrix("[[2, 0.5], [0.5, 1]]") == sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]])
    density = "exp(-x**2/2 - y**2/2)"
    floats = derive_dae(density, ["x", "y"], noise_cov=parse_matrix("[[2,0.5],[0.5,1]]"))
    exact = derive_dae(density, ["x", "y"], noise_cov=sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]]))
    assert floats["derivation"] == exact["derivation"]
    assert floats["status"] == exact["status"] == "proved"


def test_derivation_steps_with_floats():
    floats = Derivation(0.5 * x + 0.25 * x).step(0.75 * x, "add").verify()
    exact = Derivation(x / 2 + x / 4).step(3 * x / 4, "add").verify()
    assert floats.status == exact.status == Status.PROVED
    wrong = Derivation(0.5 * x).step(0.5001 * x, "a typo").verify()
    assert wrong.status == Status.REFUTED


def test_parse_expression_and_compile_map_read_decimals():
    assert parse_expression("0.1*x", [x]) == parse_expression("x/10", [x])
    f_float, f_exact = compile_map([0.1 * x + y], [x, y]), compile_map([x / 10 + y], [x, y])
    points = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_array_equal(f_float(points), f_exact(points))


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_the_shortest_decimal_at_another_precision_reads_back(value):
    assume(value != 0)  # SymPy keeps 0 as an exact zero
    f = sp.Float(value, 30) / 7  # a 30-digit Float
    text = shortest_decimal(f)
    assert sp.Float(text, 30) == f
    assert len(text.lower().split("e")[0].lstrip("-").replace(".", "").strip("0")) <= 33


def test_a_power_of_two_has_its_shortest_decimal_above_it():
    # 2**-24: the 16-digit decimal below it does not read back, the one above does
    assert shortest_decimal(2.0**-24) == repr(2.0**-24) == "5.960464477539063e-08"
    assert shortest_decimal(sp.Float(2.0**-24, precision=60)) == "5.9604644775390625E-8"
