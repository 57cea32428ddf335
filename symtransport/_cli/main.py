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
import re
import stat
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TextIO

from symtransport._claims.campaign import (
    Campaign,
    ClaimSeeds,
    ResultStore,
    Unit,
    parse_seeds,
    run_campaign,
    units_of,
)
from symtransport._claims.claims import Claim, Expected
from symtransport._claims.executors import EXECUTORS, check_executor
from symtransport._claims.runner import (
    ClaimResult,
    Loaded,
    Report,
    bundled_proofs,
    load,
    run_claims,
    select,
)
from symtransport._cli.derive import DERIVE_SAFETY_NET, parse_matrix, parse_variables, run_derive
from symtransport._cli.progress import Progress
from symtransport._core.stages import Board
from symtransport._core.text import counted
from symtransport._reports.export import compile_pdf, latex_document, require_pdflatex
from symtransport._theory.noise import NOISE_NAMES
from symtransport.errors import InvalidArgument, SymtransportError

__all__ = ["claims_table", "main"]

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
  symtransport check --only 'shallow-dae-entropy*' --seeds 0:100 --store runs
                                              a campaign: seeds 0..99 (A:B is half-open), each
                                              finished unit kept in runs/, reused when run again
  symtransport check --executor dask --scheduler tcp://host:8786 --seeds 0:1000 --store runs
                                              the same on a Dask cluster (pip install
                                              "symtransport[dask]"; proof files at the same
                                              path on every worker)

budgets: verdicts are decided by counted work, never by the clock: numeric points per
identity (24) at 30, 60 and 120 digits, a fixed sequence of 8 symbolic rewrites with size
limits (cancel up to 600 operations, simplify up to 400, SymPy's limit at infinity up to 60
and at a point up to 700 without erf, its integrator on rational integrands only), quadrature
degrees, Hypothesis examples (--examples) and shrink calls, ODE tolerances. A claim's timeout
(default 900 s, x4 with --deep) is only a wall-clock safety net: a claim it stops has status
'error' (method 'wall-clock limit'), which is no verdict.

