"""Vector calculus on R^d, symbolically: gradient, divergence, Laplacian, determinant,
Gaussian density.

For coordinates ``xs = (x_1, ..., x_d)``: ``grad f = (d f/d x_i)_i``,
``div v = sum_i d v_i / d x_i`` and ``Laplacian f = div grad f = sum_i d^2 f / d x_i^2``
([J] writes the Laplacian as a triangle, with no factor 1/2 anywhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

import sympy as sp
from sympy.combinatorics import Permutation

from symtransport.errors import InvalidArgument

__all__ = [
    "carry_out_derivatives",
    "determinant",
    "distributed_terms",
    "divergence",
    "gaussian_density",
    "gradient",
    "laplacian",
]


def carry_out_derivatives(e: sp.Basic) -> sp.Basic:
    """``e`` with its unevaluated derivatives carried out and nothing else evaluated: a
    derivative of an integral moves under the integral sign without integrating (Leibniz's
    rule), a derivative of an undefined function stays one."""
    return e.replace(lambda n: isinstance(n, sp.Derivative), lambda n: n.doit(deep=False))


def distributed_terms(e: sp.Expr, limit: int) -> list[sp.Expr] | None:
    """The terms of ``e`` with every product distributed over its sums, denominators left as
    they are (``expand`` would also multiply out ``1/((2t + 1) (a + b))``): ``-x (a e^p + b
    e^q)`` gives ``[-a x e^p, -b x e^q]``. None past ``limit`` terms."""
    if e.is_Add:
        out: list[sp.Expr] = []
        for a in e.args:
            part = distributed_terms(a, limit - len(out))
            if part is None:
                return None
            out += part
        return out
    if e.is_Mul:
        sums = [f for f in e.args if f.is_Add]
        if sums:
            rest = sp.Mul(*(f for f in e.args if f is not sums[0]))
            return distributed_terms(sp.Add(*(rest * u for u in sums[0].args)), limit)
    return [e] if limit >= 1 else None


def gradient(f: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Matrix:
    """The column vector ``(d f / d x_i)_i``."""
    return sp.Matrix([sp.diff(f, v) for v in xs])


def divergence(v: sp.Matrix | Sequence[sp.Expr], xs: Sequence[sp.Symbol]) -> sp.Expr:
    """``sum_i d v_i / d x_i``."""
    components = list(v)
    if len(components) != len(xs):
        raise InvalidArgument(
            f"a field with {len(components)} components has no divergence in {len(xs)} coordinates"
        )
    return sp.Add(*(sp.diff(c, x) for c, x in zip(components, xs, strict=True)))


def laplacian(f: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Expr:
    """``sum_i d^2 f / d x_i^2``."""
    return sp.Add(*(sp.diff(f, x, 2) for x in xs))


def determinant(m: sp.Matrix) -> sp.Expr:
    """``det m``; with transcendental entries, ``sum_p sign(p) prod_i m[i, p(i)]`` (Leibniz),
    unsimplified.

    SymPy's ``Matrix.det`` cancels as it eliminates: right for rational entries (an affine
    map's Jacobian), but on the Jacobian of a mixture's transport map (ratios of sums of
    exponentials) it does not finish. The Leibniz sum is instant for the small d of transport
    maps and leaves simplification to the checker.
    """
    n = m.rows
    if m.cols != n:
        raise InvalidArgument(f"a {m.rows}x{m.cols} matrix has no determinant")
    if n > 4 or not m.has(sp.exp, sp.erf, sp.erfc, sp.Integral):
        return m.det()
    return sp.Add(
        *(
            Permutation(list(p)).signature() * sp.Mul(*(m[i, p[i]] for i in range(n)))
            for p in permutations(range(n))
        )
    )


def gaussian_density(u: sp.Expr, mean: sp.Expr, variance: sp.Expr) -> sp.Expr:
    """The 1-D normal density with the given mean and variance.

    ``N(u; mean, variance) = exp(-(u - mean)^2 / (2 variance)) / sqrt(2 pi variance)``.
    """
    return sp.exp(-((u - mean) ** 2) / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)
