"""Campaigns: every selected claim run for every seed of a range, with a resumable store.

A check is a pure function of (claim, seed, settings), so a campaign is a set of independent
*units* of work, one per (claim, seed, shard) (:mod:`~symtransport._claims.shards`: a property
or conjecture run with more than ``SHARD_EXAMPLES`` examples is split into shards), each run by
:func:`~symtransport._claims.runner.run_claim` with the same settings (``examples``, ``deep``).
:func:`run_campaign` runs them on an executor (one child process per unit, ``jobs`` at a time,
as ``symtransport check`` does), merges the shards of each (claim, seed) run, and reports per
claim how many seeds met its expectation, with every counterexample found.

With a :class:`ResultStore`, each finished unit is kept as one JSON file keyed by a hash of

* the claim's source: the bytes of the proof file that defines it (or of the file of its check
  function, for a claim built in Python),
* its settings: the claim id, the seed, the example count, the shard and ``deep``,
* and the environment (:func:`environment`): the version of symtransport, a hash of its own
  source (so that editing the library without a new version makes stored results stale) and
  the versions of SymPy, mpmath, NumPy, SciPy and Hypothesis,

written atomically (a temporary file, then :func:`os.replace`), so that a repeated run reuses
the finished units and an interrupted campaign resumes where it stopped. Units that ended in
``error`` (a wall-clock safety net, a crash) are no verdict and are never stored: a later run
tries them again.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from symtransport._claims.claims import Claim
from symtransport._claims.executors import open_executor, result_of, run_there
from symtransport._claims.runner import (
    ClaimResult,
    LoadError,
    Report,
    _FileCheck,
    _result_from_json,
    default_jobs,
    run_claim,
)
from symtransport._claims.shards import Shard, merge, plan
from symtransport._version import __version__
from symtransport.errors import InvalidArgument
from symtransport.status import Status

__all__ = [
    "DEPENDENCIES",
    "STORE_FORMAT",
    "Campaign",
    "ClaimSeeds",
    "ResultStore",
    "Unit",
    "environment",
    "parse_seeds",
    "run_campaign",
    "source_digest",
    "units_of",
]

#: the version of the store's file layout; a file of another format is not reused
STORE_FORMAT = 1

_SEEDS = re.compile(r"(\d+):(\d+)")


def parse_seeds(text: str) -> range:
    """The seeds ``A:B`` of a campaign: ``range(A, B)``, half-open as in Python (``0:10`` is the
    ten seeds 0, ..., 9), with ``0 <= A < B``; :class:`~symtransport.InvalidArgument` otherwise.
    """
    match = _SEEDS.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidArgument(
            f"seeds={text!r}: expected A:B, the seeds A, A+1, ..., B-1 (integers, 0 <= A < B), "
            "e.g. 0:100"
        )
    start, stop = int(match.group(1)), int(match.group(2))
    if start >= stop:
        raise InvalidArgument(
            f"seeds={text!r} is empty: A:B runs the seeds A, ..., B-1, so B must exceed A "
            f"(e.g. {start}:{start + 1})"
        )
    return range(start, stop)


def source_digest(claim: Claim) -> str:
    """The SHA-256 of the claim's source: the bytes of the proof file that defines it, or of the
    file of its check function; :class:`~symtransport.InvalidArgument` when there is none (a
    claim whose results cannot be told apart from an edited one's cannot be stored)."""
    check = claim.check
    if isinstance(check, _FileCheck):
        path: str | None = str(check.path)
    else:
        try:
            path = inspect.getsourcefile(check)
        except TypeError:
            path = None
    if path is not None:
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            pass
    try:
        return hashlib.sha256(inspect.getsource(check).encode()).hexdigest()
    except (OSError, TypeError):
        raise InvalidArgument(
            f"claim {claim.id!r}: the source of its check was not found, so its results cannot "
            "be stored; define it in a file"
        ) from None


#: the distributions whose versions a result may depend on (Hypothesis draws its examples, the
#: others compute): a store's results are reused only under the same versions
DEPENDENCIES = ("sympy", "mpmath", "numpy", "scipy", "hypothesis")


def environment() -> dict[str, Any]:
    """What a unit's result may depend on besides its claim and settings: the version of
    symtransport, a SHA-256 of its own source files (``*.py`` of the package, the bundled
    proofs left out, as each claim's own file is in its key), so that a change to the library
    without a new version still makes the stored results stale, and the versions of
    :data:`DEPENDENCIES`. Computed once per process (a copy is returned)."""
    return dict(_environment())


@functools.cache
def _environment() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "proofs":
            continue
        digest.update(str(relative.as_posix()).encode() + b"\0" + path.read_bytes() + b"\0")
    versions: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {"version": __version__, "library_sha256": digest.hexdigest(), "versions": versions}


@dataclass(frozen=True)
class Unit:
    """One unit of work: shard ``shard`` of ``claim`` run with ``seed`` and the settings
    (``examples``: the run's example count, None for the claim's own; ``deep``)."""

    claim: Claim
    seed: int
    shard: Shard
    examples: int | None = None
    deep: bool = False

    def settings(self) -> dict[str, Any]:
        """What the unit's result is a function of, besides the claim's source: the claim id,
        the seed, the example count, the shard (index and count), ``deep`` and the version."""
        return {
            "claim": self.claim.id,
            "seed": self.seed,
            "examples": self.examples or self.claim.examples,
            "shard": [self.shard.index, self.shard.count],
            "deep": self.deep,
            "version": __version__,
        }

    @property
    def label(self) -> str:
        """The unit in words, for messages: ``claim 'x' seed 3`` (``... shard 2`` for a shard
        of a split run)."""
        shard = f" shard {self.shard.index}" if self.shard.count > 1 else ""
        return f"claim {self.claim.id!r} seed {self.seed}{shard}"

    def run(self) -> ClaimResult:
        """The shard's result (:func:`~symtransport._claims.runner.run_claim` with the shard's
        seed and examples, in a child process)."""
        shard = self.shard
        return run_claim(self.claim, seed=shard.seed, examples=shard.examples, deep=self.deep)


def units_of(
    claims: Sequence[Claim], seeds: range, examples: int | None = None, deep: bool = False
) -> list[Unit]:
    """The units of running ``claims`` for every seed of ``seeds``: per claim, per seed, its
    shards (:func:`~symtransport._claims.shards.plan`)."""
    return [
        Unit(c, s, shard, examples, deep)
        for c in claims
        for s in seeds
        for shard in plan(c, s, examples)
    ]


class ResultStore:
    """Finished units kept as JSON files under ``folder``, one per unit:
    ``folder/<claim id>/seed-<seed>-<key>.json``, where ``key`` is a SHA-256 of the unit's
    settings and its claim's :func:`source_digest`. A file that does not read back as this
    unit's result (truncated, edited, another format) is not reused."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise InvalidArgument(f"store={str(self.folder)!r} is a file; give a folder")
        self._digests: dict[str, str] = {}

    def _identity(self, unit: Unit) -> dict[str, Any]:
        claim = unit.claim
        if claim.id not in self._digests:
            self._digests[claim.id] = source_digest(claim)
        return {
            **unit.settings(),
            "source_sha256": self._digests[claim.id],
            "environment": environment(),
        }

    def path(self, unit: Unit) -> Path:
        """The file of ``unit``'s result."""
        identity = json.dumps(self._identity(unit), sort_keys=True).encode()
        key = hashlib.sha256(identity).hexdigest()[:32]
        shard = f"-shard-{unit.shard.index}" if unit.shard.count > 1 else ""
        return self.folder / unit.claim.id / f"seed-{unit.seed}{shard}-{key}.json"

    def get(self, unit: Unit) -> ClaimResult | None:
        """The stored result of ``unit``, or None when there is none (or it does not read
        back)."""
        path = self.path(unit)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if (
            not isinstance(data, dict)
            or data.get("format") != STORE_FORMAT
            or data.get("unit") != self._identity(unit)
        ):
            return None
        try:
            return _result_from_json(0, data.get("result"))
        except InvalidArgument:
            return None

    def put(self, unit: Unit, result: ClaimResult) -> None:
        """Keep ``result`` as ``unit``'s, atomically: a reader sees the whole file or none."""
        path = self.path(unit)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"format": STORE_FORMAT, "unit": self._identity(unit), "result": asdict(result)},
            indent=1,
        )
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class ClaimSeeds:
    """The results of one claim over the seeds of a campaign, in seed order."""

    claim: Claim
    seeds: range
    results: list[ClaimResult]

    def __post_init__(self) -> None:
        if len(self.seeds) != len(self.results):
            raise InvalidArgument(
                f"claim {self.claim.id!r}: {len(self.results)} results for {len(self.seeds)} seeds"
            )

    def failures(self) -> list[tuple[int, ClaimResult]]:
        """The seeds that did not meet the expectation, with their results."""
        return [(s, r) for s, r in zip(self.seeds, self.results, strict=True) if not r.ok]

    @property
    def met(self) -> int:
        """How many seeds met the claim's expectation."""
        return sum(r.ok for r in self.results)

    @property
    def ok(self) -> bool:
        """Every seed met the claim's expectation."""
        return self.met == len(self.results)

    @property
    def representative(self) -> ClaimResult:
        """The row of the claim in the report: the first seed that did not meet the
        expectation, or the first seed when all did."""
        return next((r for r in self.results if not r.ok), self.results[0])

    def to_json(self) -> dict[str, Any]:
        """The representative row (:meth:`representative`) and the campaign fields:
        ``seeds_met``, ``seeds_total``, ``seeds_failed`` (the seeds that did not meet the
        expectation), ``by_status`` (seeds per status), ``counterexamples`` (every seed whose
        check found one: ``seed``, ``status``, ``ok``, ``counterexample``, ``explanation``) and
        ``seed`` (the representative row's)."""
        pairs = list(zip(self.seeds, self.results, strict=True))
        row = asdict(self.representative)
        row["seed"] = next(s for s, r in pairs if r is self.representative)
        row["seeds_met"] = self.met
        row["seeds_total"] = len(self.results)
        row["seeds_failed"] = [s for s, _ in self.failures()]
        row["by_status"] = {str(s): sum(r.status == s for r in self.results) for s in Status}
        row["counterexamples"] = [
            {
                "seed": s,
                "status": str(r.status),
                "ok": r.ok,
                "counterexample": r.counterexample,
                "explanation": r.explanation,
            }
            for s, r in pairs
            if r.counterexample is not None
        ]
        return row


