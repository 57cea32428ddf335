"""Change of variables and the continuity equation ([J] Facts 1-2, eqs. (7)-(9), App. B).

* **Area factor** (8): for ``g: R^m -> R^n`` with ``m <= n`` and Jacobian ``J`` (n x m),
  ``[grad g] = sqrt(det(J^T J))``; for ``m = n`` it is ``|det J|``. By the Cauchy-Binet formula
  ``det(J^T J)`` is the sum of the squares of the m x m minors of ``J``: the m-volume of the
  parallelepiped spanned by the columns.
* **Change of variables** (7): ``g#mu (g(x)) [grad g](x) = mu(x)``. For ``m = n`` and an invertible
  ``g`` this is ``g#mu (y) = mu(g^-1(y)) |det grad g^-1(y)|``; for ``m < n`` the pushforward is
  a density on the m-dimensional image with respect to its area (Hausdorff) measure, the input
  and output spaces embedded in a common space R^n as [W] proposes.
* **Continuity equation** (9): if ``phi_t`` is the flow of ``v_t``, then ``mu_t = phi_t#mu_0``
  satisfies ``d/dt mu_t + div(mu_t v_t) = 0``. App. B derives it from (7): take the log of
  ``mu_t(phi_t(x)) det grad phi_t(x) = mu_0(x)``, differentiate in ``t`` with Jacobi's formula
  ``d/dt log det J = tr(J^-1 dJ/dt)`` (Matrix Cookbook eq. 43) and ``d/dt grad phi_t =
  grad v_t(phi_t) grad phi_t``; the Eulerian velocity is ``v_t(y) = d/dt phi_t(x)`` at
  ``x = phi_t^-1(y)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from symtransport._core.calculus import determinant, divergence
from symtransport.errors import InvalidArgument

__all__ = [
    "area_factor",
    "continuity_residual",
    "eulerian_velocity",
    "image_density",
    "pushforward_density",
]


def area_factor(jacobian: sp.Matrix) -> sp.Expr:
    """(8): ``[grad g] = sqrt(det(J^T J))`` for an n x m Jacobian with ``m <= n``."""
    n, m = jacobian.shape
    if m > n:
        raise InvalidArgument(
            f"a {n}x{m} Jacobian maps R^{m} to R^{n} with m > n; the area formula (8) needs m <= n"
        )
    return sp.sqrt(determinant(jacobian.T * jacobian))


def pushforward_density(
    mu0: Callable[[Sequence[sp.Expr]], sp.Expr],
    inverse: sp.Matrix,
    ys: Sequence[sp.Symbol],
    *,
    flow: bool = False,
) -> sp.Expr:
    """(7) for an invertible map of R^n: ``g#mu_0 (y) = mu_0(g^-1(y)) |det grad g^-1(y)|``.

    ``mu0``: the density as a function of a coordinate list (e.g. ``Gaussian.pdf``);
    ``inverse``: ``g^-1(y)`` as a column in the symbols ``ys``. ``flow=True`` says ``g`` is the
    time-t map of a flow: then ``det grad g > 0`` (it starts at 1 and, by Liouville's formula
    ``det grad phi_t = exp(int_0^t div v)``, never vanishes), so no absolute value is taken.
    """
    if inverse.shape != (len(ys), 1):
        raise InvalidArgument(
            f"inverse has shape {inverse.shape}; expected a column of {len(ys)} entries in {ys}"
        )
    det = determinant(inverse.jacobian(list(ys)))
    return mu0(list(inverse)) * (det if flow else sp.Abs(det))


def image_density(
    mu0: Callable[[Sequence[sp.Expr]], sp.Expr], jacobian: sp.Matrix, xs: Sequence[sp.Symbol]
) -> sp.Expr:
    """(7)-(8) for ``g: R^m -> R^n``, ``m <= n``: the density of ``g#mu_0`` with respect to the
    area measure of the image, at the point ``g(x)``: ``mu_0(x) / [grad g](x)``."""
    return mu0(list(xs)) / area_factor(jacobian)


def eulerian_velocity(
    phi: sp.Matrix,
    inverse: sp.Matrix,
    xs: Sequence[sp.Symbol],
    ys: Sequence[sp.Symbol],
    t: sp.Symbol,
) -> sp.Matrix:
    """``v_t(y) = d/dt phi_t(x)`` at ``x = phi_t^-1(y)``: the velocity field of a flow given by
    its map ``phi`` (in ``xs`` and ``t``) and inverse (in ``ys`` and ``t``)."""
    return sp.diff(phi, t).xreplace(dict(zip(xs, inverse, strict=True)))


def continuity_residual(
    mu: sp.Expr, velocity: sp.Matrix, ys: Sequence[sp.Symbol], t: sp.Symbol
) -> sp.Expr:
    """(9): ``d/dt mu + div(mu v)``, zero exactly when ``v`` transports ``mu``."""
    return sp.diff(mu, t) + divergence(mu * velocity, ys)
