"""The score flux is the Laplacian: ``div(mu grad log mu) = Laplacian(mu)``.

This is the step of the proof of [J] Theorem 6 that turns the continuity equation (9) with the
initial velocity (19), ``v = grad log mu_0``, into the backward heat equation (18):
``-div(mu_0 grad log mu_0) = -div(grad mu_0) = -Laplacian(mu_0)``. Checked for a generic smooth
positive density ``mu`` on R^1, R^2 and R^3.
"""

from __future__ import annotations

import sympy as sp

from symtransport import CheckContext, IdentityCheck, claim, run_script, verify_identity
from symtransport.calculus import divergence, gradient, laplacian
from symtransport.symbols import coordinates

mu = sp.Function("mu")


def score_flux(d: int) -> tuple[sp.Expr, sp.Expr]:
    """``(div(mu grad log mu), Laplacian(mu))`` for a generic density ``mu`` on R^d."""
    xs = coordinates(d)
    density = mu(*xs)
    return divergence(density * gradient(sp.log(density), xs), xs), laplacian(density, xs)


@claim(
    id="score-divergence-laplacian",
    title="The score flux of a density is its Laplacian",
    source="[J] proof of Thm 6, eqs. (18)-(19)",
    statement=r"\nabla\cdot\left(\mu\,\nabla\log\mu\right) = \triangle\mu"
    r"\quad\text{for every smooth positive density } \mu \text{ on } \mathbb{R}^d,\ d=1,2,3",
    kind="identity",
)
def score_divergence_laplacian(ctx: CheckContext) -> list[IdentityCheck]:
    return [verify_identity(*score_flux(d), seed=ctx.seed, timeout=ctx.timeout) for d in (1, 2, 3)]


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
