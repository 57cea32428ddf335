"""Trained DAEs and the empirical-Bayes denoiser (symtransport._random.denoisers).

References are independent of the code under test: the exact Gaussian map ``x/(1 + t)`` ([J]
(30)) and score ``-x``, central finite differences for the Jacobian, and a brute-force mpmath
posterior mean for the empirical-Bayes denoiser. The statistical bounds (``LEARN_*``) were
measured over many seeds and hold with margin; the seeds here are fixed, so every run is the
same run.
"""

from __future__ import annotations

import builtins
import importlib.util
import pickle
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from tolerances import (
    FLOAT64_CENTRAL_DIFFERENCE,
    FLOAT64_FEW_OPS,
    LEARN_DAE_GAUSSIAN_4000,
    LEARN_EMPIRICAL_BAYES_20000,
    LEARN_VELOCITY_CORRELATION,
)

from symtransport._random import denoisers
from symtransport._random.denoisers import (
    TrainedDAE,
    empirical_bayes,
    layer_seeds,
    train_composition,
    train_dae,
)
from symtransport._theory.noise import GenericNoise, noise_model
from symtransport.errors import InvalidArgument, UnsupportedError

#: training needs the optional extra; the empirical-Bayes denoiser and validation do not
needs_learn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn is not installed: pip install 'symtransport[learn]'",
)

PUBLIC_FIELDS = (
    "t",
    "n",
    "dim",
    "seed",
    "noise",
    "hidden",
    "alpha",
    "noise_draws",
    "converged",
    "iterations",
    "training_loss",
)


def _normal(n: int, d: int | None = None, key: int = 0) -> np.ndarray:
    shape = (n,) if d is None else (n, d)
    return np.random.default_rng([key, 2024]).standard_normal(shape)


@pytest.fixture(scope="module")
def small_2d() -> np.ndarray:
    return _normal(300, 2, key=1)


@pytest.fixture(scope="module")
def dae_2d(small_2d) -> TrainedDAE:
    return train_dae(small_2d, 0.5, seed=3)


def _same_dae(a: TrainedDAE, b: TrainedDAE, points: np.ndarray) -> None:
    for name in PUBLIC_FIELDS:
        assert getattr(a, name) == getattr(b, name), name
    assert np.array_equal(a(points), b(points))
    assert np.array_equal(a.jacobian(points), b.jacobian(points))


# --- reproducibility ----------------------------------------------------------------------


@needs_learn
def test_the_same_seed_gives_bit_identical_networks(small_2d, dae_2d):
    points = _normal(40, 2, key=2)
    again = train_dae(small_2d, 0.5, seed=3)
    _same_dae(dae_2d, again, points)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2):  # the function imposes one thread itself
        busy = train_dae(small_2d, 0.5, seed=3)
    _same_dae(dae_2d, busy, points)
    other = train_dae(small_2d, 0.5, seed=4)
    assert not np.array_equal(other(points), dae_2d(points))
    assert other.seed == 4


@needs_learn
def test_a_trained_dae_survives_pickling(dae_2d):
    points = _normal(10, 2, key=3)
    copy = pickle.loads(pickle.dumps(dae_2d))
    _same_dae(dae_2d, copy, points)
    assert np.array_equal(copy.velocity(points), dae_2d.velocity(points))


@needs_learn
def test_fields_describe_the_training(dae_2d):
    assert (dae_2d.t, dae_2d.n, dae_2d.dim, dae_2d.seed) == (0.5, 300, 2, 3)
    assert (dae_2d.noise, dae_2d.hidden, dae_2d.alpha, dae_2d.noise_draws) == (
        "gaussian",
        (32,),
        1.0,
        1,
    )
    assert dae_2d.converged is True
    assert 0 < dae_2d.iterations <= 2000
    assert 0 < dae_2d.training_loss < 1  # half the MSE in standardised units, plus the penalty
    laplace = train_dae(_normal(50, 1, key=4), 0.2, noise="laplace", noise_draws=2, seed=1)
    assert (laplace.noise, laplace.noise_draws, laplace.dim) == ("laplace", 2, 1)


# --- shapes and the Jacobian --------------------------------------------------------------


