"""Collecting claims from proof scripts, running them under budgets, and the report.

:func:`collect` imports proof files (or every ``*.py`` in a folder, except names starting with
``_``) and gathers the :class:`~symtransport._claims.claims.Claim` objects each defines at module
level; each file is imported in a worker process, never in the caller's, and :func:`load`
reports the files that fail to load (exit, hang, crash, raise) beside the claims of the others
instead of stopping at the first. :func:`run_claims` runs each claim in its own child process
and returns a :class:`Report` whose :meth:`Report.to_json` is the documented JSON report. A
claim's verdict is decided by work budgets (points, rewrites, examples), never by the clock: the
claim's ``timeout`` is a wall-clock safety net against runaway computations, and a claim it
stops has status ``error`` with the method ``wall-clock limit``, never ok.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib
import importlib.util
import multiprocessing
import os
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import ModuleType
from typing import Any

from threadpoolctl import threadpool_limits

from symtransport._claims.claims import (
    CLAIM_ID,
    RANDOM_KINDS,
    CheckContext,
    Claim,
    Expected,
    Kind,
    meets,
)
from symtransport._claims.shards import merge
from symtransport._core.budget import run_with_budget
from symtransport._verification.scope import Scope
from symtransport._verification.verify import WALL_CLOCK
from symtransport._version import __version__
from symtransport.errors import InvalidArgument
from symtransport.status import Status

__all__ = [
    "IMPORT_SAFETY_NET",
    "ClaimResult",
    "LoadError",
    "Loaded",
    "Report",
    "bundled_proofs",
    "collect",
    "load",
    "run_claims",
    "select",
]


def bundled_proofs() -> Path:
    """The folder of proof scripts shipped with the package."""
    import importlib.resources

    try:
        root = importlib.resources.files("symtransport.proofs")
        path = Path(str(root))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    source_tree = Path(__file__).resolve().parent.parent / "proofs"
    if source_tree.is_dir():
        return source_tree
    raise InvalidArgument("the bundled proofs were not found; reinstall symtransport")


def _files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.py") if not p.name.startswith("_")))
        elif path.is_file():
            if path.suffix != ".py":
                raise InvalidArgument(f"path={str(path)!r} is not a Python file (.py)")
            files.append(path)
        else:
            raise InvalidArgument(f"path={str(path)!r} does not exist; give proof files or folders")
    return files


#: wall-clock safety net of importing one proof file, in seconds (each bundled proof imports
#: in under 0.3 s); a file that takes longer is a load error
IMPORT_SAFETY_NET = 60.0

_importing: list[Path] = []  # the proof file this process is importing (at most one)
_modules: dict[Path, ModuleType] = {}  # the proof files this process imported, by resolved path


@dataclass(frozen=True)
class LoadError:
    """A proof file that could not be loaded and what went wrong, on one line (e.g.
    ``line 3: ValueError: ...`` or ``called sys.exit(0) at import``)."""

    path: Path
    message: str


@dataclass(frozen=True)
class Loaded:
    """The claims of the proof files that loaded, in file order, and the files that did not."""

    claims: list[Claim]
    errors: list[LoadError]


@dataclass(frozen=True)
class _Failure:
    """Why importing a proof file failed, and the line of the file it failed at."""

    reason: str
    line: int | None = None

    def message(self) -> str:
        """The :class:`LoadError` message: ``line N: reason``."""
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"

    def error(self, path: Path) -> InvalidArgument:
        """The error of :func:`collect`, whose message keeps its ``failed to import: reason``
        shape, the line after it."""
        at = "" if self.line is None else f" (line {self.line})"
        return InvalidArgument(f"proof file {str(path)!r} failed to import: {self.reason}{at}")


def _exec(path: Path) -> ModuleType:
    """``path`` imported as a fresh module; whatever its code raises propagates."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"symtransport_proof_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidArgument(f"path={str(path)!r} cannot be imported as a Python file")
    module = importlib.util.module_from_spec(spec)
    _importing.append(path)
    try:
        spec.loader.exec_module(module)
    finally:
        _importing.pop()
    return module


