"""The mutant enumeration of ``benchmarks/mutate_proofs.py`` (no proof is run here)."""

from __future__ import annotations

import ast
import importlib.util
import io
import sys
import tokenize
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "mutate_proofs.py"

SOURCE = '''"""A docstring with 1 + 2 * 3 in it."""
import sympy as sp
from symtransport import claim, verify_identity

x = sp.Symbol("x")


@claim(id="c-1", title="t + 1", examples=5 * 2, kind="identity")
def c(ctx):
    a = x**2 - 3 * x / 7  # a comment with 4 - 5
    xs = [x, x + 1]
    b = xs[0] + 8
    b += 9
    checks = [verify_identity(a, b, seed=3) for d in (1, 2, 3)]
    for k in range(4):
        checks.append(verify_identity(k * a, -b, points=11 - 1))
    label = f"{a + 12}"
    opts = {"seed": 13, "digits": 14, "scale": 15}
    tolerance = 16 * 17  # mutation: skip - a budget, not mathematics
    return [g(*xs, **opts) for g in [f for f in (18, 19)] if g != 20]


if __name__ == "__main__":
    raise SystemExit(run_script(21 + 22))
'''

EXPECTED = [  # (line, before, after) of every candidate of SOURCE
    (10, "2", "3"),
    (10, "-", "+"),
    (10, "3", "4"),
    (10, "*", "/"),
    (10, "/", "*"),
    (10, "7", "8"),
    (11, "+", "-"),
    (11, "1", "2"),
    (12, "+", "-"),
    (12, "8", "9"),
    (13, "+=", "-="),
    (13, "9", "10"),
    (16, "*", "/"),
    (16, "-", "+"),
    (18, "15", "16"),
    (20, "20", "21"),
]


@pytest.fixture(scope="module")
def mp() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate_proofs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def proof(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic_proof.py"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def test_candidates_are_exactly_the_mathematics(mp: ModuleType, proof: Path) -> None:
    found = [(m.line, m.before, m.after) for m in mp.enumerate_mutations(proof)]
    assert found == EXPECTED


def test_excluded_places_give_no_candidate(mp: ModuleType, proof: Path) -> None:
    lines = {m.line for m in mp.enumerate_mutations(proof)}
    # docstring, @claim(...), seed/timeout/for-iterable, range(4), f-string, options dict,
    # the skip marker and the __main__ block
    assert not lines & {1, 8, 14, 15, 17, 19, 23, 24}


def test_power_k_becomes_k_plus_one(mp: ModuleType, proof: Path) -> None:
    (power,) = [m for m in mp.enumerate_mutations(proof) if m.kind == "exponent"]
    assert (power.line, power.before, power.after) == (10, "2", "3")
    assert "a = x**3 - 3 * x / 7" in mp.apply_mutation(SOURCE, power)


def test_unary_minus_is_a_candidate_but_unpacking_stars_are_not(
    mp: ModuleType, proof: Path
) -> None:
    line = SOURCE.splitlines()[15]
    on_16 = [(m.col, m.before) for m in mp.enumerate_mutations(proof) if m.line == 16]
    # `k * a` and the unary sign of `-b`; `points=11 - 1` is a budget
    assert on_16 == [(line.index("k * a") + 2, "*"), (line.index("-b"), "-")]
    assert all(m.line != 20 or m.before != "*" for m in mp.enumerate_mutations(proof))


def _tokens(source: str) -> list[tuple[int, str]]:
    return [
        (t.type, t.string)
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in {tokenize.NL, tokenize.NEWLINE}
    ]


def test_each_mutation_changes_one_token_and_still_parses(mp: ModuleType, proof: Path) -> None:
    original = _tokens(SOURCE)
    mutations = mp.enumerate_mutations(proof)
    assert mutations
    for mutation in mutations:
        mutated = mp.apply_mutation(SOURCE, mutation)
        ast.parse(mutated)
        changed = _tokens(mutated)
        assert len(changed) == len(original), mutation
        diff = [(a, b) for a, b in zip(original, changed, strict=True) if a != b]
        assert diff == [((diff[0][0][0], mutation.before), (diff[0][0][0], mutation.after))]


def test_apply_rejects_a_stale_position(mp: ModuleType, proof: Path) -> None:
    mutation = mp.enumerate_mutations(proof)[0]
    with pytest.raises(ValueError):
        mp.apply_mutation(SOURCE.replace("x**2", "x**5"), mutation)


def test_list_prints_every_candidate(
    mp: ModuleType, proof: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mp.main(["--list", str(proof)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(EXPECTED)
    assert out[0].endswith(":10:12  '2' -> '3'")


def test_bundled_proofs_enumerate_and_parse(mp: ModuleType) -> None:
    for path in sorted((SCRIPT.parent.parent / "proofs").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for mutation in mp.enumerate_mutations(path, source):
            ast.parse(mp.apply_mutation(source, mutation))
