"""Evaluate SymPy expressions at a point with mpmath, at any precision.

Plain subexpressions are compiled once with ``sympy.lambdify(..., modules="mpmath")`` and then
run at whatever precision ``mpmath.mp`` is set to. Unevaluated ``Integral``, ``Limit`` and
``Sum`` objects are evaluated numerically at the point:

* ``Integral``: nested :func:`mpmath.quad` (tanh-sinh) with break points at 0, at the point's
  real coordinates and at the integrand's largest value on a coarse scan, so that a narrow peak
  far from the origin is not missed; a quadrature whose own error estimate exceeds half the
  working digits is reported as :class:`NumericTrouble`;
* ``Limit``: :func:`mpmath.limit` (Richardson extrapolation), from the side SymPy's ``dir``
  names (both sides for ``"+-"``, which must agree);
* ``Sum``: exact summation of finite sums of up to 100 000 terms, :func:`mpmath.nsum` otherwise.

Anything numerically unreliable raises :class:`NumericTrouble`; the caller treats the point as
inconclusive, never as agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

__all__ = ["NumericTrouble", "compile_mp"]

MpFunction = Callable[..., Any]
_SPECIAL = (sp.Integral, sp.Limit, sp.Sum)
_SCAN = 400


class _Printer(MpmathPrinter):
    """Prints long sums and products as ``fsum``/``fprod`` calls.

    A 10 000-term sum printed as ``a + b + ...`` is nested 10 000 deep and overflows Python's
    compiler; a list argument is flat.
    """

    _LONG = 32

    def _print_Add(self, expr: sp.Add, order: object = None) -> str:
        if len(expr.args) <= self._LONG:
            return super()._print_Add(expr, order)
        return "fsum([{}])".format(", ".join(self._print(a) for a in expr.args))

    def _print_Mul(self, expr: sp.Mul) -> str:
        if len(expr.args) <= self._LONG:
            return super()._print_Mul(expr)
        return "fprod([{}])".format(", ".join(self._print(a) for a in expr.args))


class NumericTrouble(ArithmeticError):
    """A numeric value could not be obtained reliably at this point."""


def _outer_specials(expr: sp.Basic) -> list[sp.Basic]:
    if isinstance(expr, _SPECIAL):
        return [expr]
    found: list[sp.Basic] = []
    for arg in expr.args:
        for node in _outer_specials(arg):
            if node not in found:
                found.append(node)
    return found


def compile_mp(expr: sp.Basic, symbols: Sequence[sp.Symbol]) -> MpFunction:
    """``expr`` as a function of ``symbols`` evaluated with mpmath at the current precision.

    ``expr`` may be a scalar expression or a list of expressions (then a list is returned).
    Leftover ``Derivative`` objects are an error: differentiate before compiling.
    """
    exprs = list(expr) if isinstance(expr, (list, tuple)) else [expr]
    specials: list[sp.Basic] = []
    for e in exprs:
        for node in _outer_specials(e):
            if node not in specials:
                specials.append(node)
    for e in exprs:
        if e.has(sp.Derivative):
            raise NumericTrouble(f"unevaluated derivative in {e}")
    dummies = [sp.Dummy(f"special{i}") for i in range(len(specials))]
    replaced = [e.xreplace(dict(zip(specials, dummies, strict=True))) for e in exprs]
    main = sp.lambdify(
        [*symbols, *dummies],
        replaced,
        modules="mpmath",
        printer=_Printer(
            {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True}
        ),
    )
    parts = [_compile_special(node, symbols) for node in specials]

    def evaluate(*values: Any) -> Any:
        extra = [part(*values) for part in parts]
        out = main(*values, *extra)
        return out if isinstance(expr, (list, tuple)) else out[0]

    return evaluate


def _compile_special(node: sp.Basic, symbols: Sequence[sp.Symbol]) -> MpFunction:
    if isinstance(node, sp.Integral):
        return _compile_integral(node, symbols)
    if isinstance(node, sp.Limit):
        return _compile_limit(node, symbols)
    return _compile_sum(node, symbols)


def _compile_integral(node: sp.Integral, symbols: Sequence[sp.Symbol]) -> MpFunction:
    limits = node.limits
    if any(len(lim) != 3 for lim in limits):
        raise NumericTrouble(f"indefinite integral {node} has no numeric value")
    dummies = [sp.Dummy(f"x{i}", real=True) for i in range(len(limits))]
    rename = {lim[0]: d for lim, d in zip(limits, dummies, strict=True)}
    args = [*symbols, *dummies]
    integrand = compile_mp(node.function.xreplace(rename), args)
    lows = [compile_mp(sp.sympify(lim[1]).xreplace(rename), args) for lim in limits]
    highs = [compile_mp(sp.sympify(lim[2]).xreplace(rename), args) for lim in limits]
    n = len(limits)

    def value(*values: Any) -> Any:
        bound = [mpmath.mpf(0)] * n

        def level(i: int) -> Any:
            a = lows[i](*values, *bound)
            b = highs[i](*values, *bound)

            def g(xv: Any) -> Any:
                bound[i] = xv
                return integrand(*values, *bound) if i == 0 else level(i - 1)

            points = _break_points(g, a, b, values, scan=(i == 0))
            result, error = mpmath.quad(g, points, error=True)
            if error > max(abs(result), mpmath.mpf(10) ** (-mpmath.mp.dps)) * mpmath.mpf(10) ** (
                -(mpmath.mp.dps // 2)
            ):
                raise NumericTrouble(f"quadrature error estimate {mpmath.nstr(error, 3)}")
            return result

        return level(n - 1)

    return value


def _real_candidates(values: Sequence[Any]) -> list[Any]:
    out = [mpmath.mpf(0)]
    for v in values:
        c = mpmath.mpmathify(v)
        if isinstance(c, mpmath.mpc):
            c = c.real
        if mpmath.isfinite(c):
            out.append(c)
    return out


def _break_points(g: MpFunction, a: Any, b: Any, values: Sequence[Any], scan: bool) -> list[Any]:
    """Integration break points: the ends, 0, the point's coordinates, the scanned maximum."""
    a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
    candidates = _real_candidates(values)
    if scan:
        candidates.extend(_scan_peak(g, a, b, candidates))
    inside = sorted({c for c in candidates if a < c < b})
    return [a, *inside, b]


