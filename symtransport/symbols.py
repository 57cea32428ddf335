"""The symbols of the theory, created in one place with their assumptions.

SymPy never has to guess what a name means: coordinates and means are real, times, noise
variances and data variances are positive.

======== =========================================================== =============
symbol   meaning                                                      assumptions
======== =========================================================== =============
x, y, z  coordinates of R^1, R^2, R^3 (see :func:`coordinates`)      real
xt       the corrupted input x~ = x + eps (printed ``xtilde``)      real
t        noise variance of N(0, tI), and time of the flows             positive
s2       data variance sigma_0^2                                       positive
m        data mean m_0                                                 real
======== =========================================================== =============
"""

from __future__ import annotations

import sympy as sp

__all__ = ["coordinates", "m", "s2", "t", "x", "xt", "y", "z"]

x, y, z = sp.symbols("x y z", real=True)
xt = sp.Symbol("xtilde", real=True)
t = sp.Symbol("t", positive=True)
s2 = sp.Symbol("s2", positive=True)
m = sp.Symbol("m", real=True)


def coordinates(d: int) -> tuple[sp.Symbol, ...]:
    """Real coordinates of R^d: ``(x,)``, ``(x, y)``, ``(x, y, z)``, then ``x1 .. xd``."""
    if not isinstance(d, int) or d < 1:
        from symtransport.errors import InvalidArgument

        raise InvalidArgument(f"d={d!r} must be a positive integer dimension")
    if d <= 3:
        return (x, y, z)[:d]
    return sp.symbols(f"x1:{d + 1}", real=True)
