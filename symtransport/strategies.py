"""Public: Hypothesis strategies for random Gaussian mixtures, noise models, points and times
before blow-up. See :mod:`symtransport._random.strategies`.
"""

from symtransport._random.strategies import (
    gaussian_mixtures,
    noise_models,
    points,
    times_before_blowup,
)

__all__ = [
    "gaussian_mixtures",
    "noise_models",
    "points",
    "times_before_blowup",
]
