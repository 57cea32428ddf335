"""Mutation score of the proof scripts: do the proofs bite?

The requirement measured here (from the issue):

    "The proofs must bite. A one-token wrong edit to the mathematics of a proof script (a `+`
    for a `-`, a `*` for a `/`, an integer k for k+1 in a formula, a power k for k+1) must make
    some claim fail: aim for at least 90% of such edits, sampled at random, to be caught. Edits
    that change nothing mathematical (a loop over dimensions, a seed, a budget) do not count."

The script lists every such one-token edit ("mutant") of the proof scripts with the
``tokenize`` module: ``+`` <-> ``-`` (unary signs included), binary ``*`` <-> ``/``, the
augmented forms ``+=`` <-> ``-=`` and ``*=`` <-> ``/=``, an integer exponent ``**k`` ->
``**(k+1)`` and any other integer literal ``k`` -> ``k+1``. Places that are not mathematics are
left out: the ``@claim(...)`` decorator, strings, comments and f-strings, the keyword arguments
``seed=``, ``timeout=``, ``examples=``, ``points=``, ``digits=`` and ``jobs=`` (and the values of
those keys in a dict literal, ``{"seed": 3}``), the iterables of
``for`` loops and comprehensions, ``range(...)`` calls, subscripts (``xs[0]``), the
``if __name__ == "__main__":`` block, and every line that carries the marker comment

    # mutation: skip - <reason>

which a proof author puts on a line that is not mathematics (say a tolerance or a plot size),
always with the reason. It then samples mutants uniformly at random (seeded), writes each into a
fresh temporary folder under the original file name and runs ``symtransport check FILE --jobs 1``
on it. Exit 1 (a claim missed its expectation) means caught; exit 2 (the file failed to import)
is also caught but counted apart; exit 0 means the mutant SURVIVED; a mutant that runs past
``--timeout`` is a timeout and is left out of the score, caught / (sampled - timeouts). Each file
is first checked unmutated the same way; a file whose own check fails is left out.

    python benchmarks/mutate_proofs.py                      # 40 mutants of proofs/*.py
    python benchmarks/mutate_proofs.py --samples 0 --jobs 2  # every mutant
    python benchmarks/mutate_proofs.py --list proofs/score_laplacian.py

The score is a property of the current proofs, not of the package: it changes whenever a proof
is added or edited, and with the seed. A survivor is either a gap in a proof (a formula no claim
checks) or an edit that changes nothing mathematical and wants a ``# mutation: skip`` marker.
The script always exits 0 (it measures, it does not test) except on a usage error (exit 2).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import keyword
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SKIP_MARKER = "mutation: skip"
EXCLUDED_KEYWORDS = frozenset({"seed", "timeout", "examples", "points", "digits", "jobs"})
SWAPS = {"+": "-", "-": "+", "*": "/", "/": "*", "+=": "-=", "-=": "+=", "*=": "/=", "/=": "*="}
BINARY_ONLY = frozenset({"*", "/"})  # a leading `*` unpacks, a leading `/` marks positional-only

CAUGHT, IMPORT_ERROR, SURVIVED = "caught", "import-error", "SURVIVED"
TIMEOUT, OTHER = "timeout", "other-exit"

Position = tuple[int, int]  # (line from 1, column from 0), as tokenize reports them


@dataclass(frozen=True)
class Mutation:
    """Replace ``before`` by ``after`` at ``line``:``col`` (col from 0) of ``path``."""

    path: Path
    line: int
    col: int
    before: str
    after: str
    kind: str  # "operator", "exponent" or "integer"

    def where(self) -> str:
        return f"{_show(self.path)}:{self.line}:{self.col + 1}"

    def __str__(self) -> str:
        return f"{self.where()}  {self.before!r} -> {self.after!r}"


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _lines(source: str) -> list[str]:
    """Physical lines split exactly as ``tokenize`` splits them."""
    return io.StringIO(source).readlines()


def _is_claim(node: ast.expr) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return (isinstance(func, ast.Name) and func.id == "claim") or (
        isinstance(func, ast.Attribute) and func.attr == "claim"
    )


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def excluded_spans(source: str) -> list[tuple[Position, Position]]:
    """Source ranges that are not mathematics: decorators, loop iterables, budgets, ..."""
    lines = _lines(source)

    def char_col(line: int, byte_col: int) -> int:  # ast counts UTF-8 bytes, tokenize chars
        return len(lines[line - 1].encode()[:byte_col].decode(errors="ignore"))

    nodes: list[ast.AST] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nodes.extend(d for d in node.decorator_list if _is_claim(d))
        elif isinstance(node, ast.keyword) and node.arg in EXCLUDED_KEYWORDS:
            nodes.append(node.value)
        elif isinstance(node, ast.Dict):  # options dicts: {"seed": 3, "timeout": 30}
            nodes.extend(
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in EXCLUDED_KEYWORDS
            )
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            nodes.append(node.iter)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "range":
                nodes.append(node)
        elif isinstance(node, ast.Subscript):
            nodes.append(node.slice)
        elif isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.If) and _is_main_guard(node.test)
        ):
            nodes.append(node)
    return [
        (
            (n.lineno, char_col(n.lineno, n.col_offset)),
            (n.end_lineno, char_col(n.end_lineno, n.end_col_offset)),  # type: ignore[arg-type]
        )
        for n in nodes
    ]


def _is_operand(tok: tokenize.TokenInfo | None) -> bool:
    """Whether ``tok`` ends an operand, so that a following ``*`` or ``/`` is binary."""
    if tok is None:
        return False
    if tok.type == tokenize.NAME:
        return not keyword.iskeyword(tok.string) or tok.string in {"True", "False", "None"}
    return tok.type in {tokenize.NUMBER, tokenize.STRING} or tok.string in {")", "]", "}"}


def _integer(text: str) -> int | None:
    try:
        return int(text, 0)
    except ValueError:
        return None


def enumerate_mutations(path: Path, source: str | None = None) -> list[Mutation]:
    """Every candidate one-token edit of the mathematics of the proof script ``path``."""
    source = path.read_text(encoding="utf-8") if source is None else source
    spans = excluded_spans(source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    skipped = {
        t.start[0]
        for t in tokens
        if t.type == tokenize.COMMENT and t.string.lstrip("#").strip().startswith(SKIP_MARKER)
    }
    trivia = {tokenize.NL, tokenize.COMMENT}
    mutations: list[Mutation] = []
    previous: tokenize.TokenInfo | None = None
    for tok in tokens:
        if tok.type in trivia:
            continue
        before, previous = previous, tok
        if tok.start[0] in skipped or any(lo <= tok.start < hi for lo, hi in spans):
            continue
        if tok.type == tokenize.OP and tok.string in SWAPS:
            if tok.string in BINARY_ONLY and not _is_operand(before):
                continue
            after, kind = SWAPS[tok.string], "operator"
        elif tok.type == tokenize.NUMBER and (value := _integer(tok.string)) is not None:
            after = str(value + 1)
            kind = "exponent" if before is not None and before.string == "**" else "integer"
        else:
            continue
        mutations.append(Mutation(path, tok.start[0], tok.start[1], tok.string, after, kind))
    return mutations


def apply_mutation(source: str, mutation: Mutation) -> str:
    """``source`` with the one token of ``mutation`` replaced."""
    lines = _lines(source)
    line, col, before = lines[mutation.line - 1], mutation.col, mutation.before
    if line[col : col + len(before)] != before:
        raise ValueError(f"{mutation}: the source does not hold {before!r} there")
    lines[mutation.line - 1] = line[:col] + mutation.after + line[col + len(before) :]
    return "".join(lines)


def run_check(name: str, source: str, timeout: float) -> tuple[str, float]:
    """Run ``symtransport check`` on ``source`` saved as ``name`` in a fresh temporary folder."""
    outcomes = {0: SURVIVED, 1: CAUGHT, 2: IMPORT_ERROR}
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        target = Path(tmp) / name
        target.write_text(source, encoding="utf-8")
        command = [sys.executable, "-m", "symtransport", "check", str(target), "--jobs", "1"]
        start = time.perf_counter()
        proc = subprocess.Popen(
            command,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, ended with all its children
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:  # end the whole group: a claim over budget can leave grandchildren behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        outcome = TIMEOUT if code is None else outcomes.get(code, f"{OTHER} {code}")
        return outcome, time.perf_counter() - start


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count >= 0, got {text!r}")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Mutation score of the proof scripts (see the module docstring)."
    )
    parser.add_argument("files", nargs="*", type=Path, help="proof scripts (default: proofs/*.py)")
    parser.add_argument(
        "--samples", type=_count, default=40, help="mutants to run (default 40; 0: all)"
    )
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--jobs", type=_count, default=2, help="mutants run at once (2)")
    parser.add_argument("--timeout", type=_positive, default=600.0, help="seconds per mutant (600)")
    parser.add_argument("--list", action="store_true", help="print the candidates and stop")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    files: list[Path] = args.files or sorted(
        p for p in (REPO / "proofs").glob("*.py") if p.name != "__init__.py"
    )
    sources: dict[Path, str] = {}
    candidates: list[Mutation] = []
    for path in files:
        try:
            sources[path] = path.read_text(encoding="utf-8")
            candidates += enumerate_mutations(path, sources[path])
        except (OSError, SyntaxError, tokenize.TokenError) as exc:
            parser.error(f"{path}: {exc}")
    if args.list:
        for mutation in candidates:
            print(mutation)
        return 0

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        used = {p for p in files if any(m.path == p for m in candidates)}
        baseline = {p: pool.submit(run_check, p.name, sources[p], args.timeout) for p in used}
        unmutated = {p: future.result()[0] for p, future in baseline.items()}
        broken = {p for p, outcome in unmutated.items() if outcome != SURVIVED}
        for path in sorted(broken):
            why = {CAUGHT: "a claim fails", IMPORT_ERROR: "it fails to import", TIMEOUT: "timeout"}
            outcome = why.get(unmutated[path], unmutated[path])
            print(f"left out {_show(path)}: unmutated, {outcome}", flush=True)
        pool_of = [m for m in candidates if m.path not in broken]
        count = len(pool_of) if args.samples == 0 else min(args.samples, len(pool_of))
        sample = random.Random(args.seed).sample(pool_of, count)
        futures = {
            pool.submit(run_check, m.path.name, apply_mutation(sources[m.path], m), args.timeout): m
            for m in sample
        }
        results: dict[Mutation, str] = {}
        for done, future in enumerate(as_completed(futures), 1):
            mutation = futures[future]
            outcome, seconds = future.result()
            results[mutation] = outcome
            print(f"[{done:>3}/{count}] {outcome:<12} {mutation}  ({seconds:.1f} s)", flush=True)

    by = {o: [m for m in sample if results[m] == o] for o in (CAUGHT, IMPORT_ERROR, SURVIVED)}
    timeouts = [m for m in sample if results[m] == TIMEOUT]
    other = [m for m in sample if results[m].startswith(OTHER)]
    caught = len(by[CAUGHT]) + len(by[IMPORT_ERROR]) + len(other)
    judged = count - len(timeouts)
    print(f"\ncandidates enumerated: {len(candidates)} in {len(files)} files")
    left_out = f", {len(broken)} files left out (they fail unmutated)" if broken else ""
    print(f"sampled:   {count} (seed {args.seed}){left_out}")
    print(
        f"caught:    {caught} (claim failed: {len(by[CAUGHT])}, "
        f"import error: {len(by[IMPORT_ERROR])}, other exit code: {len(other)})"
    )
    print(f"survived:  {len(by[SURVIVED])}")
    print(f"timeouts:  {len(timeouts)}")
    score = f"{100 * caught / judged:.1f}%" if judged else "n/a"
    print(f"score:     {score} (caught / (sampled - timeouts) = {caught}/{judged})")
    print(f"wall time: {time.perf_counter() - start:.1f} s")
    for title, group in (("survivors", by[SURVIVED]), ("timeouts", timeouts), ("other", other)):
        if group:
            print(f"\n{title}:")
        for m in sorted(group, key=lambda m: (str(m.path), m.line, m.col)):
            line = _lines(sources[m.path])[m.line - 1].strip()
            print(f"  {m}  [{results[m]}]\n      {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
