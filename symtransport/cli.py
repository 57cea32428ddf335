"""The ``symtransport`` command line; the only module that prints.

Exit codes: 0 every claim met its expectation; 1 a claim did not; 2 bad input or usage (one line
on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from symtransport.claims import Claim
from symtransport.derive import derive_dae, derive_flow, parse_matrix, parse_variables, render
from symtransport.errors import SymtransportError
from symtransport.noise import NOISE_MODELS
from symtransport.runner import ClaimResult, collect, run_claims, select

__all__ = ["claims_table", "main", "run_script"]

EXAMPLES = """\
examples:
  symtransport check                          run the bundled proofs
  symtransport check --only 'tweedie-*'       only the claims whose id matches the glob
  symtransport check proofs/my_claims.py --json report.json
  symtransport check --deep                   also the costly parts of the checks
  symtransport derive dae --density "exp(-x**2/2)" --vars x
  symtransport derive flow --density "exp(-x**2/2) + exp(-(x-3)**2)" --vars x
  symtransport list                           the claims, their kinds and sources
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
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="*", help="proof files or folders (default: bundled proofs)")
    check.add_argument("--only", action="append", metavar="GLOB", help="claim ids to run (glob)")
    check.add_argument("--json", metavar="FILE", help="write the JSON report to FILE ('-': stdout)")
    check.add_argument("--seed", type=_int, default=0, help="random seed (default 0)")
    check.add_argument(
        "--examples",
        type=_positive_int,
        metavar="N",
        help="example count of property and conjecture claims (default: each claim's own)",
    )
    check.add_argument(
        "--deep",
        action="store_true",
        help="also run the costly parts of the checks (more dimensions, generic functions "
        "inside integrals); claims get four times their time budget",
    )
    check.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="claims run at once, each in its own process (default: one per CPU core)",
    )
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
        "list", help="list the claims with their kinds, expected outcomes and sources"
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


_COLUMNS = (("id", 34), ("kind", 11), ("status", 10), ("expected", 9), ("seconds", 8))


def _verdict(r: ClaimResult) -> str:
    if not r.ok:
        return "FAILED"
    return "open" if r.expected == "open" else "ok"


def _row(values: Sequence[str], out: TextIO) -> None:
    cells = [f"{v:<{w}}" for v, (_, w) in zip(values, _COLUMNS, strict=False)]
    extra = f" {values[-1]}" if len(values) > len(_COLUMNS) else ""
    print((" ".join(cells) + extra).rstrip(), file=out)
    out.flush()


def _check(args: argparse.Namespace) -> int:
    claims = select(collect(args.paths), args.only)
    table = sys.stderr if args.json == "-" else sys.stdout
    _row([name for name, _ in _COLUMNS], table)

    def show(r: ClaimResult) -> None:
        _row([r.id, r.kind, r.status, r.expected, f"{r.seconds:.1f}", _verdict(r)], table)
        if not r.ok:
            print(f"    {r.explanation}", file=table)

    report = run_claims(
        claims,
        seed=args.seed,
        examples=args.examples,
        jobs=args.jobs,
        deep=args.deep,
        progress=show,
    )
    s = report.summary()
    by_status = ", ".join(f"{n} {k}" for k, n in s["by_status"].items() if n)
    print(
        f"{s['total']} claims: {s['ok']} ok, {s['open']} open, {s['failed']} failed "
        f"({by_status}) in {s['seconds']:.1f} s",
        file=table,
    )
    if args.json:
        text = json.dumps(report.to_json(), indent=2)
        if args.json == "-":
            print(text)
        else:
            try:
                Path(args.json).write_text(text + "\n")
            except OSError as exc:
                raise SymtransportError(
                    f"--json {args.json!r}: cannot write ({exc.strerror})"
                ) from exc
    return 0 if report.passed else 1


def claims_table(claims: Sequence[Claim]) -> str:
    """The markdown claims table of the README."""
    lines = ["| id | kind | expected | source | title |", "|---|---|---|---|---|"]
    lines += [f"| `{c.id}` | {c.kind} | {c.expected} | {c.source} | {c.title} |" for c in claims]
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    claims = collect(args.paths)
    if args.format == "markdown":
        print(claims_table(claims))
    elif args.format == "json":
        fields = ("id", "title", "source", "statement", "kind", "expected", "examples")
        print(json.dumps([{f: getattr(c, f) for f in fields} for c in claims], indent=2))
    else:
        for c in claims:
            print(f"{c.id:<34} {c.kind:<11} {c.expected:<8} {c.source}")
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
        return {"check": _check, "list": _list, "derive": _derive}[args.command](args)
    except _UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except SymtransportError as exc:
        print(f"symtransport: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symtransport: interrupted", file=sys.stderr)
        return 130


def run_script(path: str) -> int:
    """``symtransport check path``: lets a proof script run itself (``python proofs/x.py``)."""
    return main(["check", str(path)])
