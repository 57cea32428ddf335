"""Lowering of SymPy expressions to straight-line array code in *scaled* arithmetic.

Every intermediate value is a pair ``(s, e)`` standing for ``s * exp(e)``; values free of
exponentials have ``e = 0`` and cost nothing extra. The rules:

* ``exp(a)`` is ``(1, a)``: no exponential is evaluated where it appears;
* products multiply the ``s`` and add the ``e``; powers ``(s, e)^p = (s^p, p e)``;
* a sum ``sum_i s_i exp(e_i)`` is aligned to ``M = max_i e_i``:
  ``(sum_i s_i exp(e_i - M), M)``; every weight ``exp(e_i - M)`` is at most 1, so nothing
  overflows, and the largest term keeps its full relative precision (a log-sum-exp). Sums
  over the same exponents (a mixture's numerator and denominator) share ``M`` and the
  weights;
* ``log(s, e) = log s + e``, so ``log`` of a sum of Gaussians is finite however far out;
* ``erfc(z) = (erfcx(z), -z^2)`` for ``z >= 0`` (the tail that underflows);
* any other function is applied to the materialised value ``s * exp(e)``.

A mixture's Tweedie map, a ratio of two such sums, is then finite and accurate a hundred
standard deviations from the data, where plain evaluation divides 0 by 0. The output of
:func:`lower` is a list of assignments over a tiny vocabulary (arithmetic and the names in
:data:`FUNCTIONS`) that :mod:`symtransport._core.codegen` prints for NumPy or numba.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp

from symtransport.errors import InvalidArgument

__all__ = ["FUNCTIONS", "Program", "lower"]

# SymPy function -> name in the generated code (NumPy or SciPy); applied to plain values
FUNCTIONS: dict[type, str] = {
    sp.log: "log",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.tanh: "tanh",
    sp.atan: "arctan",
    sp.asin: "arcsin",
    sp.acos: "arccos",
    sp.Abs: "abs",
    sp.erf: "erf",
    sp.erfc: "erfc",
    sp.sign: "sign",
}
_SPECIAL_CONSTANTS = {sp.pi: "3.141592653589793", sp.E: "2.718281828459045"}


@dataclass(frozen=True)
class Value:
    """``s * exp(e)``; ``s = None`` means 1 and ``e = None`` means 0 (a plain value)."""

    s: str | None
    e: str | None = None


@dataclass
class Program:
    """Straight-line code: ``lines`` of ``(target, expression)``, then the ``outputs``."""

    lines: list[tuple[str, str]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


class _Lowering:
    def __init__(self, names: Mapping[sp.Symbol, str]) -> None:
        self.names = dict(names)
        self.values: dict[sp.Basic, Value] = {}
        self.aligned: dict[tuple[str, ...], tuple[str, dict[str, str]]] = {}
        # exponents as linear combinations of emitted names, so that e - e cancels to 0
        self.combination: dict[str, dict[str, float]] = {}
        self.program = Program()
        self.count = 0

    def emit(self, expression: str) -> str:
        target = f"t{self.count}"
        self.count += 1
        self.program.lines.append((target, expression))
        return target

    def plain(self, v: Value) -> str:
        """The value ``s * exp(e)`` as one array (this may under- or overflow, rightly)."""
        if v.e is None:
            return v.s if v.s is not None else "1.0"
        if v.s is None:
            return self.emit(f"exp({v.e})")
        return self.emit(f"{v.s} * exp({v.e})")

    def lower(self, node: sp.Basic) -> Value:
        if node in self.values:
            return self.values[node]
        value = self._lower(node)
        self.values[node] = value
        return value

    def _lower(self, node: sp.Basic) -> Value:
        if node in _SPECIAL_CONSTANTS:
            return Value(_SPECIAL_CONSTANTS[node])
        if isinstance(node, sp.Symbol):
            if node not in self.names:
                raise InvalidArgument(f"symbol {node} is not declared (variables or params)")
            return Value(self.names[node])
        if node.is_Number:
            if not node.is_finite:
                raise InvalidArgument(f"the expression contains {node}")
            return Value(repr(float(node)) if not node.is_Integer else f"{int(node)}.0")
        if node.is_Add:
            return self._add([self.lower(a) for a in node.args])
        if node.is_Mul:
            return self._mul([self.lower(a) for a in node.args])
        if node.is_Pow:
            return self._pow(node)
        if isinstance(node, sp.exp):
            return Value(None, self.plain(self.lower(node.args[0])))
        if isinstance(node, sp.log):
            v = self.lower(node.args[0])
            parts = [f"log({v.s})" if v.s is not None else None, v.e]
            return Value(self.emit(" + ".join(p for p in parts if p is not None) or "0.0"))
        if isinstance(node, sp.erfc):
            z = self.plain(self.lower(node.args[0]))
            s = self.emit(f"where({z} >= 0, erfcx({z}), erfc({z}))")
            e = self.emit(f"where({z} >= 0, -({z} * {z}), 0.0)")
            return Value(s, e)
        if isinstance(node, (sp.Max, sp.Min)):
            args = [self.plain(self.lower(a)) for a in node.args]
            name = "maximum" if isinstance(node, sp.Max) else "minimum"
            out = args[0]
            for a in args[1:]:
                out = self.emit(f"{name}({out}, {a})")
            return Value(out)
        if type(node) in FUNCTIONS and len(node.args) == 1:
            arg = self.plain(self.lower(node.args[0]))
            return Value(self.emit(f"{FUNCTIONS[type(node)]}({arg})"))
        raise InvalidArgument(f"unsupported function {type(node).__name__} in {node}")

    def _exponent(self, combination: dict[str, float]) -> str | None:
        """The exponent ``sum_k c_k e_k``, emitted once; None when every term cancels."""
        terms = {name: c for name, c in combination.items() if c != 0}
        if not terms:
            return None
        if len(terms) == 1 and next(iter(terms.values())) == 1:
            return next(iter(terms))
        target = self.emit(" + ".join(f"({c!r}) * {name}" for name, c in terms.items()))
        self.combination[target] = terms
        return target

    def _terms(self, e: str) -> dict[str, float]:
        return self.combination.get(e, {e: 1.0})

    def _mul(self, factors: list[Value]) -> Value:
        ss = [f.s for f in factors if f.s is not None]
        s = self.emit(" * ".join(ss)) if len(ss) > 1 else (ss[0] if ss else None)
        total: dict[str, float] = {}
        for f in factors:
            if f.e is not None:
                for name, c in self._terms(f.e).items():
                    total[name] = total.get(name, 0.0) + c
        return Value(s, self._exponent(total))

    def _add(self, terms: list[Value]) -> Value:
        if all(t.e is None for t in terms):
            return Value(self.emit(" + ".join(t.s or "1.0" for t in terms)))
        exponents = tuple(sorted({t.e or "0.0" for t in terms}))
        if exponents not in self.aligned:
            top = exponents[0]
            for e in exponents[1:]:
                top = self.emit(f"maximum({top}, {e})")
            weights = {e: self.emit(f"exp(({e}) - ({top}))") for e in exponents}
            self.aligned[exponents] = (top, weights)
        top, weights = self.aligned[exponents]
        parts = []
        for t in terms:
            w = weights[t.e or "0.0"]
            parts.append(f"{t.s} * {w}" if t.s is not None else w)
        return Value(self.emit(" + ".join(parts)), top)

    def _pow(self, node: sp.Pow) -> Value:
        base, power = node.args
        if not power.is_Number:
            b = self.plain(self.lower(base))
            p = self.plain(self.lower(power))
            return Value(self.emit(f"({b}) ** ({p})"))
        v = self.lower(base)
        p = str(int(power)) if power.is_Integer else repr(float(power))
        if power == sp.Rational(1, 2):
            s = self.emit(f"sqrt({v.s})") if v.s is not None else None
        else:
            s = self.emit(f"({v.s}) ** ({p})") if v.s is not None else None
        scaled = {name: c * float(power) for name, c in self._terms(v.e).items()} if v.e else {}
        return Value(s, self._exponent(scaled))


def lower(exprs: Sequence[sp.Expr], names: Mapping[sp.Symbol, str]) -> Program:
    """``exprs`` (after common-subexpression elimination) as a :class:`Program`; ``names``
    maps each declared symbol to its array name in the generated code."""
    temps = sp.numbered_symbols("cse", cls=sp.Dummy)  # cannot clash with a user's symbols
    replacements, reduced = sp.cse(list(exprs), symbols=temps)
    lowering = _Lowering(names)
    for temp, value in replacements:
        lowering.values[temp] = lowering.lower(value)
    lowering.program.outputs = [lowering.plain(lowering.lower(e)) for e in reduced]
    return lowering.program
