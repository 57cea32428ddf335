"""Checked arguments of the layer's numeric functions: counts, seeds and noise variances.

Each returns the value as a plain ``int`` or ``float``, or raises
:class:`~symtransport.errors.InvalidArgument` naming the argument. ``bool`` is never a count,
and text is never a number here (a caller that reads text parses it first).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from symtransport.errors import InvalidArgument

__all__ = ["count", "positive_time", "seed"]


def count(value: Any, name: str, low: int) -> int:
    """``value`` as an ``int >= low`` (an integral number, not a ``bool``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidArgument(
            f"{name}={value!r} is a {type(value).__name__}; expected an int >= {low}"
        )
    if int(value) < low:
        raise InvalidArgument(f"{name}={value!r}; expected an int >= {low}")
    return int(value)


def seed(value: Any) -> int:
    """``value`` as a random seed: a non-negative ``int``."""
    return count(value, "seed", 0)


def positive_time(t: Any, name: str = "t") -> float:
    """``t`` as a positive finite float (a noise variance): a real number, not text or a
    ``bool``; SymPy and NumPy numbers are converted."""
    if isinstance(t, bool | str | bytes):
        raise InvalidArgument(f"{name}={t!r}: expected a positive number (a noise variance)")
    try:
        value = float(t)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"{name}={t!r}: expected a positive number (a noise variance)"
        ) from exc
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgument(f"{name}={t!r}: expected a positive finite noise variance")
    return value
