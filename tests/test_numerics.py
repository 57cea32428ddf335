"""Reference numerics (symtransport._random.numerics) against closed forms and independent, more
precise computations: 30-digit mpmath quadrature (1-D, and 2-D/3-D mixtures that separate into
a 1-D mixture times Gaussians, rotated by exactly rational rotations) and a composite
Gauss-Legendre rule evaluated in 64-bit-mantissa arithmetic (numpy longdouble) in 2-D, itself
cross-checked at two resolutions. Every comparison checks the true error against both the
issue's accuracy contract and the error the estimate reports."""

import functools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from mpmath.calculus.quadrature import GaussLegendre
from tolerances import (
    CONTRACT_ENTROPY_FISHER_1D,
    CONTRACT_ENTROPY_FISHER_2D,
    CONTRACT_LOG_PDF,
    FLOAT64_FEW_OPS,
    FLOAT64_TRAPEZOID_MOMENTS,
    LONGDOUBLE_RULES_AGREE,
    MC_SE_RESCALE_FACTOR,
    MC_SIGMAS,
    MC_SPREAD_FACTOR,
    MP30_RESULT,
)

from symtransport import Density, Gaussian, GaussianMixture
from symtransport._random import numerics
from symtransport.errors import InvalidArgument, UnsupportedError

LD = np.longdouble


def mix(weights, means, covs):
    return GaussianMixture(
        [sp.Rational(str(w)) for w in weights],
        [Gaussian(m, s) for m, s in zip(means, covs, strict=True)],
    )


def rel(a, b):
    return abs(a - b) / max(1.0, abs(b))


def assert_accurate(est, truth, tol):
    """True error within the contract, within the reported error, and the reported error
    itself within the contract (the method states an accuracy it meets)."""
    assert est.method == "quadrature"
    assert rel(est.value, truth) <= tol, (est, truth)
    assert abs(est.value - truth) <= est.error, (est, truth, abs(est.value - truth))
    assert est.error <= tol * max(1.0, abs(truth)), est


# --- references ------------------------------------------------------------------------------


def mp_reference_1d(weights, means, variances, dps=30):
    """(H, I) of a 1-D mixture by mpmath.quad at ``dps`` digits, break points at each mean
    +- 0..13 standard deviations; asserts that mpmath's error estimate is negligible."""
    with mpmath.workdps(dps):
        w = [mpmath.mpf(float(a)) for a in weights]
        m = [mpmath.mpf(float(a)) for a in means]
        v = [mpmath.mpf(float(a)) for a in variances]
        c = [wk / mpmath.sqrt(2 * mpmath.pi * vk) for wk, vk in zip(w, v, strict=True)]

        def parts(x):
            terms = [
                ck * mpmath.exp(-((x - mk) ** 2) / (2 * vk))
                for ck, mk, vk in zip(c, m, v, strict=True)
            ]
            mu = mpmath.fsum(terms)
            dmu = mpmath.fsum(-t * (x - mk) / vk for t, mk, vk in zip(terms, m, v, strict=True))
            return mu, dmu

        def h(x):
            mu, _ = parts(x)
            return -mu * mpmath.log(mu) if mu else mpmath.zero

        def fisher(x):
            mu, dmu = parts(x)
            return dmu * dmu / mu if mu else mpmath.zero

        steps = (0, 1, 2, 3, 4, 6, 8, 10, 13)
        pts = sorted(
            {
                mk + s * j * mpmath.sqrt(vk)
                for mk, vk in zip(m, v, strict=True)
                for j in steps
                for s in (1, -1)
            }
        )
        pts = [-mpmath.inf, *pts, mpmath.inf]
        ent, eh = mpmath.quad(h, pts, error=True)
        fi, ei = mpmath.quad(fisher, pts, error=True)
        assert eh < MP30_RESULT and ei < MP30_RESULT * max(1, abs(fi))
        return float(ent), float(fi)


@functools.cache
def gl_rule(degree):
    """Gauss-Legendre nodes and weights on [-1, 1] (3 * 2^(degree-1) points), from mpmath at
    30 digits, as longdouble."""
    with mpmath.workdps(30):
        pairs = GaussLegendre(mpmath.mp).calc_nodes(degree, mpmath.mp.prec)
        x = np.array([LD(mpmath.nstr(p[0], 25)) for p in pairs])
        w = np.array([LD(mpmath.nstr(p[1], 25)) for p in pairs])
    return x, w


