"""Proof files are imported in a budgeted worker: no file can end, hang, crash or print into
the run, and each one that fails to load is one error beside the others' results."""

import json
import os
import re
import textwrap

import pytest
from cli_helpers import symtransport

from symtransport import CheckContext, InvalidArgument, Report, Status, collect, run_claims
from symtransport._claims.runner import LoadError, load, run_claim
from symtransport._cli.main import main
from symtransport._core.budget import run_with_budget

GOOD = """
import sympy as sp
from symtransport import claim, verify_identity
x = sp.Symbol("x", real=True)

@claim(id="tiny", title="t", source="s", statement="x = x", kind="identity", scope="general")
def tiny(ctx):
    return verify_identity(x + x, 2 * x, seed=ctx.seed)
"""


def write(folder, name, body):
    path = folder / name
    path.write_text(textwrap.dedent(body))
    return path


@pytest.fixture
def good(tmp_path):
    return write(tmp_path, "good.py", GOOD)


def test_sys_exit_at_import_beside_a_good_file_as_a_user_runs_it(good, tmp_path):
    bad = write(tmp_path, "bad.py", "print('NOISE')\nimport sys\nsys.exit(0)\n")
    out = symtransport("check", str(bad), str(good), "--json", "-", cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    report = json.loads(out.stdout)  # stdout is the JSON report alone
    assert [(c["id"], c["ok"]) for c in report["claims"]] == [("tiny", True)]
    assert report["load_errors"] == [{"path": str(bad), "error": report["load_errors"][0]["error"]}]
    assert "called sys.exit(0) at import" in report["load_errors"][0]["error"]
    assert report["summary"]["load_errors"] == 1
    line = f"symtransport: error: proof file {str(bad)!r}: called sys.exit(0) at import"
    assert line in out.stderr and "NOISE" in out.stderr and "Traceback" not in out.stderr


def test_the_table_run_goes_on_and_exits_2(good, tmp_path, capfd):
    bad = write(tmp_path, "bad.py", "raise SystemExit(3)\n")
    assert main(["check", str(bad), str(good)]) == 2
    out, err = capfd.readouterr()
    assert re.search(r"^tiny\s.*\sok$", out, re.M) and "error" not in out
    assert err.count("symtransport: error: proof file") == 1 and "sys.exit(3)" in err


def test_print_at_import_stays_off_stdout(good, tmp_path, capfd):
    noisy = write(tmp_path, "noisy.py", "import os\nprint('PRINTED')\nos.system('echo SHELL')\n")
    assert main(["check", str(noisy), str(good), "--json", "-"]) == 0
    out, err = capfd.readouterr()
    assert json.loads(out)["load_errors"] == [] and "PRINTED" in err and "SHELL" in err
    write(tmp_path, "noisy.py", "print('PRINTED')\n" + GOOD)
    assert main(["list", str(tmp_path / "noisy.py"), "--format", "json"]) == 0
    out, err = capfd.readouterr()
    assert [c["id"] for c in json.loads(out)] == ["tiny"] and "PRINTED" in err


def test_list_lists_the_good_files_and_exits_2(good, tmp_path, capfd):
    bad = write(tmp_path, "bad.py", "print('PRINTED')\nimport os\nos._exit(0)\n")
    assert main(["list", str(bad), str(good), "--format", "json"]) == 2
    out, err = capfd.readouterr()
    assert [c["id"] for c in json.loads(out)] == ["tiny"]
    assert f"proof file {str(bad)!r}: the import ended its process without reporting" in err


def test_when_every_file_fails_the_json_is_still_written(tmp_path, capfd):
    bad = write(tmp_path, "bad.py", "raise ValueError('nope')\n")
    assert main(["check", str(bad), "--only", "tiny", "--json", "-"]) == 2
    out, err = capfd.readouterr()
    report = json.loads(out)
    assert report["claims"] == [] and report["summary"]["total"] == 0
    assert report["load_errors"] == [{"path": str(bad), "error": "line 1: ValueError: nope"}]
    assert "line 1: ValueError: nope" in err and "matches no claim" not in err
    assert main(["list", str(bad), "--format", "json"]) == 2
    assert json.loads(capfd.readouterr().out) == []


def test_os_exit_at_import(good, tmp_path):
    bad = write(tmp_path, "bad.py", "import os\nos._exit(0)\n")
    loaded = load([bad, good])
    assert [c.id for c in loaded.claims] == ["tiny"]
    assert loaded.errors == [
        LoadError(
            bad,
            "the import ended its process without reporting (os._exit, or a crash of Python "
            "itself; exit code 0)",
        )
    ]


def test_an_endless_import_stops_at_the_safety_net(tmp_path, monkeypatch):
    monkeypatch.setattr("symtransport._claims.runner.IMPORT_SAFETY_NET", 2.0)
    hang = write(tmp_path, "hang.py", "while True:\n    pass\n")
    (error,) = load([hang]).errors
    assert error.path == hang
    assert error.message.startswith("did not finish importing within 2 s")


def test_a_syntax_error_gives_its_line(tmp_path):
    bad = write(tmp_path, "bad.py", "x = 1\n\ny = (2 +\n")
    (error,) = load([bad]).errors
    assert error.message.startswith("line 3: SyntaxError: ")


def test_an_exception_gives_the_line_of_the_proof_file(tmp_path):
    bad = write(
        tmp_path,
        "bad.py",
        """\
        import json


        def helper():
            return json.loads("{")  # raised inside the json package


        value = helper()
        """,
    )
    (error,) = load([bad]).errors
    assert error.message.startswith("line 5: json.decoder.JSONDecodeError: Expecting")


def test_os_exit_in_a_check_is_explained(tmp_path):
    path = write(
        tmp_path,
        "exits.py",
        GOOD.replace(
            "return verify_identity", "import os; os._exit(0)\n    return verify_identity"
        ),
    )
    result = run_claim(collect([path])[0])
    assert result.status == Status.ERROR and result.method == "crash"
    assert result.explanation == (
        "the check ended its process without reporting (os._exit, or a crash of Python itself; "
        "exit code 0)"
    )


def test_collect_raises_for_the_first_failing_file(good, tmp_path):
    first = write(tmp_path, "first.py", "import sys\nsys.exit(0)\n")
    second = write(tmp_path, "second.py", "raise ValueError('nope')\n")
    with pytest.raises(InvalidArgument, match=r"'.*first\.py' failed to import: called sys"):
        collect([good, first, second])
    with pytest.raises(InvalidArgument, match=r"second\.py' failed to import: ValueError: nope"):
        collect([second])


def test_this_process_never_runs_the_file_but_library_calls_still_work(tmp_path):
    pids = tmp_path / "pids"
    path = write(
        tmp_path,
        "good.py",
        f"import os\nwith open({str(pids)!r}, 'a') as f:\n    f.write(f'{{os.getpid()}} ')\n"
        + GOOD,
    )
    (found,) = collect([path])
    report = run_claims([found])
    assert report.passed and str(os.getpid()) not in pids.read_text().split()
    assert len(pids.read_text().split()) == 2  # imported to load, then to run the check
    assert found.run(CheckContext()).status == Status.PROVED  # in this process, as a library


def test_a_file_that_runs_symtransport_at_import_is_refused(tmp_path):
    bad = write(
        tmp_path,
        "bad.py",
        "from symtransport import run_script\nraise SystemExit(run_script(__file__))\n",
    )
    (error,) = load([bad]).errors
    assert "called sys.exit(2) at import" in error.message


def test_load_errors_round_trip_through_the_json_report(tmp_path):
    report = Report([], 1.0, {}, [LoadError(tmp_path / "x.py", "line 2: ValueError: v")])
    data = json.loads(json.dumps(report.to_json()))
    assert not report.passed and data["summary"]["load_errors"] == 1
    back = Report.from_json(data)
    assert back.load_errors == report.load_errors and back.to_json() == data
    del data["load_errors"]
    assert Report.from_json(data).load_errors == []
    for wrong in ({}, [{"path": "x.py"}], [{"path": 1, "error": "e"}], ["x.py"]):
        with pytest.raises(InvalidArgument, match="load_errors"):
            Report.from_json({**data, "load_errors": wrong})


def _end(how):
    yield "first"
    if how == "exit":
        os._exit(3)
    os.kill(os.getpid(), 15)


def test_a_worker_that_ends_without_reporting_is_a_crash():
    exited = run_with_budget(_end, ("exit",), 30)
    assert exited.crashed and exited.messages == ["first"] and exited.exitcode == 3
    assert exited.error == "the worker process ended without reporting (exit code 3)"
    killed = run_with_budget(_end, ("kill",), 30)
    assert killed.crashed and killed.exit_status == "killed by SIGTERM"
