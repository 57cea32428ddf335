"""One exception tree for the whole package.

Every error the package raises on purpose derives from :class:`SymtransportError`; each
subclass also derives from the builtin a caller would naturally catch (``ValueError``,
``NotImplementedError``), so ``except ValueError`` keeps working for code that does not know
this package. Messages name the offending value as ``name=value``, say what was expected and,
where there is one, what to do instead.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceeded",
    "IllPosedError",
    "InvalidArgument",
    "SymtransportError",
    "SymtransportWarning",
    "UnsupportedError",
]


class SymtransportError(Exception):
    """Root of every exception raised deliberately by symtransport."""


class InvalidArgument(SymtransportError, ValueError):
    """An argument (or a piece of user text) is malformed or outside its domain."""


class IllPosedError(SymtransportError, ValueError):
    """The mathematical problem asked for has no solution (e.g. a backward heat flow)."""


class UnsupportedError(SymtransportError, NotImplementedError):
    """The request is meaningful but outside what symtransport can do; the message says what is."""


class BudgetExceeded(SymtransportError, TimeoutError):
    """A command's wall-clock safety net stopped it before it finished; no result, and no
    verdict (the message names the stage that overran and what to try)."""


class SymtransportWarning(UserWarning):
    """Warnings issued by symtransport (turned into errors in the test suite)."""
