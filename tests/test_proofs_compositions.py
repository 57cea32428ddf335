"""The composition claims hold, and each has a wrong variant refuted by the same machinery."""

import pytest
import sympy as sp
from proof_helpers import proof

from symtransport import CheckContext, Status, verify_identity
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.densities import Gaussian

pytestmark = pytest.mark.slow


P = proof("compositions")
CTX = CheckContext(seed=0, examples=20)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("composition_converges", Status.VERIFIED),
        ("deeper_converges_faster", Status.VERIFIED),
        ("wasserstein_diagonal_gaussians", Status.PROVED),
        ("composition_step_variance", Status.PROVED),
        ("composition_step_variance_as_printed", Status.REFUTED),
    ],
)
def test_claims_hold(name, status):
    outcome = getattr(P, name).run(CTX)
    assert outcome.status == status, outcome.explanation
    if status == Status.REFUTED:
        assert outcome.counterexample


def table_variances(noise_rule):
    """The composed variance after ``T_TABLE`` for each step size of the table, each step the
    derived step (20) with the given noise variance (mpmath at 30 digits: up to 400 steps)."""
    return {
        dt: float(P.composed_variance(noise_rule, P.V0, P.T_TABLE, int(P.T_TABLE / dt), dps=30))
        for dt in P.TABLE
    }


def test_printed_noise_variance_misses_the_table():
    assert P.table_check(table_variances(P.printed_noise), 0.2).status == Status.REFUTED


def test_step_noise_reproduces_the_table():
    # the corrected step, iterated by the proof's own helper, is the library's recursion
    assert P.table_check(table_variances(P.step_noise), 0.2).status == Status.VERIFIED


def test_corrected_step_variance_is_the_library_recursion():
    v, dt, step = P.variance_step()
    derived = P.step_variance(P.step_noise).subs({P.V_L: v, P.DT: dt})
    assert verify_identity(derived, step).status == Status.PROVED


def test_printed_step_is_the_trained_dae_at_the_first_step_only():
    # t_1 = dt: the printed noise variance is the step there, and only there
    printed = P.step_variance(P.printed_noise)
    corrected = P.step_variance(P.step_noise)
    assert verify_identity(printed.subs(P.T_L, P.DT), corrected).status == Status.PROVED
    assert verify_identity(printed.subs(P.T_L, 2 * P.DT), corrected).status == Status.REFUTED


@pytest.mark.parametrize(
    "wrong",
    [
        lambda time, dt: time + dt,  # the time after the step
        lambda time, dt: 2 * dt,  # the heat-semigroup time scale (notes §1)
    ],
    ids=["t_l+1", "2dt"],
)
def test_step_with_a_wrong_noise_variance_is_refuted(monkeypatch, wrong):
    monkeypatch.setattr(P, "step_noise", wrong)
    outcome = P.composition_step_variance.run(CTX)
    assert outcome.status == Status.REFUTED
    assert outcome.counterexample


def test_power_one_recursion_is_not_euler_for_33():
    v, dt, step = P.variance_step()
    noisy_input = v * (v / (v + dt))  # the variance of the DAE applied to noisy inputs
    assert P.series_check(noisy_input, v, dt, CTX).status == Status.REFUTED
    assert P.series_check(step, v, dt, CTX).status == Status.PROVED


def test_order_two_is_refuted(monkeypatch):
    monkeypatch.setattr(P, "ORDER", 2)
    errors = P.gaussian_errors()
    assert P.order_check(P.GAUSSIAN_STEPS, errors, "Gaussian").status == Status.REFUTED


def test_deeper_with_the_noisy_input_rate_is_refuted(monkeypatch):
    # the continuous variance s - T (rate 1, the factor-2 pitfall of notes §1) is not a bound
    monkeypatch.setattr(P, "RATE", sp.Integer(-1))
    found = P.check_property(P.deeper_holds, P.deeper_examples(), examples=20, seed=0)
    assert found.status == Status.REFUTED
    v, dt = sp.symbols("v dt", positive=True)
    shallow = P.GaussianComposition(Gaussian(0, v), dt, 1).stages()[-1].cov[0, 0]
    assert P.positivity(shallow - (v - dt), "wrong").status == Status.UNDECIDED


def test_bures_without_the_factor_two_is_refuted():
    a, b = sp.diag(P.S1**2, P.S2**2), sp.diag(P.U1**2, P.U2**2)
    root = P.sqrt_spd(a)
    wrong = a.trace() + b.trace() - P.sqrt_spd(root * b * root).trace()
    r = verify_identity(wrong, (P.S1 - P.U1) ** 2 + (P.S2 - P.U2) ** 2)
    assert r.status == Status.REFUTED


def test_shallow_dae_staying_on_the_flow_lines_is_refuted():
    g = Gaussian([0, 0], sp.diag(P.S1**2, P.S2**2))
    dae = ShallowDAE(g)
    a = dae.map().jacobian(list(dae.variables))
    cov = a * g.cov * a.T
    r = verify_identity(P.invariant(cov), P.invariant(g.cov))
    assert r.status == Status.REFUTED
    assert P.leaves(g.cov, g.cov, "no move").status == Status.REFUTED
