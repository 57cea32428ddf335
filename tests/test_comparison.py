"""compare_map: any denoiser measured against the exact posterior mean g_t.

Every reference is independent of the code under test: the exact maps are written out here in
NumPy (Tweedie's form (17) with the smoothed mixture (38) and a log-sum-exp; the Laplace-noise
posterior mean (14) in closed form, itself checked against mpmath quadrature), the true L2 error
of a deliberately wrong map is a closed form (E sin^2 of a Gaussian) and its relative error a
quadrature, and the regions are classified here by their definition with SciPy's densities.
"""

import json
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import special, stats
from tolerances import (
    CONTRACT_EXACT_MAP_RELATIVE,
    CONTRACT_RELATIVE_SCORE,
    FLOAT64_FEW_OPS,
    MC_CI_MIN_COVERED,
    MC_CI_SEEDS,
    MC_SIGMAS,
    MP30_QUAD_PIECEWISE,
)

from symtransport import (
    Density,
    Gaussian,
    GaussianMixture,
    GenericNoise,
    InvalidArgument,
    UnsupportedError,
    instances,
    noise_model,
)
from symtransport._random.comparison import REGIONS, MapComparison, compare_map
from symtransport._random.numerics import expectation

T = 0.3
Z95 = float(stats.norm.ppf(0.975))  # the two-sided 95% normal quantile

# fixed_mixture(1) and fixed_mixture(2), written out (test_the_numbers_are_the_instances')
W1 = np.array([1 / 3, 2 / 3])
M1 = np.array([[-0.5], [1.5]])
S1 = np.array([[[1.5]], [[0.5]]])
W2 = np.array([1 / 3, 2 / 3])
M2 = np.array([[-0.5, 0.25], [1.0, -0.75]])
S2 = np.array([[[2.0, 0.5], [0.5, 1.0]], [[0.75, -0.25], [-0.25, 1.5]]])
MIX1 = instances.fixed_mixture(1)
MIX2 = instances.fixed_mixture(2)
CASES = {1: (MIX1, W1, M1, S1), 2: (MIX2, W2, M2, S2)}


def tweedie(weights, means, covs, t, scale=1.0, shape=None):
    """``x -> x + scale * t C grad log sum_k w_k N(x; m_k, S_k + tC)``: the exact posterior
    mean for Gaussian noise N(0, tC) when ``scale == 1`` ([J] (17), (38)), by a log-sum-exp."""
    d = means.shape[1]
    c = np.eye(d) if shape is None else np.asarray(shape, dtype=float)
    smoothed = covs + t * c
    precision = np.linalg.inv(smoothed)
    log_det = np.linalg.slogdet(smoothed)[1]

    def fn(x):
        diff = x[:, None, :] - means  # (N, K, d)
        white = np.einsum("kij,nkj->nki", precision, diff)
        logs = np.log(weights) - 0.5 * log_det - 0.5 * np.einsum("nki,nki->nk", diff, white)
        gamma = np.exp(logs - logs.max(axis=1, keepdims=True))
        gamma /= gamma.sum(axis=1, keepdims=True)
        grad_log = -np.einsum("nk,nki->ni", gamma, white)
        return x + scale * t * grad_log @ c.T

    return fn


