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

Expected outcomes (``EXPECTED``): ``holds`` is met by proved or verified; ``refuted`` (an
erratum as printed in the paper, id ``<id>-as-printed``) is met by refuted; ``open`` (nobody has
settled it) is met by undecided or refuted, and is counted apart from ``ok`` in summaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from symtransport.errors import InvalidArgument
from symtransport.outcome import Outcome, as_outcome
from symtransport.status import Status

__all__ = ["EXPECTED", "KINDS", "CheckContext", "Claim", "claim", "meets"]

KINDS: dict[str, str] = {
    "identity": "one identity, proved or checked numerically",
    "derivation": "a chain of equalities, each step checked",
    "property": "a numeric check over random instances, with an example count",
    "measurement": "a measured number compared with a stated bound",
    "conjecture": "a search for a counterexample",
}

EXPECTED: dict[str, frozenset[str]] = {
    "holds": frozenset({Status.PROVED, Status.VERIFIED}),
    "refuted": frozenset({Status.REFUTED}),
    "open": frozenset({Status.UNDECIDED, Status.REFUTED}),
}

CLAIM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # lowercase words joined by "-"


def meets(status: str, expected: str) -> bool:
    """Whether an outcome ``status`` meets the ``expected`` outcome (``error`` never does)."""
    return status in EXPECTED[expected]


@dataclass(frozen=True)
class CheckContext:
    """What a check function is given: the seed, the example count and a per-check budget.

    ``examples`` is the number of random examples property and conjecture claims should run
    (the claim's own default unless ``symtransport check --examples N`` overrides it);
    ``timeout`` is the budget in seconds to pass to each :func:`verify_identity` call;
    ``deep`` asks for the costly parts of a check (more dimensions, generic functions inside
    integrals), which ``symtransport check --deep`` turns on.
    """

    seed: int = 0
    examples: int = 20
    timeout: float = 30.0
    deep: bool = False


@dataclass(frozen=True)
class Claim:
    """A named, checkable statement; see the module docstring. ``timeout`` bounds the whole
    claim (seconds): past it the claim's status is ``error``."""

    id: str
    title: str
    source: str
    statement: str
    kind: str
    expected: str
    check: Callable[[CheckContext], Any]
    examples: int = 20
    timeout: float = 120.0
    module: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not CLAIM_ID.fullmatch(self.id):
            raise InvalidArgument(
                f"id={self.id!r}: claim ids are lowercase words joined by '-', e.g. 'dae-tweedie'"
            )
        if self.kind not in KINDS:
            raise InvalidArgument(
                f"kind={self.kind!r} for claim {self.id}; use one of {list(KINDS)}"
            )
        if self.expected not in EXPECTED:
            raise InvalidArgument(
                f"expected={self.expected!r} for claim {self.id}; use one of {list(EXPECTED)}"
            )
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
        """Run the check and normalise its result."""
        return as_outcome(self.check(ctx))


def claim(
    *,
    id: str,
    title: str,
    source: str,
    statement: str,
    kind: str,
    expected: str = "holds",
    examples: int = 20,
    timeout: float = 120.0,
) -> Callable[[Callable[[CheckContext], Any]], Claim]:
    """Decorator turning a check function ``f(ctx) -> result`` into a :class:`Claim`."""

    def wrap(check: Callable[[CheckContext], Any]) -> Claim:
        return Claim(
            id,
            title,
            source,
            statement,
            kind,
            expected,
            check,
            examples,
            timeout,
            getattr(check, "__module__", ""),
        )

    return wrap
