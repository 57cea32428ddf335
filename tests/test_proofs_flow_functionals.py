"""The entropy-flow and L-DAE claims: each holds (or is refuted, as printed), and for each a
wrong variant is refuted by the same machinery."""

import mpmath
import pytest
import sympy as sp
from proof_helpers import proof, refuted
from tolerances import MP30_QUAD_SMOOTH

from symtransport import CheckContext, Gaussian, ShallowDAE, Status, verify_identity
from symtransport._core.calculus import divergence, gradient, laplacian
from symtransport._theory.flow import ContinuousDAE
from symtransport._theory.instances import fixed_mixture
from symtransport.symbols import coordinates, m, s2

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flow():
    return proof("entropy_flow")


@pytest.fixture(scope="module")
def ldae():
    return proof("l_dae")


@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [
        ("entropy_flow", "entropy_gradient_flow", Status.PROVED),
        ("entropy_flow", "entropy_gradient_flow_as_printed", Status.REFUTED),
        ("entropy_flow", "de_bruijn", Status.VERIFIED),
        ("entropy_flow", "renyi_porous_medium", Status.PROVED),
        ("entropy_flow", "renyi_porous_medium_as_printed", Status.REFUTED),
        ("l_dae", "l_dae_factor", Status.VERIFIED),  # the initial value is a numeric limit
        ("l_dae", "l_dae_factor_as_printed", Status.REFUTED),
    ],
)
def test_claim_status(module, name, expected):
    outcome = getattr(proof(module), name).run(CheckContext())
    assert outcome.status == expected, outcome.explanation
    if expected == Status.REFUTED:
        assert outcome.counterexample


# --- entropy-gradient-flow ------------------------------------------------------------------


def test_grad_h_with_a_factor_two_is_refuted(flow):
    (x,) = coordinates(1)
    mu = flow.mu(x)
    assert refuted(flow.H.wasserstein_gradient(mu, [x]), 2 * laplacian(mu, [x]))


def test_entropy_of_n_m_s2_minus_t_is_refuted(flow):
    dae = ContinuousDAE(Gaussian(m, s2))
    mu_t, _ = flow.flow_before_blowup(dae)
    wrong = flow.printed_entropy((dae.blowup_time - flow.tau) / 2)  # variance s2 - t
    assert refuted(flow.H.value(mu_t, dae.variables), wrong)


def test_eq_11_with_the_printed_sign_of_v_is_refuted(flow):
    # the proof of Thm 8 writes V_t = -log mu_t: then dH/dt = -int V d/dt mu fails
    dae = ContinuousDAE(Gaussian(m, s2))
    (x,) = dae.variables
    mu_t, rate = flow.flow_before_blowup(dae)
    dmu_dt = rate * sp.diff(mu_t, flow.tau)
    lhs = rate * sp.Derivative(flow.H.value(mu_t, [x]), flow.tau)
    assert refuted(lhs, sp.Integral(sp.log(mu_t) * dmu_dt, (x, -sp.oo, sp.oo)))


def gaussian_blind(mu, xs):
    """``mu sum_i d_i^3 log mu``: zero for every Gaussian (``log mu`` is quadratic), not for
    other densities."""
    return mu * sum(sp.Derivative(sp.log(mu), x, 3) for x in xs)


def test_gaussian_blind_variant_of_thm_8_is_refuted(flow, monkeypatch):
    # (10) with V = log mu "equals" -grad H[mu] + mu d^3 log mu: true on every Gaussian
    dae = ContinuousDAE(Gaussian(m, s2))
    mu_t, rate = flow.flow_before_blowup(dae)
    blind = verify_identity(
        rate * sp.diff(mu_t, flow.tau),
        -flow.H.wasserstein_gradient(mu_t, dae.variables) + gaussian_blind(mu_t, dae.variables),
        scope="family",
    )
    assert blind.status == Status.PROVED  # the Gaussian checks cannot see the wrong term
    original = flow.generic_identities

    def with_blind_term(d):
        xs = coordinates(d)
        return [
            (what, lhs, rhs + gaussian_blind(flow.mu(*xs), xs) if what.startswith("(10)") else rhs)
            for what, lhs, rhs in original(d)
        ]

    monkeypatch.setattr(flow, "generic_identities", with_blind_term)
    outcome = flow.entropy_gradient_flow.run(CheckContext())  # the claim's own settings
    assert outcome.status == Status.REFUTED
    assert outcome.counterexample


def test_gaussian_blind_variant_in_the_plane_is_refuted(flow):
    ctx = CheckContext()
    ((_, lhs, rhs),) = [i for i in flow.generic_identities(2) if i[0].startswith("(10)")]
    xs = coordinates(2)
    wrong = rhs + gaussian_blind(flow.mu(*xs), xs)
    r = verify_identity(lhs, wrong, seed=ctx.seed, timeout=ctx.timeout)
    assert r.status == Status.REFUTED