def panel_rule(centers, reach, fine, growth, degree):
    """Composite GL on one axis: panels at most ``fine_k`` wide within ``reach_k`` of
    ``center_k``, widening by ``growth`` per unit distance outside."""
    nodes, weights = gl_rule(degree)
    lo = min(c - r for c, r in zip(centers, reach, strict=True))
    hi = max(c + r for c, r in zip(centers, reach, strict=True))

    def width(x):
        return min(
            f + growth * max(0.0, abs(x - c) - r)
            for c, r, f in zip(centers, reach, fine, strict=True)
        )

    edges = [lo]
    while edges[-1] < hi:
        edges.append(min(hi, edges[-1] + width(edges[-1]) / (1 + growth)))
    e = np.array(edges, dtype=LD)
    mid, half = (e[1:] + e[:-1]) / 2, (e[1:] - e[:-1]) / 2
    return (mid[:, None] + half[:, None] * nodes).ravel(), (half[:, None] * weights).ravel()


def ld_reference_2d(density, fine, degree, growth=0.4, reach=10.5):
    """(H, I) of a 2-D mixture: tensor composite GL in the original coordinates, panels
    ``fine`` times the smallest standard deviation near each component, in longdouble; the
    parameters (precision, log det) from mpmath at 40 digits."""
    weights, means, covs = numerics.mixture_arrays(density)
    comps = []
    with mpmath.workdps(40):
        for w, m, s in zip(weights, means, covs, strict=True):
            sm = mpmath.matrix([[mpmath.mpf(float(s[i, j])) for j in range(2)] for i in range(2)])
            p = sm**-1
            const = mpmath.log(w) - mpmath.log(2 * mpmath.pi) - mpmath.log(mpmath.det(sm)) / 2
            comps.append(
                (
                    m.astype(LD),
                    np.array([[LD(mpmath.nstr(p[i, j], 30)) for j in range(2)] for i in range(2)]),
                    LD(mpmath.nstr(const, 30)),
                )
            )
    smallest = [math.sqrt(np.linalg.eigvalsh(s)[0]) for s in covs]
    rules = [
        panel_rule(
            [m[a] for m in means],
            [reach * math.sqrt(s[a, a]) for s in covs],
            [fine * sd for sd in smallest],
            growth,
            degree,
        )
        for a in range(2)
    ]
    (x1, w1), (x2, w2) = rules
    ent = fi = LD(0)
    for start in range(0, x1.size, 128):
        d = [(x1[start : start + 128, None] - m[0], x2[None, :] - m[1]) for m, _, _ in comps]
        logs = np.stack(
            [
                c - (p[0, 0] * a * a + 2 * p[0, 1] * a * b + p[1, 1] * b * b) / 2
                for (a, b), (_, p, c) in zip(d, comps, strict=True)
            ]
        )
        top = logs.max(axis=0)
        log_mu = top + np.log(np.exp(logs - top).sum(axis=0))
        gamma = np.exp(logs - log_mu)
        g = [
            -sum(
                gk * (p[i, 0] * a + p[i, 1] * b)
                for gk, (a, b), (_, p, _) in zip(gamma, d, comps, strict=True)
            )
            for i in range(2)
        ]
        cell = w1[start : start + 128, None] * w2[None, :]
        mu = np.exp(log_mu)
        ent += (cell * (-mu * log_mu)).sum()
        fi += (cell * mu * (g[0] * g[0] + g[1] * g[1])).sum()
    return float(ent), float(fi)


def checked_reference_2d(density):
    """The 2-D reference at two independent resolutions, which must agree."""
    h1, i1 = ld_reference_2d(density, fine=2.0, degree=3)
    h2, i2 = ld_reference_2d(density, fine=2.5, degree=4)
    assert rel(h1, h2) <= LONGDOUBLE_RULES_AGREE and rel(i1, i2) <= LONGDOUBLE_RULES_AGREE, (
        h1,
        h2,
        i1,
        i2,
    )
    return h2, i2


