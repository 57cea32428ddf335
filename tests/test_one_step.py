"""One-step denoisers as schemes for the continuous DAE, and their W2 errors in 1-D
(:mod:`symtransport._random.one_step`), against references computed apart in mpmath."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from tolerances import (
    ONE_STEP_FLOW_W2,
    ONE_STEP_GAUSSIAN_W2,
    ONE_STEP_MIXTURE_W2,
    ONE_STEP_SCHEMES_AGREE,
)

from symtransport import ContinuousDAE, Gaussian, GaussianMixture
from symtransport.errors import InvalidArgument
from symtransport.instances import fixed_mixture
from symtransport.numerics import (
    FULL,
    HALF,
    HEUN,
    Scheme,
    clean_map,
    coupling_error,
    mixture_velocity,
    one_step_errors,
    score,
    w2_error,
)

V0 = 1.3  # the Gaussian mu_0 = N(0.4, 1.3) of the closed-form references
MEAN = 0.4


def gaussian_factor(name: str, v0: mpmath.mpf, s: mpmath.mpf) -> mpmath.mpf:
    """The slope ``a`` of the scheme's map ``x -> a (x - m) + m`` for ``mu_0 = N(m, v0)``,
    computed by hand from ``grad log u_tau(x) = -(x - m)/(v0 + s - 2tau)``."""
    u = v0 + s
    half = 1 - (s / 2) / u
    factors = {
        "full": 1 - s / u,
        "half": half,
        "heun": 1 - (s / 4) * (1 / u + half / v0),  # the end field is mu_0's score
        "euler-2": (1 - (s / 4) / u) * (1 - (s / 4) / (u - s / 2)),
    }
    return factors[name]


@pytest.mark.parametrize("scheme", [FULL, HALF, HEUN, Scheme("euler", 2)])
@pytest.mark.parametrize("s", [sp.Rational(1, 4), sp.Rational(1, 32)])
def test_w2_of_a_gaussian_is_the_closed_form(scheme, s):
    mu = Gaussian(MEAN, V0)
    found = w2_error(mu, s, scheme)
    with mpmath.workdps(40):
        v0, noise = mpmath.mpf(str(V0)), mpmath.mpf(s.p) / s.q
        a = gaussian_factor(scheme.name, v0, noise)
        exact = abs(a * mpmath.sqrt(v0 + noise) - mpmath.sqrt(v0))
    assert found.monotone
    assert found.value == pytest.approx(float(exact), rel=ONE_STEP_GAUSSIAN_W2)
    assert found.error <= ONE_STEP_GAUSSIAN_W2 * found.value


def mp_mixture_half_w2(mixture: GaussianMixture, s: sp.Rational) -> float:
    """``W2`` of the half step on a 1-D mixture, all in mpmath (30 digits): ``int (T - S)^2 du``
    with ``S = F_0^{-1} o F_u`` by ``findroot``, ``T = x + (s/2) u'/u``."""
    with mpmath.workdps(30):
        w = [mpmath.mpf(c.p) / c.q for c in mixture.weights]
        m = [
            mpmath.mpf(sp.Rational(c.mean[0]).p) / sp.Rational(c.mean[0]).q
            for c in mixture.components
        ]
        v = [
            mpmath.mpf(sp.Rational(c.cov[0, 0]).p) / sp.Rational(c.cov[0, 0]).q
            for c in mixture.components
        ]
        noise = mpmath.mpf(s.p) / s.q

        def pdf(x, extra):
            return sum(
                wk * mpmath.npdf(x, mk, mpmath.sqrt(vk + extra))
                for wk, mk, vk in zip(w, m, v, strict=True)
            )

        def cdf(x, extra):
            return sum(
                wk * mpmath.ncdf(x, mk, mpmath.sqrt(vk + extra))
                for wk, mk, vk in zip(w, m, v, strict=True)
            )

        def gap(x):
            slope = mpmath.diff(lambda y: mpmath.log(pdf(y, noise)), x)
            image = x + noise / 2 * slope
            level = cdf(x, noise)
            target = mpmath.findroot(lambda y: cdf(y, 0) - level, image)
            return (image - target) ** 2 * pdf(x, noise)

        return float(mpmath.sqrt(mpmath.quad(gap, [-12, *sorted(m), 12])))


def test_w2_of_a_mixture_against_mpmath():
    mixture, s = fixed_mixture(1), sp.Rational(1, 8)
    found = w2_error(mixture, s, HALF)
    assert found.monotone
    assert found.value == pytest.approx(mp_mixture_half_w2(mixture, s), rel=ONE_STEP_MIXTURE_W2)


def test_clean_map_pushes_u_to_mu_0():
    mixture, s = fixed_mixture(1), sp.Rational(1, 4)
    x = np.linspace(-6.0, 8.0, 15)
    image = clean_map(mixture, s, x)
    for xi, yi in zip(x, image, strict=True):
        before = float(
            sum(
                w * mpmath.ncdf(xi, float(c.mean[0]), mpmath.sqrt(float(c.cov[0, 0]) + 0.25))
                for w, c in zip(mixture.weights, mixture.components, strict=True)
            )
        )
        after = float(
            sum(
                w * mpmath.ncdf(yi, float(c.mean[0]), mpmath.sqrt(float(c.cov[0, 0])))
                for w, c in zip(mixture.weights, mixture.components, strict=True)
            )
        )
        assert after == pytest.approx(before, rel=ONE_STEP_SCHEMES_AGREE)
    assert np.all(np.diff(image) > 0)


