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
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

__all__ = ["NumericTrouble", "compile_mp"]

MpFunction = Callable[..., Any]
_SPECIAL = (sp.Integral, sp.Limit, sp.Sum)
_SCAN = 20_000  # points on each side of 0 in the float peak scan


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


def compile_mp(
    expr: sp.Basic,
    symbols: Sequence[sp.Symbol],
    definitions: Sequence[tuple[sp.Symbol, sp.Expr]] = (),
) -> MpFunction:
    """``expr`` as a function of ``symbols`` evaluated with mpmath at the current precision.

    ``expr`` may be a scalar expression or a list of expressions (then a list is returned).
    Leftover ``Derivative`` objects are an error: differentiate before compiling.
    ``definitions``: ``(name, value)`` pairs, each ``value`` a plain expression (no integral,
    limit, sum or derivative) of ``symbols`` and the earlier names, computed once per call and
    used by name in ``expr`` outside its integrals, limits and sums: a large subexpression that
    occurs many times is then printed and evaluated once.
    """
    exprs = list(expr) if isinstance(expr, (list, tuple)) else [expr]
    specials: list[sp.Basic] = []
    for e in exprs:
        for node in _outer_specials(e):
            if node not in specials:
                specials.append(node)
    for e in [*exprs, *(value for _, value in definitions)]:
        if e.has(sp.Derivative):
            raise NumericTrouble(f"unevaluated derivative in {e}")
    if any(value.has(*_SPECIAL) for _, value in definitions):
        raise NumericTrouble("a definition holds an integral, limit or sum")
    dummies = [sp.Dummy(f"special{i}") for i in range(len(specials))]
    replaced = [e.xreplace(dict(zip(specials, dummies, strict=True))) for e in exprs]
    parts = [_part(node, symbols) for node in specials]
    main = sp.lambdify(
        [*symbols, *dummies],
        replaced,
        modules="mpmath",
        cse=(lambda body: (list(definitions), body)) if definitions else False,
        printer=_Printer(
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                # terms and factors as they stand: SymPy's canonical ordering (for display)
                # sorts every sum and product and costs more than the rest of the printing
                "order": "none",
            }
        ),
    )

    def evaluate(*values: Any) -> Any:
        extra = [part(*values) for part in parts]
        out = main(*values, *extra)
        return out if isinstance(expr, (list, tuple)) else out[0]

    return evaluate


#: the compiled integrals, limits and sums of this process by ``(node, symbols)``, so that
#: compiling an expression again, or one entry of a matrix already compiled whole (a point that
#: the whole could not evaluate), reuses their values and failures at a point
_PARTS: dict[tuple[sp.Basic, tuple[sp.Symbol, ...]], MpFunction] = {}
_PARTS_KEPT = 256  # compiled parts kept before the table starts afresh


def _part(node: sp.Basic, symbols: Sequence[sp.Symbol]) -> MpFunction:
    """The compiled, memoised ``node`` as a function of ``symbols``, compiled once."""
    key = (node, tuple(symbols))
    if key not in _PARTS:
        if len(_PARTS) >= _PARTS_KEPT:
            _PARTS.clear()
        _PARTS[key] = _memoised(_compile_special(node, symbols), node, symbols)
    return _PARTS[key]