@needs_learn
def test_one_dimensional_data_and_points_may_be_flat():
    x = _normal(200, key=5)
    flat = train_dae(x, 0.5, seed=0)
    column = train_dae(x[:, None], 0.5, seed=0)
    q = np.linspace(-2, 2, 7)
    assert flat(q).shape == (7, 1) and flat.jacobian(q).shape == (7, 1, 1)
    assert np.array_equal(flat(q), column(q[:, None]))
    assert flat(np.empty((0, 1))).shape == (0, 1)


def _central_difference(dae: TrainedDAE, q: np.ndarray) -> np.ndarray:
    """``d dae_i / d x_j`` by central differences, step ``h`` times the coordinate's scale."""
    h = 1e-4
    scale = dae._scale
    out = np.empty((q.shape[0], dae.dim, dae.dim))
    for j in range(dae.dim):
        step = np.zeros(dae.dim)
        step[j] = h * scale[j]
        out[:, :, j] = (dae(q + step) - dae(q - step)) / (2 * h * scale[j])
    return out


@needs_learn
@pytest.mark.parametrize(
    ("data", "hidden"),
    [
        (_normal(300, 1, key=6), (32,)),
        (_normal(300, 1, key=7), (16, 8)),  # two hidden layers: the chain rule through both
        (_normal(300, 2, key=8) * [5.0, 4.0] + [3.0, -2.0], (32,)),  # standardisation active
    ],
    ids=["1d", "1d-two-layers", "2d-scaled"],
)
def test_the_jacobian_matches_central_differences(data, hidden):
    dae = train_dae(data, 0.5, seed=2, hidden=hidden)
    q = _normal(30, dae.dim, key=9) * data.std(axis=0) + data.mean(axis=0)
    jac = dae.jacobian(q)
    assert jac.shape == (30, dae.dim, dae.dim)
    assert np.max(np.abs(jac - _central_difference(dae, q))) <= FLOAT64_CENTRAL_DIFFERENCE
    if dae.dim == 2:  # the standardisation's chain rule: scales 5 and 4 enter as 5/4, 4/5
        assert np.max(np.abs(jac[:, 0, 1])) > 0.01


# --- statistics: the population map -----------------------------------------------------------


def _relative_l2(values: np.ndarray, reference: np.ndarray, weights: np.ndarray) -> float:
    return float(
        np.sqrt(np.sum(weights * (values - reference) ** 2) / np.sum(weights * reference**2))
    )


def _noisy_grid(t: float) -> tuple[np.ndarray, np.ndarray]:
    """A grid over +-3 noisy standard deviations with N(0, 1 + t) weights."""
    q = np.linspace(-3.0, 3.0, 601) * np.sqrt(1.0 + t)
    return q, np.exp(-(q**2) / (2.0 * (1.0 + t)))


@needs_learn
def test_a_trained_dae_approaches_the_exact_gaussian_map():
    t = 0.5
    dae = train_dae(_normal(4000, key=10), t, seed=0)
    q, w = _noisy_grid(t)
    assert _relative_l2(dae(q)[:, 0], q / (1.0 + t), w) <= LEARN_DAE_GAUSSIAN_4000


@needs_learn
def test_the_velocity_at_small_t_points_along_the_score():
    dae = train_dae(_normal(2000, key=11), 0.05, seed=0)
    q = np.linspace(-2.0, 2.0, 81)
    velocity = dae.velocity(q)
    assert velocity.shape == (81, 1)
    assert np.corrcoef(velocity[:, 0], -q)[0, 1] >= LEARN_VELOCITY_CORRELATION


# --- the empirical-Bayes denoiser -------------------------------------------------------------

SAMPLES_1D = np.array([-1.3, -0.2, 0.4, 1.1, 2.5])
SAMPLES_2D = np.array([[-1.3, 0.7], [-0.2, -1.1], [0.4, 0.3], [1.1, 2.0], [2.5, -0.6]])
COV = [[2, sp.Rational(3, 5)], [sp.Rational(3, 5), 1]]


