"""The functionals module: first variation, Otto gradient, entropies, Fisher information."""

import pytest
import sympy as sp

from symtransport._core.calculus import laplacian
from symtransport._theory.functionals import (
    LocalFunctional,
    U,
    fisher_information,
    renyi,
    shannon_entropy,
    tsallis,
)
from symtransport.errors import InvalidArgument
from symtransport.symbols import x, y

a = sp.Symbol("a", positive=True)


def test_first_variation_of_shannon_entropy_is_minus_log_minus_one():
    mu = sp.Function("mu")(x)
    assert sp.simplify(shannon_entropy().first_variation(mu, [x]) - (-sp.log(mu) - 1)) == 0


def test_otto_gradient_of_shannon_entropy_is_the_laplacian():
    mu = sp.Function("mu")(x, y)
    grad = shannon_entropy().wasserstein_gradient(mu, [x, y])
    assert sp.simplify(grad - laplacian(mu, [x, y])) == 0


def test_tsallis_gradient_is_laplacian_of_the_power_and_renyi_its_negative():
    mu = sp.Function("mu")(x)
    target = laplacian(mu**a, [x])
    assert sp.simplify(tsallis(a).wasserstein_gradient(mu, [x]) - target) == 0
    assert sp.simplify(renyi(a).wasserstein_gradient(mu, [x]) + target) == 0


def test_tsallis_tends_to_shannon_as_alpha_tends_to_one():
    limit = sp.limit(tsallis(a).integrand, a, 1)
    assert sp.simplify(limit - shannon_entropy().integrand) == 0


def test_entropy_and_fisher_information_of_a_standard_normal():
    # references: H = log(2 pi e)/2 and I = 1/variance, textbook values
    pdf = sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
    entropy = shannon_entropy().value(pdf, [x])
    assert isinstance(entropy, sp.Integral)
    assert sp.simplify(entropy.doit() - sp.log(2 * sp.pi * sp.E) / 2) == 0
    assert sp.simplify(fisher_information(pdf, [x]).doit() - 1) == 0


def test_value_is_over_the_whole_space():
    mu = sp.Function("mu")(x, y)
    value = shannon_entropy().value(mu, [x, y])
    assert value.limits == ((x, -sp.oo, sp.oo), (y, -sp.oo, sp.oo))


@pytest.mark.parametrize("alpha", [1, sp.Integer(1), 0, -2, "2", True])
def test_bad_exponents_are_refused(alpha):
    with pytest.raises(InvalidArgument):
        tsallis(alpha)
    with pytest.raises(InvalidArgument):
        renyi(alpha)


def test_alpha_one_message_points_to_shannon():
    with pytest.raises(InvalidArgument, match="shannon_entropy"):
        renyi(1)


@pytest.mark.parametrize("integrand", ["u*log(u)", sp.Integer(3), sp.Function("mu")(x) * U])
def test_bad_integrands_are_refused(integrand):
    with pytest.raises(InvalidArgument):
        LocalFunctional("bad", integrand)


def test_bad_densities_and_coordinates_are_refused():
    h = shannon_entropy()
    mu = sp.Function("mu")(x)
    with pytest.raises(InvalidArgument):
        h.value("mu(x)", [x])
    with pytest.raises(InvalidArgument):
        h.value(sp.Integer(2), [x])  # no dependence on x
    with pytest.raises(InvalidArgument):
        h.value(mu * U, [x])  # the placeholder is reserved
    with pytest.raises(InvalidArgument):
        h.first_variation(mu, x)  # a symbol, not a sequence
    with pytest.raises(InvalidArgument):
        h.wasserstein_gradient(mu, [])
    with pytest.raises(InvalidArgument):
        fisher_information(mu, [x, x])
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError
        fisher_information(mu, ["x"])
