"""How far is a denoiser from the exact one? :func:`compare_map` measures any map ``fn`` against
the optimal DAE ``g_t`` of a Gaussian mixture, by Monte Carlo over the noisy inputs it sees.

The reference. A DAE trained with noise ``x~ = x_0 + eps``, ``x_0 ~ mu_0``, ``eps ~ nu_t``
(``t`` the noise *variance*) is at its optimum the posterior mean ([J] Thm 4, eq. (14))::

    g_t(x~) = E[x_0 | x~],

for Gaussian noise ``N(0, tC)`` Tweedie's form ``g_t(x~) = x~ + tC grad log(nu_t * mu_0)(x~)``
([J] eq. (17)), where for ``mu_0 = sum_k w_k N(m_k, S_k)`` the smoothed density is
``nu_t * mu_0 = sum_k w_k N(m_k, S_k + tC)`` ([J] App. D, eq. (38)). The map is not restated
here: it is :meth:`~symtransport.ShallowDAE.map` of the mixture's parametric family
(:mod:`symtransport._random.parametric`), derived and compiled once per shape and noise model
and evaluated with the mixture's numbers; where the family's form does not derive (a Gaussian
noise ``N(0, tC)`` with a non-diagonal ``C``: ``S_k + tC`` with symbolic ``S_k`` is not provably
positive definite), the density's own map, derived with its numbers, is compiled instead.
Laplace and uniform noise (``C = I``) have a closed form in ``d = 1`` only (erfcx terms); in
``d >= 2`` they raise :class:`~symtransport.errors.UnsupportedError`. The uniform model's closed
form (differences of normal tails) loses digits far out: measured against 30-digit quadrature
on ``fixed_mixture(1)`` at ``t = 0.3``, 1e-10 absolute 4.9 smoothed standard deviations beyond
the outer mode, 1e-8 at 5.6, 6e-7 at 6.3, not finite by 8.6 (100k draws reach about 4.5); a
reference that is not finite at a drawn input raises
:class:`~symtransport.errors.UnsupportedError`. Laplace noise's form stays within 4e-15 (the
same check, from -12 to 9).

The estimator. ``samples`` exact draws ``x_0 ~ mu_0`` and ``x~ = x_0 + eps`` (independent
streams spawned from ``seed``), then with ``a_i = |fn(x~_i) - g_t(x~_i)|^2`` and
``b_i = |x~_i - g_t(x~_i)|^2``::

    l2 = sqrt(mean a),   reference_l2 = sqrt(mean b),   relative = l2 / reference_l2.

``reference_l2`` is the L2 size of the denoising step itself, so on the same draws the identity
scores ``relative = 1`` exactly and the exact map ``0``.

Confidence intervals (``CONFIDENCE = 0.95``, half-widths ``z * se`` with ``z = 1.96``): by the
central limit theorem for the means of ``a`` (and ``b``), which needs ``E|fn - g_t|^4`` (and
``E|x~ - g_t|^4``) finite, and the delta method: ``se(l2) = se(mean a) / (2 l2)`` with
``se(mean a) = sd(a) / sqrt(n)``; ``relative^2 = mean a / mean b``, a ratio of means, has
``se = sd(a - relative^2 b) / (sqrt(n) mean b)`` (which uses the sample covariance of ``a`` and
``b``), and ``se(relative) = se(relative^2) / (2 relative)``. A half-width is 0 when its
estimate is 0 (then every ``a_i`` is 0). The intervals cover Monte Carlo error only: not the
float64 rounding of ``fn`` or of ``g_t``, and not the error of a model of the data. They are
asymptotic: with few samples, or an error concentrated on rare inputs, they are too narrow, and
the square root makes ``l2`` slightly low-biased when it is not large against its interval.

Regions, decided on the noisy input ``x~`` by the smoothed mixture
``sum_k w_k N(m_k, V_k)``, ``V_k = S_k + tC`` (``C = I`` for Laplace and uniform noise, whose
covariance is ``tI`` too, so this is their moment-matched Gaussian smoothing):

* ``modes``: within Mahalanobis distance ``MODE_RADIUS`` of some ``m_k`` (in ``V_k``'s metric);
* ``between``: not in ``modes``, and no component dominates: the largest responsibility
  ``w_k N(x~; m_k, V_k) / sum_j w_j N(x~; m_j, V_j)`` is below ``DOMINANCE``;
* ``tails``: the rest (outside every core, owned by one component).

Each region reports its fraction of the draws and ``l2``, ``l2_ci``, ``relative`` on its own
draws (:class:`RegionComparison`; ``None`` where it has none). A single Gaussian has no
``between`` region.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from symtransport._core.codegen import CompiledMap, compile_map
from symtransport._random.arguments import count, positive_time
from symtransport._random.arguments import seed as seed_of
from symtransport._random.corruption import as_noise, corrupt, noise_shape
from symtransport._random.numerics import mixture_arrays, sample
from symtransport._random.parametric import MixtureFamily, family_of
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.noise import GaussianNoise, NoiseModel
from symtransport.errors import InvalidArgument, UnsupportedError
from symtransport.symbols import coordinates
from symtransport.symbols import t as T

__all__ = [
    "CONFIDENCE",
    "DOMINANCE",
    "MODE_RADIUS",
    "REGIONS",
    "MapComparison",
    "RegionComparison",
    "compare_map",
]

#: the confidence level of every interval reported (two-sided normal intervals)
CONFIDENCE = 0.95
#: a mode's core: one standard deviation of its smoothed component, where that component's
#: density is within a factor e^(-1/2) of its peak
MODE_RADIUS = 1.0
#: a component owns a point when its responsibility is at least this (odds of 9 to 1); below
#: it the point lies between modes, where the denoiser must choose which mode to pull toward
DOMINANCE = 0.9
#: the region names, in reporting order
REGIONS = ("modes", "between", "tails")

_Z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))


@dataclass(frozen=True)
class RegionComparison:
    """The comparison restricted to the draws whose noisy input lies in one region.

    ``fraction`` and ``samples`` count those draws; ``l2``, ``l2_ci`` and ``relative`` are
    :class:`MapComparison`'s on them (``relative`` against the region's own
    ``sqrt(mean |x~ - g_t|^2)``), ``None`` when the region has no draws (``l2_ci`` also when it
    has one)."""

    fraction: float
    samples: int
    l2: float | None
    l2_ci: float | None
    relative: float | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-native dict (an infinite ratio is ``None``)."""
        return {
            "fraction": self.fraction,
            "samples": self.samples,
            "l2": _finite(self.l2),
            "l2_ci": _finite(self.l2_ci),
            "relative": _finite(self.relative),
        }