def test_numeric_and_symbolic_schemes_agree():
    """The same scheme run on SymPy (the continuous DAE's velocity of a Gaussian) and on
    arrays (:func:`mixture_velocity`): one map."""
    s = sp.Rational(1, 5)
    mu = Gaussian(MEAN, V0)
    noisy = mu.smoothed(s)
    flow = ContinuousDAE(noisy)
    (x,) = flow.variables
    field = flow.velocity()[0]

    def symbolic(progress, y):
        return field.subs(
            {flow.t: s / 2 * sp.Rational(progress.numerator, progress.denominator), x: y}
        )

    points = np.linspace(-3.0, 4.0, 8)[:, None]
    for scheme in (FULL, HALF, HEUN, Scheme("heun", 3), Scheme("euler", 3)):
        exact = sp.lambdify(x, scheme(symbolic, x, s / 2))(points[:, 0])
        numeric = scheme(mixture_velocity(mu, s), points, float(s) / 2)[:, 0]
        np.testing.assert_allclose(numeric, exact, rtol=ONE_STEP_SCHEMES_AGREE)


def test_a_decreasing_map_is_flagged_and_gives_the_coupling_bound():
    mu, s = Gaussian(0, 1), sp.Rational(1, 4)

    def reversing(progress, x):  # x + s v = -3x
        return -4 * x / float(s)

    found = w2_error(mu, s, FULL, velocity=reversing)
    spread = (1 + 0.25) ** 0.5
    assert not found.monotone
    # the anti-monotone coupling costs |3 sd(u) + sd(mu_0)|, above W2 = |3 sd(u) - sd(mu_0)|
    assert found.value == pytest.approx(3 * spread + 1, rel=ONE_STEP_GAUSSIAN_W2)


def test_the_heat_flow_time_scale_breaks_heun():
    """With the field of ``mu_0 * N(0, s - tau)`` (the heat flow of Laplacian/2, no factor 2) the
    end stage is not mu_0's score, and Heun's error drops to O(s^2): the wrong end field is off
    by O(s), weighted by the step s/2."""
    mixture = fixed_mixture(1)
    noises = [sp.Rational(1, 2**k) for k in range(5, 10)]

    def slow(s):
        def velocity(progress, x):
            left = 1 - sp.Rational(progress.numerator, progress.denominator) / 2
            return score(mixture.smoothed(s * left), x)

        return velocity

    wrong = [w2_error(mixture, s, HEUN, velocity=slow(s)).value for s in noises]
    right = [w2_error(mixture, s, HEUN).value for s in noises]
    assert np.polyfit(np.log([float(s) for s in noises]), np.log(wrong), 1)[0] < 2.5
    assert np.polyfit(np.log([float(s) for s in noises]), np.log(right), 1)[0] > 2.5


def test_scheme_names_and_validation():
    assert [FULL.name, HALF.name, HEUN.name] == ["full", "half", "heun"]
    assert Scheme("euler", 4).name == "euler-4" and Scheme("heun", 2).name == "heun-2"
    with pytest.raises(InvalidArgument, match="method"):
        Scheme("rk4")
    with pytest.raises(InvalidArgument, match="steps"):
        Scheme("euler", 0)
    with pytest.raises(InvalidArgument, match="single step"):
        Scheme("full", 2)
    with pytest.raises(InvalidArgument, match="R\\^2"):
        w2_error(fixed_mixture(2), 0.1, HALF)
    with pytest.raises(InvalidArgument, match="positive"):
        w2_error(fixed_mixture(1), -0.1, HALF)


def test_one_step_errors_rows():
    found = one_step_errors(fixed_mixture(1), [0.25, 0.125], [FULL, HALF])
    assert list(found) == ["full", "half"] and all(len(v) == 2 for v in found.values())
    # half-denoising beats Tweedie's full step at each of these noises
    assert all(h.value < f.value for f, h in zip(found["full"], found["half"], strict=True))


def test_progress_is_exact():
    seen = []

    def field(progress, x):
        seen.append(progress)
        return 0 * x

    Scheme("heun", 3)(field, np.zeros((1, 1)), 0.5)
    assert seen[-1] == Fraction(1) and all(isinstance(p, Fraction) for p in seen)


@pytest.mark.parametrize("scheme", [FULL, HEUN])
def test_the_coupling_bound_is_the_w2_in_one_dimension(scheme):
    """In 1-D the continuous DAE's flow map (DOP853) is the monotone map ``F_0^-1 o F_u``, so
    the coupling bound is the W2 of :func:`w2_error`."""
    mixture, s = fixed_mixture(1), sp.Rational(1, 16)
    bound, exact = coupling_error(mixture, s, scheme), w2_error(mixture, s, scheme)
    assert bound.value == pytest.approx(exact.value, rel=ONE_STEP_FLOW_W2)