def _memoised(part: MpFunction, node: sp.Basic, symbols: Sequence[sp.Symbol]) -> MpFunction:
    """``part`` remembering its values, or the error it raised, by the precision and the
    arguments it depends on (it is a deterministic function of them).

    An integral inside an integrand that does not involve the outer integration variable (a
    normalising constant, a posterior mean inserted into a loss) is then computed once per
    point instead of once per quadrature node.
    """
    used = [i for i, s in enumerate(symbols) if s in node.free_symbols]
    memo: dict[tuple[Any, ...], tuple[bool, Any]] = {}

    def value(*values: Any) -> Any:
        key = (mpmath.mp.prec, *(values[i] for i in used))
        if key not in memo:
            if len(memo) > 4096:
                memo.clear()
            try:
                memo[key] = True, part(*values)
            except (ArithmeticError, ValueError, TypeError) as exc:
                memo[key] = False, exc
        ok, result = memo[key]
        if not ok:
            raise result
        return result

    return value


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
    body = node.function.xreplace(rename)
    integrand = compile_mp(body, args)
    fast = _float_version(body, args)
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

            if i == 0 and n == 1 and fast is not None:
                peaks, mass = _float_scan(fast, values, a, b)
            else:
                peaks, mass = [], _coarse_mass(g, a, b) if i == n - 1 else 0.0
            points = _break_points(g, a, b, values, peaks)
            result, error = mpmath.quad(g, points, error=True)
            # the outermost quadrature's own error estimate must be small against the size of
            # the result or, for a result that is 0 by cancellation, of the integral of |f|;
            # inner quadratures feed the outer one's estimate
            scale = max(abs(result), mpmath.mpf(mass), mpmath.mpf(10) ** (-2 * mpmath.mp.dps))
            if i == n - 1 and error > scale * mpmath.mpf(10) ** (-(mpmath.mp.dps // 3)):
                raise NumericTrouble(f"quadrature error estimate {mpmath.nstr(error, 3)}")
            return result

        return level(n - 1)

    return value


def _coarse_mass(g: MpFunction, a: Any, b: Any) -> float:
    """A rough integral of |g| (15 digits, 161 nodes), as the scale of a cancelling integral."""
    with mpmath.workdps(15):
        a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
        if mpmath.isinf(a) or mpmath.isinf(b):
            half = [mpmath.mpf(10) ** (-3 + 8 * k / 80) for k in range(81)]
            grid = sorted({*(-h for h in half), mpmath.mpf(0), *half})
            grid = [v for v in grid if a < v < b]
        else:
            grid = [a + (b - a) * k / 160 for k in range(161)]
        try:
            f = [abs(g(v)) for v in grid]
        except (ArithmeticError, ValueError, TypeError):
            return 0.0
        total = mpmath.fsum(
            (f[k] + f[k + 1]) * (grid[k + 1] - grid[k]) / 2 for k in range(len(grid) - 1)
        )
        return float(total) if mpmath.isfinite(total) else 0.0


def _real_candidates(values: Sequence[Any]) -> list[Any]:
    out = [mpmath.mpf(0)]
    for v in values:
        c = mpmath.mpmathify(v)
        if isinstance(c, mpmath.mpc):
            c = c.real
        if mpmath.isfinite(c):
            out.append(c)
    return out


def _break_points(
    g: MpFunction, a: Any, b: Any, values: Sequence[Any], peaks: Sequence[float]
) -> list[Any]:
    """Integration break points: the ends, 0, the point's coordinates and the scanned peaks."""
    a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
    candidates = [*_real_candidates(values), *(mpmath.mpf(p) for p in peaks)]
    inside = sorted({c for c in candidates if a < c < b})
    return [a, *inside, b]


def _float_version(body: sp.Expr, args: Sequence[sp.Symbol]) -> MpFunction | None:
    """A NumPy version of a plain integrand, for locating its peaks cheaply (None if nested)."""
    if _outer_specials(body):
        return None
    try:
        return sp.lambdify(list(args), body, modules=["scipy", "numpy"])
    except (TypeError, ValueError, NameError, SyntaxError):
        return None


def _float_scan(
    fast: MpFunction | None, values: Sequence[Any], a: Any, b: Any
) -> tuple[list[float], float]:
    """Local maxima of |integrand| on a fine float grid (up to 8, the largest first), and the
    trapezoid estimate of the integral of |integrand| on that grid.

    The grid is log-spaced on both sides of 0 from 1e-3 to 1e5 (relative spacing 1e-3), plus
    the point's real coordinates, so a peak of relative width 1e-3 anywhere is seen.
    """
    if fast is None:
        return [], 0.0
    lo, hi = float(mpmath.re(a)), float(mpmath.re(b))
    half = np.geomspace(1e-3, 1e5, _SCAN)
    grid = np.concatenate(
        [-half[::-1], [0.0], half, [float(mpmath.re(c)) for c in _real_candidates(values)]]
    )
    if np.isfinite(lo) and np.isfinite(hi):
        grid = np.concatenate([grid, np.linspace(lo, hi, _SCAN)])
    grid = np.unique(grid[(grid > lo) & (grid < hi)])
    if grid.size < 3:
        return [], 0.0
    args = [complex(v) if isinstance(mpmath.mpmathify(v), mpmath.mpc) else float(v) for v in values]
    with np.errstate(all="ignore"):
        try:
            f = np.abs(np.asarray(fast(*args, grid), dtype=complex)) * np.ones_like(grid)
        except Exception:  # a float evaluation that fails only loses a hint
            return [], 0.0
    f = np.where(np.isfinite(f), f, 0.0)
    if not f.any():
        return [], 0.0
    inner = (f[1:-1] >= f[:-2]) & (f[1:-1] >= f[2:]) & (f[1:-1] > 1e-6 * f.max())
    where = np.flatnonzero(inner) + 1
    where = where[np.argsort(-f[where])][:8]
    mass = float(np.sum((f[1:] + f[:-1]) * np.diff(grid)) / 2)
    return [float(grid[i]) for i in where], mass


def _compile_limit(node: sp.Limit, symbols: Sequence[sp.Symbol]) -> MpFunction:
    expr, var, point, direction = node.args
    dummy = sp.Dummy("z", real=True)
    inner = compile_mp(expr.xreplace({var: dummy}), [*symbols, dummy])
    at = compile_mp(sp.sympify(point), list(symbols))
    sides = {"+": (1,), "-": (-1,), "+-": (1, -1)}[str(direction)]

    def value(*values: Any) -> Any:
        x0 = at(*values)

        def f(z: Any) -> Any:
            return inner(*values, z)

        tol = mpmath.mpf(10) ** -(mpmath.mp.dps // 2)
        results = []
        for side in sides:
            # Richardson extrapolation along x0 + d/n can converge to a wrong value, and does
            # so identically at every precision, when f varies on a scale below d; a second
            # sequence 1000 times closer must agree, or the value is not trusted
            far = mpmath.limit(f, x0, direction=side) if mpmath.isfinite(x0) else None
            near = mpmath.limit(f, x0, direction=side * mpmath.mpf("1e-3"))
            if far is not None and abs(far - near) > tol * max(abs(far), abs(near)):
                raise NumericTrouble("Richardson extrapolation is unstable for this limit")
            results.append(near)
        if len(results) == 2 and abs(results[0] - results[1]) > tol * max(map(abs, results)):
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
