"""The masking claims (proofs/dae_masking.py): each meets its expectation, and for each a wrong
variant is refuted by the same machinery (``verify_identity`` on the same integrals)."""

import pytest
import sympy as sp
from proof_helpers import proof, refuted

from symtransport import (
    CheckContext,
    Gaussian,
    Status,
    masked_evidence,
    masked_loss,
    masked_posterior_mean,
    masked_posterior_mean_integral,
    pushforward_density,
    verify_identity,
)
from symtransport.instances import fixed_mixture, generic_density, symbolic_gaussian
from symtransport.symbols import m, s2

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def masking():
    return proof("dae_masking")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("masking_posterior_mean", Status.PROVED),
        ("masking_identity_on_data", Status.PROVED),
        ("masking_velocity_is_score", Status.REFUTED),
        ("masking_noisy_pushforward", Status.PROVED),
    ],
)
def test_claim_status(masking, name, expected):
    outcome = getattr(masking, name).run(CheckContext())
    assert outcome.status == expected, outcome.explanation
    if expected == Status.REFUTED:
        assert outcome.counterexample


# --- masking-dae-posterior-mean -----------------------------------------------------------------


def conditioned_on_zeros(density, pattern, xs):
    """Wrong: the zeros read as observed values, ``E[x_M | x_O = x~_O, x_M = 0] = 0`` on the
    masked coordinates, i.e. the map returns ``x~ = (x~_O, 0)`` itself."""
    return sp.Matrix([0 if masked else v for v, masked in zip(xs, pattern, strict=True)])


def full_density_responsibilities(mixture, pattern, xs):
    """Wrong: the responsibilities from the components' full densities at ``x~`` (zeros put
    in) instead of the observed marginals."""
    observed = [i for i, masked in enumerate(pattern) if not masked]
    hidden = [i for i, masked in enumerate(pattern) if masked]
    point = [0 if masked else v for v, masked in zip(xs, pattern, strict=True)]
    parts = [w * c.pdf(point) for w, c in zip(mixture.weights, mixture.components, strict=True)]
    x_obs = sp.Matrix([xs[i] for i in observed])
    inner = sp.zeros(len(hidden), 1)
    for part, c in zip(parts, mixture.components, strict=True):
        gain = c.cov.extract(hidden, observed) * c.cov.extract(observed, observed).inv()
        conditional = c.mean.extract(hidden, [0]) + gain * (x_obs - c.mean.extract(observed, [0]))
        inner += part / sp.Add(*parts) * conditional
    values = iter(inner)
    return sp.Matrix([next(values) if masked else v for v, masked in zip(xs, pattern, strict=True)])


def shrunk_by_p(density, pattern, xs):
    """Wrong: a map that uses p, the masked coordinates' estimate shrunk by ``1 - p``."""
    closed = masked_posterior_mean(density, pattern, xs)
    return sp.Matrix(
        [(1 - masking_p()) * c if masked else c for c, masked in zip(closed, pattern, strict=True)]
    )


def masking_p():
    return sp.Symbol("p", positive=True)


@pytest.mark.parametrize("wrong", [conditioned_on_zeros, shrunk_by_p])
def test_wrong_posterior_means_of_a_gaussian_are_refuted(masking, wrong):
    gaussian = symbolic_gaussian()
    pattern = masking.ONE_MASKED
    at = masking.standardised(gaussian, pattern, masking.XY)
    assert refuted(
        masked_posterior_mean_integral(gaussian, pattern, masking.XY, masking.p).xreplace(at),
        wrong(gaussian, pattern, masking.XY).xreplace(at),
        constraints=masking.BELOW_ONE,
    )


def test_mixture_responsibilities_of_the_full_density_are_refuted(masking):
    # 2-D: a refutation needs the integrals at 120 digits, which one variable allows
    mixture = fixed_mixture(2)
    pattern = masking.ONE_MASKED
    assert refuted(
        masked_posterior_mean_integral(mixture, pattern, masking.XY, masking.p),
        full_density_responsibilities(mixture, pattern, masking.XY),
        constraints=masking.BELOW_ONE,
    )


