"""``verify_identity``: decide whether ``lhs == rhs`` on a domain, honestly.

Semantics (see ``DESIGN.md``, "Verification"):

* decimals: every float of the input is read as the exact rational of its shortest decimal
  form (:mod:`symtransport._core.decimals`: ``0.1`` is 1/10); floats that look computed
  (``0.30000000000000004``) also carry their rounding into the numeric stage;
* exact stage (:mod:`symtransport._verification.exact`): a fixed sequence of canonical rewrites of
  ``lhs - rhs``, each skipped when the expression is larger than that rewrite's work limit;
  reaching 0 is a proof (``proved``);
* numeric stage (:mod:`symtransport._verification.pointcheck`): both sides at ``points``
  random points of the domain (the symbols' assumptions plus ``constraints``), generic
  functions replaced by random members of their test families
  (:mod:`symtransport._verification.families`), evaluated with mpmath at ``digits`` (>= 30)
  significant digits; agreement at enough points is ``verified``, a difference that stays far
  above the evaluation error when re-evaluated at 2x and 4x the precision is ``refuted`` with
  that point as counterexample, unless it is within the rounding carried by computed input
  floats (then the point agrees, and the verdict is at best ``verified``);
* after a proof the numeric stage still runs on a few points as a cross-check of SymPy itself:
  a certified counterexample of closed-form sides then wins over the "proof"; when a side holds
  an integral, limit or sum, its value at the point is itself an approximation (quadrature,
  extrapolation: a missed peak is as stable across precisions as a true difference), so the
  conflict between a proof and such a point is ``undecided``, with both named; the cross-check
  is skipped for integrals over several variables, which 30-digit quadrature cannot finish at
  every point;
* anything else is ``undecided``.

The verdict is a function of the arguments alone: the work is counted (rewrites and their size
limits, points, precision rungs, quadrature degrees), never timed. ``timeout`` is only a safety
net against a runaway computation: each stage runs in a child process that is killed when it is
spent, and the check then ends with status ``error`` ("wall-clock limit"), which is no verdict.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from symtransport._core.budget import BudgetRun, run_with_budget
from symtransport._core.decimals import read_decimals
from symtransport._verification.exact import exact_stage
from symtransport._verification.families import DEFAULT_FAMILY, REGULAR, family_names
from symtransport._verification.placeholders import bind_placeholders
from symtransport._verification.pointcheck import (
    ROUNDINGS,
    Parameter,
    PointKind,
    PointResult,
    generic_functions,
    numeric_stage,
)
from symtransport._verification.scope import Scope, as_scope
from symtransport.errors import InvalidArgument
from symtransport.status import Status

__all__ = ["IdentityCheck", "verify_identity"]

MIN_AGREEING = 8  # agreeing points needed for `verified` (fewer only when fewer are possible)
# numeric points run after a proof, as a check on SymPy (each point costs about 11 of the ~170
# claim-seconds of the default check: 2, not 3, keeps that check within its 90 s)
CROSS_CHECK_POINTS = 2
#: default wall-clock safety net of one call, in seconds: over ten times the slowest check of
#: the bundled proofs on an idle 2-core machine, so that a machine 4x slower, or busy, never
#: reaches it; reaching it is status ``error``, never a verdict
SAFETY_NET = 300.0
WALL_CLOCK = "wall-clock limit"


@dataclass(frozen=True)
class IdentityCheck:
    """The verdict of :func:`verify_identity`.

    ``status``: proved, verified, refuted, undecided, or error when the wall-clock safety net
    stopped the check (no verdict). ``method``: the stage that decided.
    ``residual``: the largest relative difference seen at the numeric points (None when no
    point was evaluated). ``points``/``digits``: how many numeric instances were evaluated and
    at what precision (decimal digits, the highest used). ``counterexample``: None unless
    refuted; else each symbol's and each generic function's name mapped to the value or the
    concrete instance used. ``explanation``: one or two sentences. ``scope``: what the
    identity covers (:mod:`symtransport._verification.scope`): ``general`` when its symbols and
    generic functions stand for the statement as quantified, ``instances`` when fixed examples were
    substituted into it, and so on.
    """

    status: Status
    method: str
    residual: float | None
    points: int
    digits: int
    counterexample: dict[str, str] | None
    explanation: str
    details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    scope: Scope = Scope.GENERAL

    def __str__(self) -> str:
        return f"{self.status} at {self.scope} scope ({self.method}): {self.explanation}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-native form."""
        return {
            "status": str(self.status),
            "scope": str(self.scope),
            "method": self.method,
            "residual": self.residual,
            "points": self.points,
            "digits": self.digits,
            "counterexample": self.counterexample,
            "explanation": self.explanation,
        }