def laplace_posterior_mean(weights, means, variances, t):
    """``E[x0 | x~]`` in 1-D for ``mu_0 = sum_k w_k N(m_k, s_k)`` and Laplace noise of variance
    ``t`` (scale b = sqrt(t/2)). With ``u = x~ - m_k``, component k's posterior splits at
    ``x0 = x~`` into ``N(m_k + s_k/b, s_k)`` truncated below ``x~`` (mass
    ``exp(s_k/(2b^2) - u/b) Phi(a-)``, ``a- = (u - s_k/b)/sqrt(s_k)``) and ``N(m_k - s_k/b, s_k)``
    truncated above (``exp(s_k/(2b^2) + u/b) Phi(a+)``, ``a+ = (-u - s_k/b)/sqrt(s_k)``); the
    truncated means take the inverse Mills ratio ``phi/Phi``, everything in logs."""
    b = math.sqrt(t / 2)
    m = means.ravel()
    sd = np.sqrt(variances.ravel())
    beta = variances.ravel() / b

    def mills(a):
        return np.exp(-0.5 * a**2 - 0.5 * math.log(2 * math.pi) - special.log_ndtr(a))

    def fn(x):
        u = x - m  # (N, K)
        below, above = (u - beta) / sd, (-u - beta) / sd
        common = np.log(weights) + variances.ravel() / (2 * b**2)
        logs = np.concatenate(
            [common - u / b + special.log_ndtr(below), common + u / b + special.log_ndtr(above)],
            axis=1,
        )
        means_ = np.concatenate(
            [m + beta - sd * mills(below), m - beta + sd * mills(above)], axis=1
        )
        gamma = np.exp(logs - logs.max(axis=1, keepdims=True))
        return (gamma * means_).sum(axis=1, keepdims=True) / gamma.sum(axis=1, keepdims=True)

    return fn


def identity(x):
    return x


def test_the_numbers_are_the_instances():
    half, third = sp.Rational(1, 2), sp.Rational(1, 3)
    one = GaussianMixture(
        [third, 2 * third], [Gaussian([-half], [[3 * half]]), Gaussian([3 * half], [[half]])]
    )
    two = GaussianMixture(
        [third, 2 * third],
        [
            Gaussian([-half, half / 2], [[2, half], [half, 1]]),
            Gaussian([1, -3 * half / 2], [[3 * half / 2, -half / 2], [-half / 2, 3 * half]]),
        ],
    )
    assert (one, two) == (MIX1, MIX2)


# --- the done-when numbers ------------------------------------------------------------


def test_the_exact_posterior_mean_scores_zero():
    result = compare_map(tweedie(W1, M1, S1, T), MIX1, T)
    assert result.samples == 100_000
    assert result.relative < CONTRACT_EXACT_MAP_RELATIVE
    assert result.l2 < CONTRACT_EXACT_MAP_RELATIVE * result.reference_l2


@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize(("scale", "expected"), [(0.0, 1.0), (1.5, 0.5)])
def test_the_identity_scores_one_and_a_longer_step_its_excess(d, scale, expected):
    """The identity is ``scale = 0``; ``1.5`` overshoots the exact step by half of it."""
    density, w, m, s = CASES[d]
    fn = identity if scale == 0.0 else tweedie(w, m, s, T, scale=scale)
    result = compare_map(fn, density, T, samples=20_000)
    assert abs(result.relative - expected) <= CONTRACT_RELATIVE_SCORE
    assert result.dim == d and result.noise == "gaussian" and result.t == T


def test_anisotropic_gaussian_noise():
    shape = [[2, 1], [1, 1]]
    exact = tweedie(W2, M2, S2, T, shape=np.array(shape, dtype=float))
    noise = noise_model("gaussian", shape)
    result = compare_map(exact, MIX2, T, noise=noise, samples=20_000)
    assert result.relative < CONTRACT_EXACT_MAP_RELATIVE
    assert compare_map(identity, MIX2, T, noise=noise, samples=2_000).relative == 1.0


# --- honest confidence intervals --------------------------------------------------------------


def smoothed(weights, means, covs, t):
    """``nu_t * mu_0`` for Gaussian noise N(0, tI), the exact law of the noisy input (38)."""
    eye = sp.eye(means.shape[1])
    tt = sp.nsimplify(t)
    return GaussianMixture(
        [sp.nsimplify(w) for w in weights],
        [
            Gaussian(
                [sp.nsimplify(v) for v in m],
                sp.Matrix(s.tolist()).applyfunc(sp.nsimplify) + tt * eye,
            )
            for m, s in zip(means, covs, strict=True)
        ],
    )


