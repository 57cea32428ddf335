"""Sliced KS tests: exact samples pass, a wrong scale is rejected. Sliced Wasserstein-2
distances against mpmath quantiles, optimal assignments and exact shifts."""

import mpmath
import numpy as np
import pytest
from scipy import integrate, optimize, stats
from tolerances import FLOAT64_FEW_OPS, MC_W2_SQUARED_FACTOR

from symtransport import InvalidArgument
from symtransport._random.samples import (
    directions,
    mixture_quantile,
    same_distribution,
    sliced_w2,
    sliced_w2_samples,
)

WEIGHTS = np.array([0.4, 0.6])
MEANS = np.array([[0.0, 0.0], [3.0, -1.0]])
COVS = np.array([[[1.0, 0.3], [0.3, 0.5]], [[2.0, 0.0], [0.0, 1.0]]])


def draw(n, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    k = rng.choice(2, size=n, p=WEIGHTS)
    z = rng.standard_normal((n, 2))
    factors = np.linalg.cholesky(COVS)
    return MEANS[k] + scale * np.einsum("nij,nj->ni", factors[k], z)


def test_directions_are_unit_vectors():
    u = directions(3)
    assert u.shape == (9, 3)
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), 1.0)


@pytest.mark.parametrize("seed", range(5))
def test_exact_samples_are_accepted(seed):
    result = same_distribution(draw(2000, seed), (WEIGHTS, MEANS, COVS), other=draw(2000, 99))
    assert result.accepted and result.tests == 8


@pytest.mark.parametrize("seed", range(5))
def test_a_wrong_scale_is_rejected(seed):
    """Power at n = 2000, alpha = 1e-6: a 40% wider mixture is rejected (20 of 20 seeds when
    measured; 30% wider: 7 of 10). KS is a blunt instrument: the property checks pair it with
    the change of variables along every particle."""
    result = same_distribution(draw(2000, seed, scale=1.4), (WEIGHTS, MEANS, COVS))
    assert not result.accepted


def test_bad_arguments():
    with pytest.raises(InvalidArgument):
        same_distribution(np.zeros(5))
    with pytest.raises(InvalidArgument):
        same_distribution(np.zeros((5, 2)))


# --- sliced Wasserstein-2 distances -----------------------------------------------------------

# a 1-D mixture with weights exact in binary, so that the mpmath references use the same law
W1D = np.array([0.25, 0.75])
M1D = np.array([[-2.0], [1.5]])
V1D = np.array([[[0.5]], [[2.0]]])
ANGLES = np.pi * np.arange(32) / 32
CIRCLE = np.column_stack([np.cos(ANGLES), np.sin(ANGLES)])


def draw_1d(n, seed):
    rng = np.random.default_rng(seed)
    k = rng.choice(2, size=n, p=W1D)
    return M1D[k] + np.sqrt(V1D[k, 0]) * rng.standard_normal((n, 1))


def mp_quantile(p, q=None):
    """The 1-D mixture's quantile at 30 digits: the root of ``F(x) - p``, or of ``q - S(x)`` in
    the upper tail (``S`` the survival function, which keeps its digits there), by 120
    bisections of ``[-40, 40]`` (to 1e-34)."""
    with mpmath.workdps(30):
        parts = [
            (mpmath.mpf(w), mpmath.mpf(m), mpmath.sqrt(v))
            for w, m, v in zip(W1D, M1D[:, 0], V1D[:, 0, 0], strict=True)
        ]

        def residual(x):
            if q is None:
                return sum(w * mpmath.ncdf(x, m, s) for w, m, s in parts) - mpmath.mpf(p)
            return mpmath.mpf(q) - sum(w * mpmath.ncdf(-x, -m, s) for w, m, s in parts)

        lo, hi = mpmath.mpf(-40), mpmath.mpf(40)
        for _ in range(120):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if residual(mid) < 0 else (lo, mid)
        return (lo + hi) / 2


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (1e-12, None),
        (1e-6, None),
        (0.1, None),
        (0.25, None),
        (0.26, None),
        (0.5, None),
        (None, 0.3),
        (None, 1e-6),
        (None, 1e-12),
    ],
)
def test_mixture_quantiles_match_mpmath(p, q):
    """Both tails (``q = 1 - p`` given exactly above the median), the bulk, and just above
    the first component's mass 0.25, between the modes."""
    exact = mp_quantile(p, q)
    prob = 1.0 - q if p is None else p
    value = mixture_quantile(
        W1D,
        M1D[:, 0],
        np.sqrt(V1D[:, 0, 0]),
        np.array([prob]),
        None if q is None else np.array([q]),
    )[0]
    assert abs(value - float(exact)) <= FLOAT64_FEW_OPS * max(1.0, abs(float(exact)))


def test_the_1d_distance_matches_mpmath_quantiles():
    y = draw_1d(40, 5)
    n = y.shape[0]
    quantiles = np.array([float(mp_quantile((i - 0.5) / n)) for i in range(1, n + 1)])
    expected = np.sqrt(np.mean((np.sort(y[:, 0]) - quantiles) ** 2))
    assert abs(sliced_w2(y, (W1D, M1D, V1D)) - expected) <= FLOAT64_FEW_OPS * expected


