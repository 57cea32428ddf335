"""Random evaluation points that respect the symbols' assumptions and the caller's constraints.

A symbol's domain comes from its SymPy assumptions: ``integer`` symbols get integers,
``positive``/``negative``/``nonnegative``/``nonpositive`` real symbols get values of that sign,
other ``real`` symbols get both signs, and symbols with no ``real`` assumption are complex (SymPy's
default), so they get complex values. Magnitudes are drawn log-uniformly across several scales,
and every fourth point is drawn far from the origin, so that a truncated Taylor series is never
taken for ``exp``. Constraints (SymPy relations such as ``t < s/2``) are enforced by rejection.

Values are Python floats (or complex numbers): exact binary numbers, so an expression evaluated
at the same point at two precisions sees the same inputs.
"""

from __future__ import annotations

import cmath
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp

from symtransport.errors import InvalidArgument

__all__ = ["PointSampler"]

_NEAR = (-1.3, 1.0)  # log10 of magnitudes for ordinary points: 0.05 .. 10
_FAR = (1.0, 2.3)  # log10 of magnitudes for far points: 10 .. 200


def _magnitude(rng: random.Random, far: bool) -> float:
    low, high = _FAR if far else _NEAR
    return 10.0 ** rng.uniform(low, high)


def _draw(symbol: sp.Symbol, rng: random.Random, far: bool) -> float | int | complex:
    a = symbol.assumptions0
    if a.get("integer"):
        top = 40 if far else 8
        if a.get("positive"):
            return rng.randint(1, top)
        if a.get("nonnegative"):
            return rng.randint(0, top)
        if a.get("negative"):
            return -rng.randint(1, top)
        if a.get("nonpositive"):
            return -rng.randint(0, top)
        return rng.randint(-top, top)
    mag = _magnitude(rng, far)
    if a.get("positive") or a.get("nonnegative"):
        return mag
    if a.get("negative") or a.get("nonpositive"):
        return -mag
    if a.get("real"):
        return mag if rng.random() < 0.5 else -mag
    return cmath.rect(mag, rng.uniform(-math.pi, math.pi))


@dataclass
class PointSampler:
    """Draws points ``{symbol: value}`` inside the domain; see the module docstring."""

    symbols: Sequence[sp.Symbol]
    constraints: Sequence[sp.Basic]
    rng: random.Random

    def __post_init__(self) -> None:
        self._tests: list[Callable[..., object]] = []
        for c in self.constraints:
            c = sp.sympify(c)
            if c is sp.true:
                continue
            if c is sp.false:
                raise InvalidArgument("constraints contain False: the domain is empty")
            if not isinstance(c, sp.logic.boolalg.Boolean):
                raise InvalidArgument(
                    f"constraint={c!r} is not a relation; pass SymPy relations such as t < s/2"
                )
            extra = c.free_symbols - set(self.symbols)
            if extra:
                raise InvalidArgument(
                    f"constraint {c} mentions {sorted(map(str, extra))}, which do not occur in "
                    "the identity; constrain only the identity's symbols"
                )
            self._tests.append(sp.lambdify(list(self.symbols), c, modules="mpmath"))

    def admissible(self, values: Sequence[float | int | complex]) -> bool:
        """Whether the point satisfies every constraint (evaluated at 30 digits)."""
        with mpmath.workdps(30):
            args = [mpmath.mpmathify(v) for v in values]
            try:
                return all(bool(test(*args)) for test in self._tests)
            except (TypeError, ValueError, ZeroDivisionError):
                return False

    def draw(
        self, index: int, attempts: int = 2000
    ) -> dict[sp.Symbol, float | int | complex] | None:
        """The ``index``-th point, or None when no admissible point was found."""
        far = index % 4 == 3
        for attempt in range(attempts):
            # after many rejections fall back to ordinary scales: constraints often bound values
            values = [_draw(s, self.rng, far and attempt < attempts // 2) for s in self.symbols]
            if self.admissible(values):
                return dict(zip(self.symbols, values, strict=True))
        return None