@pytest.mark.parametrize("d", [1, 2])
def test_the_intervals_cover_the_true_errors(d):
    """``fn = g_t + 0.1 sin`` errs by ``0.1 sin(x~)`` per coordinate, so the true
    ``l2^2 = 0.01 sum_j E sin^2(x~_j)`` with ``E sin^2 X = (1 - exp(-2v) cos 2m) / 2`` for
    ``X ~ N(m, v)``; the true relative error divides by ``E|x~ - g_t|^2`` (quadrature)."""
    density, w, m, s = CASES[d]
    exact = tweedie(w, m, s, T)

    def wrong(x):
        return exact(x) + 0.1 * np.sin(x)

    variances = np.diagonal(s, axis1=1, axis2=2) + T
    true_l2 = 0.1 * math.sqrt(
        float(w @ np.sum(0.5 * (1 - np.exp(-2 * variances) * np.cos(2 * m)), axis=1))
    )
    step = expectation(smoothed(w, m, s, T), lambda x: np.sum((x - exact(x)) ** 2, axis=1))
    true_relative = true_l2 / math.sqrt(step.value)
    covered = {"l2": 0, "relative": 0}
    for seed in range(MC_CI_SEEDS):
        result = compare_map(wrong, density, T, samples=5_000, seed=seed)
        for name, truth in (("l2", true_l2), ("relative", true_relative)):
            value, half_width = getattr(result, name), getattr(result, f"{name}_ci")
            assert abs(value - truth) <= MC_SIGMAS * half_width / Z95, (seed, name)
            covered[name] += abs(value - truth) <= half_width
    assert min(covered.values()) >= MC_CI_MIN_COVERED, covered


def test_the_same_seed_gives_the_same_numbers():
    density, w, m, s = CASES[2]
    exact = tweedie(w, m, s, T)

    def wrong(x):
        return exact(x) + 0.1 * np.sin(x)

    first = compare_map(wrong, density, T, samples=2_000, seed=7)
    again = compare_map(wrong, density, T, samples=2_000, seed=7)
    other = compare_map(wrong, density, T, samples=2_000, seed=8)
    assert first == again and first.to_json() == again.to_json()
    assert other.l2 != first.l2 and other.reference_l2 != first.reference_l2


# --- regions ----------------------------------------------------------------------------------


def classify(x, weights, means, covs, t):
    """The regions by their definition: within Mahalanobis distance 1 of a smoothed mean
    (modes); else the largest responsibility below 0.9 (between); else tails."""
    smoothed_covs = covs + t * np.eye(means.shape[1])
    maha = np.array(
        [
            np.sqrt(np.einsum("ni,ij,nj->n", x - mk, np.linalg.inv(vk), x - mk))
            for mk, vk in zip(means, smoothed_covs, strict=True)
        ]
    )
    dens = np.array(
        [
            wk * stats.multivariate_normal(mk, vk).pdf(x).reshape(-1)
            for wk, mk, vk in zip(weights, means, smoothed_covs, strict=True)
        ]
    )
    modes = np.any(maha <= 1.0, axis=0)
    between = ~modes & (dens.max(axis=0) / dens.sum(axis=0) < 0.9)
    return {"modes": modes, "between": between, "tails": ~modes & ~between}


def test_a_map_wrong_only_in_the_tails_errs_only_there():
    density, w, m, s = CASES[2]
    exact = tweedie(w, m, s, T)
    seen = {}

    def wrong_in_tails(x):
        seen.update(classify(x, w, m, s, T))
        return exact(x) + 0.1 * seen["tails"][:, None]

    result = compare_map(wrong_in_tails, density, T, samples=20_000)
    for name in REGIONS:
        region = result.regions[name]
        assert region.samples == int(seen[name].sum()) > 0
        assert region.fraction == region.samples / result.samples
    assert math.isclose(sum(r.fraction for r in result.regions.values()), 1.0)
    assert result.regions["modes"].l2 <= FLOAT64_FEW_OPS
    assert result.regions["between"].l2 <= FLOAT64_FEW_OPS
    assert abs(result.regions["tails"].l2 - 0.1 * math.sqrt(2)) <= FLOAT64_FEW_OPS
    assert result.regions["tails"].l2_ci <= FLOAT64_FEW_OPS  # the same error at every draw
    assert result.regions["modes"].relative <= FLOAT64_FEW_OPS


