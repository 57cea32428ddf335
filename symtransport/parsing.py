"""Turn user text into a SymPy expression through an AST whitelist.

User text is **never evaluated as code**: there is no ``eval``, ``exec``, ``compile``,
``sympify`` or ``parse_expr`` on it. :func:`parse_expression` only calls
``ast.parse(text, mode="eval")`` and walks the resulting syntax tree, building SymPy objects
directly from the few node kinds listed below; every other node kind is rejected with
:class:`~symtransport.errors.InvalidArgument` (which is also a ``ValueError``).

Accepted syntax
---------------
* numbers: integer literals become :class:`sympy.Integer`; decimal and scientific literals
  become *exact* rationals read from their source text (``0.1`` is ``Rational(1, 10)``,
  ``1e-3`` is ``Rational(1, 1000)``); complex literals (``1j``) are rejected;
* the declared variables (``str`` names become ``Symbol(name, real=True)``, ``Symbol`` objects
  are used as given) and the constant ``pi``. Nothing else is predefined: ``E``, ``I``,
  ``gamma``, ``oo``, ``S``, ``N``... are ordinary unknown names unless declared (then they are
  ordinary symbols). Euler's number is ``exp(1)``;
* binary ``+ - * / **``, unary ``+ -`` and parentheses (``^`` is rejected: use ``**``);
* calls, by position only, of the functions in :data:`FUNCTIONS`:

  ===========================================  ==========================  =================
  name                                         SymPy object                arguments
  ===========================================  ==========================  =================
  ``exp``                                      ``sympy.exp``               1
  ``log``                                      ``sympy.log``               1, or 2: ``log(x, base)``
  ``sqrt``                                     ``sympy.sqrt``              1
  ``sin`` ``cos`` ``tan``                      ``sympy.sin`` ...           1
  ``sinh`` ``cosh`` ``tanh``                   ``sympy.sinh`` ...          1
  ``asin`` ``acos`` ``atan``                   ``sympy.asin`` ...          1
  ``erf`` ``erfc``                             ``sympy.erf``, ``erfc``     1
  ``Abs`` (alias ``abs``)                      ``sympy.Abs``               1
  ``sign``                                     ``sympy.sign``              1
  ``Min`` ``Max``                              ``sympy.Min``, ``Max``      1 or more
  ``Heaviside``                                ``sympy.Heaviside``         1, or 2: ``(x, H0)``
  ``Piecewise``                                ``sympy.Piecewise``         1 or more pairs
  ===========================================  ==========================  =================

* ``Piecewise((expr, cond), ..., (expr, True))``: every argument is a 2-tuple; a condition is
  a comparison ``< <= > >=`` (chains such as ``0 < x < 1`` become ``And``), or conditions
  combined with ``and``/``or`` or ``&``/``|``. The last condition must be the literal
  ``True`` and ``True`` appears nowhere else. Comparisons and booleans are accepted only
  inside Piecewise conditions; ``==`` and ``!=`` are never accepted.

A declared variable always wins over a table name or ``pi`` used bare (``gamma``, ``beta``,
even ``exp``); calling a declared variable is an error.

Resource guards
---------------
Text longer than :data:`MAX_TEXT_LENGTH` characters, nesting deeper than :data:`MAX_DEPTH`,
literals with more than :data:`MAX_DIGITS` digits, and powers whose exponent or exact result
would be enormous (``2**10**10``) are rejected *before* SymPy computes anything large: an
exponent (or the constant term of a symbolic exponent) may exceed :data:`MAX_EXPONENT` in
absolute value only when the base is a single variable (``x**(10**10)`` is fine,
``(x + 1)**(10**10)`` is not). Exact
roots and function arguments may not contain numbers with more than
:data:`MAX_ROOT_DIGITS` digits (fewer for high root indices), because SymPy factorises such
numbers. Numeric values must be real and at most ``10**MAX_DIGITS`` in absolute value
(``exp(10**5)``, ``sqrt(-1)`` and ``log(-2)`` are rejected), and expressions that are undefined
as written (``1/0``, ``log(0)``) are rejected too.
"""

from __future__ import annotations

import ast
import bisect
import functools
import keyword
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final, NamedTuple, NoReturn

import sympy
from mpmath.libmp import finf, fnan, fninf
from sympy.polys.polyerrors import BasePolynomialError

from symtransport.errors import InvalidArgument

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_ROOT_DIGITS",
    "MAX_TEXT_LENGTH",
    "parse_expression",
]

#: Longest accepted text, in characters.
MAX_TEXT_LENGTH: Final = 10_000
#: Deepest accepted nesting of syntax nodes (the Python parser itself stops at 200 brackets).
MAX_DEPTH: Final = 200
#: Largest number of decimal digits of any exact number built (literal or computed power).
MAX_DIGITS: Final = 10_000
#: Largest absolute value of a numeric exponent (or of the constant term of a symbolic one),
#: unless the base is a single variable.
MAX_EXPONENT: Final = 10_000
#: Largest number of digits of a number under a root or inside a function argument.
MAX_ROOT_DIGITS: Final = 100

