"""``symtransport derive``: derivations for a density typed by hand, as text, LaTeX or JSON.

The command-line layer over :class:`symtransport._theory.dae.ShallowDAE` (``derive dae``), the
masked DAE of :mod:`symtransport._theory.masking` (``derive dae --noise masking``) and
:class:`symtransport._theory.flow.ContinuousDAE` (``derive flow``): it parses the density and the
noise covariance safely (no user text is ever evaluated as code), builds and verifies the
derivation, and renders the result in the form a person writes
(:mod:`symtransport._verification.display`). It holds no mathematics of its own.

:func:`run_derive` does all of it in a child process under a wall-clock safety net
(:data:`DERIVE_SAFETY_NET`); each stage (reading, recognising, normalising, each step's check,
display) is named on a shared board (:mod:`symtransport._core.stages`), so that a run the net stops
ends with :class:`~symtransport.errors.BudgetExceeded` saying which stage overran.
"""

from __future__ import annotations

import ast
import json
import keyword
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

import sympy as sp

from symtransport._core.budget import run_with_budget
from symtransport._core.decimals import exact_scalar
from symtransport._core.stages import Board, shared, stage
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.masking import P, mask_patterns, masked_derivation, piecewise_map
from symtransport._theory.noise import MaskingNoise, noise_model
from symtransport._verification.display import readable, shown, shown_latex, support_part
from symtransport._verification.verify import SAFETY_NET
from symtransport.errors import (
    BudgetExceeded,
    InvalidArgument,
    SymtransportError,
    UnsupportedError,
)
from symtransport.status import weakest

__all__ = [
    "DERIVE_SAFETY_NET",
    "RESERVED_NAMES",
    "derive_dae",
    "derive_flow",
    "parse_matrix",
    "parse_variables",
    "render",
    "run_derive",
]

#: default wall-clock safety net of a whole ``derive`` run, in seconds (the slowest documented
#: example, a ten-component mixture, takes about 15 s on an idle 2-core machine)
DERIVE_SAFETY_NET = 50.0

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _reserved() -> frozenset[str]:
    """Names a variable may not have: ``t`` (the noise variance / time), Python keywords, and
    every name SymPy's own parser gives a meaning (``I``, ``E``, ``pi``, ``S``, ``N``, ``beta``,
    ``exp``, ...), so that the JSON read back with ``sympify`` means what was derived."""
    return frozenset({"t", *keyword.kwlist, *dir(sp)})


RESERVED_NAMES = _reserved()


def parse_variables(text: str) -> list[str]:
    """``"x,y"`` -> ``["x", "y"]``; names must be identifiers, distinct, and not reserved
    (:data:`RESERVED_NAMES`: ``t`` is the noise variance, ``I`` SymPy's imaginary unit...)."""
    names = [n.strip() for n in text.split(",")]
    if not text.strip() or any(not n for n in names):
        raise InvalidArgument(f"--vars {text!r}: give comma-separated names such as x,y")
    for name in names:
        if not _NAME.fullmatch(name):
            raise InvalidArgument(
                f"--vars {text!r}: {name!r} is not a name; use letters, digits and _ (x, y, x1)"
            )
        if name == "t":
            raise InvalidArgument(
                "--vars: t is reserved for the noise variance; rename that variable"
            )
        if name in RESERVED_NAMES:
            raise InvalidArgument(
                f"--vars: {name!r} is reserved: SymPy reads it as {_meaning(name)}, so the "
                f"results could not be read back; rename the variable, e.g. {name.lower()}1"
            )
    if len(set(names)) != len(names):
        raise InvalidArgument(f"--vars {text!r} names a variable twice")
    return names


def _meaning(name: str) -> str:
    if keyword.iskeyword(name):
        return "a Python keyword"
    value = getattr(sp, name)
    if isinstance(value, sp.Basic):
        return f"the constant {sp.srepr(value)}"
    return f"SymPy's {name!r}"


def _number(value: object, text: str) -> sp.Expr:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(f"--noise-cov {text!r}: entries must be numbers, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgument(
            f"--noise-cov {text!r}: the entry {value!r} is not a finite number (a literal such "
            "as 1e400 overflows a double); write finite entries"
        )
    return exact_scalar(value, f"--noise-cov {text!r}: entry")


