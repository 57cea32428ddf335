"""Checks for ``property``, ``conjecture`` and ``measurement`` claims.

* :func:`check_property`: a statement over random instances drawn by a Hypothesis strategy.
  ``holds`` may reject an instance with ``hypothesis.assume`` or by raising
  :class:`~symtransport.errors.UnsupportedError` (it is then not counted). No
  failing instance in the examples run is ``verified`` (never ``proved``); a failing one is
  shrunk by Hypothesis to a minimal counterexample and the result is ``refuted``.
* :func:`search_conjecture`: the same search, for a statement nobody has settled. A shrunk
  counterexample is ``refuted``; none found is ``undecided`` ("no counterexample in N
  examples"), never a pass.
* :class:`Excess`: what ``holds`` may return instead of a bool, to say how close an example
  came: how far it goes past the statement's bound (``value``; <= 0 when it holds) with an
  error bound on that value (``error``). The example is a (certified) counterexample exactly
  when ``value - error > 0``; an excess within its error bound is not one. An optional
  ``scale`` says what the excess is measured against: the search steers Hypothesis toward
  larger *relative* excesses ``value / scale`` (``hypothesis.target``), keeps the ``CLOSEST``
  examples of the largest relative excess seen before any failure (the outcome's
  ``measurements["closest"]``: rows ``{"value", "error", "relative", "example"}``, closest
  first; :func:`closest` ranks them), states the closest in an ``undecided`` explanation,
  and gives a counterexample's own excess (its certificate) as the counterexample's
  ``"excess"`` entry. Shrinking keeps only examples that are still certified
  counterexamples. A non-finite ``value``, an ``error`` that is negative or not finite, or a
  ``scale`` that is not finite and positive, is an
  :class:`~symtransport.errors.InvalidArgument`.
* :func:`measure`: a measured number against a stated bound; ``verified`` when the bound holds,
  ``refuted`` (value and bound as counterexample) when it does not.

Hypothesis runs with ``database=None`` and its storage folder (where it caches what it learns
of the source, ``./.hypothesis`` by default) in a temporary folder, so nothing is written into
the user's folder, with its draws of constants from local source files turned off (they
depend on which local modules are loaded, :func:`_no_local_constants`), and with a
``random.Random(seed)``, so a run is a deterministic function of the seed.
"""

from __future__ import annotations

import math
import numbers
import operator
import random
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, find, reject, settings, target
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory
from hypothesis.errors import NoSuchExample, Unsatisfiable, UnsatisfiedAssumption
from hypothesis.strategies import SearchStrategy

from symtransport._claims.outcome import Outcome
from symtransport._core.text import counted
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._verification.scope import Scope, as_scope
from symtransport.errors import InvalidArgument, UnsupportedError
from symtransport.status import Status

__all__ = ["CLOSEST", "Excess", "check_property", "closest", "measure", "search_conjecture"]

T = TypeVar("T")

# shrinking stops after this many further evaluations of ``holds`` (the example stays a
# counterexample); a count, not a clock, so that a run stays a function of the seed
SHRINK_CALLS = 500
# how many examples of the largest excess a search reports (measurements["closest"])
CLOSEST = 5

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
class Excess:
    """How far an example goes past a conjecture's bound, with an error bound on ``value``:
    ``value <= 0`` where the statement holds, and the example is a (certified) counterexample
    exactly when ``value - error > 0``. Returned by a ``holds`` in place of a bool (module
    docstring). ``value`` must be finite and ``error`` finite and ``>= 0``
    (:class:`~symtransport.errors.InvalidArgument` if not); both are stored as floats.

    ``scale`` (finite, ``> 0``; default 1): a size the excess is measured against, when its
    raw size says little (the entropy change of a shallow DAE tends to 0 with ``t`` for every
    mixture, so the raw excess is largest at tiny ``t``, whatever the mixture). Searches steer
    toward, and rank examples by, the :attr:`relative` excess ``value / scale``; the verdict
    does not use it."""

    value: float
    error: float = 0.0
    scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("value", "error", "scale"):
            given = getattr(self, name)
            if isinstance(given, bool) or not isinstance(given, numbers.Real):
                raise InvalidArgument(
                    f"Excess {name}={given!r} is a {type(given).__name__}; expected a real number"
                )
            object.__setattr__(self, name, float(given))
        if not math.isfinite(self.value):
            raise InvalidArgument(
                f"Excess value={self.value!r} is not finite: the check could not compute how "
                "far the example goes past the bound"
            )
        if not (math.isfinite(self.error) and self.error >= 0):
            raise InvalidArgument(
                f"Excess error={self.error!r}; expected a finite error bound >= 0"
            )
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise InvalidArgument(f"Excess scale={self.scale!r}; expected a finite size > 0")

    @property
    def relative(self) -> float:
        """``value / scale``: how close the example came, by which searches rank it."""
        return self.value / self.scale

    @property
    def certified(self) -> bool:
        """Whether the example is a counterexample: ``value - error > 0``."""
        return self.value - self.error > 0

    def __str__(self) -> str:
        return f"{self.value!r} +- {self.error!r}"


