"""Numeric corruption: ``x~ = x_0 + eps``, ``eps ~ nu_t``, the additive noise models of
:mod:`symtransport._theory.noise` as samplers on float arrays, and masking ``x~ = x_0 * b``.

``t`` is the noise *variance* ([J] §3), as in the symbolic models:

==============  ==================================================
name            draw of ``eps`` (each row)
==============  ==================================================
``gaussian``    ``sqrt(t) L z``, ``z ~ N(0, I)``, ``C = L L^T``
``laplace``     independent Laplace, scale ``b = sqrt(t/2)``
``uniform``     independent uniform on ``[-a, a]``, ``a = sqrt(3t)``
==============  ==================================================

:class:`~symtransport.GenericNoise` has no sampler: it stands for every noise at once.

Masking noise (:class:`~symtransport._theory.noise.MaskingNoise`) zeroes each coordinate with
probability ``p``: :func:`mask_samples`. It has no variance ``t``, so :func:`as_noise`, the entry
of the trained denoisers and map comparisons (which corrupt with noise of variance ``t``),
refuses it with :class:`~symtransport.errors.UnsupportedError`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from symtransport._theory.noise import GaussianNoise, MaskingNoise, NoiseModel, noise_model
from symtransport.errors import InvalidArgument, UnsupportedError

__all__ = ["as_noise", "corrupt", "mask_samples", "noise_shape"]

_MASKING_REFUSED = (
    "masking noise zeroes coordinates with probability p and has no variance t, while this "
    "corrupts with additive noise of variance t (gaussian, laplace or uniform); mask samples "
    "with symtransport.mask_samples, and derive the masked DAE with "
    "symtransport.masked_posterior_mean or `symtransport derive dae --noise masking`"
)


def as_noise(noise: NoiseModel | str | None, d: int) -> NoiseModel:
    """``noise`` as a model that acts on ``R^d``: None is ``N(0, tI)``, a string a registered
    model's name (:func:`~symtransport.noise_model`). Raises :class:`InvalidArgument` for
    anything else and :class:`UnsupportedError` for a model without a sampler of additive
    noise (masking noise among them)."""
    if noise is None:
        model: NoiseModel = noise_model("gaussian")
    elif isinstance(noise, str) and noise == MaskingNoise.name:
        raise UnsupportedError(_MASKING_REFUSED)
    elif isinstance(noise, str):
        model = noise_model(noise)
    elif isinstance(noise, NoiseModel):
        model = noise
    else:
        raise InvalidArgument(
            f"noise={noise!r}; give None (Gaussian N(0, tI)), a name such as 'laplace', or a "
            "noise model such as symtransport.noise_model('gaussian', cov)"
        )
    if not model.is_additive:
        raise UnsupportedError(_MASKING_REFUSED)
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
    if not model.is_additive:
        raise UnsupportedError(_MASKING_REFUSED)
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


def mask_samples(x0: np.ndarray, p: float, rng: np.random.Generator) -> np.ndarray:
    """``x0 * b`` with ``b_ij ~ Bernoulli(1 - p)`` independent: each coordinate of each row of
    ``x0`` (shape ``(N, d)``) set to 0 with probability ``p``, ``0 < p < 1``."""
    try:
        x = np.asarray(x0, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"x0={x0!r} is not an array of numbers") from exc
    if x.ndim != 2:
        raise InvalidArgument(f"x0 has shape {x.shape}; expected (N, d) samples, one a row")
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 < p < 1:
        raise InvalidArgument(f"masking probability p={p!r}; expected a number with 0 < p < 1")
    keep = rng.random(x.shape) >= p
    return np.where(keep, x, 0.0)