_MAX_BITS: Final = math.ceil(MAX_DIGITS * math.log2(10))
_MAX_ROOT_BITS: Final = math.ceil(MAX_ROOT_DIGITS * math.log2(10))
#: Largest (bits of a number under a root) x (root index): SymPy simplifies ``n**(p/q)`` by
#: factorising numbers of up to that many bits, and the cost grows steeply beyond it.
_MAX_ROOT_WORK: Final = 2_000

Arity = tuple[int, int | None]
"""Allowed number of positional arguments: ``(minimum, maximum)``, ``None`` = unbounded."""

#: The function registry: name -> (SymPy callable, allowed arity). The only callables reachable
#: from user text. ``abs`` is an alias of ``Abs``.
FUNCTIONS: Final[dict[str, tuple[Callable[..., sympy.Basic], Arity]]] = {
    "exp": (sympy.exp, (1, 1)),
    "log": (sympy.log, (1, 2)),
    "sqrt": (sympy.sqrt, (1, 1)),
    "sin": (sympy.sin, (1, 1)),
    "cos": (sympy.cos, (1, 1)),
    "tan": (sympy.tan, (1, 1)),
    "sinh": (sympy.sinh, (1, 1)),
    "cosh": (sympy.cosh, (1, 1)),
    "tanh": (sympy.tanh, (1, 1)),
    "asin": (sympy.asin, (1, 1)),
    "acos": (sympy.acos, (1, 1)),
    "atan": (sympy.atan, (1, 1)),
    "erf": (sympy.erf, (1, 1)),
    "erfc": (sympy.erfc, (1, 1)),
    "Abs": (sympy.Abs, (1, 1)),
    "abs": (sympy.Abs, (1, 1)),
    "sign": (sympy.sign, (1, 1)),
    "Min": (sympy.Min, (1, None)),
    "Max": (sympy.Max, (1, None)),
    "Heaviside": (sympy.Heaviside, (1, 2)),
    "Piecewise": (sympy.Piecewise, (1, None)),
}

_CONSTANTS: Final[dict[str, sympy.Expr]] = {"pi": sympy.pi}

_NAME_HINTS: Final[dict[str, str]] = {
    "E": " Euler's number is written exp(1).",
    "e": " Euler's number is written exp(1).",
    "I": " Complex numbers are not supported.",
    "j": " Complex numbers are not supported.",
    "oo": " Infinity is not supported.",
    "inf": " Infinity is not supported.",
}

_BINOP_SYMBOLS: Final[dict[type[ast.operator], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
}

_COMPARE_SYMBOLS: Final[dict[type[ast.cmpop], str]] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}

_RELATIONS: Final[dict[type[ast.cmpop], Callable[[sympy.Expr, sympy.Expr], sympy.Basic]]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
}

_NODE_DESCRIPTIONS: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Slice: "slices",
    ast.Lambda: "lambda expressions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.IfExp: "conditional expressions (use Piecewise)",
    ast.List: "lists",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Tuple: "tuples (outside Piecewise arguments)",
    ast.Starred: "starred arguments (*args)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

_NEWLINE: Final = re.compile(r"\r\n|\r|\n")

_UNDEFINED: Final = frozenset({sympy.zoo, sympy.nan, sympy.oo, -sympy.oo})

# Errors SymPy raises when asked to build something meaningless (``Min(sqrt(-1), 1)``, ``I < 0``).
_SYMPY_ERRORS: Final = (
    TypeError,
    ValueError,
    ArithmeticError,
    NotImplementedError,
    BasePolynomialError,
)

_EXPECTED = (
    "a mathematical expression built from numbers, declared variables, pi, + - * / **, "
    "parentheses and the functions " + ", ".join(sorted(FUNCTIONS, key=str.lower))
)


