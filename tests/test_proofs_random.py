"""The property claims on random mixtures and the conjectures: each wrong variant is refuted by
the same check (its power), the contraction conjecture is refuted with a counterexample, and a
deep run of 200 examples per claim is ok with its example counts in the JSON report
(proofs/random_mixtures.py, proofs/conjectures.py)."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp
from cli_helpers import symtransport
from proof_helpers import proof

from symtransport import CheckContext, Status

pytestmark = pytest.mark.slow

RM = proof("random_mixtures")
CJ = proof("conjectures")
PROPERTY_IDS = [
    "entropy-decrease",
    "de-bruijn-random",
    "continuity-residual-random",
    "fokker-planck",
    "probability-flow-ode",
    "shallow-dae-brenier-random",
]
CONJECTURE_IDS = ["shallow-dae-entropy-decrease", "continuous-dae-contraction"]
DEEP_EXAMPLES = 200  # the deep profile: symtransport check --examples 200


def refuted(outcome) -> bool:
    return outcome.status == Status.REFUTED and bool(outcome.counterexample)


def forward_heat(mu, t):
    """The wrong direction: ``mu_0 * N(0, 2tI)``, whose entropy increases."""
    return mu.smoothed(2 * sp.Rational(repr(t)))


def test_entropy_along_the_forward_heat_flow_is_refuted():
    assert refuted(RM.entropy_decrease(20, 0, evolve=forward_heat))


def test_de_bruijn_with_half_the_rate_is_refuted():
    assert refuted(RM.de_bruijn_random(20, 0, rate=0.5))


def test_continuity_with_the_shallow_rate_is_refuted():
    """``S_k - tI`` in place of ``S_k - 2tI`` does not move with the velocity (43)."""
    assert refuted(RM.continuity_residual_random(20, 0, density=lambda f: f.density_t(f.t / 2)))


def test_fokker_planck_with_diffusion_of_variance_t_is_refuted():
    assert refuted(RM.fokker_planck(10, 0, diffusion=1.0))


def test_fokker_planck_sample_tests_catch_particles_drawn_from_mu0():
    """Particles drawn from mu_0 instead of u_T pass the pointwise change of variables (it
    holds for any starting points) and are caught by the mean and KS tests alone."""
    outcome = RM.fokker_planck(10, 0, draw_from=lambda mu, u: mu)
    assert refuted(outcome)
    assert outcome.max_residual <= RM.FLOW_TOL


def test_probability_flow_sample_tests_catch_particles_drawn_from_u_t():
    outcome = RM.probability_flow_ode(10, 0, draw_from=lambda mu, u: u)
    assert refuted(outcome)
    assert outcome.max_residual <= RM.FLOW_TOL


def test_probability_flow_with_half_the_drift_is_refuted():
    """``dx/dt = -grad log u_t / 2`` is the flow of ``dX = dW``, not of ``sqrt(2) dW``."""
    assert refuted(RM.probability_flow_ode(10, 0, drift=0.5))


def test_brenier_with_half_the_posterior_covariance_is_refuted():
    assert refuted(RM.shallow_dae_brenier_random(20, 0, scale=0.5))


def test_contraction_is_refuted_with_a_shrunk_counterexample():
    outcome = CJ.contraction_claim.run(CheckContext(examples=CJ.contraction_claim.examples))
    assert refuted(outcome)
    assert " N([" in outcome.counterexample["example"]  # a readable mixture


def test_deep_run_of_every_property_and_conjecture(tmp_path):
    ids = PROPERTY_IDS + CONJECTURE_IDS
    args = ["check", "--examples", str(DEEP_EXAMPLES), "--json", "-"]
    for claim_id in ids:
        args += ["--only", claim_id]
    done = symtransport(*args, cwd=tmp_path, timeout=900)
    report = json.loads(done.stdout)
    results = {r["id"]: r for r in report["claims"]}
    assert set(results) == set(ids), done.stderr
    for claim_id in PROPERTY_IDS:
        r = results[claim_id]
        assert r["ok"] and r["status"] == "verified", r
        assert r["examples"] >= DEEP_EXAMPLES, r
    assert results["continuous-dae-contraction"]["status"] == "refuted"
    assert results["shallow-dae-entropy-decrease"]["ok"]
    assert done.returncode == 0, done.stderr


def test_the_readme_conjecture_is_refuted(tmp_path):
    """The README's example of a user's conjecture runs as written and is refuted."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    start = readme.index("# my_conjecture.py")
    script = tmp_path / "my_conjecture.py"
    script.write_text(readme[start : readme.index("```", start)])
    done = symtransport("check", str(script), "--json", "-", cwd=tmp_path)
    (result,) = json.loads(done.stdout)["claims"]
    assert result["status"] == "refuted", result
    assert " N([" in result["counterexample"]["example"]