def _scan_peak(g: MpFunction, a: Any, b: Any, centres: Sequence[Any]) -> list[Any]:
    """Locations of the largest |g| on a coarse grid (low precision), as extra break points."""
    with mpmath.workdps(15):
        if mpmath.isinf(a) or mpmath.isinf(b):
            grid = [mpmath.mpf(10) ** (-3 + 7 * k / _SCAN) for k in range(_SCAN)]
            grid = [*grid, *(-x for x in grid)]
            grid += [c + d for c in centres for d in (-1, -0.3, 0.3, 1)]
        else:
            grid = [a + (b - a) * (k + 0.5) / _SCAN for k in range(_SCAN)]
        best, where = mpmath.mpf(0), None
        for xv in grid:
            if not (a < xv < b):
                continue
            try:
                v = abs(g(xv))
            except (ArithmeticError, ValueError, TypeError):
                continue
            if mpmath.isfinite(v) and v > best:
                best, where = v, xv
    return [] if where is None else [where]


def _compile_limit(node: sp.Limit, symbols: Sequence[sp.Symbol]) -> MpFunction:
    expr, var, point, direction = node.args
    dummy = sp.Dummy("z", real=True)
    inner = compile_mp(expr.xreplace({var: dummy}), [*symbols, dummy])
    at = compile_mp(sp.sympify(point), list(symbols))
    sides = {"+": (1,), "-": (-1,), "+-": (1, -1)}[str(direction)]

    def value(*values: Any) -> Any:
        x0 = at(*values)
        results = [mpmath.limit(lambda z: inner(*values, z), x0, direction=side) for side in sides]
        if len(results) == 2 and abs(results[0] - results[1]) > mpmath.mpf(10) ** (
            -(mpmath.mp.dps // 2)
        ) * max(1, abs(results[0])):
            raise NumericTrouble("the one-sided limits differ")
        return results[0]

    return value


def _compile_sum(node: sp.Sum, symbols: Sequence[sp.Symbol]) -> MpFunction:
    if len(node.limits) != 1:
        return _nested_sum(node, symbols)
    (var, low, high) = node.limits[0]
    dummy = sp.Dummy("k", integer=True)
    term = compile_mp(node.function.xreplace({var: dummy}), [*symbols, dummy])
    lo = compile_mp(sp.sympify(low), list(symbols))
    hi = compile_mp(sp.sympify(high), list(symbols))

    def value(*values: Any) -> Any:
        a, b = lo(*values), hi(*values)
        if mpmath.isfinite(a) and mpmath.isfinite(b) and b - a < 100_000:
            return mpmath.fsum(term(*values, mpmath.mpf(k)) for k in range(int(a), int(b) + 1))
        return mpmath.nsum(lambda k: term(*values, k), [a, b])

    return value


def _nested_sum(node: sp.Sum, symbols: Sequence[sp.Symbol]) -> MpFunction:
    inner = sp.Sum(node.function, node.limits[0])
    outer = sp.Sum(inner, *node.limits[1:])
    return _compile_sum(outer, symbols)
