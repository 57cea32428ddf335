"""Probing an unnormalised density ``f`` on R^d: its values, its tails, its kinks and peaks.

A :class:`Probe` compiles ``f`` for mpmath (the checks, at :data:`DPS` = 30 digits) and for
NumPy (the float64 quadrature of :mod:`symtransport._core.quadrature`), and checks what a
density must satisfy before it is normalised:

* values (:meth:`Probe.check_pointwise`): ``f`` is evaluated on a grid over ``[-10, 10]^d`` (400
  cells in 1-D, 32 per axis in 2-D, 12 in 3-D), at seeded pseudo-random points at scales
  1e-2 .. 1e2 and at, between and beside its kinks; a negative (confirmed at 60 digits),
  non-real, non-finite or undefined value is an :class:`~symtransport.errors.InvalidArgument`
  naming the point and the value, and so is a function that is zero at every point (or whose
  largest value is rounding noise at 60 digits). :func:`check_values` runs these checks alone;
* tails (:meth:`Probe.check_tails`): along each axis and diagonal ray ``r u`` the local decay
  exponent ``p = log10(f(r u) / f(10 r u))`` over the decades ``r`` in :data:`TAIL_RADII`
  (1e3 .. 1e6) must exceed 1 (by :data:`DECAY_MARGIN`), and in d > 1 dimensions exceed ``d`` in
  at least one direction: ``1/sqrt(1 + x^2)`` and ``exp(x)`` are rejected as not integrable,
  the Cauchy ``1/(1 + x^2)`` is accepted.

For the quadrature a probe also finds the break points of ``f`` along an axis
(:meth:`Probe.kinks`: the real roots of the arguments of ``Abs``, ``sign``, ``Heaviside``, of the
differences in ``Min``/``Max`` and of the sides of relations, rounded to 30 digits) and the local
maxima of a slice (:meth:`Probe.peaks`, a float scan).

Limits: the checks are samples, not proofs: a negative dip or a bump narrower than the probe
spacing, away from any kink, can be missed; integrable singularities and removable ones
(``sin(x)/x`` at 0) are rejected; densities whose scale exceeds ~1e5 look non-decaying at the
tail radii.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symtransport._core.decimals import exact_expression
from symtransport._core.decimals import shown as _show
from symtransport._core.mpeval import compile_mp
from symtransport._core.stages import stage
from symtransport._theory.variables import symbols_of
from symtransport.errors import InvalidArgument

__all__ = ["DECAY_MARGIN", "DPS", "TAIL_RADII", "Probe", "check_values"]

#: Working precision (digits) of the pointwise checks and of the 1-D quadrature.
DPS = 30
#: The radii at which the tails are probed (three decades).
TAIL_RADII = (10**3, 10**4, 10**5, 10**6)
#: A decay exponent must exceed its threshold by this much.
DECAY_MARGIN = 0.05
_SEED = 20171212  # seed of the pseudo-random probe points (fixed: the checks are deterministic)
_PROBE_SCALES = (0.01, 0.1, 1.0, 3.0, 10.0, 100.0)
_PROBES_PER_SCALE = 40
_GRID_STEPS = {1: 400, 2: 32, 3: 12}  # grid cells per axis over [-10, 10]
_MAX_BREAKS = 40


def _point_text(xs: Sequence[sp.Symbol], point: Sequence[Any]) -> str:
    return ", ".join(f"{v}={mpmath.nstr(p, 8)}" for v, p in zip(xs, point, strict=True))


class Probe:
    """The unnormalised density ``f`` compiled for mpmath (checks) and NumPy (quadrature).

    After :meth:`check_pointwise`, ``largest`` is the largest value of ``f`` at the probe points
    and ``argmax`` the point where it is taken.
    """

    def __init__(self, expr: sp.Expr, xs: tuple[sp.Symbol, ...], label: str) -> None:
        self.expr, self.xs, self.label = expr, xs, label
        self.d = len(xs)
        try:
            self.mp = compile_mp(expr, list(xs))
        except Exception as exc:
            raise InvalidArgument(
                f"{label}: the expression cannot be evaluated numerically ({exc}). Expected an "
                "expression of elementary and special functions."
            ) from None
        try:
            self.fast = sp.lambdify(list(xs), expr, modules=["scipy", "numpy"])
        except Exception:
            self.fast = None
        self._kinks: dict[int, list[Any]] = {}
        self.largest: Any = mpmath.mpf(0)
        self.argmax: tuple[float, ...] = (0.0,) * self.d

    def value(self, point: Sequence[Any], dps: int = DPS) -> Any:
        """``f(point)`` as a real mpf at ``dps`` digits; invalid values raise InvalidArgument."""
        with mpmath.workdps(dps):
            try:
                value = self.mp(*[mpmath.mpf(p) for p in point])
            except OverflowError:
                raise InvalidArgument(
                    f"{self.label}: the expression cannot be evaluated at "
                    f"{_point_text(self.xs, point)}: a number in it overflows (a power such as "
                    "x**(10**100)). Expected a density of moderate powers; rescale it."
                ) from None
            except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
                raise InvalidArgument(
                    f"{self.label}: the expression is undefined at "
                    f"{_point_text(self.xs, point)}. Expected a density defined (and finite) "
                    "everywhere on R^d; write removable singularities out (e.g. with Piecewise)."
                ) from None
            value = mpmath.mpmathify(value)
            if isinstance(value, mpmath.mpc):
                if abs(value.imag) > mpmath.mpf(10) ** (5 - dps) * max(1, abs(value.real)):
                    raise InvalidArgument(
                        f"{self.label}: the expression is not real at "
                        f"{_point_text(self.xs, point)}, where it equals "
                        f"{mpmath.nstr(value, 8)}. Expected a real, non-negative density."
                    )
                value = value.real
            if not mpmath.isfinite(value):
                raise InvalidArgument(
                    f"{self.label}: the expression is not finite at "
                    f"{_point_text(self.xs, point)}, where it equals {value}. Expected a finite "
                    "density; integrable singularities are not supported."
                )
            return +value

    def probe_points(self) -> list[tuple[float, ...]]:
        """The grid over ``[-10, 10]^d``, the seeded random points and the kink points."""
        steps = _GRID_STEPS[self.d]
        axis = [-10 + 20 * k / steps for k in range(steps + 1)]
        points = list(itertools.product(axis, repeat=self.d))
        rng = random.Random(_SEED)
        for scale in _PROBE_SCALES:
            for _ in range(_PROBES_PER_SCALE):
                points.append(tuple(float(f"{rng.gauss(0.0, scale):.6g}") for _ in range(self.d)))
        return points + self.kink_points()

    def kink_points(self) -> list[tuple[float, ...]]:
        """Points at, between and just beside the kinks of every axis (their product in d-D).

        A narrow plateau such as ``Piecewise((1, (50 < x) & (x < 50.001)), (0, True))`` lies
        between two kinks, and is missed by the grid but not by these points.
        """
        per_axis = []
        cap = {1: 60, 2: 16, 3: 6}[self.d]
        for i in range(self.d):
            kinks = self.kinks(i)
            near = [k + s * 1e-3 * max(1.0, abs(k)) for k in kinks for s in (1, -1)]
            middles = [(a + b) / 2 for a, b in itertools.pairwise(kinks)]
            coordinates = sorted({*middles, *kinks, *near})
            if len(coordinates) > cap:
                coordinates = sorted(middles)[:cap]
            per_axis.append(coordinates or [0.0])
        if all(c == [0.0] for c in per_axis):
            return []
        return list(itertools.product(*per_axis))

    def check_pointwise(self, *, skip_undefined: bool = False) -> None:
        """Negative, non-real, non-finite or undefined values, and zero everywhere, are errors
        (with ``skip_undefined``, points where the expression cannot be evaluated are skipped:
        a removable singularity is no evidence against a density)."""
        negatives: list[tuple[Any, tuple[float, ...]]] = []
        for point in self.probe_points():
            try:
                value = self.value(point)
            except InvalidArgument:
                if skip_undefined:
                    continue
                raise
            if value < 0:
                negatives.append((value, point))
            elif value > self.largest:
                self.largest, self.argmax = value, point
        for value, point in sorted(negatives)[:5]:
            precise = self.value(point, dps=2 * DPS)
            if precise < 0 and abs(precise - value) < abs(precise) / 1000:
                raise InvalidArgument(
                    f"{self.label}: the expression is negative at "
                    f"{_point_text(self.xs, point)}, where it equals {mpmath.nstr(precise, 8)}. "
                    "Expected a non-negative density; check the signs, or square or "
                    "exponentiate the expression."
                )
        if self.largest == 0:
            raise InvalidArgument(
                f"{self.label}: the expression is zero at every one of the "
                f"{len(self.probe_points())} test points; expected a density with positive "
                "mass (a zero function cannot be normalised)."
            )
        precise = self.value(self.argmax, dps=2 * DPS)
        if not abs(precise - self.largest) < abs(precise) / 1000:
            raise InvalidArgument(
                f"{self.label}: the expression looks identically zero: its largest value at the "
                f"test points, {mpmath.nstr(self.largest, 5)} at "
                f"{_point_text(self.xs, self.argmax)}, is rounding noise (it becomes "
                f"{mpmath.nstr(precise, 5)} at {2 * DPS} digits). Expected a density with "
                "positive mass; simplify the expression."
            )

    def rays(self) -> list[tuple[int, ...]]:
        """The directions of the tail checks: both ways along each axis, and the diagonals."""
        axes = []
        for i in range(self.d):
            for s in (1, -1):
                axes.append(tuple(s if j == i else 0 for j in range(self.d)))
        diagonals = list(itertools.product((1, -1), repeat=self.d)) if self.d > 1 else []
        return axes + diagonals

    def check_tails(self) -> None:
        """The density must decay along every ray fast enough to be integrable.

        Along each axis and diagonal direction ``u`` the local decay exponent
        ``p = log10(f(r u) / f(10 r u))`` over the decades ``r = 1e3 .. 1e6`` (the largest of
        the three, so an unlucky oscillation does not count) must exceed 1; in d > 1 dimensions
        at least one direction must decay faster than
        ``r^-d``, since ``f ~ r^-p`` in every direction with ``p <= d`` is not integrable.
        """
        exponents: list[tuple[float, tuple[int, ...]]] = []
        for ray in self.rays():
            values = [self.value([r * c for c in ray]) for r in TAIL_RADII]
            decades = []
            for near, far in itertools.pairwise(values):
                if far == 0:
                    decades.append(math.inf)
                elif near == 0:
                    decades.append(-math.inf)
                else:
                    decades.append(float(mpmath.log10(near / far)))
            p = max(decades)
            direction = "(" + ", ".join(str(c) for c in ray) + ")"
            if p <= 1 + DECAY_MARGIN:
                shown = ", ".join(
                    f"f({r:.0e}*u)={mpmath.nstr(v, 5)}"
                    for r, v in zip(TAIL_RADII, values, strict=True)
                )
                trend = "grows" if p < 0 else f"decays only like r^-{p:.3g}"
                raise InvalidArgument(
                    f"{self.label}: not integrable: along the ray r*u, u={direction}, the "
                    f"expression {trend} ({shown}); an integrable density must decay faster "
                    "than r^-1 along every ray. Check the tails of the expression."
                )
            exponents.append((p, ray))
        if self.d > 1 and max(p for p, _ in exponents) <= self.d + DECAY_MARGIN:
            shown = ", ".join(f"{p:.3g}" for p, _ in exponents)
            raise InvalidArgument(
                f"{self.label}: not integrable: in every direction tested the expression decays "
                f"no faster than r^-{self.d} (decay exponents {shown}), and a density on "
                f"R^{self.d} must decay faster than r^-{self.d}. Check the tails of the "
                "expression."
            )

    # -- break points and peaks --------------------------------------------------------------

    def kinks(self, axis: int) -> list[Any]:
        """Where the expression may be non-smooth along ``axis`` (Abs, Piecewise, Min, ...)."""
        if axis not in self._kinks:
            self._kinks[axis] = self._find_kinks(axis)
        return self._kinks[axis]

    def _find_kinks(self, axis: int) -> list[Any]:
        x = self.xs[axis]
        found: set[Any] = set()
        candidates: list[sp.Expr] = []
        for node in self.expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
            candidates.append(node.args[0])
        for node in self.expr.atoms(sp.Min, sp.Max):
            candidates.extend(a - b for a, b in itertools.combinations(node.args, 2))
        for rel in self.expr.atoms(sp.Rel):
            candidates.append(rel.lhs - rel.rhs)
        for g in candidates:
            if g.free_symbols != {x}:
                continue
            for root in _real_roots(g, x):
                found.add(root)
        return sorted(found)[:_MAX_BREAKS]

    def float_values(self, *args: Any) -> np.ndarray:
        """``f`` in float64 at broadcast arrays (non-finite values and failures become 0)."""
        arrays = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
        shape = arrays[0].shape
        if self.fast is None:
            return np.zeros(shape)
        with np.errstate(all="ignore"):
            try:
                out = np.asarray(self.fast(*arrays))
            except Exception:  # a failing float evaluation: the quadrature sees 0 and no peak
                return np.zeros(shape)
        out = np.broadcast_to(np.real(out).astype(float, copy=False), shape)
        return np.where(np.isfinite(out), out, 0.0)

    def peaks(self, fixed: Sequence[float]) -> list[float]:
        """Local maxima of ``f(fixed, y)`` in ``y`` on a float scan (up to 8, largest first)."""
        centre = np.linspace(-30.0, 30.0, 601)
        far = np.geomspace(30.0, 1e6, 200)
        extra = [np.linspace(s * c - 20, s * c + 20, 81) for c in fixed for s in (1, -1)]
        grid = np.unique(np.concatenate([centre, far, -far, *extra]))
        values = self.float_values(*[np.float64(c) for c in fixed], grid)
        if not values.any():
            return []
        top = values.max()
        inner = (values[1:-1] >= values[:-2]) & (values[1:-1] >= values[2:])
        inner &= values[1:-1] > 1e-10 * top
        where = np.flatnonzero(inner) + 1
        where = where[np.argsort(-values[where])][:8]
        return [float(grid[i]) for i in where]


def _real_roots(g: sp.Expr, x: sp.Symbol) -> list[Any]:
    """Real roots of ``g`` in ``x`` as 30-digit mpf (polynomials; Abs split into both signs).

    Roots of polynomials with rational coefficients are isolated exactly and then rounded, so a
    jump at ``x = 50001/1000`` becomes a break point at that value to 30 digits.
    """
    abs_nodes = list(g.atoms(sp.Abs))
    if abs_nodes:
        node = abs_nodes[0]
        roots = _real_roots(node.args[0], x)
        for s in (1, -1):
            roots += _real_roots(g.xreplace({node: s * node.args[0]}), x)
        return roots
    try:
        poly = sp.Poly(g, x)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return []
    if poly.degree() < 1 or poly.degree() > 8 or poly.free_symbols - {x}:
        return []
    try:
        with mpmath.workdps(DPS):
            if poly.domain.is_QQ or poly.domain.is_ZZ:
                return [mpmath.mpf(str(sp.N(r, DPS))) for r in poly.real_roots()]
            return [
                mpmath.mpf(str(sp.re(r)))
                for r in poly.nroots(n=DPS)
                if abs(sp.im(r)) < 10 ** (-DPS // 2)
            ]
    except (sp.polys.polyerrors.NoConvergence, sp.PolynomialError, ValueError, TypeError):
        return []


def check_values(expr: sp.Expr, variables: Sequence[str | sp.Symbol]) -> None:
    """The sign checks of :class:`Density` alone (no normalisation): a negative value at the
    probe points, or zero at all of them, is an :class:`InvalidArgument` naming the point
    (points where ``expr`` cannot be evaluated, such as a removable singularity, are skipped)."""
    xs = symbols_of(variables, reserve=False)
    label = f"density={_show(expr, 120)}"
    with stage("checking the density's values at probe points"):
        Probe(exact_expression(expr), xs, label).check_pointwise(skip_undefined=True)
