"""Masking noise: ``noise_model("masking", p)``, the masked DAE's posterior mean
(:mod:`symtransport._theory.masking`), the masking sampler, and the consumers of noise models
that refuse masking with a typed error.

The closed form is checked against the conditional mean computed here independently, by SciPy
quadrature of the mixture density (SciPy's normal densities), not by the library's SymPy code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate
from scipy.stats import multivariate_normal
from tolerances import MASKING_QUADRATURE, MASKING_ZERO_FRACTION_SIGMAS

from symtransport import (
    NOISE_MODELS,
    NOISE_NAMES,
    Gaussian,
    InvalidArgument,
    MaskingNoise,
    ShallowDAE,
    Status,
    UnsupportedError,
    compare_map,
    empirical_bayes,
    mask_patterns,
    mask_samples,
    masked_derivation,
    masked_map,
    masked_posterior_mean,
    masked_posterior_mean_integral,
    noise_model,
    train_dae,
)
from symtransport._random.corruption import as_noise, corrupt
from symtransport.instances import fixed_gaussian, fixed_mixture

x, y, z = sp.symbols("x y z", real=True)
p = sp.Symbol("p", positive=True)

# --- the noise_model contract ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: noise_model("masking", 0.1), sp.Rational(1, 10)),
        (lambda: noise_model("masking", p=0.25), sp.Rational(1, 4)),
        (lambda: noise_model("masking", sp.Rational(2, 3)), sp.Rational(2, 3)),
        (lambda: noise_model("masking", np.float64(0.3)), sp.Rational(3, 10)),
    ],
)
def test_masking_probability_is_read_as_an_exact_rational(call, expected):
    model = call()
    assert isinstance(model, MaskingNoise)
    assert model.p == expected and model.p.is_Rational
    assert model.name == "masking" and not model.is_additive


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("masking",), {}),
        (("masking", None), {}),
        (("masking", 0), {}),
        (("masking", 1), {}),
        (("masking", -0.2), {}),
        (("masking", 1.5), {}),
        (("masking", float("nan")), {}),
        (("masking", float("inf")), {}),
        (("masking", True), {}),
        (("masking", "0.1"), {}),
        (("masking", sp.Symbol("q", positive=True)), {}),
        (("masking", 0.1), {"p": 0.2}),
        (("masking",), {"cov": [[1]]}),
        (("gaussian",), {"p": 0.1}),
        (("laplace", 0.1), {}),
        (("gaussian", [[1]]), {"cov": [[1]]}),
        (("bernoulli", 0.1), {}),
    ],
)
def test_bad_masking_arguments_are_typed_errors(args, kwargs):
    with pytest.raises(InvalidArgument):
        noise_model(*args, **kwargs)


def test_the_gaussian_covariance_still_works_positionally_and_by_name():
    c = [[2, 0.5], [0.5, 1]]
    assert noise_model("gaussian", c) == noise_model("gaussian", cov=c)
    assert noise_model("gaussian", c).cov == sp.Matrix(
        [[2, sp.Rational(1, 2)], [sp.Rational(1, 2), 1]]
    )
    assert noise_model("gaussian", None) == noise_model() == noise_model("gaussian")
    assert noise_model("uniform").name == "uniform"


def test_masking_is_a_name_but_not_an_additive_model():
    assert "masking" in NOISE_NAMES and "masking" not in NOISE_MODELS
    assert set(NOISE_NAMES) == {*NOISE_MODELS, "masking"}


# --- consumers that refuse masking ---------------------------------------------------------------

MASKING = noise_model("masking", 0.2)
SAMPLES = np.random.default_rng(0).standard_normal((50, 1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: ShallowDAE(Gaussian(0, 1), MASKING),
        lambda: as_noise("masking", 1),
        lambda: as_noise(MASKING, 1),
        lambda: corrupt(np.ones((3, 1)), 0.5, MASKING, np.random.default_rng(0)),
        lambda: train_dae(SAMPLES, 0.5, noise="masking"),
        lambda: train_dae(SAMPLES, 0.5, noise=MASKING),
        lambda: empirical_bayes(SAMPLES, 0.5, noise=MASKING),
        lambda: compare_map(lambda q: q, Gaussian(0, 1), 0.5, noise="masking", samples=10),
        lambda: MASKING.density([x], sp.Symbol("t", positive=True)),
        lambda: MASKING.convolve(x, [x], [y], sp.Symbol("t", positive=True)),
        lambda: MASKING.covariance(1, sp.Symbol("t", positive=True)),
    ],
)
def test_consumers_of_additive_noise_refuse_masking(call):
    with pytest.raises(UnsupportedError, match="masking"):
        call()


# --- the posterior mean ---------------------------------------------------------------------------


def reference_posterior_mean(mixture, pattern, point):
    """``(x_O, E[x_M | x_O])`` by SciPy quadrature of the mixture density over the masked
    coordinate (one masked coordinate); ``x~`` itself when nothing is masked, the mixture mean
    when all are."""
    weights = [float(w) for w in mixture.weights]
    means = [np.array(c.mean, dtype=float).ravel() for c in mixture.components]
    covs = [np.array(c.cov, dtype=float) for c in mixture.components]
    hidden = [i for i, m in enumerate(pattern) if m]
    if not hidden:  # nothing masked: x = x~
        return np.array(point, dtype=float)
    if len(hidden) == len(pattern):
        return np.sum([w * mu for w, mu in zip(weights, means, strict=True)], axis=0)
    (h,) = hidden

    def density(value: float) -> float:
        q = np.array(point, dtype=float)
        q[h] = value
        return sum(
            w * multivariate_normal(mu, c).pdf(q)
            for w, mu, c in zip(weights, means, covs, strict=True)
        )

    options = {"epsabs": 0, "epsrel": 1e-12, "limit": 200}
    num = integrate.quad(lambda v: v * density(v), -math.inf, math.inf, **options)[0]
    den = integrate.quad(density, -math.inf, math.inf, **options)[0]
    out = np.array(point, dtype=float)
    out[h] = num / den
    return out


@pytest.mark.parametrize("pattern", mask_patterns(2))
@pytest.mark.parametrize("point", [(0.7, -1.2), (-2.0, 0.4)])
def test_closed_form_matches_quadrature(pattern, point):
    mixture = fixed_mixture(2)
    closed = masked_posterior_mean(mixture, pattern, (x, y))
    q = [0.0 if m else v for v, m in zip(point, pattern, strict=True)]
    got = np.array([float(c.subs({x: q[0], y: q[1]})) for c in closed])
    want = reference_posterior_mean(mixture, pattern, q)
    assert np.allclose(got, want, rtol=MASKING_QUADRATURE, atol=MASKING_QUADRATURE)


def test_the_integral_form_mentions_p_and_the_closed_form_does_not():
    mixture = fixed_mixture(2)
    assert masked_posterior_mean_integral(mixture, (False, True), (x, y), p).has(p)
    assert not masked_posterior_mean(mixture, (False, True), (x, y)).has(p)


def test_nothing_masked_is_the_identity_and_everything_masked_is_the_mean():
    mixture = fixed_mixture(3)
    assert masked_posterior_mean(mixture, (False,) * 3, (x, y, z)) == sp.Matrix([x, y, z])
    assert masked_posterior_mean(mixture, (True,) * 3, (x, y, z)) == mixture.mean


def test_patterns_run_from_nothing_to_everything_masked():
    patterns = mask_patterns(3)
    assert len(patterns) == len(set(patterns)) == 8
    assert patterns[0] == (False,) * 3 and patterns[-1] == (True,) * 3


def test_the_whole_map_picks_the_pattern_of_zeros():
    mixture = fixed_mixture(2)
    g = masked_map(mixture, (x, y))
    for pattern in mask_patterns(2):
        point = {
            x: 0 if pattern[0] else sp.Rational(7, 10),
            y: 0 if pattern[1] else sp.Rational(-6, 5),
        }
        expected = masked_posterior_mean(mixture, pattern, (x, y)).subs(point)
        assert sp.simplify(g.subs(point) - expected) == sp.zeros(2, 1)


def test_a_derivation_per_pattern_is_proved():
    gaussian = fixed_gaussian(2)
    for pattern in mask_patterns(2):
        derivation = masked_derivation(gaussian, pattern, (x, y)).verify()
        assert derivation.status == Status.PROVED, derivation.to_text()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: masked_posterior_mean(fixed_mixture(2), (True,), (x, y)), "entries"),
        (lambda: masked_posterior_mean(object(), (True,), (x,)), "closed form"),
    ],
)
def test_bad_patterns_and_densities_are_typed_errors(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


# --- the sampler ----------------------------------------------------------------------------------


def test_mask_samples_zeroes_each_coordinate_independently_with_probability_p():
    n, prob = 200_000, 0.3
    x0 = np.random.default_rng(1).uniform(1.0, 2.0, (n, 2))  # no zero in the clean data
    noisy = mask_samples(x0, prob, np.random.default_rng(2))
    zero = noisy == 0.0
    sd = math.sqrt(prob * (1 - prob) / n)
    assert np.all(abs(zero.mean(axis=0) - prob) < MASKING_ZERO_FRACTION_SIGMAS * sd)
    both = prob * prob
    sd_both = math.sqrt(both * (1 - both) / n)
    assert abs(zero.all(axis=1).mean() - both) < MASKING_ZERO_FRACTION_SIGMAS * sd_both
    assert np.array_equal(noisy[~zero], x0[~zero])  # what is kept is unchanged


def test_mask_samples_is_deterministic_for_a_seed():
    x0 = np.ones((100, 3))
    first = mask_samples(x0, 0.5, np.random.default_rng(7))
    assert np.array_equal(first, mask_samples(x0, 0.5, np.random.default_rng(7)))


@pytest.mark.parametrize(
    ("x0", "prob"),
    [(np.ones(5), 0.5), (np.ones((5, 2)), 0.0), (np.ones((5, 2)), True), (np.ones((5, 2)), 1.0)],
)
def test_mask_samples_rejects_bad_arguments(x0, prob):
    with pytest.raises(InvalidArgument):
        mask_samples(x0, prob, np.random.default_rng(0))


@pytest.mark.parametrize("name", ["gaussian", "laplace", "uniform"])
def test_cov_none_still_means_no_covariance_for_every_additive_model(name):
    # callers of the old noise_model(name, cov=None) keep working
    assert noise_model(name, cov=None) == noise_model(name)
    assert noise_model(name, None) == noise_model(name)


@pytest.mark.parametrize("x0", ["ab", [[1.0, "a"]]])
def test_mask_samples_refuses_what_is_not_numbers(x0):
    with pytest.raises(InvalidArgument, match="not an array of numbers"):
        mask_samples(x0, 0.5, np.random.default_rng(0))