def parse_expression(text: str, variables: Iterable[str | sympy.Symbol]) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression without ever evaluating it as code.

    ``variables`` lists the allowed names: each entry is a ``str`` (it becomes
    ``Symbol(name, real=True)``) or a :class:`sympy.Symbol` (used as given, assumptions
    kept). See the module docstring for the accepted syntax and the function table.

    Raises:
        InvalidArgument: for anything outside the whitelist, malformed ``variables``, text
            that is too long or too deeply nested, numbers or powers that would be too large,
            and expressions undefined as written. The message names the offending token and
            its 1-based column.
    """
    symbols = _declare(variables)
    if not isinstance(text, str):
        raise InvalidArgument(
            f"Expected text to be a str, got text={text!r} of type {type(text).__name__}. "
            "Pass the expression as a string, e.g. 'exp(-x**2/2)'."
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidArgument(
            f"The text is too long: len(text)={len(text)}, expected at most "
            f"{MAX_TEXT_LENGTH} characters. Simplify or split the expression."
        )
    if not text.strip():
        raise InvalidArgument(f"The text is empty: text={text!r}. Expected {_EXPECTED}.")
    return _Parser(text, symbols).parse()


def _declare(variables: Iterable[str | sympy.Symbol]) -> dict[str, sympy.Symbol]:
    """Validate ``variables`` and map each name to its symbol."""
    if isinstance(variables, str | bytes | sympy.Basic):
        raise InvalidArgument(
            f"Expected variables to be an iterable of names or Symbols, got the single value "
            f"variables={variables!r}. Wrap it in a list, e.g. [{variables!r}]."
        )
    try:
        entries = list(variables)
    except TypeError:
        raise InvalidArgument(
            f"Expected variables to be an iterable of names or Symbols, got "
            f"variables={variables!r} of type {type(variables).__name__}."
        ) from None
    symbols: dict[str, sympy.Symbol] = {}
    for entry in entries:
        if isinstance(entry, sympy.Symbol):
            name, symbol = entry.name, entry
        elif isinstance(entry, str):
            name, symbol = entry, sympy.Symbol(entry, real=True)
        else:
            raise InvalidArgument(
                f"Expected each variable to be a str or a sympy.Symbol, got {entry!r} of type "
                f"{type(entry).__name__}. Pass names such as 'x' or Symbol('x', positive=True)."
            )
        problem = _name_problem(name)
        if problem:
            raise InvalidArgument(
                f"Invalid variable name={name!r}: {problem}. Use a plain identifier such as "
                "'x', 'sigma' or 'x1'."
            )
        if name in symbols:
            raise InvalidArgument(
                f"Duplicate variable name={name!r}: each name may be declared only once."
            )
        symbols[name] = symbol
    return symbols


def _name_problem(name: str) -> str:
    """Why ``name`` cannot be a variable name, or ``''`` if it can."""
    if not name.isidentifier():
        return "expected a valid Python identifier"
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name.startswith("_"):
        return "names may not start with an underscore"
    if unicodedata.normalize("NFKC", name) != name:
        return "expected a name in Unicode normal form NFKC (Python normalises identifiers)"
    return ""


def _fail(message: str) -> NoReturn:
    raise InvalidArgument(message)


def _shorten(token: str, limit: int = 40) -> str:
    return token if len(token) <= limit else token[: limit - 3] + "..."


def _rational_bits(number: sympy.Rational) -> int:
    """Size in bits of an exact rational; ``0`` for 0, 1 and -1, which never grow."""
    if number.q == 1 and abs(number.p) <= 1:
        return 0
    return max(abs(number.p).bit_length(), number.q.bit_length())


def _max_atom_bits(expr: sympy.Basic) -> int:
    """Largest size in bits of any exact rational inside ``expr``."""
    return max((_rational_bits(a) for a in expr.atoms(sympy.Rational)), default=0)


def _coefficient_bits(expr: sympy.Basic) -> tuple[int, int]:
    """(numerator, denominator) bits of the exact numbers SymPy merges when adding/multiplying.

    Only top-level numbers and the numeric coefficients of top-level terms combine: SymPy
    never expands products of sums, but it does distribute a number over a sum.
    """
    leaves = [expr]
    if isinstance(expr, sympy.Add | sympy.Mul):
        leaves = [a.args[0] if isinstance(a, sympy.Mul) else a for a in expr.args]
    numerator = denominator = 0
    for leaf in leaves:
        if isinstance(leaf, sympy.Rational):
            numerator = max(numerator, abs(leaf.p).bit_length())
            denominator = max(denominator, leaf.q.bit_length() - 1)
    return numerator, denominator


def _radicals(expr: sympy.Basic) -> tuple[int, int]:
    """(bits, bits x root index) of the numbers under roots among the factors of ``expr``.

    SymPy merges ``sqrt(a)*sqrt(b)`` into ``sqrt(a*b)`` and then factorises ``a*b``.
    """
    bits = work = 0
    for factor in sympy.Mul.make_args(expr):
        if (
            isinstance(factor, sympy.Pow)
            and isinstance(factor.base, sympy.Rational)
            and isinstance(factor.exp, sympy.Rational)
            and not factor.exp.is_Integer
        ):
            size = abs(factor.base.p).bit_length() + factor.base.q.bit_length()
            bits += size
            work += size * factor.exp.q
    return bits, work


def _bound(exponent: sympy.Expr) -> Fraction | float | None:
    """An upper bound of ``|exponent|`` for a numeric exponent, or None if none is found."""
    if isinstance(exponent, sympy.Rational):
        return Fraction(abs(exponent.p), exponent.q)
    approximation = _approximate(exponent)
    if approximation is None:
        return None
    magnitude = approximation.log2_magnitude
    if isinstance(magnitude, float) and math.isnan(magnitude):
        return None
    if magnitude > 1000:
        return math.inf
    try:
        value = abs(complex(exponent.evalf(15)))
    except (*_SYMPY_ERRORS, RecursionError):
        return None
    return value * 1.001 + 1e-9 if math.isfinite(value) else None


class _Approximation(NamedTuple):
    """A low-precision look at a numeric expression."""

    log2_magnitude: int | float  # about log2|value|; -inf for 0; nan if undefined
    real: bool


def _approximate(value: sympy.Expr) -> _Approximation | None:
    """Evaluate a numeric expression to a few digits; None if SymPy cannot."""
    try:
        approximation = value.evalf(5)
        if not isinstance(approximation, sympy.Float) and not (
            isinstance(approximation, sympy.Add | sympy.Mul)
            and all(
                isinstance(atom, sympy.Float | sympy.Rational) or atom is sympy.I
                for atom in approximation.atoms()
            )
        ):
            return None
        real_part, imaginary_part = approximation.as_real_imag()
    except (*_SYMPY_ERRORS, RecursionError):
        return None
    magnitude: int | float = -math.inf
    for part in (real_part, imaginary_part):
        if isinstance(part, sympy.Float):
            mpf = part._mpf_
            if mpf in (finf, fninf, fnan):
                return _Approximation(math.nan, real=False)
            _, mantissa, exponent, bit_count = mpf
            if mantissa:
                magnitude = max(magnitude, exponent + bit_count)
        elif isinstance(part, sympy.Rational) and part:
            magnitude = max(magnitude, abs(part.p).bit_length() - part.q.bit_length() + 1)
    return _Approximation(magnitude, real=not imaginary_part)


class _Parser:
    """One parse: the (stripped) text, position bookkeeping and the declared symbols."""

    def __init__(self, text: str, symbols: dict[str, sympy.Symbol]) -> None:
        self.original = text
        self.body = text.strip()
        lead = text[: len(text) - len(text.lstrip())]
        lead_lines = _NEWLINE.split(lead)
        self.line_shift = len(lead_lines) - 1
        self.column_shift = len(lead_lines[-1])
        self.lines = _split_lines(self.body)
        self.multiline = len(self.lines) > 1
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.symbols = symbols

    # -- positions --------------------------------------------------------------------------

    def _offset(self, lineno: int, col_byte: int) -> int:
        """Character offset into ``self.body`` of an AST (line, UTF-8 byte column) position."""
        if not 1 <= lineno <= len(self.lines):
            return 0
        line = self.lines[lineno - 1]
        column = len(line.encode("utf-8")[:col_byte].decode("utf-8", errors="ignore"))
        return self.line_starts[lineno - 1] + column

    def _where_offset(self, offset: int) -> str:
        """'at column C' (or 'at line L, column C') in the caller's original text, 1-based."""
        index = max(0, min(len(self.lines) - 1, bisect.bisect_right(self.line_starts, offset) - 1))
        line, column = index + 1, offset - self.line_starts[index] + 1
        if line == 1:
            column += self.column_shift
        line += self.line_shift
        if self.multiline or self.line_shift:
            return f"at line {line}, column {column}"
        return f"at column {column}"

    def _where(self, node: ast.AST) -> str:
        # every node the parser reports on (expressions, keywords) carries a position
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        return self._where_offset(self._offset(line, column))

    def _token(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.body, node)
        return repr(_shorten(segment if segment is not None else type(node).__name__))

    def _operator_offset(self, left: ast.AST, right: ast.AST, symbol: str) -> int:
        """Offset of the operator ``symbol`` written between two operands."""
        end_line = getattr(left, "end_lineno", 0) or getattr(left, "lineno", 1)
        start = self._offset(end_line, getattr(left, "end_col_offset", 0) or 0)
        stop = self._offset(getattr(right, "lineno", 1), getattr(right, "col_offset", 0))
        found = self.body.find(symbol, start, stop)
        return found if found >= 0 else start

    def _operator_error(self, left: ast.AST, right: ast.AST, symbol: str, why: str) -> NoReturn:
        where = self._where_offset(self._operator_offset(left, right, symbol))
        _fail(f"Unsupported operator token={symbol!r} {where}: {why}")

    # -- entry point ------------------------------------------------------------------------

    def parse(self) -> sympy.Expr:
        tree = self._syntax_tree()
        try:
            result = self._expr(tree.body, 1)
        except RecursionError:
            _fail(self._too_deep())
        if not isinstance(result, sympy.Expr):  # pragma: no cover - defensive
            _fail(f"Expected {_EXPECTED}; the text {_shorten(self.body)!r} is not one.")
        if result.has(*_UNDEFINED):
            _fail(self._undefined(tree.body))
        return result

    def _too_deep(self) -> str:
        return (
            f"The text is nested too deeply or is too complex (limit: {MAX_DEPTH} levels). "
            "Simplify the expression or split it into parts."
        )

    def _undefined(self, node: ast.AST) -> str:
        return (
            f"The expression token={self._token(node)} {self._where(node)} is undefined or "
            "infinite as written (a division by zero or a pole such as 1/0, log(0) or "
            "tan(pi/2)). Expected a finite expression; remove the singular term."
        )

    def _syntax_tree(self) -> ast.Expression:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(self.body, mode="eval")
        except SyntaxError as error:
            message = error.msg
            if "too many nested" in message:
                _fail(self._too_deep())
            where = ""
            if error.lineno is not None and error.offset is not None:
                line = self.lines[error.lineno - 1] if error.lineno <= len(self.lines) else ""
                offset = self.line_starts[min(error.lineno, len(self.lines)) - 1] + max(
                    0, min(error.offset - 1, len(line))
                )
                token = self.body[offset : offset + 1]
                where = f" {self._where_offset(offset)} (token={token!r})"
            _fail(
                f"Could not parse text={_shorten(self.original)!r}: {message}{where}. Expected "
                "a single expression (no statements, assignments, ';' or several lines)."
            )
        except (RecursionError, MemoryError):
            _fail(self._too_deep())
        except ValueError as error:  # e.g. null bytes on some Python versions
            _fail(f"Could not parse text={_shorten(self.original)!r}: {error}.")

    # -- SymPy construction with guards -----------------------------------------------------

    def _build(self, node: ast.AST, func: Callable[..., sympy.Basic], *args: object) -> sympy.Basic:
        """Call into SymPy; turn its complaints and undefined results into InvalidArgument."""
        try:
            result = func(*args)
        except RecursionError:
            _fail(self._too_deep())
        except _SYMPY_ERRORS as error:
            _fail(
                f"SymPy cannot build token={self._token(node)} {self._where(node)}: "
                f"{_shorten(str(error), 120).rstrip('.')}. Expected {_EXPECTED}."
            )
        if result in _UNDEFINED or any(arg in _UNDEFINED for arg in result.args):
            _fail(self._undefined(node))
        if isinstance(result, sympy.Expr) and not result.is_Rational and result.is_number:
            self._check_value(node, result)
        return result

    def _check_value(self, node: ast.AST, value: sympy.Expr) -> None:
        """Refuse numeric values that are undefined, non-real or beyond 10**MAX_DIGITS.

        SymPy would later need that many digits of precision to decide, e.g., the sign of
        ``sin(exp(10**20))``, and comparisons of non-real numbers send it into exponential
        searches. Exact rationals are bounded by their size instead.
        """
        approximation = _approximate(value)
        if approximation is None:
            return
        magnitude = approximation.log2_magnitude
        if isinstance(magnitude, float) and math.isnan(magnitude):
            _fail(self._undefined(node))
        if not approximation.real:
            _fail(
                f"The value of token={self._token(node)} {self._where(node)} is not a real "
                "number. Expected real values only (complex numbers are not supported); "
                "check the signs under sqrt, log, asin, acos and fractional powers."
            )
        if magnitude > _MAX_BITS:
            _fail(
                f"The value of token={self._token(node)} {self._where(node)} is too large: "
                f"about 10**{_magnitude(_bits_to_digits(magnitude))} in absolute value, "
                f"expected at most 10**{MAX_DIGITS}. Use a smaller argument or exponent "
                f"(e.g. exp of at most {int(_MAX_BITS * math.log(2))})."
            )

    def _check_numbers(self, node: ast.AST, operands: Sequence[sympy.Basic], product: bool) -> None:
        """Refuse sums/products whose exact numbers would exceed MAX_DIGITS digits."""
        sizes = [_coefficient_bits(operand) for operand in operands]
        if product:
            # Numbers multiply into one coefficient, and a lone number distributes over one sum;
            # products of sums are never expanded.
            sums = [n + d for o, (n, d) in zip(operands, sizes, strict=True) if o.is_Add]
            estimate = sum(n + d for o, (n, d) in zip(operands, sizes, strict=True) if not o.is_Add)
            estimate += max(sums, default=0)
        else:
            estimate = max(n for n, _ in sizes) + sum(d for _, d in sizes) + len(sizes)
        if estimate > _MAX_BITS:
            _fail(
                f"The numbers in token={self._token(node)} {self._where(node)} would be too "
                f"large (about {int(estimate / math.log2(10))} digits; at most {MAX_DIGITS} "
                "are allowed). Use smaller numbers or symbols."
            )
        radicals = [_radicals(operand) for operand in operands] if product else [(0, 0)]
        if (
            sum(bits for bits, _ in radicals) > _MAX_ROOT_BITS
            or sum(work for _, work in radicals) > _MAX_ROOT_WORK
        ):
            _fail(
                f"The roots in token={self._token(node)} {self._where(node)} multiply to a "
                f"number under a root that is too large for an exact root (more than "
                f"{MAX_ROOT_DIGITS} digits, or too many for the root index). Use smaller "
                "numbers under roots."
            )

    def _check_power(self, node: ast.AST, base: sympy.Expr, exponent: sympy.Expr) -> None:
        """Refuse ``base**exponent`` if SymPy would compute something enormous.

        Checked before the power is built. A lone variable may carry any exponent
        (``x**(10**10)`` is harmless); otherwise the exponent, or the constant term of a
        symbolic exponent (which ``expand`` splits off: ``(x+1)**(y+10**9)``), is bounded by
        MAX_EXPONENT, exact results by MAX_DIGITS digits, and exact roots by the root limits.
        """
        if isinstance(base, sympy.Symbol):
            return
        if exponent.is_number:
            constant = exponent
        else:
            constant = exponent.as_independent(*exponent.free_symbols, as_Add=True)[0]
            if constant.is_zero:
                return
        bound = _bound(constant)
        where = f"token={self._token(node)} {self._where(node)}"
        if bound is None:
            _fail(
                f"Cannot bound the exponent of {where}. Expected an exponent of at most "
                f"{MAX_EXPONENT} in absolute value."
            )
        if bound > MAX_EXPONENT:
            _fail(
                f"Exponent too large in {where}: |exponent| is about {_magnitude(bound)}, "
                f"expected at most {MAX_EXPONENT} (only a single variable may carry a larger "
                "exponent). Use a smaller exponent."
            )
        if not exponent.is_number:
            return
        bits = _max_atom_bits(base)
        if bits * bound > _MAX_BITS:
            _fail(
                f"Exponent too large in {where}: the result would have about "
                f"{_magnitude(_bits_to_digits(bits * bound))} digits, expected at most "
                f"{MAX_DIGITS}. Use a smaller exponent or base."
            )
        index = exponent.q if isinstance(exponent, sympy.Rational) else 1
        if not exponent.is_Integer and (bits > _MAX_ROOT_BITS or bits * index > _MAX_ROOT_WORK):
            _fail(
                f"The number under a root in {where} is too large for an exact root: expected "
                f"at most {MAX_ROOT_DIGITS} digits and (bits x root index) at most "
                f"{_MAX_ROOT_WORK}, got {bits} bits and index {_magnitude(index)}. Use smaller "
                "numbers."
            )

    def _power(self, node: ast.AST, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Basic:
        self._check_power(node, base, exponent)
        return self._build(node, sympy.Pow, base, exponent)

    # -- expressions ------------------------------------------------------------------------

    def _expr(self, node: ast.expr, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            _fail(self._too_deep())
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unaryop(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Compare | ast.BoolOp):
            _fail(
                f"Comparisons and and/or are only allowed inside Piecewise conditions: "
                f"token={self._token(node)} {self._where(node)}. Write "
                "Piecewise((expr, condition), ..., (expr, True))."
            )
        description = _NODE_DESCRIPTIONS.get(type(node), f"{type(node).__name__} nodes")
        _fail(
            f"Unsupported syntax ({description}): found token={self._token(node)} "
            f"{self._where(node)}. Expected {_EXPECTED}."
        )

    def _constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        where = f"token={self._token(node)} {self._where(node)}"
        if isinstance(value, bool):
            _fail(
                f"The boolean value {where} is only allowed as the last Piecewise condition, "
                "as in Piecewise((x, x < 0), (0, True))."
            )
        if isinstance(value, int):
            if value.bit_length() > _MAX_BITS:
                _fail(f"The integer literal {where} has more than {MAX_DIGITS} digits.")
            return sympy.Integer(value)
        if isinstance(value, float):
            return self._decimal(node)
        if isinstance(value, complex):
            _fail(f"Complex literals are not supported: {where}. Expected a real number.")
        kinds: dict[type, str] = {str: "strings", bytes: "bytes"}
        kind = kinds.get(type(value), f"{type(value).__name__} values")
        _fail(f"Unsupported literal ({kind}): found {where}. Expected a number.")

    def _decimal(self, node: ast.Constant) -> sympy.Rational:
        """The exact rational written by a decimal or scientific literal (``0.1`` -> 1/10)."""
        segment = ast.get_source_segment(self.body, node) or ""
        try:
            number = Decimal(segment.replace("_", ""))
        except InvalidOperation:  # pragma: no cover - the parser only accepts valid literals
            _fail(f"Cannot read the number token={segment!r} {self._where(node)}.")
        _, digits, exponent = number.as_tuple()
        if not isinstance(exponent, int):  # pragma: no cover - NaN/Infinity are not literals
            _fail(f"Cannot read the number token={segment!r} {self._where(node)}.")
        if len(digits) + max(exponent, 0) > MAX_DIGITS or -exponent > MAX_DIGITS:
            _fail(
                f"The number literal token={_shorten(segment)!r} {self._where(node)} is too "
                f"large or too precise: at most {MAX_DIGITS} digits are allowed."
            )
        numerator, denominator = number.as_integer_ratio()
        return sympy.Rational(numerator, denominator)

    def _name(self, node: ast.Name) -> sympy.Expr:
        name = node.id
        where = self._where(node)
        if name.startswith("_"):
            _fail(
                f"Names starting with an underscore are not allowed: name={name!r} {where}. "
                f"Expected a declared variable ({self._declared()}) or pi."
            )
        if name in self.symbols:
            return self.symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in FUNCTIONS:
            _fail(
                f"name={name!r} {where} is a function, not a value. Call it with arguments, "
                f"e.g. {name}(x), or declare {name!r} in variables to use it as a symbol."
            )
        _fail(
            f"Unknown name name={name!r} {where}. Expected a declared variable "
            f"({self._declared()}) or the constant pi. Add {name!r} to variables to use it as a "
            f"real symbol.{_NAME_HINTS.get(name, '')}"
        )

    def _declared(self) -> str:
        names = sorted(self.symbols)
        if not names:
            return "none are declared"
        shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
        return f"declared: {shown}"

    def _binop(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        op = type(node.op)
        if op in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            return self._chain(node, depth)
        if op is ast.Pow:
            base = self._expr(node.left, depth + 1)
            exponent = self._expr(node.right, depth + 1)
            return self._power(node, base, exponent)
        symbol = _BINOP_SYMBOLS.get(op, op.__name__)
        if op is ast.BitXor:
            why = "'^' is not a power; use ** for powers, e.g. x**2."
        elif op in (ast.BitAnd, ast.BitOr):
            why = "bit operations are not supported ('&' and '|' mean and/or only inside "
            why += "Piecewise conditions)."
        else:
            why = "expected one of + - * / **."
        self._operator_error(node.left, node.right, symbol, why)

    def _chain(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """A left-nested run of ``+ -`` (or ``* /``) built in one SymPy call, iteratively."""
        additive = isinstance(node.op, ast.Add | ast.Sub)
        family = (ast.Add, ast.Sub) if additive else (ast.Mult, ast.Div)
        pending: list[tuple[ast.operator, ast.expr]] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, family):
            pending.append((current.op, current.right))
            current = current.left
        operands = [self._expr(current, depth + 1)]
        for op, right in reversed(pending):
            value = self._expr(right, depth + 1)
            if isinstance(op, ast.Sub):
                value = self._build(right, sympy.Mul, sympy.S.NegativeOne, value)
            elif isinstance(op, ast.Div):
                value = self._power(right, value, sympy.S.NegativeOne)
            operands.append(value)
        self._check_numbers(node, operands, product=not additive)
        return self._build(node, sympy.Add if additive else sympy.Mul, *operands)

    def _unaryop(self, node: ast.UnaryOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.UAdd):
            return self._expr(node.operand, depth + 1)
        if isinstance(node.op, ast.USub):
            value = self._expr(node.operand, depth + 1)
            return self._build(node, sympy.Mul, sympy.S.NegativeOne, value)
        symbol = "not" if isinstance(node.op, ast.Not) else "~"
        _fail(
            f"Unsupported operator token={symbol!r} {self._where(node)}: expected unary + or -. "
            "Boolean negation is not supported; rewrite Piecewise conditions with < <= > >=."
        )

    def _call(self, node: ast.Call, depth: int) -> sympy.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            _fail(
                f"Only calls of the table functions by name are allowed, found "
                f"token={self._token(func)} {self._where(func)} called. Expected one of: "
                f"{_function_list()}."
            )
        name = func.id
        where = self._where(func)
        if name.startswith("_"):
            _fail(
                f"Names starting with an underscore are not allowed: name={name!r} {where}. "
                f"Expected one of the functions: {_function_list()}."
            )
        if name in self.symbols:
            _fail(
                f"name={name!r} {where}: {name} is a variable, not a function (it is declared "
                "in variables). Write multiplication explicitly, e.g. x*(y+1)"
                + (
                    f", or do not declare {name!r} to use the function."
                    if name in FUNCTIONS
                    else "."
                )
            )
        if name not in FUNCTIONS:
            _fail(
                f"Unknown function name={name!r} {where}. Expected one of: {_function_list()}. "
                "Rewrite the expression with these functions."
            )
        if node.keywords:
            keyword_node = node.keywords[0]
            _fail(
                f"Keyword arguments are not supported: token={self._token(keyword_node)} "
                f"{self._where(keyword_node)} in a call of {name}. Pass arguments by position."
            )
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                _fail(
                    f"Starred arguments are not supported: token={self._token(argument)} "
                    f"{self._where(argument)}. Pass each argument explicitly."
                )
        sympy_function, (low, high) = FUNCTIONS[name]
        count = len(node.args)
        if count < low or (high is not None and count > high):
            expected = _arity_text(low, high)
            _fail(
                f"Wrong number of arguments in token={self._token(node)} {where}: {name} takes "
                f"{expected}, got {count}."
            )
        if name == "Piecewise":
            return self._piecewise(node, depth)
        args = [self._expr(argument, depth + 1) for argument in node.args]
        for argument, value in zip(node.args, args, strict=True):
            if _max_atom_bits(value) > _MAX_ROOT_BITS:
                _fail(
                    f"The argument token={self._token(argument)} {self._where(argument)} of "
                    f"{name} contains a number with more than {MAX_ROOT_DIGITS} digits; "
                    "use smaller numbers inside function arguments."
                )
        if name == "sqrt":
            return self._power(node, args[0], sympy.S.Half)
        if name == "exp":
            self._check_exp_of_log(node, args[0])
        if name == "Heaviside" and self._sign_unknown(node, args[0]):
            # Heaviside's evaluation would compute im(arg), which can expand huge powers.
            return self._build(node, functools.partial(sympy.Heaviside, evaluate=False), *args)
        return self._build(node, sympy_function, *args)

    def _sign_unknown(self, node: ast.AST, value: sympy.Expr) -> bool:
        try:
            return not any(
                known is True
                for known in (value.is_extended_negative, value.is_zero, value.is_extended_positive)
            )
        except RecursionError:
            _fail(self._too_deep())
        except _SYMPY_ERRORS:
            return True

    def _check_exp_of_log(self, node: ast.AST, argument: sympy.Expr) -> None:
        """SymPy rewrites ``exp(c*log(a))`` as ``a**c``: guard that power like any other."""
        if not argument.has(sympy.log):
            return
        for term in sympy.Add.make_args(argument):
            factors = sympy.Mul.make_args(term)
            for index, factor in enumerate(factors):
                if isinstance(factor, sympy.log):
                    rest = self._build(node, sympy.Mul, *factors[:index], *factors[index + 1 :])
                    self._check_power(node, factor.args[0], rest)

    def _piecewise(self, node: ast.Call, depth: int) -> sympy.Expr:
        pairs: list[tuple[sympy.Expr, sympy.Basic]] = []
        last = len(node.args) - 1
        for index, argument in enumerate(node.args):
            if not (
                isinstance(argument, ast.Tuple)
                and len(argument.elts) == 2
                and not any(isinstance(e, ast.Starred) for e in argument.elts)
            ):
                _fail(
                    f"Each Piecewise argument must be a pair (expr, condition), found "
                    f"token={self._token(argument)} {self._where(argument)}. Write "
                    "Piecewise((expr, condition), ..., (expr, True))."
                )
            value_node, condition_node = argument.elts
            value = self._expr(value_node, depth + 2)
            is_true = isinstance(condition_node, ast.Constant) and condition_node.value is True
            if index == last:
                if not is_true:
                    _fail(
                        f"The last Piecewise condition must be the literal True, found "
                        f"token={self._token(condition_node)} {self._where(condition_node)}. "
                        "Add an otherwise-branch (expr, True) at the end."
                    )
                condition: sympy.Basic = sympy.true
            else:
                condition = self._condition(condition_node, depth + 2)
            pairs.append((value, condition))
        return self._build(node, sympy.Piecewise, *pairs)

    # -- Piecewise conditions ---------------------------------------------------------------

    def _condition(self, node: ast.expr, depth: int) -> sympy.Basic:
        if depth > MAX_DEPTH:
            _fail(self._too_deep())
        if isinstance(node, ast.BoolOp):
            combine = sympy.And if isinstance(node.op, ast.And) else sympy.Or
            parts = [self._condition(value, depth + 1) for value in node.values]
            return self._build(node, combine, *parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
            combine = sympy.And if isinstance(node.op, ast.BitAnd) else sympy.Or
            left = self._condition(node.left, depth + 1)
            right = self._condition(node.right, depth + 1)
            return self._build(node, combine, left, right)
        if isinstance(node, ast.Compare):
            return self._compare(node, depth)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            _fail(
                f"The boolean token={self._token(node)} {self._where(node)} is only allowed "
                "as the whole last Piecewise condition. Expected a comparison with < <= > >=."
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.Invert):
            symbol = "not" if isinstance(node.op, ast.Not) else "~"
            _fail(
                f"Unsupported operator token={symbol!r} {self._where(node)} in a Piecewise "
                "condition. Negate the comparison instead (x >= 0 rather than not x < 0)."
            )
        _fail(
            f"Expected a comparison (< <= > >=, possibly combined with and/or) as Piecewise "
            f"condition, found token={self._token(node)} {self._where(node)}."
        )

    def _compare(self, node: ast.Compare, depth: int) -> sympy.Basic:
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if type(op) not in _RELATIONS:
                symbol = _COMPARE_SYMBOLS.get(type(op), type(op).__name__)
                self._operator_error(
                    left, right, symbol, "expected one of < <= > >= (== and != are not supported)."
                )
        values = [self._expr(operand, depth + 1) for operand in operands]
        relations = [
            self._build(node, _RELATIONS[type(op)], left, right)
            for op, left, right in zip(node.ops, values, values[1:], strict=False)
        ]
        if len(relations) == 1:
            return relations[0]
        return self._build(node, sympy.And, *relations)


def _split_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer counts them (ends ``\\n``, ``\\r\\n``, ``\\r``), ends kept."""
    lines: list[str] = []
    start = 0
    for match in _NEWLINE.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    lines.append(text[start:])
    return lines


def _bits_to_digits(bits: Fraction | float) -> Fraction | float:
    """Decimal digits of a number of ``bits`` bits, without float overflow."""
    if isinstance(bits, float):
        return bits * math.log10(2)
    return Fraction(bits) * Fraction(30103, 100000)


def _magnitude(value: Fraction | float) -> str:
    """Format a possibly astronomically large non-negative number for a message."""
    if isinstance(value, float) and not math.isfinite(value):
        return "more than 10**300"
    if value < 1e300:
        return f"{float(value):.3g}"
    if isinstance(value, Fraction):
        bits = value.numerator.bit_length() - value.denominator.bit_length()
    else:
        bits = int(value).bit_length()
    return f"10**{int(bits * math.log10(2))}"


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"exactly {low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


def _function_list() -> str:
    return ", ".join(sorted(FUNCTIONS, key=str.lower))
