"""Public: the concrete densities the proofs check results on.

The paper's Gaussian (44) and mixtures (45)-(47) ([J] §5), fixed test mixtures in d = 1, 2, 3,
symbolic families (every SPD 2x2 matrix, every Gaussian on R^2, every two-component mixture on
R) and a generic density ``mu(x, ...)``. See :mod:`symtransport._theory.instances`.
"""

from symtransport._theory.instances import (
    GenericDensity,
    fixed_gaussian,
    fixed_mixture,
    gaussian_44,
    generic_density,
    mixture_45,
    mixture_46,
    mixture_47,
    paper_mixtures,
    symbolic_gaussian,
    symbolic_mixture,
    symbolic_spd,
)

__all__ = [
    "GenericDensity",
    "fixed_gaussian",
    "fixed_mixture",
    "gaussian_44",
    "generic_density",
    "mixture_45",
    "mixture_46",
    "mixture_47",
    "paper_mixtures",
    "symbolic_gaussian",
    "symbolic_mixture",
    "symbolic_spd",
]