def expected_floor(weights, means, covs, units, n):
    """``E SW2^2`` of an exact ``n``-sample, to leading order: the mean over the directions of
    ``(1/n) int F (1 - F) / f`` over the central ``1 - 1/n`` of the projected mixture's mass
    (SciPy's normal distribution functions, brentq for the ends, quad for the integral)."""
    total = 0.0
    for u in units:
        c = means @ u
        s = np.sqrt(np.einsum("i,kij,j->k", u, covs, u))

        def cdf(x, c=c, s=s):
            return float(weights @ stats.norm.cdf(x, c, s))

        def sf(x, c=c, s=s):
            return float(weights @ stats.norm.sf(x, c, s))

        def pdf(x, c=c, s=s):
            return float(weights @ stats.norm.pdf(x, c, s))

        lo, hi = float(np.min(c - 12 * s)), float(np.max(c + 12 * s))
        a = optimize.brentq(lambda x: cdf(x) - 0.5 / n, lo, hi, xtol=1e-14)
        b = optimize.brentq(lambda x: sf(x) - 0.5 / n, lo, hi, xtol=1e-14)
        inside = [x for x in np.sort(c) if a < x < b]
        value, _ = integrate.quad(lambda x: cdf(x) * sf(x) / pdf(x), a, b, points=inside, limit=200)
        total += value / n
    return total / len(units)


@pytest.mark.parametrize("d", [1, 2])
def test_an_exact_sample_is_within_the_statistical_floor(d):
    n = 20_000
    if d == 1:
        y, mixture, units = draw_1d(n, 11), (W1D, M1D, V1D), np.ones((1, 1))
    else:
        y, mixture, units = draw(n, 11), (WEIGHTS, MEANS, COVS), CIRCLE
    floor = expected_floor(*mixture, units, n)
    assert sliced_w2(y, mixture) ** 2 <= MC_W2_SQUARED_FACTOR * floor


@pytest.mark.parametrize("d", [1, 2])
def test_a_shifted_sample_is_at_the_shift(d):
    """Every sorted projection moves by ``u . c``, so by the triangle inequality (in L2 over
    directions and ranks) the distance is ``sqrt(mean_u (u . c)^2)`` up to the unshifted
    sample's own distance: ``|c|`` in 1-D, ``|c| / sqrt(2)`` over 32 evenly spaced angles."""
    if d == 1:
        y, mixture, shift, expected = draw_1d(20_000, 3), (W1D, M1D, V1D), np.array([0.5]), 0.5
    else:
        y, mixture, shift = draw(20_000, 3), (WEIGHTS, MEANS, COVS), np.array([0.3, -0.4])
        expected = 0.5 / np.sqrt(2)
    own = sliced_w2(y, mixture)
    assert own <= 0.1 * expected  # far below the shift
    assert abs(sliced_w2(y + shift, mixture) - expected) <= own + FLOAT64_FEW_OPS


def test_two_samples():
    a, b = draw(300, 1), draw(300, 2)
    assert sliced_w2_samples(a, a) == 0.0
    assert sliced_w2_samples(a, b) == sliced_w2_samples(b, a)
    one = a[:, :1]
    assert abs(sliced_w2_samples(one, one + 0.7) - 0.7) <= FLOAT64_FEW_OPS
    # 1-D: the optimal coupling of two equal-size samples, found by linear assignment
    x, y = a[:50, :1], b[:50, :1]
    rows, cols = optimize.linear_sum_assignment((x - y.T) ** 2)
    expected = np.sqrt(np.mean((x[rows, 0] - y[cols, 0]) ** 2))
    assert abs(sliced_w2_samples(x, y) - expected) <= FLOAT64_FEW_OPS * expected


def test_default_directions():
    y = draw(500, 4)
    mixture = (WEIGHTS, MEANS, COVS)
    default = sliced_w2(y, mixture)
    assert abs(sliced_w2(y, mixture, directions=CIRCLE) - default) <= FLOAT64_FEW_OPS * default
    # directions are normalised
    assert abs(sliced_w2(y, mixture, directions=3 * CIRCLE) - default) <= FLOAT64_FEW_OPS * default
    y3 = np.column_stack([y, y[:, 0]])
    covs3 = np.stack([np.eye(3), 2 * np.eye(3)])
    mixture3 = (WEIGHTS, np.column_stack([MEANS, MEANS[:, 0]]), covs3)
    default3 = sliced_w2(y3, mixture3)
    assert abs(sliced_w2(y3, mixture3, directions=directions(3)) - default3) <= (
        FLOAT64_FEW_OPS * default3
    )


def test_sliced_w2_bad_arguments():
    mixture = (WEIGHTS, MEANS, COVS)
    with pytest.raises(InvalidArgument):
        sliced_w2(np.zeros(5), mixture)
    with pytest.raises(InvalidArgument):
        sliced_w2(np.zeros((5, 3)), mixture)
    with pytest.raises(InvalidArgument):
        sliced_w2(np.zeros((5, 2)), (np.array([0.5, -0.5]), MEANS, COVS))
    with pytest.raises(InvalidArgument):
        sliced_w2(np.zeros((5, 2)), mixture, directions=np.zeros((1, 2)))
    with pytest.raises(InvalidArgument):
        sliced_w2_samples(np.zeros((5, 2)), np.zeros((6, 2)))
    for p in ([0.0, 0.5], [0.5, 1.0], [[0.5]]):
        with pytest.raises(InvalidArgument):
            mixture_quantile(W1D, M1D[:, 0], np.ones(2), np.array(p))
