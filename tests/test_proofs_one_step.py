"""The one-step denoiser claims hold, and wrong variants of each are refuted by the same
functions the claims use."""

import pytest
from proof_helpers import proof

from symtransport import CheckContext, Status
from symtransport.numerics import FULL, HALF, HEUN, Scheme

pytestmark = pytest.mark.slow

P = proof("one_step_denoisers")
CTX = CheckContext(seed=0, examples=3)
S0, S = P.S0, P.S


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("one_step_gaussian_variances", Status.PROVED),
        ("one_step_gaussian_orders", Status.PROVED),
        ("one_step_mixture_orders", Status.VERIFIED),
        ("one_step_composed_steps", Status.VERIFIED),
    ],
)
def test_claims_hold(name, status):
    outcome = getattr(P, name).run(CTX)
    assert outcome.status == status, outcome.explanation


def statuses(outcomes):
    return {o.status for o in outcomes}


# --- wrong variances --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "wrong"),
    [
        (FULL, S0**4 / (S0**2 + 2 * S)),  # a factor 2 in the noise
        (HALF, S0**2 + S**2 / (2 * (S0**2 + S))),  # 1/2 for 1/4
        (HALF, S0**4 / (S0**2 + S)),  # the full step's variance
        (HEUN, S0**2),  # Heun is not exact
    ],
)
def test_a_wrong_variance_is_refuted(scheme, wrong):
    assert Status.REFUTED in statuses(P.variance_checks({scheme: wrong}, CTX))


def test_the_continuous_dae_run_for_s_does_not_return_mu_0():
    # the factor 2 of notes §1: time s/2, not s
    wrong = P.identity(P.FLOW.covariance(t=S)[0, 0], S0**2, CTX, "continuous DAE at s")
    assert wrong.status == Status.REFUTED


def test_the_half_step_is_not_the_shallow_dae_of_mu_0():
    dae = P.ShallowDAE(P.Gaussian(P.M, S0**2), variables=(P.X,))
    half = HALF(P.gaussian_velocity, P.X, P.TOTAL)
    assert P.identity(half, dae.map()[0].subs(dae.t, S), CTX, "half").status == Status.REFUTED


# --- wrong orders and coefficients ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "scheme", "order", "coefficient"),
    [
        ("full claimed O(s^2)", FULL, 2, 1 / (8 * S0**3)),
        ("x + s grad log u claimed O(s^2) (coefficient s, not s/2)", FULL, 2, -1 / (2 * S0)),
        ("half with the full step's coefficient", HALF, 1, -1 / (2 * S0)),
        ("half with the wrong sign", HALF, 2, -1 / (8 * S0**3)),
        ("Heun claimed order 2", HEUN, 2, 1 / (8 * S0**3)),
        ("Heun of order 3 with a wrong coefficient", HEUN, 3, -1 / (8 * S0**5)),
        ("2 Euler steps without the 1/L", Scheme("euler", 2), 2, 1 / (8 * S0**3)),
        ("2 Heun steps with 1/L, not 1/L^2", Scheme("heun", 2), 3, -1 / (32 * S0**5)),
    ],
)
def test_a_wrong_leading_term_is_refuted(label, scheme, order, coefficient):
    found = P.leading_term(label, P.scheme_slope(scheme), order, coefficient, CTX)
    assert found.status == Status.REFUTED, found.explanation


def test_the_composition_is_not_euler():
    # the composed DAEs step with a smoothed score: three times Euler's leading term, not once
    found = P.leading_term("dae-2", P.composition_slope(2), 2, 1 / (16 * S0**3), CTX)
    assert found.status == Status.REFUTED


def test_a_wrong_w2_formula_is_refuted():
    a, b = P.A, P.B
    assert P.identity(a**2 + b**2, (a - b) ** 2, CTX, "no cross term").status == Status.REFUTED


# --- measured orders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong",
    [{FULL: 2}, {HALF: 1}, {HALF: 3}, {HEUN: 2}],
    ids=["full-O(s^2)", "half-O(s)", "half-O(s^3)", "heun-O(s^2)"],
)
def test_wrong_orders_in_s_are_refuted(wrong):
    found = P.mixture_orders(2, 0, wrong)
    assert found.status == Status.REFUTED, found.explanation


@pytest.mark.parametrize(
    "wrong",
    [{"euler": -2}, {"heun": -1}, {"heun": -3}],
    ids=["euler-1/L^2", "heun-1/L", "heun-1/L^3"],
)
def test_wrong_orders_in_steps_are_refuted(wrong):
    found = P.step_orders(2, 0, wrong)
    assert found.status == Status.REFUTED, found.explanation


def test_the_composed_daes_are_not_second_order():
    assert P.dae_composition(order=-2).status == Status.REFUTED


def test_the_measured_slopes_are_reported():
    found = P.mixture_orders(2, 0)
    assert found.status == Status.VERIFIED
    assert "Slopes:" in found.explanation


def test_deep_two_dimensional_wrong_order_is_refuted():
    # one scheme only (each costs ~8 s): the 2-D coupling bound of the half step is not O(s)
    assert P.two_dimensional({HALF: 1}).status == Status.REFUTED


def test_deep_mixture_composition():
    found = P.deep_dae_mixture()
    assert found.status == Status.VERIFIED, found.explanation


def test_orders_deep_table_is_a_superset():
    default = {label for label, *_ in P.orders(False)}
    deep = {label for label, *_ in P.orders(True)}
    assert default < deep and {"full", "half", "heun"} <= default
