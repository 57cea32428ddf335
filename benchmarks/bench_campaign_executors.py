"""Benchmark: a campaign on Dask with 2 workers against 1, and Dask against the local pool.

Workload (issue 20): the claims matching ``--only`` (default ``shallow-dae-entropy-decrease``,
the open conjecture) for every seed of ``--seeds`` with ``--examples`` examples each, run by
:func:`~symtransport._claims.campaign.run_campaign` three times in one process, with the same
units each time:

* ``dask``, a ``LocalCluster`` of 1 worker, then of 2 workers (each worker single-threaded,
  each unit in its own child process): the ratio of the two is the speed-up (goal >= 1.8x on
  two idle cores);
* ``local``, the default pool of 2 processes: its ratio to Dask with 2 workers is Dask's
  overhead (a cluster's start, pickling, scheduling).

Every run must give the same statuses and counterexamples, unit for unit (checked). Times are
wall-clock and include starting the cluster. No store is used, so every unit runs each time.

    python benchmarks/bench_campaign_executors.py [--quick] [--seeds A:B] [--examples N]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from symtransport._claims.campaign import Campaign, parse_seeds, run_campaign
from symtransport._claims.runner import collect, select


def verdicts(campaign: Campaign) -> list[Any]:
    """The statuses and counterexamples of every unit, in (claim, seed) order."""
    return [
        (c.claim.id, seed, str(r.status), r.counterexample)
        for c in campaign.claims
        for seed, r in zip(c.seeds, c.results, strict=True)
    ]


def timed(claims: list[Any], seeds: range, examples: int, executor: str, jobs: int) -> Any:
    start = time.perf_counter()
    campaign = run_campaign(claims, seeds, examples=examples, jobs=jobs, executor=executor)
    return time.perf_counter() - start, campaign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="shallow-dae-entropy-decrease")
    parser.add_argument("--seeds", default="0:8", type=parse_seeds)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="seeds 0:4, 20 examples")
    args = parser.parse_args()
    seeds, examples = (range(0, 4), 20) if args.quick else (args.seeds, args.examples)
    claims = select(collect(), [args.only])
    units = len(claims) * len(seeds)
    print(f"{units} units: {args.only} x seeds {seeds.start}:{seeds.stop}, {examples} examples")
    one, first = timed(claims, seeds, examples, "dask", 1)
    two, second = timed(claims, seeds, examples, "dask", 2)
    local, third = timed(claims, seeds, examples, "local", 2)
    assert verdicts(first) == verdicts(second) == verdicts(third), "executors disagree"
    print(f"dask, 1 worker:   {one:8.2f} s")
    print(f"dask, 2 workers:  {two:8.2f} s   speed-up {one / two:.2f}x (goal >= 1.8x)")
    print(f"local, 2 jobs:    {local:8.2f} s   dask overhead {two / local:.2f}x")


if __name__ == "__main__":
    main()
