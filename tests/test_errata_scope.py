"""Scopes of the entropy-flow and composition claims: each statement declares what it
quantifies over, each check says what it covered, and a general statement is proved only by
checks on generic densities (Gaussian checks alone are capped at verified)."""

import pytest
from proof_helpers import proof

from symtransport import CheckContext, Status

pytestmark = pytest.mark.slow

CTX = CheckContext()


@pytest.fixture(scope="module")
def flow():
    return proof("entropy_flow")


@pytest.fixture(scope="module")
def compositions():
    return proof("compositions")


@pytest.mark.parametrize(
    ("module", "name", "scope"),
    [
        ("entropy_flow", "entropy_gradient_flow", "general"),
        ("entropy_flow", "entropy_gradient_flow_as_printed", "general"),
        ("entropy_flow", "de_bruijn", "general"),
        ("entropy_flow", "renyi_porous_medium", "general"),
        ("entropy_flow", "renyi_porous_medium_as_printed", "general"),
        ("compositions", "composition_converges", "general"),
        ("compositions", "deeper_converges_faster", "family"),
        ("compositions", "wasserstein_diagonal_gaussians", "family"),
        ("compositions", "composition_step_variance", "family"),
        ("compositions", "composition_step_variance_as_printed", "family"),
    ],
)
def test_statement_scopes(module, name, scope):
    assert getattr(proof(module), name).scope == scope


def test_entropy_gradient_flow_is_proved_on_a_generic_density(flow):
    outcome = flow.entropy_gradient_flow.run(CTX)
    assert outcome.status == Status.PROVED
    # one check of the generic-density identities, then the Gaussian family's closed forms
    assert [part["scope"] for part in outcome.parts] == ["general", "family", "family", "family"]
    assert all(part["status"] == "proved" for part in outcome.parts)


def test_entropy_gradient_flow_on_gaussians_alone_is_capped(flow, monkeypatch):
    # without the generic-density identities only the Gaussian family is proved: verified
    monkeypatch.setattr(flow, "generic_identities", lambda d: [])
    outcome = flow.entropy_gradient_flow.run(CTX)
    assert outcome.status == Status.VERIFIED
    assert outcome.scope == "family"


def test_composition_step_checks_say_what_they_cover(compositions):
    for name in ("composition_step_variance", "composition_step_variance_as_printed"):
        outcome = getattr(compositions, name).run(CTX)
        assert [part["scope"] for part in outcome.parts] == ["family", "family", "instances"]