def _failure(path: Path, exc: Exception) -> _Failure:
    """``exc``, raised importing ``path``, on one line, at the line of ``path`` it came from."""
    if isinstance(exc, SyntaxError):
        text = f"{type(exc).__name__}: {exc.msg}"
    else:
        text = traceback.format_exception_only(type(exc), exc)[0]
    reason = " ".join(line.strip() for line in text.strip().splitlines())
    target = path.resolve()
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename).resolve() == target:
        return _Failure(reason, exc.lineno)
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f.lineno for f in frames if Path(f.filename).resolve() == target]
    return _Failure(reason, lines[-1] if lines else None)


def _import(path: Path) -> ModuleType:
    """The module of the proof file ``path``, imported once per process;
    :class:`~symtransport.InvalidArgument` when its code raises."""
    key = path.resolve()
    if key not in _modules:
        try:
            _modules[key] = _exec(path)
        except Exception as exc:
            raise _failure(path, exc).error(path) from exc
    return _modules[key]


def _claims_of(module: ModuleType) -> list[Claim]:
    """The claims defined at module level in ``module``, in definition order."""
    return [
        v for v in vars(module).values() if isinstance(v, Claim) and v.module == module.__name__
    ]


def _stdout_to_stderr() -> None:
    """In a worker process: whatever the user's code prints goes to stderr, so that it never
    mixes into a report on stdout (``check --json -``, ``list --format json``)."""
    if multiprocessing.parent_process() is not None:
        sys.stdout.flush()
        sys.stdout = sys.stderr  # print, also when sys.stdout is not fd 1 (a captured stream)
        os.dup2(2, 1)  # C code and subprocesses


def _load_worker(path: Path) -> Iterator[dict[str, Any]]:
    """Import ``path`` (in a worker process) and yield its claims' fields but ``check``, or
    why it failed."""
    _stdout_to_stderr()
    try:
        module = _exec(path)
    except SystemExit as exc:
        yield {
            "reason": f"called sys.exit({exc.code!r}) at import; call it only under "
            '`if __name__ == "__main__":`'
        }
        return
    except Exception as exc:
        failure = _failure(path, exc)
        yield {"reason": failure.reason, "line": failure.line}
        return
    names = [f.name for f in fields(Claim) if f.name != "check"]
    yield {"claims": [{n: getattr(c, n) for n in names} for c in _claims_of(module)]}


@dataclass(frozen=True)
class _FileCheck:
    """The check of claim ``claim_id`` of the proof file ``path``: imports the file (once per
    process) in the process that runs it, and calls the claim's own check."""

    path: Path
    claim_id: str

    def __call__(self, ctx: CheckContext) -> Any:
        for found in _claims_of(_import(self.path)):
            if found.id == self.claim_id:
                return found.check(ctx)
        raise InvalidArgument(
            f"proof file {str(self.path)!r} no longer defines claim {self.claim_id!r}; "
            "collect its claims again"
        )


def _load_file(path: Path) -> list[Claim] | _Failure:
    """The claims of the proof file ``path``, imported in a worker process under
    :data:`IMPORT_SAFETY_NET`, or why it failed; this process never runs the file's code."""
    run = run_with_budget(_load_worker, (path,), IMPORT_SAFETY_NET)
    if run.messages:
        found = run.messages[0]
        if "claims" not in found:
            return _Failure(found["reason"], found.get("line"))
        return [Claim(check=_FileCheck(path, meta["id"]), **meta) for meta in found["claims"]]
    if run.timed_out:
        return _Failure(
            f"did not finish importing within {IMPORT_SAFETY_NET:g} s; move long computations "
            "into a claim's check"
        )
    if run.crashed:
        return _Failure(
            "the import ended its process without reporting (os._exit, or a crash of Python "
            f"itself; {run.exit_status})"
        )
    return _Failure(f"the import failed: {run.error or 'an unknown error'}")


