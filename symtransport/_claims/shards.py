"""Shards: the examples of a property or conjecture claim split into pieces of fixed size.

A check is a pure function of (claim, seed, settings). A property or conjecture claim asked for
``n`` examples is split into ``k = ceil(n / SHARD_EXAMPLES)`` shards of ``n // k`` or
``n // k + 1`` examples (:func:`plan`); shard ``i`` runs the claim's own check with ``i``'s
share of the examples and the seed :func:`shard_seed` ``(seed, i)``: the run's seed for shard 0,
a SHA-256 of ``(seed, i)`` for the others. The shards depend only on (claim, seed, examples),
never on the executor or on how many workers it has, so neither does the verdict
(:func:`merge`):

* a shard that ended in ``error`` makes the whole run ``error`` (no verdict);
* else a counterexample found in any shard refutes the claim: the first refuted shard (in
  shard order) is reported, with its counterexample as that shard's search shrank it and the
  shard's seed and example count, with which ``check --seed S --examples N`` replays it alone;
* else the weakest status of the shards (``undecided`` when a shard could not evaluate enough
  examples, or for a conjecture);
* examples are summed and ``max_residual`` is the largest of the shards'; a conjecture's
  ``closest`` examples (:func:`symtransport.search_conjecture`) are the closest of all shards,
  and the run is shown by the shard that came closest.

A run that fits in one shard (every claim's default example count does) is that one shard with
the run's own seed: its result is exactly what it was before shards.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from symtransport._claims.claims import RANDOM_KINDS, Claim
from symtransport._claims.properties import closest
from symtransport.status import Status, weakest

if TYPE_CHECKING:
    from symtransport._claims.runner import ClaimResult

__all__ = ["SHARD_EXAMPLES", "Shard", "merge", "plan", "shard_seed"]

#: the most examples one shard runs: a few seconds to a minute of work for the bundled
#: property and conjecture claims (~33 ms an example for the entropy conjecture), large enough
#: that the fixed cost of a unit (a child process, the search's control) stays small, small
#: enough that 2 workers share a campaign evenly
SHARD_EXAMPLES = 500


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``: ``examples`` examples (None: the claim's own count, for a
    run of one shard) drawn with ``seed``."""

    index: int
    count: int
    seed: int
    examples: int | None


def shard_seed(seed: int, index: int) -> int:
    """The seed of shard ``index`` of a run with ``seed``: ``seed`` itself for shard 0, else
    32 bits of the SHA-256 of ``"symtransport shard <seed> <index>"``."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"symtransport shard {seed} {index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def plan(claim: Claim, seed: int, examples: int | None) -> list[Shard]:
    """The shards of ``claim`` run with ``seed`` and ``examples`` (None: the claim's own
    count): one shard, with the run's seed, for claims that draw no examples and for counts up
    to :data:`SHARD_EXAMPLES`; else ``ceil(n / SHARD_EXAMPLES)`` shards of as equal sizes as
    can be (the first ``n % k`` one larger)."""
    n = examples or claim.examples
    if claim.kind not in RANDOM_KINDS or n <= SHARD_EXAMPLES:
        return [Shard(0, 1, seed, examples)]
    k = math.ceil(n / SHARD_EXAMPLES)
    return [Shard(i, k, shard_seed(seed, i), n // k + (i < n % k)) for i in range(k)]


def _decisive(statuses: Sequence[Status]) -> Status:
    """The status of a run from its shards': error, else refuted, else the weakest."""
    for status in (Status.ERROR, Status.REFUTED):
        if status in statuses:
            return status
    return weakest(statuses)


def _closest(parts: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The closest examples (:func:`~symtransport._claims.properties.closest`) among the
    parts' ``closest`` lists, or None when no part has one."""
    if not any("closest" in p.get("measurements", {}) for p in parts):
        return None
    return closest(row for p in parts for row in p.get("measurements", {}).get("closest", []))


def _top(parts: Sequence[dict[str, Any]]) -> float:
    """The largest relative excess among the parts' ``closest`` examples (-inf when they have
    none)."""
    rows = [r["relative"] for p in parts for r in p.get("measurements", {}).get("closest", [])]
    return max(rows, default=-math.inf)


def _pick(
    status: Status, deciding: Sequence[int], parts: Sequence[Sequence[dict[str, Any]]]
) -> int:
    """The shard that shows a run of ``status`` (among the ``deciding`` shards, which have it):
    the first, for an error or a refutation; else the one whose search came closest to a
    counterexample (the largest ``closest`` value), the first on ties."""
    if status in (Status.ERROR, Status.REFUTED):
        return deciding[0]
    return max(deciding, key=lambda i: (_top(parts[i]), -i))


def _merge_parts(shards: Sequence[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The parts (``checks``) of a run from its shards': position by position when every shard
    has the same number of parts. A part equal in every shard (a check that draws nothing from
    the seed) is kept once; the others are merged: status by :func:`_decisive`, examples
    summed, the largest residual, the explanation of the shard that decided it."""
    if len({len(parts) for parts in shards}) != 1:
        return list(shards[0])
    merged = []
    for same in zip(*shards, strict=True):
        if all(p == same[0] for p in same):
            merged.append(dict(same[0]))
            continue
        status = _decisive([Status(p["status"]) for p in same])
        deciding = [i for i, p in enumerate(same) if p["status"] == status]
        pick = _pick(status, deciding, [[p] for p in same])
        part = dict(same[pick])
        examples = [p["examples"] for p in same if p.get("examples") is not None]
        residuals = [p["max_residual"] for p in same if p.get("max_residual") is not None]
        part["examples"] = sum(examples) if examples else None
        part["max_residual"] = max(residuals) if residuals else None
        part["explanation"] = f"{part['explanation']} [shard {pick} of {len(same)}]"
        closest = _closest(same)
        if closest is not None:
            part["measurements"] = {**part.get("measurements", {}), "closest": closest}
        merged.append(part)
    return merged


def merge(shards: Sequence[Shard], results: Sequence[ClaimResult]) -> ClaimResult:
    """The result of a run from the results of its ``shards`` (see the module docstring); a
    run of one shard is its shard's result, unchanged."""
    if len(results) == 1:
        return results[0]
    status = _decisive([r.status for r in results])
    deciding = [i for i, r in enumerate(results) if r.status == status]
    pick = _pick(status, deciding, [r.checks for r in results])
    chosen, shard = results[pick], shards[pick]
    examples = [r.examples for r in results if r.examples is not None]
    residuals = [r.max_residual for r in results if r.max_residual is not None]
    total = sum(examples)
    where = (
        f"shard {shard.index} of {shard.count} (seed {shard.seed}, {shard.examples} examples; "
        f"{total} examples in all)"
    )
    counterexample = chosen.counterexample
    if counterexample is not None:
        counterexample = {**counterexample, "shard_seed": str(shard.seed)}
        counterexample["shard_examples"] = str(shard.examples)
    return replace(
        chosen,
        seconds=round(sum(r.seconds for r in results), 3),
        method=f"{chosen.method} ({shard.count} shards)",
        examples=total if examples else None,
        max_residual=max(residuals) if residuals else None,
        counterexample=counterexample,
        explanation=f"{where}: {chosen.explanation}",
        checks=_merge_parts([r.checks for r in results]),
    )