def mp_gaussian(mean, cov):
    """Closed forms at 30 digits from the float parameters: H = d/2 log(2 pi e) + log det S / 2,
    I = tr S^-1."""
    s = np.atleast_2d(np.asarray(cov, dtype=float))
    d = s.shape[0]
    with mpmath.workdps(30):
        sm = mpmath.matrix([[mpmath.mpf(float(s[i, j])) for j in range(d)] for i in range(d)])
        ent = d * mpmath.log(2 * mpmath.pi * mpmath.e) / 2 + mpmath.log(mpmath.det(sm)) / 2
        inv = sm**-1
        fi = mpmath.fsum(inv[i, i] for i in range(d))
        return float(ent), float(fi)


def rotation(degrees):
    t = math.radians(degrees)
    return np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])


def rotated_cov(l1, l2, degrees):
    """``R diag(l1, l2) R^T`` rounded to 9 decimals (symmetric, exactly as given)."""
    r = rotation(degrees)
    s = r @ np.diag([l1, l2]) @ r.T
    s = np.round((s + s.T) / 2, 9)
    return s.tolist()


# --- Gaussians: closed forms -----------------------------------------------------------------

GAUSSIANS = {
    "1d": (1.5, 0.7),
    "1d-tiny": (-3.0, 0.001),
    "1d-large": (2.0, 100.0),
    "2d-rotated-cond100": ([0.5, -1.0], rotated_cov(0.1, 10.0, 37)),
    "2d-tiny": ([1.0, 2.0], [[0.001, 0], [0, 0.001]]),
    "2d-large": ([-4.0, 3.0], [[100, 0], [0, 100]]),
    "2d-tiny-rotated": ([0.0, 0.0], rotated_cov(0.001, 0.1, -62)),
}


@pytest.mark.parametrize("name", list(GAUSSIANS))
def test_gaussian_entropy_and_fisher_closed_forms(name):
    mean, cov = GAUSSIANS[name]
    g = Gaussian(mean, cov)
    ent, fi = mp_gaussian(mean, cov)
    tol = CONTRACT_ENTROPY_FISHER_1D if g.dim == 1 else CONTRACT_ENTROPY_FISHER_2D
    assert_accurate(numerics.entropy(g), ent, tol)
    assert_accurate(numerics.fisher_information(g), fi, tol)


def test_gaussian_3d_is_exact_by_the_closed_form():
    cov = [[2.0, 0.3, 0.0], [0.3, 1.0, 0.1], [0.0, 0.1, 0.5]]
    g = Gaussian([0, 1, 2], cov)
    ent, fi = mp_gaussian([0, 1, 2], cov)
    for est, truth in ((numerics.entropy(g), ent), (numerics.fisher_information(g), fi)):
        # one component: the telescoping sum has no sampled part, the value is the closed form
        assert est.method == "monte carlo" and est.samples == 0 and est.error == 0.0
        assert rel(est.value, truth) <= CONTRACT_ENTROPY_FISHER_1D


# --- 1-D mixtures against mpmath ---------------------------------------------------------------

MIXTURES_1D = {
    "far-apart": ([0.5, 0.5], [-8.0, 8.0], [1.0, 1.0]),
    "far-apart-narrow": ([0.616, 0.384], [-7.08, 7.71], [0.0391, 0.0018]),
    "overlapping": ([0.3, 0.7], [0.1, 0.25], [1.0, 0.5]),
    "narrow-beside-wide": ([0.3, 0.5, 0.2], [-2.0, 0.5, 3.0], [1.0, 0.001, 50.0]),
    "random-3": ([0.198, 0.313, 0.489], [-7.56, 4.06, 0.61], [8.7527, 0.0328, 0.1851]),
    "random-3-overlap": ([0.027, 0.527, 0.446], [6.12, 6.1443, 3.42], [0.028, 0.0034, 0.001]),
}


@pytest.mark.parametrize("name", list(MIXTURES_1D))
def test_mixture_1d_against_mpmath(name):
    weights, means, variances = MIXTURES_1D[name]
    mu = mix(weights, means, variances)
    w, m, s = numerics.mixture_arrays(mu)
    ent, fi = mp_reference_1d(w, m[:, 0], s[:, 0, 0])
    assert_accurate(numerics.entropy(mu), ent, CONTRACT_ENTROPY_FISHER_1D)
    assert_accurate(numerics.fisher_information(mu), fi, CONTRACT_ENTROPY_FISHER_1D)


