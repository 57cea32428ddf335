import pytest

from symtransport import Status
from symtransport.status import weakest


def test_values_are_the_contract():
    assert [s.value for s in Status] == ["proved", "verified", "refuted", "undecided", "error"]


def test_weakest_follows_refuted_undecided_verified_proved():
    assert weakest(["proved", "verified"]) == Status.VERIFIED
    assert weakest(["proved", "undecided", "verified"]) == Status.UNDECIDED
    assert weakest(["undecided", "refuted"]) == Status.REFUTED
    assert weakest(["proved"]) == Status.PROVED


def test_an_unfinished_check_makes_the_chain_unfinished():
    assert weakest(["refuted", "error"]) == Status.ERROR
    assert weakest(["proved", "error", "verified"]) == Status.ERROR
    assert not Status.ERROR.holds


def test_only_proved_and_verified_hold():
    assert {s for s in Status if s.holds} == {Status.PROVED, Status.VERIFIED}


def test_weakest_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        weakest([])
