"""Scope of the continuous-DAE claims (proofs/continuous_dae.py): each check covers what its
claim's statement says, and a wrong variant is refuted at that scope by the claim's own
settings, including one that no Gaussian can see."""

from __future__ import annotations

import pytest
import sympy as sp
from proof_helpers import proof

from symtransport import CheckContext, Status, verify_identity
from symtransport._claims.outcome import as_outcome, cap
from symtransport._core.calculus import laplacian
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.flow import ContinuousDAE
from symtransport._verification.scope import Scope
from symtransport.symbols import coordinates, m, s2, t

pytestmark = pytest.mark.slow

CD = proof("continuous_dae")
CTX = CheckContext()  # the settings the claims run with by default
OPTS = {"seed": CTX.seed, "timeout": CTX.timeout}


def gaussian_blind(d: int) -> sp.Expr:
    """``mu * d^3/dx^3 log mu``: zero for every Gaussian (its log is quadratic), not in general."""
    x = coordinates(d)[0]
    density = CD.mu(*coordinates(d), t)
    return density * sp.Derivative(sp.log(density), x, 3)


@pytest.mark.parametrize("d", CD.GENERIC_DIMS)
def test_a_gaussian_blind_heat_equation_is_refuted_in_general(d):
    flux, heat = CD.generic_bhe(d)
    r = verify_identity(flux, heat + gaussian_blind(d), **OPTS)
    assert r.status == Status.REFUTED and r.counterexample is not None
    assert r.scope == Scope.GENERAL


def test_the_gaussian_blind_term_vanishes_on_every_gaussian():
    # why the claim needs its generic check: on mu_t = N(m, s2 - 2t) the wrong term is 0
    flow = ContinuousDAE(Gaussian(m, s2))
    (x,) = flow.variables
    term = gaussian_blind(1).subs(CD.mu(x, t), flow.density_t()).doit()
    r = verify_identity(term, 0, constraints=[t < s2 / 2], scope="family", **OPTS)
    assert r.status == Status.PROVED


def test_bhe_proved_on_closed_forms_only_is_capped_at_verified():
    # without the generic check, the family and instance proofs cover less than the statement
    checks = CD.continuous_dae_bhe.check(CTX)[len(CD.GENERIC_DIMS) :]
    narrow = as_outcome(checks)
    assert narrow.status == Status.PROVED and narrow.scope == Scope.FAMILY
    assert cap(narrow, CD.continuous_dae_bhe.scope).status == Status.VERIFIED


def test_37_with_t_in_place_of_2t_is_refuted_for_every_covariance():
    g = CD.symbolic_gaussian()
    _, _, _, _, cov = CD.mvn_parts(g)
    wrong = g.cov - t * sp.eye(2)  # (37) with S - tI
    r = verify_identity(cov, wrong, constraints=CD.before_blowup(g), scope="family", **OPTS)
    assert r.status == Status.REFUTED and r.counterexample is not None


def test_symbolic_root_satisfies_the_flow_equation_of_36():
    # A_t = sqrt(I - 2t S^-1) by the 2x2 formula solves dA/dt = -(S - 2tI)^-1 A, A_0 = I
    g = CD.symbolic_gaussian()
    _, a, _, _, _ = CD.mvn_parts(g)
    shrunk = g.cov - 2 * t * sp.eye(2)
    opts = {"constraints": CD.before_blowup(g), "scope": "family", **OPTS}
    assert verify_identity(sp.diff(a, t), -shrunk.inv() * a, **opts).status == Status.PROVED
    assert verify_identity(a.subs(t, 0), sp.eye(2), scope="family", **OPTS).status == Status.PROVED


def shifted(mixture: GaussianMixture) -> GaussianMixture:
    """The mixture with covariances ``S_k + tI``: its (42) has ``S_k - tI``."""
    return GaussianMixture(
        mixture.weights,
        [Gaussian(c.mean, c.cov + t * sp.eye(mixture.dim)) for c in mixture.components],
    )


def test_42_with_t_in_place_of_2t_is_not_a_backward_heat_solution():
    mixture = CD.symbolic_mixture()
    xs = list(coordinates(1))
    wrong = CD.printed_42(shifted(mixture), xs)  # sum_k w_k N(m_k, S_k - tI)
    opts = {"constraints": CD.before_blowup(mixture), "scope": "family", **OPTS}
    r = verify_identity(sp.diff(wrong, t), -laplacian(wrong, xs), **opts)
    assert r.status == Status.REFUTED and r.counterexample is not None
    # it still starts at the mixture: the heat equation is what tells it apart
    start = verify_identity(wrong.subs(t, 0), mixture.pdf(xs), scope="family", **OPTS)
    assert start.status == Status.PROVED


def test_mixture_checks_cover_every_two_component_mixture():
    checks = CD.mixture_checks(CD.symbolic_mixture(), CTX, "family")
    assert [c.status for c in checks] == [Status.PROVED] * len(checks)
    assert {c.scope for c in checks} == {Scope.FAMILY}