def test_order_of_components_does_not_matter():
    weights, means, variances = MIXTURES_1D["narrow-beside-wide"]
    a = mix(weights, means, variances)
    b = mix(weights[::-1], means[::-1], variances[::-1])
    for f in (numerics.entropy, numerics.fisher_information):
        ea, eb = f(a), f(b)
        assert abs(ea.value - eb.value) <= ea.error + eb.error


# --- 2-D mixtures ----------------------------------------------------------------------------

MIXTURES_2D = {
    "overlapping-rotated": (
        [0.3, 0.45, 0.25],
        [[0, 0], [1.2, -0.5], [-0.8, 1.0]],
        [rotated_cov(0.2, 2.0, 30), [[0.5, 0], [0, 0.5]], rotated_cov(0.05, 1.5, -70)],
    ),
    "far-apart-anisotropic": (
        [0.3, 0.7],
        [[-8, 3], [8, -2]],
        [rotated_cov(0.1, 4.0, 20), rotated_cov(1.0, 10.0, 100)],
    ),
    "narrow-beside-wide": (
        [0.2, 0.3, 0.5],
        [[2, 1], [0, 0], [-3, 2]],
        [rotated_cov(0.001, 0.004, 40), rotated_cov(20, 50, 10), [[1, 0], [0, 2]]],
    ),
    "crossing-cond100": (
        [0.5, 0.5],
        [[0, 0], [0.3, 0.1]],
        [[[0.01, 0], [0, 1]], [[1, 0], [0, 0.01]]],
    ),
}


@pytest.mark.parametrize("name", list(MIXTURES_2D))
def test_mixture_2d_against_longdouble_gauss_legendre(name):
    mu = mix(*MIXTURES_2D[name])
    ent, fi = checked_reference_2d(mu)
    assert_accurate(numerics.entropy(mu), ent, CONTRACT_ENTROPY_FISHER_2D)
    assert_accurate(numerics.fisher_information(mu), fi, CONTRACT_ENTROPY_FISHER_2D)


def test_longdouble_reference_reproduces_a_gaussian():
    """The 2-D reference itself, on a case with a closed form."""
    mean, cov = GAUSSIANS["2d-rotated-cond100"]
    ent, fi = checked_reference_2d(Gaussian(mean, cov))
    h, i = mp_gaussian(mean, cov)
    assert rel(ent, h) <= LONGDOUBLE_RULES_AGREE and rel(fi, i) <= LONGDOUBLE_RULES_AGREE


# exactly rational rotations (Pythagorean triples) keep the rotated parameters exact
ROT2 = sp.Matrix([[3, -4], [4, 3]]) / 5
ROT3 = sp.Matrix([[1, 4, 8], [4, 7, -4], [8, -4, 1]]) / 9


def separable(weights, means, variances, extra_variances, rot):
    """``sum_k w_k N(m_k, v_k) (x) N(0, diag(extra))`` rotated by ``rot``: its entropy and
    Fisher information are the 1-D mixture's plus the extra Gaussian factors'."""
    comps = []
    for m, v in zip(means, variances, strict=True):
        mean = rot * sp.Matrix([sp.Rational(str(m))] + [0] * len(extra_variances))
        cov = rot * sp.diag(sp.Rational(str(v)), *map(sp.Rational, extra_variances)) * rot.T
        comps.append(Gaussian(mean, cov))
    mu = GaussianMixture([sp.Rational(str(w)) for w in weights], comps)
    ent, fi = mp_reference_1d(weights, means, variances)
    for a in extra_variances:
        ent += 0.5 * math.log(2 * math.pi * math.e * float(sp.Rational(a)))
        fi += 1 / float(sp.Rational(a))
    return mu, ent, fi


def test_rotated_separable_2d_mixture_against_mpmath():
    weights, means, variances = MIXTURES_1D["random-3"]
    mu, ent, fi = separable(weights, means, variances, ["1/7"], ROT2)
    assert_accurate(numerics.entropy(mu), ent, CONTRACT_ENTROPY_FISHER_2D)
    assert_accurate(numerics.fisher_information(mu), fi, CONTRACT_ENTROPY_FISHER_2D)