def test_eq_11_pointwise_without_the_divergence_is_refuted(flow):
    # dropping the divergence leaves dH/dmu d/dt mu = -V d/dt mu, false pointwise
    ((_, lhs, rhs),) = [i for i in flow.generic_identities(1) if i[0].startswith("(11)")]
    (x,) = coordinates(1)
    mu = flow.mu(x)
    flux = mu * gradient(sp.log(mu), [x])
    assert refuted(lhs, rhs - divergence(flux, [x]))


def test_potential_of_the_printed_proof_gives_the_forward_heat_equation(flow):
    # with V = -log mu, (10) is d/dt mu = +Laplacian(mu), proved; (28) needs -Laplacian(mu)
    for d in (1, 2):
        xs = coordinates(d)
        mu = flow.mu(*xs)
        (_, flow_rate, _), _ = flow.potential_identities(d, -1)
        r = verify_identity(flow_rate, laplacian(mu, xs))
        assert r.status == Status.PROVED


# --- de-bruijn ------------------------------------------------------------------------------


def test_de_bruijn_with_plus_fisher_is_refuted(flow):
    dae = ContinuousDAE(Gaussian(m, s2))
    mu_t, rate = flow.flow_before_blowup(dae)
    lhs = rate * sp.Derivative(flow.H.value(mu_t, dae.variables), flow.tau)
    assert refuted(lhs, flow.fisher_information(mu_t, dae.variables))


def test_integration_by_parts_without_the_fisher_term_is_refuted(flow):
    xs = coordinates(1)
    mu = flow.mu(*xs)
    potential = sp.log(mu) + 1
    lhs = laplacian(mu, xs) * potential
    assert refuted(lhs, divergence(potential * gradient(mu, xs), xs))


def test_mixture_check_refutes_twice_the_fisher_information(flow, monkeypatch):
    fisher = flow.fisher_information

    def doubled(mu, xs):
        integral = fisher(mu, xs)
        return sp.Integral(2 * integral.function, *integral.limits)

    monkeypatch.setattr(flow, "fisher_information", doubled)
    mixture = ContinuousDAE(fixed_mixture(1))
    outcome = flow.mixture_de_bruijn(mixture, [mixture.blowup_time / 5])
    assert outcome.status == Status.REFUTED
    assert outcome.counterexample


def test_quadrature_rates_match_a_gaussian_closed_form(flow):
    # N(0, 1) at t = 1/4 has variance 1/2: dH/dt = -I = -1/(1/2) = -2 (textbook values)
    dae = ContinuousDAE(Gaussian(0, 1))
    rate, minus_fisher = flow.mixture_rates(dae, sp.Rational(1, 4), 30)
    with mpmath.workdps(30):
        assert abs(rate + 2) < MP30_QUAD_SMOOTH
        assert abs(minus_fisher + 2) < MP30_QUAD_SMOOTH


# --- renyi-porous-medium --------------------------------------------------------------------


def test_porous_medium_with_exponent_alpha_plus_one_is_refuted(flow):
    (x,) = coordinates(1)
    mu = flow.mu(x)
    a = flow.alpha
    assert refuted(
        -flow.tsallis(a).wasserstein_gradient(mu, [x]),
        -laplacian(mu ** (a + 1), [x]),
        constraints=[a > 1],
    )


def test_velocity_without_the_factor_alpha_is_refuted(flow):
    (x,) = coordinates(1)
    mu = flow.mu(x)
    a = flow.alpha
    velocity = gradient(mu ** (a - 1) / (a - 1), [x])
    assert refuted(mu * velocity, gradient(mu**a, [x]), constraints=[a > 1])


def test_renyi_with_the_corrected_sign_is_not_refuted(flow):
    (x,) = coordinates(1)
    mu = flow.mu(x)
    a = flow.alpha
    r = verify_identity(
        flow.renyi(a).wasserstein_gradient(mu, [x]),
        -laplacian(mu**a, [x]),
        constraints=[a > 1],
    )
    assert r.status == Status.PROVED


# --- l-dae-factor ---------------------------------------------------------------------------


def test_semigroup_with_variance_ct_is_refuted(ldae):
    g = Gaussian(m, s2)
    xs = ShallowDAE(g).variables
    wrong = g.smoothed(ldae.c * ldae.t).pdf(xs)
    assert refuted(sp.diff(wrong, ldae.t), ldae.c * laplacian(wrong, xs))


def test_l_dae_with_full_laplacian_on_a_mixture_is_refuted(ldae):
    mix = fixed_mixture(1)
    dae = ShallowDAE(mix)
    u = ldae.heat_semigroup(mix, sp.S.One).pdf(dae.variables)
    assert refuted(dae.tweedie(), ldae.l_dae(u, dae.variables))


def test_l_dae_with_half_laplacian_is_not_refuted(ldae):
    g = Gaussian(m, s2)
    dae = ShallowDAE(g)
    u = ldae.heat_semigroup(g, ldae.HALF).pdf(dae.variables)
    assert verify_identity(dae.tweedie(), ldae.l_dae(u, dae.variables)).status == Status.PROVED
