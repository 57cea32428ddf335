"""The verdict vocabulary shared by identity checks, derivations and claims.

Every check ends in exactly one :class:`Status`:

``proved``
    the difference was reduced to 0 by exact symbolic rewriting;
``verified``
    not proved, but it agreed at many random instances at high precision;
``refuted``
    a concrete counterexample whose difference was certified non-zero at higher precision;
``undecided``
    neither: the work budget (points, precision rungs, rewrites, examples) was spent without a
    decision; never shown or counted as a pass;
``error``
    the check did not finish: it crashed, or the wall-clock safety net stopped it (a machine
    far slower than planned, or a runaway computation). Not a verdict about the statement.

The order ``error < refuted < undecided < verified < proved`` ranks strength of evidence that
an equality holds; a chain of checks is only as strong as its weakest link (:func:`weakest`),
and a chain with an unfinished link is unfinished.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["Status", "weakest"]


class Status(StrEnum):
    """Outcome of a check; the string values are part of the JSON contract."""

    PROVED = "proved"
    VERIFIED = "verified"
    REFUTED = "refuted"
    UNDECIDED = "undecided"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Strength of evidence that the equality holds (higher is stronger)."""
        return _RANK[self]

    @property
    def holds(self) -> bool:
        """True for ``proved`` and ``verified``: the evidence supports the equality."""
        return self in (Status.PROVED, Status.VERIFIED)


_RANK = {
    Status.ERROR: -1,
    Status.REFUTED: 0,
    Status.UNDECIDED: 1,
    Status.VERIFIED: 2,
    Status.PROVED: 3,
}


def weakest(statuses: Iterable[Status | str]) -> Status:
    """The weakest status of a non-empty collection, in the order of the module docstring."""
    members = [Status(s) for s in statuses]
    if not members:
        raise ValueError("weakest() needs at least one status")
    return min(members, key=lambda s: s.rank)
