"""The continuous-DAE and continuity claims hold, and a wrong variant of each is refuted by the
same machinery (proofs/continuous_dae.py, proofs/continuity.py)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from proof_helpers import proof, refuted

from symtransport import CheckContext, Status, compile_map, measure
from symtransport._core.calculus import laplacian
from symtransport._theory.continuity import (
    area_factor,
    continuity_residual,
    eulerian_velocity,
    pushforward_density,
)
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.flow import ContinuousDAE
from symtransport._theory.instances import fixed_gaussian, fixed_mixture, gaussian_44, mixture_47
from symtransport._verification.scope import Scope
from symtransport.symbols import m, s2, t

pytestmark = pytest.mark.slow
R = sp.Rational


CD = proof("continuous_dae")
CO = proof("continuity")


@pytest.mark.parametrize(
    ("module", "name", "status", "scope"),
    [
        (CD, "continuous_dae_bhe", Status.PROVED, Scope.GENERAL),  # a generic mu(x, t)
        (CD, "gaussian_continuous", Status.PROVED, Scope.FAMILY),
        (CD, "mvn_continuous", Status.PROVED, Scope.FAMILY),  # a symbolic 2x2 covariance
        (CD, "gmm_continuous", Status.VERIFIED, Scope.FAMILY),  # the particle part is measured
        (CD, "gmm_continuous_map_approx", Status.VERIFIED, Scope.INSTANCES),  # a measurement
        (CD, "blowup_time", Status.PROVED, Scope.FAMILY),
        # App. B in general is verified (SymPy writes d_t mu(phi, t) two ways); flows proved
        (CO, "continuity_equation", Status.VERIFIED, Scope.GENERAL),
        (CO, "change_of_variables", Status.VERIFIED, Scope.GENERAL),  # an integral by quadrature
    ],
)
def test_claim_holds(module, name, status, scope):
    check = getattr(module, name)
    outcome = check.run(CheckContext())
    assert outcome.status == status, outcome.explanation
    if scope is not None:  # the statement's scope, and evidence that covers it
        assert check.scope == scope
        assert outcome.scope == scope


def test_forward_heat_equation_is_refuted():
    flow = ContinuousDAE(fixed_mixture(2))
    mu = flow.density_t()
    rate = sp.diff(mu, t)
    assert refuted(rate, laplacian(mu, flow.variables), constraints=[flow.time_constraint()])


def test_covariance_shrinking_at_rate_one_is_not_a_bhe_solution():
    xs = [sp.Symbol("x", real=True)]
    mu = Gaussian(m, s2).pdf(xs).subs(s2, s2 - t)  # N(m, s2 - t): the shallow rate
    assert refuted(sp.diff(mu, t), -laplacian(mu, xs), constraints=[t < s2 / 2])


def test_printed_32_with_t_in_place_of_2t_is_refuted():
    flow = ContinuousDAE(Gaussian(m, s2))
    (x,) = flow.variables
    wrong = sp.sqrt(1 - t / s2) * (x - m) + m
    assert refuted(flow.map()[0], wrong, constraints=[t < s2 / 2])


def test_root_of_36_without_the_factor_two_is_refuted():
    g = fixed_gaussian(2)
    flow = ContinuousDAE(g)
    a = flow.map().jacobian(list(flow.variables))
    assert refuted(a * a, sp.eye(2) - t * g.cov.inv(), constraints=[flow.time_constraint()])


def test_velocity_with_the_smoothed_covariances_is_not_the_score():
    mixture = fixed_mixture(1)
    flow = ContinuousDAE(mixture)
    smoothed = ContinuousDAE(
        GaussianMixture(
            mixture.weights,
            [Gaussian(c.mean, c.cov + 4 * t * sp.eye(1)) for c in mixture.components],
        )
    )  # S_k + 2tI where (43) has S_k - 2tI
    assert refuted(smoothed.velocity(), flow.score(), constraints=[flow.time_constraint()])


def test_particles_refute_a_wrong_pushforward():
    mixture = mixture_47()
    flow = ContinuousDAE(mixture)
    xs = list(flow.variables)
    x0, _ = CD.sample(mixture, 50, 0)
    times = [0.2]
    paths, log_det = flow.trajectories(x0, times, log_jacobian=True)
    wrong = ContinuousDAE(
        GaussianMixture(
            mixture.weights, [Gaussian(c.mean, c.cov + t * sp.eye(2)) for c in mixture.components]
        )
    ).density_t()  # S_k - tI in place of S_k - 2tI
    log_mu = compile_map([sp.log(wrong)], xs, [t], backend="numpy")
    residual = np.max(np.abs(log_mu(paths[0], 0.2)[:, 0] + log_det[0] - log_mu(x0, 0.0)[:, 0]))
    assert measure(float(residual), CD.ODE_TOLERANCE, "<").status == Status.REFUTED


def test_not_moving_at_all_misses_the_bound_of_41():
    # the baseline the approximation must beat: the identity map has ratio 1
    ratios = CD.approximation_errors(mixture_47(), 0, maps="identity")
    assert measure(max(ratios.values()), CD.APPROX_BOUND, "<").status == Status.REFUTED
    assert min(ratios.values()) == pytest.approx(1.0, rel=1e-12)  # float64 means of the same sums


def test_blowup_without_the_half_is_refuted():
    cov = CD.symbolic_spd()
    lam = ContinuousDAE(Gaussian([0, 0], cov)).blowup_time * 2
    assert refuted((cov - 2 * lam * sp.eye(2)).det(), 0)


def test_collapse_onto_the_wrong_line_is_refuted():
    flow = ContinuousDAE(gaussian_44())
    x, _ = flow.variables
    limit = flow.map().applyfunc(lambda c: sp.Limit(c, t, R(1, 2), "-"))
    assert refuted(limit, sp.Matrix([x, 0]))  # onto (x, 0) instead of (x/sqrt(2), 0)


def test_jacobi_formula_without_the_inverse_is_refuted():
    jac = CO.generic_matrix(2)
    lhs, _ = CO.jacobi_formula(2)
    names = {f"a{i}{j}": "smooth" for i in range(2) for j in range(2)}
    assert refuted(lhs, sp.diff(jac, t).trace(), functions=names)


def test_continuity_with_the_reversed_velocity_is_refuted():
    _, phi, inverse, xs, ys, density = CO.flows(False)[-1]  # the shear of a mixture
    mu = pushforward_density(density.pdf, inverse, ys, flow=True)
    velocity = eulerian_velocity(phi, inverse, xs, ys, t)
    assert refuted(continuity_residual(mu, -velocity, ys, t), 0)


def test_area_factor_without_the_square_root_is_refuted():
    lhs, rhs = CO.embedding_check()
    a, _ = CO.embedding()
    wrong = lhs * area_factor(a) / (a.T * a).det()  # det(J^T J) in place of its root
    assert refuted(wrong, rhs)


def test_pushforward_without_the_jacobian_is_not_a_density():
    u = CO.u
    mu = Gaussian(R(1, 2), 2).pdf([sp.asinh(u)])
    assert refuted(sp.Integral(mu, (u, -sp.oo, sp.oo)), 1)
