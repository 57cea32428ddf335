"""Public: float64 references with stated accuracy, for random checks on Gaussian mixtures.

Samples, scores, entropy and Fisher information with error estimates
(:mod:`symtransport._random.numerics`); mixture families whose formulas are compiled once for
every mixture of a shape (``family_of``, ``flow_field``, ``shallow_jacobian``); particle
integration of a flow (``integrate``, SciPy's DOP853); a two-sample test of equal distribution
(``same_distribution``); rates of convergence of trained denoisers (``convergence_sweep``,
``loglog_slope`` with intervals, ``derived_seed``); and sliced Wasserstein-2 distances of
samples to a mixture or to each other (``sliced_w2``, ``sliced_w2_samples``, with exact
``mixture_quantile``); one-step denoisers as schemes for the continuous DAE of noisy data
``mu_0 * N(0, sI)`` and their exact W2 errors in 1-D (``Scheme``, ``FULL``, ``HALF``, ``HEUN``,
``mixture_velocity``, ``clean_map``, ``w2_error``, ``coupling_error``, ``one_step_errors``).
"""

from symtransport._core.particles import (
    integrate,
)
from symtransport._random.numerics import (
    MAX_POINTS,
    RADIUS,
    Estimate,
    entropy,
    expectation,
    fisher_information,
    log_pdf,
    mixture_arrays,
    sample,
    score,
)
from symtransport._random.one_step import (
    FULL,
    HALF,
    HEUN,
    Scheme,
    W2Error,
    clean_map,
    coupling_error,
    mixture_velocity,
    one_step_errors,
    w2_error,
)
from symtransport._random.parametric import (
    MixtureFamily,
    family_of,
    flow_field,
    mixture_family,
    shallow_jacobian,
)
from symtransport._random.rates import (
    Slope,
    convergence_sweep,
    derived_seed,
    loglog_slope,
)
from symtransport._random.samples import (
    SampleTest,
    mixture_quantile,
    same_distribution,
    sliced_w2,
    sliced_w2_samples,
)

__all__ = [
    "FULL",
    "HALF",
    "HEUN",
    "MAX_POINTS",
    "RADIUS",
    "Estimate",
    "MixtureFamily",
    "SampleTest",
    "Scheme",
    "Slope",
    "W2Error",
    "clean_map",
    "convergence_sweep",
    "coupling_error",
    "derived_seed",
    "entropy",
    "expectation",
    "family_of",
    "fisher_information",
    "flow_field",
    "integrate",
    "log_pdf",
    "loglog_slope",
    "mixture_arrays",
    "mixture_family",
    "mixture_quantile",
    "mixture_velocity",
    "one_step_errors",
    "same_distribution",
    "sample",
    "score",
    "shallow_jacobian",
    "sliced_w2",
    "sliced_w2_samples",
    "w2_error",
]
