"""Shards: a property or conjecture run with many examples is split into units of at most
``SHARD_EXAMPLES`` examples whose verdict does not depend on the executor or its workers."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest
from cli_helpers import run_main

from symtransport import collect
from symtransport._claims.properties import CLOSEST
from symtransport._claims.runner import ClaimResult, run_claims
from symtransport._claims.shards import SHARD_EXAMPLES, Shard, merge, plan, shard_seed
from symtransport.status import Status

PROOF = """
import hypothesis.strategies as st
from symtransport import Outcome, Status, check_property, claim, search_conjecture


@claim(id="every-fifth-seed", title="t", source="s", statement="x", kind="property",
       examples=10)
def every_fifth_seed(ctx):
    if ctx.seed % 5 == 0:
        return Outcome(Status.REFUTED, "search", ctx.examples,
                       counterexample={"x": str(ctx.seed)}, scope="sampled")
    return Outcome(Status.VERIFIED, "search", ctx.examples, scope="sampled")


@claim(id="no-multiple-of-fifty-minus-one", title="t", source="s", statement="x",
       kind="property", examples=10)
def no_multiple(ctx):
    return check_property(lambda x: x % 50 != 49, st.integers(0, 10**6),
                          examples=ctx.examples, seed=ctx.seed)


@claim(id="integers-are-small", title="t", source="s", statement="x", kind="conjecture",
       expected="open", examples=10)
def integers_are_small(ctx):
    return search_conjecture(lambda x: x < 10**7, st.integers(0, 10**6),
                             examples=ctx.examples, seed=ctx.seed)


@claim(id="an-identity", title="t", source="s", statement="x", kind="identity", examples=10)
def an_identity(ctx):
    return Outcome(Status.PROVED, "exact", scope="general")
