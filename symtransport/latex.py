"""Safe pieces of LaTeX: text escaped for pdflatex, and math checked before it is typeset.

Everything the report prints comes from claims (proof scripts) or from a JSON report read back,
so it is treated as data: text is escaped character by character (non-ASCII characters become
LaTeX commands, so pdflatex needs no Unicode set-up), and a statement's math is typeset only
when its braces and environments balance and it uses no command that reads or writes files or
redefines macros (:func:`math_or_none`); otherwise the report shows its source as text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["escape", "math_or_none", "number"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\n": " ",
    "\t": " ",
}

_MATH = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "θ": r"\theta",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "π": r"\pi",
    "ρ": r"\rho",
    "σ": r"\sigma",
    "τ": r"\tau",
    "φ": r"\varphi",
    "ϕ": r"\phi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Σ": r"\Sigma",
    "Φ": r"\Phi",
    "Ω": r"\Omega",
    "∇": r"\nabla",
    "∂": r"\partial",
    "∫": r"\int",
    "∞": r"\infty",
    "√": r"\surd",
    "∘": r"\circ",
    "·": r"\cdot",
    "×": r"\times",
    "±": r"\pm",
    "≤": r"\le",
    "≥": r"\ge",
    "≠": r"\ne",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∈": r"\in",
    "→": r"\to",
    "←": r"\leftarrow",
    "⇒": r"\Rightarrow",
    "⪰": r"\succeq",
    "≻": r"\succ",
    "ℝ": r"\mathbb{R}",
    "ᵀ": r"^{\top}",
    "ᵈ": "^{d}",
    "²": "^{2}",
    "³": "^{3}",
    "⁻": "^{-}",
    "¹": "^{1}",
    "₀": "_{0}",
    "₁": "_{1}",
    "₂": "_{2}",
    "ₖ": "_{k}",
    "ₜ": "_{t}",
}

_TEXT = {
    "§": r"\S{}",
    "–": "--",
    "—": "---",
    "−": "-",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "…": r"\ldots{}",
    "\u00a0": "~",
}

_ACCENTS = {"\u0301": r"\'", "\u0300": r"\`", "\u0308": r"\"", "\u030a": r"\r", "\u030c": r"\v"}


def _char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    if " " <= c <= "~":
        return c
    if c in _TEXT:
        return _TEXT[c]
    if c in _MATH:
        return rf"\ensuremath{{{_MATH[c]}}}"
    base, *marks = unicodedata.normalize("NFD", c)
    if " " <= base <= "~" and marks and all(m in _ACCENTS for m in marks):
        out = _char(base)
        for m in marks:
            out = f"{_ACCENTS[m]}{{{out}}}"
        return out
    return f"[U+{ord(c):04X}]"


def escape(text: object) -> str:
    """``text`` (any object, through ``str``) as LaTeX text mode that pdflatex typesets
    literally; characters LaTeX cannot show become ``[U+XXXX]``."""
    return "".join(_char(c) for c in str(text))


_FORBIDDEN = re.compile(
    r"\\(?:input|include|InputIfFileExists|openin|openout|read|write|immediate|special|"
    r"catcode|uccode|lccode|def|edef|gdef|xdef|let|futurelet|expandafter|csname|"
    r"newcommand|renewcommand|providecommand|DeclareRobustCommand|usepackage|"
    r"RequirePackage|documentclass|makeatletter|makeatother|scantokens|everyeof|"
    r"jobname|directlua|end\s*\{document\}|begin\s*\{document\}|par|newline|\[|\]|\(|\))"
    r"(?![A-Za-z])"
)
_ENV = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")
_DELIM = re.compile(r"\\(left|right)(?![A-Za-z])")


def _balanced(latex: str) -> bool:
    depth = 0
    escaped = False
    for c in latex:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not escaped


def _environments_nest(latex: str) -> bool:
    stack: list[str] = []
    for kind, name in _ENV.findall(latex):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _delimiters_pair(latex: str) -> bool:
    depth = 0
    for kind in _DELIM.findall(latex):
        depth += 1 if kind == "left" else -1
        if depth < 0:
            return False
    return depth == 0


def math_or_none(latex: object) -> str | None:
    """``latex`` when it is safe to typeset in math mode: balanced braces, ``\\begin``/``\\end``
    and ``\\left``/``\\right``; no control character (from a non-raw ``"\\frac"``), no
    unescaped ``$``, ``%`` or ``#``, no blank line, and no command that opens files, writes or
    redefines; ``None`` otherwise."""
    if not isinstance(latex, str) or not latex.strip():
        return None
    if any(ord(c) < 32 and c != "\n" for c in latex):
        return None
    if re.search(r"(?<!\\)[$%#]", latex) or re.search(r"\n\s*\n", latex):
        return None
    if _FORBIDDEN.search(latex) or not _balanced(latex):
        return None
    if not _environments_nest(latex) or not _delimiters_pair(latex):
        return None
    return latex


def number(value: float) -> str:
    """A float as LaTeX math, 3 significant digits, e.g. ``2.43\\times10^{-31}``."""
    if value != value:  # NaN
        return r"\mathrm{NaN}"
    if value in (float("inf"), float("-inf")):
        return r"\infty" if value > 0 else r"-\infty"
    text = f"{value:.3g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa}\times {power}"
