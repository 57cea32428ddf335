"""Scopes: what a check covered, and the cap that keeps instance proofs from proving a general
statement."""

import pytest
import sympy as sp

from symtransport import CheckContext, InvalidArgument, Outcome, Status, claim, verify_identity
from symtransport._claims.outcome import as_outcome, cap
from symtransport._claims.runner import Report, run_claims
from symtransport._verification.scope import Scope, widest

x = sp.Symbol("x", real=True)


def test_scopes_are_ordered_from_widest():
    assert widest(["instances", "general", "sampled"]) == Scope.GENERAL
    assert Scope.GENERAL.covers(Scope.FAMILY) and Scope.FAMILY.covers("instances")
    assert not Scope.INSTANCES.covers(Scope.GENERAL)
    assert not Scope.SAMPLED.covers(Scope.INSTANCES)


def test_a_check_says_its_scope_and_an_unknown_one_is_rejected():
    assert verify_identity(sp.cos(x) ** 2, 1 - sp.sin(x) ** 2).scope == Scope.GENERAL
    r = verify_identity(x + x, 2 * x, scope="instances")
    assert r.scope == Scope.INSTANCES and r.to_dict()["scope"] == "instances"
    with pytest.raises(InvalidArgument, match="scope='everything'"):
        verify_identity(x, x, scope="everything")


def test_a_proof_on_instances_of_a_general_statement_is_capped_at_verified():
    proved = as_outcome(verify_identity(x + x, 2 * x, scope="instances"))
    assert proved.status == Status.PROVED
    capped = cap(proved, "general")
    assert capped.status == Status.VERIFIED and capped.scope == Scope.INSTANCES
    assert "proved only at instances scope" in capped.explanation
    assert cap(proved, "instances") == proved  # a statement about the instances themselves


def test_refutations_and_general_proofs_are_not_capped():
    wrong = as_outcome(verify_identity(x + x, 3 * x, scope="instances"))
    assert cap(wrong, "general").status == Status.REFUTED  # a counterexample is one anywhere
    general = as_outcome(verify_identity(x + x, 2 * x))
    assert cap(general, "general").status == Status.PROVED


def test_evidence_wider_than_the_statement_is_shown_at_the_statements_scope():
    # a lemma proved for every density inside a claim about Gaussians does not make the claim
    # general: its scope shown is the statement's; a refutation keeps its own
    general = as_outcome(verify_identity(x + x, 2 * x))
    shown = cap(general, "family")
    assert shown.status == Status.PROVED and shown.scope == Scope.FAMILY
    wrong = as_outcome(verify_identity(x + x, 3 * x))
    assert cap(wrong, "family").scope == Scope.GENERAL


def test_combined_scope_is_the_widest_supporting_or_the_deciding_one():
    general = verify_identity(x + x, 2 * x)
    instance = verify_identity(x * x, x**2, scope="instances")
    both = as_outcome([general, instance])
    assert both.status == Status.PROVED and both.scope == Scope.GENERAL
    assert [c["scope"] for c in both.checks] == ["general", "instances"]
    wrong = verify_identity(x * x, x**3, scope="instances")
    mixed = as_outcome([general, wrong])
    assert mixed.status == Status.REFUTED and mixed.scope == Scope.INSTANCES


@claim(id="on-instances", title="t", source="s", statement="x", kind="identity")
def on_instances(ctx: CheckContext):
    return verify_identity(x + x, 2 * x, scope="instances")


@claim(id="sampled-claim", title="t", source="s", statement="x", kind="property", scope="family")
def sampled_claim(ctx: CheckContext):
    return Outcome(Status.VERIFIED, "hypothesis: 3 examples", 3, scope="sampled")


def test_the_report_carries_both_scopes_and_reads_back():
    report = run_claims([on_instances, sampled_claim], jobs=1)
    first, second = report.results
    assert (first.status, first.scope, first.statement_scope) == (
        Status.VERIFIED,
        Scope.INSTANCES,
        Scope.GENERAL,
    )
    assert (second.scope, second.statement_scope) == (Scope.SAMPLED, Scope.FAMILY)
    data = report.to_json()
    assert data["summary"]["narrower"] == 2 and data["summary"]["by_scope"]["sampled"] == 1
    assert Report.from_json(data).results == report.results
    data["claims"][0]["status"] = "proved"
    with pytest.raises(InvalidArgument, match="proved at instances scope, narrower"):
        Report.from_json(data)


def test_a_claim_with_an_unknown_scope_is_rejected():
    with pytest.raises(InvalidArgument, match="scope of claim c"):
        claim(id="c", title="t", source="s", statement="x", kind="identity", scope="all")(
            lambda ctx: None
        )
