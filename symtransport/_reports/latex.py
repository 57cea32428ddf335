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
    decomposed = unicodedata.normalize("NFD", c)
    base, marks = decomposed[0], decomposed[1:]
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


_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta "
    "Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
_SYMBOLS = (
    "infty partial nabla triangle cdot cdots ldots dots vdots ddots times div circ pm mp ast "
    "star bullet otimes oplus odot dagger wedge vee neg lnot setminus backslash le leq ge geq "
    "ne neq approx sim simeq cong equiv propto ll gg lesssim gtrsim to mapsto rightarrow "
    "leftarrow leftrightarrow Rightarrow "
    "Leftarrow Leftrightarrow iff implies in notin ni subset subseteq supset supseteq cup cap "
    "forall exists nexists mid nmid parallel sharp flat top bot perp prime succ succeq prec "
    "preceq langle rangle lfloor rfloor lceil rceil lvert rvert lVert rVert vert Vert emptyset "
    "varnothing ell hbar Re Im aleph colon int iint iiint oint sum prod coprod bigcup bigcap "
    "log ln exp sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth det dim ker "
    "min max sup inf lim liminf limsup arg deg gcd Pr operatorname"
)
_STRUCTURE = (
    "frac dfrac tfrac sqrt binom left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl "
    "biggr limits nolimits displaystyle textstyle scriptstyle quad qquad mathrm mathbb mathsf "
    "mathcal mathbf mathit mathtt mathfrak boldsymbol text textrm textit textbf textsf "
    "texttt tilde hat bar dot ddot vec check breve acute grave overline underline widetilde "
    "widehat overrightarrow underbrace overbrace begin end"
)
#: The control words a typeset statement or step may use: what SymPy prints and the usual
#: notation of the papers. Anything else (including every command that reads or writes files,
#: defines macros or loops) makes :func:`math_or_none` refuse the text.
ALLOWED_COMMANDS = frozenset(f"{_GREEK} {_SYMBOLS} {_STRUCTURE}".split())
_ALLOWED_SYMBOLS = frozenset(",;:! {}|_%#&$\\")  # \, \; ... \{ \} \| \_ and the line break \\
_ENVIRONMENTS = frozenset(
    [
        "matrix",
        "pmatrix",
        "bmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "smallmatrix",
        "cases",
        "array",
    ]
)
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}&])", re.S)
_ENV_NAME = re.compile(r"\s*\{([A-Za-z]+)\}")


def _tokens_allowed(latex: str) -> bool:
    """Every control sequence allowed, ``\\begin``/``\\end`` of allowed environments nesting,
    ``\\left``/``\\right`` pairing, braces balancing, ``&`` and ``\\\\`` only inside an
    environment."""
    depth = 0
    environments: list[str] = []
    delimiters = 0
    for match in _TOKEN.finditer(latex):
        name, char = match.groups()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
        elif char == "&":
            if not environments:
                return False
        elif len(name) == 1 and not name.isalpha():
            if name not in _ALLOWED_SYMBOLS or (name == "\\" and not environments):
                return False
        elif name not in ALLOWED_COMMANDS:
            return False
        elif name in ("begin", "end"):
            env = _ENV_NAME.match(latex, match.end())
            if env is None or env.group(1) not in _ENVIRONMENTS:
                return False
            if name == "begin":
                environments.append(env.group(1))
            elif not environments or environments.pop() != env.group(1):
                return False
        elif name in ("left", "right"):
            delimiters += 1 if name == "left" else -1
            if delimiters < 0:
                return False
    return depth == 0 and not environments and delimiters == 0


def math_or_none(latex: object, limit: int | None = None) -> str | None:
    """``latex`` when it is safe to typeset in math mode, ``None`` otherwise.

    Safe: printable ASCII only (no ``^^`` escapes, no control characters such as those of a
    non-raw ``"\\frac"``), no unescaped ``$``, ``%`` or ``#``, every control word in
    :data:`ALLOWED_COMMANDS`, and the structure of :func:`_tokens_allowed`; at most ``limit``
    characters when one is given. TeX errors of other kinds (a double subscript) can remain;
    pdflatex then reports them.
    """
    if not isinstance(latex, str) or not latex.strip():
        return None
    if limit is not None and len(latex) > limit:
        return None
    if not all(" " <= c <= "~" for c in latex) or "^^" in latex:
        return None
    if re.search(r"(?<!\\)(?:\\\\)*[$%#]", latex):
        return None
    return latex if _tokens_allowed(latex) else None


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
