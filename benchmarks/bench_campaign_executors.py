"""Benchmark: a campaign on Dask with 2 workers against 1, and Dask against the local pool.

Workload (issue 20): the claims matching ``--only`` (default ``shallow-dae-entropy-decrease``,
the open conjecture) for every seed of ``--seeds`` (default ``0:1``) with ``--examples``
examples each (default 4000: 8 shards of 500), run by
:func:`~symtransport._claims.campaign.run_campaign` three times in one process, with the same
units each time:

* ``dask``, a ``LocalCluster`` of 1 worker, then of 2 workers (each worker single-threaded,
  each unit in its own child process): the ratio of the two is the speed-up (goal >= 1.8x on
  two idle cores);
* ``local``, the default pool of 2 processes: its ratio to Dask with 2 workers is Dask's
  overhead (a cluster's start, pickling, scheduling).

Every run must give the same statuses and counterexamples, run for run (checked). Times are
wall-clock and include starting the cluster. No store is used, so every unit runs each time.

``--check`` measures instead the default ``symtransport check`` (every bundled claim, default
settings, :func:`~symtransport._claims.runner.run_claims`) on the local pool and on a
``LocalCluster``, both with 2 workers: Dask's overhead on a run of many short claims.

    python benchmarks/bench_campaign_executors.py [--quick] [--seeds A:B] [--examples N]
    python benchmarks/bench_campaign_executors.py --check
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from symtransport._claims.campaign import Campaign, parse_seeds, run_campaign, units_of
from symtransport._claims.runner import Report, collect, run_claims, select


def verdicts(campaign: Campaign) -> list[Any]:
    """The statuses and counterexamples of every run, in (claim, seed) order."""
    return [
        (c.claim.id, seed, str(r.status), r.counterexample)
        for c in campaign.claims
        for seed, r in zip(c.seeds, c.results, strict=True)
    ]


def timed(claims: list[Any], seeds: range, examples: int, executor: str, jobs: int) -> Any:
    start = time.perf_counter()
    campaign = run_campaign(claims, seeds, examples=examples, jobs=jobs, executor=executor)
    return time.perf_counter() - start, campaign


def check_overhead() -> None:
    """The default check on the local pool and on a ``LocalCluster``, 2 workers each."""
    claims = collect()
    times: dict[str, float] = {}
    reports: dict[str, Report] = {}
    for executor in ("local", "dask"):
        start = time.perf_counter()
        reports[executor] = run_claims(claims, jobs=2, executor=executor)
        times[executor] = time.perf_counter() - start
    rows = {e: [(r.id, str(r.status)) for r in reports[e].results] for e in reports}
    assert rows["local"] == rows["dask"], "executors disagree"
    print(f"default check, {len(claims)} claims, 2 workers")
    print(f"local:            {times['local']:8.2f} s")
    ratio = times["dask"] / times["local"]
    print(f"dask:             {times['dask']:8.2f} s   dask overhead {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="shallow-dae-entropy-decrease")
    parser.add_argument("--seeds", default="0:1", type=parse_seeds)
    parser.add_argument("--examples", type=int, default=4000)
    parser.add_argument("--quick", action="store_true", help="seeds 0:4, 20 examples")
    parser.add_argument("--check", action="store_true", help="the default check instead")
    args = parser.parse_args()
    if args.check:
        check_overhead()
        return
    seeds, examples = (range(0, 4), 20) if args.quick else (args.seeds, args.examples)
    claims = select(collect(), [args.only])
    units = len(units_of(claims, seeds, examples))
    print(
        f"{units} units: {args.only} x seeds {seeds.start}:{seeds.stop}, {examples} examples "
        "a run (shards of at most 500)"
    )
    one, first = timed(claims, seeds, examples, "dask", 1)
    two, second = timed(claims, seeds, examples, "dask", 2)
    local, third = timed(claims, seeds, examples, "local", 2)
    assert verdicts(first) == verdicts(second) == verdicts(third), "executors disagree"
    print(f"dask, 1 worker:   {one:8.2f} s")
    print(f"dask, 2 workers:  {two:8.2f} s   speed-up {one / two:.2f}x (goal >= 1.8x)")
    print(f"local, 2 jobs:    {local:8.2f} s   dask overhead {two / local:.2f}x")


if __name__ == "__main__":
    main()
