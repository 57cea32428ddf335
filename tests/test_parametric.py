"""The parametric mixture family: compiled derived formulas evaluated at a mixture's numbers
agree with the same formulas built for that mixture directly."""

import numpy as np
import pytest
import sympy as sp
from tolerances import FLOAT64_MANY_OPS

from symtransport import ContinuousDAE, Gaussian, GaussianMixture, InvalidArgument, ShallowDAE
from symtransport._core.codegen import compile_map
from symtransport._random.parametric import MixtureFamily, mixture_family, shallow_jacobian

MIXTURE = GaussianMixture(
    [0.3, 0.7],
    [Gaussian([0, 1], [[2, 0.5], [0.5, 1]]), Gaussian([-1, 0.5], [[1, -0.3], [-0.3, 3]])],
)
POINTS = np.array([[0.1, -0.2], [2.0, 1.5], [-3.0, 0.7]])


def test_velocity_matches_the_direct_derivation():
    fam = mixture_family(2, 2)
    direct = ContinuousDAE(MIXTURE)
    expected = compile_map(direct.velocity(), list(direct.variables), [direct.t])(POINTS, 0.2)
    found = fam.compile(fam.flow.velocity())(POINTS, 0.2, *fam.values(MIXTURE))
    np.testing.assert_allclose(found, expected, rtol=FLOAT64_MANY_OPS, atol=FLOAT64_MANY_OPS)


def test_shallow_jacobian_matches_the_direct_derivation():
    fam = mixture_family(2, 2)
    direct = ShallowDAE(MIXTURE)
    expected = compile_map(list(direct.jacobian()), list(direct.variables), [direct.t])
    found = fam.compiled(shallow_jacobian)(POINTS, 0.7, *fam.values(MIXTURE))
    np.testing.assert_allclose(
        found, expected(POINTS, 0.7), rtol=FLOAT64_MANY_OPS, atol=FLOAT64_MANY_OPS
    )


def test_a_gaussian_is_a_one_component_family():
    gaussian = Gaussian([1], [[4]])
    fam = mixture_family(1, 1)
    a, m, L = fam.values(gaussian)
    assert a.tolist() == [1.0] and m.tolist() == [[1.0]] and L.tolist() == [[2.0]]


def test_compiled_maps_are_cached_per_builder():
    fam = mixture_family(1, 2)
    assert fam.compiled(shallow_jacobian) is fam.compiled(shallow_jacobian)
    assert mixture_family(1, 2) is fam


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_shapes_are_refused(bad):
    with pytest.raises(InvalidArgument):
        MixtureFamily(bad, 1)
    with pytest.raises(InvalidArgument):
        MixtureFamily(1, bad)


def test_values_checks_the_shape_and_numbers():
    fam = mixture_family(2, 2)
    with pytest.raises(InvalidArgument, match="K = 2"):
        fam.values(GaussianMixture([1], [Gaussian([0, 0], [[1, 0], [0, 1]])]))
    s = sp.Symbol("s", positive=True)
    with pytest.raises(InvalidArgument, match="symbols"):
        mixture_family(1, 1).values(Gaussian([0], [[s]]))
    with pytest.raises(InvalidArgument, match="expected a Gaussian"):
        fam.values("0.3 N(0, 1)")