# --- Monte Carlo in 3-D ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def separable_3d():
    return separable([0.3, 0.45, 0.25], [-1.0, 0.5, 2.0], [1.0, 0.3, 2.0], ["1/2", "3"], ROT3)


@pytest.mark.parametrize("functional", ["entropy", "fisher_information"])
def test_monte_carlo_3d_within_standard_errors(separable_3d, functional):
    mu, ent, fi = separable_3d
    f, truth = getattr(numerics, functional), {"entropy": ent, "fisher_information": fi}[functional]
    small = [f(mu, samples=20_000, seed=seed) for seed in range(12)]
    for est in small:
        assert est.method == "monte carlo" and est.samples >= 20_000
        assert abs(est.value - truth) <= MC_SIGMAS * est.error, (est, truth)
    # the standard error is the spread it claims to be
    spread = np.std([e.value for e in small], ddof=1)
    reported = np.mean([e.error for e in small])
    assert 1 / MC_SPREAD_FACTOR <= spread / reported <= MC_SPREAD_FACTOR, (spread, reported)
    big = f(mu, samples=400_000, seed=99)
    assert abs(big.value - truth) <= MC_SIGMAS * big.error
    scaled = small[0].error * math.sqrt(small[0].samples / big.samples)
    assert 1 / MC_SE_RESCALE_FACTOR <= scaled / big.error <= MC_SE_RESCALE_FACTOR


# --- expectation ---------------------------------------------------------------------------------

MOMENT_CASES = {
    "1d": MIXTURES_1D["narrow-beside-wide"],
    "2d": MIXTURES_2D["overlapping-rotated"],
    "2d-narrow": MIXTURES_2D["narrow-beside-wide"],
}


def exact_moments(mu):
    w, m, s = numerics.mixture_arrays(mu)
    mean = (w[:, None] * m).sum(axis=0)
    second = (w[:, None, None] * (s + m[:, :, None] * m[:, None, :])).sum(axis=0)
    return mean, second


@pytest.mark.parametrize("name", list(MOMENT_CASES))
def test_expectation_of_mass_mean_and_second_moments(name):
    mu = mix(*MOMENT_CASES[name])
    mean, second = exact_moments(mu)
    scale = max(1.0, float(np.abs(second).max()))
    mass = numerics.expectation(mu, lambda X: np.ones(len(X)))
    assert (
        abs(mass.value - 1.0) <= FLOAT64_TRAPEZOID_MOMENTS and abs(mass.value - 1.0) <= mass.error
    )
    for i in range(mu.dim):
        e = numerics.expectation(mu, lambda X, i=i: X[:, i])
        assert abs(e.value - mean[i]) <= FLOAT64_TRAPEZOID_MOMENTS * scale
        assert abs(e.value - mean[i]) <= e.error
        for j in range(mu.dim):
            e = numerics.expectation(mu, lambda X, i=i, j=j: X[:, i] * X[:, j])
            assert abs(e.value - second[i, j]) <= FLOAT64_TRAPEZOID_MOMENTS * scale
            assert abs(e.value - second[i, j]) <= e.error


def test_expectation_monte_carlo_moments_3d(separable_3d):
    mu = separable_3d[0]
    mean, second = exact_moments(mu)
    for i in range(3):
        e = numerics.expectation(mu, lambda X, i=i: X[:, i], samples=50_000, seed=i)
        assert e.method == "monte carlo" and abs(e.value - mean[i]) <= MC_SIGMAS * e.error
        e = numerics.expectation(mu, lambda X, i=i: X[:, i] ** 2, samples=50_000, seed=i)
        assert abs(e.value - second[i, i]) <= MC_SIGMAS * e.error


@pytest.mark.parametrize(
    ("name", "table"), [("narrow-beside-wide", MIXTURES_1D), ("narrow-beside-wide", MIXTURES_2D)]
)
def test_expectation_of_minus_log_pdf_is_the_entropy(name, table):
    """Two different decompositions (the telescoping sum; plain components on refined grids)."""
    mu = mix(*table[name])
    direct = numerics.expectation(mu, lambda X: -numerics.log_pdf(mu, X))
    h = numerics.entropy(mu)
    assert abs(direct.value - h.value) <= direct.error + h.error


