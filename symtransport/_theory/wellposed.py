"""When does a continuous DAE exist? Deciding it for a density before any flow is built.

The continuous DAE runs the backward heat equation ``d/dt mu = -Laplacian(mu)`` ([J] Thm 7,
eq. (27)). It has a probability-density solution up to time ``T`` exactly when
``mu_0 = u * N(0, 2T I)`` for a probability density ``u`` (then ``mu_t = u * N(0, 2(T - t) I)``;
notes §3.2). Such a ``mu_0``

* has Fourier transform ``u^(k) exp(-T |k|^2)`` with ``|u^| <= 1``: it decays at least like a
  Gaussian's;
* is therefore **entire**: it extends to an analytic function on all of C^d (no kink, no jump,
  no pole or branch point anywhere in the complex domain);
* is **no thinner-tailed than a Gaussian**: ``mu_0(x) >= c exp(-(|x| + R)^2 / 4T)`` for the mass
  ``u`` puts in a ball of radius ``R``.

:func:`heat_smoothed_family` accepts the Gaussians and Gaussian mixtures (typed in any form,
recognised as in the shallow DAE) and refuses, with :class:`~symtransport.errors.IllPosedError`,
what it can show violates one of these conditions:

* a kink or a jump (``Abs``, ``Heaviside``, ``Piecewise``, ``sign``, ``Min``, ``Max``: the uniform
  and Laplace densities);
* a certified singularity in the complex domain, found on the restriction to a coordinate axis
  (the restriction of an entire function is entire): a zero of a denominator where the
  numerator is not zero (a pole: Cauchy ``1/(1 + x^2)`` at ``x = i``, Student-t, the logistic
  density at ``x = i pi``), or a zero of odd multiplicity of the base of a non-integer power (a
  branch point). Such densities are analytic on R only in a strip, so their Fourier transforms
  decay like ``exp(-c|k|)``;
* tails thinner than every Gaussian along some axis (``exp(P)`` with ``P`` a polynomial of degree
  above 2 that tends to ``-oo`` along it: ``exp(-x^4)``), once the density is checked to be one.

Anything else (a polynomial times a Gaussian, ``exp(-cosh x)``, a removable singularity such as
``(exp(-x^2) - exp(-2x^2))/x^2``) is not decided here and raises
:class:`~symtransport.errors.UnsupportedError` naming what is supported.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp

from symtransport._core.gaussint import MAX_EXPANDED_POWER
from symtransport._theory.densities import (
    Density,
    Gaussian,
    GaussianMixture,
    check_values,
    recognise_gaussian_family,
    symbols_of,
)
from symtransport.errors import IllPosedError, InvalidArgument, UnsupportedError

__all__ = ["SUPPORTED", "heat_smoothed_family"]

SUPPORTED = (
    "Gaussians and Gaussian mixtures (typed in any form, e.g. "
    "'exp(-(x**2 + x*y + y**2))' or '0.3*exp(-x**2) + 0.7*exp(-(x-2)**2/3)')"
)

_NON_SMOOTH = (sp.Abs, sp.Heaviside, sp.Piecewise, sp.sign, sp.Min, sp.Max)


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


def _constant_base_powers(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> sp.Expr:
    """``b**f(x)`` with a positive constant ``b`` rewritten as ``exp(f(x) log b)``."""
    return expr.replace(
        lambda n: isinstance(n, sp.Pow) and not n.base.has(*xs) and n.exp.has(*xs),
        lambda n: sp.exp(n.exp * sp.log(n.base)),
    )


def _restrictions(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> list[tuple[sp.Symbol, sp.Expr]]:
    """``expr`` on each coordinate axis (the other variables 0), as ``(variable, f(variable))``,
    hyperbolic functions written as exponentials."""
    hyperbolic = (sp.cosh, sp.sinh, sp.tanh, sp.sech, sp.csch, sp.coth)
    out = []
    for x in xs:
        f = expr.xreplace({y: 0 for y in xs if y != x})
        out.append((x, f.rewrite(sp.exp) if f.has(*hyperbolic) else f))
    return out


def _exp_polynomial(expr: sp.Expr, x: sp.Symbol, z: sp.Symbol) -> sp.Expr | None:
    """``expr`` as a polynomial in ``z = exp(x)`` (``exp(k x + b)`` -> ``exp(b) z^k`` for
    integers ``k``, negative powers cleared), or None when it is not one."""
    failed = False

    def swap(arg: sp.Expr) -> sp.Expr:
        nonlocal failed
        k = sp.expand(arg).coeff(x)
        rest = sp.expand(arg - k * x)
        if not k.is_Integer or rest.has(x):
            failed = True
            return sp.exp(arg)
        return sp.exp(rest) * z**k

    swapped = sp.expand(expr).replace(sp.exp, swap)
    if failed or swapped.has(x):
        return None
    numerator, _ = sp.fraction(sp.together(swapped))
    return numerator if numerator.is_polynomial(z) else None


def _complex_zeros(expr: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    """Numerical zeros off the real line of ``expr``, a polynomial in ``x`` or in ``exp(x)``."""
    if expr.is_polynomial(x):
        roots = _simple_roots(expr, x)
    else:
        z = sp.Dummy("z")
        poly = _exp_polynomial(expr, x, z)
        if poly is None or not poly.has(z):
            return []
        roots = [sp.log(r) for r in _simple_roots(poly, z) if r != 0]
    return [r for r in roots if abs(sp.im(r)) > 1e-20]


def _simple_roots(poly: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    """The distinct complex roots of a polynomial (of its square-free part), to 40 digits."""
    try:
        return sp.Poly(sp.sqf_part(poly, x), x).nroots(n=40, maxsteps=200)
    except sp.polys.polyerrors.PolynomialError:
        return []
    except mpmath.libmp.NoConvergence:
        return []


def _huge_powers(f: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``f`` has an integer power of a sum involving ``x`` beyond
    :data:`~symtransport._core.gaussint.MAX_EXPANDED_POWER` (which ``cancel`` would expand)."""
    return any(
        node.is_Pow
        and node.base.is_Add
        and node.base.has(x)
        and node.exp.is_Integer
        and abs(node.exp) > MAX_EXPANDED_POWER
        for node in sp.preorder_traversal(f)
    )


