"""The checked claims as one self-contained LaTeX document (``symtransport export``).

:func:`latex_document` turns a :class:`~symtransport._claims.runner.Report` into a document with a
section per claim (id, statement, source, the derivation's steps with their reasons and
statuses, the numeric checks, the counterexample), an errata section (each statement of [J] as
printed beside its corrected form, with both verdicts) and a bibliography. The document uses
only packages of Debian's ``texlive-latex-base`` and ``texlive-latex-recommended`` and inputs no
other file. :func:`compile_pdf` runs pdflatex on it and reads the log for errors.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from symtransport._claims.claims import Expected
from symtransport._claims.runner import ClaimResult, Report
from symtransport._core.text import counted
from symtransport._reports.latex import escape, math_or_none, number
from symtransport.errors import SymtransportError, UnsupportedError

__all__ = ["LatexError", "compile_pdf", "latex_document", "log_errors", "require_pdflatex"]

PRINTED = "-as-printed"  # suffix of the id of a statement as printed in the paper (an erratum)
MAX_MATH = 6000  # longest statement or step typeset (characters): wider boxes pass \maxdimen
MAX_VALUE = 2000  # longest counterexample value shown (characters)

#: Statuses typeset in colour (RGB), each a colour of the same name in the document.
_STATUS_COLOURS = {
    "proved": "0.0,0.45,0.15",
    "verified": "0.0,0.3,0.65",
    "refuted": "0.7,0.0,0.0",
    "undecided": "0.4,0.4,0.4",
    "given": "0.3,0.3,0.3",
    "error": "0.7,0.0,0.0",
}

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage[a4paper,margin=2.2cm]{geometry}
\usepackage{longtable,booktabs,array}
\usepackage{xcolor}
\usepackage[hidelinks]{hyperref}
\setcounter{MaxMatrixCols}{20}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.45ex}
\newsavebox{\fitbox}
% display math shrunk to the line width when it is wider
\newcommand{\fitmath}[1]{\par\noindent\hfil\sbox{\fitbox}{$\displaystyle #1$}%
  \ifdim\wd\fitbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\fitbox}}%
  \else\usebox{\fitbox}\fi\hfil\par}
\newcommand{\status}[1]{\textcolor{#1}{\textsf{#1}}}
""" + "".join(
    rf"\definecolor{{{name}}}{{rgb}}{{{rgb}}}" "\n" for name, rgb in _STATUS_COLOURS.items()
)

_BIBLIOGRAPHY = r"""\begin{thebibliography}{99}
\bibitem{J} S.~Sonoda and N.~Murata. Transport analysis of infinitely deep neural network.
  \emph{Journal of Machine Learning Research}, 20(2):1--52, 2019. arXiv:1605.02832.
\bibitem{W} S.~Sonoda and N.~Murata. Transportation analysis of denoising autoencoders: a
  novel method for analyzing deep neural networks. NIPS 2017 Workshop on Optimal Transport
  and Machine Learning, 2017. arXiv:1712.04145.
\bibitem{efron} B.~Efron. Tweedie's formula and selection bias. \emph{Journal of the American
  Statistical Association}, 106(496):1602--1614, 2011.
\bibitem{stam} A.~J. Stam. Some inequalities satisfied by the quantities of information of
  Fisher and Shannon. \emph{Information and Control}, 2(2):101--112, 1959.
\bibitem{jko} R.~Jordan, D.~Kinderlehrer and F.~Otto. The variational formulation of the
  Fokker--Planck equation. \emph{SIAM Journal on Mathematical Analysis}, 29(1):1--17, 1998.
\bibitem{villani} C.~Villani. \emph{Optimal Transport: Old and New}. Springer, 2009.
\bibitem{brenier} Y.~Brenier. Polar factorization and monotone rearrangement of vector-valued
  functions. \emph{Communications on Pure and Applied Mathematics}, 44(4):375--417, 1991.
\bibitem{takatsu} A.~Takatsu. Wasserstein geometry of Gaussian measures. \emph{Osaka Journal
  of Mathematics}, 48(4):1005--1026, 2011.
\bibitem{evans} L.~C. Evans and R.~F. Gariepy. \emph{Measure Theory and Fine Properties of
  Functions}, revised edition. CRC Press, 2015.
\bibitem{song} Y.~Song, J.~Sohl-Dickstein, D.~P. Kingma, A.~Kumar, S.~Ermon and B.~Poole.
  Score-based generative modeling through stochastic differential equations. \emph{ICLR}, 2021.
\bibitem{sympy} A.~Meurer et al. SymPy: symbolic computing in Python. \emph{PeerJ Computer
  Science}, 3:e103, 2017.
\bibitem{hypothesis} D.~R. MacIver, Z.~Hatfield-Dodds et al. Hypothesis: a new approach to
  property-based testing. \emph{Journal of Open Source Software}, 4(43):1891, 2019.
\end{thebibliography}
"""

