"""Decimals are decimals: the one converter from floats to exact numbers.

A person who types ``0.1`` means one tenth, not the binary double nearest to it
(``0.1000000000000000055511151231257827...``). Every public constructor and checker
(``verify_identity``, ``Gaussian``, ``GaussianMixture``, ``Density``, ``noise_model``,
``compile_map``, the command line's matrices) reads a Python float or a SymPy ``Float`` through
this module, once, as the exact rational of its *shortest decimal form*: the shortest decimal
string that rounds back to the same binary value at the float's own precision (for a double,
Python's ``repr``). So ``0.1 -> 1/10``, ``2.5e-3 -> 1/400``, and sums of typed weights such as
``0.1 + 0.2 + 0.7`` are exactly 1.

Not every float was typed. SymPy adds ``0.1*x + 0.2*x`` in binary before anyone sees it, and
``Float(1.0)/3`` is a rounded result: their shortest forms (``0.30000000000000004``,
``0.3333333333333333``) need more significant digits than the precision guarantees
(``mpmath.libmp.prec_to_dps``: 15 for a double), which is how a computed value is told from a
typed one. Such a float is still read exactly, but :func:`read_float` reports it as
:class:`Rounded`: it carries a relative error of ``2**-prec`` per rounding, and a checker must
not build a counterexample on a difference of that size (:mod:`symtransport._verification.verify`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from mpmath import libmp

from symtransport.errors import InvalidArgument

__all__ = [
    "Rounded",
    "exact_expression",
    "exact_scalar",
    "read_decimals",
    "read_float",
    "shortest_decimal",
]


def shown(value: Any, limit: int = 200) -> str:
    """``str(value)``, cut to ``limit`` characters with ``...`` (for error messages)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shortest_decimal(value: sp.Float | float) -> str:
    """The shortest decimal string that rounds back to ``value`` at its own precision.

    For a Python float (53 bits) this is ``repr(value)``; a SymPy ``Float`` of ``p`` bits is
    read back at ``p`` bits. Only finite values have one (:class:`InvalidArgument` otherwise).
    """
    f = value if isinstance(value, sp.Float) else sp.Float(float(value))
    mpf, prec = f._mpf_, f._prec
    if mpf in (libmp.finf, libmp.fninf, libmp.fnan):
        raise InvalidArgument(f"value={value!r} is not finite; expected a finite number")
    if mpf == libmp.fzero:
        return "0"
    if prec == 53 and math.isfinite(double := float(f)):
        return repr(double)  # Python's shortest round-trip algorithm, for the common case
    sign, mantissa, exponent, _ = mpf
    exact = Decimal(-mantissa if sign else mantissa)
    with localcontext() as ctx:
        ctx.prec = mantissa.bit_length() + abs(exponent) + 10  # enough for 2**exponent exactly
        exact = exact * Decimal(2) ** exponent
    for digits in range(1, libmp.prec_to_dps(prec) + 4):
        # the nearest decimal of this length, or its neighbour on the other side (next to a
        # power of two the interval that rounds back to the value is lopsided)
        candidates = [
            Context(prec=digits, rounding=rounding).plus(exact)
            for rounding in (ROUND_HALF_EVEN, ROUND_FLOOR, ROUND_CEILING)
        ]
        back = [c for c in candidates if libmp.from_str(str(c), prec, libmp.round_nearest) == mpf]
        if back:
            return str(min(back, key=lambda c: abs(c - exact)))
    return libmp.to_str(mpf, libmp.repr_dps(prec))  # pragma: no cover - repr_dps round-trips


def _significant_digits(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "")
    return len(mantissa.strip("0")) or 1


@dataclass(frozen=True)
class Rounded:
    """A float that looks computed rather than typed, with the rounding it carries.

    ``exact``: the rational of its shortest decimal form; ``precision``: its precision in
    bits; ``relative_error``: ``2**-precision``, the relative error of one rounding to that
    precision (the half-unit in the last place).
    """

    exact: sp.Rational
    precision: int

    @property
    def relative_error(self) -> float:
        return math.ldexp(1.0, -self.precision)


def read_float(f: sp.Float) -> tuple[sp.Rational, Rounded | None]:
    """The rational of ``f``'s shortest decimal form, and its :class:`Rounded` record when
    that form needs more significant digits than ``f``'s precision guarantees (a computed
    value, such as ``0.30000000000000004``), else None (a typed decimal, such as ``0.3``)."""
    text = shortest_decimal(f)
    exact = sp.Rational(text)
    if _significant_digits(text) > libmp.prec_to_dps(f._prec):
        return exact, Rounded(exact, f._prec)
    return exact, None


def read_decimals(expr: sp.Basic) -> dict[sp.Float, tuple[sp.Rational, Rounded | None]]:
    """Every finite ``Float`` of ``expr`` (an expression or a matrix) mapped to
    :func:`read_float` of it."""
    return {f: read_float(f) for f in expr.atoms(sp.Float) if f.is_finite}


def exact_expression(expr: Any) -> Any:
    """``expr`` (a SymPy expression or matrix) with every Float read as its exact decimal."""
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(exact_expression)
    if not isinstance(expr, sp.Basic):
        return expr
    readings = read_decimals(expr)
    return expr.xreplace({f: exact for f, (exact, _) in readings.items()}) if readings else expr


def exact_scalar(value: Any, name: str) -> sp.Expr:
    """One scalar as an exact SymPy expression (floats, NumPy numbers included, read as their
    shortest decimals); :class:`InvalidArgument` naming ``name`` for text, bools,
    non-finite, complex or non-real values."""
    if isinstance(value, bool | np.bool_):
        raise InvalidArgument(
            f"{name}={value!r} is a bool; expected a real number or a SymPy expression."
        )
    if isinstance(value, str | bytes):
        raise InvalidArgument(
            f"{name}={value!r} is text; expected a real number or a SymPy expression. "
            "Parse text with symtransport.parse_expression first, or use Density for a "
            "density given as text."
        )
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr) or isinstance(value, sp.MatrixBase):
            raise InvalidArgument(
                f"{name}={shown(value)} is a {type(value).__name__}; expected a scalar SymPy "
                "expression."
            )
        out = exact_expression(value)
        if out.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise InvalidArgument(f"{name}={shown(value)} is not finite; expected a finite value.")
        if out.is_extended_real is False:
            raise InvalidArgument(
                f"{name}={shown(value)} is not real; expected a real number or a real "
                "expression (declare symbols real=True or positive=True)."
            )
        return out
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise InvalidArgument(f"{name}={value!r} is not finite; expected a finite real number.")
        if isinstance(value, np.floating) and np.finfo(value.dtype).nmant < 52:
            # a float32 (or float16) typed as 0.1 is the shortest decimal at its own precision
            bits = int(np.finfo(value.dtype).nmant) + 1
            return sp.Rational(shortest_decimal(sp.Float(float(value), precision=bits)))
        return sp.Rational(shortest_decimal(float(value)))
    if isinstance(value, numbers.Complex):
        raise InvalidArgument(f"{name}={value!r} is complex; expected a real number.")
    raise InvalidArgument(
        f"{name}={value!r} of type {type(value).__name__} is not supported; expected an int, "
        "a float, a Fraction or a SymPy expression."
    )