def test_a_single_gaussian_has_nothing_between():
    result = compare_map(identity, instances.gaussian_44(), T, samples=5_000)
    between = result.regions["between"]
    assert between.samples == 0 and between.fraction == 0.0
    assert between.l2 is None and between.l2_ci is None and between.relative is None
    assert result.regions["modes"].samples + result.regions["tails"].samples == 5_000
    assert result.regions["tails"].relative == 1.0
    assert json.loads(json.dumps(result.to_json()))["regions"]["between"]["l2"] is None


def test_json_and_summary():
    result = compare_map(identity, MIX2, T, samples=2_000, seed=3)
    data = json.loads(json.dumps(result.to_json()))
    assert set(data) >= {"l2", "l2_ci", "relative", "relative_ci", "reference_l2", "regions"}
    assert data["samples"] == 2_000 and data["seed"] == 3 and data["noise"] == "gaussian"
    assert set(data["regions"]) == set(REGIONS)
    assert isinstance(result, MapComparison)
    line = result.summary()
    assert "\n" not in line and "relative" in line and all(name in line for name in REGIONS)


# --- other noise models -----------------------------------------------------------------------


@pytest.mark.parametrize("x", [-6.0, -2.0, 0.0, 1.2, 4.0])
def test_the_laplace_reference_of_these_tests_is_the_posterior_mean(x):
    """The hand-written Laplace posterior mean against (14) by 30-digit quadrature."""
    with mpmath.workdps(30):
        b = mpmath.sqrt(mpmath.mpf(T) / 2)
        weights = [mpmath.mpf(1) / 3, mpmath.mpf(2) / 3]
        means = [mpmath.mpf(-1) / 2, mpmath.mpf(3) / 2]
        sds = [mpmath.sqrt(mpmath.mpf(3) / 2), mpmath.sqrt(mpmath.mpf(1) / 2)]

        def joint(x0):
            prior = sum(
                wk * mpmath.npdf(x0, mk, sk) for wk, mk, sk in zip(weights, means, sds, strict=True)
            )
            return prior * mpmath.exp(-abs(x - x0) / b)

        points = [-mpmath.inf, x, mpmath.inf]
        numerator, error_n = mpmath.quad(lambda x0: x0 * joint(x0), points, error=True)
        evidence, error_e = mpmath.quad(joint, points, error=True)
        assert error_n <= MP30_QUAD_PIECEWISE * max(1, abs(numerator))
        assert error_e <= MP30_QUAD_PIECEWISE * evidence
        exact = numerator / evidence
    value = laplace_posterior_mean(W1, M1, S1, T)(np.array([[x]]))[0, 0]
    assert abs(value - float(exact)) <= FLOAT64_FEW_OPS * max(1.0, abs(x))


def test_laplace_noise_end_to_end():
    result = compare_map(laplace_posterior_mean(W1, M1, S1, T), MIX1, T, noise="laplace")
    assert result.noise == "laplace"
    assert result.relative < CONTRACT_EXACT_MAP_RELATIVE
    identity_result = compare_map(identity, MIX1, T, noise="laplace", samples=20_000)
    assert abs(identity_result.relative - 1.0) <= FLOAT64_FEW_OPS


def test_uniform_noise_and_flat_outputs_in_one_dimension():
    """A scikit-learn regressor returns (N,) for one target: accepted when d == 1."""
    result = compare_map(lambda x: x[:, 0], MIX1, T, noise="uniform", samples=20_000)
    assert result.noise == "uniform" and abs(result.relative - 1.0) <= FLOAT64_FEW_OPS