#: longest ``--noise-cov`` text read (a 20 x 20 matrix of 10-digit entries fits)
MAX_MATRIX_TEXT = 10_000


def parse_matrix(text: str) -> sp.Matrix:
    """``"[[2,0.5],[0.5,1]]"`` -> an exact SymPy Matrix (floats read as typed decimals)."""
    if len(text) > MAX_MATRIX_TEXT:
        raise InvalidArgument(
            f"--noise-cov: the text has {len(text)} characters, more than {MAX_MATRIX_TEXT}; "
            "give a small matrix such as [[2,0.5],[0.5,1]]"
        )
    quoted = text if len(text) <= 80 else text[:77] + "..."  # what the messages quote
    try:
        rows = ast.literal_eval(text)  # literals only: never code
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise InvalidArgument(
            f"--noise-cov {quoted!r} is not a matrix; write it like [[2,0.5],[0.5,1]]"
        ) from exc
    if (
        not isinstance(rows, (list, tuple))
        or not rows
        or not all(isinstance(r, (list, tuple)) and len(r) == len(rows) for r in rows)
    ):
        raise InvalidArgument(f"--noise-cov {quoted!r} must be a square list of lists")
    return sp.Matrix([[_number(v, quoted) for v in r] for r in rows])


def _velocity_label(noise_cov: sp.Matrix | None, on_support: bool) -> str:
    """What ``velocity_at_zero`` is: the score, or ``C`` times it for Gaussian noise N(0, tC)."""
    what = "the score grad log mu_0" if noise_cov is None else "C grad log mu_0"
    return what + (" on the support, where the density is positive" if on_support else "")


def derive_dae(
    density_text: str,
    variables: Sequence[str],
    *,
    noise: str = "gaussian",
    noise_cov: sp.Matrix | None = None,
    seed: int = 0,
    timeout: float = SAFETY_NET,
) -> dict[str, Any]:
    """Build and verify the shallow DAE of a typed density; returns the JSON-ready result.

    ``map`` and ``velocity_at_zero`` are shown as a person writes them (:func:`readable`);
    ``velocity_label`` says what the velocity at t = 0 is (``C grad log mu_0`` with a noise
    covariance); for a density with jumps (Heaviside factors) the velocity is given on the
    support, and ``velocity_on_support`` is true. ``noise="masking"``: :func:`derive_masked`.
    """
    from symtransport._theory.densities import Density

    if noise == MaskingNoise.name:
        if noise_cov is not None:
            raise InvalidArgument("--noise-cov goes with Gaussian noise only, not masking")
        return derive_masked(density_text, variables, seed=seed, timeout=timeout)
    density = Density(density_text, list(variables))
    with stage("building the derivation (closed forms)"):
        dae = ShallowDAE(density, noise_model(noise, noise_cov), tuple(density.variables))
        derivation = dae.derivation()
        explicit = dae.map()
        velocity = dae.velocity_at_zero()
    derivation.verify(seed=seed, timeout=timeout)
    on_support = density.raw.has(sp.Heaviside)
    names = [str(v) for v in dae.variables]
    with stage("simplifying the results for display"):
        shown_map = [x + readable(g - x) for x, g in zip(dae.variables, explicit, strict=True)]
        shown_velocity = [readable(support_part(v) if on_support else v) for v in velocity]
    return {
        "kind": "shallow-dae",
        "variables": names,
        "time": str(dae.t),
        "noise": noise,
        "noise_cov": None
        if noise_cov is None
        else [[str(v) for v in r] for r in noise_cov.tolist()],
        "normalisation": shown(density.normalisation),
        "family": None if density.family is None else type(density.family).__name__,
        "map": [shown(c, names) for c in shown_map],
        "velocity_at_zero": [shown(c, names) for c in shown_velocity],
        "velocity_label": _velocity_label(noise_cov, on_support),
        "velocity_on_support": on_support,
        "derivation": derivation.to_json(),
        "status": str(derivation.status),
        "_derivation": derivation,
        "_map": sp.Matrix(shown_map),
    }