#: The layers a proof file's imports reach (the public API is built on them); the command line
#: and the reports are left out, since a proof file does not need them to define its claims.
PROOF_LAYERS = ("_core", "_verification", "_theory", "_random", "_claims")


def preload() -> None:
    """Import every module of :data:`PROOF_LAYERS` in this process, once.

    Proof files are imported, and claims run, in forked workers. A worker starts with the
    modules its parent had loaded; without this, each of them imported SymPy's, SciPy's and
    Hypothesis's heavy modules again, once per proof file (about 0.8 s each).
    """
    for layer in PROOF_LAYERS:
        package = importlib.import_module(f"symtransport.{layer}")
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


def _each_file(paths: Sequence[str | Path] | None) -> Iterator[tuple[Path, list[Claim] | _Failure]]:
    """Each proof file of ``paths`` (default: the bundled proofs) with its claims, or why it
    failed to load."""
    if _importing:
        raise InvalidArgument(
            f"proof file {str(_importing[-1])!r} runs symtransport while it is imported; put "
            'that call under `if __name__ == "__main__":`'
        )
    preload()
    for path in _files(paths or [bundled_proofs()]):
        yield path, _load_file(path)


def _add(claims: list[Claim], seen: dict[str, Path], path: Path, new: list[Claim]) -> None:
    """Append the claims ``new`` of ``path`` to ``claims``; a duplicate id is an error."""
    for c in new:
        if c.id in seen:
            raise InvalidArgument(
                f"duplicate claim id {c.id!r} in {str(path)!r} and {str(seen[c.id])!r}"
            )
        seen[c.id] = path
        claims.append(c)


def collect(paths: Sequence[str | Path] | None = None) -> list[Claim]:
    """The claims defined in ``paths`` (default: the bundled proofs), in file order.

    Each file is imported in a worker process (:func:`load`); a file that fails to load, and
    duplicate ids, are errors (:class:`~symtransport.InvalidArgument`, for the first failing
    file).
    """
    claims: list[Claim] = []
    seen: dict[str, Path] = {}
    for path, found in _each_file(paths):
        if isinstance(found, _Failure):
            raise found.error(path)
        _add(claims, seen, path, found)
    return claims


def load(paths: Sequence[str | Path] | None = None) -> Loaded:
    """The claims defined in ``paths`` (default: the bundled proofs), and the files that failed
    to load, which do not stop the others.

    Each file is imported in a worker process, with its prints sent to stderr and under a
    wall-clock safety net (:data:`IMPORT_SAFETY_NET`), so that no file can end, hang or print
    into the run; a claim's check imports its file again in the process that runs it. Missing
    paths and duplicate ids are errors (:class:`~symtransport.InvalidArgument`).
    """
    claims: list[Claim] = []
    errors: list[LoadError] = []
    seen: dict[str, Path] = {}
    for path, found in _each_file(paths):
        if isinstance(found, _Failure):
            errors.append(LoadError(path, found.message()))
        else:
            _add(claims, seen, path, found)
    return Loaded(claims, errors)


def select(claims: Sequence[Claim], patterns: Sequence[str] | None) -> list[Claim]:
    """The claims whose id matches any of the glob ``patterns`` (all when there are none)."""
    if not patterns:
        return list(claims)
    chosen = [c for c in claims if any(fnmatch.fnmatchcase(c.id, p) for p in patterns)]
    if not chosen:
        known = ", ".join(c.id for c in claims) or "none"
        raise InvalidArgument(f"--only {' '.join(patterns)!r} matches no claim; claims: {known}")
    return chosen


@dataclass(frozen=True)
class ClaimResult:
    """One row of the report (JSON-native values)."""

    id: str
    title: str
    source: str
    statement: str
    kind: Kind
    status: Status
    expected: Expected
    ok: bool
    seconds: float
    method: str
    examples: int | None
    max_residual: float | None
    counterexample: dict[str, str] | None
    explanation: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    #: the scope the evidence covered (:mod:`symtransport._verification.scope`)
    scope: Scope = Scope.GENERAL
    #: the scope of the claim's statement; a proof that covers less is capped at verified
    statement_scope: Scope = Scope.GENERAL
    #: one JSON object per check (status, scope, method, examples, max_residual, explanation)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def narrower(self) -> bool:
        """Whether the evidence for the statement covered less than it says (a counterexample
        is one at any scope, so a refutation never is)."""
        return self.status != Status.REFUTED and not self.scope.covers(self.statement_scope)


