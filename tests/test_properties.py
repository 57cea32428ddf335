import subprocess
import sys
import textwrap

import hypothesis.strategies as st
import pytest
from tolerances import FLOAT64_FEW_OPS

from symtransport import Excess, Status, check_property, measure, search_conjecture
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


def test_an_excess_past_its_error_bound_is_a_certified_counterexample():
    """``n - 10`` past a bound of 0, +- 0.5: n = 11 is the smallest certified excess."""
    r = search_conjecture(lambda n: Excess(n - 10, 0.5), st.integers(0, 1000), examples=200)
    assert r.status == Status.REFUTED
    assert r.counterexample == {"example": "11", "excess": "1.0 +- 0.5"}
    assert r.max_residual is None
    assert "excess 1.0 +- 0.5" in r.explanation
    # the examples closest before the first failure: at most CLOSEST, the failing one first
    rows = r.measurements["closest"]
    assert 1 <= len(rows) <= 5 and rows[0]["value"] - rows[0]["error"] > 0
    # check_property takes excesses too
    found = check_property(lambda n: Excess(n - 10, 0.5), st.integers(0, 1000), examples=200)
    assert found.status == Status.REFUTED and found.counterexample["excess"] == "1.0 +- 0.5"


def test_a_true_statement_reports_the_examples_that_came_closest():
    r = search_conjecture(
        lambda x: Excess(-(x * x), 1e-9), st.floats(-10, 10), examples=100, seed=4
    )
    assert r.status == Status.UNDECIDED and r.max_residual is None
    assert set(r.measurements) == {"closest"}
    rows = r.measurements["closest"]
    assert 1 <= len(rows) <= 5
    assert [row["value"] for row in rows] == sorted((row["value"] for row in rows), reverse=True)
    for row in rows:
        assert set(row) == {"value", "error", "relative", "example"}
        assert type(row["value"]) is float and type(row["error"]) is float
        assert row["value"] <= row["error"]  # none certified
        assert row["value"] == row["relative"] == -(float(row["example"]) ** 2)  # scale 1
    assert "no counterexample in 100 examples; closest: relative excess" in r.explanation
    assert rows[0]["example"] in r.explanation
    again = search_conjecture(
        lambda x: Excess(-(x * x), 1e-9), st.floats(-10, 10), examples=100, seed=4
    )
    assert again.measurements == r.measurements  # a function of the seed


def test_examples_are_ranked_by_their_relative_excess():
    """With a scale, the closest example is the one of largest ``value / scale``, not of
    largest value: here ``-x^2`` against ``x^4``, largest relatively at the largest ``|x|``."""
    r = search_conjecture(
        lambda x: Excess(-(x * x), 0.0, x**4), st.floats(0.5, 10), examples=100, seed=4
    )
    rows = r.measurements["closest"]
    relative = [row["relative"] for row in rows]
    assert relative == sorted(relative, reverse=True)
    for row in rows:
        x = float(row["example"])
        assert row["relative"] == pytest.approx(-1 / x**2, rel=FLOAT64_FEW_OPS)
    assert float(rows[0]["example"]) > 5  # the search climbed toward large x, not small


def test_a_search_draws_the_same_examples_whatever_local_modules_are_loaded(tmp_path):
    """Hypothesis draws constants from the source of local (not installed) modules: the
    search turns that off, so its examples do not depend on which modules the process has
    imported (here: the command line's, which a Dask worker never imports)."""
    script = tmp_path / "draws.py"
    script.write_text(
        textwrap.dedent(
            """
            import hashlib, sys
            if sys.argv[1] == "cli":
                import symtransport._cli.main  # noqa: F401
            import hypothesis.strategies as st
            from symtransport import search_conjecture
            seen = []
            def holds(x):
                seen.append(x)
                return True
            draws = st.tuples(st.integers(-1000, 1000), st.floats(0, 100), st.text(max_size=3))
            search_conjecture(holds, draws, examples=300, seed=1)
            print(hashlib.sha256(repr(seen).encode()).hexdigest())
            """
        )
    )
    runs = [
        subprocess.run(
            [sys.executable, str(script), mode], capture_output=True, text=True, check=True
        ).stdout
        for mode in ("plain", "cli")
    ]
    assert runs[0] == runs[1] and len(runs[0].strip()) == 64


def test_an_excess_within_its_error_bound_is_not_a_counterexample():
    # value - error = n/1000 - 1 <= 0 everywhere, though the value is positive
    r = search_conjecture(lambda n: Excess(n / 1000, 1.0), st.integers(1, 1000), examples=100)
    assert r.status == Status.UNDECIDED
    assert r.measurements["closest"][0]["value"] > 0


def test_a_bad_excess_is_an_error_not_a_verdict():
    for value, error, problem in [
        (float("nan"), 0.0, "value=nan is not finite"),
        (float("inf"), 0.0, "value=inf is not finite"),
        (1.0, -1.0, "error=-1.0"),
        (1.0, float("nan"), "error=nan"),
    ]:
        with pytest.raises(InvalidArgument, match=problem):
            Excess(value, error)
    calls = []

    def holds(n):
        calls.append(n)
        return Excess(float("nan") if n > 5 else -1.0)

    with pytest.raises(InvalidArgument, match="not finite"):
        search_conjecture(holds, st.integers(0, 10**6), examples=100)
    assert sum(n > 5 for n in calls) == 1  # the search stops at the first bad excess