_INTRO = r"""Each claim below is a result of Sonoda and Murata's transport analysis of denoising
autoencoders~\cite{J,W}, or a statement the analysis rests on (Tweedie's formula~\cite{efron},
de~Bruijn's identity~\cite{stam}, the heat flow as the Wasserstein gradient flow of
entropy~\cite{jko,villani}, Brenier's theorem~\cite{brenier}, the Wasserstein geometry of
Gaussians~\cite{takatsu}, the change of variables~\cite{evans}, the probability-flow
ODE~\cite{song}), derived with SymPy~\cite{sympy} and checked by symtransport. Properties over
random instances are searched with Hypothesis~\cite{hypothesis}. In the sources, ``notes''
are the symtransport project's notes on~\cite{J,W}; their \textsf{[reconstruction]} marks
results derived there rather than printed in either paper.

Every check ends in one verdict. \status{proved}: the difference of the two sides was reduced
to zero by exact rewriting. \status{verified}: not proved, but the sides, evaluated with
$D\ge30$ significant digits at random points, agree to a relative $10^{5-D}$ (or the
difference vanishes as the precision doubles); or a numeric property held on every random
example; or a measured number lies within its stated bound.
\status{refuted}: a counterexample, stable under re-evaluation at higher precision.
\status{undecided}: neither, never counted as settled. A claim \emph{meets its expectation}
when it holds (proved or verified), when an erratum as printed is refuted, or when an open
question stays undecided or is refuted.

Every check also states its \emph{scope}, what it covered: \textsf{general} (the statement as
quantified: generic functions for arbitrary densities, which stand for every smooth, positive,
bounded density with finite moments, and symbols for every parameter), \textsf{family}
(symbolic parameters of a named family), \textsf{instances} (named fixed examples) or
\textsf{sampled} (random draws). A claim is proved only when a check at the scope of its
statement is proved; evidence of a narrower scope, marked~$^*$, caps it at verified.
"""


class LatexError(SymtransportError, RuntimeError):
    """pdflatex reported errors; the message quotes the first of them from the log."""


def _ref(claim_id: str) -> str:
    return f"claim:{claim_id}"


def _id(claim_id: str) -> str:
    return rf"\texttt{{{escape(claim_id)}}}"


def _math(latex: Any) -> str:
    text = str(latex)
    if len(text) > MAX_MATH:
        return (
            rf"\emph{{(an expression of {len(text)} characters, too long to typeset; the JSON "
            r"report of \texttt{check --json} holds it in full)}\par"
        )
    safe = math_or_none(text)
    if safe is None:
        return rf"\texttt{{{_breakable(text)}}}\quad(source shown: not typeset as math)\par"
    return rf"\fitmath{{{safe}}}"


def _status(status: str) -> str:
    return rf"\status{{{status}}}" if status in _STATUS_COLOURS else escape(status)


def _verdict(result: ClaimResult) -> str:
    if not result.ok:
        return r"\textcolor{error}{\textbf{does not meet its expectation}}"
    if result.expected == Expected.OPEN:
        return "open question: meets its expectation (not settled unless refuted)"
    return "meets its expectation"


def _field(name: str, value: str) -> str:
    return rf"\textbf{{{name}:}} {value}\par"


def _claim_section(result: ClaimResult) -> str:
    lines = [
        rf"\subsection{{{_id(result.id)}: {escape(result.title)}}}",
        rf"\label{{{_ref(result.id)}}}",
        _field("Statement", ""),
        _math(result.statement),
        _field("Source", escape(result.source)),
        _field(
            "Kind",
            f"{escape(result.kind)}; expected: {escape(result.expected)}; "
            f"status: {_status(result.status)} ({_verdict(result)})",
        ),
        _field(
            "Scope",
            f"statement: {escape(result.statement_scope)}; checked: {_scope(result)}",
        ),
    ]
    if result.method:
        lines.append(_field("Method", escape(result.method)))
    numbers = []
    if result.examples is not None:
        numbers.append(
            counted(
                result.examples,
                "example or evaluation point",
                "examples or evaluation points",
            )
        )
    if result.max_residual is not None:
        numbers.append(f"largest residual ${number(float(result.max_residual))}$")
    numbers.append(f"{float(result.seconds):.1f} s")
    lines.append(_field("Numeric checks", "; ".join(numbers)))
    if result.explanation:
        lines.append(_field("Result", escape(result.explanation)))
    if result.counterexample:
        lines.append(_field("Counterexample", ""))
        lines.append(_counterexample(result.counterexample))
    if result.steps:
        lines.append(_field("Derivation", ""))
        lines.append(_steps(result.steps))
    return "\n".join(lines) + "\n"