def test_the_loss_is_not_stationary_at_the_map_that_conditions_on_zeros(masking):
    gaussian = symbolic_gaussian()
    pattern = masking.ONE_MASKED
    g = masking.output_symbols(2)
    loss = masked_loss(gaussian, pattern, masking.XY, masking.p, list(g))
    wrong = dict(zip(g, conditioned_on_zeros(gaussian, pattern, masking.XY), strict=True))
    first = sp.Matrix([sp.diff(loss, gi) for gi in g]).xreplace(wrong)
    at = masking.standardised(gaussian, pattern, masking.XY)
    assert refuted(first.xreplace(at), sp.zeros(2, 1), constraints=masking.BELOW_ONE)


def test_a_hessian_without_the_factor_two_is_refuted(masking):
    pattern = masking.ONE_MASKED
    mu = generic_density(2)
    g = masking.output_symbols(2)
    loss = masked_loss(mu, pattern, masking.XY, masking.p, list(g))
    evidence = masked_evidence(mu, pattern, masking.XY, masking.p)
    assert refuted(sp.hessian(loss, list(g)), evidence * sp.eye(2), constraints=masking.BELOW_ONE)


# --- masking-dae-identity-on-data ---------------------------------------------------------------


def test_clean_data_treated_as_masked_is_refuted(masking):
    """Wrong: the map on clean data is the posterior mean of a masked pattern."""
    gaussian = symbolic_gaussian()
    assert refuted(
        masking.clean_map(gaussian), masked_posterior_mean(gaussian, masking.ONE_MASKED, masking.XY)
    )


def test_a_shrinking_map_does_not_keep_mu0(masking):
    """Wrong: a map that moves clean data, ``(1 - p) x + p E x``, keeps ``mu_0``: refuted by the
    change of variables the claim uses."""
    gaussian = Gaussian(m, s2)
    (x,) = masking.XY[:1]
    p = masking.p
    inverse = sp.Matrix([(x - p * m) / (1 - p)])
    assert refuted(
        pushforward_density(gaussian.pdf, inverse, (x,)),
        gaussian.pdf((x,)),
        constraints=masking.BELOW_ONE,
    )


# --- masking-dae-velocity-is-score --------------------------------------------------------------


def test_the_corrected_statement_is_proved(masking):
    """The velocity at p = 0 is 0 and the pushforward does not move: ``d/dp mu_p = 0``."""
    gaussian = Gaussian(m, s2)
    (x,) = masking.XY[:1]
    velocity = masking.initial_velocity(gaussian, (x,))
    rate = -sp.diff(gaussian.pdf((x,)) * velocity[0], x)
    check = verify_identity(sp.Matrix([velocity[0], rate]), sp.zeros(2, 1), scope="family")
    assert check.status == Status.PROVED, check.explanation


# --- masking-dae-noisy-pushforward ---------------------------------------------------------------


def test_pushforward_of_the_noisy_law_is_not_mu0(masking):
    """Wrong: the masked DAE returns ``mu_0`` from noisy data (``W2 = 0``, variance ``s2``)."""
    a, b = masking.a, masking.b
    constraints = [*masking.BELOW_ONE, *masking.ABOVE]
    assert refuted(masking.uniform_w2_squared(), 0, constraints=constraints)
    _, variance = masking.noisy_law_moments(Gaussian(m, s2))
    assert refuted(variance, s2, constraints=masking.BELOW_ONE)
    # and a W2 linear in p is refuted too: it is p^2 (b - a)^2 / 12
    assert refuted(
        masking.uniform_w2_squared(), masking.p * (b - a) ** 2 / 12, constraints=constraints
    )


def test_an_atom_at_the_masked_value_is_refuted(masking):
    """Wrong: ``g(0) = 0`` (the masked value kept) instead of ``E x``."""
    assert refuted(masking.atom(Gaussian(m, s2)), 0, constraints=masking.BELOW_ONE)


def test_a_map_that_moves_with_p_has_a_velocity_and_moves_mu0(masking):
    """Wrong: clean data moved by ``g_p = (1 - p) x + p E x``: its velocity ``E x - x`` and
    the continuity equation's ``-div(mu_0 v)`` are not 0, refuted as the claim checks them."""
    gaussian = Gaussian(m, s2)
    (x,) = masking.XY[:1]
    p = masking.p
    velocity = sp.Matrix([sp.limit(((1 - p) * x + p * m - x) / p, p, 0, "+")])
    rate = masking.continuity_rate(gaussian.pdf((x,)), velocity, (x,))
    assert refuted(sp.Matrix([velocity[0], rate]), sp.zeros(2, 1))
