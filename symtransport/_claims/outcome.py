"""Outcomes: what a claim's check produced, in one JSON-native shape.

A claim's check function may return an :class:`~symtransport._verification.verify.IdentityCheck`, a
:class:`~symtransport._verification.derivation.Derivation`, an :class:`Outcome`, or a list of these
(the claim then holds only as strongly as its weakest part). :func:`as_outcome` turns any of them
into an :class:`Outcome`; :func:`cap` then holds it to the scope of the claim's statement
(:mod:`symtransport._verification.scope`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from symtransport._verification.derivation import Derivation
from symtransport._verification.scope import Scope, as_scope, widest
from symtransport._verification.verify import IdentityCheck
from symtransport.errors import InvalidArgument
from symtransport.status import Status, weakest

__all__ = ["Outcome", "as_outcome", "cap"]


@dataclass(frozen=True)
class Outcome:
    """The result of a claim's check.

    ``status``: proved, verified, refuted, undecided, or error (no verdict: a crash or the
    wall-clock safety net). ``method``: how it was decided.
    ``examples``: random instances evaluated (numeric points or property examples).
    ``max_residual``: the largest relative residual seen, if any. ``counterexample``: None, or
    names mapped to values as strings. ``explanation``: a sentence or two. ``steps``: for
    derivations, the JSON steps (``expr``, ``latex``, ``reason``, ``status``, ``scope``).
    ``scope``: what the evidence covered (:mod:`symtransport._verification.scope`; ``instances``
    unless said). ``checks``: one JSON object per part (``status``, ``scope``, ``method``,
    ``examples``, ``max_residual``, ``explanation``); empty for a single check, which is its
    own part (:attr:`parts`). ``measurements``: for measurements, the measured numbers
    (JSON-native: values, intervals, fitted slopes), also kept in the outcome's part.
    """

    status: Status
    method: str
    examples: int | None = None
    max_residual: float | None = None
    counterexample: dict[str, str] | None = None
    explanation: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    scope: Scope = Scope.INSTANCES
    checks: list[dict[str, Any]] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "scope", as_scope(self.scope))
        if self.max_residual is not None:
            residual = float(self.max_residual)
            # JSON has no infinity: an unbounded residual is reported as null (the status and
            # the counterexample carry the verdict)
            object.__setattr__(self, "max_residual", residual if math.isfinite(residual) else None)
        if self.counterexample is not None:
            object.__setattr__(
                self, "counterexample", {str(k): str(v) for k, v in self.counterexample.items()}
            )

    @property
    def parts(self) -> list[dict[str, Any]]:
        """The checks this outcome summarises, as JSON objects (itself when it is one)."""
        if self.checks:
            return self.checks
        part = {
            "status": str(self.status),
            "scope": str(self.scope),
            "method": self.method,
            "examples": self.examples,
            "max_residual": self.max_residual,
            "explanation": self.explanation,
        }
        return [part | {"measurements": self.measurements} if self.measurements else part]


def _evidence_scope(statuses: Sequence[Status], scopes: Sequence[Scope]) -> Scope:
    """The scope of the evidence behind the weakest status: every part's when all hold (each
    supports the statement), else that of the parts that decided (a counterexample's)."""
    status = weakest(statuses)
    if status.holds:
        return widest(scopes)
    return widest(sc for st, sc in zip(statuses, scopes, strict=True) if st == status)


def _from_check(check: IdentityCheck) -> Outcome:
    return Outcome(
        check.status,
        check.method,
        check.points,
        check.residual,
        check.counterexample,
        check.explanation,
        scope=check.scope,
    )


def _from_derivation(d: Derivation) -> Outcome:
    checks = d.checks
    status = weakest(c.status for c in checks)
    counts = {s: sum(c.status == s for c in checks) for s in Status}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    weakest_step = next(i for i, c in enumerate(checks, 1) if c.status == status)
    residuals = [c.residual for c in checks if c.residual is not None]
    return Outcome(
        status,
        f"derivation of {len(checks)} steps ({summary})",
        sum(c.points for c in checks),
        max(residuals) if residuals else None,
        checks[weakest_step - 1].counterexample,
        f"weakest step {weakest_step}: {checks[weakest_step - 1].explanation}",
        d.to_json(),
        _evidence_scope([c.status for c in checks], [c.scope for c in checks]),
        [p for c in checks for p in _from_check(c).parts],
    )


def _combine(parts: Sequence[Outcome]) -> Outcome:
    status = weakest(p.status for p in parts)
    first = next(p for p in parts if p.status == status)
    residuals = [p.max_residual for p in parts if p.max_residual is not None]
    examples = [p.examples for p in parts if p.examples is not None]
    steps = [s for p in parts for s in p.steps]
    return Outcome(
        status,
        first.method if len(parts) == 1 else f"{len(parts)} checks; weakest: {first.method}",
        sum(examples) if examples else None,
        max(residuals) if residuals else None,
        first.counterexample,
        first.explanation,
        steps,
        _evidence_scope([p.status for p in parts], [p.scope for p in parts]),
        [c for p in parts for c in p.parts],
    )


def as_outcome(value: Any) -> Outcome:
    """Normalise what a check function returned (see the module docstring)."""
    if isinstance(value, Outcome):
        return value
    if isinstance(value, IdentityCheck):
        return _from_check(value)
    if isinstance(value, Derivation):
        return _from_derivation(value)
    if isinstance(value, (list, tuple)) and value:
        return _combine([as_outcome(v) for v in value])
    raise InvalidArgument(
        f"a check returned {type(value).__name__}; return an IdentityCheck, a Derivation, an "
        "Outcome, or a non-empty list of them"
    )


def cap(outcome: Outcome, statement: Scope | str) -> Outcome:
    """``outcome`` held to a statement of scope ``statement``: a proof that covers less than
    the statement (fixed Gaussians for a theorem about every density) is ``verified``, with
    the scope said in the explanation. Evidence wider than the statement (a lemma proved for
    every density inside a claim about Gaussians) speaks for the statement only: the scope
    shown is the statement's. Everything else is unchanged."""
    statement = as_scope(statement)
    if outcome.scope.rank > statement.rank and outcome.status in (Status.PROVED, Status.VERIFIED):
        return replace(outcome, scope=statement)
    if outcome.status != Status.PROVED or outcome.scope.covers(statement):
        return outcome
    return replace(
        outcome,
        status=Status.VERIFIED,
        explanation=f"proved only at {outcome.scope} scope, narrower than the statement's "
        f"{statement} scope, so verified: {outcome.explanation}",
    )