@dataclass
class Campaign:
    """The results of a campaign: per claim, one result per seed; ``units``: the units of
    work (claim, seed, shard) it took, ``reused`` of them read from the store."""

    claims: list[ClaimSeeds]
    seeds: range
    seconds: float
    units: int
    reused: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    load_errors: list[LoadError] = field(default_factory=list)

    @property
    def runs(self) -> int:
        """Runs in the campaign (claim, seed): claims times seeds."""
        return len(self.claims) * len(self.seeds)

    @property
    def passed(self) -> bool:
        """Every proof file loaded and every seed met every claim's expectation."""
        return not self.load_errors and all(c.ok for c in self.claims)

    def report(self) -> Report:
        """The campaign as a :class:`~symtransport._claims.runner.Report` of one row per claim
        (:attr:`ClaimSeeds.representative`), for its summary, the LaTeX export and
        ``Report.from_json``."""
        rows = [c.representative for c in self.claims]
        return Report(rows, self.seconds, dict(self.settings), list(self.load_errors))

    def to_json(self) -> dict[str, Any]:
        """The JSON report of ``check`` (``claims``, ``load_errors``, ``summary``, ``settings``),
        each claim's row with the fields of :meth:`ClaimSeeds.to_json`, and ``campaign``:
        ``seeds`` ``[A, B]`` (half-open), ``runs`` (claims times seeds), ``runs_met`` (runs
        that met their claim's expectation), ``units`` (units of work: claim, seed, shard) and
        ``reused`` (units read from the store instead of run)."""
        data = self.report().to_json()
        data["claims"] = [c.to_json() for c in self.claims]
        data["campaign"] = {
            "seeds": [self.seeds.start, self.seeds.stop],
            "runs": self.runs,
            "runs_met": sum(c.met for c in self.claims),
            "units": self.units,
            "reused": self.reused,
        }
        return data


