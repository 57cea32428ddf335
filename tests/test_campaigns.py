"""Campaigns (``check --seeds A:B``) and the resumable result store (``--store DIR``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from cli_helpers import run_main

from symtransport import InvalidArgument, collect
from symtransport._claims import campaign as campaign_module
from symtransport._claims.campaign import (
    ResultStore,
    Unit,
    parse_seeds,
    run_campaign,
    units_of,
)
from symtransport._claims.runner import Report

#: a proof file whose claims log every run of their check to ``calls.log`` beside it, so that
#: a test counts the units that were run rather than read back from the store
PROOF = """
from pathlib import Path
from symtransport import Outcome, Status, claim

LOG = Path(__file__).with_name("calls.log")


def logged(name, seed):
    with LOG.open("a") as log:
        log.write(f"{name} {seed}\\n")


@claim(id="always", title="t", source="s", statement="x", kind="identity")
def always(ctx):
    logged("always", ctx.seed)
    return Outcome(Status.PROVED, "exact", explanation="holds", scope="general")


@claim(id="odd-seeds-fail", title="t", source="s", statement="x", kind="property", examples=3)
def odd_seeds_fail(ctx):
    logged("odd-seeds-fail", ctx.seed)
    if ctx.seed % 2:
        return Outcome(
            Status.REFUTED,
            "search",
            ctx.examples,
            counterexample={"x": str(ctx.seed / 10)},
            explanation=f"fails at x = {ctx.seed / 10}",
            scope="general",
        )
    return Outcome(Status.VERIFIED, "search", ctx.examples, scope="general")


@claim(id="open-question", title="t", source="s", statement="x", kind="conjecture",
       expected="open")
def open_question(ctx):
    logged("open-question", ctx.seed)
    return Outcome(Status.UNDECIDED, "search", ctx.examples)