campaigns: --seeds A:B runs each claim for the seeds A, ..., B-1 and reports per claim how
many met its expectation, with every counterexample ("campaign", "seeds_met", "seeds_total",
"seeds_failed", "counterexamples" in the JSON). A property or conjecture run with more than
500 examples is split into shards of at most 500 (seeds derived from the run's), whatever the
executor: the unit of work is (claim, seed, shard), and progress counts units on stderr.
--store DIR keeps each unit that ended with a verdict as DIR/<claim>/seed-<seed>-<key>.json
(seed-<seed>-shard-<i>-<key>.json for a shard), key = hash of the proof file's bytes, the
seed, the example count, the shard, --deep and the version: a repeated or interrupted
campaign reuses them and says how many.

exit codes: 0 every claim met its expectation (in a campaign, at every seed); 1 one did not;
2 bad input or usage, or a proof file that failed to import (one line on stderr each; the
other files' claims still run and are reported, and the JSON report lists it under
"load_errors")
"""

EXPORT_EXAMPLES = """\
examples:
  symtransport export --out claims.tex --pdf  run the bundled proofs; write claims.tex, claims.pdf
  symtransport export --out errata.tex --only '*-as-printed' --only 'shallow-limit'
  symtransport check --json report.json; symtransport export --from-json report.json \\
      --out claims.tex                        typeset a run without running it again

output files: --out (and --json) in a folder that exists; with --pdf, FILE.pdf and FILE.log
beside FILE.tex. A path that is an input (a proof file, the --from-json report) or names two
outputs is refused before anything runs.

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
  symtransport list                           id, kind, scope, expected outcome, source, title
  symtransport list --format markdown         the table of the README
  symtransport list proofs/my_claims.py --format json
"""


DERIVE_EXAMPLES = """\
examples:
  symtransport derive dae --density "exp(-x**2/2)" --vars x
  symtransport derive dae --density "(1 + x**2/3)**(-2)" --vars x --noise laplace
  symtransport derive dae --density "exp(-(x**2 + x*y + y**2))" --vars x,y \\
      --noise-cov "[[2,0.5],[0.5,1]]" --format json
  symtransport derive dae --density "exp(-(x**2 + x*y + y**2))" --vars x,y --noise masking
  symtransport derive flow --vars x,y --format json \\
      --density "0.3*exp(-(x**2 + x*y + y**2)) + 0.7*exp(-(x-1)**2)*exp(-y**2/2)"
  symtransport derive flow --density "exp(-abs(x))" --vars x      (ill-posed: exit 2)
  symtransport derive dae --density=-exp(-x**2) --vars x         (a value starting with -)

every stage (reading, recognising, normalising, each step's check, display) runs within the
--timeout safety net; past it: exit 2, naming the stage. Progress shows on a terminal.
exit codes: 0 proved or verified; 1 a step undecided or refuted; 2 bad input, or stopped
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as :class:`_UsageError` (one line, exit 2) and a hint
    when an option's value was taken for an option because it starts with '-'."""

    _argv: Sequence[str] = ()  # the arguments of the last parse, for the hint

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message}{self._dash_hint(message)} (see --help)")

    def _dash_hint(self, message: str) -> str:
        """For "argument --x: expected one argument": how to write a value starting with '-'."""
        match = re.fullmatch(r"argument (?:\S+/)?(--\S+): expected one argument", message)
        if match is None:
            return ""
        option = match.group(1)
        following = [value for arg, value in pairwise(self._argv) if arg == option]
        mistaken = [
            value
            for value in following
            if value.startswith("-") and value.split("=")[0] not in self._option_string_actions
        ]
        if not mistaken:
            return ""  # the value is missing, not taken for an option
        return f" (a value that starts with '-' is written {option}={mistaken[0]})"


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


def _seed(text: str) -> int:
    """A seed: an integer >= 0, as NumPy's random generators need."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


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
    _run_options(check, campaign=True)
    check.add_argument(
        "--json",
        metavar="FILE",
        help="write the JSON report to FILE, '-' for stdout (default: none, the table only)",
    )
    export = commands.add_parser(
        "export",
        help="run the claims and write them as one self-contained LaTeX document (and PDF)",
        epilog=EXPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _run_options(export)
    export.add_argument(
        "--out",
        required=True,
        metavar="FILE.tex",
        help="the LaTeX file to write, in a folder that exists (required)",
    )
    export.add_argument(
        "--pdf",
        action="store_true",
        help="also compile it with pdflatex into FILE.pdf, with its log FILE.log "
        "(default: off, the .tex only)",
    )
    export.add_argument(
        "--from-json",
        metavar="REPORT",
        help="typeset the JSON report of an earlier 'check --json' instead of running "
        "(default: run the claims)",
    )
    export.add_argument(
        "--json",
        metavar="FILE",
        help="also write the JSON report, '-' for stdout (default: none)",
    )
    figures = commands.add_parser(
        "figures",
        help="regenerate the paper's figures (Figs. 4, 6-10, entropy against time)",
        epilog=FIGURES_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    figures.add_argument(
        "--out",
        default="figures",
        metavar="DIR",
        help="folder to write into, created if needed (default: figures)",
    )
    figures.add_argument(
        "--only",
        action="append",
        metavar="GLOB",
        help="figure names to draw, a glob, repeatable (default: every figure)",
    )
    figures.add_argument(
        "--json",
        metavar="FILE",
        help="write the list of figures and files as JSON, '-' for stdout (default: none)",
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
        help="the shallow DAE g_t = E[x | x~] for additive noise of variance t, or for "
        "masking noise (each coordinate zeroed with probability p)",
        epilog=DERIVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _density_options(dae)
    dae.add_argument(
        "--noise",
        default="gaussian",
        choices=sorted(NOISE_NAMES),
        help="noise model (default: gaussian); masking gives one map per pattern of zeros, "
        "the same for every p, for a Gaussian or a Gaussian mixture",
    )
    dae.add_argument(
        "--noise-cov",
        metavar="MATRIX",
        help="C for Gaussian noise N(0, tC), e.g. [[2,0.5],[0.5,1]] (default: the identity)",
    )
    _derive_output_options(dae)
    flow = targets.add_parser(
        "flow",
        help="the continuous (infinitely deep) DAE dx/dt = grad log mu_t(x), mu_t solving the "
        "backward heat equation, for a Gaussian or Gaussian mixture",
        epilog=DERIVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _density_options(flow)
    _derive_output_options(flow)
    listing = commands.add_parser(
        "list",
        help="list the claims with their kinds, expected outcomes and sources",
        epilog=LIST_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument(
        "paths", nargs="*", help="proof files or folders (default: the bundled proofs)"
    )
    listing.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="a table with a header (text), a markdown table (as in the README), or JSON "
        "(default: text)",
    )
    return parser


def _density_options(parser: argparse.ArgumentParser) -> None:
    """The density and its variables, the two required options of ``derive``."""
    parser.add_argument(
        "--density", required=True, metavar="EXPR", help="the data density mu_0 (required)"
    )
    parser.add_argument(
        "--vars",
        required=True,
        metavar="x,y",
        help="its variables, t reserved (and p with --noise masking) (required)",
    )


def _derive_output_options(parser: argparse.ArgumentParser) -> None:
    """The output format and the seed of ``derive``'s checks."""
    parser.add_argument(
        "--format",
        choices=("text", "latex", "json"),
        default="text",
        help="how the derivation is printed on stdout (default: text)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, help="random seed of the checks (default: 0)"
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DERIVE_SAFETY_NET,
        metavar="SECONDS",
        help="wall-clock safety net of the whole derivation: past it, exit 2 naming the stage "
        f"that overran (default: {DERIVE_SAFETY_NET:g})",
    )
    _progress_option(parser)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected positive seconds, got {text!r}")
    return value


def _progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=("auto", "on", "off"),
        default="auto",
        help="progress on stderr: a line redrawn in place (auto: only when stderr is a "
        "terminal), a line per item (on), none (off) (default: auto)",
    )


