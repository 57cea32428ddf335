"""The numeric stage of identity verification: ``lhs - rhs`` at random points, with certification.

For each random point (and, when the identity has generic functions, a random concrete member
of each function's test family, :mod:`symtransport._verification.families`) both sides are
evaluated with mpmath on a precision ladder ``D, 2D, 4D`` decimal digits (``D >= 30``):

1. at ``D`` digits the point *agrees* when ``|L - R| <= 10**-(D - 5) * max(|L|, |R|)``;
2. otherwise at ``2D`` digits it agrees when the difference is at that precision's rounding
   level, or when it fell by at least ``2D/3`` orders of magnitude as the precision doubled
   (rounding noise behaves so, a true difference does not);
3. otherwise at ``4D`` digits the difference is a *certified counterexample* when it is
   non-zero and stable between ``2D`` and ``4D`` digits to 6 significant digits; when it
   agrees by the rule of step 2 the point agrees; else the point is *inconclusive*.

Integrals over several variables are first reduced by the closed forms of their Gaussian
inner layers (:func:`_inner_gaussian_layers`); one-dimensional integrals are evaluated by
quadrature as they stand.

Floats that carry rounding (:class:`symtransport._core.decimals.Rounded`: computed values such as
``0.30000000000000004``) enter as parameters ``c_i``. A difference at step 3 that is no larger
than ``ROUNDINGS * sum_i u_i |c_i dD/dc_i|`` (``u_i = 2**-precision_i``, the derivative taken
by a central difference at ``4D`` digits) is within what those floats carry: the point is
*rounding*, never a counterexample.

Points where a side cannot be evaluated (a pole, a failed quadrature) are *skipped*, unless
the sides are matrices and one entry alone is certified different there (a counterexample
needs only one entry). The
relative residual reported is the difference divided by the magnitude of the values involved,
including the size of the terms that cancelled (estimated from the rounding noise).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from symtransport._core.gaussint import gaussian_integrals
from symtransport._core.mpeval import NumericTrouble, compile_mp
from symtransport._verification.families import DEFAULT_FAMILY, FunctionInstance, draw_instance
from symtransport._verification.sampling import PointSampler
from symtransport.errors import InvalidArgument

__all__ = [
    "ROUNDINGS",
    "Parameter",
    "PointKind",
    "PointResult",
    "generic_functions",
    "numeric_stage",
]

_GUARD = 5  # digits of slack at the base precision
_STABLE = mpmath.mpf("1e-6")  # agreement of a counterexample between 2D and 4D digits
_INSTANCES = 4  # distinct random members of each function family per check


#: roundings a computed float may carry (each a relative 2**-precision): its value may be the
#: result of up to about a thousand floating-point operations
ROUNDINGS = 1024
_STEP = 10  # relative step 10**-(4D / _STEP) of the central difference in a float parameter


class PointKind(StrEnum):
    """What one point showed."""

    AGREE = "agree"
    ROUNDING = "rounding"  # different, but within the rounding of computed input floats
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Parameter:
    """A computed float of the input, as the symbol that stands for it in the numeric stage."""

    symbol: sp.Symbol
    value: sp.Rational
    relative_error: float


@dataclass(frozen=True)
class PointResult:
    """The verdict at one point."""

    index: int
    kind: PointKind
    residual: float | None = None
    digits: int = 0
    counterexample: dict[str, str] | None = None
    note: str = ""


def generic_functions(exprs: Sequence[sp.Basic]) -> dict[str, int]:
    """Names and arities of the undefined functions applied in ``exprs``."""
    arities: dict[str, int] = {}
    for e in exprs:
        for app in e.atoms(AppliedUndef):
            name, n = app.func.__name__, len(app.args)
            if arities.setdefault(name, n) != n:
                raise InvalidArgument(
                    f"function {name!r} is applied to {arities[name]} and to {n} arguments; "
                    "use one arity per function name"
                )
    return arities


def _inside_integrals_or_limits(exprs: Sequence[sp.Basic]) -> set[str]:
    """Names of the generic functions applied inside an integral or a limit of ``exprs``: their
    members are drawn without special functions (:func:`draw_instance`'s ``closed_form``), since
    quadrature and extrapolation evaluate them hundreds of times at up to 120 digits."""
    return {
        app.func.__name__
        for e in exprs
        for node in e.atoms(sp.Integral, sp.Limit)
        for app in node.atoms(AppliedUndef)
    }


#: nodes whose generic functions :func:`_substitute` leaves in place, made concrete inside them
_ENCLOSING = (sp.Integral, sp.Limit, sp.Sum, sp.Subs, sp.Derivative)


def _leaves(e: sp.Basic, names: Sequence[str], found: dict[sp.Basic, None]) -> None:
    """Add to ``found`` (in order of appearance) the applications of the functions ``names``,
    and the derivatives of such applications, that lie outside every integral, limit, sum,
    substitution and other derivative of ``e``."""
    if isinstance(e, AppliedUndef) and e.func.__name__ in names:
        found[e] = None
    elif isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef):
        if e.expr.func.__name__ in names:
            found[e] = None
    elif not isinstance(e, _ENCLOSING):
        for arg in e.args:
            _leaves(arg, names, found)


def _named(e: sp.Basic, names: Mapping[sp.Basic, sp.Symbol]) -> sp.Basic:
    """``e`` with the leaves of :func:`_leaves` replaced by their names (and nothing inside an
    enclosing node, where the name would not be defined)."""
    if e in names:
        return names[e]
    if isinstance(e, _ENCLOSING) or not e.args:
        return e
    args = [_named(a, names) for a in e.args]
    return e.func(*args) if any(a is not b for a, b in zip(args, e.args, strict=True)) else e


def _substitute(
    exprs: Sequence[sp.Basic], instances: Mapping[str, FunctionInstance]
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Basic]]:
    """Replace generic functions by concrete instances and carry out the derivatives:
    ``(definitions, expressions)`` for :func:`compile_mp`.

    Each distinct application of a generic function, or derivative of one, that stands outside
    integrals, limits and sums is made concrete once, as a definition the expressions use by
    name: an instance of hundreds of operations that the identity applies a dozen times is then
    differentiated, printed and evaluated once. Inside integrals, limits and sums the instances
    are substituted in place. An integral that held a generic function is put in closed form
    where :mod:`symtransport._core.gaussint` has one: the instance is a member drawn for this
    point, which the exact stage never saw, so the check stays independent of the closed forms
    it used.
    """
    # derivatives first, while the functions are still symbols: substituting a large instance
    # into a Subs or differentiating it symbolically is far costlier than doing it generically
    exprs = [_carry_out_derivatives(e) for e in exprs]

    def concrete(node: sp.Basic) -> sp.Basic:
        for func in {app.func for app in node.atoms(AppliedUndef)}:
            if func.__name__ in instances:
                node = node.replace(func, instances[func.__name__].lam)
        return node

    found: dict[sp.Basic, None] = {}
    for e in exprs:
        _leaves(e, list(instances), found)
    names = {leaf: sp.Dummy(f"instance{k}") for k, leaf in enumerate(found)}
    definitions = [(names[leaf], _carry_out_derivatives(concrete(leaf))) for leaf in found]

    def rest(e: sp.Basic) -> sp.Basic:
        e = e.replace(
            lambda n: isinstance(n, sp.Integral) and bool(n.atoms(AppliedUndef)),
            lambda n: gaussian_integrals(_carry_out_derivatives(concrete(n)), partial=True),
        )
        return _inner_gaussian_layers(_carry_out_derivatives(concrete(e)))

    return definitions, [rest(_named(e, names)) for e in exprs]


def _inner_gaussian_layers(e: sp.Basic) -> sp.Basic:
    """Integrals over several variables with their Gaussian inner layers in closed form.

    Nested tanh-sinh quadrature at 30 to 120 digits is out of reach over two or more
    variables; the closed forms of :mod:`symtransport._core.gaussint` (tested against mpmath
    quadrature) leave at most the non-Gaussian outer layers to integrate numerically.
    One-dimensional integrals stay as they are, so the numeric stage checks them
    independently of those closed forms.
    """
    return e.replace(
        lambda n: isinstance(n, sp.Integral) and len(n.limits) > 1,
        lambda n: gaussian_integrals(n, partial=True),
    )


def _carry_out_derivatives(e: sp.Basic) -> sp.Basic:
    """Derivatives carried out, and the substitutions ``Subs`` with them; a ``Subs`` that would
    put a generic function's derivative at a non-symbol point (``mu'(phi(x, t))``, which SymPy
    writes as a derivative with respect to ``phi(x, t)``) waits until the function is
    concrete."""

    def ready(n: sp.Basic) -> bool:
        if isinstance(n, sp.Derivative):
            return True
        if not isinstance(n, sp.Subs):
            return False
        generic = any(isinstance(d.expr, AppliedUndef) for d in n.expr.atoms(sp.Derivative))
        return not generic or all(p.is_Symbol or p.is_number for p in n.point)

    return e.replace(ready, lambda n: n.doit(deep=False, simplify=False))


def _evaluate(f: Any, values: Sequence[Any], dps: int) -> list[Any]:
    with mpmath.workdps(dps):
        out = f(*[mpmath.mpmathify(v) for v in values])
        out = [mpmath.mpmathify(v) for v in out]
    for v in out:
        if not mpmath.isfinite(v):
            raise NumericTrouble("a side is not finite here")
    return out


def _split(out: list[Any]) -> tuple[list[Any], list[Any]]:
    half = len(out) // 2
    return out[:half], out[half:]


def _diffs(out: list[Any]) -> list[Any]:
    lhs, rhs = _split(out)
    return [a - b for a, b in zip(lhs, rhs, strict=True)]


def _size(out: list[Any]) -> list[Any]:
    lhs, rhs = _split(out)
    return [max(abs(a), abs(b)) for a, b in zip(lhs, rhs, strict=True)]


def _ratio(num: Any, den: Any) -> float:
    return 0.0 if num == 0 else float(num / den) if den else float("inf")


def _rounding_bounds(
    f: Any, values: Sequence[Any], parameters: Sequence[Parameter], dps: int
) -> list[Any]:
    """Per entry, ``ROUNDINGS * sum_i u_i |c_i dD/dc_i|``: the difference the computed floats
    ``c_i`` (the last ``len(parameters)`` values) can explain (module docstring)."""
    first = len(values) - len(parameters)
    bounds: list[Any] = []
    with mpmath.workdps(dps):
        eta = mpmath.mpf(10) ** -(dps // _STEP)
        for i, parameter in enumerate(parameters):
            shifted = []
            for sign in (1, -1):
                moved = list(values)
                moved[first + i] = mpmath.mpf(values[first + i]) * (1 + sign * eta)
                shifted.append(_diffs(_evaluate(f, moved, dps)))
            rates = [abs(a - b) / (2 * eta) for a, b in zip(*shifted, strict=True)]
            terms = [ROUNDINGS * parameter.relative_error * r for r in rates]
            bounds = terms if not bounds else [a + b for a, b in zip(bounds, terms, strict=True)]
    return bounds


def ladder(
    f: Any, values: Sequence[Any], digits: int, parameters: Sequence[Parameter] = ()
) -> tuple[PointKind, float | None, int]:
    """The precision ladder of the module docstring at one point: (kind, residual, digits).
    ``parameters`` are the computed floats, the last values of ``values``."""
    p1, p2, p3 = digits, 2 * digits, 4 * digits
    one = _evaluate(f, values, p1)
    d1, s1 = _diffs(one), _size(one)
    tol1 = mpmath.mpf(10) ** -(p1 - _GUARD)
    if all(abs(d) <= tol1 * s for d, s in zip(d1, s1, strict=True)):
        return PointKind.AGREE, max(_ratio(abs(d), s) for d, s in zip(d1, s1, strict=True)), p1
    two = _evaluate(f, values, p2)
    d2, s2 = _diffs(two), _size(two)
    noise1 = [abs(a - b) for a, b in zip(d1, d2, strict=True)]
    scale = [max(s, n * mpmath.mpf(10) ** p1) for s, n in zip(s2, noise1, strict=True)]

    def agrees(d: list[Any], s: list[Any], noise: list[Any], p: int, step: int) -> bool:
        tol = mpmath.mpf(10) ** -(p - _GUARD)
        drop = mpmath.mpf(10) ** -(2 * step // 3)
        return all(
            abs(dk) <= tol * sk or abs(dk) <= drop * nk
            for dk, sk, nk in zip(d, s, noise, strict=True)
        )

    residual = max(_ratio(abs(d), s) for d, s in zip(d2, scale, strict=True))
    if agrees(d2, s2, noise1, p2, p1):
        return PointKind.AGREE, residual, p2
    three = _evaluate(f, values, p3)
    d3, s3 = _diffs(three), _size(three)
    noise2 = [abs(a - b) for a, b in zip(d2, d3, strict=True)]
    residual = max(_ratio(abs(d), s) for d, s in zip(d3, scale, strict=True))
    stable = [d != 0 and n <= _STABLE * abs(d) for d, n in zip(d3, noise2, strict=True)]
    if any(stable):
        if parameters:
            bounds = _rounding_bounds(f, values, parameters, p3)
            beyond = [ok and abs(d) > b for d, b, ok in zip(d3, bounds, stable, strict=True)]
            if not any(beyond):
                return PointKind.ROUNDING, residual, p3
            stable = beyond
        worst = max(
            (_ratio(abs(d), s) for d, s, ok in zip(d3, scale, stable, strict=True) if ok),
        )
        return PointKind.REFUTED, worst, p3
    if agrees(d3, s3, noise2, p3, p2):
        return PointKind.AGREE, residual, p3
    return PointKind.INCONCLUSIVE, residual, p3


def _describe(value: Any) -> str:
    return repr(value)


def numeric_stage(
    lhs: Sequence[sp.Basic],
    rhs: Sequence[sp.Basic],
    symbols: Sequence[sp.Symbol],
    constraints: Sequence[sp.Basic],
    families: Mapping[str, str],
    seed: int,
    points: int,
    digits: int,
    parameters: Sequence[Parameter] = (),
) -> Iterator[PointResult]:
    """Yield one :class:`PointResult` per point; stop after the first certified counterexample.

    ``parameters``: the computed floats of the input, each a symbol in ``lhs``/``rhs`` with
    its exact value (see the module docstring)."""
    rng = random.Random(seed)
    arities = generic_functions([*lhs, *rhs])
    n_instances = _INSTANCES if arities else 1
    arguments = [*symbols, *(p.symbol for p in parameters)]
    fixed = [p.value for p in parameters]
    integrated = _inside_integrals_or_limits([*lhs, *rhs])
    # every member is drawn up front (the random stream stays the same), but substituted and
    # compiled only when a point first uses it: a proof's cross-check needs 2 of the 4
    drawn = [
        {
            name: draw_instance(
                name, families.get(name, DEFAULT_FAMILY), arity, rng, name in integrated
            )
            for name, arity in sorted(arities.items())
        }
        for _ in range(n_instances)
    ]
    substituted: dict[int, tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Basic]]] = {}
    compiled: dict[int, Any] = {}

    def prepared(which: int) -> Any:
        if which not in compiled:
            definitions, exprs = _substitute([*lhs, *rhs], drawn[which])
            substituted[which] = definitions, exprs
            compiled[which] = compile_mp(exprs, arguments, definitions)
        return compiled[which]

    entries: dict[tuple[int, int], Any] = {}

    def refute_one_entry(which: int, values: list[Any]) -> tuple[float | None, int] | None:
        """When the whole cannot be evaluated at a point, a certified difference in a single
        entry still refutes it: ``(residual, digits)`` of the first such entry, or None."""
        n = len(lhs)
        if n < 2 or which not in substituted:
            return None
        for i in range(n):
            key = (which, i)
            if key not in entries:
                definitions, exprs = substituted[which]
                entries[key] = compile_mp([exprs[i], exprs[n + i]], arguments, definitions)
            try:
                kind, residual, used = ladder(entries[key], values, digits, parameters)
            except (NumericTrouble, ArithmeticError, ValueError, TypeError):
                continue
            if kind == PointKind.REFUTED:
                return residual, used
        return None

    sampler = PointSampler(symbols, constraints, rng)
    for index in range(points):
        point = sampler.draw(index)
        if point is None:
            yield PointResult(index, PointKind.SKIPPED, note="no admissible point was found")
            continue
        values = [*(point[s] for s in symbols), *fixed]
        which = index % n_instances
        try:
            kind, residual, used = ladder(prepared(which), values, digits, parameters)
        except (NumericTrouble, ArithmeticError, ValueError, TypeError) as exc:
            single = refute_one_entry(which, values)
            if single is None:
                note = f"{type(exc).__name__}: {exc}"[:200]
                yield PointResult(index, PointKind.SKIPPED, note=note)
                continue
            kind, (residual, used) = PointKind.REFUTED, single
        counterexample = None
        if kind == PointKind.REFUTED:
            counterexample = {str(s): _describe(point[s]) for s in symbols}
            for name, inst in drawn[which].items():
                counterexample[name] = inst.describe()
        yield PointResult(index, kind, residual, used, counterexample)
        if kind == PointKind.REFUTED:
            return