@pytest.mark.parametrize("noise", ["laplace", "uniform"])
def test_non_gaussian_noise_in_two_dimensions_is_unsupported(noise):
    with pytest.raises(UnsupportedError, match="d = 1 only"):
        compare_map(identity, MIX2, T, noise=noise, samples=100)


def test_noise_without_a_sampler_is_unsupported():
    with pytest.raises(UnsupportedError, match="sampler"):
        compare_map(identity, MIX1, T, noise=GenericNoise(), samples=100)


# --- typed errors -----------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_an_exception_inside_fn_propagates_unchanged():
    def broken(x):
        raise Boom("inside the user's map")

    with pytest.raises(Boom, match="inside the user's map"):
        compare_map(broken, MIX1, T, samples=100)


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (lambda x: x[:, :1], r"shape \(100, 1\).*expected \(100, 2\)"),
        (lambda x: x[:, 0], r"shape \(100,\).*expected \(100, 2\)"),
        (lambda x: x.T, r"shape \(2, 100\)"),
        (lambda x: x[1:], r"shape \(99, 2\)"),
        (lambda x: None, r"dtype object"),
        (lambda x: x.astype(complex), r"dtype complex128"),
        (lambda x: x.astype(str), r"dtype <U"),
        (lambda x: x.astype(object), r"dtype object"),
        (lambda x: x > 0, r"dtype bool"),
    ],
)
def test_a_bad_output_is_named(fn, match):
    with pytest.raises(InvalidArgument, match=match):
        compare_map(fn, MIX2, T, samples=100)


def test_a_non_finite_output_names_its_input():
    seen = {}

    def nan_at_row_3(x):
        seen["x"] = x.copy()
        out = x.copy()
        out[3, 1] = np.nan
        return out

    with pytest.raises(InvalidArgument, match="row 3") as info:
        compare_map(nan_at_row_3, MIX2, T, samples=100)
    assert str(seen["x"][3].tolist()) in str(info.value)


def test_a_non_callable_is_rejected():
    with pytest.raises(InvalidArgument, match="not callable"):
        compare_map(np.zeros(3), MIX1, T)


@pytest.mark.parametrize(
    "make",
    [
        lambda: "N(0, 1)",
        lambda: Density("exp(-x**2/2)", ["x"]),
        lambda: Gaussian([sp.Symbol("m", real=True)], [[1]]),
        lambda: GaussianMixture(
            [sp.Symbol("w", positive=True), 1 - sp.Symbol("w", positive=True)],
            [Gaussian([0], [[1]]), Gaussian([1], [[1]])],
        ),
    ],
    ids=["string", "generic-density", "symbolic-mean", "symbolic-weight"],
)
def test_a_density_without_numbers_is_rejected(make):
    with pytest.raises(InvalidArgument, match=r"density|symbols|numbers"):
        compare_map(identity, make(), T, samples=100)


@pytest.mark.parametrize("t", [0, -1.0, math.nan, math.inf, "0.3", True, None, 1j])
def test_a_bad_time_is_rejected(t):
    with pytest.raises(InvalidArgument, match="t="):
        compare_map(identity, MIX1, t, samples=100)


@pytest.mark.parametrize("samples", [1, 0, 2.5, True, "100", None])
def test_bad_sample_counts_are_rejected(samples):
    with pytest.raises(InvalidArgument, match="samples="):
        compare_map(identity, MIX1, T, samples=samples)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_bad_seeds_are_rejected(seed):
    with pytest.raises(InvalidArgument, match="seed="):
        compare_map(identity, MIX1, T, samples=100, seed=seed)


def test_a_bad_noise_is_rejected():
    with pytest.raises(InvalidArgument, match="noise"):
        compare_map(identity, MIX1, T, noise=3, samples=100)
