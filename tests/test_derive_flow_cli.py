"""``symtransport derive flow`` end to end: the command line's ``main`` called in this process,
the derivation in the child process it forks under the safety net, as for a user.

Exit 0 when Theorem 7's derivation is proved or verified; 2 on ill-posed, unsupported or bad
input, with exactly one line on stderr (saying why) and no traceback. With ``--format json``
stdout is only the JSON object of the contract, every expression string parses with
``sympy.sympify`` given the variables (real) and ``t`` (positive), and the numbers in it are
checked against references computed here with NumPy and SciPy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from cli_helpers import Run, run_main
from scipy.stats import multivariate_normal
from tolerances import FLOAT64_MANY_OPS

# imported before the fork: the derivation's child starts warm
import symtransport._theory.flow  # noqa: F401

T = sp.Symbol("t", positive=True)
FIELDS = {
    "kind",
    "variables",
    "time",
    "density_t",
    "velocity",
    "blowup_time",
    "equation",
    "entropy_rate",
    "derivation",
}

# 0.3 N(0, S1) + 0.7 N((1, -2), S2) with full covariances, typed as unnormalised exponentials
MIXTURE = "0.3*exp(-(x**2 + x*y + y**2)) + 0.7*exp(-((x-1)**2 - (x-1)*(y+2)/2 + (y+2)**2)/2)"
P1 = np.array([[2.0, 1.0], [1.0, 2.0]])  # precision of the first bump: x^2 + xy + y^2 = u^T P u/2
P2 = np.array([[1.0, -0.25], [-0.25, 1.0]])


NET = "600"  # --timeout: the safety net, far beyond any run here (a busy machine must not
# turn a derivation into a net stop); these tests check results, not the net


DeriveFlow = Callable[..., Run]


@pytest.fixture
def derive_flow(capfd: pytest.CaptureFixture[str]) -> DeriveFlow:
    """``derive_flow(folder, *ARGS)``: ``symtransport derive flow ARGS --timeout NET`` in
    ``folder``, called in this process."""
    return lambda folder, *args: run_main(
        capfd, "derive", "flow", *args, "--timeout", NET, cwd=folder
    )


def parse(text: str, names: dict[str, sp.Symbol]) -> sp.Basic:
    expr = sp.sympify(text, locals=names)
    assert not expr.free_symbols - set(names.values()), text
    return expr


def reference_mixture() -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Weights, means and covariances of MIXTURE, from the bumps' Gaussian integrals."""
    covs = [np.linalg.inv(P1), np.linalg.inv(P2)]
    masses = [
        c * 2 * np.pi / np.sqrt(np.linalg.det(p)) for c, p in zip((0.3, 0.7), (P1, P2), strict=True)
    ]
    weights = np.array(masses) / sum(masses)
    return weights, [np.zeros(2), np.array([1.0, -2.0])], covs


def test_2d_mixture_with_full_covariances_json(tmp_path: Path, derive_flow: DeriveFlow) -> None:
    run = derive_flow(tmp_path, "--density", MIXTURE, "--vars", "x,y", "--format", "json")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    result = json.loads(run.stdout)
    assert set(result) >= FIELDS
    assert result["kind"] == "continuous-dae"
    assert result["variables"] == ["x", "y"]
    assert result["time"] == "t"
    assert result["status"] in ("proved", "verified")
    names = {"x": sp.Symbol("x", real=True), "y": sp.Symbol("y", real=True), "t": T}
    density = parse(result["density_t"], names)
    velocity = [parse(v, names) for v in result["velocity"]]
    parse(result["equation"], names)
    parse(result["entropy_rate"], names)
    for step in result["derivation"]:
        parse(step["expr"], names)

    weights, means, covs = reference_mixture()
    t_star = min(np.linalg.eigvalsh(c)[0] for c in covs) / 2
    assert float(parse(result["blowup_time"], names)) == pytest.approx(t_star, rel=1e-12)
    point, time = np.array([0.3, -0.7]), 0.6 * t_star
    evolved = [
        multivariate_normal(mu, c - 2 * time * np.eye(2)) for mu, c in zip(means, covs, strict=True)
    ]
    expected = sum(w * g.pdf(point) for w, g in zip(weights, evolved, strict=True))
    at = {names["x"]: point[0], names["y"]: point[1], T: time}
    assert float(density.subs(at)) == pytest.approx(expected, rel=FLOAT64_MANY_OPS)
    # velocity (43) = grad log mu_t, by central differences of the reference (step 1e-5: error
    # ~1e-10 relative to the O(1) velocity)
    h = 1e-5
    for i, v in enumerate(velocity):
        e = np.eye(2)[i] * h
        log_p = [
            np.log(sum(w * g.pdf(point + s * e) for w, g in zip(weights, evolved, strict=True)))
            for s in (1, -1)
        ]
        assert float(v.subs(at)) == pytest.approx((log_p[0] - log_p[1]) / (2 * h), abs=1e-8)


@pytest.mark.parametrize("fmt", ["text", "latex"])
def test_text_and_latex(tmp_path: Path, fmt: str, derive_flow: DeriveFlow) -> None:
    run = derive_flow(tmp_path, "--density", "exp(-x**2/2)", "--vars", "x", "--format", fmt)
    assert run.code == 0, run.stderr
    assert "1/2" in run.stdout  # the blow-up time sigma^2/2 of N(0, 1)
    if fmt == "text":
        assert "status: proved" in run.stdout


ILL_POSED = {
    "uniform": "Piecewise((1, abs(x) < 1), (0, True))",
    "laplace": "exp(-abs(x))",
    "student-t": "(1 + x**2/3)**(-2)",
    "logistic": "exp(-x)/(1 + exp(-x))**2",
    "cauchy": "1/(1 + x**2)",
}


@pytest.mark.parametrize("density", list(ILL_POSED.values()), ids=list(ILL_POSED))
def test_ill_posed_densities_exit_2_with_the_reason(
    tmp_path: Path, density: str, derive_flow: DeriveFlow
) -> None:
    run = derive_flow(tmp_path, "--density", density, "--vars", "x")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and "ill-posed" in lines[0], run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--density", "x**2*exp(-x**2)", "--vars", "x"], "not decided"),
        (["--density", "exp(-x**2)", "--vars", "t"], "reserved"),
        (["--density", "__import__('os')", "--vars", "x"], ""),
        (["--density", "exp(-x**2)"], "--vars"),
    ],
)
def test_bad_input(tmp_path: Path, args: list[str], needle: str, derive_flow: DeriveFlow) -> None:
    run = derive_flow(tmp_path, *args)
    assert run.code == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and needle in lines[0], run.stderr
    assert "Traceback" not in run.stderr
