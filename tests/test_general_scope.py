"""The paper's general theorems are checked in general: a wrong variant that vanishes on every
Gaussian (a term built from third derivatives of ``log mu_0`` or of ``log(nu_t * mu_0)``) is
refuted with each claim's own settings, where a check on Gaussians would call it proved."""

import sympy as sp
from proof_helpers import proof

from symtransport import CheckContext, Status, verify_identity
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.densities import Gaussian
from symtransport._theory.instances import generic_density
from symtransport.symbols import t, x

CTX = CheckContext()  # the default run's settings


def gaussian_blind(xs, density):
    """``sum_i d_i^3 log(density)``: zero for every Gaussian, non-zero for any other density."""
    return sp.Add(*(sp.diff(sp.log(density), xi, 3) for xi in xs))


def test_the_blind_term_vanishes_on_a_gaussian_and_not_on_a_generic_density():
    m, v = sp.Symbol("m", real=True), sp.Symbol("v", positive=True)
    assert sp.simplify(gaussian_blind([x], Gaussian(m, v).pdf([x]))) == 0
    assert gaussian_blind([x], generic_density(1).pdf([x])) != 0


def test_posterior_mean_with_a_gaussian_blind_term_is_refuted():
    pm = proof("dae_posterior_mean")
    lhs, rhs = pm.change_of_variables(pm.generic_dae())
    evidence = pm.moment(0)  # nu * mu for generic nu, mu: Gaussian when both are
    wrong = rhs + sp.Matrix([t**2 * sp.diff(sp.log(evidence), x, 3)])
    r = verify_identity(lhs, wrong, seed=CTX.seed)
    assert r.status == Status.REFUTED and "mu" in r.counterexample


def test_tweedie_with_a_gaussian_blind_term_is_refuted():
    # 1-D: in 2-D the same refutation needs a minute of two-variable closed forms
    dae = ShallowDAE(generic_density(1))
    blind = gaussian_blind(dae.variables, dae.evidence_integral())
    wrong = dae.tweedie()[0] + t**2 * blind
    r = verify_identity(dae.posterior_mean_integral()[0], wrong, seed=CTX.seed)
    assert r.status == Status.REFUTED


def test_initial_velocity_with_a_gaussian_blind_term_is_refuted():
    velocity = proof("dae_velocity")

    def wrong(xs, mu0):
        return velocity.score(xs, mu0) + sp.Matrix([gaussian_blind(xs, mu0)])

    assert velocity.generic_velocity(CTX).status == Status.VERIFIED
    assert velocity.generic_velocity(CTX, wrong).status == Status.REFUTED


def test_backward_heat_equation_with_a_gaussian_blind_term_is_refuted():
    # the example: mu_0 * sum_i d_i^3 log mu_0 added to the right side of (18)
    velocity = proof("dae_velocity")

    def wrong(xs, mu0):
        return velocity.heat(xs, mu0) + mu0 * gaussian_blind(xs, mu0)

    statuses = [c.status for c in velocity.generic_heat(CTX, wrong)]
    assert Status.REFUTED in statuses


def test_any_velocity_lemma_with_a_wrong_flux_is_refuted():
    velocity = proof("dae_velocity")
    rate, flux, families = velocity.any_velocity_lemma(1)
    s = sp.Function("s1")(x, 0)
    assert verify_identity(rate, flux - s * sp.diff(s, x), functions=families).status == (
        Status.REFUTED
    )


def test_brenier_jacobian_with_a_gaussian_blind_term_is_refuted():
    brenier = proof("shallow_brenier")
    dae = ShallowDAE(generic_density(1))
    jac = brenier.jacobian_of_14(dae)
    blind = gaussian_blind(dae.variables, dae.evidence_integral())
    right = dae.posterior_covariance_integral() / dae.t
    assert verify_identity(jac, right, seed=CTX.seed).status == Status.PROVED
    assert verify_identity(jac, right + t * sp.Matrix([[blind]]), seed=CTX.seed).status == (
        Status.REFUTED
    )


def blind_density_term(xs, density):
    """``density * sum_i d_i^3 log(density)``: zero for every Gaussian."""
    return density * gaussian_blind(xs, density)


def test_score_flux_with_a_gaussian_blind_term_is_refuted():
    score = proof("score_laplacian")
    for d in (1, 2):
        flux, lap = score.score_flux(d)
        xs = sorted(flux.free_symbols, key=str)
        wrong = lap + blind_density_term(xs, score.mu(*xs))
        assert verify_identity(flux, wrong, seed=CTX.seed).status == Status.REFUTED, d


def test_de_bruijn_integration_by_parts_with_a_gaussian_blind_term_is_refuted():
    flow = proof("entropy_flow")
    from symtransport._core.calculus import divergence, gradient, laplacian
    from symtransport._theory.functionals import fisher_information

    density = flow.mu(x)
    potential = -flow.H.first_variation(density, [x])
    lhs = laplacian(density, [x]) * potential
    rhs = (
        divergence(potential * gradient(density, [x]), [x])
        - fisher_information(density, [x]).function
    )
    assert verify_identity(lhs, rhs, seed=CTX.seed).status == Status.PROVED
    wrong = rhs + blind_density_term([x], density)
    assert verify_identity(lhs, wrong, seed=CTX.seed).status == Status.REFUTED


def test_porous_medium_with_a_gaussian_blind_term_is_refuted():
    flow = proof("entropy_flow")
    from symtransport._core.calculus import laplacian

    density = flow.mu(x)
    lhs = -flow.tsallis(flow.alpha).wasserstein_gradient(density, [x])
    right = -laplacian(density**flow.alpha, [x])
    opts = {"constraints": [flow.alpha > 1], "seed": CTX.seed}
    assert verify_identity(lhs, right, **opts).status == Status.PROVED
    wrong = right + blind_density_term([x], density)
    assert verify_identity(lhs, wrong, **opts).status == Status.REFUTED


def test_lagrangian_continuity_with_a_gaussian_blind_term_is_refuted():
    continuity = proof("continuity")
    rate, flux, families = continuity.lagrangian_continuity()
    position = sp.Function("phi")(x, t)  # the particle's place, mu's first argument
    assert rate.has(sp.Function("mu")(position, t))
    density = sp.Function("mu")(position, t)
    y = sp.Symbol("y", real=True)
    third = sp.diff(sp.log(sp.Function("mu")(y, t)), y, 3)
    blind = density * sp.Subs(third, y, position)  # d_y^3 log mu, at the particle
    r = verify_identity(rate, flux + blind, functions=families, seed=CTX.seed)
    assert r.status == Status.REFUTED


def test_heat_semigroup_with_a_gaussian_blind_term_is_refuted():
    ldae = proof("l_dae")
    assert ldae.semigroup_lemma(1, sp.Rational(1, 2), CTX).status == Status.PROVED
    dae = ShallowDAE(generic_density(1))
    smoothed = dae.evidence_integral()
    from symtransport._core.calculus import laplacian

    wrong = laplacian(smoothed, [x]) / 2 + smoothed * gaussian_blind([x], smoothed)
    r = verify_identity(sp.diff(smoothed, t), wrong, seed=CTX.seed)
    assert r.status == Status.REFUTED


def test_noise_sign_with_a_gaussian_blind_term_is_refuted():
    dae = proof("shallow_errata").GENERIC
    evidence = dae.evidence_integral()  # nu * mu: Gaussian for Gaussian mu and nu
    wrong = -dae.posterior_noise_mean_integral() + sp.Matrix([gaussian_blind([x], evidence)])
    assert verify_identity(dae.displacement(), wrong, seed=CTX.seed).status == Status.REFUTED
