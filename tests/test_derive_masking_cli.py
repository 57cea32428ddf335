"""``symtransport derive dae --noise masking`` end to end, as for a user: one derivation a mask
pattern, proved against the ratio of integrals for every ``0 < p < 1``; the JSON fields of
``derive dae`` kept (``time`` null: masking has no variance) and the masking fields added;
bad input exits 2 with one line on stderr.

The maps are checked numerically against the Gaussian conditional mean computed here with
NumPy from the covariance (the inverse of the typed density's precision matrix).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from cli_helpers import Run, run_main
from tolerances import MASKING_QUADRATURE

# imported before the fork: the derivation's child starts warm
import symtransport._theory.densities  # noqa: F401

NET = "600"  # --timeout: far beyond any run here; these tests check results, not the net
GAUSSIAN = "exp(-(x**2 + x*y + y**2))"  # precision [[2, 1], [1, 2]], mean 0
PRECISION = np.array([[2.0, 1.0], [1.0, 2.0]])
P = sp.Symbol("p", positive=True)


def derive(capfd: pytest.CaptureFixture[str], folder: Path, *args: str) -> Run:
    return run_main(capfd, "derive", "dae", *args, "--timeout", NET, cwd=folder)


def parse(text: str, variables: Sequence[str]) -> sp.Basic:
    """``sympify`` with the variables real and ``p`` positive; nothing else may be free."""
    names = {v: sp.Symbol(v, real=True) for v in variables} | {"p": P}
    expr = sp.sympify(text, locals=names)
    assert expr.free_symbols <= set(names.values()), text
    return expr


def test_json_of_a_2d_gaussian(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run = derive(
        capfd,
        tmp_path,
        "--density",
        GAUSSIAN,
        "--vars",
        "x,y",
        "--noise",
        "masking",
        "--format",
        "json",
    )
    assert run.code == 0, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["kind"] == "shallow-dae" and result["noise"] == "masking"
    assert result["time"] is None and result["noise_cov"] is None
    assert result["masking_probability"] == "p"
    assert result["status"] == "proved"
    assert result["depends_on_p"] is False and result["identity_on_clean_data"] is True
    assert [parse(v, "xy") for v in result["velocity_at_zero"]] == [0, 0]
    assert "d/dp g_p at p = 0" in result["velocity_label"]
    assert len(result["notes"]) == 4 and "not the score" in result["notes"][-1]
    patterns = result["patterns"]
    assert [q["masked"] for q in patterns] == [[], ["y"], ["x"], ["x", "y"]]
    cov = np.linalg.inv(PRECISION)
    x, y = sp.symbols("x y", real=True)
    for q in patterns:
        assert q["status"] == "proved"
        assert q["derivation"][0]["status"] == "given"
        start = parse(q["derivation"][0]["expr"], "xy")
        assert start.has(P) == bool(q["masked"])  # the integral form carries p; the map not
        g = [parse(c, "xy") for c in q["map"]]
        assert not any(c.has(P) for c in g)
        for point in ([0.7, -1.2], [-2.0, 0.4]):
            obs = [i for i, n in enumerate("xy") if n not in q["masked"]]
            hid = [i for i, n in enumerate("xy") if n in q["masked"]]
            want = np.array(point)
            want[hid] = 0.0
            if obs and hid:
                gain = cov[np.ix_(hid, obs)] @ np.linalg.inv(cov[np.ix_(obs, obs)])
                want[hid] = gain @ want[obs]
            got = np.array([float(c.subs({x: point[0], y: point[1]})) for c in g])
            for i in hid:  # masked coordinates do not enter the map
                assert not any(c.has([x, y][i]) for c in g)
            assert np.allclose(got[hid], want[hid], atol=MASKING_QUADRATURE)
            assert np.array_equal(got[obs], np.array(point)[obs])
    # the whole map: a Piecewise over the zeros, the identity off the coordinate axes
    whole = [parse(c, "xy") for c in result["map"]]
    assert [c.subs({x: 1, y: 2}) for c in whole] == [1, 2]
    at_axis = [c.subs({x: 3, y: 0}) for c in whole]  # y masked: E[y | x = 3] = (S_yx / S_xx) 3
    assert at_axis[0] == 3
    assert abs(float(at_axis[1]) - cov[1, 0] / cov[0, 0] * 3) < MASKING_QUADRATURE
    for step in result["derivation"]:
        parse(step["expr"], "xy")


def test_a_mixture_is_proved_in_text_and_latex(tmp_path: Path, capfd) -> None:
    density = "0.3*exp(-(x**2 + x*y + y**2)) + 0.7*exp(-(x-1)**2)*exp(-y**2/2)"
    text = derive(capfd, tmp_path, "--density", density, "--vars", "x,y", "--noise", "masking")
    assert text.code == 0, text.stdout + text.stderr
    assert "status: proved" in text.stdout and "recognised as a GaussianMixture" in text.stdout
    assert "not the score" in text.stdout
    latex = derive(
        capfd,
        tmp_path,
        "--density",
        "exp(-x**2/2)",
        "--vars",
        "x",
        "--noise",
        "masking",
        "--format",
        "latex",
    )
    assert latex.code == 0, latex.stdout + latex.stderr
    assert "\\begin{align*}" in latex.stdout and "x masked" in latex.stdout


BAD_INPUTS = {
    "not a Gaussian family": ["--density", "exp(-abs(x))", "--vars", "x"],
    "a variable named p": ["--density", "exp(-p**2)", "--vars", "p"],
    "a covariance with masking": ["--density", "exp(-x**2)", "--vars", "x", "--noise-cov", "[[1]]"],
    "not a density": ["--density", "exp(x**2)", "--vars", "x"],
}


@pytest.mark.parametrize("args", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input(tmp_path: Path, capfd, args: list[str]) -> None:
    run = derive(capfd, tmp_path, *args, "--noise", "masking")
    assert run.code == 2, f"exit {run.code}; stdout={run.stdout!r} stderr={run.stderr!r}"
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 1 and run.stdout == ""
