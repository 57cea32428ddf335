"""``symtransport derive``: derivations for a density typed by hand, as text, LaTeX or JSON.

The command-line layer over :class:`symtransport.dae.ShallowDAE` (``derive dae``) and
:class:`symtransport.flow.ContinuousDAE` (``derive flow``): it parses the density and the noise
covariance safely (no user text is ever evaluated as code), builds and verifies the derivation,
and renders the result. It holds no mathematics of its own.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from typing import Any

import sympy as sp

from symtransport.dae import ShallowDAE
from symtransport.decimals import exact_scalar
from symtransport.errors import InvalidArgument
from symtransport.noise import noise_model
from symtransport.verify import SAFETY_NET

__all__ = ["derive_dae", "derive_flow", "parse_matrix", "parse_variables", "render"]


def parse_variables(text: str) -> list[str]:
    """``"x,y"`` -> ``["x", "y"]``; ``t`` is reserved for the noise variance."""
    names = [n.strip() for n in text.split(",")]
    if not text.strip() or any(not n for n in names):
        raise InvalidArgument(f"--vars {text!r}: give comma-separated names such as x,y")
    if "t" in names:
        raise InvalidArgument("--vars: t is reserved for the noise variance; rename that variable")
    return names


def _number(value: object, text: str) -> sp.Expr:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(f"--noise-cov {text!r}: entries must be numbers, got {value!r}")
    return exact_scalar(value, f"--noise-cov {text!r}: entry")


def parse_matrix(text: str) -> sp.Matrix:
    """``"[[2,0.5],[0.5,1]]"`` -> an exact SymPy Matrix (floats read as typed decimals)."""
    try:
        rows = ast.literal_eval(text)  # literals only: never code
    except (ValueError, SyntaxError) as exc:
        raise InvalidArgument(
            f"--noise-cov {text!r} is not a matrix; write it like [[2,0.5],[0.5,1]]"
        ) from exc
    if (
        not isinstance(rows, (list, tuple))
        or not rows
        or not all(isinstance(r, (list, tuple)) and len(r) == len(rows) for r in rows)
    ):
        raise InvalidArgument(f"--noise-cov {text!r} must be a square list of lists")
    return sp.Matrix([[_number(v, text) for v in r] for r in rows])


def derive_dae(
    density_text: str,
    variables: Sequence[str],
    *,
    noise: str = "gaussian",
    noise_cov: sp.Matrix | None = None,
    seed: int = 0,
    timeout: float = SAFETY_NET,
) -> dict[str, Any]:
    """Build and verify the shallow DAE of a typed density; returns the JSON-ready result."""
    from symtransport.densities import Density

    density = Density(density_text, list(variables))
    dae = ShallowDAE(density, noise_model(noise, noise_cov), tuple(density.variables))
    derivation = dae.derivation().verify(seed=seed, timeout=timeout)
    return {
        "kind": "shallow-dae",
        "variables": [str(v) for v in dae.variables],
        "time": str(dae.t),
        "noise": noise,
        "noise_cov": None
        if noise_cov is None
        else [[str(v) for v in r] for r in noise_cov.tolist()],
        "normalisation": str(density.normalisation),
        "family": None if density.family is None else type(density.family).__name__,
        "map": [str(c) for c in dae.map()],
        "velocity_at_zero": [str(sp.simplify(c)) for c in dae.velocity_at_zero()],
        "derivation": derivation.to_json(),
        "status": str(derivation.status),
        "_derivation": derivation,
        "_dae": dae,
    }


def derive_flow(
    density_text: str, variables: Sequence[str], *, seed: int = 0, timeout: float = SAFETY_NET
) -> dict[str, Any]:
    """Build and verify the continuous DAE of a typed density; returns the JSON-ready result.

    Raises :class:`~symtransport.errors.IllPosedError` for densities with no continuous DAE
    (kinks, jumps, slow Fourier decay) and :class:`~symtransport.errors.UnsupportedError` for
    densities outside the supported families.
    """
    from symtransport.flow import ContinuousDAE

    flow = ContinuousDAE(density_text, tuple(variables))
    derivation = flow.derivation().verify(seed=seed, timeout=timeout)
    return {
        "kind": "continuous-dae",
        "variables": [str(v) for v in flow.variables],
        "time": str(flow.t),
        "family": type(flow.family).__name__,
        "density_t": str(flow.density_t()),
        "velocity": [str(c) for c in flow.velocity()],
        "blowup_time": str(flow.blowup_time),
        "equation": str(flow.equation()),
        "entropy_rate": str(flow.entropy_rate()),
        "derivation": derivation.to_json(),
        "status": str(derivation.status),
        "_derivation": derivation,
        "_flow": flow,
    }


def _render_flow(result: dict[str, Any], fmt: str) -> str:
    derivation = result["_derivation"]
    flow = result["_flow"]
    if fmt == "latex":
        return (
            f"% continuous DAE of a {result['family']}; blow-up time t* = {result['blowup_time']}\n"
            f"\\[ \\mu_t({', '.join(result['variables'])}) = {sp.latex(flow.density_t())} \\]\n"
            f"\\[ v_t = {sp.latex(flow.velocity())} \\]\n"
            f"{derivation.to_latex()}\n"
        )
    lines = [
        f"continuous DAE dx/dt = grad log mu_t(x) (variables: {', '.join(result['variables'])};"
        f" recognised as a {result['family']})",
        f"blow-up time t* = {result['blowup_time']} (~{float(flow.blowup_time):.6g}); "
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


def render(result: dict[str, Any], fmt: str) -> str:
    """The result as ``text``, ``latex`` or ``json``."""
    if fmt == "json":
        return json.dumps({k: v for k, v in result.items() if not k.startswith("_")}, indent=2)
    if result["kind"] == "continuous-dae":
        return _render_flow(result, fmt)
    derivation = result["_derivation"]
    dae = result["_dae"]
    if fmt == "latex":
        map_latex = sp.latex(dae.map())
        return (
            f"% shallow DAE, {result['noise']} noise; density normalised by "
            f"{result['normalisation']}\n"
            f"\\[ g_t({', '.join(result['variables'])}) = {map_latex} \\]\n"
            f"{derivation.to_latex()}\n"
        )
    lines = [
        f"shallow DAE for {result['noise']} noise of variance t "
        f"(variables: {', '.join(result['variables'])})",
        f"density normalised by {result['normalisation']}"
        + (f"; recognised as a {result['family']}" if result["family"] else ""),
        "map g_t:",
        *(f"  {c}" for c in result["map"]),
        "velocity at t = 0 (the score):",
        *(f"  {c}" for c in result["velocity_at_zero"]),
        derivation.to_text(),
        f"status: {result['status']}",
    ]
    return "\n".join(lines)
