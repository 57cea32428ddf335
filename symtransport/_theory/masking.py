"""The DAE of masking noise: the posterior mean when coordinates are zeroed at random.

Masking noise ([J] §3 allows any noise; the original DAEs used this one) sets each coordinate
to 0 with probability ``p``, independently of the data: ``x~ = x * b``, ``b_i ~ Bernoulli(1 - p)``.
It is not additive, so [J] Thm 4's form (14) does not apply as written, but its proof does: the
loss ``E|g(x~) - x|^2`` splits over the mask patterns, and on the stratum of a pattern with
masked coordinates ``M`` and observed ones ``O`` (``x~_O = x_O``, ``x~_M = 0``) the minimiser is
the ratio of integrals

    g(x~) = int x P(M) mu_0(x~_O, x_M) dx_M / int P(M) mu_0(x~_O, x_M) dx_M,
    P(M) = p^|M| (1 - p)^|O|,

whose observed part is ``x~_O`` and whose masked part is ``E[x_M | x_O = x~_O]``. The pattern's
probability ``P(M)`` cancels, so the map does not depend on ``p``. The zeros of ``x~`` identify
the pattern almost surely: a coordinate of data with a density is 0 with probability 0 (on
that null set the map is defined by its pattern of zeros all the same).

For a Gaussian mixture ``sum_k w_k N(m_k, S_k)`` the masked part is in closed form,

    E[x_M | x_O] = sum_k r_k(x_O) (m_kM + S_kMO S_kOO^{-1} (x_O - m_kO)),
    r_k(x_O) = w_k N(x_O; m_kO, S_kOO) / sum_j w_j N(x_O; m_jO, S_jOO),

the mixture of the components' Gaussian conditionals, with responsibilities from the
*marginals* of the observed coordinates (not the full densities at ``x~`` with zeros put in).
With nothing masked the map is the identity: on clean data the masked DAE moves nothing.

A pattern is a tuple of bools, ``True`` where the coordinate is masked.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import sympy as sp

from symtransport._theory.gaussians import Gaussian, GaussianMixture
from symtransport._verification.derivation import Derivation
from symtransport.errors import InvalidArgument

__all__ = [
    "P",
    "Pattern",
    "mask_patterns",
    "masked_derivation",
    "masked_evidence",
    "masked_loss",
    "masked_map",
    "masked_posterior_mean",
    "masked_posterior_mean_integral",
    "pattern_probability",
    "piecewise_map",
]

Pattern = tuple[bool, ...]

#: the masking probability as a symbol, ``0 < p < 1`` (the constraint ``p < 1`` goes with it)
P = sp.Symbol("p", positive=True)


def mask_patterns(d: int) -> list[Pattern]:
    """Every pattern on R^d, from nothing masked to everything masked."""
    return sorted(itertools.product((False, True), repeat=d), key=lambda m: (sum(m), m))


def _pattern(masked: Sequence[bool], d: int) -> Pattern:
    pattern = tuple(bool(m) for m in masked)
    if len(pattern) != d:
        raise InvalidArgument(f"masked={list(masked)} has {len(pattern)} entries for R^{d}")
    return pattern


def pattern_probability(masked: Sequence[bool], p: sp.Expr) -> sp.Expr:
    """``P(M) = p^|M| (1 - p)^|O|``: the probability of the pattern."""
    k = sum(bool(m) for m in masked)
    return p**k * (1 - p) ** (len(masked) - k)


def _clean_point(
    masked: Pattern, variables: Sequence[sp.Symbol]
) -> tuple[list[sp.Expr], list[sp.Symbol]]:
    """The clean point ``(x~_O, x_M)`` and the masked coordinates ``x_M`` integrated over
    (one symbol ``<name>_0`` a masked coordinate)."""
    taken = {v.name for v in variables}
    point: list[sp.Expr] = []
    hidden: list[sp.Symbol] = []
    for v, m in zip(variables, masked, strict=True):
        if m:
            name = f"{v.name}_0"
            while name in taken:
                name += "_"
            hidden.append(sp.Symbol(name, real=True))
            point.append(hidden[-1])
        else:
            point.append(v)
    return point, hidden


def _over(body: sp.Expr, hidden: Sequence[sp.Symbol]) -> sp.Expr:
    """``body`` integrated over the masked coordinates ``hidden`` (itself when none is)."""
    return sp.Integral(body, *[(h, -sp.oo, sp.oo) for h in hidden]) if hidden else body


def masked_evidence(
    density: Any, masked: Sequence[bool], variables: Sequence[sp.Symbol], p: sp.Expr
) -> sp.Expr:
    """``int P(M) mu_0(x~_O, x_M) dx_M``: the density of ``x~`` on the stratum of ``masked``
    (with respect to Lebesgue measure in the observed coordinates), the denominator of the
    posterior mean; ``P(M) mu_0(x~)`` itself when nothing is masked."""
    pattern = _pattern(masked, len(variables))
    point, hidden = _clean_point(pattern, variables)
    return _over(pattern_probability(pattern, p) * density.pdf(point), hidden)


def masked_posterior_mean_integral(
    density: Any, masked: Sequence[bool], variables: Sequence[sp.Symbol], p: sp.Expr
) -> sp.Matrix:
    """``E[x | x~]`` on the stratum of ``masked``, as the ratio of integrals of the module
    docstring (the pattern's probability ``P(M)`` kept inside, where the loss has it); the
    observed coordinates are ``x~_O`` itself, since ``x_O = x~_O`` on the stratum. ``density``
    is any object with ``pdf(xs)``; ``variables`` name ``x~``."""
    pattern = _pattern(masked, len(variables))
    point, hidden = _clean_point(pattern, variables)
    if not hidden:
        return sp.Matrix(point)
    evidence = masked_evidence(density, pattern, variables, p)
    weight, limits = evidence.function, evidence.limits
    return sp.Matrix(
        [
            sp.Integral(c * weight, *limits) / evidence if m else c
            for c, m in zip(point, pattern, strict=True)
        ]
    )


def masked_loss(
    density: Any,
    masked: Sequence[bool],
    variables: Sequence[sp.Symbol],
    p: sp.Expr,
    value: Sequence[sp.Expr],
) -> sp.Expr:
    """The masked DAE loss at one input ``x~`` of the stratum, as a function of the output
    ``value = g(x~)``: ``int |value - (x~_O, x_M)|^2 P(M) mu_0(x~_O, x_M) dx_M`` (the loss
    ``E|g(x~) - x|^2`` is the sum over patterns of these integrated over ``x~_O``)."""
    pattern = _pattern(masked, len(variables))
    point, hidden = _clean_point(pattern, variables)
    square = sp.Add(*((g - c) ** 2 for g, c in zip(value, point, strict=True)))
    return _over(square * pattern_probability(pattern, p) * density.pdf(point), hidden)


def _components(density: Any) -> tuple[tuple[sp.Expr, ...], tuple[Gaussian, ...]]:
    family = getattr(density, "family", None)
    if isinstance(family, Gaussian):
        return (sp.Integer(1),), (family,)
    if isinstance(family, GaussianMixture):
        return tuple(family.weights), tuple(family.components)
    raise InvalidArgument(
        f"the masked posterior mean has a closed form for Gaussians and Gaussian mixtures, not "
        f"{type(density).__name__}; use masked_posterior_mean_integral"
    )


def masked_posterior_mean(
    density: Any, masked: Sequence[bool], variables: Sequence[sp.Symbol]
) -> sp.Matrix:
    """``E[x | x~]`` on the stratum of ``masked`` in closed form, for a Gaussian or Gaussian
    mixture (or a density recognised as one): ``(x~_O, sum_k r_k(x~_O) E_k[x_M | x_O = x~_O])``
    with the responsibilities of the observed marginals (module docstring). ``p`` plays no
    part."""
    weights, components = _components(density)
    pattern = _pattern(masked, len(variables))
    observed = [i for i, m in enumerate(pattern) if not m]
    hidden = [i for i, m in enumerate(pattern) if m]
    if not hidden:
        return sp.Matrix(variables)
    if not observed:  # everything masked: the mean sum_k w_k m_k
        return sp.Matrix(
            sum(
                (w * c.mean for w, c in zip(weights, components, strict=True)),
                sp.zeros(len(pattern), 1),
            )
        )
    x_obs = sp.Matrix([variables[i] for i in observed])
    conditionals, parts = [], []
    for w, c in zip(weights, components, strict=True):
        mean_o = c.mean.extract(observed, [0])
        s_oo = c.cov.extract(observed, observed)
        gain = c.cov.extract(hidden, observed) * s_oo.inv()
        conditionals.append(c.mean.extract(hidden, [0]) + gain * (x_obs - mean_o))
        parts.append(w * Gaussian(mean_o, s_oo).pdf(list(x_obs)))
    if len(parts) == 1:
        inner = conditionals[0]
    else:  # the responsibilities r_k of the observed marginals
        total = sp.Add(*parts)
        inner = sp.zeros(len(hidden), 1)
        for part, conditional in zip(parts, conditionals, strict=True):
            inner += part / total * conditional
    values = iter(inner)
    return sp.Matrix([next(values) if m else v for v, m in zip(variables, pattern, strict=True)])


def piecewise_map(means: Sequence[sp.Matrix], variables: Sequence[sp.Symbol]) -> sp.Matrix:
    """The map on all of R^d from its value on each stratum, ``means[i]`` on the ``i``-th
    pattern of :func:`mask_patterns`: in each coordinate a ``Piecewise`` over the patterns of
    zeros of ``x~`` (most zeros first), the last piece the stratum with nothing masked."""
    d = len(variables)
    pieces = []
    for pattern, mean in reversed(list(zip(mask_patterns(d), means, strict=True))):
        zeros = sp.And(*(sp.Eq(v, 0) for v, m in zip(variables, pattern, strict=True) if m))
        pieces.append((mean, zeros))
    return sp.Matrix([sp.Piecewise(*((mean[i], cond) for mean, cond in pieces)) for i in range(d)])


def masked_map(density: Any, variables: Sequence[sp.Symbol]) -> sp.Matrix:
    """The masked DAE on all of R^d: :func:`piecewise_map` of :func:`masked_posterior_mean`
    on each pattern; the last piece, nothing masked, is the identity."""
    means = [masked_posterior_mean(density, m, variables) for m in mask_patterns(len(variables))]
    return piecewise_map(means, variables)


def _named(pattern: Pattern, variables: Sequence[sp.Symbol]) -> str:
    masked = [v.name for v, m in zip(variables, pattern, strict=True) if m]
    return ", ".join(masked) + " masked" if masked else "nothing masked"


def masked_derivation(
    density: Any, masked: Sequence[bool], variables: Sequence[sp.Symbol]
) -> Derivation:
    """The masked DAE on the stratum of ``masked``: from the ratio of integrals that defines
    the posterior mean (for every ``0 < p < 1``, the symbol :data:`P`) to the closed form of
    :func:`masked_posterior_mean`, one checked step; ``density`` is a Gaussian family or a
    :class:`~symtransport._theory.densities.Density` recognised as one (its own ``pdf`` is
    integrated, its family gives the closed form)."""
    pattern = _pattern(masked, len(variables))
    derivation = Derivation(
        masked_posterior_mean_integral(density, pattern, variables, P),
        title=f"masked DAE, {_named(pattern, variables)}",
        reason="posterior mean E[x | x~] on the stratum, minimiser of the masked loss, [J] Thm 4",
        constraints=[P < 1],
    )
    if any(pattern):
        reason = (
            "p^|M| (1-p)^|O| cancels (the map does not depend on p); Gaussian conditioning "
            "E[x_M | x_O], responsibilities of the observed marginals"
        )
    else:
        reason = "nothing masked: x = x~, the identity"
    return derivation.step(masked_posterior_mean(density, pattern, variables), reason)
