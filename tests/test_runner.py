"""Collecting claims from files and running them under budgets."""

import textwrap

import pytest

from symtransport import InvalidArgument, collect, run_claims
from symtransport._claims.runner import bundled_proofs, select

HEADER = """
import time
import sympy as sp
from symtransport import Outcome, Status, claim, verify_identity
x = sp.Symbol("x", real=True)
"""


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


CLAIMS = """
@claim(id="true-one", title="t", source="s", statement="x", kind="identity")
def true_one(ctx):
    return verify_identity(sp.exp(sp.log(x**2 + 1)), x**2 + 1, seed=ctx.seed)

@claim(id="as-printed", title="t", source="s", statement="x", kind="identity", expected="refuted")
def as_printed(ctx):
    return verify_identity(x + 1, x, seed=ctx.seed)

@claim(id="an-open-one", title="t", source="s", statement="x", kind="conjecture", expected="open")
def open_one(ctx):
    return Outcome(Status.UNDECIDED, "search", ctx.examples)

@claim(id="slow-one", title="t", source="s", statement="x", kind="identity", timeout=1)
def slow_one(ctx):
    time.sleep(30)

@claim(id="crash-one", title="t", source="s", statement="x", kind="identity")
def crash_one(ctx):
    raise RuntimeError("oops")
"""


def test_run_reports_every_outcome_and_counts_open_apart(tmp_path):
    claims = collect([write(tmp_path, "c.py", CLAIMS)])
    assert [c.id for c in claims] == [
        "true-one",
        "as-printed",
        "an-open-one",
        "slow-one",
        "crash-one",
    ]
    report = run_claims(claims, examples=7)
    by_id = {r.id: r for r in report.results}
    assert by_id["true-one"].ok and by_id["true-one"].status in ("proved", "verified")
    assert by_id["as-printed"].ok and by_id["as-printed"].status == "refuted"
    assert by_id["an-open-one"].ok and by_id["an-open-one"].examples == 7
    assert by_id["slow-one"].status == "error" and not by_id["slow-one"].ok
    assert by_id["slow-one"].method == "wall-clock limit"
    assert "safety net" in by_id["slow-one"].explanation
    assert by_id["slow-one"].seconds < 5
    assert by_id["crash-one"].status == "error" and "RuntimeError: oops" in (
        by_id["crash-one"].explanation
    )
    summary = report.summary()
    assert summary["total"] == 5 and summary["ok"] == 2 and summary["open"] == 1
    assert summary["failed"] == 2 and summary["by_status"]["error"] == 2
    assert not report.passed


def test_json_report_shape_is_the_contract(tmp_path):
    import json

    claims = collect([write(tmp_path, "c.py", CLAIMS)])
    data = json.loads(json.dumps(run_claims(select(claims, ["as-*"])).to_json()))
    row = data["claims"][0]
    for key in (
        "id",
        "title",
        "source",
        "kind",
        "status",
        "expected",
        "ok",
        "seconds",
        "method",
        "examples",
        "max_residual",
        "counterexample",
    ):
        assert key in row
    assert isinstance(row["counterexample"], dict)
    assert all(isinstance(v, str) for v in row["counterexample"].values())
    assert isinstance(row["max_residual"], float)
    assert {"scope", "statement_scope", "checks"} <= set(row)
    assert row["scope"] == "general" and row["checks"][0]["scope"] == "general"
    assert set(data["summary"]) == {
        "total",
        "ok",
        "failed",
        "open",
        "by_status",
        "by_scope",
        "narrower",
        "load_errors",
        "seconds",
    }


def test_folders_are_collected_in_order_skipping_private_files(tmp_path):
    write(tmp_path, "b.py", CLAIMS.split("@claim")[0] + "@claim" + CLAIMS.split("@claim")[2])
    write(tmp_path, "a.py", CLAIMS.split("@claim")[0] + "@claim" + CLAIMS.split("@claim")[1])
    write(tmp_path, "_helper.py", "raise RuntimeError('never imported')")
    assert [c.id for c in collect([tmp_path])] == ["true-one", "as-printed"]


def test_duplicate_ids_are_an_error(tmp_path):
    one = write(tmp_path, "one.py", CLAIMS)
    two = write(tmp_path, "two.py", CLAIMS)
    with pytest.raises(InvalidArgument, match="duplicate claim id 'true-one'"):
        collect([one, two])


@pytest.mark.parametrize(
    ("name", "body", "match"),
    [
        ("broken.py", "1/0", "failed to import: ZeroDivisionError"),
        ("notes.txt", "", "not a Python file"),
    ],
)
def test_bad_files(tmp_path, name, body, match):
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(InvalidArgument, match=match):
        collect([path])


def test_missing_paths_and_empty_selections(tmp_path):
    with pytest.raises(InvalidArgument, match="does not exist"):
        collect([tmp_path / "nope.py"])
    claims = collect([write(tmp_path, "c.py", CLAIMS)])
    with pytest.raises(InvalidArgument, match="matches no claim"):
        select(claims, ["zzz*"])


def test_the_bundled_proofs_ship_with_the_package():
    folder = bundled_proofs()
    assert (folder / "score_laplacian.py").is_file()
    ids = [c.id for c in collect()]
    assert {"score-divergence-laplacian", "tweedie-gaussian-1d"} <= set(ids)


def test_property_budgets_scale_with_the_examples_asked_for():
    from symtransport import CheckContext, claim
    from symtransport._claims.runner import claim_budget

    def make(kind):
        return claim(
            id="c", title="t", source="s", statement="x", kind=kind, examples=20, timeout=10
        )(lambda ctx: None)

    prop, ident = make("property"), make("identity")
    assert claim_budget(prop, CheckContext(examples=200)) == 100
    assert claim_budget(prop, CheckContext(examples=5)) == 10
    assert claim_budget(ident, CheckContext(examples=200)) == 10
    assert claim_budget(prop, CheckContext(examples=40, deep=True)) == 80
