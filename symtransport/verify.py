"""``verify_identity``: decide whether ``lhs == rhs`` on a domain, honestly.

Semantics (see ``DESIGN.md``, "Verification"):

* exact stage (:mod:`symtransport.exact`): canonical rewrites of ``lhs - rhs`` under at most 40 %
  of the budget; reaching 0 is a proof (``proved``);
* numeric stage (:mod:`symtransport.pointcheck`): both sides at random points of the domain
  (the symbols' assumptions plus ``constraints``), generic functions replaced by random members
  of their test families (:mod:`symtransport.families`), evaluated with mpmath at ``digits``
  (>= 30) significant digits; agreement everywhere is ``verified``, a difference that stays far
  above the evaluation error when re-evaluated at 2x and 4x the precision is ``refuted`` with
  that point as counterexample;
* after a proof the numeric stage still runs on a few points (under at most 20 % of the
  budget, and 3 s) as a cross-check of SymPy itself: a certified counterexample then wins over the
  "proof"; the explanation says how many cross-check points agreed (possibly none, when the
  expression is too costly to evaluate within that share; the cross-check is skipped for
  integrals over several variables, which 30-digit quadrature cannot finish in time);
* anything else is ``undecided``.

Each stage runs in a child process that is killed when the budget is spent, so the call returns
within ``timeout`` plus process start-up, whatever the expression.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symtransport.budget import run_with_budget
from symtransport.errors import InvalidArgument
from symtransport.exact import exact_stage
from symtransport.families import family_names
from symtransport.pointcheck import PointResult, generic_functions, numeric_stage
from symtransport.status import Status

__all__ = ["IdentityCheck", "verify_identity"]

EXACT_SHARE = 0.4  # fraction of the budget the exact stage may use
MIN_AGREEING = 8  # agreeing points needed for `verified` (fewer only when fewer are possible)
CROSS_CHECK_POINTS = 3  # numeric points run after a proof, as a check on SymPy
CROSS_CHECK_SHARE = 0.2  # fraction of the budget the cross-check may use after a proof
CROSS_CHECK_MAX_SECONDS = 3.0  # and at most this long (multi-d quadrature is slow)


@dataclass(frozen=True)
class IdentityCheck:
    """The verdict of :func:`verify_identity`.

    ``status``: proved, verified, refuted or undecided. ``method``: the stage that decided.
    ``residual``: the largest relative difference seen at the numeric points (None when no
    point was evaluated). ``points``/``digits``: how many numeric instances were evaluated and
    at what precision (decimal digits, the highest used). ``counterexample``: None unless
    refuted; else each symbol's and each generic function's name mapped to the value or the
    concrete instance used. ``explanation``: one or two sentences.
    """

    status: Status
    method: str
    residual: float | None
    points: int
    digits: int
    counterexample: dict[str, str] | None
    explanation: str
    details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.status} ({self.method}): {self.explanation}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-native form."""
        return {
            "status": str(self.status),
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
        return list(side), side.shape
    try:
        expr = sp.sympify(side, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidArgument(f"{name}={side!r} is not a SymPy expression or matrix") from exc
    if not isinstance(expr, sp.Expr):
        raise InvalidArgument(f"{name}={expr!r} is a {type(expr).__name__}, not an expression")
    return [expr], ()


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
    timeout: float = 30,
    points: int = 24,
    digits: int = 30,
) -> IdentityCheck:
    """Check ``lhs == rhs`` for every point of the domain; see the module docstring.

    ``lhs``/``rhs``: SymPy expressions or matrices of equal shape (``Derivative``, ``Integral``,
    ``Limit`` and ``Sum`` allowed). ``constraints``: SymPy relations restricting the domain
    beyond the symbols' assumptions. ``functions``: the test family of each undefined function
    (``"density"``, the default, ``"positive"`` or ``"smooth"``). ``seed``: the random stream
    (the result is a deterministic function of the arguments, unless the budget runs out).
    ``timeout``: seconds for the whole call. ``points``: numeric instances to try.
    ``digits``: the base precision, at least 30.
    """
    start = time.monotonic()
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

    differences = [a - b for a, b in zip(left, right, strict=True)]
    symbols = sorted(set().union(*(e.free_symbols for e in [*left, *right])), key=lambda s: s.name)
    exact = run_with_budget(exact_stage, (differences,), EXACT_SHARE * timeout)
    proved = next((m[1] for m in exact.messages if m[0] == "proved"), None)

    randomised = bool(symbols) or bool(arities)
    wanted = points if randomised else 1
    if proved is not None:
        wanted = min(wanted, CROSS_CHECK_POINTS)
        if _has_multiple_integral([*left, *right]):
            return _verdict(proved, exact, _SKIPPED, [], wanted, digits)
    remaining = timeout - (time.monotonic() - start)
    if proved is not None:
        remaining = min(remaining, CROSS_CHECK_SHARE * timeout, CROSS_CHECK_MAX_SECONDS)
    numeric = run_with_budget(
        numeric_stage,
        (left, right, symbols, constraint_list, families, seed, wanted, digits),
        max(remaining, 0.5),
    )
    results: list[PointResult] = numeric.messages
    return _verdict(proved, exact, numeric, results, wanted, digits)


class _Skipped:
    """Stands for a numeric stage that was not run."""

    timed_out = False
    error = None


_SKIPPED = _Skipped()


def _has_multiple_integral(exprs: list[sp.Basic]) -> bool:
    """Whether any integral is over two or more variables (too costly to cross-check)."""
    return any(len(node.limits) > 1 for e in exprs for node in e.atoms(sp.Integral))


def _verdict(
    proved: str | None,
    exact: Any,
    numeric: Any,
    results: list[PointResult],
    wanted: int,
    digits: int,
) -> IdentityCheck:
    agree = [r for r in results if r.kind == "agree"]
    refuted = [r for r in results if r.kind == "refuted"]
    inconclusive = [r for r in results if r.kind == "inconclusive"]
    skipped = [r for r in results if r.kind == "skipped"]
    evaluated = [r for r in results if r.kind != "skipped"]
    residuals = [r.residual for r in evaluated if r.residual is not None]
    residual = max(residuals) if residuals else None
    used_digits = max((r.digits for r in evaluated), default=digits)
    details = {
        "exact": "proved" if proved else ("timed out" if exact.timed_out else "not reduced to 0"),
        "agree": len(agree),
        "inconclusive": len(inconclusive),
        "skipped": len(skipped),
        "numeric_error": numeric.error,
        "numeric_timed_out": numeric.timed_out,
    }
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
            f"{r.residual:.3g}, stable between {r.digits // 2} and {r.digits} digits.",
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
                if numeric is _SKIPPED
                else f"{len(agree)} numeric cross-check point(s) agree."
            ),
            details,
        )
    needed = min(MIN_AGREEING, wanted)
    if len(agree) >= needed and not inconclusive:
        return IdentityCheck(
            Status.VERIFIED,
            f"numeric: {len(agree)} random points at {used_digits} digits",
            residual,
            len(evaluated),
            used_digits,
            None,
            f"not proved symbolically, but the sides agree at {len(agree)} random points "
            f"(largest relative residual {residual:.3g} at up to {used_digits} digits).",
            details,
        )
    reasons = []
    if numeric.timed_out:
        reasons.append("the time budget ran out")
    if numeric.error:
        reasons.append(f"the numeric stage failed ({numeric.error})")
    if inconclusive:
        reasons.append(f"{len(inconclusive)} point(s) were inconclusive at {used_digits} digits")
    if skipped:
        reasons.append(f"{len(skipped)} point(s) could not be evaluated")
    if len(agree) < needed:
        reasons.append(f"only {len(agree)} of the {needed} agreeing points needed")
    return IdentityCheck(
        Status.UNDECIDED,
        "none",
        residual,
        len(evaluated),
        used_digits,
        None,
        "Neither proved nor refuted: " + "; ".join(reasons) + ".",
        details,
    )