def _masking_notes(facts: dict[str, bool]) -> list[str]:
    """What the derived masked DAE says about the transport picture, from computed facts."""
    notes = [
        "the zeros of x~ identify the masked coordinates almost surely: a coordinate of data "
        "with a density is 0 with probability 0"
    ]
    if not facts["depends_on_p"]:
        notes.append(
            "the map does not depend on p: the pattern's probability p^|M| (1-p)^|O| cancels in "
            "the posterior mean"
        )
    if facts["identity_on_clean_data"]:
        notes.append(
            "on clean data (no zero coordinate, almost surely) the map is the identity, so "
            "g#mu_0 = mu_0 and the entropy does not change"
        )
    if facts["velocity_is_zero"]:
        notes.append(
            "the velocity d/dp g_p at p = 0 is 0, not the score grad log mu_0: [J] Thm 6 does "
            "not carry over to masking"
        )
    return notes


def _readable_pieces(e: sp.Expr) -> sp.Expr:
    """A ``Piecewise`` with each piece in readable form (:func:`readable`)."""
    if not isinstance(e, sp.Piecewise):
        return readable(e)
    return sp.Piecewise(*((readable(v), c) for v, c in e.args))


def derive_masked(
    density_text: str, variables: Sequence[str], *, seed: int = 0, timeout: float = SAFETY_NET
) -> dict[str, Any]:
    """The masked DAE of a typed Gaussian or Gaussian mixture: one derivation per mask
    pattern, from the ratio of integrals (every ``0 < p < 1``) to the closed form of
    :func:`symtransport._theory.masking.masked_posterior_mean`; the JSON-ready result.

    Besides the fields of :func:`derive_dae` (``time`` is None: masking has no variance;
    ``map`` is the map on all of R^d, a ``Piecewise`` over the zeros of ``x~``;
    ``derivation`` the patterns' steps one after another, each pattern's first step
    ``given``): ``masking_probability`` (``"p"``), ``patterns`` (``masked``, ``observed``,
    ``map``, ``derivation``, ``status`` of each), ``depends_on_p``,
    ``identity_on_clean_data`` and ``notes``.
    """
    from symtransport._theory.densities import Density

    if P.name in variables:
        raise InvalidArgument(
            f"--vars: {P.name} is the masking probability with --noise masking; rename that "
            "variable"
        )
    density = Density(density_text, list(variables))
    if density.family is None:
        raise UnsupportedError(
            "--noise masking: the masked DAE has a closed form for a Gaussian or a mixture of "
            "Gaussians, and the density typed is not recognised as one"
        )
    xs = tuple(density.variables)
    names = [str(v) for v in xs]
    patterns = []
    with stage("building the derivation (closed forms)"):
        derivations = [
            masked_derivation(density, pattern, xs) for pattern in mask_patterns(len(xs))
        ]
        # the whole map from the closed forms the derivations check, not derived a second time
        whole = piecewise_map([d.expressions[-1] for d in derivations], xs)
    for derivation in derivations:
        derivation.verify(seed=seed, timeout=timeout)
    with stage("simplifying the results for display"):
        for pattern, derivation in zip(mask_patterns(len(xs)), derivations, strict=True):
            closed = derivation.expressions[-1]
            patterns.append(
                {
                    "masked": [n for n, m in zip(names, pattern, strict=True) if m],
                    "observed": [n for n, m in zip(names, pattern, strict=True) if not m],
                    "map": [shown(readable(c), names) for c in closed],
                    "derivation": derivation.to_json(),
                    "status": str(derivation.status),
                    "_derivation": derivation,
                    "_map": sp.Matrix([readable(c) for c in closed]),
                }
            )
        velocity = whole.diff(P)
    statuses = [d.status for d in derivations]
    identity = list(patterns[0]["_map"]) == list(xs)
    facts = {
        "depends_on_p": whole.has(P),
        "identity_on_clean_data": identity,
        "velocity_is_zero": all(c == 0 for c in velocity),
    }
    return {
        "kind": "shallow-dae",
        "variables": names,
        "time": None,
        "noise": MaskingNoise.name,
        "noise_cov": None,
        "normalisation": shown(density.normalisation),
        "family": type(density.family).__name__,
        "map": [shown(_readable_pieces(c), names) for c in whole],
        "velocity_at_zero": [shown(c, names) for c in velocity],
        "velocity_label": "d/dp g_p at p = 0, where [J] Thm 6 has the score for Gaussian noise",
        "velocity_on_support": False,
        "derivation": [step for d in derivations for step in d.to_json()],
        "status": str(weakest(statuses)),
        "masking_probability": P.name,
        "patterns": [{k: v for k, v in q.items() if not k.startswith("_")} for q in patterns],
        "depends_on_p": facts["depends_on_p"],
        "identity_on_clean_data": identity,
        # the notes read the derived maps: said only when every pattern's derivation holds
        "notes": _masking_notes(facts) if weakest(statuses).holds else [],
        "_patterns": patterns,
    }