"""


def proof(folder: Path, body: str = PROOF) -> Path:
    path = folder / "claims.py"
    path.write_text(textwrap.dedent(body))
    return path


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def unit(claim, seed: int, examples: int | None = None, deep: bool = False) -> Unit:
    """The first unit of running ``claim`` with ``seed`` (its only one, for a run of one
    shard)."""
    return units_of([claim], range(seed, seed + 1), examples, deep)[0]


def without_seconds(data: dict) -> list[dict]:
    """The claims of a JSON report, without the wall-clock seconds (a rerun unit takes its
    own)."""
    return [{k: v for k, v in row.items() if k != "seconds"} for row in data["claims"]]


def test_seeds_are_half_open_and_bad_ones_are_refused():
    assert parse_seeds("0:3") == range(0, 3)
    assert parse_seeds("7:8") == range(7, 8)
    for bad in ("5:3", "3:3", "x", "1:", "-1:3", "1:2:3", ""):
        with pytest.raises(InvalidArgument):
            parse_seeds(bad)


@pytest.mark.parametrize(
    "args",
    [("--seeds", "5:3"), ("--seeds", "x"), ("--seeds=-1:2",), ("--seed", "1", "--seeds", "0:2")],
)
def test_bad_seeds_are_one_line_and_exit_2(tmp_path, capfd, args):
    run = run_main(capfd, "check", str(proof(tmp_path)), *args, cwd=tmp_path)
    assert run.code == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert calls(tmp_path) == []


def test_a_store_that_is_a_file_is_refused(tmp_path, capfd):
    (tmp_path / "store").write_text("")
    args = ("check", str(proof(tmp_path)), "--seeds", "0:2", "--store", "store")
    run = run_main(capfd, *args, cwd=tmp_path)
    assert run.code == 2 and "--store" in run.stderr and calls(tmp_path) == []


def test_a_campaign_reports_each_claim_over_the_seeds(tmp_path, capfd):
    args = ("check", str(proof(tmp_path)), "--seeds", "2:6", "--json", "-", "--progress", "on")
    run = run_main(capfd, *args, cwd=tmp_path)
    assert run.code == 1  # seeds 3 and 5 refute odd-seeds-fail
    data = json.loads(run.stdout)
    expected = {"seeds": [2, 6], "runs": 12, "runs_met": 10, "units": 12, "reused": 0}
    assert data["campaign"] == expected
    rows = {row["id"]: row for row in data["claims"]}
    assert rows["always"]["seeds_met"] == rows["always"]["seeds_total"] == 4
    assert rows["always"]["ok"] and rows["always"]["counterexamples"] == []
    failing = rows["odd-seeds-fail"]
    assert (failing["seeds_met"], failing["seeds_total"], failing["ok"]) == (2, 4, False)
    assert failing["seeds_failed"] == [3, 5]
    assert [c["seed"] for c in failing["counterexamples"]] == [3, 5]
    assert failing["counterexamples"][0]["counterexample"] == {"x": "0.3"}
    assert failing["seed"] == 3 and failing["status"] == "refuted"  # the first failing seed
    assert failing["by_status"]["verified"] == 2 and failing["by_status"]["refuted"] == 2
    assert rows["open-question"]["ok"] and rows["open-question"]["expected"] == "open"
    assert data["summary"]["failed"] == 1 and data["summary"]["open"] == 1
    assert sorted(calls(tmp_path)) == sorted(
        f"{c} {s}" for c in ("always", "odd-seeds-fail", "open-question") for s in range(2, 6)
    )
    # progress: one line per unit on stderr; the table went to stderr too (--json -)
    assert run.stderr.count(" units]") == 12
    assert "seed 3: refuted: fails at x = 0.3" in run.stderr


def test_a_campaign_passes_only_when_every_seed_meets_every_expectation(tmp_path, capfd):
    only = ("--only", "always", "--only", "open-question")
    run = run_main(capfd, "check", str(proof(tmp_path)), "--seeds", "0:3", *only, cwd=tmp_path)
    assert run.code == 0
    assert "2 claims over seeds 0:3 (6 runs, 6 met; 6 units, 0 reused)" in run.stdout
    run = run_main(capfd, "check", str(proof(tmp_path)), "--seeds", "0:1", cwd=tmp_path)
    assert run.code == 0  # seed 0 alone meets odd-seeds-fail
    run = run_main(capfd, "check", str(proof(tmp_path)), "--seeds", "1:2", cwd=tmp_path)
    assert run.code == 1


def test_a_campaign_of_one_seed_agrees_with_a_plain_check(tmp_path, capfd):
    path = str(proof(tmp_path))
    plain = run_main(capfd, "check", path, "--seed", "3", "--json", "-", cwd=tmp_path)
    seeds = run_main(capfd, "check", path, "--seeds", "3:4", "--json", "-", cwd=tmp_path)
    assert plain.code == seeds.code == 1
    fields = ("id", "status", "ok", "counterexample", "examples", "explanation", "scope")
    for a, b in zip(
        json.loads(plain.stdout)["claims"], json.loads(seeds.stdout)["claims"], strict=True
    ):
        assert {f: a[f] for f in fields} == {f: b[f] for f in fields}


def test_a_repeated_run_reuses_the_store_and_a_partial_one_resumes(tmp_path, capfd):
    path = str(proof(tmp_path))
    args = ("check", path, "--seeds", "0:4", "--store", "store", "--json", "-")
    first = run_main(capfd, *args, cwd=tmp_path)
    assert first.code == 1 and len(calls(tmp_path)) == 12
    files = sorted((tmp_path / "store").rglob("*.json"))
    assert len(files) == 12
    # a repeated run runs nothing and gives the same report
    again = run_main(capfd, *args, cwd=tmp_path)
    assert len(calls(tmp_path)) == 12
    assert json.loads(again.stdout)["campaign"]["reused"] == 12
    assert "reused 12 of 12 units" in again.stderr
    assert json.loads(again.stdout)["claims"] == json.loads(first.stdout)["claims"]
    # an interrupted campaign, as if three units had not finished: only they run again
    lost = [f for f in files if f.name.startswith(("seed-1-", "seed-3-"))][:3]
    kept = {f: f.stat().st_mtime_ns for f in files if f not in lost}
    for f in lost:
        f.unlink()
    (tmp_path / "calls.log").unlink()
    resumed = run_main(capfd, *args, cwd=tmp_path)
    redone = sorted(calls(tmp_path))
    assert len(redone) == 3 and all(line.split()[1] in ("1", "3") for line in redone)
    assert json.loads(resumed.stdout)["campaign"]["reused"] == 9
    assert "reused 9 of 12 units" in resumed.stderr
    assert without_seconds(json.loads(resumed.stdout)) == without_seconds(json.loads(first.stdout))
    assert resumed.code == first.code
    assert all(f.stat().st_mtime_ns == mtime for f, mtime in kept.items())  # not rewritten
    assert all(f.exists() for f in lost)


def hear_ctrl_c() -> None:
    """In the child, before exec: SIGINT neither ignored nor blocked. Both are inherited across
    exec, so a test runner's thread that ignores or blocks it would leave the campaign deaf to
    Ctrl-C (once, in a full suite run, a campaign sent SIGINT ran to the end and exited 0)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def slow_campaign(
    tmp_path: Path, seeds: str, pause: float, output: int
) -> tuple[list[str], subprocess.Popen]:
    """A campaign of the claim ``always`` over ``seeds`` whose units sleep ``pause`` seconds,
    storing into ``store``, started in its own session (so a signal can reach its group);
    ``output`` is where stdout and stderr go. Returns its arguments and the process."""
    body = PROOF.replace(
        '    logged("always", ctx.seed)\n',
        f'    logged("always", ctx.seed)\n    import time\n    time.sleep({pause})\n',
    )
    path = str(proof(tmp_path, body))
    args = [sys.executable, "-m", "symtransport", "check", path, "--only", "always"]
    args += ["--seeds", seeds, "--store", "store", "--jobs", "1", "--progress", "off"]
    process = subprocess.Popen(
        args,
        cwd=tmp_path,
        start_new_session=True,
        stdout=output,
        stderr=output,
        preexec_fn=hear_ctrl_c,
    )
    return args, process


