"""Public: vector calculus on R^d and Gaussian closed forms, for proof scripts.

``grad f = (d f/d x_i)_i``, ``div v = sum_i d v_i/d x_i``, ``Laplacian f = div grad f`` ([J]
writes the Laplacian as a triangle, with no factor 1/2), ``det`` (Leibniz, unsimplified, for
transcendental entries), the 1-D Gaussian density ``N(u; mean, variance)``, Gaussian integrals
``int P(x) exp(-a x^2 + b x + c) dx`` in closed form, and the symmetric positive square root of
an SPD matrix.
"""

from symtransport._core.calculus import (
    determinant,
    divergence,
    gaussian_density,
    gradient,
    laplacian,
)
from symtransport._core.gaussint import gaussian_integral, gaussian_integrals
from symtransport._theory.flow import sqrt_spd

__all__ = [
    "determinant",
    "divergence",
    "gaussian_density",
    "gaussian_integral",
    "gaussian_integrals",
    "gradient",
    "laplacian",
    "sqrt_spd",
]
