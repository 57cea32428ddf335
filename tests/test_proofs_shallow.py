"""Every shallow-DAE claim has a wrong variant that the same machinery refutes."""

import pytest
import sympy as sp
from proof_helpers import proof, refuted

from symtransport import Status
from symtransport._core.calculus import divergence, gradient
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.instances import (
    fixed_gaussian,
    fixed_mixture,
    mixture_46,
    symbolic_mixture,
)
from symtransport._theory.noise import noise_model

pytestmark = pytest.mark.slow


def test_posterior_mean_with_mirrored_noise_is_not_the_minimiser():
    p = proof("dae_posterior_mean")
    wrong = sp.Add(*(wi * ai * p.nu(p.x + ai) for wi, ai in zip(p.w, p.a, strict=True))) / sp.Add(
        *(wi * p.nu(p.x + ai) for wi, ai in zip(p.w, p.a, strict=True))
    )
    first_variation = sp.diff(p.pointwise_loss(p.g), p.g).subs(p.g, wrong)
    assert refuted(first_variation, 0, functions={"nu": "positive"})


def test_tweedie_with_twice_the_variance_is_refuted():
    dae = ShallowDAE(fixed_mixture(1))
    (x,) = dae.variables
    wrong = x + 2 * dae.t * sp.diff(sp.log(dae.evidence()), x)
    assert refuted(dae.map()[0], wrong)


def test_anisotropic_tweedie_without_c_is_refuted():
    cov = proof("dae_tweedie").ANISOTROPIC[2]
    dae = ShallowDAE(fixed_gaussian(2), noise_model("gaussian", cov))
    xs = dae.variables
    wrong = sp.Matrix(xs) + dae.t * gradient(sp.log(dae.evidence()), xs)
    assert refuted(dae.map(), wrong)


def test_initial_velocity_twice_the_score_is_refuted():
    p = proof("dae_velocity")
    dae = ShallowDAE(fixed_mixture(1))
    assert refuted(p.initial_velocity(dae), 2 * dae.velocity_at_zero())


def test_bhe_with_half_laplacian_is_refuted():
    p = proof("dae_velocity")
    dae = ShallowDAE(fixed_gaussian(2))
    xs = dae.variables
    half = -divergence(gradient(dae.density.pdf(xs), xs), xs) / 2
    assert refuted(p.density_rate_at_zero(dae), half)


def test_printed_gaussian_forms_with_edits_are_refuted():
    p = proof("shallow_closed_forms")
    from symtransport._theory.densities import Gaussian
    from symtransport.symbols import m, s2, t

    dae = ShallowDAE(Gaussian(m, s2))
    (x,) = dae.variables
    assert refuted(dae.map()[0], t / (s2 + t) * x + s2 / (s2 + t) * m)
    _, cov = p.derived_pushforward(dae)
    assert refuted(cov[0, 0], s2 / (1 + t / s2))
    g = fixed_gaussian(3)
    _, cov3 = p.derived_pushforward(ShallowDAE(g))
    assert refuted(cov3, g.cov * (sp.eye(3) + t * g.cov.inv()).inv())


@pytest.mark.parametrize(
    ("mixture", "scope"),
    [(fixed_mixture(1), "instances"), (symbolic_mixture(), "family")],  # every 2-mixture on R
)
def test_mixture_map_with_unsmoothed_responsibilities_is_refuted(mixture, scope):
    p = proof("shallow_closed_forms")
    dae = ShallowDAE(mixture)
    (x,) = dae.variables
    components = mixture.components
    raw = [w * c.pdf([x]) for w, c in zip(mixture.weights, components, strict=True)]
    wrong = sp.Add(
        *(
            r / sp.Add(*raw) * p.printed_34(c, sp.Matrix([x]))[0]
            for r, c in zip(raw, components, strict=True)
        )
    )
    assert refuted(dae.map()[0], wrong, scope=scope)


def test_large_t_limit_with_unweighted_mean_is_refuted():
    p = proof("shallow_errata")
    dae = ShallowDAE(mixture_46())
    unweighted = sp.Add(*(c.mean for c in dae.density.components)) / 2
    assert refuted(p.large_t_limit(dae), unweighted)


def test_noise_sign_with_wrong_variance_is_refuted():
    dae = ShallowDAE(fixed_gaussian(1), noise_model("laplace"))
    wrong = -dae.posterior_noise_mean_integral().subs(dae.t, 2 * dae.t)
    assert refuted(dae.displacement(), wrong)


def test_brenier_jacobian_over_2t_is_refuted():
    dae = ShallowDAE(fixed_gaussian(1))
    assert refuted(dae.jacobian(), dae.posterior_covariance_integral() / (2 * dae.t))


def test_pushforward_approximation_is_not_exact():
    p = proof("shallow_pushforward")
    # the measurement is honest: (39) has a visible error at t = 1 on (45)
    error = p.l1_errors(p.paper_mixtures()["(45)"], [1.0])[1.0]
    assert error > 0.1
    assert p.measure(error, p.BOUND, "<").status == Status.REFUTED