# --- pointwise -------------------------------------------------------------------------------


def mp_log_pdf_and_score(mu, x):
    w, m, s = numerics.mixture_arrays(mu)
    with mpmath.workdps(40):
        xv = mpmath.matrix([mpmath.mpf(float(a)) for a in x])
        terms, grads = [], []
        for wk, mk, sk in zip(w, m, s, strict=True):
            sm = mpmath.matrix([[mpmath.mpf(float(b)) for b in row] for row in sk])
            diff = xv - mpmath.matrix([mpmath.mpf(float(a)) for a in mk])
            p = sm**-1
            q = (diff.T * p * diff)[0]
            d = len(x)
            log_t = (
                mpmath.log(wk)
                - d * mpmath.log(2 * mpmath.pi) / 2
                - mpmath.log(mpmath.det(sm)) / 2
                - q / 2
            )
            terms.append(log_t)
            grads.append(-(p * diff))
        top = max(terms)
        total = top + mpmath.log(mpmath.fsum(mpmath.exp(t - top) for t in terms))
        gamma = [mpmath.exp(t - total) for t in terms]
        g = [
            float(mpmath.fsum(gk * gr[i] for gk, gr in zip(gamma, grads, strict=True)))
            for i in range(len(x))
        ]
        return float(total), np.array(g)


@pytest.mark.parametrize("table", [MIXTURES_1D, MIXTURES_2D])
def test_log_pdf_and_score_far_away_and_near(table):
    mu = mix(*table["narrow-beside-wide"])
    d = mu.dim
    direction = np.ones(d) / math.sqrt(d)
    points = np.array([1e3 * direction, -1e3 * direction, 0.3 * direction, -0.7 * direction])
    logs = numerics.log_pdf(mu, points)
    scores = numerics.score(mu, points)
    assert logs.shape == (4,) and scores.shape == (4, d)
    assert np.all(np.isfinite(logs)) and np.all(np.isfinite(scores))
    for x, value, s in zip(points, logs, scores, strict=True):
        ref_log, ref_score = mp_log_pdf_and_score(mu, x)
        assert abs(value - ref_log) <= CONTRACT_LOG_PDF * abs(ref_log)
        assert np.abs(s - ref_score).max() <= FLOAT64_FEW_OPS * max(1.0, np.abs(ref_score).max())


def test_sample_moments_within_standard_errors():
    mu = mix(*MIXTURES_2D["overlapping-rotated"])
    n = 200_000
    x = numerics.sample(mu, n, seed=3)
    assert x.shape == (n, 2)
    assert np.array_equal(x, numerics.sample(mu, n, seed=3))  # reproducible
    mean, second = exact_moments(mu)
    cov = second - np.outer(mean, mean)
    assert np.all(np.abs(x.mean(axis=0) - mean) <= MC_SIGMAS * np.sqrt(np.diag(cov) / n))
    for i in range(2):
        for j in range(2):
            prod = x[:, i] * x[:, j]
            assert abs(prod.mean() - second[i, j]) <= MC_SIGMAS * prod.std() / math.sqrt(n)


def test_mixture_arrays_shapes_and_copies():
    mu = mix(*MIXTURES_2D["overlapping-rotated"])
    w, m, s = numerics.mixture_arrays(mu)
    assert w.shape == (3,) and m.shape == (3, 2) and s.shape == (3, 2, 2)
    assert w.dtype == m.dtype == s.dtype == np.float64
    assert math.isclose(w.sum(), 1.0) and m[1].tolist() == [1.2, -0.5]
    w[0] = 7.0  # a copy: the cached arrays are untouched
    assert numerics.mixture_arrays(mu)[0][0] == 0.3
    gw, gm, gs = numerics.mixture_arrays(Gaussian(2, 3))
    assert gw.tolist() == [1.0] and gm.tolist() == [[2.0]] and gs.tolist() == [[[3.0]]]


# --- bad inputs ----------------------------------------------------------------------------------

MU1 = mix([0.5, 0.5], [0.0, 1.0], [1.0, 2.0])
MU2 = mix([1.0], [[0, 0]], [[[1, 0], [0, 1]]])
SYMBOLIC = Gaussian(sp.Symbol("m", real=True), 1)


