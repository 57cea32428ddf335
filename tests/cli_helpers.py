"""Running the command line as a user does: ``python -m symtransport ARGS`` in a folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def symtransport(*args: str, cwd: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m symtransport ARGS`` in ``cwd``, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "symtransport", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
