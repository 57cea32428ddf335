"""The command line against a careless or hostile user: output paths checked before any work
(never an input, never another output, in a folder that exists), reports read back capped,
stdout on a full device, pdflatex's real error, values starting with '-', counts in words,
defaults in --help, the list's header, and no ``.hypothesis`` folder anywhere."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import many_claims, run_main
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory
from test_export import need_pdflatex, result

from symtransport._claims.properties import check_property
from symtransport._claims.runner import Report
from symtransport._cli import main as cli
from symtransport._reports import figures
from symtransport._reports.export import LatexError, compile_pdf, latex_document, log_errors
from symtransport.errors import InvalidArgument

TINY = """
import sympy as sp
from symtransport import claim, verify_identity
x = sp.Symbol("x", real=True)
@claim(id="tiny", title="t", source="s", statement="x = x", kind="identity", scope="general")
def tiny(ctx):
    return verify_identity(x + x, 2 * x, seed=ctx.seed)
"""

PROPERTY = """
import hypothesis.strategies as st
from symtransport import check_property, claim
@claim(id="squares", title="t", source="s", statement="x^2 >= 0", kind="property",
       scope="sampled", examples=5)
def squares(ctx):
    return check_property(lambda v: v * v >= 0, st.floats(-1e3, 1e3), examples=ctx.examples,
                          seed=ctx.seed)
"""


@pytest.fixture
def proof(tmp_path, monkeypatch):
    """``proofs/tiny.py`` in a fresh current folder."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "proofs"
    folder.mkdir()
    path = folder / "tiny.py"
    path.write_text(TINY)
    return path


@pytest.fixture
def no_work(monkeypatch):
    """Any claim run or figure drawn fails the test: the error must come before."""

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the bad output path was refused")

    monkeypatch.setattr(cli, "run_claims", refuse)
    monkeypatch.setattr(figures, "write_figures", refuse)


def error_of(args, capsys):
    """The one stderr line of ``symtransport ARGS`` run in-process, which must exit 2."""
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


# --- outputs checked before any work --------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["check", "proofs/tiny.py", "--json", "proofs/tiny.py"],
            "--json 'proofs/tiny.py' would overwrite the proof file 'proofs/tiny.py'",
        ),
        (
            ["check", "proofs", "--json", "proofs/../proofs/tiny.py"],
            "would overwrite the proof file 'proofs/tiny.py'",
        ),
        (
            ["export", "proofs", "--out", "c.tex", "--json", "proofs/tiny.py"],
            "would overwrite the proof file",
        ),
        (
            ["export", "proofs/tiny.py", "--out", "c.tex", "--json", "c.tex"],
            "--json 'c.tex' is also --out 'c.tex'; give each output its own name",
        ),
        (
            ["export", "proofs/tiny.py", "--out", "c.tex", "--pdf", "--json", "c.pdf"],
            "--json 'c.pdf' is also the PDF 'c.pdf' of --pdf",
        ),
        (
            ["export", "proofs/tiny.py", "--out", "c.tex", "--pdf", "--json", "c.log"],
            "--json 'c.log' is also the log 'c.log' of --pdf",
        ),
        (
            ["check", "proofs/tiny.py", "--json", "nope/r.json"],
            "--json 'nope/r.json': folder 'nope' does not exist",
        ),
        (
            ["export", "proofs/tiny.py", "--out", "nope/c.tex"],
            "--out 'nope/c.tex': folder 'nope' does not exist",
        ),
        (
            ["check", "proofs/tiny.py", "--json", "proofs/tiny.py/r.json"],
            "--json 'proofs/tiny.py/r.json': 'proofs/tiny.py' is not a folder",
        ),
        (["check", "proofs/tiny.py", "--json", "proofs"], "--json 'proofs' is a folder"),
        (["check", "proofs/tiny.py", "--json", ""], "--json '': give a file name"),
        (["figures", "--out", ""], "--out '': give a folder"),
        (["figures", "--out", "proofs/tiny.py"], "--out 'proofs/tiny.py' is a file"),
        (
            ["figures", "--out", "proofs/tiny.py/figs"],
            "--out 'proofs/tiny.py/figs': 'proofs/tiny.py' is not a folder",
        ),
        (["figures", "--out", "figs", "--json", "figs"], "--json 'figs' is also --out 'figs'"),
        (
            ["figures", "--out", "figs", "--only", "fig4*", "--json", "figs/fig4-shallow-1d.pdf"],
            "is also the figure 'figs/fig4-shallow-1d.pdf' of --out",
        ),
        (["figures", "--json", "nope/f.json"], "--json 'nope/f.json': folder 'nope' does not"),
    ],
)
def test_a_bad_output_path_is_refused_before_any_work(args, message, proof, no_work, capsys):
    assert message in error_of(args, capsys)
    assert proof.read_text() == TINY
    assert sorted(p.name for p in proof.parent.parent.iterdir()) == ["proofs"]


