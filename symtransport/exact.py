"""The exact stage of identity verification: bounded canonical rewriting of ``lhs - rhs``.

Each entry of the difference goes through a fixed sequence of rewrites, each valid under the
symbols' assumptions (no ``force=True``): closed forms of Gaussian integrals over the real line
(:mod:`symtransport.gaussint`), evaluation of derivatives, integrals, limits and sums
(``doit``), ``expand``, ``cancel`` after ``together``, log and power rules (``expand_log``,
``powsimp``, ``powdenest``, all assumption-respecting), and finally ``simplify``. The identity
is proved when every entry becomes structurally 0 (or SymPy's assumption system says it is
zero).

This module only transforms; the time budget is enforced by running :func:`exact_stage` in a
child process (:mod:`symtransport.budget`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import sympy as sp

from symtransport.gaussint import gaussian_integrals

__all__ = ["REWRITES", "exact_stage"]


def _log_power_rules(e: sp.Expr) -> sp.Expr:
    return sp.expand(sp.powdenest(sp.powsimp(sp.expand_log(e))))


REWRITES: tuple[tuple[str, Callable[[sp.Expr], sp.Expr]], ...] = (
    ("gaussian integrals", gaussian_integrals),
    ("doit", lambda e: e.doit()),
    ("expand", sp.expand),
    ("cancel", lambda e: sp.cancel(sp.together(e))),
    ("log-power rules", _log_power_rules),
    ("simplify", sp.simplify),
)


def _is_zero(e: sp.Expr) -> bool:
    return e == 0 or e.is_zero is True


def exact_stage(differences: Sequence[sp.Expr]) -> Iterator[tuple[str, ...]]:
    """Yield ``("entry", index, rewrite)`` for each entry proved zero, then ``("proved", method)``.

    ``method`` names the last rewrite any entry needed. Stops at the first entry that no rewrite
    reduces to zero (yielding ``("stuck", index)``), since one such entry already rules out a
    proof.
    """
    methods: list[str] = []
    for index, entry in enumerate(differences):
        current = sp.sympify(entry)
        used = "structural" if _is_zero(current) else None
        for name, rewrite in REWRITES:
            if used is not None:
                break
            current = rewrite(current)
            if _is_zero(current):
                used = name
        if used is None:
            yield ("stuck", index)
            return
        methods.append(used)
        yield ("entry", index, used)
    order = ["structural", *(name for name, _ in REWRITES)]
    yield ("proved", max(methods, key=order.index) if methods else "structural")