def derive_flow(
    density_text: str, variables: Sequence[str], *, seed: int = 0, timeout: float = SAFETY_NET
) -> dict[str, Any]:
    """Build and verify the continuous DAE of a typed density; returns the JSON-ready result.

    Raises :class:`~symtransport.errors.IllPosedError` for densities with no continuous DAE
    (kinks, jumps, slow Fourier decay), :class:`~symtransport.errors.InvalidArgument` for what
    is no density, and :class:`~symtransport.errors.UnsupportedError` for densities outside
    the supported families.
    """
    from symtransport._theory.flow import ContinuousDAE

    with stage("recognising a Gaussian family in the density"):
        flow = ContinuousDAE(density_text, tuple(variables))
    with stage("building the derivation (closed forms)"):
        derivation = flow.derivation()
        density_t = flow.density_t()
        velocity = flow.velocity()
    derivation.verify(seed=seed, timeout=timeout)
    names = [str(v) for v in flow.variables]
    with stage("simplifying the results for display"):
        shown_density = readable(density_t)
        shown_velocity = sp.Matrix([readable(v) for v in velocity])
    return {
        "kind": "continuous-dae",
        "variables": names,
        "time": str(flow.t),
        "family": type(flow.family).__name__,
        "density_t": shown(shown_density, names),
        "velocity": [shown(c, names) for c in shown_velocity],
        "blowup_time": shown(flow.blowup_time, names),
        "blowup_time_value": float(flow.blowup_time),
        "equation": shown(flow.equation(), names),
        "entropy_rate": shown(flow.entropy_rate(), names),
        "derivation": derivation.to_json(),
        "status": str(derivation.status),
        "_derivation": derivation,
        "_density_t": shown_density,
        "_velocity": shown_velocity,
        "_blowup_time": flow.blowup_time,
    }


def _render_flow(result: dict[str, Any], fmt: str) -> str:
    derivation = result["_derivation"]
    names = result["variables"]
    if fmt == "latex":
        return (
            f"% continuous DAE of a {result['family']}; blow-up time "
            f"t* = {result['blowup_time']}\n"
            f"\\[ \\mu_t({', '.join(names)}) = {shown_latex(result['_density_t'], names)} \\]\n"
            f"\\[ v_t = {shown_latex(result['_velocity'], names)} \\]\n"
            f"{derivation.to_latex()}\n"
        )
    lines = [
        f"continuous DAE dx/dt = grad log mu_t(x) (variables: {', '.join(names)};"
        f" recognised as a {result['family']})",
        f"blow-up time t* = {result['blowup_time']} (~{result['blowup_time_value']:.6g}); "
        "everything below holds for 0 <= t < t*",
        "density mu_t (backward heat equation d/dt mu = -Laplacian(mu)):",
        f"  {result['density_t']}",
        "velocity v_t = grad log mu_t:",
        *(f"  {c}" for c in result["velocity"]),
        f"entropy rate dH/dt = -I(mu_t): {result['entropy_rate']}",
        derivation.to_text(),
        f"status: {result['status']}",
    ]
    return "\n".join(lines)