def test_an_output_through_a_symbolic_link_is_the_file_it_names(proof, no_work, capsys):
    Path("link.json").symlink_to(proof)
    assert "would overwrite the proof file" in error_of(
        ["check", str(proof), "--json", "link.json"], capsys
    )
    assert proof.read_text() == TINY


def test_an_output_over_the_report_read_back_is_refused(proof, no_work, capsys):
    Path("r.json").write_text("{}")
    args = ["export", "--from-json", "r.json", "--out", "c.tex"]
    assert "--json 'r.json' would overwrite the report of --from-json 'r.json'" in error_of(
        [*args, "--json", "r.json"], capsys
    )
    Path("c.pdf").write_text("{}")
    assert "the PDF 'c.pdf' of --pdf would overwrite the report of --from-json" in error_of(
        ["export", "--from-json", "c.pdf", "--out", "c.tex", "--pdf"], capsys
    )
    assert Path("r.json").read_text() == Path("c.pdf").read_text() == "{}"


def test_write_figures_refuses_an_empty_folder_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidArgument, match="give a folder"):
        figures.write_figures("", only=["fig4*"])
    assert list(tmp_path.iterdir()) == []


def test_figures_may_write_their_list_into_the_folder_they_create(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = []

    def fake(out, only, progress):
        Path(out).mkdir()
        written.append(Path(out) / "fig4-shallow-1d.png")
        return written

    monkeypatch.setattr(figures, "write_figures", fake)
    args = ["figures", "--out", "figs", "--only", "fig4*", "--json", "figs/list.json"]
    assert cli.main(args) == 0
    manifest = json.loads((tmp_path / "figs" / "list.json").read_text())
    assert manifest["figures"][0]["files"] == ["figs/fig4-shallow-1d.png"]


def test_a_good_run_writes_what_it_says(proof, capsys):
    Path("out").mkdir()
    code = cli.main(["export", str(proof), "--out", "out/c.tex", "--json", "out/r.json"])
    out = capsys.readouterr().out
    assert code == 0 and "wrote out/c.tex" in out
    assert r"\label{claim:tiny}" in Path("out/c.tex").read_text()
    assert json.loads(Path("out/r.json").read_text())["summary"]["total"] == 1


# --- reports read back ----------------------------------------------------------------------


@pytest.mark.parametrize("report", ["/dev/zero", "proofs"])
def test_a_report_that_is_not_a_regular_file_is_refused_at_once(report, proof, capsys):
    if not Path(report).exists():
        pytest.skip(f"{report} does not exist here")
    args = ["export", "--from-json", report, "--out", "c.tex"]
    assert f"--from-json {report!r} is not a regular file" in error_of(args, capsys)


def test_a_report_larger_than_the_cap_is_refused(proof, monkeypatch, capsys):
    Path("big.json").write_text(" " * 2000 + "{}")
    monkeypatch.setattr(cli, "MAX_REPORT_BYTES", 1000)
    args = ["export", "--from-json", "big.json", "--out", "c.tex"]
    assert "--from-json 'big.json' is larger than a report can be" in error_of(args, capsys)


# --- messages -------------------------------------------------------------------------------


def test_stdout_on_a_full_device_is_one_line_and_exit_2(tmp_path):
    """A new process: its real stdout (file descriptor 1) is the full device."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    (tmp_path / "many.py").write_text(many_claims())
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            [sys.executable, "-m", "symtransport", "list", "many.py"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "symtransport: error: cannot write to stdout (No space left on device)"
    )


def test_pdflatex_failing_on_a_huge_title_names_its_real_error(tmp_path):
    need_pdflatex()
    tex = tmp_path / "big.tex"
    tex.write_text(latex_document(Report([result("big", title="word " * 200_000)], 1.0, {})))
    with pytest.raises(LatexError) as info:
        compile_pdf(tex)
    assert "Unable to read an entire line" in str(info.value)
    assert "Warning" not in str(info.value)


def test_log_errors_give_the_line_of_each_error_and_skip_warnings():
    log = (
        "Package longtable Warning: Column widths have changed\n"
        "! LaTeX Error: Something's wrong--perhaps a missing \\item.\n"
        "\n"
        "See the LaTeX manual or LaTeX Companion for explanation.\n"
        "Type  H <return>  for immediate help.\n"
        " ...\n"
        "\n"
        "l.42 \\end{enumerate}\n"
        "! Emergency stop.\n"
    )
    assert log_errors(log) == [
        r"LaTeX Error: Something's wrong--perhaps a missing \item. l.42 \end{enumerate}",
        "Emergency stop.",
    ]


@pytest.mark.parametrize(
    "args, hint",
    [
        (
            ["derive", "dae", "--density", "-exp(-x**2)", "--vars", "x"],
            "(a value that starts with '-' is written --density=-exp(-x**2))",
        ),
        (["check", "--only", "-x*"], "(a value that starts with '-' is written --only=-x*)"),
        (["figures", "--json", "-weird.json"], "is written --json=-weird.json)"),
    ],
)
def test_a_value_starting_with_a_dash_gets_a_hint(args, hint, capsys):
    message = error_of(args, capsys)
    assert "expected one argument" in message and hint in message


@pytest.mark.parametrize(
    "args", [["derive", "dae", "--vars", "x", "--density"], ["check", "--only", "--deep"]]
)
def test_a_missing_value_gets_no_dash_hint(args, capsys):
    message = error_of(args, capsys)
    assert "expected one argument" in message and "starts with '-'" not in message


def test_a_negative_seed_is_bad_input(capsys):
    assert "expected an integer >= 0, got '-3'" in error_of(["check", "--seed", "-3"], capsys)


def test_counts_agree_with_their_nouns():
    one = Report([result("one", examples=1)], 1.0, {})
    doc = latex_document(one)
    assert "1 example or evaluation point;" in doc and "1 examples" not in doc
    assert "1 claim: 1 meets its expectation, 0 open, 0 do not" in doc
    line = cli._summary_line(one)
    assert line.startswith("1 claim: 1 ok")
    two = Report([result("a", examples=2), result("b", status="error", ok=False)], 1.0, {})
    assert "2 examples or evaluation points" in latex_document(two)
    assert "2 claims: 1 meets its expectation, 0 open, 1 does not" in latex_document(two)
    assert cli._summary_line(two).startswith("2 claims: 1 ok")


def test_a_single_example_is_one_example():
    found = check_property(lambda v: True, st.integers(), examples=1)
    assert found.method == "hypothesis: 1 example"
    assert found.explanation == "the property held at 1 example."


# --- help and list --------------------------------------------------------------------------


def _parsers(parser):
    """``parser`` and every parser below it (the commands, ``derive dae``, ``derive flow``)."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_option_says_its_default_or_that_it_is_required():
    missing = [
        f"{parser.prog} {action.dest}"
        for parser in _parsers(cli._parser())
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        and "(default: " not in (action.help or "")
        and not (action.required and "(required)" in (action.help or ""))
    ]
    assert missing == []


@pytest.mark.parametrize(
    "command, shown",
    [
        (["derive", "dae"], ["(default: gaussian)", "(default: text)", "(default: the identity)"]),
        (["list"], ["(default: text)"]),
        (["figures"], ["(default: figures)", "(default: auto)"]),
    ],
)
def test_help_shows_the_defaults(command, shown, capsys):
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the help lines
    assert all(s in text for s in shown)


def test_list_has_a_header_and_a_title_column(proof, capsys):
    (proof.parent / "more.py").write_text(TINY.replace('"tiny"', '"tinier"').replace("t", "t", 1))
    assert cli.main(["list", str(proof.parent)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "kind", "scope", "expected", "source", "title"]
    assert [line.split() for line in lines[1:]] == [
        ["tinier", "identity", "general", "holds", "s", "t"],
        ["tiny", "identity", "general", "holds", "s", "t"],
    ]
    assert lines[1].index(" t") == lines[0].index(" title")  # the columns line up
    assert cli.main(["list", str(proof), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("| id | kind | scope | expected | source | title |")


# --- no .hypothesis folder ------------------------------------------------------------------


def test_a_property_claim_writes_nothing_into_the_current_folder(tmp_path, capfd):
    (tmp_path / "squares.py").write_text(PROPERTY)
    out = run_main(capfd, "check", "squares.py", cwd=tmp_path)  # Hypothesis as in a new process
    assert out.code == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["squares.py"]


def test_hypothesis_storage_is_restored_after_a_search(tmp_path):
    before = storage_directory(intent_to_write=False)
    set_hypothesis_home_dir(tmp_path)
    try:
        check_property(lambda v: True, st.integers(), examples=3)
        assert storage_directory(intent_to_write=False).home_directory == tmp_path
    finally:
        set_hypothesis_home_dir(before.home_directory)


def test_the_test_suite_leaves_no_hypothesis_folder(tmp_path):
    """Hypothesis's pytest plugin caches the source's constants while collecting tests; the
    suite's conftest sends them to a temporary folder (a new pytest process: the conftest acts
    when it is imported)."""
    tests = Path(__file__).resolve().parent
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            f"{tests / 'test_decimals.py'}::test_the_shortest_decimal_of_a_double_is_its_repr",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert list(tmp_path.iterdir()) == []