def _breakable(value: Any) -> str:
    """``value`` escaped, with line breaks allowed after operators and commas (long
    expressions in typewriter type would otherwise run into the margin)."""
    return re.sub(r"([*+,/(=-])", r"\1\\allowbreak{}", escape(value))


def _shorten(value: Any) -> str:
    text = str(value)
    if len(text) <= MAX_VALUE:
        return text
    return f"{text[:MAX_VALUE]}... ({len(text)} characters; the JSON report holds them all)"


def _counterexample(values: dict[str, Any]) -> str:
    rows = [
        rf"\texttt{{{_breakable(_shorten(k))}}} & \texttt{{{_breakable(_shorten(v))}}} \\"
        for k, v in values.items()
    ]
    body = "\n".join(rows)
    return (
        "\\begin{longtable}{>{\\raggedright}p{0.18\\linewidth}p{0.74\\linewidth}}\n"
        "\\toprule\n"
        f"{body}\n"
        "\\bottomrule\n\\end{longtable}"
    )


def _scope(result: ClaimResult) -> str:
    """The scope the evidence covered, starred when narrower than the statement's."""
    return escape(result.scope) + ("$^*$" if result.narrower else "")


def _steps(steps: Sequence[dict[str, Any]]) -> str:
    items = []
    for step in steps:
        relation = "" if step.get("status") == "given" else "$=$ "  # a chain starts at "given"
        latex = step.get("latex") or step.get("expr", "")
        items.append(
            rf"\item {relation}{_math(latex)}"
            "\n"
            rf"{{\small {escape(step.get('reason', ''))}\hfill "
            rf"{_status(str(step.get('status', '')))}"
            rf"{' (' + escape(str(step['scope'])) + ')' if step.get('scope') else ''}}}"
        )
    return "\\begin{enumerate}\n" + "\n".join(items) + "\n\\end{enumerate}"


def _summary_table(results: Sequence[ClaimResult]) -> str:
    met = {True: "yes", False: r"\textbf{no}"}
    rows = [
        rf"\hyperref[{_ref(r.id)}]{{{_id(r.id)}}} & {escape(r.kind)} & {_status(r.status)} & "
        rf"{_scope(r)} & {escape(r.expected)} & {met[r.ok]} \\"
        for r in results
    ]
    return (
        "\\begin{longtable}{llllll}\n\\toprule\n"
        "claim & kind & status & scope & expected & met \\\\\n\\midrule\n\\endhead\n"
        + "\n".join(rows)
        + "\n\\bottomrule\n\\end{longtable}\n"
    )


def _errata(results: Sequence[ClaimResult]) -> str:
    by_id = {r.id: r for r in results}
    printed = [r for r in results if r.id.endswith(PRINTED)]
    if not printed:
        return "No statement of the paper as printed was checked in this run.\n"
    parts = [
        "Each item shows a statement of~\\cite{J} as printed, the checker's verdict on it, "
        "and the corrected statement with its verdict.\n"
    ]
    for r in printed:
        corrected = by_id.get(r.id[: -len(PRINTED)])
        parts += [
            rf"\subsection{{{escape(r.source)}}}",
            rf"\textbf{{As printed}} ({_id(r.id)}, \ref*{{{_ref(r.id)}}}): {escape(r.title)}",
            _math(r.statement),
            _field("Verdict", f"{_status(r.status)}. {escape(r.explanation)}"),
        ]
        if corrected is None:
            parts.append(_field("Corrected", "the corrected claim was not part of this run"))
        else:
            parts += [
                rf"\textbf{{Corrected}} ({_id(corrected.id)}, "
                rf"\ref*{{{_ref(corrected.id)}}}): {escape(corrected.title)}",
                _math(corrected.statement),
                _field("Verdict", f"{_status(corrected.status)}. {escape(corrected.method)}"),
            ]
    return "\n".join(parts) + "\n"


def _settings(report: Report) -> str:
    s = report.summary()
    counts = ", ".join(f"{n} {escape(k)}" for k, n in s["by_status"].items() if n)
    settings = report.settings
    examples = settings.get("examples")
    meet = "meets its" if s["ok"] == 1 else "meet their"
    text = (
        f"{counted(s['total'], 'claim')}: {s['ok']} {meet} expectation, {s['open']} open, "
        f"{s['failed']} {'does' if s['failed'] == 1 else 'do'} not ({counts}), "
        f"in {float(s['seconds']):.1f} s. "
        f"Seed {escape(settings.get('seed', 'unknown'))}; "
        f"examples: {escape(examples if examples is not None else 'each claim its own')}; "
        f"deep checks: {'on' if settings.get('deep') else 'off'}; "
        f"symtransport {escape(settings.get('version', 'unknown'))}."
    )
    return text + "\n"


