"""The command line: exit codes, one-line errors, the JSON report, nothing written to cwd.

The commands are called in this process (``run``); a new process only where the process is
what is tested: a proof script run by ``python``, and a closed pipe as stdout."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import many_claims, run_main

from symtransport import collect
from symtransport._cli.main import claims_table

README = Path(__file__).resolve().parent.parent / "README.md"

PROOF = """
import sympy as sp
from symtransport import claim, verify_identity, run_script
x = sp.Symbol("x", real=True)

@claim(id="holds", title="t", source="s", statement="x", kind="identity")
def holds(ctx):
    return verify_identity(sp.cos(x) ** 2, 1 - sp.sin(x) ** 2, seed=ctx.seed)

@claim(id="wrong", title="t", source="s", statement="x", kind="identity")
def wrong(ctx):
    return verify_identity(sp.cos(x) ** 2, 1 + sp.sin(x) ** 2, seed=ctx.seed)

if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
"""


@pytest.fixture
def run(capfd):
    """``run(*ARGS, cwd=FOLDER)``: ``symtransport ARGS`` in FOLDER, called in this process."""
    return lambda *args, cwd: run_main(capfd, *args, cwd=cwd)


@pytest.fixture
def proof(tmp_path):
    folder = tmp_path / "proofs"
    folder.mkdir()
    path = folder / "mine.py"
    path.write_text(PROOF)
    return path


def test_check_passes_fails_and_writes_json(proof, tmp_path, run):
    ok = run("check", str(proof), "--only", "holds", cwd=tmp_path)
    assert ok.code == 0, ok.stderr
    assert re.search(
        r"^holds\s+identity\s+proved\s+general\s+holds\s+[\d.]+\s+ok$", ok.stdout, re.M
    )
    failed = run("check", str(proof), "--json", "report.json", cwd=tmp_path)
    assert failed.code == 1
    assert "FAILED" in failed.stdout and "1 failed" in failed.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    wrong = next(c for c in report["claims"] if c["id"] == "wrong")
    assert wrong["status"] == "refuted" and wrong["ok"] is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proofs", "report.json"]


def test_json_on_stdout_keeps_the_table_off_it(proof, tmp_path, run):
    out = run("check", str(proof), "--only", "holds", "--json", "-", cwd=tmp_path)
    assert json.loads(out.stdout)["summary"]["ok"] == 1
    assert "holds" in out.stderr


def test_a_proof_script_runs_on_its_own(proof, tmp_path):
    """A new process: ``python mine.py`` runs the file as ``__main__``, then ``run_script``."""
    out = subprocess.run(
        [sys.executable, str(proof)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 1 and "wrong" in out.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check", "missing.py"],
        ["check", "PROOF", "--only", "nothing-*"],
        ["check", "--seed", "abc"],
        ["check", "--examples", "0"],
        ["frobnicate"],
        [],
        ["list", "--format", "xml"],
        ["export"],
        ["export", "PROOF", "--out", "report.pdf"],
        ["export", "--from-json", "missing.json", "--out", "r.tex"],
        ["export", "--from-json", "PROOF", "--out", "r.tex"],
        ["export", "--from-json", "NOT_A_REPORT", "--out", "r.tex"],
        ["export", "PROOF", "--from-json", "NOT_A_REPORT", "--out", "r.tex"],
        ["check", "PROOF", "--progress", "sometimes"],
        ["figures", "--only", "no-such-figure"],
        ["figures", "--out", "not_a_report.json/figs", "--only", "fig4*"],
        ["export", "--from-json", "NOT_A_REPORT", "--seed", "3", "--out", "r.tex"],
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args, proof, tmp_path, run):
    (tmp_path / "not_a_report.json").write_text('{"claims": [{"id": "x"}]}')
    names = {"PROOF": str(proof), "NOT_A_REPORT": str(tmp_path / "not_a_report.json")}
    args = [names.get(a, a) for a in args]
    out = run(*args, cwd=tmp_path)
    assert out.code == 2
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_duplicate_ids_across_files_exit_2(proof, tmp_path, run):
    (proof.parent / "again.py").write_text(PROOF)
    out = run("check", str(proof.parent), cwd=tmp_path)
    assert out.code == 2 and "duplicate claim id" in out.stderr


def test_list_formats(proof, tmp_path, run):
    text = run("list", str(proof), cwd=tmp_path)
    assert text.code == 0 and text.stdout.splitlines()[1].split()[0] == "holds"
    listed = json.loads(run("list", str(proof), "--format", "json", cwd=tmp_path).stdout)
    assert [c["id"] for c in listed] == ["holds", "wrong"]


@pytest.mark.parametrize(
    "command", [["check"], ["export"], ["figures"], ["list"], ["derive", "dae"], []]
)
def test_help_shows_examples(command, tmp_path, run):
    out = run(*command, "--help", cwd=tmp_path)
    assert out.code == 0 and "examples:" in out.stdout
    assert f"symtransport {command[0] if command else ''}" in out.stdout


def test_progress_goes_to_stderr_and_never_into_json(proof, tmp_path, run):
    proof.write_text(PROOF.replace("def holds(ctx):", "def holds(ctx):\n    print('HELLO')"))
    out = run("check", str(proof), "--progress", "on", "--json", "-", cwd=tmp_path)
    assert out.code == 1
    report = json.loads(out.stdout)  # stdout is the JSON report alone, not the check's print
    assert "HELLO" in out.stderr
    assert [c["id"] for c in report["claims"]] == ["holds", "wrong"]
    assert "[1/2 claims]" in out.stderr and "[2/2 claims]" in out.stderr
    quiet = run("check", str(proof), "--only", "holds", cwd=tmp_path)
    assert "claims]" not in quiet.stderr  # auto: no progress when stderr is not a terminal


def test_export_writes_the_document_and_exits_like_check(proof, tmp_path, run):
    (tmp_path / "out").mkdir()
    ok = run("export", str(proof), "--only", "holds", "--out", "out/ok.tex", cwd=tmp_path)
    assert ok.code == 0, ok.stderr
    assert "wrote out/ok.tex" in ok.stdout and "1 claim: 1 ok" in ok.stdout
    assert r"\label{claim:holds}" in (tmp_path / "out" / "ok.tex").read_text()
    failed = run("export", str(proof), "--out", "all.tex", "--json", "all.json", cwd=tmp_path)
    assert failed.code == 1
    assert r"\label{claim:wrong}" in (tmp_path / "all.tex").read_text()
    again = run(
        "export", "--from-json", "all.json", "--only", "wrong", "--out", "w.tex", cwd=tmp_path
    )
    assert again.code == 1
    text = (tmp_path / "w.tex").read_text()
    assert r"\label{claim:wrong}" in text and r"\label{claim:holds}" not in text


def test_readme_claims_table_is_current():
    text = README.read_text()
    start = text.index("<!-- claims-table:start -->\n") + len("<!-- claims-table:start -->\n")
    end = text.index("<!-- claims-table:end -->")
    assert text[start:end].strip() == claims_table(collect()), (
        "README claims table is stale: regenerate with `symtransport list --format markdown`"
    )


def test_readme_states_the_two_commands():
    text = README.read_text()
    assert 'pip install -e ".[test]" && symtransport check' in text
    assert 'pip install -e ".[test]" && python -m pytest -q' in text


def test_figures_writes_png_and_pdf_and_a_json_manifest(tmp_path, run):
    out = run("figures", "--out", "figs", "--only", "fig4-shallow*", "--json", "-", cwd=tmp_path)
    assert out.code == 0, out.stderr
    manifest = json.loads(out.stdout)
    assert [f["name"] for f in manifest["figures"]] == ["fig4-shallow-1d"]
    files = manifest["figures"][0]["files"]
    assert sorted(Path(f).name for f in files) == ["fig4-shallow-1d.pdf", "fig4-shallow-1d.png"]
    assert all((tmp_path / f).stat().st_size > 0 for f in files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    """A new process: its real stdout is the pipe (and ``python -m symtransport`` is tested)."""
    (tmp_path / "many.py").write_text(many_claims())
    out = subprocess.run(
        f"{sys.executable} -m symtransport list many.py | head -1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert len(out.stdout.splitlines()) == 1 and "Traceback" not in out.stderr