def ok(X):
    return np.zeros(len(X))


BAD_CALLS = {
    "density-text": (lambda: numerics.entropy("x"), "density="),
    "density-symbolic": (lambda: numerics.mixture_arrays(SYMBOLIC), "mean"),
    "density-Density": (
        lambda: numerics.log_pdf(Density("exp(-x**2/2)", ["x"]), np.zeros((1, 1))),
        "density.family",
    ),
    "X-flat-1d": (lambda: numerics.log_pdf(MU1, np.zeros(3)), "X has shape"),
    "X-wrong-dim": (lambda: numerics.score(MU2, np.zeros((3, 3))), "X has shape"),
    "X-3d-array": (lambda: numerics.log_pdf(MU2, np.zeros((2, 2, 2))), "X has shape"),
    "X-nan": (lambda: numerics.log_pdf(MU2, [[0.0, np.nan]]), "X\\[0, 1\\]=nan"),
    "X-text": (lambda: numerics.score(MU1, "abc"), "X="),
    "n-zero": (lambda: numerics.sample(MU1, 0), "n=0"),
    "n-float": (lambda: numerics.sample(MU1, 2.5), "n=2.5"),
    "n-bool": (lambda: numerics.sample(MU1, True), "n=True"),
    "seed-negative": (lambda: numerics.sample(MU1, 3, seed=-1), "seed=-1"),
    "fn-not-callable": (lambda: numerics.expectation(MU1, 3.0), "fn=3.0"),
    "fn-wrong-shape": (lambda: numerics.expectation(MU1, lambda X: X), "fn returned"),
    "fn-wrong-length": (lambda: numerics.expectation(MU2, lambda X: np.zeros(2)), "fn returned"),
    "fn-nan": (lambda: numerics.expectation(MU1, lambda X: X[:, 0] * np.nan), "fn\\(X\\)"),
    "fn-complex": (lambda: numerics.expectation(MU1, lambda X: X[:, 0] + 1j), "dtype"),
    "fn-nan-3d": (
        lambda: numerics.expectation(
            mix([1.0], [[0, 0, 0]], [np.eye(3).tolist()]), lambda X: np.full(len(X), np.inf)
        ),
        "fn\\(X\\)",
    ),
    "samples-one": (lambda: numerics.entropy(MU1, samples=1), "samples=1"),
    "samples-float": (lambda: numerics.fisher_information(MU1, samples=1e5), "samples="),
    "seed-text": (lambda: numerics.expectation(MU1, ok, seed="a"), "seed="),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_inputs_raise_invalid_argument(name):
    call, message = BAD_CALLS[name]
    with pytest.raises(InvalidArgument, match=message):
        call()


def test_grids_beyond_the_budget_are_refused():
    """Two nearly singular components at an angle inside a wide one: every grid of a plain
    expectation would need refinement in both directions (the telescoping sums do not)."""
    mu = mix(
        [0.2, 0.2, 0.6],
        [[0, 0], [0.5, 0], [0, 0.3]],
        [rotated_cov(1e-6, 1, 30), rotated_cov(1e-6, 1, -40), [[4, 0], [0, 4]]],
    )
    with pytest.raises(UnsupportedError, match="MAX_POINTS"):
        numerics.expectation(mu, lambda X: X[:, 0])
    assert numerics.entropy(mu).method == "quadrature"


# --- expectation on components of contrasted widths ----------------------------------------------


def isotropic_terms(weights, means, variances, X):
    """Responsibilities (N, K) of ``sum_k w_k N(m_k, v_k I)`` at ``X`` (a softmax) and the
    whitened squared distances ``|x - m_k|^2 / v_k`` (N, K): closed forms independent of
    :mod:`numerics`."""
    d = X.shape[1]
    r2 = np.stack(
        [((X - m) ** 2).sum(axis=1) / v for m, v in zip(means, variances, strict=True)], 1
    )
    logs = np.log(weights) - 0.5 * d * np.log(2 * np.pi * np.asarray(variances)) - r2 / 2
    gamma = np.exp(logs - logs.max(axis=1, keepdims=True))
    return gamma / gamma.sum(axis=1, keepdims=True), r2


def laplacian_over_density(weights, means, variances, X):
    """``Laplacian(mu) / mu = sum_k gamma_k (|x - m_k|^2 / v_k^2 - d / v_k)``; for the backward
    heat flow ``mu_t`` of the continuous DAE it is ``-d/dt log mu_t``. Its mean is 0."""
    gamma, r2 = isotropic_terms(weights, means, variances, X)
    v = np.asarray(variances)
    return (gamma * (r2 - X.shape[1]) / v).sum(axis=1)


def x_dot_score(weights, means, variances, X):
    """``x . grad log mu = -sum_k gamma_k x . (x - m_k) / v_k``; its mean is ``-d``
    (integration by parts)."""
    gamma, _ = isotropic_terms(weights, means, variances, X)
    dots = np.stack(
        [(X * (X - m)).sum(axis=1) / v for m, v in zip(means, variances, strict=True)], 1
    )
    return -(gamma * dots).sum(axis=1)


def test_expectation_near_blowup_of_the_de_bruijn_example():
    """The mixture of a de Bruijn refutation (de-bruijn-random, --examples 200, seed 0), run by
    the continuous DAE to 0.999 of its blow-up time: a component of variance 2.57e-4 beside two
    of 0.743 (widths 53 apart). The quadrature of the exact ``d/dt log mu_t`` has mean 0 within
    its error (measured: 1e-12 +- 1e-11; a brute-force Gauss-Legendre grid agrees), and
    ``E[log mu_t d/dt log mu_t]`` is the Fisher information. The refutation came from the
    compiled derived formula's float64 rounding (``det(S - 2tI)`` and the quadratic forms
    expanded, so that ``S`` and ``2tI`` cancel term by term), not from the quadrature."""
    weights, means, start = [0.33, 0.33, 0.34], [[0, 0], [0, 0], [0, 3.03]], [1.0, 1.0, 0.257]
    t = sp.Rational("0.12837149999974323")
    mu_t = mix(weights, means, [sp.Rational(str(s)) * sp.eye(2) - 2 * t * sp.eye(2) for s in start])
    variances = [float(sp.Rational(str(s)) - 2 * t) for s in start]
    m = np.array(means, dtype=float)

    def rate(X):
        return -laplacian_over_density(weights, m, variances, X)

    fisher = numerics.fisher_information(mu_t)
    mean = numerics.expectation(mu_t, rate)
    assert abs(mean.value) <= mean.error <= CONTRACT_ENTROPY_FISHER_2D * fisher.value
    h_rate = numerics.expectation(mu_t, lambda X: numerics.log_pdf(mu_t, X) * rate(X))
    assert abs(h_rate.value - fisher.value) <= h_rate.error + fisher.error
    assert h_rate.error <= CONTRACT_ENTROPY_FISHER_2D * fisher.value


@pytest.mark.parametrize("ratio", [10, 50, 100])
def test_expectation_error_covers_known_integrals_at_contrasted_widths(ratio):
    """A component ``ratio`` times narrower than two wide ones, 3.5 of their standard
    deviations away: the mixture's responsibilities switch over a layer finer than the narrow
    component. Closed forms: ``E[Laplacian(mu)/mu] = 0``, ``E[x . grad log mu] = -2`` and the
    second moment; the true error is within the reported one, which stays small."""
    weights, variances = [0.33, 0.33, 0.34], [1.0, 0.8, 1.0 / ratio**2]
    means = np.array([[0.0, 0.0], [0.2, -0.1], [0.0, 3.5]])
    mu = mix(weights, means.tolist(), [sp.Rational(str(v)) * sp.eye(2) for v in variances])
    cases = [
        (lambda X: laplacian_over_density(weights, means, variances, X), 0.0, 2.0 * ratio**2),
        (lambda X: x_dot_score(weights, means, variances, X), -2.0, 2.0 * ratio**2),
        (lambda X: X[:, 1] ** 2, float(exact_moments(mu)[1][1, 1]), 1.0),
    ]
    for fn, truth, scale in cases:
        e = numerics.expectation(mu, fn)
        assert abs(e.value - truth) <= e.error, (ratio, e, truth)
        assert e.error <= CONTRACT_ENTROPY_FISHER_2D * scale, (ratio, e)