def test_entropy_change_of_the_shallow_dae_on_a_gaussian():
    """``g_t`` of N(m, s) is affine with slope s/(s + t): the change is log(s/(s + t))."""
    from symtransport import Gaussian, GaussianMixture

    s, t = 2.0, 0.5
    change = CJ.entropy_change(GaussianMixture([1], [Gaussian([0.3], [[s]])]), t)
    # quadrature of a constant log-determinant: rounding only
    assert abs(change.value - math.log(s / (s + t))) <= 1e-12


def test_a_stronger_entropy_decrease_is_refuted():
    """ "Every shallow DAE lowers the entropy by at least log 2" is false (small t barely moves
    anything): the same search finds it, with the counterexample's certified excess."""
    outcome = CJ.shallow_entropy_decrease(20, 0, margin=math.log(2))
    assert refuted(outcome)
    value, error = (float(v) for v in outcome.counterexample["excess"].split(" +- "))
    assert value - error > 0


def test_the_entropy_conjecture_reports_the_examples_that_came_closest():
    outcome = CJ.shallow_entropy_decrease_claim.run(CheckContext(examples=20))
    assert outcome.status == Status.UNDECIDED and outcome.examples == 20
    rows = outcome.measurements["closest"]
    assert set(outcome.measurements) == {"closest"} and 1 <= len(rows) <= 5
    relative = [row["relative"] for row in rows]
    assert relative == sorted(relative, reverse=True)
    assert all(row["value"] <= row["error"] and " N([" in row["example"] for row in rows)
    assert "closest: relative excess" in outcome.explanation


def hard_draws(count: int) -> list:
    """``count`` draws of the hard strategy (Hypothesis's derandomized generation)."""
    from hypothesis import HealthCheck, Phase, given, settings

    drawn = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(CJ.hard_examples())
    def collect(example):
        drawn.append(example)

    collect()
    return drawn


def test_the_hard_draws_are_separated_skewed_and_anisotropic():
    import numpy as np
    from tolerances import HARD_DRAW_SEPARATION

    from symtransport import numerics

    draws = hard_draws(40)
    separations, conditions, skews = [], [], []
    for mu, t in draws:
        weights, means, covs = numerics.mixture_arrays(mu)
        assert len(weights) >= 2 and math.isfinite(t) and t > 0
        assert all(round(1000 * w) == 1000 * w for w in weights)  # thousandths
        skews.append(min(weights))
        for j in range(1, len(weights)):
            gap = means[j] - means[j - 1]
            u = gap / np.linalg.norm(gap)
            sd = max(math.sqrt(u @ covs[i] @ u) for i in (j - 1, j))
            separations.append(np.linalg.norm(gap) / sd)
        eig = np.linalg.eigvalsh(covs)
        conditions.append(float((eig[:, -1] / eig[:, 0]).max()))
    assert min(separations) >= CJ.HARD_SEPARATION[0] * (1 - HARD_DRAW_SEPARATION)
    assert max(separations) >= 20  # many standard deviations apart
    assert max(conditions) <= CJ.HARD_CONDITION and max(conditions) >= 1e3
    assert min(skews) <= 0.01  # extreme weights
    assert {mu.dim for mu, _ in draws} == {1, 2}
    for mu, t in draws[:: len(draws) // 8]:  # the predicate evaluates on them
        excess = CJ.entropy_excess(CJ.entropy_change(mu, t))
        assert math.isfinite(excess.value) and excess.error <= 1e-6 * max(1, abs(excess.value))


def test_the_peak_search_finds_the_rise_where_components_merge():
    """Two unit components 10 sd apart: ``E log det grad g_t`` falls, then rises again near
    ``t ~ 30`` (the components merge) before falling for good. The time found by the cheap
    search is a local maximum of the certified quadrature."""
    from symtransport import GaussianMixture

    mu = GaussianMixture.from_arrays([0.5, 0.5], [[0.0], [10.0]], [[[1.0]], [[1.0]]])
    peak = CJ.peak_time(mu)
    assert peak is not None and 10 < peak < 100
    at = {f: CJ.entropy_change(mu, peak * f).value for f in (0.5, 1.0, 2.0)}
    assert at[1.0] > max(at[0.5], at[2.0])
    single = GaussianMixture.from_arrays([1.0], [[0.0]], [[[1.0]]])
    assert CJ.peak_time(single) is None  # log(s/(s + t)) only falls
