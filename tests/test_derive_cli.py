"""``symtransport derive dae`` end to end: the command line's ``main`` called in this process, the
derivation in the child process it forks under the safety net, as for a user.

Exit codes: 0 when the derivation is proved/verified, 1 when a step is refuted or undecided (the
output is still printed), 2 on bad input with exactly one line on stderr and no traceback. With
``--format json`` stdout is only the JSON object, and every expression string in it parses with
``sympy.sympify`` given the declared variables (real) and ``t`` (positive).

The maps are checked numerically against formulas computed here independently: the Tweedie
closed form for Gaussian data, SciPy quadrature of the posterior mean (14) for Laplace and
uniform noise, and the mixture formula (38) with anisotropic noise for the 2-D mixture.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from cli_helpers import Run, T, run_main, symbols_for
from scipy import integrate
from scipy.stats import multivariate_normal

# imported before the fork: the derivation's child starts warm
import symtransport._theory.densities  # noqa: F401

NET = "600"  # --timeout: the safety net, far beyond any run here (a busy machine must not
# turn a 20-s derivation into a net stop); these tests check results, not the net
SLOW_LIMIT = 120  # a hand-typed density taking longer than this is a finding, not a skip


Derive = Callable[..., Run]


@pytest.fixture
def derive(capfd: pytest.CaptureFixture[str]) -> Derive:
    """``derive(folder, *ARGS)``: ``symtransport derive dae ARGS --timeout NET`` in ``folder``,
    called in this process."""

    def call(folder: Path, *args: str) -> Run:
        run = run_main(capfd, "derive", "dae", *args, "--timeout", NET, cwd=folder)
        print(f"derive dae {' '.join(args)}: exit {run.code} in {run.seconds:.1f} s")
        return run

    return call


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert "Traceback" not in run.stdout, run.stdout


def parse(text: str, variables: Sequence[str]) -> sp.Basic:
    """``sympify`` as the JSON contract promises; the result may only mention the variables
    and ``t`` (integration variables such as ``x_0`` are bound)."""
    names = symbols_for(variables)
    expr = sp.sympify(text, locals=names)
    stray = expr.free_symbols - set(names.values())
    assert not stray, f"{text!r} mentions undeclared symbols {stray}"
    return expr


def load_json(run: Run, variables: Sequence[str], noise: str) -> dict:
    """stdout is exactly one JSON object with the documented fields, all parsable."""
    result = json.loads(run.stdout)  # fails if anything but the JSON object is on stdout
    assert isinstance(result, dict)
    assert result["kind"] == "shallow-dae"
    assert result["variables"] == list(variables)
    assert result["time"] == "t"
    assert result["noise"] == noise
    assert len(result["map"]) == len(variables)
    assert len(result["velocity_at_zero"]) == len(variables)
    assert result["derivation"], "the derivation has no steps"
    for field in ("map", "velocity_at_zero"):
        for text in result[field]:
            parse(text, variables)
    normalisation = parse(result["normalisation"], variables)
    assert normalisation.is_number and float(normalisation) > 0
    for step in result["derivation"]:
        assert set(step) >= {"expr", "latex", "reason", "status"}, step
        parse(step["expr"], variables)
        assert isinstance(step["latex"], str) and step["latex"]
    return result


def numeric_map(result: dict, variables: Sequence[str]):
    """The JSON map as a float function of ``(*variables, t)``."""
    names = symbols_for(variables)
    exprs = [parse(text, variables) for text in result["map"]]
    args = [names[v] for v in variables] + [T]
    f = sp.lambdify(args, exprs, modules=["scipy", "numpy"])
    return lambda *values: np.asarray(f(*values), dtype=float)


# --- the three noise models on the standard normal ---------------------------------------------


def std_normal_posterior_mean(noise: str, x: float, t: float) -> float:
    """E[X | X + eps = x] for X ~ N(0, 1), by quadrature (an independent reference)."""
    if noise == "gaussian":
        return x / (1 + t)  # [J] (30) with m = 0, s2 = 1
    if noise == "laplace":
        b = math.sqrt(t / 2)

        def kernel(u: float) -> float:
            return math.exp(-abs(x - u) / b - u * u / 2)

        limits, points = (x - 12, x + 12), [x]
    else:
        a = math.sqrt(3 * t)

        def kernel(u: float) -> float:
            return math.exp(-u * u / 2)

        limits, points = (x - a, x + a), None
    options = {"points": points, "epsabs": 0, "epsrel": 1e-12, "limit": 200}
    num = integrate.quad(lambda u: u * kernel(u), *limits, **options)[0]
    den = integrate.quad(kernel, *limits, **options)[0]
    return num / den


@pytest.mark.parametrize("noise", ["gaussian", "laplace", "uniform"])
def test_standard_normal_each_noise_model(tmp_path: Path, noise: str, derive: Derive) -> None:
    run = derive(
        tmp_path, "--density", "exp(-x**2/2)", "--vars", "x", "--noise", noise, "--format", "json"
    )
    no_traceback(run)
    assert run.code == 0, run.stdout + run.stderr
    result = load_json(run, ["x"], noise)
    assert result["status"] in ("proved", "verified")
    assert sp.simplify(parse(result["normalisation"], ["x"]) - sp.sqrt(2 * sp.pi)) == 0
    x = sp.Symbol("x", real=True)
    assert sp.simplify(parse(result["velocity_at_zero"][0], ["x"]) + x) == 0  # score of N(0,1)
    g = numeric_map(result, ["x"])
    for t in (0.25, 1.0, 2.0):
        for xv in (-1.5, 0.3, 2.0):
            expected = std_normal_posterior_mean(noise, xv, t)
            assert float(g(xv, t).ravel()[0]) == pytest.approx(expected, rel=1e-7, abs=1e-9), (
                noise,
                xv,
                t,
            )


# --- hand-typed densities no test anticipates ---------------------------------------------------


def check_hand_typed(run: Run) -> None:
    """Exit 0 (every step proved or verified), the result printed, in reasonable time."""
    no_traceback(run)
    assert run.code == 0, f"exit {run.code}: {run.stdout[-2000:]} {run.stderr}"
    assert run.stdout.strip(), "nothing printed"
    assert run.seconds < SLOW_LIMIT, f"took {run.seconds:.0f} s (> {SLOW_LIMIT} s)"


STUDENT = "(1 + x**2/3)**(-2)"
LOGISTIC = "exp(-x)/(1+exp(-x))**2"
MIXTURE_2D = "exp(-(x**2 + x*y + y**2)) + 2*exp(-((x-1)**2 + (y+1)**2)/2)"
BUMPS = "exp(-(x-1)**2) + exp(-(x+2)**2/3)"


@pytest.mark.slow
def test_student_t_json(tmp_path: Path, derive: Derive) -> None:
    """A heavy-tailed density: no closed form, the map stays a ratio of integrals."""
    run = derive(
        tmp_path, "--density", STUDENT, "--vars", "x", "--noise", "gaussian", "--format", "json"
    )
    check_hand_typed(run)
    result = load_json(run, ["x"], "gaussian")
    # Z = int (1 + x^2/3)^-2 dx = sqrt(3) pi / 2
    assert float(parse(result["normalisation"], ["x"])) == pytest.approx(math.sqrt(3) * math.pi / 2)
    x = sp.Symbol("x", real=True)
    score = parse(result["velocity_at_zero"][0], ["x"])
    assert sp.simplify(score - (-4 * x / (x**2 + 3))) == 0


@pytest.mark.slow
def test_logistic_latex(tmp_path: Path, derive: Derive) -> None:
    run = derive(tmp_path, "--density", LOGISTIC, "--vars", "x", "--format", "latex")
    check_hand_typed(run)
    assert "\\begin{align*}" in run.stdout
    assert "\\end{align*}" in run.stdout


@pytest.mark.slow
def test_2d_mixture_text(tmp_path: Path, derive: Derive) -> None:
    run = derive(tmp_path, "--density", MIXTURE_2D, "--vars", "x,y", "--format", "text")
    check_hand_typed(run)
    assert "status:" in run.stdout
    assert "map g_t:" in run.stdout


FULL_COVARIANCES = (
    "0.3*exp(-(x**2 + x*y + y**2)) + 0.7*exp(-((x-1)**2 - (x-1)*(y+2)/2 + (y+2)**2)/2)"
)


@pytest.mark.slow
@pytest.mark.parametrize("noise", ["gaussian", "laplace", "uniform"])
def test_2d_mixture_with_full_covariances_each_noise(
    tmp_path: Path, noise: str, derive: Derive
) -> None:
    """Every step settled for each noise model (the Laplace and uniform change of variables
    by the integral normal form, the Gaussian closed form as a lemma inside the map)."""
    run = derive(
        tmp_path,
        "--density",
        FULL_COVARIANCES,
        "--vars",
        "x,y",
        "--noise",
        noise,
        "--format",
        "json",
    )
    check_hand_typed(run)
    result = load_json(run, ["x", "y"], noise)
    statuses = [step["status"] for step in result["derivation"]]
    assert statuses[0] == "given" and len(statuses) >= 2
    assert set(statuses[1:]) <= {"proved", "verified"}, statuses


def mixture_2d_map(x: np.ndarray, t: float, c: np.ndarray) -> np.ndarray:
    """[J] (38) with noise N(0, tC), computed here: the density is
    exp(-(x^2 + xy + y^2)) = (2 pi / sqrt 3) N(0, S1), S1 = [[2, -1], [-1, 2]] / 3, plus
    2 exp(-|u - (1, -1)|^2 / 2) = 4 pi N((1, -1), I)."""
    comps = [
        (2 * math.pi / math.sqrt(3), np.zeros(2), np.array([[2.0, -1.0], [-1.0, 2.0]]) / 3),
        (4 * math.pi, np.array([1.0, -1.0]), np.eye(2)),
    ]
    parts, total = [], 0.0
    for mass, m, s in comps:
        smoothed = s + t * c
        gamma = mass * multivariate_normal(m, smoothed).pdf(x)
        parts.append((gamma, m + s @ np.linalg.solve(smoothed, x - m)))
        total += gamma
    return sum(g * v for g, v in parts) / total


@pytest.mark.slow
def test_2d_mixture_anisotropic_noise_json(tmp_path: Path, derive: Derive) -> None:
    run = derive(
        tmp_path,
        "--density",
        MIXTURE_2D,
        "--vars",
        "x,y",
        "--noise-cov",
        "[[2,0.5],[0.5,1]]",
        "--format",
        "json",
    )
    check_hand_typed(run)
    result = load_json(run, ["x", "y"], "gaussian")
    assert len(result["map"]) == 2
    assert result["normalisation"]
    z = float(parse(result["normalisation"], ["x", "y"]))
    assert z == pytest.approx(2 * math.pi / math.sqrt(3) + 4 * math.pi)
    assert result["noise_cov"] is not None
    c = np.array([[float(sp.Rational(v)) for v in row] for row in result["noise_cov"]])
    np.testing.assert_allclose(c, [[2, 0.5], [0.5, 1]])
    g = numeric_map(result, ["x", "y"])
    for point in ([0.0, 0.0], [1.5, -0.5], [-1.0, 2.0]):
        for t in (0.25, 1.0):
            got = g(*point, t).ravel()
            np.testing.assert_allclose(got, mixture_2d_map(np.array(point), t, c), rtol=1e-9)


def bumps_map(x: float, t: float) -> float:
    """[J] (38) for exp(-(x-1)^2) + exp(-(x+2)^2/3) = sqrt(pi) N(1, 1/2) + sqrt(3 pi) N(-2, 3/2)."""
    comps = [(math.sqrt(math.pi), 1.0, 0.5), (math.sqrt(3 * math.pi), -2.0, 1.5)]
    num = den = 0.0
    for mass, m, s in comps:
        gamma = mass * math.exp(-((x - m) ** 2) / (2 * (s + t))) / math.sqrt(2 * math.pi * (s + t))
        num += gamma * (s * x + t * m) / (s + t)
        den += gamma
    return num / den


def test_unnormalised_bumps_json(tmp_path: Path, derive: Derive) -> None:
    run = derive(tmp_path, "--density", BUMPS, "--vars", "x", "--format", "json")
    check_hand_typed(run)
    result = load_json(run, ["x"], "gaussian")
    z = parse(result["normalisation"], ["x"])
    assert sp.simplify(z - sp.sqrt(sp.pi) * (1 + sp.sqrt(3))) == 0
    g = numeric_map(result, ["x"])
    for xv in (-3.0, -0.5, 0.7, 2.5):
        for t in (0.25, 1.0, 2.0):
            assert float(g(xv, t).ravel()[0]) == pytest.approx(bumps_map(xv, t), rel=1e-9)


@pytest.mark.parametrize("fmt", ["text", "latex"])
def test_unnormalised_bumps_text_and_latex(tmp_path: Path, fmt: str, derive: Derive) -> None:
    run = derive(tmp_path, "--density", BUMPS, "--vars", "x", "--format", fmt)
    check_hand_typed(run)
    if fmt == "text":
        assert "status:" in run.stdout
    else:
        assert "\\begin{align*}" in run.stdout


# --- bad input: exit 2, one line on stderr, no traceback ---------------------------------------

BAD_INPUTS = {
    "negative density": ["--density", "x**2 - 1", "--vars", "x"],
    "not integrable": ["--density", "1/sqrt(1+x**2)", "--vars", "x"],
    "variable named t": ["--density", "exp(-t**2)", "--vars", "t"],
    "undeclared name": ["--density", "exp(-z**2)", "--vars", "x"],
    "code": ["--density", "__import__('os').system('echo hi')", "--vars", "x"],
    "noise-cov with laplace": [
        "--density",
        "exp(-x**2/2)",
        "--vars",
        "x",
        "--noise",
        "laplace",
        "--noise-cov",
        "[[1]]",
    ],
    "non-SPD noise-cov": [
        "--density",
        "exp(-(x**2 + y**2))",
        "--vars",
        "x,y",
        "--noise-cov",
        "[[1,2],[2,1]]",
    ],
    "malformed noise-cov": [
        "--density",
        "exp(-(x**2 + y**2))",
        "--vars",
        "x,y",
        "--noise-cov",
        "[[1,2]",
    ],
    "wrong-size noise-cov": [
        "--density",
        "exp(-(x**2 + y**2))",
        "--vars",
        "x,y",
        "--noise-cov",
        "[[1]]",
    ],
    "unknown noise": ["--density", "exp(-x**2/2)", "--vars", "x", "--noise", "cauchy"],
}


@pytest.mark.parametrize("args", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input(tmp_path: Path, args: list[str], derive: Derive) -> None:
    run = derive(tmp_path, *args)
    no_traceback(run)
    assert run.code == 2, f"exit {run.code}; stdout={run.stdout!r} stderr={run.stderr!r}"
    lines = run.stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {lines}"
    assert lines[0].strip()
    assert run.stdout == "", run.stdout
    assert "hi" not in run.stdout.split()  # the code was never run
    assert not list(tmp_path.iterdir())  # and nothing was written
