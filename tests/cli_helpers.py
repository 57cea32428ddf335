"""Running the command line: in this process (:func:`run_main`, the command line's own function,
as fast as a call), or as a user does, ``python -m symtransport ARGS`` in a folder
(:func:`symtransport`, for what only a new process shows: the entry point, exit codes of a
process, its real stdout); a command's outcome, and the symbols its expression strings are read
back with."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

from symtransport._cli.main import main

#: the noise variance / time of the derivations, as their JSON is read back
T = sp.Symbol("t", positive=True)


@dataclass(frozen=True)
class Run:
    """A command's exit code, captured output and wall-clock seconds."""

    code: int
    stdout: str
    stderr: str
    seconds: float


#: bytes of a listing that no pipe can hold: Linux pipes buffer 64 KiB, a file's stdout 8 KiB
BEYOND_ANY_BUFFER = 256 * 1024


def many_claims(size: int = BEYOND_ANY_BUFFER) -> str:
    """A proof file whose ``symtransport list`` prints more than ``size`` bytes (each claim's
    row is over 200), so that a reader closing the pipe early, or a full device, meets the
    command mid-output, not after it, as with the bundled proofs' listing; it loads in a
    second where the bundled proofs take several."""
    count = size // 200 + 1
    return (
        "from symtransport import claim\n"
        f"for i in range({count}):\n"
        '    globals()[f"c{i}"] = claim(id=f"claim-{i}", title="a long title " * 16, '
        'source="s", statement="x", kind="identity")(lambda ctx: None)\n'
    )


def symbols_for(variables: Sequence[str]) -> dict[str, sp.Symbol]:
    """The names an output's expressions are read back with: the variables (real) and ``t``."""
    return {name: sp.Symbol(name, real=True) for name in variables} | {"t": T}


def symtransport(*args: str, cwd: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m symtransport ARGS`` in ``cwd``, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "symtransport", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_main(capture: pytest.CaptureFixture[str], *args: str, cwd: str | Path) -> Run:
    """``symtransport ARGS`` called in this process (``main(ARGS)``, in ``cwd``: a test's own
    temporary folder, never the checkout), as
    ``python -m symtransport ARGS`` would run it: its exit code, captured output and seconds.

    ``capture`` should be ``capfd``: the claims and derivations run in forked children, whose
    prints (sent to stderr) only file-descriptor capture sees. A ``SystemExit`` (``--help``) is
    its exit code, as the interpreter would make it; any other exception is the test's failure.
    For the call, Hypothesis has what a new process has: its default settings profile, and its
    storage folder ``.hypothesis`` in the current folder (so that a test asserting that nothing is
    written there still means it); both are restored after it, as is the current folder.
    """
    capture.readouterr()  # drop anything printed before
    with contextlib.chdir(cwd), _as_a_new_process():
        start = time.monotonic()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = _exit_status(exc.code)
        seconds = time.monotonic() - start
    out, err = capture.readouterr()
    return Run(code, out, err, seconds)


def _exit_status(code: object) -> int:
    """The exit status of a process ending with ``SystemExit(code)``: None 0, an integer
    itself, anything else 1 (after the interpreter prints it on stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@contextlib.contextmanager
def _as_a_new_process() -> Iterator[None]:
    """Hypothesis's default profile and ``./.hypothesis`` storage for the duration (the test
    session's are a profile of its conftest and a temporary folder), restored after."""
    profile = settings.get_current_profile_name()
    home = storage_directory(intent_to_write=False).home_directory
    settings.load_profile("default")
    set_hypothesis_home_dir(Path.cwd() / ".hypothesis")
    try:
        yield
    finally:
        set_hypothesis_home_dir(home)
        settings.load_profile(profile)