def _seeds(text: str) -> range:
    """The seeds ``A:B`` of a campaign (:func:`parse_seeds`)."""
    try:
        return parse_seeds(text)
    except InvalidArgument as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run_options(parser: argparse.ArgumentParser, campaign: bool = False) -> None:
    """The options of the commands that run claims; ``campaign``: also ``--seeds`` (exclusive
    with ``--seed``) and ``--store``."""
    parser.add_argument(
        "paths", nargs="*", help="proof files or folders (default: the bundled proofs)"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="GLOB",
        help="claim ids to run, a glob, repeatable (default: every claim)",
    )
    seeds = parser.add_mutually_exclusive_group() if campaign else parser
    seeds.add_argument("--seed", type=_seed, default=0, help="random seed (default: 0)")
    if campaign:
        seeds.add_argument(
            "--seeds",
            type=_seeds,
            metavar="A:B",
            help="a campaign: run each claim for every seed A, A+1, ..., B-1 (half-open, as in "
            "Python: 0:100 is 100 seeds) and report per claim how many met the expectation, "
            "with every counterexample (default: one run, --seed)",
        )
        parser.add_argument(
            "--executor",
            choices=tuple(EXECUTORS),
            default="local",
            help="where claims (or a campaign's units) run: a pool of processes on this "
            'machine (local), or a Dask cluster (dask; pip install "symtransport[dask]"); '
            "the results are the same (default: local)",
        )
        parser.add_argument(
            "--scheduler",
            metavar="ADDRESS",
            help="with --executor dask: the address of a running Dask scheduler, e.g. "
            "tcp://host:8786 (default: a LocalCluster of --jobs workers started for the run)",
        )
        parser.add_argument(
            "--store",
            metavar="DIR",
            help="keep each finished (claim, seed, shard) unit in DIR (created if needed) and "
            "reuse the units already there, so a repeated or interrupted campaign does only what "
            "is left; implies a campaign (of --seed alone without --seeds) (default: none)",
        )
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
        "inside integrals); claims get four times their wall-clock safety net (default: off)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="claims run at once, each in its own process; with --executor dask, the workers "
        "of the LocalCluster (default: one per CPU core)",
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
MAX_REPORT_BYTES = 64 * 2**20  # largest report --from-json reads (the bundled run's: 0.2 MiB)


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