def _certified_singularity(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> str | None:
    """Where ``expr`` has a pole or a branch point off the real line (a sentence), or None."""
    for x, f in _restrictions(expr, xs):
        if not _huge_powers(f, x):  # cancel would expand (1 + x**2)**-10000
            f = sp.cancel(sp.together(f))
        numerator, denominator = sp.fraction(f)
        bases = [factor.as_base_exp()[0] for factor in sp.Mul.make_args(denominator)]
        for root in (r for base in bases if base.has(x) for r in _complex_zeros(base, x)):
            top = sp.N(numerator.subs(x, root), 50)
            bottom = sp.N(denominator.subs(x, root), 50)
            if abs(bottom) < 1e-35 and abs(top) > 1e-10:
                return f"a pole at {x} = {sp.N(root, 6)}"
        for node in sp.preorder_traversal(f):
            if not (isinstance(node, sp.Pow) and node.base.has(x) and not node.exp.has(x)):
                continue
            if node.exp.is_Integer or not node.base.is_polynomial(x):
                continue
            for factor, multiplicity in sp.sqf_list(node.base, x)[1]:
                if multiplicity % 2 == 1 and (factor * node.exp).is_Integer is not True:
                    for root in _complex_zeros(factor, x):
                        return f"a branch point of {sp.sstr(node)[:50]} at {x} = {sp.N(root, 6)}"
    return None


def _superexponential_axis(expr: sp.Expr, xs: Sequence[sp.Symbol]) -> str | None:
    """An axis along which ``expr`` has a factor ``exp(P)``, ``P`` a polynomial of degree above
    2 tending to ``-oo`` (faster than every Gaussian), or None."""
    for x, f in _restrictions(expr, xs):
        for node in sp.preorder_traversal(f):
            if isinstance(node, sp.exp):
                leading = _leading_term(node.args[0], x)
                if leading is None:
                    continue
                degree, lead = leading
                if degree > 2 and degree % 2 == 0 and lead < 0:
                    return f"{sp.sstr(node)[:60]} along the {x}-axis"
    return None


def _leading_term(p: sp.Expr, x: sp.Symbol) -> tuple[int, sp.Expr] | None:
    """``(degree, leading coefficient)`` of ``p`` as a polynomial in ``x`` (None if it is
    not one), read off its terms: no dense polynomial is built, so ``-x**(10**100)`` costs
    nothing."""
    found: dict[int, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(p)):
        coefficient, power = term.as_coeff_exponent(x)
        if coefficient.has(x) or not (power.is_Integer and power >= 0):
            return None
        found[int(power)] = found.get(int(power), sp.Integer(0)) + coefficient
    degree = max((k for k, c in found.items() if c != 0), default=0)
    return degree, found.get(degree, sp.Integer(0))


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

        xs = symbols_of(variables, reserve=True)
        raw = parse_expression(density, xs) if isinstance(density, str) else density
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
    work = _constant_base_powers(raw, xs)
    family = recognise_gaussian_family(work, xs)
    if family is not None:
        return family, xs
    where = _certified_singularity(work, xs)
    if where is not None:
        raise _ill_posed(
            label,
            f"it has {where}, so it is analytic on R only in a strip and its Fourier transform "
            "decays like exp(-c|k|), slower than a Gaussian's",
        )
    where = _superexponential_axis(work, xs)
    if where is not None:
        if not isinstance(density, Density) and not raw.is_positive:
            Density(raw, xs)  # first: is it a density at all (integrable, non-negative)?
        raise _ill_posed(
            label,
            f"{where} decays faster than every Gaussian, while a Gaussian smoothing of a density "
            "has at least Gaussian tails",
        )
    if not isinstance(density, Density) and not raw.is_positive:
        check_values(raw, xs)  # a clear error for what is no density at all (x, -exp(-x**2))
    raise UnsupportedError(
        f"{label}: whether a continuous DAE exists for this density is not decided by "
        f"symtransport; supported: {SUPPORTED}."
    )
