"""Theorem 6: the DAE's initial velocity is the score, and at t = 0 the pushforward obeys the
backward heat equation.

[J] Thm 6, eqs. (18)-(19). ``lim_{t -> 0} (g_t(x) - x)/t = C grad log mu_0(x)`` (19), with
``C = I`` for isotropic noise and, to first order, for Laplace and uniform noise of variance t
([reconstruction], notes §3.2). Differentiating the change of variables (7),
``mu_t(g_t(x)) det grad g_t(x) = mu_0(x)``, at ``t = 0`` (where ``g_0 = id``) gives

    d/dt mu_t(x)|_0 = d/dt [mu_0(x) / det grad g_t(x)]|_0 - grad mu_0(x) . d/dt g_t(x)|_0,

which for the derived maps equals ``-div(C grad mu_0)`` (18): the backward heat equation, with
the full Laplacian for ``C = I``. Both are checked on the maps the library derives, as limits
``t -> 0+``, for Gaussians with full covariances in 2-D (isotropic and anisotropic noise) and
3-D and, for the velocity, a mixture in 1-D; ``--deep`` adds Laplace and uniform noise in 1-D and
mixtures for the heat equation (numeric limits, slow).
"""

from __future__ import annotations

import sympy as sp

from symtransport import CheckContext, claim, run_script, verify_identity
from symtransport.calculus import determinant, divergence, gradient
from symtransport.dae import ShallowDAE
from symtransport.instances import fixed_gaussian, fixed_mixture
from symtransport.noise import noise_model

R = sp.Rational
C2 = sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]])  # mutation: skip - an example SPD C


def cases(deep: bool, mixture: bool = True) -> list[ShallowDAE]:
    """Data and noise the claims are checked on.

    The symbolic stage settles the Gaussian-noise cases; the Laplace and uniform maps (with
    erfc terms) and the mixture's pushforward rate need numeric limits, run with ``--deep``.
    """
    out = [ShallowDAE(fixed_mixture(1))] if mixture or deep else []
    out += [
        ShallowDAE(fixed_gaussian(2)),  # mutation: skip - which instance to check
        ShallowDAE(fixed_gaussian(2), noise_model("gaussian", C2)),  # mutation: skip - idem
        ShallowDAE(fixed_gaussian(3)),  # mutation: skip - idem
    ]
    if deep:
        out += [  # mutation: skip - which instances to check
            ShallowDAE(fixed_gaussian(1), noise_model("laplace")),  # mutation: skip - instance
            ShallowDAE(fixed_gaussian(1), noise_model("uniform")),
            ShallowDAE(fixed_mixture(2)),
        ]
    return out


def initial_velocity(dae: ShallowDAE) -> sp.Matrix:
    """``lim_{t -> 0+} (g_t(x) - x)/t`` of the derived map, unevaluated."""
    return dae.displacement().applyfunc(lambda c: sp.Limit(c / dae.t, dae.t, 0, "+"))


def density_rate_at_zero(dae: ShallowDAE) -> sp.Expr:
    """``d/dt mu_t(x)|_{t=0}`` of the pushforward, from the change of variables (7)."""
    xs = dae.variables
    g = dae.map()
    mu0 = dae.density.pdf(xs)
    pulled_back = sp.diff(mu0 / determinant(g.jacobian(xs)), dae.t)
    transport = (gradient(mu0, xs).T * sp.diff(g, dae.t))[0, 0]
    return sp.Limit(pulled_back - transport, dae.t, 0, "+")


@claim(
    id="dae-initial-velocity",
    title="The DAE's initial velocity is the score C grad log mu_0",
    source="[J] Thm 6, eq. (19); notes §3.2 for N(0, tC), Laplace and uniform noise",
    statement=r"\lim_{t\to0}\frac{g_t(x)-x}{t} = C\,\nabla\log\mu_0(x)",
    kind="identity",
)
def dae_initial_velocity(ctx: CheckContext) -> list:
    return [
        verify_identity(
            initial_velocity(dae), dae.velocity_at_zero(), seed=ctx.seed, timeout=ctx.timeout
        )
        for dae in cases(ctx.deep)
    ]


@claim(
    id="dae-bhe-at-zero",
    title="At t = 0 the DAE pushforward obeys the backward heat equation",
    source="[J] Thm 6, eq. (18); notes §3.2 for N(0, tC)",
    statement=r"\partial_t\mu_t\big|_{t=0} = -\nabla\cdot(C\nabla\mu_0)"
    r"\quad(= -\triangle\mu_0 \text{ for } C=I)",
    kind="identity",
)
def dae_bhe_at_zero(ctx: CheckContext) -> list:
    checks = []
    for dae in cases(ctx.deep, mixture=False):
        xs = dae.variables
        mu0 = dae.density.pdf(xs)
        heat = -divergence(dae.C * gradient(mu0, xs), xs)
        checks.append(
            verify_identity(density_rate_at_zero(dae), heat, seed=ctx.seed, timeout=ctx.timeout)
        )
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