def _mp_posterior_mean(samples: np.ndarray, q: np.ndarray, t: float, kind: str) -> np.ndarray:
    """``sum_i x_i nu_t(q - x_i) / sum_i nu_t(q - x_i)`` at 50 digits, term by term."""
    with mpmath.workdps(50):
        tt = mpmath.mpf(t)
        inverse = mpmath.inverse(mpmath.matrix([[2, mpmath.mpf(3) / 5], [mpmath.mpf(3) / 5, 1]]))
        out = np.empty(q.shape)
        for k, point in enumerate(q):
            num = [mpmath.mpf(0)] * q.shape[1]
            den = mpmath.mpf(0)
            for x in samples:
                diff = [
                    mpmath.mpf(float(a)) - mpmath.mpf(float(b))
                    for a, b in zip(point, x, strict=True)
                ]
                if kind == "gaussian":
                    exponent = -sum(e * e for e in diff) / (2 * tt)
                elif kind == "gaussian-cov":
                    v = mpmath.matrix(diff)
                    exponent = -(v.T * inverse * v)[0, 0] / (2 * tt)
                else:
                    exponent = -sum(abs(e) for e in diff) / mpmath.sqrt(tt / 2)
                weight = mpmath.exp(exponent)
                den += weight
                num = [a + weight * mpmath.mpf(float(b)) for a, b in zip(num, x, strict=True)]
            out[k] = [float(a / den) for a in num]
    return out


@pytest.mark.parametrize(
    ("samples", "kind"),
    [
        (SAMPLES_1D, "gaussian"),
        (SAMPLES_1D, "laplace"),
        (SAMPLES_2D, "gaussian"),
        (SAMPLES_2D, "gaussian-cov"),
        (SAMPLES_2D, "laplace"),
    ],
)
def test_empirical_bayes_is_the_posterior_mean_of_the_samples(samples, kind):
    t = 0.3
    d = 1 if samples.ndim == 1 else 2
    noise = {"gaussian": None, "laplace": "laplace", "gaussian-cov": noise_model("gaussian", COV)}
    eb = empirical_bayes(samples, t, noise=noise[kind])
    assert (eb.t, eb.n, eb.dim, eb.noise) == (t, 5, d, kind.removesuffix("-cov"))
    # near the data, between two samples, and far away, where every density is below e^-2000
    # (a naive ratio of densities is 0/0): in 1-D at 40, in 2-D at (-19.5, 36), on the line
    # where the two samples (-1.3, 0.7) and (1.1, 2.0) project equally, so that (for Gaussian
    # noise) both keep a share of the weight and the cancellation far out is exercised
    far = [[40.0]] if d == 1 else [[-19.5, 36.0]]
    near = [[0.1], [0.75], [-3.0]] if d == 1 else [[0.1, 0.2], [0.75, 1.2], [-3.0, 2.0]]
    q = np.array(near + far)
    got = eb(q if d == 2 else q[:, 0])
    reference = _mp_posterior_mean(samples.reshape(5, d), q, t, kind)
    assert got.shape == (4, d)
    assert np.all(np.isfinite(got))
    assert np.max(np.abs(got - reference)) <= FLOAT64_FEW_OPS * np.max(np.abs(samples))


def test_one_sample_is_returned_everywhere():
    for noise in (None, "laplace"):
        eb = empirical_bayes(np.array([[0.3, -1.7]]), 0.5, noise=noise)
        q = np.array([[0.0, 0.0], [40.0, -25.0], [-1e5, 3e4]])
        assert np.array_equal(eb(q), np.tile([0.3, -1.7], (3, 1)))


@pytest.mark.parametrize("noise", [None, "laplace", noise_model("gaussian", COV)])
def test_blocks_of_queries_and_samples_give_the_one_block_result(noise, monkeypatch):
    samples = _normal(23, 2, key=12)
    q = np.vstack([_normal(17, 2, key=13) * 2.0, [[40.0, -25.0]]])
    eb = empirical_bayes(samples, 0.4, noise=noise)
    whole = eb(q)
    monkeypatch.setattr(denoisers, "_SAMPLE_BLOCK", 4)  # 6 blocks of samples (the last of 3)
    monkeypatch.setattr(denoisers, "_BLOCK_ELEMENTS", 12)  # 3 query rows per block
    blocked = eb(q)
    assert np.max(np.abs(blocked - whole)) <= FLOAT64_FEW_OPS * np.max(np.abs(samples))


