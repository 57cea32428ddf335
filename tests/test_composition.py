"""symtransport._theory.composition: API, errors, and accuracy against independent references."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from tolerances import FLOAT64_MANY_OPS, MP30_RESULT

from symtransport._theory.composition import (
    GaussianComposition,
    MixtureComposition,
    exact_composition_1d,
    gaussian_step,
    iterate_variance,
    step_size,
    variance_step,
)
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.instances import fixed_mixture, mixture_46
from symtransport.errors import IllPosedError, InvalidArgument

R = sp.Rational


def reference_variance(v0, total, steps):
    """The recursion v -> v^3/(v + dt)^2, typed here independently, in 40-digit mpmath."""
    with mpmath.workdps(40):
        v, dt = mpmath.mpf(v0), mpmath.mpf(total) / steps
        for _ in range(steps):
            v = v * (v / (v + dt)) ** 2
        return v


def test_step_size_is_exact_and_validated():
    assert step_size(R(2, 5), 4) == R(1, 10)
    assert step_size(0.4, 4) == R(1, 10)
    for bad in (0, -1, R(-1, 2)):
        with pytest.raises(InvalidArgument):
            step_size(bad, 3)
    for steps in (0, -2, 1.5, True):
        with pytest.raises(InvalidArgument):
            step_size(1, steps)


def test_variance_step_is_the_derived_recursion():
    v, dt, expr = variance_step()
    assert sp.simplify(expr - v * (v / (v + dt)) ** 2) == 0


@pytest.mark.parametrize(("v0", "total", "steps"), [(1, R(2, 5), 400), (R(7, 3), R(1, 2), 37)])
def test_iterate_variance_matches_an_independent_mpmath_recursion(v0, total, steps):
    got = iterate_variance(v0, total, steps, dps=30)[-1]
    assert abs(got - reference_variance(v0, total, steps)) < MP30_RESULT


def test_interval_iteration_encloses_the_value_and_stays_narrow():
    box = iterate_variance(R(1, 20), R(1, 4000), 64, interval=True)[-1]
    point = reference_variance(R(1, 20), R(1, 4000), 64)
    assert box.a <= point <= box.b
    assert box.delta.b < MP30_RESULT  # endpoint propagation: no dependency blow-up


def test_iterate_variance_refuses_irrational_input():
    with pytest.raises(InvalidArgument):
        iterate_variance(sp.sqrt(2), 1, 2)


def test_gaussian_step_is_34():
    g = Gaussian([1, 2], [[2, R(1, 2)], [R(1, 2), 1]])
    a, b = gaussian_step(g, R(1, 3))
    expected = (sp.eye(2) + R(1, 3) * g.cov.inv()).inv()
    assert sp.simplify(a - expected) == sp.zeros(2)
    assert sp.simplify(a * g.mean + b - g.mean) == sp.zeros(2, 1)  # the mean is fixed
    with pytest.raises(InvalidArgument):
        gaussian_step(fixed_mixture(1), 1)
    with pytest.raises(InvalidArgument):
        gaussian_step(g, 0)


def test_exact_stages_agree_with_the_numeric_covariance():
    g = Gaussian([0, 0], [[2, R(1, 2)], [R(1, 2), 1]])
    comp = GaussianComposition(g, R(1, 4), 3)
    exact = comp.stages()[-1].cov
    numeric = comp.numeric_covariance(dps=30)
    with mpmath.workdps(40):
        for i in range(2):
            for j in range(2):
                assert abs(mpmath.mpf(sp.N(exact[i, j], 40)) - numeric[i, j]) < MP30_RESULT


def test_composed_map_is_the_product_of_the_steps():
    g = Gaussian([R(1, 2)], [[R(3, 2)]])
    comp = GaussianComposition(g, R(1, 2), 2)
    x = sp.Symbol("x", real=True)
    image = comp.map([x])[0]
    one = GaussianComposition(g, R(1, 4), 1)
    stage = one.stages()[-1]
    second = GaussianComposition(stage, R(1, 4), 1).map([x])[0]
    assert sp.simplify(image - second.subs(x, one.map([x])[0])) == 0


def test_gaussian_composition_validates():
    with pytest.raises(InvalidArgument):
        GaussianComposition(fixed_mixture(1), 1, 2)
    with pytest.raises(InvalidArgument):
        GaussianComposition(Gaussian(0, 1), -1, 2)
    with pytest.raises(InvalidArgument):
        GaussianComposition(Gaussian(0, 1), 1, 0)
    with pytest.raises(InvalidArgument):  # not SPD: rejected by the Gaussian itself
        GaussianComposition(Gaussian([0, 0], [[1, 2], [2, 1]]), 1, 2)


def test_mixture_composition_of_one_component_is_the_gaussian_composition():
    g = Gaussian([R(1, 2), 0], [[2, R(1, 2)], [R(1, 2), 1]])
    mix = GaussianMixture([1], [g])
    x0 = np.array([[0.3, -1.0], [2.0, 0.5], [-1.5, 1.5]])
    got = MixtureComposition(mix, R(3, 10), 6).particles(x0)
    a, b = GaussianComposition(g, R(3, 10), 6).affine_map()
    a, b = np.array(a.tolist(), dtype=float), np.array(b.tolist(), dtype=float)[:, 0]
    np.testing.assert_allclose(got, x0 @ a.T + b, atol=FLOAT64_MANY_OPS)


def test_mixture_composition_stage_covariances_follow_the_recursion():
    stages = MixtureComposition(mixture_46(), R(1, 4), 5).stages()
    final = float(reference_variance(1, R(1, 4), 5))
    for cov in stages[-1]:
        np.testing.assert_allclose(cov, final * np.eye(2), atol=FLOAT64_MANY_OPS)
    assert len(stages) == 6


def test_mixture_composition_validates():
    with pytest.raises(InvalidArgument):
        MixtureComposition(Gaussian(0, 1), 1, 2)
    with pytest.raises(InvalidArgument):
        MixtureComposition(mixture_46(), 1, 2).particles(np.zeros((3, 3)))


def test_exact_composition_of_a_gaussian_is_the_affine_map():
    nodes = np.linspace(-9, 9, 1201)
    g = Gaussian(0, 1)
    got = exact_composition_1d(g, R(3, 10), 10, nodes)
    scale = float(mpmath.sqrt(reference_variance(1, R(3, 10), 10)))
    bulk = np.abs(nodes) <= 5
    # quadrature of a Gaussian kernel on a fine uniform grid: spectrally accurate
    np.testing.assert_allclose(got[bulk], scale * nodes[bulk], atol=1e-9)


def test_exact_composition_one_step_is_the_shallow_map_of_a_mixture():
    mix = fixed_mixture(1)
    nodes = np.linspace(-9, 9, 1201)
    got = exact_composition_1d(mix, R(3, 20), 1, nodes)
    one = MixtureComposition(mix, R(3, 20), 1).particles(nodes[:, None])[:, 0]
    bulk = np.abs(nodes) <= 5  # nodes near the grid's ends feel its truncation
    np.testing.assert_allclose(got[bulk], one[bulk], atol=1e-9)


@pytest.mark.slow
def test_exact_composition_refuses_an_unstable_run():
    # 40 steps of a Gaussian: perturbations grow by ~1e9 (measured), past MAX_AMPLIFICATION
    nodes = np.linspace(-9, 9, 901)
    with pytest.raises(IllPosedError, match="amplifies"):
        exact_composition_1d(Gaussian(0, 1), R(3, 10), 40, nodes)


def test_exact_composition_validates():
    nodes = np.linspace(-9, 9, 1201)
    with pytest.raises(InvalidArgument, match="spacing"):
        exact_composition_1d(Gaussian(0, 1), R(3, 10), 10, np.linspace(-9, 9, 31))
    with pytest.raises(InvalidArgument, match="mass"):
        exact_composition_1d(Gaussian(0, 1), R(3, 10), 10, np.linspace(-2, 2, 801))
    with pytest.raises(InvalidArgument):
        exact_composition_1d(mixture_46(), R(3, 10), 10, nodes)
