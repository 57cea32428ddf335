"""Plain-text helpers shared by the property checks, the reports and the command line."""

from __future__ import annotations


def counted(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` and its noun, singular or plural as the count asks: ``1 claim``,
    ``2 claims``, ``0 claims`` (``nouns``: the plural when it is not ``noun + "s"``). Plain
    text, for the report and the command line alike."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