def _as_entries(side: Any, name: str) -> tuple[list[sp.Basic], tuple[int, ...]]:
    if isinstance(side, str):
        raise InvalidArgument(
            f"{name}={side!r} is text; parse user text with symtransport.parse_expression first"
        )
    if isinstance(side, sp.MatrixBase):
        return [bind_placeholders(e) for e in side], side.shape
    try:
        expr = sp.sympify(side, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidArgument(f"{name}={side!r} is not a SymPy expression or matrix") from exc
    if not isinstance(expr, sp.Expr):
        raise InvalidArgument(f"{name}={expr!r} is a {type(expr).__name__}, not an expression")
    return [bind_placeholders(expr)], ()


def _check_functions(functions: Mapping[str, str] | None) -> dict[str, str]:
    if functions is None:
        return {}
    if not isinstance(functions, Mapping):
        raise InvalidArgument(
            f"functions={functions!r} must map function names to family names {family_names()}"
        )
    for name, family in functions.items():
        if family not in family_names():
            raise InvalidArgument(
                f"functions[{name!r}]={family!r} is not a known family; use one of {family_names()}"
            )
    return dict(functions)


def _check_constraints(constraints: Iterable[Any]) -> list[sp.Basic]:
    if isinstance(constraints, (sp.Basic, str)):
        constraints = [constraints]
    out = []
    for c in constraints:
        if isinstance(c, str):
            raise InvalidArgument(
                f"constraint={c!r} is text; pass a SymPy relation such as t < s/2"
            )
        out.append(sp.sympify(c))
    return out


def verify_identity(
    lhs: Any,
    rhs: Any,
    *,
    constraints: Iterable[Any] = (),
    functions: Mapping[str, str] | None = None,
    seed: int = 0,
    timeout: float = SAFETY_NET,
    points: int = 24,
    digits: int = 30,
    scope: Scope | str = Scope.GENERAL,
) -> IdentityCheck:
    """Check ``lhs == rhs`` for every point of the domain; see the module docstring.

    ``lhs``/``rhs``: SymPy expressions or matrices of equal shape (``Derivative``, ``Integral``,
    ``Limit`` and ``Sum`` allowed; floats read as decimals). ``constraints``: SymPy relations
    restricting the domain beyond the symbols' assumptions. ``functions``: the test family of
    each undefined function (``"density"``, the default, ``"positive"`` or ``"smooth"``; the first
    two stand for regular densities, :data:`symtransport._verification.families.REGULAR`).
    ``seed``: the random stream. ``points``: numeric instances to try (the work budget of the
    numeric stage). ``digits``: the base precision, at least 30. The result is a deterministic
    function of these. ``timeout``: the wall-clock safety net in seconds; when it stops the
    check, the status is ``error``. ``scope``: what the identity covers of the statement it
    checks (:mod:`symtransport._verification.scope`). The default, ``general``, is right for an
    identity checked as typed, for every value of its symbols and every function of its generic
    functions' classes; say ``instances`` when fixed examples were put into it (a fixed
    Gaussian for a theorem about every density), ``family`` when its symbols are a named
    family's parameters.
    """
    left, left_shape = _as_entries(lhs, "lhs")
    right, right_shape = _as_entries(rhs, "rhs")
    if left_shape != right_shape:
        raise InvalidArgument(
            f"lhs has shape {left_shape or 'scalar'} and rhs has shape {right_shape or 'scalar'}; "
            "compare expressions or matrices of the same shape"
        )
    constraint_list = _check_constraints(constraints)
    families = _check_functions(functions)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidArgument(f"seed={seed!r} must be an integer")
    if not timeout > 0:
        raise InvalidArgument(f"timeout={timeout!r} must be a positive number of seconds")
    if not isinstance(points, int) or points < 1:
        raise InvalidArgument(f"points={points!r} must be a positive integer")
    if not isinstance(digits, int) or digits < 30:
        raise InvalidArgument(f"digits={digits!r} must be an integer of at least 30")
    arities = generic_functions([*left, *right])  # checks one arity per name, before any work
    covered = as_scope(scope)
    return replace(
        _verify(left, right, constraint_list, families, arities, seed, timeout, points, digits),
        scope=covered,
    )


def _verify(
    left: list[sp.Basic],
    right: list[sp.Basic],
    constraint_list: list[sp.Basic],
    families: dict[str, str],
    arities: dict[str, int],
    seed: int,
    timeout: float,
    points: int,
    digits: int,
) -> IdentityCheck:
    """The two stages of :func:`verify_identity`, on validated arguments."""
    start = time.monotonic()

    decimals = _Decimals([*left, *right])
    exact_left, exact_right = decimals.exact(left), decimals.exact(right)
    differences = [a - b for a, b in zip(exact_left, exact_right, strict=True)]
    symbols = sorted(
        set().union(*(e.free_symbols for e in [*exact_left, *exact_right])), key=lambda s: s.name
    )
    densities = frozenset(name for name in arities if families.get(name, DEFAULT_FAMILY) in REGULAR)
    exact = run_with_budget(exact_stage, (differences, densities), timeout)
    if exact.timed_out:
        return _stopped("exact", timeout)
    proved = next((m[1] for m in exact.messages if m[0] == "proved"), None)

    randomised = bool(symbols) or bool(arities)
    wanted = points if randomised else 1
    if proved is not None:
        wanted = min(wanted, CROSS_CHECK_POINTS)
        if _has_multiple_integral([*left, *right]):
            return _verdict(proved, None, [], wanted, digits, decimals)
    numeric = run_with_budget(
        numeric_stage,
        (
            decimals.numeric(left),
            decimals.numeric(right),
            symbols,
            constraint_list,
            families,
            seed,
            wanted,
            digits,
            decimals.parameters,
        ),
        timeout - (time.monotonic() - start),
    )
    if numeric.timed_out:
        return _stopped("numeric", timeout)
    results: list[PointResult] = numeric.messages
    approximated = any(e.has(sp.Integral, sp.Limit, sp.Sum) for e in [*left, *right])
    return _verdict(proved, numeric, results, wanted, digits, decimals, approximated)


class _Decimals:
    """The floats of an identity: each read as its exact decimal; the computed ones (see
    :mod:`symtransport._core.decimals`) also as parameters of the numeric stage."""

    def __init__(self, exprs: list[sp.Basic]) -> None:
        readings: dict[sp.Float, Any] = {}
        for e in exprs:
            readings.update(read_decimals(e))
        self.exact_table = {f: exact for f, (exact, _) in readings.items()}
        self.numeric_table: dict[sp.Basic, sp.Basic] = dict(self.exact_table)
        self.parameters: list[Parameter] = []
        for i, (f, (exact, rounded)) in enumerate(sorted(readings.items(), key=str)):
            if rounded is not None:
                symbol = sp.Dummy(f"c{i}", real=True)
                self.numeric_table[f] = symbol
                self.parameters.append(Parameter(symbol, exact, rounded.relative_error))

    def exact(self, exprs: list[sp.Basic]) -> list[sp.Basic]:
        return [e.xreplace(self.exact_table) for e in exprs] if self.exact_table else exprs

    def numeric(self, exprs: list[sp.Basic]) -> list[sp.Basic]:
        return [e.xreplace(self.numeric_table) for e in exprs] if self.numeric_table else exprs


def _stopped(stage: str, timeout: float) -> IdentityCheck:
    """The check the wall-clock safety net stopped: ``error``, no verdict."""
    return IdentityCheck(
        Status.ERROR,
        WALL_CLOCK,
        None,
        0,
        0,
        None,
        f"stopped by the {WALL_CLOCK} of {timeout:g} s during the {stage} stage, a safety net "
        "against runaway computations, before the work budget was spent: no verdict. Give a "
        "larger timeout=, or a smaller expression.",
    )


def _has_multiple_integral(exprs: list[sp.Basic]) -> bool:
    """Whether any integral is over two or more variables (too costly to cross-check)."""
    return any(len(node.limits) > 1 for e in exprs for node in e.atoms(sp.Integral))


def _verdict(
    proved: str | None,
    numeric: BudgetRun | None,
    results: list[PointResult],
    wanted: int,
    digits: int,
    decimals: _Decimals,
    approximated: bool = False,
) -> IdentityCheck:
    """The verdict from the stages' results. ``approximated``: a side holds an integral, limit
    or sum, whose numeric values are approximations (see the module docstring)."""
    by_kind = {kind: [r for r in results if r.kind == kind] for kind in PointKind}
    agree, rounding = by_kind[PointKind.AGREE], by_kind[PointKind.ROUNDING]
    refuted, inconclusive = by_kind[PointKind.REFUTED], by_kind[PointKind.INCONCLUSIVE]
    skipped = by_kind[PointKind.SKIPPED]
    evaluated = [r for r in results if r.kind != PointKind.SKIPPED]
    residuals = [r.residual for r in evaluated if r.residual is not None]
    residual = max(residuals) if residuals else None
    used_digits = max((r.digits for r in evaluated), default=digits)
    details = {
        "exact": "proved" if proved else "not reduced to 0",
        "agree": len(agree),
        "rounding": len(rounding),
        "inconclusive": len(inconclusive),
        "skipped": len(skipped),
        "numeric_error": numeric.error if numeric else None,
        "computed_floats": len(decimals.parameters),
    }
    floats = ""
    if decimals.parameters:
        shown = ", ".join(str(sp.Float(p.value, 17)) for p in decimals.parameters[:3])
        floats = (
            f" Floats were read as their exact decimals; {len(decimals.parameters)} of them "
            f"({shown}{', ...' if len(decimals.parameters) > 3 else ''}) look computed rather "
            f"than typed, and were allowed their rounding (up to {ROUNDINGS} x 2^-precision "
            "relative each)."
        )
    elif decimals.exact_table:
        floats = " Floats were read as their exact decimals (0.1 is 1/10)."
    if refuted and proved is not None and approximated:
        r = refuted[0]
        return IdentityCheck(
            Status.UNDECIDED,
            "conflict: symbolic proof against a numeric approximation",
            r.residual,
            len(evaluated),
            r.digits,
            None,
            f"SymPy's rewriting ({proved}) reduced the difference to 0, but at the point "
            f"{r.counterexample} the sides, evaluated through quadrature or extrapolation, "
            f"differ by a relative {r.residual:.3g} at {r.digits} digits; one of the two is "
            "wrong (a quadrature can miss a narrow peak at every precision), so neither "
            "verdict is given." + floats,
            details,
        )
    if refuted:
        r = refuted[0]
        prefix = "SymPy's rewriting reduced the difference to 0, yet " if proved else ""
        return IdentityCheck(
            Status.REFUTED,
            f"numeric counterexample, certified at {r.digits} digits",
            r.residual,
            len(evaluated),
            r.digits,
            r.counterexample,
            f"{prefix}the two sides differ at the counterexample by a relative "
            f"{r.residual:.3g}, stable between {r.digits // 2} and {r.digits} digits." + floats,
            details,
        )
    if proved is not None:
        return IdentityCheck(
            Status.PROVED,
            f"symbolic: {proved}",
            residual,
            len(evaluated),
            used_digits,
            None,
            f"lhs - rhs reduces to 0 by exact rewriting ({proved}); "
            + (
                "no numeric cross-check (integrals over several variables)."
                if numeric is None
                else f"{len(agree) + len(rounding)} numeric cross-check point(s) agree."
            )
            + floats,
            details,
        )
    needed = min(MIN_AGREEING, wanted)
    matching = len(agree) + len(rounding)
    if matching >= needed and not inconclusive:
        within = (
            f", {len(rounding)} of them only to within the rounding of the computed floats"
            if rounding
            else ""
        )
        return IdentityCheck(
            Status.VERIFIED,
            f"numeric: {matching} random points at {used_digits} digits",
            residual,
            len(evaluated),
            used_digits,
            None,
            f"not proved symbolically, but the sides agree at {matching} random points"
            f"{within} (largest relative residual {residual:.3g} at up to {used_digits} "
            "digits)." + floats,
            details,
        )
    reasons = []
    if numeric is not None and numeric.error:
        reasons.append(f"the numeric stage failed ({numeric.error})")
    if inconclusive:
        reasons.append(f"{len(inconclusive)} point(s) were inconclusive at {used_digits} digits")
    if skipped:
        reasons.append(f"{len(skipped)} point(s) could not be evaluated")
    if matching < needed:
        reasons.append(f"only {matching} of the {needed} agreeing points needed")
    return IdentityCheck(
        Status.UNDECIDED,
        "none",
        residual,
        len(evaluated),
        used_digits,
        None,
        "Neither proved nor refuted within the work budget: " + "; ".join(reasons) + "." + floats,
        details,
    )
