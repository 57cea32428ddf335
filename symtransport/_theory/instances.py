"""Concrete distributions the proofs check results on.

* The paper's examples ([J] §5, Figs. 6-9): the Gaussian (44) ``N([0,0], diag[2,1])`` and the
  mixtures (45) ``0.5 N([-1,0], I) + 0.5 N([1,0], I)``, (46) ``0.2 N([-1,0], I) + 0.8 N([1,0], I)``
  and (47) ``0.2 N([-1,0], I) + 0.8 N([1,0], diag[2,1])``.
* Fixed test mixtures in d = 1, 2, 3 with exact rational parameters, full (rotated) covariances,
  unequal weights and overlapping components: fixed, so a proof's verdict does not depend on a
  random draw, and rich enough that a formula right only for one isotropic Gaussian fails.
* Symbolic families (checks at ``family`` scope): :func:`symbolic_spd` (every SPD 2x2 matrix),
  :func:`symbolic_gaussian` (every Gaussian on R^2), :func:`symbolic_mixture` (every
  two-component mixture on R).
* :func:`generic_density`: an arbitrary smooth positive density ``mu(x, ...)``, an undefined
  function that :func:`symtransport.verify_identity` replaces by random members of its test
  family.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symtransport._theory.densities import Gaussian, GaussianMixture

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

R = sp.Rational


def gaussian_44() -> Gaussian:
    """(44): ``N([0, 0], diag[2, 1])``."""
    return Gaussian([0, 0], [[2, 0], [0, 1]])


def mixture_45() -> GaussianMixture:
    """(45): ``0.5 N([-1,0], I) + 0.5 N([1,0], I)``."""
    return GaussianMixture.from_arrays([R(1, 2), R(1, 2)], [[-1, 0], [1, 0]], [sp.eye(2)] * 2)


def mixture_46() -> GaussianMixture:
    """(46): ``0.2 N([-1,0], I) + 0.8 N([1,0], I)``."""
    return GaussianMixture.from_arrays([R(1, 5), R(4, 5)], [[-1, 0], [1, 0]], [sp.eye(2)] * 2)


def mixture_47() -> GaussianMixture:
    """(47): ``0.2 N([-1,0], I) + 0.8 N([1,0], diag[2,1])``."""
    return GaussianMixture.from_arrays(
        [R(1, 5), R(4, 5)], [[-1, 0], [1, 0]], [sp.eye(2), sp.diag(2, 1)]
    )


def paper_mixtures() -> dict[str, GaussianMixture]:
    """The mixtures (45)-(47) by equation number."""
    return {"(45)": mixture_45(), "(46)": mixture_46(), "(47)": mixture_47()}


_COVS = {
    1: [sp.Matrix([[R(3, 2)]]), sp.Matrix([[R(1, 2)]])],
    2: [
        sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]]),
        sp.Matrix([[R(3, 4), R(-1, 4)], [R(-1, 4), R(3, 2)]]),
    ],
    3: [
        sp.Matrix([[2, R(1, 2), 0], [R(1, 2), 1, R(1, 4)], [0, R(1, 4), R(3, 2)]]),
        sp.Matrix([[1, R(-1, 3), R(1, 5)], [R(-1, 3), R(3, 2), 0], [R(1, 5), 0, R(4, 5)]]),
    ],
}
_MEANS = {
    1: [[R(-1, 2)], [R(3, 2)]],
    2: [[R(-1, 2), R(1, 4)], [1, R(-3, 4)]],
    3: [[R(-1, 2), R(1, 4), 0], [1, R(-3, 4), R(1, 2)]],
}


def fixed_gaussian(d: int, diagonal: bool = False) -> Gaussian:
    """A fixed Gaussian on R^d (full covariance unless ``diagonal``)."""
    cov = _COVS[d][0]
    if diagonal:
        cov = sp.diag(*[cov[i, i] for i in range(d)])
    return Gaussian(_MEANS[d][0], cov)


def fixed_mixture(d: int, diagonal: bool = False) -> GaussianMixture:
    """A fixed two-component mixture on R^d, weights 1/3 and 2/3, overlapping components."""
    covs = _COVS[d]
    if diagonal:
        covs = [sp.diag(*[c[i, i] for i in range(d)]) for c in covs]
    return GaussianMixture.from_arrays([R(1, 3), R(2, 3)], _MEANS[d], covs)


def symbolic_spd(prefix: str = "l") -> sp.Matrix:
    """``L L^T`` with ``L = [[p1, 0], [p2, p3]]``, ``p1, p3 > 0``: every SPD 2x2 matrix (the
    symbols are named ``prefix`` + 1, 2, 3)."""
    p1, p3 = sp.symbols(f"{prefix}1 {prefix}3", positive=True)
    p2 = sp.Symbol(f"{prefix}2", real=True)
    lower = sp.Matrix([[p1, 0], [p2, p3]])
    return lower * lower.T


def symbolic_gaussian() -> Gaussian:
    """``N((m1, m2), L L^T)`` (:func:`symbolic_spd`): every Gaussian on R^2."""
    m1, m2 = sp.symbols("m1 m2", real=True)
    return Gaussian([m1, m2], symbolic_spd())


def symbolic_mixture() -> GaussianMixture:
    """Every two-component mixture on R: ``w N(m1, v1) + (1 - w) N(m2, v2)``, with the weight
    ``w = a / (a + b)`` for positive ``a``, ``b`` (so ``0 < w < 1``)."""
    a, b, v1, v2 = sp.symbols("a b v1 v2", positive=True)
    m1, m2 = sp.symbols("m1 m2", real=True)
    return GaussianMixture([a / (a + b), b / (a + b)], [Gaussian(m1, v1), Gaussian(m2, v2)])


@dataclass(frozen=True)
class GenericDensity:
    """An arbitrary smooth positive density ``name(x_1, ..., x_d)`` (an undefined function)."""

    dim: int
    name: str = "mu"
    family: None = None
    normalisation: int = 1

    def pdf(self, xs: tuple[sp.Expr, ...] | list[sp.Expr]) -> sp.Expr:
        """``mu(xs)``."""
        return sp.Function(self.name)(*xs)


def generic_density(d: int = 1, name: str = "mu") -> GenericDensity:
    """An arbitrary smooth positive density on R^d."""
    return GenericDensity(d, name)
