"""Running the command line as a user does: ``python -m symtransport ARGS`` in a folder; a
command's outcome, and the symbols its expression strings are read back with."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

#: the noise variance / time of the derivations, as their JSON is read back
T = sp.Symbol("t", positive=True)


@dataclass(frozen=True)
class Run:
    """A command's exit code, captured output and wall-clock seconds."""

    code: int
    stdout: str
    stderr: str
    seconds: float


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
