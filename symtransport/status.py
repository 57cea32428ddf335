"""The verdict vocabulary shared by identity checks, derivations and claims.

Every check ends in exactly one :class:`Status`:

``proved``
    the difference was reduced to 0 by exact symbolic rewriting;
``verified``
    not proved, but it agreed at many random instances at high precision;
``refuted``
    a concrete counterexample whose difference was certified non-zero at higher precision;
``undecided``
    neither; never shown or counted as a pass.

The order ``refuted < undecided < verified < proved`` ranks strength of evidence that an
equality holds; a chain of checks is only as strong as its weakest link (:func:`weakest`).
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

    @property
    def rank(self) -> int:
        """Strength of evidence that the equality holds (higher is stronger)."""
        return _RANK[self]

    @property
    def holds(self) -> bool:
        """True for ``proved`` and ``verified``: the evidence supports the equality."""
        return self in (Status.PROVED, Status.VERIFIED)


_RANK = {Status.REFUTED: 0, Status.UNDECIDED: 1, Status.VERIFIED: 2, Status.PROVED: 3}


def weakest(statuses: Iterable[Status | str]) -> Status:
    """The weakest status of a non-empty collection, in the order of the module docstring."""
    members = [Status(s) for s in statuses]
    if not members:
        raise ValueError("weakest() needs at least one status")
    return min(members, key=lambda s: s.rank)
