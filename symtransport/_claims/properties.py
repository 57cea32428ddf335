"""Checks for ``property``, ``conjecture`` and ``measurement`` claims.

* :func:`check_property`: a statement over random instances drawn by a Hypothesis strategy.
  ``holds`` may reject an instance with ``hypothesis.assume`` or by raising
  :class:`~symtransport.errors.UnsupportedError` (it is then not counted). No
  failing instance in the examples run is ``verified`` (never ``proved``); a failing one is
  shrunk by Hypothesis to a minimal counterexample and the result is ``refuted``.
* :func:`search_conjecture`: the same search, for a statement nobody has settled. A shrunk
  counterexample is ``refuted``; none found is ``undecided`` ("no counterexample in N
  examples"), never a pass.
* :func:`measure`: a measured number against a stated bound; ``verified`` when the bound holds,
  ``refuted`` (value and bound as counterexample) when it does not.

Hypothesis runs with ``database=None`` and its storage folder (where it caches what it learns
of the source, ``./.hypothesis`` by default) in a temporary folder, so nothing is written into
the user's folder, and with a ``random.Random(seed)`` so a run is a deterministic function of
the seed.
"""

from __future__ import annotations

import operator
import random
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, find, reject, settings
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory
from hypothesis.errors import NoSuchExample, Unsatisfiable, UnsatisfiedAssumption
from hypothesis.strategies import SearchStrategy

from symtransport._claims.outcome import Outcome
from symtransport._core.text import counted
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._verification.scope import Scope, as_scope
from symtransport.errors import InvalidArgument, UnsupportedError
from symtransport.status import Status

__all__ = ["check_property", "measure", "search_conjecture"]

T = TypeVar("T")

# shrinking stops after this many further evaluations of ``holds`` (the example stays a
# counterexample); a count, not a clock, so that a run stays a function of the seed
SHRINK_CALLS = 500

_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}


def _number(value: Any) -> str:
    return repr(float(value)) if isinstance(value, sp.Expr) and value.is_number else str(value)


def describe(value: Any) -> str:
    """A readable form of a drawn example: ``0.3 N([0.0], [[1.0]]) + 0.7 N(...)`` for
    mixtures, plain lists for arrays and matrices, ``repr`` otherwise."""
    if isinstance(value, Gaussian):
        mean = [_number(v) for v in value.mean]
        cov = [[_number(v) for v in row] for row in value.cov.tolist()]
        return f"N([{', '.join(mean)}], [{', '.join('[' + ', '.join(r) + ']' for r in cov)}])"
    if isinstance(value, GaussianMixture):
        return " + ".join(
            f"{_number(w)} {describe(c)}"
            for w, c in zip(value.weights, value.components, strict=True)
        )
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    if isinstance(value, tuple):
        return "(" + ", ".join(describe(v) for v in value) + ")"
    return repr(value)


@dataclass(frozen=True)
class _Search:
    """What a search found: the shrunk counterexample (or None), the examples evaluated before
    the first failure, the draws rejected (``assume`` or an unsupported example), trouble."""

    found: Any
    tried: int
    rejected: int
    trouble: str | None = None

    def counted(self) -> str:
        rejected = f"{counted(self.rejected, 'draw')} rejected (assume() or not evaluable)"
        return counted(self.tried, "example") + (f"; {rejected}" if self.rejected else "")


@contextmanager
def _private_storage() -> Iterator[None]:
    """Hypothesis's storage folder moved into a temporary folder for the duration: even with
    ``database=None`` it caches the constants of the local modules' source (and Unicode
    tables) there, by default in ``./.hypothesis``, the user's folder."""
    home: Any = storage_directory(intent_to_write=False)
    previous = getattr(home, "home_directory", home)  # a plain Path before Hypothesis 6.152
    with tempfile.TemporaryDirectory(prefix="symtransport-hypothesis-") as folder:
        set_hypothesis_home_dir(folder)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)