def _row(excess: Excess, example: str) -> dict[str, Any]:
    return {
        "value": excess.value,
        "error": excess.error,
        "relative": excess.relative,
        "example": example,
    }


def closest(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``CLOSEST`` rows of the largest ``relative`` excess (ties: the larger ``value -
    error``, then the earlier row), largest first: a search's ``measurements["closest"]``, and
    the closest of several searches' (the shards of a run)."""
    ranked = sorted(rows, key=lambda r: (-r["relative"], r["error"] - r["value"]))
    return ranked[:CLOSEST]


@dataclass(frozen=True)
class _Search:
    """What a search found: the shrunk counterexample (or None), the examples evaluated before
    the first failure, the draws rejected (``assume`` or an unsupported example), trouble;
    for a ``holds`` returning :class:`Excess`: the counterexample's excess and the rows of
    the largest excesses seen while searching (:func:`closest`)."""

    found: Any
    tried: int
    rejected: int
    trouble: str | None = None
    excess: Excess | None = None
    closest: tuple[dict[str, Any], ...] = ()

    def counted(self) -> str:
        rejected = f"{counted(self.rejected, 'draw')} rejected (assume() or not evaluable)"
        return counted(self.tried, "example") + (f"; {rejected}" if self.rejected else "")


@contextmanager
def _no_local_constants() -> Iterator[None]:
    """Hypothesis's draws of constants from local source turned off for the duration.

    Hypothesis (since 6.131) sometimes draws a constant found in the source of the *local*
    modules loaded in the process (not installed under ``site-packages``): which ones depends on
    how symtransport is installed (editable or not), on which of its modules the process has
    imported (the command line's, or only the proof layers on a Dask worker) and on the user's
    own files, so a search would not be a function of its seed (measured: the same search drew
    different examples once ``symtransport._cli`` was imported). Hypothesis has no setting for
    it; its provider reads ``providers._get_local_constants``, replaced here by an empty set
    (Hypothesis's own built-in constants stay). The constants cache, keyed without them, is
    cleared on entry and exit. A Hypothesis without this hook has nothing to turn off.
    """
    from hypothesis.internal.conjecture import providers

    collect = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if collect is None or not hasattr(providers, "Constants"):
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    if cache is not None:
        cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = collect
        if cache is not None:
            cache.clear()


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
    holds: Callable[[T], bool | Excess],
    strategy: SearchStrategy[T],
    examples: int,
    seed: int,
    shrink_calls: int = SHRINK_CALLS,
) -> _Search:
    """Run Hypothesis's ``find`` for a failing example. Shrinking stops after
    ``shrink_calls`` further evaluations of ``holds``: the smallest failing example found by
    then is reported (every reported example has failed ``holds``). ``holds`` returns a bool
    or an :class:`Excess` (failing when certified; module docstring)."""
    if not isinstance(examples, int) or examples < 1:
        raise InvalidArgument(f"examples={examples!r} must be a positive integer")
    if not isinstance(shrink_calls, int) or isinstance(shrink_calls, bool) or shrink_calls < 0:
        raise InvalidArgument(f"shrink_calls={shrink_calls!r} must be an integer >= 0")
    tried = rejected = 0
    shrinks: int | None = None  # evaluations since the first failure (None: none failed yet)
    verdicts: dict[str, bool] = {}  # what each example gave, for Hypothesis's final replay
    excesses: dict[str, Excess] = {}  # each failing example's excess (its certificate)
    rows: list[dict[str, Any]] = []  # the largest excesses seen while searching
    problem: InvalidArgument | None = None  # a bad Excess (or argument): the search stops

    def fails(example: T) -> bool:
        nonlocal tried, rejected, shrinks, rows, problem
        if problem is not None:
            raise problem  # Hypothesis replays and shrinks an error: evaluate nothing more
        key = describe(example)
        if shrinks is not None and (key in verdicts or shrinks >= shrink_calls):
            return verdicts.get(key, False)  # seen before, or budget spent: nothing new accepted
        searching = shrinks is None
        try:
            result = holds(example)
            if isinstance(result, Excess):
                failing = result.certified
                target(result.relative, label="relative excess")
                if failing:
                    excesses[key] = result
                if searching and key not in verdicts:  # each example once in ``rows``
                    rows = closest([*rows, _row(result, key)])
            else:
                failing = not result
        except AssertionError:
            failing = True
        except UnsatisfiedAssumption:
            rejected += searching
            raise
        except UnsupportedError:
            rejected += searching
            reject()  # the reference numerics cannot evaluate this example
        except InvalidArgument as exc:
            problem = exc
            raise
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
        with _private_storage(), _no_local_constants():
            found = find(strategy, fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        found = None
    except Unsatisfiable as exc:
        trouble = f"Hypothesis could not draw enough valid examples ({exc})"
        return _Search(None, tried, rejected, trouble, closest=tuple(rows))
    if found is None and tried < examples:
        trouble = f"only {tried} of the {counted(examples, 'example')} asked for could be evaluated"
        return _Search(None, tried, rejected, trouble, closest=tuple(rows))
    excess = None if found is None else excesses.get(describe(found))
    return _Search(found, tried, rejected, excess=excess, closest=tuple(rows))


def _measurements(search: _Search) -> dict[str, Any]:
    """``{"closest": rows}`` when ``holds`` gave excesses, else nothing."""
    return {"closest": [dict(row) for row in search.closest]} if search.closest else {}


def _refuted(search: _Search, method: str, what: str) -> Outcome:
    shown = describe(search.found)
    counterexample = {"example": shown}
    certificate = ""
    if search.excess is not None:
        counterexample["excess"] = str(search.excess)
        certificate = f" (excess {search.excess}, above its error bound)"
    return Outcome(
        Status.REFUTED,
        method,
        search.tried,
        counterexample=counterexample,
        explanation=f"the {what} fails at the (shrunk) example {shown}{certificate}, found "
        f"after {search.counted()}.",
        scope=Scope.SAMPLED,
        measurements=_measurements(search),
    )


def check_property(
    holds: Callable[[T], bool | Excess],
    strategy: SearchStrategy[T],
    *,
    examples: int,
    seed: int = 0,
    what: str = "property",
    shrink_calls: int = SHRINK_CALLS,
) -> Outcome:
    """``holds(example)`` (True, or no AssertionError; or an :class:`Excess` that is not
    certified) for ``examples`` random examples; a failing example is shrunk for at most
    ``shrink_calls`` evaluations. Fewer evaluable examples than asked for (too many rejected)
    is ``undecided``."""
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
    holds: Callable[[T], bool | Excess],
    strategy: SearchStrategy[T],
    *,
    examples: int,
    seed: int = 0,
    what: str = "conjecture",
    shrink_calls: int = SHRINK_CALLS,
) -> Outcome:
    """Search for a counterexample to ``holds``; none found is ``undecided``, not a proof. A
    counterexample is shrunk for at most ``shrink_calls`` evaluations. ``holds`` returns a
    bool (True: the statement holds at the example) or an :class:`Excess` (how close the
    example came; the outcome's ``measurements["closest"]`` then lists the closest
    examples)."""
    search = _search(holds, strategy, examples, seed, shrink_calls)
    if search.found is not None:
        return _refuted(search, "hypothesis search: shrunk counterexample", what)
    note = f"{search.trouble}; " if search.trouble else ""
    largest = ""
    if search.closest:
        top = search.closest[0]
        largest = (
            f"; closest: relative excess {top['relative']:.3g} (excess {top['value']:.3g} +- "
            f"{top['error']:.2g}) at {top['example']}"
        )
    return Outcome(
        Status.UNDECIDED,
        "hypothesis search",
        search.tried,
        explanation=f"{note}no counterexample in {search.counted()}{largest}.",
        scope=Scope.SAMPLED,
        measurements=_measurements(search),
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
