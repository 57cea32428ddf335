"""The ``symtransport`` command line; the only module that prints.

Exit codes, the same for every command: 0 success (every claim met its expectation); 1 a claim
(or a derivation) did not; 2 bad input, usage, or a missing or failing external tool (one line on
stderr, no traceback). Tables and reports go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from symtransport.claims import Claim, Expected
from symtransport.derive import derive_dae, derive_flow, parse_matrix, parse_variables, render
from symtransport.errors import InvalidArgument, SymtransportError
from symtransport.export import compile_pdf, latex_document, require_pdflatex
from symtransport.noise import NOISE_MODELS
from symtransport.progress import Progress
from symtransport.runner import ClaimResult, Report, collect, run_claims, select

__all__ = ["claims_table", "main", "run_script"]

EXAMPLES = """\
examples:
  symtransport check                          run the bundled proofs
  symtransport check --only 'dae-tweedie*'    only the claims whose id matches the glob
  symtransport export --out claims.tex --pdf  the checked claims as a LaTeX document and PDF
  symtransport figures --out figures          the paper's figures, PNG and PDF
  symtransport list                           the claims, their kinds and sources
  symtransport derive dae --density "exp(-x**2/2)" --vars x

exit codes: 0 success; 1 a claim did not meet its expectation; 2 bad input or usage
"""

CHECK_EXAMPLES = """\
examples:
  symtransport check                          run the bundled proofs (about a minute)
  symtransport check --only 'dae-tweedie*'    only the claims whose id matches the glob
  symtransport check proofs/my_claims.py --json report.json
  symtransport check --json - | jq .summary   the JSON report on stdout, the table on stderr
  symtransport check --deep --examples 200    the costly parts, and 200 random examples

budgets: verdicts are decided by counted work, never by the clock: numeric points per
identity (24) at 30, 60 and 120 digits, a fixed sequence of 8 symbolic rewrites with size
limits (cancel up to 600 operations, simplify up to 400, SymPy's limit at infinity up to 60
and at a point up to 700 without erf, its integrator on rational integrands only), quadrature
degrees, Hypothesis examples (--examples) and shrink calls, ODE tolerances. A claim's timeout
(default 900 s, x4 with --deep) is only a wall-clock safety net: a claim it stops has status
'error' (method 'wall-clock limit'), which is no verdict.

exit codes: 0 every claim met its expectation; 1 one did not; 2 bad input or usage
"""

EXPORT_EXAMPLES = """\
examples:
  symtransport export --out claims.tex --pdf  run the bundled proofs; write claims.tex, claims.pdf
  symtransport export --out errata.tex --only '*-as-printed' --only 'shallow-limit'
  symtransport check --json report.json; symtransport export --from-json report.json \\
      --out claims.tex                        typeset a run without running it again

exit codes: 0 written, every claim met its expectation; 1 written, a claim did not;
2 bad input, or pdflatex missing or failing
"""

FIGURES_EXAMPLES = """\
examples:
  symtransport figures                        every figure into ./figures (PNG and PDF)
  symtransport figures --out out --only 'fig6*' --only entropy-time
  symtransport figures --json -               the written files as JSON on stdout

exit codes: 0 written; 2 bad input, or matplotlib missing (pip install "symtransport[plot]")
"""

LIST_EXAMPLES = """\
examples:
  symtransport list                           id, kind, scope, expected outcome, source
  symtransport list --format markdown         the table of the README
  symtransport list proofs/my_claims.py --format json
"""


DERIVE_EXAMPLES = """\
examples:
  symtransport derive dae --density "exp(-x**2/2)" --vars x
  symtransport derive dae --density "(1 + x**2/3)**(-2)" --vars x --noise laplace
  symtransport derive dae --density "exp(-(x**2 + x*y + y**2))" --vars x,y \\
      --noise-cov "[[2,0.5],[0.5,1]]" --format json
  symtransport derive flow --vars x,y --format json \\
      --density "0.3*exp(-(x**2 + x*y + y**2)) + 0.7*exp(-(x-1)**2)*exp(-y**2/2)"
  symtransport derive flow --density "exp(-abs(x))" --vars x      (ill-posed: exit 2)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message} (see --help)")


