"""The stage a long computation is in, readable by the process that waits on it.

``symtransport derive`` runs its work in a child process under a wall-clock safety net
(:func:`symtransport._core.budget.run_with_budget`). The child names each stage as it enters it::

    with stage("normalising the density"):
        ...

on a small :class:`Board` of shared memory made by the parent before the fork. The parent reads
the board to draw its progress line and, when the safety net stops the child, to say in one line
which stage overran. Outside such a run :func:`stage` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.sharedctypes import RawArray
from typing import Any

__all__ = ["Board", "current", "shared", "stage"]

_SIZE = 240  # bytes of the board; longer stage names are cut


class Board:
    """A few hundred bytes of memory shared with the children forked after it was made."""

    def __init__(self) -> None:
        self._cells: Any = RawArray("c", _SIZE)

    def write(self, name: str) -> None:
        """Show ``name`` (cut to the board's size)."""
        self._cells.value = name.encode("utf-8", "replace")[: _SIZE - 1]

    def read(self) -> str:
        """The stage last written (``""`` before the first)."""
        return bytes(self._cells.value).decode("utf-8", "replace")


_board: Board | None = None


@contextmanager
def shared(board: Board) -> Iterator[Board]:
    """Within the block, :func:`stage` writes to ``board`` (call it in the child)."""
    global _board
    previous, _board = _board, board
    try:
        yield board
    finally:
        _board = previous


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Within the block, the current stage is ``name``; the enclosing one again after it."""
    board = _board
    if board is None:
        yield
        return
    previous = board.read()
    board.write(name)
    try:
        yield
    finally:
        board.write(previous)


def current() -> str:
    """The current stage in this process (``""`` outside a shared board or any stage)."""
    return "" if _board is None else _board.read()