def test_empirical_bayes_approaches_the_population_posterior_mean():
    t = 0.5
    eb = empirical_bayes(_normal(20000, key=14), t)
    q, w = _noisy_grid(t)
    assert _relative_l2(eb(q)[:, 0], q / (1.0 + t), w) <= LEARN_EMPIRICAL_BAYES_20000


def test_uniform_noise_has_no_empirical_bayes_denoiser():
    with pytest.raises(UnsupportedError, match="compact support"):
        empirical_bayes(SAMPLES_1D, 0.5, noise="uniform")


# --- compositions -------------------------------------------------------------------------


@needs_learn
def test_a_one_layer_composition_is_train_dae_with_the_first_derived_seed():
    x = _normal(200, key=15)
    comp = train_composition(x, 0.4, 1, seed=7)
    assert comp.layers[0].seed == layer_seeds(7, 1)[0] == layer_seeds(7, 3)[0]
    alone = train_dae(x, 0.4, seed=comp.layers[0].seed)
    q = np.linspace(-2, 2, 9)
    assert np.array_equal(comp(q), alone(q))
    assert (comp.T, comp.L, comp.layers[0].t) == (0.4, 1, 0.4)


@needs_learn
def test_stages_and_options_of_a_composition():
    x = _normal(150, 2, key=16)
    comp = train_composition(x, 0.6, 3, seed=1, hidden=(8,), max_iter=50)
    assert len(comp.layers) == 3 and comp.L == 3
    assert all(layer.t == pytest.approx(0.2) and layer.hidden == (8,) for layer in comp.layers)
    assert len({layer.seed for layer in comp.layers}) == 3
    q = _normal(11, 2, key=17)
    stages = comp.stages(q)
    assert len(stages) == 4 and all(s.shape == (11, 2) for s in stages)
    assert np.array_equal(stages[0], q)
    assert np.array_equal(stages[-1], comp(q))
    assert np.array_equal(stages[2], comp.layers[1](comp.layers[0](q)))