def _search(
    holds: Callable[[T], bool],
    strategy: SearchStrategy[T],
    examples: int,
    seed: int,
    shrink_calls: int = SHRINK_CALLS,
) -> _Search:
    """Run Hypothesis's ``find`` for a failing example. Shrinking stops after
    ``shrink_calls`` further evaluations of ``holds``: the smallest failing example found by
    then is reported (every reported example has failed ``holds``)."""
    if not isinstance(examples, int) or examples < 1:
        raise InvalidArgument(f"examples={examples!r} must be a positive integer")
    if not isinstance(shrink_calls, int) or isinstance(shrink_calls, bool) or shrink_calls < 0:
        raise InvalidArgument(f"shrink_calls={shrink_calls!r} must be an integer >= 0")
    tried = rejected = 0
    shrinks: int | None = None  # evaluations since the first failure (None: none failed yet)
    verdicts: dict[str, bool] = {}  # what each example gave, for Hypothesis's final replay

    def fails(example: T) -> bool:
        nonlocal tried, rejected, shrinks
        key = describe(example)
        if shrinks is not None and (key in verdicts or shrinks >= shrink_calls):
            return verdicts.get(key, False)  # seen before, or budget spent: nothing new accepted
        searching = shrinks is None
        try:
            failing = not holds(example)
        except AssertionError:
            failing = True
        except UnsatisfiedAssumption:
            rejected += searching
            raise
        except UnsupportedError:
            rejected += searching
            reject()  # the reference numerics cannot evaluate this example
        verdicts[key] = failing
        if searching:
            tried += 1
            if failing:
                shrinks = 0
        else:
            shrinks = (shrinks or 0) + 1
        return failing

    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # no explain phase: after shrinking, it re-runs ``holds`` on about a hundred variations
        # of each part of the counterexample (and traces the shrinking) only to annotate a
        # printed report, which ``find`` never prints; the verdict and the shrunk
        # counterexample are found before it
        phases=[p for p in Phase if p is not Phase.explain],
    )
    try:
        with _private_storage():
            found = find(strategy, fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        found = None
    except Unsatisfiable as exc:
        trouble = f"Hypothesis could not draw enough valid examples ({exc})"
        return _Search(None, tried, rejected, trouble)
    if found is None and tried < examples:
        trouble = f"only {tried} of the {counted(examples, 'example')} asked for could be evaluated"
        return _Search(None, tried, rejected, trouble)
    return _Search(found, tried, rejected)


def _refuted(search: _Search, method: str, what: str) -> Outcome:
    shown = describe(search.found)
    return Outcome(
        Status.REFUTED,
        method,
        search.tried,
        counterexample={"example": shown},
        explanation=f"the {what} fails at the (shrunk) example {shown}, found after "
        f"{search.counted()}.",
        scope=Scope.SAMPLED,
    )


def check_property(
    holds: Callable[[T], bool],
    strategy: SearchStrategy[T],
    *,
    examples: int,
    seed: int = 0,
    what: str = "property",
    shrink_calls: int = SHRINK_CALLS,
) -> Outcome:
    """``holds(example)`` (True, or no AssertionError) for ``examples`` random examples; a
    failing example is shrunk for at most ``shrink_calls`` evaluations. Fewer evaluable
    examples than asked for (too many rejected) is ``undecided``."""
    search = _search(holds, strategy, examples, seed, shrink_calls)
    if search.found is not None:
        return _refuted(search, "hypothesis: shrunk counterexample", what)
    if search.trouble:
        note = f"{search.trouble} ({search.counted()})."
        return Outcome(
            Status.UNDECIDED, "hypothesis", search.tried, explanation=note, scope=Scope.SAMPLED
        )
    every = "all " if search.tried > 1 else ""
    return Outcome(
        Status.VERIFIED,
        f"hypothesis: {counted(search.tried, 'example')}",
        search.tried,
        explanation=f"the {what} held at {every}{search.counted()}.",
        scope=Scope.SAMPLED,
    )


def search_conjecture(
    holds: Callable[[T], bool],
    strategy: SearchStrategy[T],
    *,
    examples: int,
    seed: int = 0,
    what: str = "conjecture",
    shrink_calls: int = SHRINK_CALLS,
) -> Outcome:
    """Search for a counterexample to ``holds``; none found is ``undecided``, not a proof. A
    counterexample is shrunk for at most ``shrink_calls`` evaluations."""
    search = _search(holds, strategy, examples, seed, shrink_calls)
    if search.found is not None:
        return _refuted(search, "hypothesis search: shrunk counterexample", what)
    note = f"{search.trouble}; " if search.trouble else ""
    return Outcome(
        Status.UNDECIDED,
        "hypothesis search",
        search.tried,
        explanation=f"{note}no counterexample in {search.counted()}.",
        scope=Scope.SAMPLED,
    )


def measure(
    value: float,
    bound: float,
    relation: str = "<=",
    *,
    what: str = "value",
    scope: Scope | str = Scope.INSTANCES,
    interval: float | None = None,
    data: Mapping[str, Any] | None = None,
) -> Outcome:
    """Compare a measured ``value`` with a stated ``bound`` (``value <relation> bound``);
    ``scope``: what the measurement covered (fixed examples by default).

    ``interval``: the half-width of a confidence interval around ``value`` (a noisy
    measurement: Monte Carlo, trained networks). The verdict then needs the whole interval:
    ``verified`` when every value in ``value +- interval`` satisfies the relation, ``refuted``
    when none does, and ``undecided`` when the interval straddles the bound. ``data``: the
    measured numbers, JSON-native, kept in the outcome's ``measurements`` (and in its part of
    the report's ``checks``)."""
    if relation not in _RELATIONS:
        raise InvalidArgument(f"relation={relation!r}; use one of {list(_RELATIONS)}")
    half = 0.0 if interval is None else float(interval)
    if not half >= 0:
        raise InvalidArgument(f"interval={interval!r}: a non-negative half-width")
    holds = _RELATIONS[relation]
    shown = f"{value:.6g}" if interval is None else f"{value:.6g} +- {half:.2g}"
    text = f"{what} = {shown} (bound: {relation} {bound:.6g})"
    low, high = holds(value - half, bound), holds(value + half, bound)
    if low and high:
        status, verdict = Status.VERIFIED, "within the bound"
    elif low or high:
        status, verdict = Status.UNDECIDED, "the interval straddles the bound"
    else:
        status, verdict = Status.REFUTED, "the bound does not hold"
    counterexample = None
    if status == Status.REFUTED:
        counterexample = {what: repr(value), "bound": f"{relation} {bound!r}"}
        if interval is not None:
            counterexample["interval"] = f"+- {half!r}"
    return Outcome(
        status,
        "measurement",
        counterexample=counterexample,
        explanation=f"{text}: {verdict}.",
        scope=as_scope(scope),
        measurements=dict(data or {}),
    )
