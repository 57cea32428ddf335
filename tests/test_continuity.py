"""Change of variables, area factor and continuity residual (symtransport._theory.continuity)."""

from __future__ import annotations

import pytest
import sympy as sp

from symtransport import Gaussian, InvalidArgument
from symtransport._theory.continuity import (
    area_factor,
    continuity_residual,
    eulerian_velocity,
    image_density,
    pushforward_density,
)
from symtransport.symbols import t

x, y, u = sp.symbols("x y u", real=True)


def test_area_factor_square_is_abs_det():
    jac = sp.Matrix([[2, 1], [0, -3]])
    assert area_factor(jac) == 6


def test_area_factor_of_a_curve_is_the_speed():
    jac = sp.Matrix([1, 2 * x])  # g(x) = (x, x^2)
    assert sp.simplify(area_factor(jac) - sp.sqrt(1 + 4 * x**2)) == 0


def test_area_factor_refuses_m_greater_than_n():
    with pytest.raises(InvalidArgument, match="m <= n"):
        area_factor(sp.Matrix([[1, 2, 3]]))


def test_pushforward_of_a_scaling():
    # g(x) = 2x + 1 pushes N(0, 1) to N(1, 4)
    pushed = pushforward_density(Gaussian(0, 1).pdf, sp.Matrix([(u - 1) / 2]), [u])
    assert sp.simplify(pushed - Gaussian(1, 4).pdf([u])) == 0


def test_pushforward_needs_a_column_inverse():
    with pytest.raises(InvalidArgument, match="column"):
        pushforward_density(Gaussian(0, 1).pdf, sp.Matrix([[u, u]]), [u])


def test_image_density_of_a_line_embedding():
    # x -> (3x, 4x)/5 * 2 stretches lengths by 2: the density on the line halves
    jac = sp.Matrix([sp.Rational(6, 5), sp.Rational(8, 5)])
    dens = image_density(Gaussian(0, 1).pdf, jac, [x])
    assert sp.simplify(dens - Gaussian(0, 1).pdf([x]) / 2) == 0


def test_continuity_residual_vanishes_only_for_the_right_velocity():
    # translation x -> x + t of N(0, 1)
    phi, inverse = sp.Matrix([x + t]), sp.Matrix([u - t])
    mu = pushforward_density(Gaussian(0, 1).pdf, inverse, [u], flow=True)
    v = eulerian_velocity(phi, inverse, [x], [u], t)
    assert sp.simplify(continuity_residual(mu, v, [u], t)) == 0
    assert sp.simplify(continuity_residual(mu, -v, [u], t)) != 0
