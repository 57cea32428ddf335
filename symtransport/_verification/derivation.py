"""Derivations: chains of equalities ``e0 = e1 = ... = en``, each step checked.

A :class:`Derivation` starts from an expression and grows by :meth:`Derivation.step`, each
step carrying the reason it holds (free text and an optional citation such as
``"[J] eq. (17)"``). :meth:`Derivation.verify` checks every link ``e_{i-1} = e_i`` with
:func:`symtransport.verify_identity` under the derivation's constraints and function families;
the derivation's status is the weakest of its steps (``refuted < undecided < verified <
proved``). It renders as text, as LaTeX (``align*`` with the reasons as annotations), as JSON
and, in notebooks, through ``_repr_latex_``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symtransport._core.stages import stage
from symtransport._verification.display import shown, shown_latex
from symtransport._verification.scope import Scope
from symtransport._verification.verify import SAFETY_NET, IdentityCheck, verify_identity
from symtransport.errors import InvalidArgument
from symtransport.status import Status, weakest

__all__ = ["Derivation", "Step"]

GIVEN = "given"  # JSON status of the starting expression, which is not a claim


@dataclass(frozen=True)
class Step:
    """One link of a chain: the new expression, why it equals the previous one, and its check."""

    expr: Any
    reason: str
    cite: str = ""
    check: IdentityCheck | None = None
    rewrite: tuple[Any, Any] | None = None

    @property
    def annotation(self) -> str:
        """The reason with its citation, as shown beside the step."""
        return f"{self.reason} {self.cite}".strip()


def _latex_text(text: str) -> str:
    specials = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    return "".join(specials.get(ch, ch) for ch in text)


def _bound_symbols(e: Any) -> set[sp.Symbol]:
    """Symbols bound in ``e``: integration and summation variables, limit variables."""
    out: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(e):
        if isinstance(node, (sp.Integral, sp.Sum, sp.Product)):
            out.update(lim[0] for lim in node.limits)
        elif isinstance(node, sp.Limit):
            out.add(node.args[1])
        elif isinstance(node, (sp.Lambda, sp.Subs)):
            out.update(node.variables)
    return out


class Derivation:
    """A chain of equalities with reasons; see the module docstring.

    >>> x = sp.Symbol("x", real=True)
    >>> d = Derivation(sp.sin(x)**2 + sp.cos(x)**2, title="Pythagoras")
    >>> d = d.step(1, "trigonometric identity")
    >>> d.verify().status
    <Status.PROVED: 'proved'>
    """

    def __init__(
        self,
        start: Any,
        *,
        title: str = "",
        reason: str = "definition",
        constraints: Iterable[Any] = (),
        functions: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(start, str):
            raise InvalidArgument(
                f"start={start!r} is text; parse it with symtransport.parse_expression first"
            )
        self.title = title
        self.start = sp.sympify(start) if not isinstance(start, sp.MatrixBase) else start
        self.start_reason = reason
        self.constraints = tuple(constraints)
        self.functions = dict(functions or {})
        self.steps: list[Step] = []

    def step(
        self,
        expr: Any,
        reason: str,
        cite: str = "",
        *,
        rewrite: tuple[Any, Any] | None = None,
    ) -> Derivation:
        """Append ``= expr`` because of ``reason``; returns the derivation for chaining.

        ``rewrite=(a, b)`` says the step replaces the subexpression ``a`` of the previous
        expression by ``b`` and nothing else; it must hold structurally
        (``previous.xreplace({a: b}) == expr``, checked here). The step is then checked by
        verifying the smaller identity ``a = b``: equals substituted for equals give equals
        (Leibniz's law), so a lemma about a convolution serves the map built from it.
        """
        if not reason or not isinstance(reason, str):
            raise InvalidArgument(f"reason={reason!r}: every step needs a reason (text)")
        if isinstance(expr, str):
            raise InvalidArgument(
                f"expr={expr!r} is text; parse it with symtransport.parse_expression first"
            )
        expr = expr if isinstance(expr, sp.MatrixBase) else sp.sympify(expr)
        if rewrite is not None:
            old, new = (sp.sympify(e) for e in rewrite)
            previous = self.expressions[-1]
            bound = _bound_symbols(previous)
            if (old.free_symbols | new.free_symbols) & bound:
                raise InvalidArgument(
                    "rewrite: the lemma mentions "
                    f"{', '.join(sorted(map(str, (old.free_symbols | new.free_symbols) & bound)))}"
                    ", bound (integrated, summed or a limit variable) in the previous "
                    "expression; checked as free it would range over the wrong values"
                )
            if not previous.has(old):
                raise InvalidArgument(f"rewrite: {old} does not occur in the previous expression")
            if previous.xreplace({old: new}) != expr:
                raise InvalidArgument(
                    "rewrite: replacing the subexpression in the previous expression does not "
                    "give the new one; state the step without rewrite="
                )
            rewrite = (old, new)
        self.steps.append(Step(expr, reason, cite, rewrite=rewrite))
        return self

    @property
    def expressions(self) -> list[Any]:
        """``[e0, e1, ..., en]``."""
        return [self.start, *(s.expr for s in self.steps)]

    @property
    def verified(self) -> bool:
        """Whether every step carries a check."""
        return bool(self.steps) and all(s.check is not None for s in self.steps)

    def verify(
        self, *, seed: int = 0, timeout: float = SAFETY_NET, scope: Scope | str = Scope.GENERAL
    ) -> Derivation:
        """Check every step not yet checked; returns ``self``. ``timeout`` is each step's
        wall-clock safety net (a step it stops has status ``error``; it decides no verdict).
        ``scope``: what the derivation covers, as :func:`symtransport.verify_identity`'s
        ``scope`` (``instances`` when it was built on fixed examples)."""
        if not self.steps:
            raise InvalidArgument(f"derivation {self.title!r} has no steps: add one with .step()")
        previous = self.start
        for i, s in enumerate(self.steps):
            if s.check is None:
                lhs, rhs = s.rewrite if s.rewrite is not None else (previous, s.expr)
                with stage(f"checking step {i + 1} of {len(self.steps)} ({s.annotation})"):
                    check = verify_identity(
                        lhs,
                        rhs,
                        constraints=self.constraints,
                        functions=self.functions,
                        seed=seed + i,
                        timeout=timeout,
                        scope=scope,
                    )
                self.steps[i] = Step(s.expr, s.reason, s.cite, check, s.rewrite)
            previous = s.expr
        return self

    @property
    def status(self) -> Status:
        """The weakest status of the steps (verifying them first if needed)."""
        if not self.verified:
            self.verify()
        return weakest(s.check.status for s in self.steps if s.check is not None)

    @property
    def checks(self) -> list[IdentityCheck]:
        """The steps' checks, in order (verifying first if needed)."""
        if not self.verified:
            self.verify()
        return [s.check for s in self.steps if s.check is not None]

    def to_text(self) -> str:
        """Plain text, one step a line with its reason and status (a 1 x 1 matrix shown as its
        entry, a column as ``(a, b)``: :func:`symtransport._verification.display.shown`)."""
        lines = [f"{self.title}:" if self.title else "Derivation:", f"    {shown(self.start)}"]
        for s in self.steps:
            status = s.check.status if s.check else "unchecked"
            lines.append(f"  = {shown(s.expr)}    [{s.annotation}; {status}]")
        return "\n".join(lines)

    def to_latex(self) -> str:
        """An ``align*`` environment; each step annotated with its reason and status."""
        rows = [rf"  & {shown_latex(self.start)} && \text{{{_latex_text(self.start_reason)}}}"]
        for s in self.steps:
            status = str(s.check.status) if s.check else "unchecked"
            note = _latex_text(f"{s.annotation}; {status}")
            rows.append(rf"  ={{}} & {shown_latex(s.expr)} && \text{{{note}}}")
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def _repr_latex_(self) -> str:
        return "$\\displaystyle " + self.to_latex().replace("align*", "aligned") + "$"

    def to_json(self) -> list[dict[str, Any]]:
        """``[{"expr", "latex", "reason", "status", "scope"}, ...]``; the first entry is ``e0``
        with status ``"given"`` and scope null (it is the starting point, not a claim)."""
        out = [
            {
                "expr": shown(self.start, readable_back=True),
                "latex": shown_latex(self.start),
                "reason": self.start_reason,
                "status": GIVEN,
                "scope": None,
            }
        ]
        for s in self.steps:
            out.append(
                {
                    "expr": shown(s.expr, readable_back=True),
                    "latex": shown_latex(s.expr),
                    "reason": s.annotation,
                    "status": str(s.check.status) if s.check else "unchecked",
                    "scope": str(s.check.scope) if s.check else None,
                }
            )
        return out

    def __repr__(self) -> str:
        return f"Derivation({self.title!r}, {len(self.steps)} steps)"