def latex_document(report: Report, *, title: str | None = None) -> str:
    """The report as one LaTeX document (a string), compiled by pdflatex with the packages
    of ``texlive-latex-base`` and ``texlive-latex-recommended``; no ``\\input``."""
    results = report.results
    heading = title or "Transport analysis of denoising autoencoders: the checked claims"
    body = [
        _PREAMBLE,
        rf"\title{{{escape(heading)}}}",
        r"\author{symtransport}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        _INTRO,
        _settings(report),
        r"\tableofcontents",
        r"\section{Summary}",
        _summary_table(results),
        r"\section{Claims}",
        *(_claim_section(r) for r in results),
        r"\section{Errata}",
        _errata(results),
        _BIBLIOGRAPHY,
        r"\end{document}",
    ]
    return "\n".join(body) + "\n"


# --- pdflatex -------------------------------------------------------------------------------


def _pdflatex(exe: str, work: Path, env: dict[str, str], timeout: float, source: Path) -> str:
    """One pdflatex pass in ``work``; its log, or :class:`LatexError`."""
    try:
        done = subprocess.run(
            [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "report.tex"],
            cwd=work,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LatexError(f"pdflatex ran past {timeout:g} s on {str(source)!r}") from exc
    log_path = work / "report.log"
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    errors = log_errors(log)
    if errors or done.returncode != 0:
        if log:  # beside the document, for the reader to inspect
            source.with_suffix(".log").write_text(log)
        # a fatal error (a line longer than TeX's buffer) is on stderr only, not in the log
        output = b"\n".join((done.stderr, done.stdout)).decode(errors="replace")
        found = errors or log_errors(output)
        first = found[0] if found else f"exit status {done.returncode} and no error line"
        raise LatexError(f"pdflatex failed on {str(source)!r}: {first}")
    return log


_ERROR = re.compile(r"! (.+)")
_LOCATION = re.compile(r"l\.\d+(?: |$)")
_CONTEXT_LINES = 20  # how far below an error its "l.N" line is looked for


def log_errors(log: str) -> list[str]:
    """The errors of a pdflatex log or output (lines ``! ...``; warnings are no errors), each
    followed by the ``l.N ...`` line that locates it in the source when there is one."""
    lines = log.splitlines()
    found = []
    for i, line in enumerate(lines):
        error = _ERROR.fullmatch(line)
        if error is None:
            continue
        after = lines[i + 1 : i + 1 + _CONTEXT_LINES]
        end = next((k for k, text in enumerate(after) if _ERROR.fullmatch(text)), len(after))
        where = next((text.strip() for text in after[:end] if _LOCATION.match(text)), "")
        found.append(f"{error.group(1)} {where}".strip())
    return found


def require_pdflatex() -> str:
    """The path of pdflatex; :class:`~symtransport.UnsupportedError` when it is missing."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise UnsupportedError(
            "pdflatex was not found; install TeX Live (Debian: apt install "
            "texlive-latex-base texlive-latex-recommended) or drop --pdf"
        )
    return exe


_RERUN = re.compile(r"Rerun to get|Rerun LaTeX")


def compile_pdf(tex: str | Path, *, max_runs: int = 4, timeout: float = 300.0) -> Path:
    """Compile ``tex`` with pdflatex in a temporary folder, rerunning (at most ``max_runs``
    passes) while the log asks for it to settle the contents and references, and write the PDF
    and the last log beside it (same name, ``.pdf``, ``.log``); returns the PDF's path.

    pdflatex runs without shell escape, writes only in its temporary folder and reads only
    there and in the TeX installation (kpathsea's paranoid ``openin_any``/``openout_any``).
    :class:`~symtransport.UnsupportedError` when pdflatex is not installed, :class:`LatexError`
    when its log reports an error.
    """
    source = Path(tex)
    exe = require_pdflatex()
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    try:
        with tempfile.TemporaryDirectory(prefix="symtransport-latex-") as tmp:
            work = Path(tmp)
            shutil.copyfile(source, work / "report.tex")
            for _ in range(max_runs):
                log = _pdflatex(exe, work, env, timeout, source)
                if not _RERUN.search(log):
                    break
            pdf = source.with_suffix(".pdf")
            shutil.copyfile(work / "report.pdf", pdf)
            shutil.copyfile(work / "report.log", source.with_suffix(".log"))
    except OSError as exc:
        raise SymtransportError(
            f"cannot compile {str(source)!r} or write beside it ({exc.strerror or exc})"
        ) from exc
    return pdf
