"""The public Hypothesis strategies: every draw is valid, the hard cases are reachable, the
shrink targets are the simple objects, and bad arguments fail when the strategy is built."""

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import symtransport
from symtransport import ContinuousDAE, Gaussian, GaussianMixture
from symtransport._random import strategies
from symtransport._theory.noise import GaussianNoise, NoiseModel
from symtransport.errors import InvalidArgument

# find() stops at its first hit; COVER skips the shrinking (any hit shows the case is drawn)
COVER = settings(database=None, max_examples=1000, phases=[Phase.generate])
SHRINK = settings(database=None, max_examples=1000)


def floats_of(matrix: sp.MatrixBase) -> np.ndarray:
    return np.array(matrix.tolist(), dtype=float)


def condition(cov: sp.MatrixBase) -> float:
    eig = np.linalg.eigvalsh(floats_of(cov))
    assert eig[0] > 0
    return float(eig[-1] / eig[0])


def blowup_time_50_digits(mixture: Gaussian | GaussianMixture) -> mpmath.mpf:
    """``min_k lambda_min(S_k) / 2`` from 50-digit eigenvalues of the exact covariances."""
    components = [mixture] if isinstance(mixture, Gaussian) else mixture.components
    with mpmath.workdps(50):
        lows = []
        for c in components:
            entries = [[mpmath.mpf(str(sp.N(v, 60))) for v in row] for row in c.cov.tolist()]
            eig = mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True)
            lows.append(min(eig[i] for i in range(len(eig))))
        return min(lows) / 2


def strictly_before(t: float, t_star: mpmath.mpf) -> bool:
    with mpmath.workdps(50):
        return mpmath.mpf(repr(t)) < t_star  # t is read as the decimal it prints as


def mean_gaps(mixture: GaussianMixture) -> list[float]:
    means = [floats_of(c.mean).ravel() for c in mixture.components]
    return [float(np.linalg.norm(a - b)) for a, b in itertools.combinations(means, 2)]


# --------------------------------------------------------------------------------------------
# The package exposes the module
# --------------------------------------------------------------------------------------------


def test_module_is_public_with_a_sorted_all():
    assert symtransport._random.strategies is strategies
    assert strategies.__all__ == sorted(strategies.__all__)
    assert set(strategies.__all__) == {
        "gaussian_mixtures",
        "noise_models",
        "points",
        "times_before_blowup",
    }


def test_weights_n_over_100_are_read_as_exact_decimals():
    for n in range(1, 101):
        assert sp.Rational(repr(n / 100)) == sp.Rational(n, 100)


# --------------------------------------------------------------------------------------------
# Every draw is valid
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2, 3])
@settings(max_examples=30)
@given(data=st.data())
def test_every_draw_is_valid(dim, data):
    mixture = data.draw(strategies.gaussian_mixtures(dim=dim), label="mixture")
    assert isinstance(mixture, GaussianMixture)
    assert mixture.dim == dim
    assert 1 <= len(mixture.components) <= 3
    assert sp.Add(*mixture.weights) == 1
    assert all(w.is_Rational and w > 0 and (100 * w).is_Integer for w in mixture.weights)
    for c in mixture.components:
        assert all((100 * v).is_Integer and abs(v) <= 8 for v in c.mean)
        assert c.cov == c.cov.T
        assert all(v.is_Rational for v in c.cov)
        assert condition(c.cov) <= 100.0

    t = data.draw(strategies.times_before_blowup(mixture), label="t")
    assert isinstance(t, float)
    assert t >= 0
    assert strictly_before(t, blowup_time_50_digits(mixture))

    point = data.draw(strategies.points(mixture), label="point")
    assert isinstance(point, np.ndarray)
    assert point.shape == (dim,)
    assert point.dtype == np.float64
    assert np.all(np.isfinite(point))
    # within `spread` standard deviations (per whitened coordinate) of some component mean
    assert any(
        np.max(np.abs(np.linalg.solve(np.linalg.cholesky(floats_of(c.cov)), point - m)))
        <= 4.0 + 1e-9
        for c in mixture.components
        for m in [floats_of(c.mean).ravel()]
    )


@pytest.mark.parametrize(("max_components", "max_condition"), [(5, 2.0), (2, 1000), (1, 1)])
@settings(max_examples=15)
@given(data=st.data())
def test_custom_bounds_are_respected(max_components, max_condition, data):
    mixture = data.draw(
        strategies.gaussian_mixtures(
            dim=2, max_components=max_components, max_condition=max_condition
        )
    )
    assert len(mixture.components) <= max_components
    for c in mixture.components:
        assert condition(c.cov) <= max_condition
        if max_condition == 1:
            assert c.cov[0, 1] == 0
            assert c.cov[0, 0] == c.cov[1, 1]