def run_campaign(
    claims: Sequence[Claim],
    seeds: range,
    *,
    examples: int | None = None,
    jobs: int | None = None,
    deep: bool = False,
    store: ResultStore | None = None,
    progress: Callable[[Unit, ClaimResult, bool], None] | None = None,
    reused: Callable[[int, int], None] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> Campaign:
    """Run every claim of ``claims`` for every seed of ``seeds``, ``jobs`` units at a time
    (default: one per core), each in its own process.

    With ``store``, units already in it are read back instead of run (``reused(k, n)`` is
    called first with their count ``k`` of ``n`` units), and each unit that finishes with a
    verdict is written to it at once, so that an interrupted campaign loses only the units that
    were running. ``progress(unit, result, from_store)`` is called for each unit as it is
    finished (in completion order); the shards of each (claim, seed) run are then merged
    (:func:`~symtransport._claims.shards.merge`). The units run on the executor named ``executor``
    (:func:`~symtransport._claims.executors.open_executor`: ``local``, or ``dask`` at the
    ``scheduler`` address or on a ``LocalCluster`` of ``jobs`` workers). The results do not
    depend on the executor, on ``jobs`` or on the order the units finish in.
    """
    if not isinstance(seeds, range) or len(seeds) == 0 or seeds.step != 1 or seeds.start < 0:
        raise InvalidArgument(f"seeds={seeds!r}: give range(A, B) with 0 <= A < B")
    workers = default_jobs() if jobs is None or (executor == "dask" and scheduler) else jobs
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InvalidArgument(f"jobs={jobs!r} must be a positive integer")
    start = time.monotonic()
    units = units_of(claims, seeds, examples, deep)
    done: dict[int, ClaimResult] = {}
    if store is not None:
        for i, unit in enumerate(units):
            found = store.get(unit)
            if found is not None:
                done[i] = found
    count = len(done)
    if reused is not None:
        reused(count, len(units))
    if progress is not None:
        for i in sorted(done):
            progress(units[i], done[i], True)
    # each unit runs in a child process of an executor's worker (a thread of the local pool)
    pending = [i for i in range(len(units)) if i not in done]
    if pending:
        with open_executor(executor, jobs=workers, scheduler=scheduler) as pool:
            futures = {pool.submit(run_there, units[i].run): i for i in pending}
            try:
                for future in as_completed(futures):
                    i = futures[future]
                    result = result_of(future, units[i].label)
                    done[i] = result
                    if store is not None and result.status != Status.ERROR:
                        store.put(units[i], result)
                    if progress is not None:
                        progress(units[i], result, False)
            except BaseException:
                # interrupted (Ctrl-C) or failed: start no further unit; the stored ones stay
                for future in futures:
                    future.cancel()
                raise
    runs: dict[tuple[str, int], list[int]] = {}  # the units of each run, in shard order
    for i, unit in enumerate(units):
        runs.setdefault((unit.claim.id, unit.seed), []).append(i)

    def merged(claim: Claim, seed: int) -> ClaimResult:
        shards = runs[claim.id, seed]
        return merge([units[i].shard for i in shards], [done[i] for i in shards])

    per_claim = [ClaimSeeds(c, seeds, [merged(c, s) for s in seeds]) for c in claims]
    settings = {
        "seed": seeds.start,
        "seeds": [seeds.start, seeds.stop],
        "examples": examples,
        "deep": deep,
        "executor": executor,
        "version": __version__,
    }
    return Campaign(per_claim, seeds, time.monotonic() - start, len(units), count, settings)