"""


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    path = folder / "claims.py"
    path.write_text(textwrap.dedent(PROOF))
    return {c.id: c for c in collect([path])}


def test_a_run_that_fits_is_one_shard_with_the_runs_own_seed(claims):
    prop, identity = claims["every-fifth-seed"], claims["an-identity"]
    assert plan(prop, 7, None) == [Shard(0, 1, 7, None)]
    assert plan(prop, 7, SHARD_EXAMPLES) == [Shard(0, 1, 7, SHARD_EXAMPLES)]
    # a claim that draws no examples is never split, whatever --examples says
    assert plan(identity, 7, 10 * SHARD_EXAMPLES) == [Shard(0, 1, 7, 10 * SHARD_EXAMPLES)]


@pytest.mark.parametrize("examples", [SHARD_EXAMPLES + 1, 1200, 2000, 100_003])
def test_shards_depend_only_on_the_claim_the_seed_and_the_examples(claims, examples):
    shards = plan(claims["every-fifth-seed"], 3, examples)
    k = math.ceil(examples / SHARD_EXAMPLES)
    assert [s.index for s in shards] == list(range(k)) and {s.count for s in shards} == {k}
    sizes = [s.examples for s in shards]
    assert sum(sizes) == examples and max(sizes) <= SHARD_EXAMPLES
    assert max(sizes) - min(sizes) <= 1  # as even as can be
    seeds = [s.seed for s in shards]
    assert seeds[0] == 3 and len(set(seeds)) == k  # shard 0 keeps the run's seed
    assert plan(claims["every-fifth-seed"], 3, examples) == shards  # a function of its inputs
    assert [s.seed for s in plan(claims["every-fifth-seed"], 4, examples)] != seeds
    assert all(0 <= shard_seed(3, i) < 2**32 for i in range(k))


def result(status: Status, examples: int | None = 10, **fields) -> ClaimResult:
    values = {
        "id": "x",
        "title": "t",
        "source": "s",
        "statement": "x",
        "kind": "conjecture",
        "status": status,
        "expected": "open",
        "ok": status in (Status.UNDECIDED, Status.REFUTED),
        "seconds": 1.0,
        "method": "search",
        "examples": examples,
        "max_residual": None,
        "counterexample": None,
        "explanation": f"{status} here",
    }
    return ClaimResult(**(values | fields))


def part(status: str, examples: int | None, closest: list[float] | None = None, **more) -> dict:
    found = {"status": status, "scope": "sampled", "method": "search", "examples": examples}
    found |= {"max_residual": None, "explanation": f"{status} in {examples}"} | more
    if closest is not None:
        rows = [{"value": v, "error": 1e-9, "relative": v, "example": f"x = {v}"} for v in closest]
        found["measurements"] = {"closest": rows}
    return found


def shards_of(k: int) -> list[Shard]:
    return [Shard(i, k, shard_seed(0, i), 100) for i in range(k)]


def test_one_shard_is_its_own_result():
    alone = result(Status.VERIFIED)
    assert merge([Shard(0, 1, 0, None)], [alone]) is alone


def test_a_counterexample_in_any_shard_refutes_and_says_how_to_replay_it():
    found = [
        result(Status.UNDECIDED),
        result(Status.REFUTED, counterexample={"x": "3"}, explanation="fails at x = 3"),
        result(Status.REFUTED, counterexample={"x": "4"}),
    ]
    merged = merge(shards_of(3), found)
    assert merged.status == Status.REFUTED and merged.ok
    assert merged.counterexample == {
        "x": "3",
        "shard_seed": str(shard_seed(0, 1)),
        "shard_examples": "100",
    }
    assert merged.examples == 30 and merged.seconds == 3.0
    assert merged.explanation.startswith(f"shard 1 of 3 (seed {shard_seed(0, 1)}, 100 examples")
    assert merged.explanation.endswith("fails at x = 3") and "(3 shards)" in merged.method


def test_an_error_in_any_shard_is_no_verdict():
    found = [result(Status.REFUTED, counterexample={"x": "1"}), result(Status.ERROR, None)]
    merged = merge(shards_of(2), found)
    assert merged.status == Status.ERROR and not merged.ok
    assert merged.examples == 10  # the shards that reported examples


def test_verified_shards_stay_verified_and_an_undecided_one_weakens_the_run():
    two = merge(shards_of(2), [result(Status.VERIFIED, max_residual=1e-9)] * 2)
    assert two.status == Status.VERIFIED and two.examples == 20 and two.max_residual == 1e-9
    weaker = merge(shards_of(2), [result(Status.VERIFIED), result(Status.UNDECIDED)])
    assert weaker.status == Status.UNDECIDED


def test_parts_equal_in_every_shard_are_kept_once_and_searches_are_merged():
    fixed = part("proved", 0, explanation="an exact identity")
    shards = [
        [fixed, part("undecided", 100, [0.5, -1.0, -2.0])],
        [fixed, part("undecided", 100, [0.9, 0.1, -3.0, -4.0, -5.0, -6.0])],
        [fixed, part("undecided", 100, [0.2])],
    ]
    found = [result(Status.UNDECIDED, 100, checks=c) for c in shards]
    merged = merge(shards_of(3), found)
    exact, search = merged.checks
    assert exact == fixed  # not counted three times
    assert search["examples"] == 300
    closest = [row["value"] for row in search["measurements"]["closest"]]
    assert closest == [0.9, 0.5, 0.2, 0.1, -1.0][:CLOSEST]
    # the run is shown by the shard that came closest to a counterexample
    assert merged.explanation.startswith("shard 1 of 3")


def test_a_sharded_run_is_the_same_on_one_worker_or_two(claims):
    chosen = [claims["no-multiple-of-fifty-minus-one"], claims["integers-are-small"]]
    one = run_claims(chosen, seed=4, examples=1200, jobs=1)
    two = run_claims(chosen, seed=4, examples=1200, jobs=2)
    for a, b in zip(one.results, two.results, strict=True):
        assert {**a.__dict__, "seconds": 0} == {**b.__dict__, "seconds": 0}
    refuted, open_ = one.results
    assert refuted.status == Status.REFUTED
    assert int(refuted.counterexample["example"]) % 50 == 49  # shrunk as far as its budget went
    assert open_.status == Status.UNDECIDED and open_.examples == 1200
    assert "(3 shards)" in open_.method


def test_the_deciding_shard_replays_alone_with_its_seed_and_examples(claims, tmp_path, capfd):
    """A counterexample found in shard i > 0 is the one ``check --seed S --examples N``
    finds alone, with the seed and count the report gives."""
    claim = claims["every-fifth-seed"]
    # a seed whose shard 0 holds and a later shard refutes (every fifth seed does)
    seed = next(
        s
        for s in range(1000)
        if s % 5 and any(sh.seed % 5 == 0 for sh in plan(claim, s, 4 * SHARD_EXAMPLES))
    )
    path = Path(claims["every-fifth-seed"].check.path)
    args = ("check", str(path), "--only", "every-fifth-seed", "--json", "-")
    many = ("--seed", str(seed), "--examples", str(4 * SHARD_EXAMPLES))
    run = run_main(capfd, *args, *many, cwd=tmp_path)
    row = json.loads(run.stdout)["claims"][0]
    assert row["status"] == "refuted" and row["examples"] == 4 * SHARD_EXAMPLES
    shown = row["counterexample"]
    alone = ("--seed", shown["shard_seed"], "--examples", shown["shard_examples"])
    replay = run_main(capfd, *args, *alone, cwd=tmp_path)
    row = json.loads(replay.stdout)["claims"][0]
    assert row["status"] == "refuted" and row["counterexample"] == {"x": shown["x"]}