@settings(max_examples=8)
@given(data=st.data())
def test_times_pass_the_exact_blowup_check(data):
    dim = data.draw(st.sampled_from([1, 2, 3]), label="dim")
    mixture = data.draw(strategies.gaussian_mixtures(dim=dim), label="mixture")
    t = data.draw(strategies.times_before_blowup(mixture), label="t")
    ContinuousDAE(mixture).check_time(t)  # exact (symbolic) t < t*; raises otherwise


def test_times_accept_a_gaussian_and_stay_below_an_exact_rational_blowup():
    gaussian = Gaussian([0, 0], [[2, 1], [1, 2]])  # lambda_min = 1, t* = 1/2 exactly
    largest_below_one = 1 - 2.0**-53
    strategy = strategies.times_before_blowup(gaussian, max_fraction=largest_below_one)
    t = find(strategy, lambda t: t > 0.49, settings=COVER)
    assert sp.Rational(repr(t)) < sp.Rational(1, 2)
    ContinuousDAE(gaussian).check_time(t)


def test_a_covariance_singular_in_float64_gets_valid_times_and_points():
    tiny = sp.Rational(1, 10**18)
    gaussian = Gaussian([0, 0], [[1, 1], [1, 1 + tiny]])  # SPD, but singular as floats
    t_star = blowup_time_50_digits(gaussian)  # ~ tiny / 4
    strategy = strategies.times_before_blowup(gaussian, max_fraction=1 - 2.0**-53)
    t = find(strategy, lambda t: t > 0.99 * float(t_star), settings=COVER)
    assert strictly_before(t, t_star)
    point = find(strategies.points(gaussian), lambda p: p[0] != 0, settings=COVER)
    assert point.shape == (2,)
    assert abs(point[1] - point[0]) <= 4e-9 * (1 + 1e-9)  # L = [[1, 0], [1, 1e-9]]


@pytest.mark.parametrize("dim", [1, 2, 3])
@settings(max_examples=15)
@given(data=st.data())
def test_noise_models_are_valid(dim, data):
    model = data.draw(strategies.noise_models(dim))
    assert isinstance(model, NoiseModel)
    assert model.name in {"gaussian", "laplace", "uniform"}
    model.check_dimension(dim)
    if isinstance(model, GaussianNoise) and model.cov is not None:
        c = model.cov
        assert c.shape == (dim, dim)
        assert c == c.T
        assert all(v.is_Rational for v in c)
        assert condition(c) <= 100.0


# --------------------------------------------------------------------------------------------
# The hard cases are reachable
# --------------------------------------------------------------------------------------------


def test_draws_reach_the_maximum_number_of_components():
    mixture = find(
        strategies.gaussian_mixtures(dim=2, max_components=4),
        lambda m: len(m.components) == 4,
        settings=COVER,
    )
    assert len(mixture.components) == 4


@pytest.mark.parametrize("dim", [2, 3])
def test_draws_reach_rotated_ill_conditioned_covariances(dim):
    def rotated_and_anisotropic(m):
        return any(c.cov[0, 1] != 0 and condition(c.cov) > 50 for c in m.components)

    mixture = find(strategies.gaussian_mixtures(dim=dim), rotated_and_anisotropic, settings=COVER)
    assert rotated_and_anisotropic(mixture)


def test_draws_reach_far_apart_and_overlapping_components():
    far = find(
        strategies.gaussian_mixtures(dim=2),
        lambda m: max(mean_gaps(m), default=0) > 10,
        settings=COVER,
    )
    assert max(mean_gaps(far)) > 10
    near = find(
        strategies.gaussian_mixtures(dim=2),
        lambda m: any(0 < gap < 0.5 for gap in mean_gaps(m)),
        settings=COVER,
    )
    assert any(0 < gap < 0.5 for gap in mean_gaps(near))


def test_times_reach_close_to_blowup():
    mixture = GaussianMixture.from_arrays(
        [0.5, 0.5], [[0, 0], [3, 1]], [[[1, 0.5], [0.5, 2]], [[3, 0], [0, 3]]]
    )
    t_star = blowup_time_50_digits(mixture)
    t = find(
        strategies.times_before_blowup(mixture), lambda t: t > 0.9 * float(t_star), settings=COVER
    )
    assert 0.9 * float(t_star) < t
    assert strictly_before(t, t_star)


@pytest.mark.parametrize("name", ["laplace", "uniform"])
def test_noise_models_reach_every_model(name):
    assert find(strategies.noise_models(2), lambda n: n.name == name, settings=COVER).name == name
    anisotropic = find(
        strategies.noise_models(2), lambda n: getattr(n, "cov", None) is not None, settings=COVER
    )
    assert anisotropic.cov.shape == (2, 2)