def _run_one(claim: Claim, ctx: CheckContext) -> Iterator[dict[str, Any]]:
    _stdout_to_stderr()
    # one BLAS / OpenMP thread a claim: claims already run one per core, so a multithreaded
    # BLAS call only oversubscribes the cores (its idle threads spin; measured: the default
    # check 88.4 s -> 82.9 s), and its reductions would depend on the machine's core count
    with threadpool_limits(limits=1):
        outcome = claim.run(ctx)
    yield {
        "status": outcome.status,
        "method": outcome.method,
        "examples": outcome.examples,
        "max_residual": outcome.max_residual,
        "counterexample": outcome.counterexample,
        "explanation": outcome.explanation,
        "steps": outcome.steps,
        "scope": outcome.scope,
        "checks": outcome.parts,
    }


def claim_budget(claim: Claim, ctx: CheckContext) -> float:
    """The wall-clock safety net of a claim, in seconds: its ``timeout``, four times it when
    deep, and for property and conjecture claims scaled by the examples asked for over the
    claim's own."""
    budget = claim.timeout * (4 if ctx.deep else 1)
    if claim.kind in RANDOM_KINDS:
        budget *= max(1.0, ctx.examples / claim.examples)
    return budget


def run_claim(
    claim: Claim, *, seed: int = 0, examples: int | None = None, deep: bool = False
) -> ClaimResult:
    """Run one claim in a child process under its safety net (:func:`claim_budget`)."""
    ctx = CheckContext(seed=seed, examples=examples or claim.examples, deep=deep)
    budget = claim_budget(claim, ctx)
    start = time.monotonic()
    run = run_with_budget(_run_one, (claim, ctx), budget)
    seconds = round(time.monotonic() - start, 3)
    if run.messages:
        found = run.messages[0]
    elif run.timed_out:
        found = {
            "status": Status.ERROR,
            "method": WALL_CLOCK,
            "explanation": f"stopped by the {WALL_CLOCK} of {budget:g} s, a safety net against "
            "runaway computations, before its work budget was spent: no verdict",
        }
    elif run.crashed:
        found = {
            "status": Status.ERROR,
            "method": "crash",
            "explanation": "the check ended its process without reporting (os._exit, or a "
            f"crash of Python itself; {run.exit_status})",
        }
    else:
        found = {
            "status": Status.ERROR,
            "method": "crash",
            "explanation": f"the check raised {run.error or 'an unknown error'}",
        }
    status = Status(found["status"])
    return ClaimResult(
        id=claim.id,
        title=claim.title,
        source=claim.source,
        statement=claim.statement,
        kind=claim.kind,
        status=status,
        expected=claim.expected,
        ok=meets(status, claim.expected),
        seconds=seconds,
        method=found.get("method", ""),
        examples=found.get("examples"),
        max_residual=found.get("max_residual"),
        counterexample=found.get("counterexample"),
        explanation=found.get("explanation", ""),
        steps=found.get("steps", []),
        scope=Scope(found.get("scope", claim.scope)),
        statement_scope=claim.scope,
        checks=found.get("checks", []),
    )


