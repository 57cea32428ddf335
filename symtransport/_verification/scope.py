"""What a check covered, beside what it found: the scope of a verdict.

Every check and every claim carries a :class:`Scope`, from widest to narrowest:

``general``
    the statement as quantified: undefined functions for arbitrary densities or functions
    (a generic density stands for every *regular* density: smooth, positive, bounded, with
    finite moments of all orders, :data:`symtransport._verification.families.REGULAR`), symbols for
    every parameter, under the statement's constraints;
``family``
    symbolic parameters of a named family (every two-component 1-D Gaussian mixture, every
    2x2 covariance), narrower than a general statement about every density;
``instances``
    named fixed examples (the paper's Gaussians and mixtures, fixed test mixtures);
``sampled``
    random draws (Hypothesis examples, random mixtures), with their count and precision.

A claim declares the scope of its statement. It is ``proved`` only when a check at that
scope (or wider) is proved; when every proof covers less, the claim is capped at
``verified`` and the report shows the scope its evidence had (:func:`cap`). A check on
Gaussians cannot see a term that vanishes on every Gaussian, which is why general statements
are checked on generic functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from symtransport.errors import InvalidArgument

__all__ = ["SCOPES", "Scope", "as_scope", "widest"]


class Scope(StrEnum):
    """What a check covered; the string values are part of the JSON contract."""

    GENERAL = "general"
    FAMILY = "family"
    INSTANCES = "instances"
    SAMPLED = "sampled"

    @property
    def rank(self) -> int:
        """Width of the scope (higher covers more)."""
        return _RANK[self]

    def covers(self, other: Scope | str) -> bool:
        """Whether evidence at this scope speaks for a statement of scope ``other``."""
        return self.rank >= Scope(other).rank


_RANK = {Scope.SAMPLED: 0, Scope.INSTANCES: 1, Scope.FAMILY: 2, Scope.GENERAL: 3}

#: one line per scope, for ``--help``, the README and the LaTeX report
SCOPES: dict[Scope, str] = {
    Scope.GENERAL: "the statement as quantified: generic functions, symbolic parameters",
    Scope.FAMILY: "symbolic parameters of a named family (e.g. every 2-component mixture)",
    Scope.INSTANCES: "named fixed examples",
    Scope.SAMPLED: "random draws, with their count and precision",
}


def as_scope(value: object, name: str = "scope") -> Scope:
    """``value`` as a :class:`Scope`, or :class:`~symtransport.InvalidArgument` listing them."""
    if isinstance(value, str):
        for member in Scope:
            if value == member.value:
                return member
    raise InvalidArgument(f"{name}={value!r}; use one of {[s.value for s in Scope]}")


def widest(scopes: Iterable[Scope | str]) -> Scope:
    """The widest of a non-empty collection of scopes."""
    members = [Scope(s) for s in scopes]
    if not members:
        raise ValueError("widest() needs at least one scope")
    return max(members, key=lambda s: s.rank)
