"""The composition claims hold, and each has a wrong variant refuted by the same machinery."""

import mpmath
import pytest
import sympy as sp
from proof_helpers import proof

from symtransport import CheckContext, Status, verify_identity
from symtransport.dae import ShallowDAE
from symtransport.densities import Gaussian

pytestmark = pytest.mark.slow


P = proof("compositions")
CTX = CheckContext(seed=0, examples=20)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("composition_converges", Status.VERIFIED),
        ("deeper_converges_faster", Status.VERIFIED),
        ("wasserstein_diagonal_gaussians", Status.PROVED),
    ],
)
def test_claims_hold(name, status):
    assert getattr(P, name).run(CTX).status == status


def printed_step_variances(v0, total, dt):
    """(20) as printed: noise variance t_l (the time so far) instead of the step dt."""
    v = sp.Symbol("v", positive=True)
    dae = ShallowDAE(Gaussian(0, v))
    (x,) = dae.variables
    score = sp.diff(dae.log_evidence(), x)
    slope = sp.lambdify((v, dae.t), sp.diff(x + dt * score, x), "mpmath")
    value, steps = mpmath.mpf(v0), int(total / dt)
    for ell in range(steps):
        value = value * slope(value, ell * dt) ** 2
    return float(value)


def test_printed_noise_variance_misses_the_table():
    values = {dt: printed_step_variances(P.V0, P.T_TABLE, dt) for dt in P.TABLE}
    assert P.table_check(values, 0.2).status == Status.REFUTED


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