@dataclass
class Report:
    """The results of a run, with the summary the JSON report and the table print."""

    results: list[ClaimResult]
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)
    #: the proof files that failed to load, whose claims are not in ``results``
    load_errors: list[LoadError] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every proof file loaded and every claim met its expectation."""
        return not self.load_errors and all(r.ok for r in self.results)

    def summary(self) -> dict[str, Any]:
        """``total``, ``ok`` (met, not open), ``failed``, ``open`` (met open claims),
        ``by_status``, ``by_scope`` (the scope each claim's evidence covered), ``narrower``
        (claims whose evidence covered less than their statement), ``load_errors`` (proof
        files that failed to load) and ``seconds``."""
        return {
            "total": len(self.results),
            "ok": sum(r.ok and r.expected != Expected.OPEN for r in self.results),
            "failed": sum(not r.ok for r in self.results),
            "open": sum(r.ok and r.expected == Expected.OPEN for r in self.results),
            "by_status": {str(s): sum(r.status == s for r in self.results) for s in Status},
            "by_scope": {str(s): sum(r.scope == s for r in self.results) for s in Scope},
            "narrower": sum(r.narrower for r in self.results),
            "load_errors": len(self.load_errors),
            "seconds": round(self.seconds, 3),
        }

    def to_json(self) -> dict[str, Any]:
        """The documented JSON report: ``{"claims": [...], "load_errors": [...], "summary":
        {...}, "settings": {...}}`` (``load_errors``: ``{"path", "error"}`` per proof file that
        failed to load; ``settings``: the ``seed``, ``examples`` (null: each claim's own),
        ``deep`` and the ``version`` of symtransport that ran)."""
        return {
            "claims": [asdict(r) for r in self.results],
            "load_errors": [{"path": str(e.path), "error": e.message} for e in self.load_errors],
            "summary": self.summary(),
            "settings": self.settings,
        }

    @classmethod
    def from_json(cls, data: Any) -> Report:
        """The report back from :meth:`to_json`'s output (e.g. ``check --json`` read back);
        :class:`~symtransport.InvalidArgument` when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
            raise InvalidArgument('not a symtransport report: expected {"claims": [...], ...}')
        results = [_result_from_json(i, row) for i, row in enumerate(data["claims"])]
        ids = [r.id for r in results]
        if len(set(ids)) != len(ids):
            raise InvalidArgument("the report names a claim twice")
        summary: dict[str, Any] = data["summary"] if isinstance(data.get("summary"), dict) else {}
        seconds = summary.get("seconds", 0.0)
        if not isinstance(seconds, _NUMBER) or isinstance(seconds, bool):
            raise InvalidArgument("summary.seconds of the report is not a number")
        settings: dict[str, Any] = (
            data["settings"] if isinstance(data.get("settings"), dict) else {}
        )
        errors = _load_errors_from_json(data.get("load_errors", []))
        return cls(results, _finite(seconds, "summary.seconds"), dict(settings), errors)


def _load_errors_from_json(rows: Any) -> list[LoadError]:
    """The ``load_errors`` of a JSON report (a report without them has none)."""
    if not isinstance(rows, list):
        raise InvalidArgument("load_errors of the report is not a list")
    errors = []
    for i, row in enumerate(rows):
        if not (
            isinstance(row, dict)
            and isinstance(row.get("path"), str)
            and isinstance(row.get("error"), str)
        ):
            raise InvalidArgument(
                f'load_errors[{i}] of the report is not {{"path": text, "error": text}}'
            )
        errors.append(LoadError(Path(row["path"]), row["error"]))
    return errors


def _finite(value: float, name: str) -> float:
    try:
        number = float(value)
    except OverflowError:
        raise InvalidArgument(f"{name} of the report is too large") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidArgument(f"{name} of the report is not a finite number")
    return number


_NUMBER = (int, float)
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "title": (str,),
    "source": (str,),
    "statement": (str,),
    "kind": (str,),
    "status": (str,),
    "expected": (str,),
    "ok": (bool,),
    "seconds": _NUMBER,
    "method": (str,),
    "examples": (int, type(None)),
    "max_residual": (*_NUMBER, type(None)),
    "counterexample": (dict, type(None)),
    "explanation": (str,),
    "steps": (list,),
    "scope": (str,),
    "statement_scope": (str,),
    "checks": (list,),
}


def _result_from_json(i: int, row: Any) -> ClaimResult:
    if not isinstance(row, dict):
        raise InvalidArgument(f"claims[{i}] of the report is not an object")
    values = {"steps": [], "checks": [], **{n: row[n] for n in _JSON_TYPES if n in row}}
    missing = [n for n in _JSON_TYPES if n not in values]
    if missing:
        raise InvalidArgument(f"claims[{i}] of the report lacks {', '.join(missing)}")
    for name, types in _JSON_TYPES.items():
        value = values[name]
        if not isinstance(value, types) or (name != "ok" and isinstance(value, bool)):
            raise InvalidArgument(f"claims[{i}].{name} of the report has the wrong type")
    for name in ("steps", "checks"):
        if not all(isinstance(s, dict) for s in values[name]):
            raise InvalidArgument(f"claims[{i}].{name} of the report is not a list of objects")
    if not CLAIM_ID.fullmatch(values["id"]):
        raise InvalidArgument(f"claims[{i}].id={values['id']!r} of the report is not a claim id")
    enums = (
        ("status", Status),
        ("expected", Expected),
        ("kind", Kind),
        ("scope", Scope),
        ("statement_scope", Scope),
    )
    for name, enum in enums:
        if values[name] not in {m.value for m in enum}:
            raise InvalidArgument(f"claims[{i}].{name}={values[name]!r} of the report is unknown")
        values[name] = enum(values[name])
    if values["status"] == Status.PROVED and not values["scope"].covers(values["statement_scope"]):
        raise InvalidArgument(
            f"claims[{i}] of the report is proved at {values['scope']} scope, narrower than its "
            f"statement's {values['statement_scope']}"
        )
    if values["ok"] != meets(values["status"], values["expected"]):
        raise InvalidArgument(
            f"claims[{i}].ok of the report contradicts its status and expected outcome"
        )
    values["seconds"] = _finite(values["seconds"], f"claims[{i}].seconds")
    if values["max_residual"] is not None:
        try:
            values["max_residual"] = float(values["max_residual"])
        except OverflowError:
            raise InvalidArgument(f"claims[{i}].max_residual of the report is too large") from None
    return ClaimResult(**values)


def default_jobs() -> int:
    """Claims run at once by default: one per CPU core."""
    return max(1, os.cpu_count() or 1)


def run_claims(
    claims: Sequence[Claim],
    *,
    seed: int = 0,
    examples: int | None = None,
    jobs: int | None = None,
    deep: bool = False,
    progress: Callable[[ClaimResult], None] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> Report:
    """Run ``claims``, ``jobs`` at a time (default: one per core), each in its own process.

    Results come back in the order of ``claims``; ``progress`` is called for each in that
    order. A property or conjecture asked for more than
    :data:`~symtransport._claims.shards.SHARD_EXAMPLES` examples runs in shards, which share
    the workers and are merged (:mod:`~symtransport._claims.shards`). A claim's verdict does
    not depend on what runs beside it: it is a function of the claim, the seed and the
    settings (only its wall-clock safety net can stop it, as ``error``). The claims run on the
    executor named ``executor`` (:func:`~symtransport._claims.executors.open_executor`:
    ``local``, the default, or ``dask`` at the ``scheduler`` address or on a ``LocalCluster``
    of ``jobs`` workers), whichever gives the same results.
    """
    from symtransport._claims.campaign import units_of
    from symtransport._claims.executors import open_executor, result_of, run_there

    start = time.monotonic()
    workers = jobs or default_jobs()
    if workers < 1:
        raise InvalidArgument(f"jobs={jobs!r} must be a positive integer")
    results = []
    with open_executor(executor, jobs=workers, scheduler=scheduler) as pool:
        # every shard of every claim is submitted first, so that they share the workers
        runs = [units_of([c], range(seed, seed + 1), examples, deep) for c in claims]
        futures = [[pool.submit(run_there, u.run) for u in units] for units in runs]
        for units, submitted in zip(runs, futures, strict=True):
            found = [result_of(f, u.label) for u, f in zip(units, submitted, strict=True)]
            result = merge([u.shard for u in units], found)
            results.append(result)
            if progress is not None:
                progress(result)
    settings = {"seed": seed, "examples": examples, "deep": deep, "version": __version__}
    return Report(results, time.monotonic() - start, settings)
