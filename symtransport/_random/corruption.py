"""Numeric corruption ``x~ = x_0 + eps``, ``eps ~ nu_t``: the noise models of
:mod:`symtransport._theory.noise` as samplers and log-densities on float arrays.

``t`` is the noise *variance* ([J] §3), as in the symbolic models:

==============  =============================================  ==================================
name            draw of ``eps`` (each row)                     ``log nu_t(eps)`` up to a constant
==============  =============================================  ==================================
``gaussian``    ``sqrt(t) L z``, ``z ~ N(0, I)``, ``C = L L^T``  ``-eps^T C^{-1} eps / (2t)``
``laplace``     independent Laplace, scale ``b = sqrt(t/2)``   ``-sum_i |eps_i| / b``
``uniform``     independent uniform on ``[-a, a]``,            ``0`` inside the box, ``-inf``
                ``a = sqrt(3t)``                               outside
==============  =============================================  ==================================

The constants are dropped because every use (the empirical-Bayes posterior mean, a softmax
over the training samples) normalises them away. :class:`~symtransport.GenericNoise` has no
sampler: it stands for every noise at once.
"""

from __future__ import annotations

import math

import numpy as np

from symtransport._theory.noise import GaussianNoise, NoiseModel, noise_model
from symtransport.errors import InvalidArgument, UnsupportedError

__all__ = ["as_noise", "corrupt", "log_kernel"]


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


def _factor(model: NoiseModel, d: int) -> np.ndarray:
    """The Cholesky factor ``L`` of the Gaussian model's ``C`` (the identity when isotropic)."""
    return np.linalg.cholesky(np.array(model.shape(d).tolist(), dtype=float))


def corrupt(x0: np.ndarray, t: float, model: NoiseModel, rng: np.random.Generator) -> np.ndarray:
    """``x0 + eps`` with one draw of ``eps ~ nu_t`` a row; ``x0`` has shape ``(N, d)``."""
    n, d = x0.shape
    if isinstance(model, GaussianNoise):
        eps = math.sqrt(t) * rng.standard_normal((n, d)) @ _factor(model, d).T
    elif model.name == "laplace":
        eps = rng.laplace(0.0, math.sqrt(t / 2.0), (n, d))
    else:  # uniform
        a = math.sqrt(3.0 * t)
        eps = rng.uniform(-a, a, (n, d))
    return x0 + eps


def log_kernel(diff: np.ndarray, t: float, model: NoiseModel) -> np.ndarray:
    """``log nu_t(diff)`` up to an additive constant, over the last axis of ``diff``
    (``(..., d)`` -> ``(...)``); ``-inf`` outside the uniform model's box."""
    d = diff.shape[-1]
    if isinstance(model, GaussianNoise):
        white = np.linalg.solve(_factor(model, d), np.moveaxis(diff, -1, 0).reshape(d, -1))
        return -0.5 * np.sum(white**2, axis=0).reshape(diff.shape[:-1]) / t
    if model.name == "laplace":
        return -np.sum(np.abs(diff), axis=-1) / math.sqrt(t / 2.0)
    inside = np.all(np.abs(diff) <= math.sqrt(3.0 * t), axis=-1)
    return np.where(inside, 0.0, -np.inf)