def wait_for_stored(process: subprocess.Popen, store: Path, count: int) -> None:
    """Wait (at most 120 s) until ``store`` holds ``count`` units, the campaign still running."""
    deadline = time.monotonic() + 120
    while len(list(store.rglob("seed-*.json"))) < count:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)


def test_a_killed_campaign_resumes_without_redoing_finished_units(tmp_path):
    """A real interruption: the command is killed (SIGKILL, no clean-up) once some units are
    stored; the next run reuses exactly those and runs the rest. Each unit sleeps 1 s, so the
    kill lands mid-campaign unless the test itself is starved for seconds."""
    args, process = slow_campaign(tmp_path, "0:8", 1.0, subprocess.DEVNULL)
    store = tmp_path / "store"
    try:
        wait_for_stored(process, store, 2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = {f.name.split("-")[1] for f in store.rglob("seed-*.json")}
    assert 2 <= len(finished) < 8
    (tmp_path / "calls.log").unlink()
    rerun = subprocess.run(
        [*args[:-2], "--json", "-"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    data = json.loads(rerun.stdout)
    assert data["campaign"]["reused"] == len(finished)
    redone = {line.split()[1] for line in calls(tmp_path)}
    assert redone == {str(s) for s in range(8)} - finished
    assert data["claims"][0]["seeds_met"] == 8


def test_ctrl_c_stops_a_campaign_at_once_keeping_the_finished_units(tmp_path):
    _, process = slow_campaign(tmp_path, "0:40", 0.5, subprocess.PIPE)
    store = tmp_path / "store"
    try:
        wait_for_stored(process, store, 1)
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: the whole foreground group
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, err.decode()
    assert err.decode().strip().endswith("interrupted")
    stored, started = len(list(store.rglob("seed-*.json"))), len(calls(tmp_path))
    # it stopped early; how many units started before the signal landed depends on the load
    # (a unit may finish between the first stored file and the signal), so only the order
    assert 1 <= stored <= started < 40
    time.sleep(1)  # nothing goes on running, or starts, after the command ended
    assert len(list(store.rglob("seed-*.json"))) == stored
    assert len(calls(tmp_path)) == started


def test_the_store_key_holds_the_source_the_settings_and_the_environment(tmp_path, monkeypatch):
    path = proof(tmp_path)
    claims = collect([path])
    store = ResultStore(tmp_path / "store")
    base = unit(claims[0], 1)
    keys = {store.path(base)}
    keys.add(store.path(unit(claims[0], 2)))  # seed
    keys.add(store.path(unit(claims[0], 1, 7)))  # examples
    keys.add(store.path(unit(claims[0], 1, deep=True)))  # deep
    keys.add(store.path(unit(claims[1], 1)))  # claim
    sharded = units_of(claims[1:2], range(1, 2), 1200)  # a property: 3 shards
    keys.update(store.path(u) for u in sharded)  # the shard
    here = campaign_module.environment()
    for changed in (
        {"version": "0.0.0-other"},
        {"library_sha256": "0" * 64},
        {"versions": {**here["versions"], "hypothesis": "0.0.1"}},
    ):
        monkeypatch.setattr(campaign_module, "environment", lambda c=changed: {**here, **c})
        keys.add(store.path(base))  # the environment
    monkeypatch.undo()
    assert len(keys) == 11
    # the examples asked for are those the check is given: the claim's own, named or not
    assert store.path(unit(claims[0], 1, claims[0].examples)) == store.path(base)
    path.write_text(path.read_text() + "\n# an edit\n")
    edited = ResultStore(tmp_path / "store")
    assert edited.path(base) not in keys  # the claim's source


def test_an_edited_proof_file_is_run_again(tmp_path):
    path = proof(tmp_path)
    store = ResultStore(tmp_path / "store")
    run_campaign(collect([path]), range(0, 2), store=store, jobs=2)
    assert len(calls(tmp_path)) == 6
    path.write_text(path.read_text().replace('"holds"', '"holds, still"'))
    again = run_campaign(collect([path]), range(0, 2), store=ResultStore(tmp_path / "store"))
    assert again.reused == 0 and len(calls(tmp_path)) == 12


def test_unreadable_store_files_and_errors_are_run_again(tmp_path):
    body = PROOF + textwrap.dedent(
        """
        @claim(id="crashes", title="t", source="s", statement="x", kind="identity")
        def crashes(ctx):
            logged("crashes", ctx.seed)
            raise RuntimeError("no verdict")
        """
    )
    claims = collect([proof(tmp_path, body)])
    store = ResultStore(tmp_path / "store")
    first = run_campaign(claims, range(0, 2), store=store, jobs=2)
    assert first.claims[3].results[0].status == "error"
    assert not list((tmp_path / "store" / "crashes").glob("*.json"))  # no verdict, not kept
    damaged = store.path(unit(claims[0], 0))
    damaged.write_text(damaged.read_text()[:50])  # a truncated file
    second = run_campaign(claims, range(0, 2), store=store, jobs=2)
    assert second.reused == 5  # all but the damaged one and the two errors
    assert [asdict(r) for r in second.claims[0].results][1] == asdict(first.claims[0].results[1])
    assert json.loads(damaged.read_text())["result"]["status"] == "proved"  # rewritten whole


def test_run_campaign_refuses_bad_arguments(tmp_path):
    claims = collect([proof(tmp_path)])
    for seeds in (range(3, 3), range(0, 6, 2), range(-1, 2)):
        with pytest.raises(InvalidArgument):
            run_campaign(claims, seeds)
    with pytest.raises(InvalidArgument):
        run_campaign(claims, range(0, 1), jobs=0)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(InvalidArgument):
        ResultStore(tmp_path / "a-file")


def test_executor_options_are_checked_before_anything_runs(tmp_path, capfd):
    path = str(proof(tmp_path))
    for args in (
        ("--scheduler", "tcp://127.0.0.1:1"),
        ("--executor", "spark"),
        ("--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--jobs", "2"),
    ):
        run = run_main(capfd, "check", path, *args, cwd=tmp_path)
        assert run.code == 2 and len(run.stderr.strip().splitlines()) == 1
        assert "Traceback" not in run.stderr
    assert calls(tmp_path) == []
    with pytest.raises(InvalidArgument):
        run_campaign(collect([path]), range(0, 1), executor="spark")


def test_a_campaign_on_a_dask_local_cluster_agrees_with_the_local_executor(tmp_path, capfd):
    """The same statuses and counterexamples, run for run, on two Dask workers as on the
    local pool, with the property and the conjecture split into 3 shards each; and a plain
    check too."""
    pytest.importorskip("distributed")
    path = str(proof(tmp_path))
    reports = {}
    for executor in ("local", "dask"):
        args = ("check", path, "--seeds", "0:4", "--jobs", "2", "--executor", executor)
        args += ("--examples", "1200")
        run = run_main(capfd, *args, "--json", "-", cwd=tmp_path)
        assert run.code == 1, run.stderr
        reports[executor] = json.loads(run.stdout)
    assert without_seconds(reports["dask"]) == without_seconds(reports["local"])
    assert reports["dask"]["settings"]["executor"] == "dask"
    assert reports["dask"]["campaign"]["units"] == 4 + 2 * 4 * 3
    assert len(calls(tmp_path)) == 2 * (4 + 2 * 4 * 3)
    plain = {}
    for executor in ("local", "dask"):
        args = ("check", path, "--seed", "1", "--jobs", "2", "--executor", executor)
        run = run_main(capfd, *args, "--json", "-", cwd=tmp_path)
        assert run.code == 1, run.stderr
        plain[executor] = json.loads(run.stdout)
    assert without_seconds(plain["dask"]) == without_seconds(plain["local"])


def test_a_campaign_report_reads_back_and_typesets(tmp_path, capfd):
    """The campaign's JSON is a report (one row per claim, its first failing seed), so that
    ``export --from-json`` typesets a campaign."""
    args = ("check", str(proof(tmp_path)), "--seeds", "0:3", "--json", "campaign.json")
    assert run_main(capfd, *args, cwd=tmp_path).code == 1
    report = Report.from_json(json.loads((tmp_path / "campaign.json").read_text()))
    assert [r.status for r in report.results] == ["proved", "refuted", "undecided"]
    run = run_main(capfd, "export", "--from-json", "campaign.json", "--out", "c.tex", cwd=tmp_path)
    assert run.code == 1 and (tmp_path / "c.tex").exists()


def test_a_failing_executor_is_one_symtransport_error():
    from concurrent.futures import Future

    from symtransport._claims.executors import result_of
    from symtransport.errors import SymtransportError

    future: Future[int] = Future()
    future.set_exception(RuntimeError("worker lost\nat shutdown"))
    with pytest.raises(SymtransportError, match="claim 'x' seed 3: RuntimeError: worker lost at"):
        result_of(future, "claim 'x' seed 3")
    done: Future[int] = Future()
    done.set_result(7)
    assert result_of(done, "anything") == 7
