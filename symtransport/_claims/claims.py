"""Claims: the results of the paper as checkable, named statements.

A proof script declares each claim with the :func:`claim` decorator on its check function::

    @claim(
        id="score-divergence-laplacian",
        title="The score flux is the Laplacian",
        source="[J] proof of Thm 6, eq. (18)",
        statement=r"\\nabla\\cdot(\\mu\\nabla\\log\\mu) = \\triangle\\mu",
        kind="identity",
        expected="holds",
    )
    def score_divergence_laplacian(ctx: CheckContext) -> IdentityCheck:
        ...
        return verify_identity(lhs, rhs, seed=ctx.seed, timeout=ctx.timeout)

The decorated name is a :class:`Claim`; ``symtransport check`` collects every claim defined at
module level in the files it is given.

Kinds (``KINDS``): ``identity`` (one identity), ``derivation`` (a chain of equalities),
``property`` (a numeric check over random instances, with an example count), ``measurement``
(a measured number against a stated bound), ``conjecture`` (a search for a counterexample).

Scope (:mod:`symtransport._verification.scope`): what the statement quantifies over, ``general``
(the default: every density, every parameter), ``family``, ``instances`` or ``sampled``. A claim
is ``proved`` only when a check at its statement's scope is proved; proofs that cover less
cap it at ``verified`` (:func:`symtransport._claims.outcome.cap`).

Expected outcomes (``EXPECTED``): ``holds`` is met by proved or verified; ``refuted`` (an
erratum as printed in the paper, id ``<id>-as-printed``) is met by refuted; ``open`` (nobody has
settled it) is met by undecided or refuted, and is counted apart from ``ok`` in summaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from symtransport._claims.outcome import Outcome, as_outcome, cap
from symtransport._verification.scope import Scope, as_scope
from symtransport._verification.verify import SAFETY_NET
from symtransport.errors import InvalidArgument
from symtransport.status import Status

__all__ = [
    "EXPECTED",
    "KINDS",
    "RANDOM_KINDS",
    "CheckContext",
    "Claim",
    "Expected",
    "Kind",
    "claim",
    "meets",
]


class Kind(StrEnum):
    """What sort of statement a claim is; the values are part of the JSON contract."""

    IDENTITY = "identity"
    DERIVATION = "derivation"
    PROPERTY = "property"
    MEASUREMENT = "measurement"
    CONJECTURE = "conjecture"


class Expected(StrEnum):
    """The outcome a claim is expected to have; the values are part of the JSON contract."""

    HOLDS = "holds"
    REFUTED = "refuted"
    OPEN = "open"


KINDS: dict[Kind, str] = {
    Kind.IDENTITY: "one identity, proved or checked numerically",
    Kind.DERIVATION: "a chain of equalities, each step checked",
    Kind.PROPERTY: "a numeric check over random instances, with an example count",
    Kind.MEASUREMENT: "a measured number compared with a stated bound",
    Kind.CONJECTURE: "a search for a counterexample",
}

EXPECTED: dict[Expected, frozenset[Status]] = {
    Expected.HOLDS: frozenset({Status.PROVED, Status.VERIFIED}),
    Expected.REFUTED: frozenset({Status.REFUTED}),
    Expected.OPEN: frozenset({Status.UNDECIDED, Status.REFUTED}),
}

#: the kinds whose checks draw random examples (their budgets scale with ``--examples``)
RANDOM_KINDS = frozenset({Kind.PROPERTY, Kind.CONJECTURE})

E = TypeVar("E", bound=StrEnum)

#: default wall-clock safety net of a whole claim, in seconds (over ten times the slowest
#: bundled claim on an idle 2-core machine)
CLAIM_SAFETY_NET = 900.0

CLAIM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # lowercase words joined by "-"


def _member(enum: type[E], value: object, name: str, claim_id: str) -> E:
    """``value`` as a member of ``enum``, or :class:`InvalidArgument` listing the members."""
    for member in enum:
        if isinstance(value, str) and value == member.value:
            return member
    raise InvalidArgument(
        f"{name}={value!r} for claim {claim_id}; use one of {[m.value for m in enum]}"
    )


def meets(status: Status | str, expected: Expected | str) -> bool:
    """Whether an outcome ``status`` meets the ``expected`` outcome (``error`` never does)."""
    return Status(status) in EXPECTED[Expected(expected)]


@dataclass(frozen=True)
class CheckContext:
    """What a check function is given: the seed, the example count and a per-check budget.

    ``examples`` is the number of random examples property and conjecture claims should run
    (the claim's own default unless ``symtransport check --examples N`` overrides it);
    ``timeout`` is the wall-clock safety net in seconds to pass to each
    :func:`verify_identity` call (it never decides a verdict: a check it stops is ``error``);
    ``deep`` asks for the costly parts of a check (more dimensions, generic functions inside
    integrals), which ``symtransport check --deep`` turns on.
    """

    seed: int = 0
    examples: int = 20
    timeout: float = SAFETY_NET
    deep: bool = False


@dataclass(frozen=True)
class Claim:
    """A named, checkable statement; see the module docstring. ``timeout`` is the whole
    claim's wall-clock safety net (seconds): past it the claim's status is ``error``. Verdicts
    are decided by work budgets, never by it."""

    id: str
    title: str
    source: str
    statement: str
    kind: Kind
    expected: Expected
    check: Callable[[CheckContext], Any]
    examples: int = 20
    timeout: float = CLAIM_SAFETY_NET
    module: str = ""
    scope: Scope = Scope.GENERAL

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not CLAIM_ID.fullmatch(self.id):
            raise InvalidArgument(
                f"id={self.id!r}: claim ids are lowercase words joined by '-', e.g. 'dae-tweedie'"
            )
        object.__setattr__(self, "kind", _member(Kind, self.kind, "kind", self.id))
        object.__setattr__(self, "expected", _member(Expected, self.expected, "expected", self.id))
        object.__setattr__(self, "scope", as_scope(self.scope, f"scope of claim {self.id}"))
        for name in ("title", "source", "statement"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InvalidArgument(
                    f"{name}={getattr(self, name)!r} for claim {self.id}: give text"
                )
        control = [c for c in self.statement if ord(c) < 32 and c != "\n"]
        if control:
            raise InvalidArgument(
                f"statement of claim {self.id} holds the control character {control[0]!r}; "
                "write LaTeX in a raw string, r'\\frac{..}', so that \\f, \\b and \\t "
                "stay commands"
            )
        if not isinstance(self.examples, int) or self.examples < 1:
            raise InvalidArgument(
                f"examples={self.examples!r} for claim {self.id}: a positive integer"
            )
        if not self.timeout > 0:
            raise InvalidArgument(f"timeout={self.timeout!r} for claim {self.id}: positive seconds")
        if not callable(self.check):
            raise InvalidArgument(f"check={self.check!r} for claim {self.id} is not callable")

    def run(self, ctx: CheckContext) -> Outcome:
        """Run the check, normalise its result and hold it to the statement's scope."""
        return cap(as_outcome(self.check(ctx)), self.scope)


def claim(
    *,
    id: str,
    title: str,
    source: str,
    statement: str,
    kind: Kind | str,
    expected: Expected | str = Expected.HOLDS,
    examples: int = 20,
    timeout: float = CLAIM_SAFETY_NET,
    scope: Scope | str = Scope.GENERAL,
) -> Callable[[Callable[[CheckContext], Any]], Claim]:
    """Decorator turning a check function ``f(ctx) -> result`` into a :class:`Claim`;
    ``scope`` is the scope of its statement (module docstring)."""

    def wrap(check: Callable[[CheckContext], Any]) -> Claim:
        return Claim(
            id,
            title,
            source,
            statement,
            _member(Kind, kind, "kind", id),
            _member(Expected, expected, "expected", id),
            check,
            examples,
            timeout,
            getattr(check, "__module__", ""),
            as_scope(scope, f"scope of claim {id}"),
        )

    return wrap
