"""All Gaussian mixtures of one shape at once: the derived formulas compiled with the mixture's
numbers as parameters, so a property test over thousands of random mixtures compiles once.

A :class:`MixtureFamily` ``(d, K)`` is the symbolic mixture

    mu_0(x) = sum_k w_k N(x; m_k, S_k),  w_k = a_k / (a_1 + ... + a_K),  S_k = L_k L_k^T,

with positive symbols ``a_k``, real means ``m_k`` and lower-triangular ``L_k`` with a positive
diagonal (a Cholesky factor), so that the library's own objects (:class:`GaussianMixture`,
:class:`~symtransport.ContinuousDAE`, :class:`~symtransport.ShallowDAE`) accept it: the
weights provably sum to 1 and every covariance is provably symmetric positive definite
(its leading minors are ``(L_11 ... L_jj)^2``). Their derived expressions (the velocity (43),
``mu_t`` (42), the shallow DAE (38) ...) are compiled by :func:`~symtransport.compile_map` with
the parameters ``(t, a, m, L)``; :meth:`MixtureFamily.values` turns a numeric mixture into
those parameter arrays. Nothing here restates a formula: the expressions come from the
classes that derive them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from symtransport._core.calculus import divergence
from symtransport._core.codegen import CompiledMap, compile_map
from symtransport._random.numerics import mixture_arrays
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.densities import Gaussian, GaussianMixture
from symtransport._theory.flow import ContinuousDAE
from symtransport.errors import InvalidArgument
from symtransport.symbols import coordinates
from symtransport.symbols import t as T

__all__ = [
    "MixtureFamily",
    "family_of",
    "flow_field",
    "mixture_family",
    "shallow_jacobian",
    "velocity_and_divergence",
]


def _lower(d: int) -> list[tuple[int, int]]:
    """The lower-triangle positions ``(i, j)``, ``j <= i``, row by row."""
    return [(i, j) for i in range(d) for j in range(i + 1)]


@dataclass(frozen=True)
class MixtureFamily:
    """The ``K``-component Gaussian mixtures on ``R^d`` with symbolic parameters (see the module
    docstring). Build one with :func:`mixture_family` (cached)."""

    dim: int
    components: int

    def __post_init__(self) -> None:
        for name in ("dim", "components"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidArgument(f"{name}={value!r}: expected a positive integer")

    # --- the symbols -------------------------------------------------------------------------

    @functools.cached_property
    def a(self) -> list[sp.Symbol]:
        """Unnormalised weights ``a_k > 0``."""
        return [sp.Symbol(f"a{k}", positive=True) for k in range(self.components)]

    @functools.cached_property
    def m(self) -> list[list[sp.Symbol]]:
        """Means ``m_k`` (``K`` rows of ``d``)."""
        return [
            [sp.Symbol(f"m{k}_{i}", real=True) for i in range(self.dim)]
            for k in range(self.components)
        ]

    @functools.cached_property
    def L(self) -> list[list[sp.Symbol]]:
        """Cholesky entries ``L_k[i, j]``, ``j <= i`` (positive on the diagonal), row by row."""
        return [
            [
                sp.Symbol(f"L{k}_{i}{j}", positive=True)
                if i == j
                else sp.Symbol(f"L{k}_{i}{j}", real=True)
                for i, j in _lower(self.dim)
            ]
            for k in range(self.components)
        ]

    def _factor(self, k: int) -> sp.Matrix:
        entries = dict(zip(_lower(self.dim), self.L[k], strict=True))
        return sp.Matrix(self.dim, self.dim, lambda i, j: entries.get((i, j), 0))

    @property
    def params(self) -> list[Any]:
        """The parameter groups ``[a, m, L]`` in the order compiled maps take their values."""
        return [self.a, self.m, self.L]

    # --- the library's objects ---------------------------------------------------------------

    @functools.cached_property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """The coordinates ``x, y, z`` (``x1 ... xd`` above 3)."""
        return coordinates(self.dim)

    @functools.cached_property
    def mixture(self) -> GaussianMixture:
        """``sum_k (a_k / sum_j a_j) N(m_k, L_k L_k^T)``."""
        total = sp.Add(*self.a)
        parts = [
            Gaussian(self.m[k], self._factor(k) * self._factor(k).T) for k in range(self.components)
        ]
        return GaussianMixture([ak / total for ak in self.a], parts)

    @functools.cached_property
    def flow(self) -> ContinuousDAE:
        """The continuous DAE of the family (Definition 4)."""
        return ContinuousDAE(self.mixture, self.variables)

    def shallow(self, noise: Any = None) -> ShallowDAE:
        """The shallow DAE of the family (Thm 4-5); Gaussian noise ``N(0, tI)`` by default."""
        if noise is None:
            return ShallowDAE(self.mixture, variables=self.variables)
        return ShallowDAE(self.mixture, noise, variables=self.variables)

    # --- compiling and evaluating ------------------------------------------------------------

    def compile(self, exprs: Any, time: Sequence[sp.Symbol] = (T,)) -> CompiledMap:
        """``f(X, *time_values, a, m, L)`` for expressions in the coordinates, ``time`` and the
        family's parameters (NumPy backend: no JIT start-up in short-lived check processes)."""
        return compile_map(exprs, self.variables, [*time, *self.params], backend="numpy")

    def compiled(self, build: Callable[[MixtureFamily], Any]) -> CompiledMap:
        """:meth:`compile` of ``build(self)`` (expressions in the coordinates, ``t`` and the
        parameters), derived and compiled once per family and ``build`` function."""
        cache: dict[Any, CompiledMap] = self.__dict__.setdefault("_compiled", {})
        if build not in cache:
            cache[build] = self.compile(build(self))
        return cache[build]

    def values(self, density: Gaussian | GaussianMixture) -> tuple[np.ndarray, ...]:
        """``(a, m, L)`` for a numeric ``density`` of this family's shape: the weights, the means
        and the Cholesky factors' lower triangles, as float arrays."""
        if isinstance(density, Gaussian):
            density = GaussianMixture([1], [density])
        if not isinstance(density, GaussianMixture):
            raise InvalidArgument(
                f"density={density!r} is a {type(density).__name__}; expected a Gaussian or a "
                "GaussianMixture with numbers"
            )
        if (density.dim, len(density.components)) != (self.dim, self.components):
            raise InvalidArgument(
                f"the density has d = {density.dim} and K = {len(density.components)}; this "
                f"family has d = {self.dim} and K = {self.components}"
            )
        if density.free_symbols:
            raise InvalidArgument("the density has symbols; give one with numbers")
        return self.parameters(*mixture_arrays(density))  # converted once per density (cached)

    def parameters(
        self, weights: np.ndarray, means: np.ndarray, covariances: Any
    ) -> tuple[np.ndarray, ...]:
        """``(a, m, L)`` from float ``weights`` ``(K,)``, ``means`` ``(K, d)`` and
        ``covariances`` ``(K, d, d)`` (e.g. the stages of a composition): the covariances
        replaced by their Cholesky factors' lower triangles, row by row."""
        rows, cols = zip(*_lower(self.dim), strict=True)
        return (
            weights,
            means,
            np.linalg.cholesky(np.asarray(covariances, dtype=float))[:, rows, cols],
        )


