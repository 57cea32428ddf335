"""When does a continuous DAE exist? Deciding it for a density before any flow is built.

The continuous DAE runs the backward heat equation ``d/dt mu = -Laplacian(mu)`` ([J] Thm 7,
eq. (27)). It has a probability-density solution up to time ``T`` exactly when
``mu_0 = u * N(0, 2T I)`` for a probability density ``u`` (then ``mu_t = u * N(0, 2(T - t) I)``;
notes §3.2). Such a ``mu_0`` is

* **real-analytic, indeed entire**: a Gaussian convolution of an integrable function extends to
  an entire function on C^d, so its Fourier transform decays at least like ``exp(-T |k|^2)``;
* **no thinner-tailed than a Gaussian**: ``mu_0(x) >= c exp(-(|x| + R)^2 / 4T)`` for the mass
  ``u`` puts in a ball of radius ``R``.

:func:`heat_smoothed_family` accepts the Gaussians and Gaussian mixtures (typed in any form,
recognised as in the shallow DAE) and refuses, with :class:`~symtransport.errors.IllPosedError`,
what it can show violates one of the two conditions:

* a kink or a jump (``Abs``, ``Heaviside``, ``Piecewise``, ``sign``, ``Min``, ``Max``: the uniform
  and Laplace densities);
* a singularity off the real line (a non-constant denominator, a fractional power of a
  non-constant base, ``log``, ``tan``, ``tanh``...: the Student-t, logistic and Cauchy densities
  are analytic on R only in a strip, so their Fourier transforms decay like ``exp(-c|k|)``);
* tails thinner than every Gaussian (``exp(-x^4)``: an exponent of degree above 2).

Anything else (a polynomial times a Gaussian, say) is not decided here and raises
:class:`~symtransport.errors.UnsupportedError` naming what is supported.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symtransport.densities import Density, Gaussian, GaussianMixture
from symtransport.errors import IllPosedError, InvalidArgument, UnsupportedError

__all__ = ["SUPPORTED", "heat_smoothed_family"]

SUPPORTED = (
    "Gaussians and Gaussian mixtures (typed in any form, e.g. "
    "'exp(-(x**2 + x*y + y**2))' or '0.3*exp(-x**2) + 0.7*exp(-(x-2)**2/3)')"
)

_NON_SMOOTH = (sp.Abs, sp.Heaviside, sp.Piecewise, sp.sign, sp.Min, sp.Max)
_ENTIRE_FUNCTIONS = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.erf, sp.erfc)


def _ill_posed(label: str, why: str) -> IllPosedError:
    return IllPosedError(
        f"{label}: the continuous DAE is ill-posed for this density: {why}. A continuous DAE "
        "up to time T exists only for a Gaussian smoothing (variance 2T) of a density; "
        f"supported: {SUPPORTED}."
    )


def _kink(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Basic | None:
    for node in sp.preorder_traversal(expr):
        if isinstance(node, _NON_SMOOTH) and node.has(*xs):
            return node
    return None


def _off_line_singularity(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Basic | None:
    """A subexpression that makes ``expr`` fail to be entire, or None if none is seen."""
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, sp.Basic) or not node.has(*xs):
            continue
        if isinstance(node, sp.Pow):
            exponent = node.exp
            if not (exponent.is_Integer and exponent >= 0):
                return node
        elif isinstance(node, sp.Function) and not isinstance(node, _ENTIRE_FUNCTIONS):
            return node
    return None


def _superexponential(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Basic | None:
    """An ``exp(P)`` with P a polynomial of degree above 2 in the variables."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.exp):
            arg = sp.expand(node.args[0])
            if arg.is_polynomial(*xs) and sp.Poly(arg, *xs).total_degree() > 2:
                return node
    return None


def heat_smoothed_family(
    density: Gaussian | GaussianMixture | Density | sp.Expr | str,
    variables: Sequence[str | sp.Symbol] | None = None,
) -> tuple[Gaussian | GaussianMixture, tuple[sp.Symbol, ...] | None]:
    """The Gaussian family of ``density`` and its variables (None for a structured density).

    ``density``: a :class:`Gaussian`, a :class:`GaussianMixture`, a :class:`Density`, or an
    expression or text with ``variables``. Raises :class:`IllPosedError` when no continuous DAE
    exists for any ``t > 0`` (see the module docstring) and :class:`UnsupportedError` when the
    question is not decided here.
    """
    if isinstance(density, Gaussian | GaussianMixture):
        return density, None
    if isinstance(density, Density):
        xs, raw = density.variables, density.raw
    elif isinstance(density, str | sp.Expr) and not isinstance(density, sp.MatrixBase):
        if variables is None:
            raise InvalidArgument(
                f"density={density!s:.80} is an expression; pass variables=[...] as well"
            )
        from symtransport.parsing import parse_expression

        xs_in = [sp.Symbol(v, real=True) if isinstance(v, str) else v for v in variables]
        raw = parse_expression(density, xs_in) if isinstance(density, str) else density
        xs = tuple(xs_in)
    else:
        raise InvalidArgument(
            f"density={density!r} of type {type(density).__name__} is not a density; expected "
            "a Gaussian, a GaussianMixture, a Density, or an expression with variables"
        )
    label = f"density={sp.sstr(raw)[:120]}"
    node = _kink(raw, xs)
    if node is not None:
        raise _ill_posed(
            label,
            f"{sp.sstr(node)[:60]} gives it a kink or a jump, so it is not real-analytic and no "
            "backward heat flow starts from it",
        )
    together = sp.cancel(sp.powsimp(sp.together(raw)))
    node = _off_line_singularity(together, xs)
    if node is not None:
        raise _ill_posed(
            label,
            f"{sp.sstr(node)[:60]} makes it singular off the real line (analytic only in a strip), "
            "so its Fourier transform decays like exp(-c|k|), slower than a Gaussian's",
        )
    node = _superexponential(together, xs)
    if node is not None:
        raise _ill_posed(
            label,
            f"{sp.sstr(node)[:60]} decays faster than every Gaussian, while a Gaussian smoothing "
            "of a density has at least Gaussian tails",
        )
    if not isinstance(density, Density):
        density = Density(raw, xs)
    if density.family is None:
        raise UnsupportedError(
            f"{label}: whether a continuous DAE exists for this density is not decided by "
            f"symtransport; supported: {SUPPORTED}."
        )
    return density.family, xs
