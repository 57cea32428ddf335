import pytest
import sympy as sp

from symtransport import CheckContext, Claim, InvalidArgument, Outcome, Status, claim
from symtransport._claims.claims import meets
from symtransport._claims.outcome import as_outcome


def _check(ctx):
    return Outcome(Status.VERIFIED, "test")


def make(**overrides):
    fields = dict(
        id="a-claim",
        title="T",
        source="[J] eq. (1)",
        statement="x = x",
        kind="identity",
        expected="holds",
    )
    fields.update(overrides)
    return claim(**fields)(_check)


def test_the_decorator_makes_a_claim_that_runs():
    c = make()
    assert isinstance(c, Claim) and c.module == __name__
    assert c.run(CheckContext()).status == Status.VERIFIED


@pytest.mark.parametrize(
    "overrides",
    [
        {"id": "Bad_Id"},
        {"id": "trailing-"},
        {"id": ""},
        {"kind": "lemma"},
        {"expected": "true"},
        {"title": ""},
        {"examples": 0},
        {"timeout": 0},
    ],
)
def test_invalid_claims_are_rejected(overrides):
    with pytest.raises(InvalidArgument):
        make(**overrides)


@pytest.mark.parametrize(
    ("status", "expected", "ok"),
    [
        ("proved", "holds", True),
        ("verified", "holds", True),
        ("undecided", "holds", False),
        ("refuted", "holds", False),
        ("refuted", "refuted", True),
        ("verified", "refuted", False),
        ("undecided", "open", True),
        ("refuted", "open", True),
        ("verified", "open", False),
        ("error", "holds", False),
        ("error", "open", False),
        ("error", "refuted", False),
    ],
)
def test_meeting_expectations(status, expected, ok):
    assert meets(status, expected) is ok


def test_lists_of_results_combine_to_the_weakest():
    x = sp.Symbol("x", real=True)
    from symtransport import verify_identity

    combined = as_outcome([verify_identity(x, x), verify_identity(x + 1, x)])
    assert combined.status == Status.REFUTED and combined.counterexample is not None


def test_unknown_results_are_rejected():
    with pytest.raises(InvalidArgument):
        as_outcome(True)
    with pytest.raises(InvalidArgument):
        as_outcome([])