@functools.cache
def mixture_family(dim: int, components: int) -> MixtureFamily:
    """The cached :class:`MixtureFamily` of ``components`` Gaussians on ``R^dim``."""
    return MixtureFamily(dim, components)


def family_of(density: Gaussian | GaussianMixture) -> MixtureFamily:
    """The cached family of ``density``'s shape (a Gaussian is a one-component mixture)."""
    k = 1 if isinstance(density, Gaussian) else len(density.components)
    return mixture_family(density.dim, k)


# --- derived expressions that property checks compile ---------------------------------------


def velocity_and_divergence(fam: MixtureFamily) -> list[sp.Expr]:
    """``[v_t, div v_t]``, the velocity (43) and its divergence."""
    v = fam.flow.velocity()
    return [*v, divergence(v, fam.variables)]


def flow_field(fam: MixtureFamily, params: tuple[np.ndarray, ...], sign: float = 1.0) -> Any:
    """``(X, s) -> [sign v, sign div v]`` at time ``sign * s``: the compiled velocity (43) with
    its divergence; ``sign = -1`` is the forward heat flow's ``-grad log u_s``, since (42) at
    time ``-s`` is ``u_s = mu_0 * N(0, 2sI)``."""
    compiled = fam.compiled(velocity_and_divergence)
    return lambda X, s: sign * compiled(X, sign * s, *params)


def shallow_jacobian(fam: MixtureFamily) -> list[sp.Expr]:
    """The entries of ``grad g_t`` for the shallow DAE with noise ``N(0, tI)`` (38)."""
    return list(fam.shallow().jacobian())