def _progress(
    args: argparse.Namespace,
    total: int,
    what: str = "claims",
    detail: Callable[[], str] | None = None,
) -> Progress:
    enabled = args.progress == "on" or (args.progress == "auto" and sys.stderr.isatty())
    return Progress(total, sys.stderr, enabled=enabled, what=what, detail=detail)


def _load(paths: Sequence[str]) -> Loaded:
    """The claims of the proof files ``paths``; each file that failed to load is one line on
    stderr."""
    loaded = load(paths)
    for error in loaded.errors:
        message = f"symtransport: error: proof file {str(error.path)!r}: {error.message}"
        print(message, file=sys.stderr)
    return loaded


def _run(args: argparse.Namespace, table: TextIO | None) -> Report:
    """Run the selected claims, with the results table on ``table`` (None: no table); the
    report holds the proof files that failed to load."""
    loaded = _load(args.paths)
    all_failed = bool(loaded.errors) and not loaded.claims  # reported as that, not no selection
    claims = [] if all_failed else select(loaded.claims, args.only)
    if table is not None:
        _row([name for name, _ in _COLUMNS], table)
    with _progress(args, len(claims)) as progress:

        def show(r: ClaimResult) -> None:
            if table is not None:
                progress.above(lambda: _result_row(r, table))
            progress.advance(r.id)

        report = run_claims(
            claims,
            seed=args.seed,
            examples=args.examples,
            jobs=args.jobs,
            deep=args.deep,
            progress=show,
            executor=getattr(args, "executor", "local"),  # export: always local
            scheduler=getattr(args, "scheduler", None),
        )
    report.load_errors = loaded.errors
    return report


def _exit_code(report: Report) -> int:
    """2 when a proof file failed to load (bad input), else 0 when every claim met its
    expectation, else 1."""
    if report.load_errors:
        return 2
    return 0 if report.passed else 1


def _summary_line(report: Report) -> str:
    s = report.summary()
    by_status = ", ".join(f"{n} {k}" for k, n in s["by_status"].items() if n)
    line = (
        f"{counted(s['total'], 'claim')}: {s['ok']} ok, {s['open']} open, {s['failed']} failed "
        f"({by_status}) in {s['seconds']:.1f} s"
    )
    narrower = sum(r.narrower for r in report.results)
    if narrower:
        their = "its statement's" if narrower == 1 else "their statements'"
        line += (
            f"\n{NARROWER} {counted(narrower, 'claim')} checked at a scope narrower than {their}: "
            "at most verified (symtransport list shows each statement's scope)"
        )
    return line


class _File(NamedTuple):
    """A path a command reads or writes, with the words that name it in a message."""

    label: str
    path: Path
    folder: bool = False


