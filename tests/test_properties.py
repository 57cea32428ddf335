import hypothesis.strategies as st
import pytest

from symtransport import Status, check_property, measure, search_conjecture
from symtransport.errors import InvalidArgument


def test_a_true_property_is_verified_never_proved():
    r = check_property(lambda v: v * v >= 0, st.floats(-1e6, 1e6), examples=50, seed=1)
    assert r.status == Status.VERIFIED and r.examples == 50


def test_a_false_property_is_refuted_with_a_shrunk_example():
    r = check_property(lambda n: n < 10, st.integers(0, 1000), examples=200, seed=1)
    assert r.status == Status.REFUTED
    assert r.counterexample == {"example": "10"}


def test_assertion_errors_count_as_failures():
    def holds(n):
        assert n != 3
        return True

    r = check_property(holds, st.integers(0, 5), examples=100)
    assert r.status == Status.REFUTED


def test_a_conjecture_without_counterexample_stays_undecided():
    r = search_conjecture(lambda n: n * (n + 1) % 2 == 0, st.integers(), examples=100)
    assert r.status == Status.UNDECIDED
    assert "no counterexample in 100 examples" in r.explanation


def test_a_false_conjecture_is_refuted():
    r = search_conjecture(lambda n: n**2 != 49, st.integers(-100, 100), examples=500, seed=2)
    assert r.status == Status.REFUTED and r.counterexample["example"] in {"7", "-7"}


def test_measurements_against_bounds():
    assert measure(0.9, 1.0, "<=", what="error").status == Status.VERIFIED
    bad = measure(1.2, 1.0, "<=", what="error")
    assert bad.status == Status.REFUTED and bad.counterexample == {
        "error": "1.2",
        "bound": "<= 1.0",
    }
    assert measure(2.0, 1.0, ">", what="order").status == Status.VERIFIED


def test_a_measurement_with_an_interval_needs_the_whole_interval():
    # value +- interval entirely below, straddling, entirely above the bound
    inside = measure(-0.5, 0.0, "<", what="slope", interval=0.2, data={"slope": -0.5})
    assert inside.status == Status.VERIFIED and "-0.5 +- 0.2" in inside.explanation
    assert inside.measurements == {"slope": -0.5}
    assert inside.parts[0]["measurements"] == {"slope": -0.5}
    straddling = measure(-0.1, 0.0, "<", what="slope", interval=0.2)
    assert straddling.status == Status.UNDECIDED and "straddles" in straddling.explanation
    outside = measure(0.5, 0.0, "<", what="slope", interval=0.2)
    assert outside.status == Status.REFUTED
    assert outside.counterexample == {"slope": "0.5", "bound": "< 0.0", "interval": "+- 0.2"}
    with pytest.raises(InvalidArgument, match="half-width"):
        measure(0.5, 0.0, "<", interval=-1.0)


def test_nothing_is_written_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_property(lambda n: n < 10, st.integers(0, 1000), examples=100)
    assert list(tmp_path.iterdir()) == []


def test_rejected_draws_are_not_counted_and_too_few_is_undecided():
    from hypothesis import assume

    from symtransport.errors import UnsupportedError

    def picky(n):
        assume(n % 2 == 0)
        if n % 3 == 0:
            raise UnsupportedError("cannot evaluate")
        return True

    found = check_property(picky, st.integers(0, 10**6), examples=30)
    assert found.status == Status.VERIFIED and found.examples == 30
    assert "rejected" in found.explanation

    def hopeless(n):
        raise UnsupportedError("never evaluable")

    assert check_property(hopeless, st.integers(), examples=20).status == Status.UNDECIDED


def test_a_shrink_budget_still_reports_a_failing_example():
    calls = []

    def small(n):
        calls.append(n)
        return n < 1000

    out = check_property(small, st.integers(0, 10**9), examples=50, shrink_calls=5)
    assert out.status == Status.REFUTED
    assert int(out.counterexample["example"]) >= 1000  # a genuine failure, perhaps not 1000
    assert len(calls) <= out.examples + 5
    again = check_property(small, st.integers(0, 10**9), examples=50, shrink_calls=5)
    assert again.counterexample == out.counterexample  # a count, not a clock: reproducible


def test_counterexamples_are_readable():
    import numpy as np

    from symtransport import Gaussian, GaussianMixture
    from symtransport._claims.properties import describe

    mixture = GaussianMixture([0.3, 0.7], [Gaussian([0], [[1]]), Gaussian([1.5], [[2]])])
    text = describe((mixture, 0.25, np.array([1.0])))
    assert text == "(0.3 N([0.0], [[1.0]]) + 0.7 N([1.5], [[2.0]]), 0.25, [1.0])"
