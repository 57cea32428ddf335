"""How much ``import symtransport`` costs, against what it cost when it loaded everything.

Until 0.2 the root imported its whole API eagerly, the command line, the report layer and
Hypothesis included (``run_script`` lived in the command line). The root now imports each name
on first use (PEP 562). The baseline, measured in the same run, is the eager import of today's
code: the command-line module, which loads every layer. Each row is the median wall time of
fresh interpreters (``python -c ...``), so the interpreter's own start is included in both.

    python benchmarks/bench_import.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python alone (interpreter start)": "pass",
    "eager: everything (the 0.1 import)": "import symtransport._cli.main",
    "import symtransport": "import symtransport",
    "a proof file's imports": (
        "from symtransport import CheckContext, claim, run_script, verify_identity\n"
        "from symtransport.symbols import t, x"
    ),
}


def _seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters per row")
    args = parser.parse_args()
    medians = {
        name: statistics.median(_seconds(c) for _ in range(args.repeat))
        for name, c in CASES.items()
    }
    baseline = medians["eager: everything (the 0.1 import)"]
    print(f"{'import':40s} {'seconds':>8s} {'vs eager':>9s}")
    for name, seconds in medians.items():
        print(f"{name:40s} {seconds:8.3f} {seconds / baseline:8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