def _same_path(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: the same file when both exist, else the same
    path once symbolic links and ``..`` are resolved."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def _check_file_output(option: str, path: str, created: Path | None = None) -> None:
    """``option path``, a file to write, is named and lies in a folder that exists and can be
    written (an existing file must be writable itself), or in the folder ``created`` that the
    command creates before it."""
    if not path:
        raise InvalidArgument(f"{option} '': give a file name")
    target = Path(path)
    parent = target.parent
    if created is not None and _same_path(parent, created):
        return
    if not parent.exists():
        raise InvalidArgument(f"{option} {path!r}: folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise InvalidArgument(f"{option} {path!r}: {str(parent)!r} is not a folder")
    if not os.access(target if target.exists() else parent, os.W_OK):
        raise InvalidArgument(f"{option} {path!r}: permission denied")


def _check_folder_output(option: str, path: str) -> None:
    """``option path``, a folder to write into (created if needed), is named, and it or its
    nearest existing parent is a folder that can be written."""
    if not path:
        raise InvalidArgument(f"{option} '': give a folder")
    folder = Path(path)
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if existing == folder and not folder.is_dir():
        raise InvalidArgument(f"{option} {path!r} is a file; give a folder")
    if not existing.is_dir():
        raise InvalidArgument(f"{option} {path!r}: {str(existing)!r} is not a folder")
    if not os.access(existing, os.W_OK):
        raise InvalidArgument(f"{option} {path!r}: permission denied")


def _inputs(args: argparse.Namespace) -> list[_File]:
    """The files a command reads: the proof files (the ``*.py`` of a folder given, or of the
    bundled proofs when none is given) and the report of ``--from-json``."""
    from_json = getattr(args, "from_json", None)
    if args.command == "figures":
        return []
    if from_json is not None:
        return [_File(f"the report of --from-json {from_json!r}", Path(from_json))]
    found: list[_File] = []
    for raw in args.paths or [bundled_proofs()]:
        path = Path(raw)
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        found += [_File(f"the proof file {str(f)!r}", f) for f in files]
    return found


def _outputs(args: argparse.Namespace) -> list[_File]:
    """The files (and the figures' folder) a command writes, in the order it writes them;
    ``-`` (stdout) is none."""
    found: list[_File] = []
    if args.command == "export":
        out = Path(args.out)
        found.append(_File(f"--out {args.out!r}", out))
        if args.pdf:
            for suffix, what in ((".pdf", "the PDF"), (".log", "the log")):
                written = out.with_suffix(suffix)
                found.append(_File(f"{what} {str(written)!r} of --pdf", written))
    if args.command == "figures":
        from symtransport._reports import figures

        folder = Path(args.out)
        found.append(_File(f"--out {args.out!r}", folder, folder=True))
        for name in figures.select(args.only):
            for written in (folder / f"{name}.png", folder / f"{name}.pdf"):
                found.append(_File(f"the figure {str(written)!r} of --out", written))
    if args.json not in (None, "-"):
        found.append(_File(f"--json {args.json!r}", Path(args.json)))
    return found


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any claim runs or figure is drawn, an output that cannot be written
    (no name, a missing folder, an existing folder) or that would overwrite an input (a proof
    file, the report read back) or another output."""
    created = Path(args.out) if args.command == "figures" else None  # the figures' folder
    if created is not None:
        _check_folder_output("--out", args.out)
    if args.command == "export":
        _check_file_output("--out", args.out)
    if getattr(args, "store", None) is not None:
        _check_folder_output("--store", args.store)
    if args.json not in (None, "-"):
        _check_file_output("--json", args.json, created)
    inputs = _inputs(args)
    outputs = _outputs(args)
    for i, output in enumerate(outputs):
        if not output.folder and output.path.is_dir():
            raise InvalidArgument(f"{output.label} is a folder; give a file name")
        for read in inputs:
            if _same_path(output.path, read.path):
                raise InvalidArgument(
                    f"{output.label} would overwrite {read.label}; give another file name"
                )
        for other in outputs[:i]:
            if _same_path(output.path, other.path):
                raise InvalidArgument(
                    f"{output.label} is also {other.label}; give each output its own name"
                )


def _write(path: str, text: str, option: str) -> None:
    if path == "-":
        print(text)
        return
    try:
        Path(path).write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise SymtransportError(f"{option} {path!r}: cannot write ({exc.strerror})") from exc


_CAMPAIGN_COLUMNS = (
    ("id", 34),
    ("kind", 11),
    ("seeds met", 10),
    ("expected", 9),
    ("seconds", 8),
)
#: failing seeds listed under a claim's row in the campaign table (all are in the JSON)
SHOWN_FAILURES = 5


def _campaign_row(c: ClaimSeeds, seconds: float, out: TextIO) -> None:
    values = [c.claim.id, c.claim.kind, f"{c.met}/{len(c.results)}", c.claim.expected]
    values += [f"{seconds:.1f}", _verdict(c.representative) if c.ok else "FAILED"]
    cells = [f"{v:<{w}}" for v, (_, w) in zip(values, _CAMPAIGN_COLUMNS, strict=False)]
    print((" ".join(cells) + f" {values[-1]}").rstrip(), file=out)
    failed = c.failures()
    for seed, r in failed[:SHOWN_FAILURES]:
        print(f"    seed {seed}: {r.status}: {r.explanation}", file=out)
    if len(failed) > SHOWN_FAILURES:
        more = len(failed) - SHOWN_FAILURES
        print(f"    ... and {more} more failing seeds (--json lists them)", file=out)
    out.flush()


def _campaign(args: argparse.Namespace, table: TextIO) -> Campaign:
    """Run the campaign of ``check --seeds`` / ``--store``: the table (one row per claim) on
    ``table``, progress (one item per unit) and what the store gave on stderr."""
    loaded = _load(args.paths)
    all_failed = bool(loaded.errors) and not loaded.claims
    claims = [] if all_failed else select(loaded.claims, args.only)
    seeds: range = args.seeds or range(args.seed, args.seed + 1)
    store = ResultStore(args.store) if args.store is not None else None
    units = len(units_of(claims, seeds, args.examples, args.deep))
    with _progress(args, units, what="units") as progress:

        def reused(count: int, total: int) -> None:
            progress.total = total - count
            message = f"symtransport: reused {count} of {counted(total, 'unit')} from --store "
            message += f"{args.store!r}; {total - count} to run"
            progress.above(lambda: print(message, file=sys.stderr))

        def show(unit: Unit, r: ClaimResult, from_store: bool) -> None:
            if not from_store:
                shard = unit.shard
                part = f" shard {shard.index + 1}/{shard.count}" if shard.count > 1 else ""
                progress.advance(f"{unit.claim.id} seed {unit.seed}{part}: {r.status}")

        campaign = run_campaign(
            claims,
            seeds,
            examples=args.examples,
            jobs=args.jobs,
            deep=args.deep,
            store=store,
            progress=show,
            reused=reused if store is not None else None,
            executor=args.executor,
            scheduler=args.scheduler,
        )
    campaign.load_errors = loaded.errors
    print(" ".join(f"{n:<{w}}" for n, w in _CAMPAIGN_COLUMNS) + " verdict", file=table)
    for c in campaign.claims:
        _campaign_row(c, sum(r.seconds for r in c.results), table)
    return campaign


def _campaign_summary(campaign: Campaign) -> str:
    s = campaign.report().summary()
    seeds = campaign.seeds
    met = sum(c.met for c in campaign.claims)
    return (
        f"{counted(s['total'], 'claim')} over seeds {seeds.start}:{seeds.stop} "
        f"({counted(campaign.runs, 'run')}, {met} met; {counted(campaign.units, 'unit')}, "
        f"{campaign.reused} reused): "
        f"{s['ok']} ok, {s['open']} open, {s['failed']} failed in {campaign.seconds:.1f} s"
    )


def _check(args: argparse.Namespace) -> int:
    check_executor(args.executor, args.scheduler)
    if args.scheduler is not None and args.jobs is not None:
        raise InvalidArgument(
            "--jobs does not apply with --scheduler: the cluster's workers run the units"
        )
    _check_outputs(args)
    table = sys.stderr if args.json == "-" else sys.stdout
    if args.seeds is not None or args.store is not None:
        campaign = _campaign(args, table)
        print(_campaign_summary(campaign), file=table)
        if args.json:
            _write(args.json, json.dumps(campaign.to_json(), indent=2), "--json")
        if campaign.load_errors:
            return 2
        return 0 if campaign.passed else 1
    report = _run(args, table)
    print(_summary_line(report), file=table)
    if args.json:
        _write(args.json, json.dumps(report.to_json(), indent=2), "--json")
    return _exit_code(report)


def _read_report_bytes(path: str) -> bytes:
    """The bytes of the report file ``path``: a regular file (not a device, pipe or folder) of
    at most :data:`MAX_REPORT_BYTES`."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise InvalidArgument(
                f"--from-json {path!r} is not a regular file; give the file of 'check --json'"
            )
        with open(path, "rb") as file:
            data = file.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise InvalidArgument(f"--from-json {path!r}: cannot read ({exc.strerror})") from exc
    if len(data) > MAX_REPORT_BYTES:
        size = f"{MAX_REPORT_BYTES // 2**20} MiB"
        raise InvalidArgument(f"--from-json {path!r} is larger than a report can be ({size})")
    return data


def _read_report(path: str, only: Sequence[str] | None) -> Report:
    raw = _read_report_bytes(path)
    try:
        data = json.loads(raw.decode("utf-8"))
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
    if args.from_json is not None and (
        args.paths or args.seed != 0 or args.examples or args.deep or args.jobs
    ):
        raise InvalidArgument(
            "--from-json typesets a finished run: proof paths, --seed, --examples, --deep "
            "and --jobs do not apply to it"
        )
    _check_outputs(args)
    if args.pdf:
        require_pdflatex()  # before the claims run, not a minute later
    if args.from_json is not None:
        report = _read_report(args.from_json, args.only)
    else:
        report = _run(args, table=None)
    try:
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
    return _exit_code(report)


def _figures(args: argparse.Namespace) -> int:
    from symtransport._reports import figures

    _check_outputs(args)
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


_LIST_COLUMNS = ("id", "kind", "scope", "expected", "source", "title")


def _list_table(claims: Sequence[Claim]) -> str:
    """The claims as a text table: a header row, then a row per claim, each column but the last
    (the title) as wide as its widest cell."""
    rows = [list(_LIST_COLUMNS)] + [[str(getattr(c, f)) for f in _LIST_COLUMNS] for c in claims]
    widths = [max(len(row[k]) for row in rows) for k in range(len(_LIST_COLUMNS) - 1)]
    return "\n".join(
        " ".join([*(f"{v:<{w}}" for v, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    )


def _list(args: argparse.Namespace) -> int:
    loaded = _load(args.paths)
    claims = loaded.claims
    if args.format == "markdown":
        print(claims_table(claims))
    elif args.format == "json":
        fields = ("id", "title", "source", "statement", "kind", "scope", "expected", "examples")
        print(json.dumps([{f: getattr(c, f) for f in fields} for c in claims], indent=2))
    else:
        print(_list_table(claims))
    return 2 if loaded.errors else 0


def _derive(args: argparse.Namespace) -> int:
    variables = parse_variables(args.vars)
    arguments: dict[str, Any] = {
        "density_text": args.density,
        "variables": variables,
        "seed": args.seed,
    }
    if args.target == "dae":
        arguments["noise"] = args.noise
        arguments["noise_cov"] = parse_matrix(args.noise_cov) if args.noise_cov else None
    board = Board()
    with _progress(args, 1, what=f"derive {args.target}", detail=board.read) as progress:
        status, text = run_derive(
            args.target, arguments, args.format, timeout=args.timeout, board=board
        )
        progress.advance(status)
    print(text)
    return 0 if status in ("proved", "verified") else 1


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
        code = commands[args.command](args)
        sys.stdout.flush()  # a full device fails here, not when Python exits
        return code
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
        _drop_stdout()
        return 1
    except OSError as exc:  # e.g. `symtransport list > /dev/full`
        print(f"symtransport: error: {_os_error(exc)}", file=sys.stderr)
        return 2


def _drop_stdout() -> None:
    """Send what is left of stdout to the null device: no second error when Python flushes
    it at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _os_error(exc: OSError) -> str:
    """The message of an OSError that reached :func:`main`: the commands turn their own file
    errors into messages, so one without a file name is a failed write to stdout, whose
    rest is then dropped."""
    if exc.filename is not None:
        return f"{exc.filename!r}: {exc.strerror or exc}"
    try:
        sys.stdout.flush()
    except OSError:
        _drop_stdout()
    return f"cannot write to stdout ({exc.strerror or exc})"