@dataclass(frozen=True)
class MapComparison:
    """``fn`` against the exact denoiser ``g_t`` on ``samples`` noisy draws (module docstring).

    ``l2 = sqrt(E|fn(x~) - g_t(x~)|^2)`` and ``reference_l2 = sqrt(E|x~ - g_t(x~)|^2)``
    (Monte Carlo means); ``relative = l2 / reference_l2`` (the identity scores 1, the exact map
    0); ``l2_ci`` and ``relative_ci`` are the half-widths of their ``CONFIDENCE`` intervals
    (Monte Carlo error only). ``regions`` maps ``"modes"``, ``"between"`` and ``"tails"`` to a
    :class:`RegionComparison`. ``noise`` is the noise model's name, ``t`` its variance."""

    l2: float
    l2_ci: float
    relative: float
    relative_ci: float
    reference_l2: float
    samples: int
    seed: int
    t: float
    noise: str
    dim: int
    regions: dict[str, RegionComparison]

    def to_json(self) -> dict[str, Any]:
        """A JSON-native dict of every field (the regions as nested dicts)."""
        return {
            "l2": self.l2,
            "l2_ci": self.l2_ci,
            "relative": _finite(self.relative),
            "relative_ci": _finite(self.relative_ci),
            "reference_l2": self.reference_l2,
            "confidence": CONFIDENCE,
            "samples": self.samples,
            "seed": self.seed,
            "t": self.t,
            "noise": self.noise,
            "dim": self.dim,
            "regions": {name: self.regions[name].to_json() for name in REGIONS},
        }

    def summary(self) -> str:
        """One line: ``relative`` with its interval, ``l2``, and each region's ``relative``."""
        parts = ", ".join(f"{name} {_short(self.regions[name].relative)}" for name in REGIONS)
        return (
            f"relative L2 error {self.relative:.4g} ± {self.relative_ci:.2g} "
            f"({CONFIDENCE:.0%} CI), L2 {self.l2:.4g} ± {self.l2_ci:.2g}; by region: {parts} "
            f"({self.noise} noise, t = {self.t:g}, {self.samples} samples, seed {self.seed})"
        )


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _short(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------


def _outputs(fn: Callable[[np.ndarray], Any], noisy: np.ndarray) -> np.ndarray:
    """``fn(noisy)`` as a float ``(N, d)`` array, or :class:`InvalidArgument`."""
    n, d = noisy.shape
    out = fn(noisy.copy())  # a copy: fn may work in place; its exceptions propagate
    try:
        arr = np.asarray(out)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"fn returned a {type(out).__name__} that is not an array of numbers; expected "
            f"({n}, {d}) floats"
        ) from exc
    if arr.dtype.kind not in "iuf":
        raise InvalidArgument(
            f"fn returned values of dtype {arr.dtype} ({type(out).__name__}); expected real "
            "numbers (a float or int array)"
        )
    if d == 1 and arr.shape == (n,):
        arr = arr.reshape(n, 1)  # a scikit-learn regressor's predict() on one target
    if arr.shape != (n, d):
        also = f" or ({n},)" if d == 1 else ""
        raise InvalidArgument(
            f"fn returned an array of shape {arr.shape} for inputs of shape {noisy.shape}; "
            f"expected ({n}, {d}){also}: one output row per input row"
        )
    arr = arr.astype(float)
    bad = ~np.all(np.isfinite(arr), axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidArgument(
            f"fn returned a non-finite value {arr[i].tolist()} at row {i}, for the input "
            f"x~ = {noisy[i].tolist()}; expected finite values"
        )
    return arr


# --------------------------------------------------------------------------------------------
# The reference map
# --------------------------------------------------------------------------------------------


@functools.cache
def _family_map(model: NoiseModel) -> Callable[[MixtureFamily], list[sp.Expr]]:
    """The ``build`` function of ``g_t`` under ``model`` for :meth:`MixtureFamily.compiled`:
    one function object per noise model, so each family compiles it once."""

    def build(fam: MixtureFamily) -> list[sp.Expr]:
        return list(fam.shallow(model).map())

    return build


@functools.cache
def _family_supports(fam: MixtureFamily, model: NoiseModel) -> bool:
    """Whether the family's symbolic ``g_t`` under ``model`` derives and compiles; an
    anisotropic Gaussian noise ``N(0, tC)`` need not (``S_k + tC`` with symbolic ``S_k`` is
    not provably positive definite for every ``C``)."""
    try:
        fam.compiled(_family_map(model))
    except InvalidArgument:
        return False
    return True


@functools.lru_cache(maxsize=64)
def _density_map(density: Gaussian | GaussianMixture, model: NoiseModel) -> CompiledMap:
    """``g_t`` of this very density (numbers, symbolic ``t``), compiled: the fallback when the
    family's form does not derive."""
    xs = coordinates(density.dim)
    exprs = list(ShallowDAE(density, model, variables=xs).map())
    return compile_map(exprs, xs, [T], backend="numpy")


def _reference(
    density: Gaussian | GaussianMixture, model: NoiseModel, t: float, noisy: np.ndarray
) -> np.ndarray:
    """``g_t(x~)`` at the rows of ``noisy``: the derived posterior mean (14)/(17)/(38)."""
    fam = family_of(density)
    if _family_supports(fam, model):
        out = fam.compiled(_family_map(model))(noisy, t, *fam.values(density))
    else:
        out = _density_map(density, model)(noisy, t)
    bad = ~np.all(np.isfinite(out), axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise UnsupportedError(
            f"the exact denoiser's closed form under {model.name} noise is not finite in "
            f"float64 at the drawn input x~ = {noisy[i].tolist()} (far in a tail, where it "
            "cancels); use fewer samples, a larger t, or Gaussian noise"
        )
    return out


# --------------------------------------------------------------------------------------------
# Regions and statistics
# --------------------------------------------------------------------------------------------


def _regions(
    weights: np.ndarray,
    means: np.ndarray,
    covs: np.ndarray,
    shape: np.ndarray,
    t: float,
    noisy: np.ndarray,
) -> dict[str, np.ndarray]:
    """Boolean masks of the three regions (module docstring) over the rows of ``noisy``."""
    n = noisy.shape[0]
    log_terms = np.empty((n, weights.shape[0]))
    core = np.zeros(n, dtype=bool)
    for k in range(weights.shape[0]):
        chol = np.linalg.cholesky(covs[k] + t * shape)
        white = np.linalg.solve(chol, (noisy - means[k]).T)
        maha2 = np.einsum("ij,ij->j", white, white)
        core |= maha2 <= MODE_RADIUS**2
        log_det = 2.0 * float(np.sum(np.log(np.diag(chol))))
        log_terms[:, k] = math.log(weights[k]) - 0.5 * log_det - 0.5 * maha2
    top = log_terms.max(axis=1)
    # the largest responsibility, 1 / sum_j exp(l_j - l_max), by a stable softmax
    largest = 1.0 / np.exp(log_terms - top[:, None]).sum(axis=1)
    between = ~core & (largest < DOMINANCE)
    return {"modes": core, "between": between, "tails": ~core & ~between}


def _l2(a: np.ndarray) -> tuple[float, float]:
    """``sqrt(mean a)`` and its half-width by the delta method (``a.size >= 2``)."""
    mean = float(np.mean(a))
    l2 = math.sqrt(mean)
    if l2 == 0.0:
        return 0.0, 0.0
    se_mean = float(np.std(a, ddof=1)) / math.sqrt(a.size)
    return l2, _Z * se_mean / (2.0 * l2)


def _relative(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``sqrt(mean a / mean b)`` and its half-width (delta method on the ratio of means)."""
    mean_a, mean_b = float(np.mean(a)), float(np.mean(b))
    if mean_b == 0.0:  # g_t is the identity on these draws (t below float64's resolution)
        return (0.0, 0.0) if mean_a == 0.0 else (math.inf, math.inf)
    ratio = mean_a / mean_b
    relative = math.sqrt(ratio)
    if relative == 0.0 or a.size < 2:
        return relative, 0.0
    se_ratio = float(np.std(a - ratio * b, ddof=1)) / (math.sqrt(a.size) * mean_b)
    return relative, _Z * se_ratio / (2.0 * relative)


def _region(a: np.ndarray, b: np.ndarray, n: int) -> RegionComparison:
    size = int(a.size)
    if size == 0:
        return RegionComparison(0.0, 0, None, None, None)
    mean_a = float(np.mean(a))
    l2, l2_ci = _l2(a) if size >= 2 else (math.sqrt(mean_a), None)
    relative, _ = _relative(a, b)
    return RegionComparison(size / n, size, l2, l2_ci, relative)


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------


def compare_map(
    fn: Callable[[np.ndarray], Any],
    density: Gaussian | GaussianMixture,
    t: float,
    *,
    noise: NoiseModel | str | None = None,
    samples: int = 100_000,
    seed: int = 0,
) -> MapComparison:
    """Measure the denoiser ``fn`` against the exact one, the posterior mean ``g_t`` of
    ``density`` under noise of variance ``t`` ([J] (14), (17), (38); see the module docstring).

    ``fn`` maps an ``(N, d)`` array of noisy inputs to ``(N, d)`` outputs (``(N,)`` is accepted
    when ``d == 1``, as scikit-learn regressors return); it is called once, on all ``samples``
    rows (a copy). ``density`` is a :class:`~symtransport.Gaussian` or
    :class:`~symtransport.GaussianMixture` with numbers; ``noise`` is None (``N(0, tI)``), a
    model's name (``"gaussian"``, ``"laplace"``, ``"uniform"``) or a noise model (e.g.
    ``symtransport.noise_model("gaussian", C)``). Draws come from
    ``numpy.random.SeedSequence(seed)``, so equal arguments give identical numbers.

    Raises :class:`~symtransport.errors.InvalidArgument` for a bad argument or output (not
    callable, wrong shape, non-numeric or non-finite values) and
    :class:`~symtransport.errors.UnsupportedError` for a noise without a sampler, or Laplace
    and uniform noise in ``d >= 2``. Exceptions raised by ``fn`` itself propagate unchanged.
    """
    if not callable(fn):
        raise InvalidArgument(
            f"fn={fn!r} is not callable; expected a function of an (N, d) array of noisy "
            "inputs returning (N, d) outputs"
        )
    # InvalidArgument for another type (a generic Density, a string) or symbolic entries
    weights, means, covs = mixture_arrays(density)
    d = int(means.shape[1])
    t = positive_time(t)
    samples = count(samples, "samples", 2)
    seed = seed_of(seed)
    model = as_noise(noise, d)
    if not isinstance(model, GaussianNoise) and d > 1:
        raise UnsupportedError(
            f"the exact denoiser under {model.name} noise has a closed form in d = 1 only (the "
            "posterior mean of a correlated Gaussian under a product kernel is not elementary); "
            f"this density has d = {d}: use Gaussian noise, or a one-dimensional density"
        )

    clean_stream, noise_stream = np.random.SeedSequence(seed).spawn(2)
    clean = sample(density, samples, seed=int(clean_stream.generate_state(1, np.uint64)[0]))
    noisy = corrupt(clean, t, model, np.random.default_rng(noise_stream))
    exact = _reference(density, model, t, noisy)
    out = _outputs(fn, noisy)

    a = np.sum((out - exact) ** 2, axis=1)
    b = np.sum((noisy - exact) ** 2, axis=1)
    l2, l2_ci = _l2(a)
    relative, relative_ci = _relative(a, b)
    shape = noise_shape(model, d)
    masks = _regions(weights, means, covs, shape, t, noisy)
    return MapComparison(
        l2=l2,
        l2_ci=l2_ci,
        relative=relative,
        relative_ci=relative_ci,
        reference_l2=math.sqrt(float(np.mean(b))),
        samples=samples,
        seed=seed,
        t=t,
        noise=model.name,
        dim=d,
        regions={name: _region(a[masks[name]], b[masks[name]], samples) for name in REGIONS},
    )