class _UsageError(Exception):
    pass


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _parser() -> _Parser:
    parser = _Parser(
        prog="symtransport",
        description="Check the transport analysis of denoising autoencoders (Sonoda & Murata).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser(
        "check",
        help="run the claims of proof scripts and report their status",
        epilog=CHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _run_options(check)
    check.add_argument("--json", metavar="FILE", help="write the JSON report to FILE ('-': stdout)")
    export = commands.add_parser(
        "export",
        help="run the claims and write them as one self-contained LaTeX document (and PDF)",
        epilog=EXPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _run_options(export)
    export.add_argument("--out", required=True, metavar="FILE.tex", help="the LaTeX file to write")
    export.add_argument(
        "--pdf", action="store_true", help="also compile it with pdflatex into FILE.pdf"
    )
    export.add_argument(
        "--from-json",
        metavar="REPORT",
        help="typeset the JSON report of an earlier 'check --json' instead of running",
    )
    export.add_argument("--json", metavar="FILE", help="also write the JSON report ('-': stdout)")
    figures = commands.add_parser(
        "figures",
        help="regenerate the paper's figures (Figs. 4, 6-10, entropy against time)",
        epilog=FIGURES_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    figures.add_argument(
        "--out", default="figures", metavar="DIR", help="folder to write into (default: figures)"
    )
    figures.add_argument(
        "--only", action="append", metavar="GLOB", help="figure names to draw (glob)"
    )
    figures.add_argument(
        "--json", metavar="FILE", help="write the list of figures and files as JSON ('-': stdout)"
    )
    _progress_option(figures)
    derive = commands.add_parser(
        "derive",
        help="derive and check a transport map for a density typed by hand",
        epilog=DERIVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    targets = derive.add_subparsers(dest="target", required=True, parser_class=_Parser)
    dae = targets.add_parser(
        "dae",
        help="the shallow DAE g_t = E[x | x~] for additive noise of variance t",
        epilog=DERIVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dae.add_argument("--density", required=True, metavar="EXPR", help="the data density mu_0")
    dae.add_argument("--vars", required=True, metavar="x,y", help="its variables (t is reserved)")
    dae.add_argument(
        "--noise", default="gaussian", choices=sorted(NOISE_MODELS), help="noise model"
    )
    dae.add_argument(
        "--noise-cov",
        metavar="MATRIX",
        help="C for Gaussian noise N(0, tC), e.g. [[2,0.5],[0.5,1]]",
    )
    dae.add_argument("--format", choices=("text", "latex", "json"), default="text")
    dae.add_argument("--seed", type=_int, default=0, help="random seed of the checks (default 0)")
    flow = targets.add_parser(
        "flow",
        help="the continuous (infinitely deep) DAE dx/dt = grad log mu_t(x), mu_t solving the "
        "backward heat equation, for a Gaussian or Gaussian mixture",
        epilog=DERIVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    flow.add_argument("--density", required=True, metavar="EXPR", help="the data density mu_0")
    flow.add_argument("--vars", required=True, metavar="x,y", help="its variables (t is reserved)")
    flow.add_argument("--format", choices=("text", "latex", "json"), default="text")
    flow.add_argument("--seed", type=_int, default=0, help="random seed of the checks (default 0)")
    listing = commands.add_parser(
        "list",
        help="list the claims with their kinds, expected outcomes and sources",
        epilog=LIST_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument(
        "paths", nargs="*", help="proof files or folders (default: bundled proofs)"
    )
    listing.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), a markdown table (as in the README), or JSON",
    )
    return parser


def _progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=("auto", "on", "off"),
        default="auto",
        help="progress on stderr: redrawn in place on a terminal (auto: only there)",
    )


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="proof files or folders (default: bundled proofs)")
    parser.add_argument("--only", action="append", metavar="GLOB", help="claim ids to run (glob)")
    parser.add_argument("--seed", type=_int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--examples",
        type=_positive_int,
        metavar="N",
        help="example count of property and conjecture claims (default: each claim's own)",
    )
    parser.add_argument(
        "--deep",
        action="store_true",
        help="also run the costly parts of the checks (more dimensions, generic functions "
        "inside integrals); claims get four times their wall-clock safety net",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="claims run at once, each in its own process (default: one per CPU core)",
    )
    _progress_option(parser)


_COLUMNS = (
    ("id", 34),
    ("kind", 11),
    ("status", 10),
    ("scope", 10),
    ("expected", 9),
    ("seconds", 8),
)
NARROWER = "*"  # marks a scope narrower than the claim's statement


def _scope_cell(r: ClaimResult) -> str:
    """The scope the evidence covered, marked when it is narrower than the statement's."""
    return f"{r.scope}{NARROWER if r.narrower else ''}"


def _verdict(r: ClaimResult) -> str:
    if not r.ok:
        return "FAILED"
    return "open" if r.expected == Expected.OPEN else "ok"


def _row(values: Sequence[str], out: TextIO) -> None:
    cells = [f"{v:<{w}}" for v, (_, w) in zip(values, _COLUMNS, strict=False)]
    extra = f" {values[-1]}" if len(values) > len(_COLUMNS) else ""
    print((" ".join(cells) + extra).rstrip(), file=out)
    out.flush()


def _result_row(r: ClaimResult, out: TextIO) -> None:
    _row(
        [r.id, r.kind, r.status, _scope_cell(r), r.expected, f"{r.seconds:.1f}", _verdict(r)],
        out,
    )
    if not r.ok:
        print(f"    {r.explanation}", file=out)


def _progress(args: argparse.Namespace, total: int, what: str = "claims") -> Progress:
    enabled = args.progress == "on" or (args.progress == "auto" and sys.stderr.isatty())
    return Progress(total, sys.stderr, enabled=enabled, what=what)


def _run(args: argparse.Namespace, table: TextIO | None) -> Report:
    """Run the selected claims, with the results table on ``table`` (None: no table)."""
    claims = select(collect(args.paths), args.only)
    if table is not None:
        _row([name for name, _ in _COLUMNS], table)
    with _progress(args, len(claims)) as progress:

        def show(r: ClaimResult) -> None:
            if table is not None:
                progress.above(lambda: _result_row(r, table))
            progress.advance(r.id)

        return run_claims(
            claims,
            seed=args.seed,
            examples=args.examples,
            jobs=args.jobs,
            deep=args.deep,
            progress=show,
        )


def _summary_line(report: Report) -> str:
    s = report.summary()
    by_status = ", ".join(f"{n} {k}" for k, n in s["by_status"].items() if n)
    line = (
        f"{s['total']} claims: {s['ok']} ok, {s['open']} open, {s['failed']} failed "
        f"({by_status}) in {s['seconds']:.1f} s"
    )
    narrower = sum(r.narrower for r in report.results)
    if narrower:
        line += (
            f"\n{NARROWER} {narrower} claim(s) checked at a scope narrower than their "
            "statement's: at most verified (symtransport list shows each statement's scope)"
        )
    return line


def _write(path: str, text: str, option: str) -> None:
    if path == "-":
        print(text)
        return
    try:
        Path(path).write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise SymtransportError(f"{option} {path!r}: cannot write ({exc.strerror})") from exc


def _check(args: argparse.Namespace) -> int:
    table = sys.stderr if args.json == "-" else sys.stdout
    report = _run(args, table)
    print(_summary_line(report), file=table)
    if args.json:
        _write(args.json, json.dumps(report.to_json(), indent=2), "--json")
    return 0 if report.passed else 1


def _read_report(path: str, only: Sequence[str] | None) -> Report:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidArgument(f"--from-json {path!r}: cannot read ({exc.strerror})") from exc
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, huge integers
        raise InvalidArgument(f"--from-json {path!r}: not a JSON report ({exc})") from exc
    report = Report.from_json(data)
    if only:
        kept = [r for r in report.results if any(fnmatch.fnmatchcase(r.id, p) for p in only)]
        if not kept:
            raise InvalidArgument(f"--only {' '.join(only)!r} matches no claim of {path!r}")
        report = Report(kept, report.seconds, report.settings)
    return report


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix != ".tex":
        raise InvalidArgument(f"--out {args.out!r}: give a file name ending in .tex")
    if args.pdf:
        require_pdflatex()  # before the claims run, not a minute later
    if args.from_json is not None:
        if args.paths or args.seed != 0 or args.examples or args.deep or args.jobs:
            raise InvalidArgument(
                "--from-json typesets a finished run: proof paths, --seed, --examples, --deep "
                "and --jobs do not apply to it"
            )
        report = _read_report(args.from_json, args.only)
    else:
        report = _run(args, table=None)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(latex_document(report), encoding="ascii")
    except OSError as exc:
        raise SymtransportError(f"--out {args.out!r}: cannot write ({exc.strerror})") from exc
    if args.json:  # before compiling, so that a LaTeX error leaves the report
        _write(args.json, json.dumps(report.to_json(), indent=2), "--json")
    written = [out]
    if args.pdf:
        if sys.stderr.isatty() and args.progress != "off":
            print("compiling with pdflatex...", file=sys.stderr)
        written.append(compile_pdf(out))
    summary = sys.stderr if args.json == "-" else sys.stdout
    print(_summary_line(report), file=summary)
    for path in written:
        print(f"wrote {path}", file=summary)
    return 0 if report.passed else 1


def _figures(args: argparse.Namespace) -> int:
    from symtransport import figures

    names = figures.select(args.only)
    with _progress(args, len(names), what="figures") as progress:
        written = figures.write_figures(args.out, args.only, progress=progress.advance)
    if args.json:
        manifest = {
            "figures": [
                {
                    "name": name,
                    "caption": figures.FIGURES[name],
                    "files": [str(p) for p in written if p.stem == name],
                }
                for name in names
            ]
        }
        _write(args.json, json.dumps(manifest, indent=2), "--json")
    if args.json != "-":
        for path in written:
            print(f"wrote {path}")
    return 0


def _cell(text: str) -> str:
    """Text in a markdown table cell: a ``|`` would end the cell."""
    return text.replace("|", "\\|")


def claims_table(claims: Sequence[Claim]) -> str:
    """The markdown claims table of the README."""
    lines = ["| id | kind | scope | expected | source | title |", "|---|---|---|---|---|---|"]
    lines += [
        f"| `{c.id}` | {c.kind} | {c.scope} | {c.expected} | {_cell(c.source)} | {_cell(c.title)} |"
        for c in claims
    ]
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    claims = collect(args.paths)
    if args.format == "markdown":
        print(claims_table(claims))
    elif args.format == "json":
        fields = ("id", "title", "source", "statement", "kind", "scope", "expected", "examples")
        print(json.dumps([{f: getattr(c, f) for f in fields} for c in claims], indent=2))
    else:
        for c in claims:
            print(f"{c.id:<34} {c.kind:<11} {c.scope:<10} {c.expected:<8} {c.source}")
    return 0


def _derive(args: argparse.Namespace) -> int:
    variables = parse_variables(args.vars)
    if args.target == "flow":
        if sys.stderr.isatty():
            print("deriving the continuous DAE...", file=sys.stderr)
        result = derive_flow(args.density, variables, seed=args.seed)
        print(render(result, args.format))
        return 0 if result["status"] in ("proved", "verified") else 1
    cov = parse_matrix(args.noise_cov) if args.noise_cov is not None else None
    if sys.stderr.isatty():  # progress for people; scripts get one line per error only
        print(f"deriving the shallow DAE ({args.noise} noise)...", file=sys.stderr)
    result = derive_dae(args.density, variables, noise=args.noise, noise_cov=cov, seed=args.seed)
    print(render(result, args.format))
    return 0 if result["status"] in ("proved", "verified") else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``symtransport`` command; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
        commands = {
            "check": _check,
            "export": _export,
            "figures": _figures,
            "list": _list,
            "derive": _derive,
        }
        return commands[args.command](args)
    except _UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except SymtransportError as exc:
        print(f"symtransport: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symtransport: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `symtransport list | head -1`: the reader has gone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return 1


def run_script(path: str) -> int:
    """``symtransport check path``: lets a proof script run itself (``python proofs/x.py``)."""
    return main(["check", str(path)])