def _render_masked(result: dict[str, Any], fmt: str) -> str:
    names = result["variables"]
    patterns = result["_patterns"]
    if fmt == "latex":
        head = [
            f"% masked DAE (masking noise, any 0 < p < 1); density normalised by "
            f"{result['normalisation']}",
            *(f"% note: {n}" for n in result["notes"]),
        ]
        body = [
            f"% {', '.join(q['masked']) or 'nothing'} masked ({q['status']})\n"
            f"\\[ g = {shown_latex(q['_map'], names)} \\]\n{q['_derivation'].to_latex()}"
            for q in patterns
        ]
        return "\n".join([*head, *body]) + "\n"
    lines = [
        f"masked DAE: each coordinate zeroed with probability p, 0 < p < 1 (variables: "
        f"{', '.join(names)})",
        f"density normalised by {result['normalisation']}; recognised as a {result['family']}",
        "map g(x~) = E[x | x~], by the pattern of zeros of x~:",
        *(
            f"  {', '.join(q['masked']) or 'nothing'} masked: {shown(q['_map'], names)}"
            for q in patterns
        ),
        f"velocity at p = 0 ({result['velocity_label']}):",
        *(f"  {c}" for c in result["velocity_at_zero"]),
        *(q["_derivation"].to_text() for q in patterns),
        *(f"note: {n}" for n in result["notes"]),
        f"status: {result['status']}",
    ]
    return "\n".join(lines)


def render(result: dict[str, Any], fmt: str) -> str:
    """The result as ``text``, ``latex`` or ``json``."""
    if fmt == "json":
        return json.dumps({k: v for k, v in result.items() if not k.startswith("_")}, indent=2)
    if result["kind"] == "continuous-dae":
        return _render_flow(result, fmt)
    if result["noise"] == MaskingNoise.name:
        return _render_masked(result, fmt)
    derivation = result["_derivation"]
    names = result["variables"]
    if fmt == "latex":
        return (
            f"% shallow DAE, {result['noise']} noise; density normalised by "
            f"{result['normalisation']}\n"
            f"\\[ g_t({', '.join(names)}) = {shown_latex(result['_map'], names)} \\]\n"
            f"{derivation.to_latex()}\n"
        )
    lines = [
        f"shallow DAE for {result['noise']} noise of variance t (variables: {', '.join(names)})",
        f"density normalised by {result['normalisation']}"
        + (f"; recognised as a {result['family']}" if result["family"] else ""),
        "map g_t:",
        *(f"  {c}" for c in result["map"]),
        f"velocity at t = 0 ({result['velocity_label']}):",
        *(f"  {c}" for c in result["velocity_at_zero"]),
        derivation.to_text(),
        f"status: {result['status']}",
    ]
    return "\n".join(lines)


# --- the budgeted run of the command line ----------------------------------------------------


def _worker(
    target: str, arguments: dict[str, Any], fmt: str, board: Board
) -> Iterator[tuple[str, str] | SymtransportError]:
    """In the child: derive, render, and yield ``(status, text)``, or the typed error."""
    with shared(board):
        try:
            derive = derive_flow if target == "flow" else derive_dae
            result = derive(**arguments)
            with stage("writing the result"):
                text = render(result, fmt)
        except SymtransportError as exc:
            yield exc
            return
    yield result["status"], text


def run_derive(
    target: str,
    arguments: dict[str, Any],
    fmt: str,
    *,
    timeout: float = DERIVE_SAFETY_NET,
    board: Board | None = None,
) -> tuple[str, str]:
    """``derive dae`` (``target="dae"``) or ``derive flow`` with the keyword ``arguments`` of
    :func:`derive_dae` / :func:`derive_flow`, in a child process under the wall-clock safety
    net ``timeout``; returns ``(status, rendered text)``.

    :class:`~symtransport.errors.BudgetExceeded` names the stage the net stopped; the typed
    errors of the derivation (bad density, ill-posed, unsupported) are raised as they are.
    ``board`` (:class:`symtransport._core.stages.Board`) lets a progress display read the stage.
    """
    board = board or Board()
    run = run_with_budget(_worker, (target, arguments, fmt, board), timeout)
    if run.messages:
        found = run.messages[-1]
        if isinstance(found, SymtransportError):
            raise found
        return found
    if run.timed_out:
        where = board.read() or "starting"
        raise BudgetExceeded(
            f"derive {target}: stopped by the wall-clock safety net of {timeout:g} s while "
            f"{where}; try a simpler density (fewer components, smaller powers), or allow "
            "more time with --timeout SECONDS"
        )
    raise SymtransportError(
        f"derive {target} failed while {board.read() or 'starting'}: "
        f"{run.error or 'the worker ended without reporting'}"
    )
