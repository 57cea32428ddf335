"""Numeric corruption ``x~ = x_0 + eps``, ``eps ~ nu_t``: the noise models of
:mod:`symtransport._theory.noise` as samplers on float arrays.

``t`` is the noise *variance* ([J] §3), as in the symbolic models:

==============  ==================================================
name            draw of ``eps`` (each row)
==============  ==================================================
``gaussian``    ``sqrt(t) L z``, ``z ~ N(0, I)``, ``C = L L^T``
``laplace``     independent Laplace, scale ``b = sqrt(t/2)``
``uniform``     independent uniform on ``[-a, a]``, ``a = sqrt(3t)``
==============  ==================================================

:class:`~symtransport.GenericNoise` has no sampler: it stands for every noise at once.
"""

from __future__ import annotations

import math

import numpy as np

from symtransport._theory.noise import GaussianNoise, NoiseModel, noise_model
from symtransport.errors import InvalidArgument, UnsupportedError

__all__ = ["as_noise", "corrupt", "noise_shape"]


def as_noise(noise: NoiseModel | str | None, d: int) -> NoiseModel:
    """``noise`` as a model that acts on ``R^d``: None is ``N(0, tI)``, a string a registered
    model's name (:func:`~symtransport.noise_model`). Raises :class:`InvalidArgument` for
    anything else and :class:`UnsupportedError` for a model without a sampler."""
    if noise is None:
        model: NoiseModel = noise_model("gaussian")
    elif isinstance(noise, str):
        model = noise_model(noise)
    elif isinstance(noise, NoiseModel):
        model = noise
    else:
        raise InvalidArgument(
            f"noise={noise!r}; give None (Gaussian N(0, tI)), a name such as 'laplace', or a "
            "noise model such as symtransport.noise_model('gaussian', cov)"
        )
    if model.name not in ("gaussian", "laplace", "uniform"):
        raise UnsupportedError(
            f"noise {model.name!r} has no numeric sampler; use gaussian, laplace or uniform"
        )
    model.check_dimension(d)
    return model


def noise_shape(model: NoiseModel, d: int) -> np.ndarray:
    """``C`` (``Cov eps = tC``) as floats: the identity for Laplace and uniform noise."""
    return np.array(model.shape(d).tolist(), dtype=float)


def corrupt(x0: np.ndarray, t: float, model: NoiseModel, rng: np.random.Generator) -> np.ndarray:
    """``x0 + eps`` with one draw of ``eps ~ nu_t`` a row; ``x0`` has shape ``(N, d)``."""
    n, d = x0.shape
    if isinstance(model, GaussianNoise):
        factor = np.linalg.cholesky(noise_shape(model, d))
        eps = math.sqrt(t) * rng.standard_normal((n, d)) @ factor.T
    elif model.name == "laplace":
        eps = rng.laplace(0.0, math.sqrt(t / 2.0), (n, d))
    else:  # uniform
        a = math.sqrt(3.0 * t)
        eps = rng.uniform(-a, a, (n, d))
    return x0 + eps