# --------------------------------------------------------------------------------------------
# Shrinking reaches the simple objects
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_mixtures_shrink_to_one_standard_normal(dim):
    mixture = find(strategies.gaussian_mixtures(dim=dim), lambda m: True, settings=SHRINK)
    assert mixture.weights == (1,)
    (component,) = mixture.components
    assert component.mean == sp.zeros(dim, 1)
    assert component.cov == sp.eye(dim)


def test_several_components_shrink_to_equal_weights():
    mixture = find(
        strategies.gaussian_mixtures(dim=1), lambda m: len(m.components) == 3, settings=SHRINK
    )
    assert mixture.weights == (sp.Rational(33, 100), sp.Rational(33, 100), sp.Rational(34, 100))
    assert all(c == Gaussian([0], [[1]]) for c in mixture.components)


def test_times_points_and_noise_shrink_to_their_targets():
    mixture = GaussianMixture.from_arrays(
        [0.25, 0.75], [[1, -2], [3, 4]], [[[2, 0], [0, 2]], [[1, 0], [0, 3]]]
    )
    assert find(strategies.times_before_blowup(mixture), lambda t: True, settings=SHRINK) == 0.0
    point = find(strategies.points(mixture), lambda p: True, settings=SHRINK)
    assert point.tolist() == [1.0, -2.0]
    model = find(strategies.noise_models(2), lambda n: True, settings=SHRINK)
    assert isinstance(model, GaussianNoise)
    assert model.cov is None


# --------------------------------------------------------------------------------------------
# Bad arguments fail eagerly
# --------------------------------------------------------------------------------------------

GOOD = Gaussian([0], [[1]])


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: strategies.gaussian_mixtures(dim=0), "dim=0"),
        (lambda: strategies.gaussian_mixtures(dim=1.5), "dim=1.5"),
        (lambda: strategies.gaussian_mixtures(dim=True), "dim=True"),
        (lambda: strategies.gaussian_mixtures(dim=7), "dim=7"),
        (lambda: strategies.gaussian_mixtures(max_components=0), "max_components=0"),
        (lambda: strategies.gaussian_mixtures(max_components=2.0), "max_components=2.0"),
        (lambda: strategies.gaussian_mixtures(max_condition=0.5), "max_condition=0.5"),
        (lambda: strategies.gaussian_mixtures(max_condition=math.inf), "max_condition=inf"),
        (lambda: strategies.gaussian_mixtures(max_condition="100"), "max_condition='100'"),
        (lambda: strategies.times_before_blowup(GOOD, max_fraction=1.0), "max_fraction=1.0"),
        (lambda: strategies.times_before_blowup(GOOD, max_fraction=0), "max_fraction=0"),
        (lambda: strategies.times_before_blowup(GOOD, max_fraction=math.nan), "max_fraction=nan"),
        (lambda: strategies.times_before_blowup(1.0), "mixture=1.0"),
        (lambda: strategies.times_before_blowup(Gaussian(0, sp.Symbol("s", positive=True))), "s"),
        (lambda: strategies.points(GOOD, spread=-1.0), "spread=-1.0"),
        (lambda: strategies.points("N(0, 1)"), "mixture='N(0, 1)'"),
        (lambda: strategies.noise_models(0), "dim=0"),
    ],
)
def test_bad_arguments_raise_when_the_strategy_is_built(build, named):
    with pytest.raises(InvalidArgument, match="expected") as info:
        build()
    assert named in str(info.value)


# --------------------------------------------------------------------------------------------
# The usage shown in the module docstring
# --------------------------------------------------------------------------------------------


@settings(max_examples=20)
@given(strategies.gaussian_mixtures(dim=2))
def test_usage_example(mixture):
    assert mixture.dim == 2
    assert sp.Add(*mixture.weights) == 1
    assert all(condition(c.cov) <= 100.0 for c in mixture.components)


@settings(max_examples=10)
@given(strategies.gaussian_mixtures(dim=2).flatmap(strategies.times_before_blowup))
def test_usage_example_with_flatmap(t):
    assert t >= 0


def test_a_list_of_dimensions_is_drawn_among_and_validated():
    quick = settings(database=None, max_examples=200)
    strategy = strategies.gaussian_mixtures(dim=(1, 2))
    assert find(strategy, lambda m: True, settings=quick).dim == 1
    assert find(strategy, lambda m: m.dim == 2, settings=quick).dim == 2
    for bad in ([], [0, 1], (1, 2.5)):
        with pytest.raises(InvalidArgument):
            strategies.gaussian_mixtures(dim=bad)
    with pytest.raises(InvalidArgument):
        strategies.gaussian_mixtures(dim=(1, 2), max_components=0)