@needs_learn
def test_composing_shrinks_the_variance_of_normal_data():
    # each exact step of N(0, v) at variance dt is x -> x v/(v + dt): v -> v (v/(v + dt))^2
    x = _normal(2000, key=18)
    comp = train_composition(x, 0.5, 2, seed=0)
    variances = [float(np.var(s)) for s in comp.stages(x)]
    assert variances[0] > variances[1] > variances[2]


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((np.zeros((2, 2, 2)), 0.5), {}, "shape"),
        ((np.array([[0.0], [np.nan]]), 0.5), {}, "NaN"),
        ((np.array([1.0]), 0.5), {}, "at least 2"),
        ((np.zeros((3, 0)), 0.5), {}, "shape"),
        ((["a", "b"], 0.5), {}, "dtype"),
        ((np.array([1 + 1j, 2]), 0.5), {}, "dtype"),
        ((SAMPLES_1D, 0.0), {}, "t=0.0"),
        ((SAMPLES_1D, -1.0), {}, "t=-1.0"),
        ((SAMPLES_1D, float("nan")), {}, "t=nan"),
        ((SAMPLES_1D, True), {}, "t=True"),
        ((SAMPLES_1D, "0.5"), {}, "t='0.5'"),
        ((SAMPLES_1D, 0.5), {"hidden": [32]}, "hidden"),
        ((SAMPLES_1D, 0.5), {"hidden": ()}, "hidden"),
        ((SAMPLES_1D, 0.5), {"hidden": (0,)}, "hidden width"),
        ((SAMPLES_1D, 0.5), {"hidden": (True,)}, "hidden width"),
        ((SAMPLES_1D, 0.5), {"hidden": (8.0,)}, "hidden width"),
        ((SAMPLES_1D, 0.5), {"alpha": -1.0}, "alpha"),
        ((SAMPLES_1D, 0.5), {"alpha": float("inf")}, "alpha"),
        ((SAMPLES_1D, 0.5), {"alpha": True}, "alpha"),
        ((SAMPLES_1D, 0.5), {"noise_draws": 0}, "noise_draws"),
        ((SAMPLES_1D, 0.5), {"noise_draws": 1.5}, "noise_draws"),
        ((SAMPLES_1D, 0.5), {"max_iter": 0}, "max_iter"),
        ((SAMPLES_1D, 0.5), {"seed": -1}, "seed"),
        ((SAMPLES_1D, 0.5), {"seed": True}, "seed"),
        ((SAMPLES_1D, 0.5), {"seed": 1.0}, "seed"),
        ((SAMPLES_1D, 0.5), {"noise": 3}, "noise"),
        ((SAMPLES_1D, 0.5), {"noise": "pink"}, "pink"),
        ((SAMPLES_2D, 0.5), {"noise": noise_model("gaussian", [[1]])}, "R\\^2"),
    ],
)
def test_train_dae_rejects_bad_arguments(args, kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        train_dae(*args, **kwargs)


def test_generic_noise_has_no_sampler():
    with pytest.raises(UnsupportedError, match="generic"):
        train_dae(SAMPLES_1D, 0.5, noise=GenericNoise())
    with pytest.raises(UnsupportedError, match="generic"):
        empirical_bayes(SAMPLES_1D, 0.5, noise=GenericNoise())


BAD_POINTS = [
    (np.zeros(2), "a single point is \\(1, d\\)"),
    (np.zeros((3, 3)), "expected \\(N, 2\\)"),
    (np.array([[0.0, np.inf]]), "NaN or infinite"),
]


@needs_learn
def test_a_trained_dae_rejects_bad_points(dae_2d):
    for bad, match in BAD_POINTS:
        for method in (dae_2d, dae_2d.jacobian, dae_2d.velocity):
            with pytest.raises(InvalidArgument, match=match):
                method(bad)


def test_bad_empirical_bayes_arguments():
    for bad, match in BAD_POINTS:
        with pytest.raises(InvalidArgument, match=match):
            empirical_bayes(SAMPLES_2D, 0.5)(bad)
    with pytest.raises(InvalidArgument, match="at least 1"):
        empirical_bayes(np.zeros((0, 2)), 0.5)
    with pytest.raises(InvalidArgument, match="t=0"):
        empirical_bayes(SAMPLES_2D, 0)
    with pytest.raises(InvalidArgument, match="NaN"):
        empirical_bayes([[0.0, np.nan]], 0.5)


def test_bad_composition_arguments():
    for args, kwargs, match in (
        ((SAMPLES_1D, 0.5, 0), {}, "L=0"),
        ((SAMPLES_1D, 0.5, True), {}, "L=True"),
        ((SAMPLES_1D, 0.5, 2.0), {}, "L=2.0"),
        ((SAMPLES_1D, 0.0, 2), {}, "T=0.0"),
        ((SAMPLES_1D, 0.5, 2), {"seed": -3}, "seed"),
        ((SAMPLES_1D, 0.5, 2), {"activation": "relu"}, "activation"),
        ((SAMPLES_1D, 0.5, 2), {"hidden": (0,)}, "hidden width"),
        ((SAMPLES_1D, 0.5, 2), {"noise": "pink"}, "pink"),
    ):
        with pytest.raises(InvalidArgument, match=match):
            train_composition(*args, **kwargs)


@needs_learn
def test_stopping_at_max_iter_is_reported_not_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dae = train_dae(_normal(100, key=19), 0.5, max_iter=1)
    assert dae.converged is False
    assert dae.iterations == 1


def test_without_scikit_learn_training_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_learn(name, *args, **kwargs):
        if name.split(".")[0] == "sklearn":
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_learn)
    with pytest.raises(
        UnsupportedError, match=r"needs scikit-learn: pip install 'symtransport\[learn\]'"
    ):
        train_dae(SAMPLES_1D, 0.5)
    with pytest.raises(UnsupportedError, match=r"symtransport\[learn\]"):
        train_composition(SAMPLES_1D, 0.5, 2)
    # the empirical-Bayes denoiser does not need scikit-learn
    one = empirical_bayes(np.array([2.0]), 0.5)
    assert np.array_equal(one(np.array([0.0, 9.0])), [[2.0], [2.0]])
