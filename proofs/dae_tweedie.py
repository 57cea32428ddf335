"""Theorem 5: with Gaussian noise the DAE is Tweedie's formula ``x + tC grad log(nu_t * mu_0)``.

[J] Thm 5, eq. (17). Stein's identity for ``nu_t = N(0, tC)``, ``-tC grad nu_t(eps) = eps
nu_t(eps)``, put into (15) and the gradient pulled out of the convolution, gives
``g_t(x) = x + tC grad log (nu_t * mu_0)(x)``; the anisotropic case ``C != I`` is a
[reconstruction] of the notes (§3.2). Checked:

* general scope: Stein's identity in d = 1, 2, 3 (symbolic ``t``, ``eps``); (14) = (17) for a
  generic density ``mu_0`` on R and R^2, proved by differentiating under the integral sign and
  the integral normal form of the exact stage; for ``N(0, tC)`` the same
  on R^2 with a symbolic SPD ``C = L L^T`` (every 2x2 SPD matrix);
* instances: the chain (14) = (17) = closed form, derived by the library, for a fixed
  two-component mixture on R and a fixed Gaussian with full covariance on R^2 (``--deep`` adds
  mixtures in d = 2, 3, whose Stein step is only verified by quadrature).
"""

from __future__ import annotations

import sympy as sp

from symtransport import (
    CheckContext,
    GaussianNoise,
    ShallowDAE,
    claim,
    noise_model,
    run_script,
    verify_identity,
)
from symtransport.calculus import gradient
from symtransport.instances import fixed_gaussian, fixed_mixture, generic_density, symbolic_spd
from symtransport.symbols import t

R = sp.Rational
ANISOTROPIC = {  # examples of C: the theorem holds for every SPD C
    2: sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]]),  # mutation: skip - an example C
    3: sp.Matrix(  # mutation: skip - an example C
        [[2, R(1, 2), 0], [R(1, 2), 1, R(-1, 3)], [0, R(-1, 3), R(3, 2)]]  # mutation: skip - idem
    ),
}


def stein(noise: GaussianNoise, d: int) -> tuple[sp.Matrix, sp.Matrix]:
    """``(-tC grad nu_t(eps), eps nu_t(eps))`` on R^d."""
    eps = sp.symbols(f"e1:{d + 1}", real=True)
    density = noise.density(eps, t)
    return -t * noise.shape(d) * gradient(density, eps), sp.Matrix(eps) * density


@claim(
    id="dae-tweedie",
    title="Gaussian DAE = x + t grad log(nu_t * mu_0) (Tweedie's formula)",
    source="[J] Thm 5, eq. (17)",
    statement=r"g_t(\tilde x) = \tilde x + t\,\nabla\log(\nu_t*\mu_0)(\tilde x),"
    r"\quad \nu_t=N(0,tI),\ \text{via}\ -t\nabla\nu_t(\varepsilon)=\varepsilon\,\nu_t(\varepsilon)",
    kind="derivation",
)
def dae_tweedie(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    noise = noise_model("gaussian")
    checks = [verify_identity(*stein(noise, d), **opts) for d in (1, 2, 3)]
    for d in (1, 2):
        checks.append(ShallowDAE(generic_density(d), noise).derivation().verify(**opts))
    instances = [fixed_mixture(1), fixed_gaussian(2)]
    if ctx.deep:  # the mixtures' Stein steps in 2-D and 3-D are verified by quadrature (slow)
        instances += [fixed_mixture(2), fixed_mixture(3)]  # mutation: skip - --deep instances
    for density in instances:
        checks.append(ShallowDAE(density, noise).derivation().verify(**opts, scope="instances"))
    return checks


@claim(
    id="dae-tweedie-anisotropic",
    title="DAE with noise N(0, tC) = x + tC grad log(nu_t * mu_0)",
    source="[J] Thm 5 with D = C, Def. 5; notes §3.2 [reconstruction]",
    statement=r"g_t(\tilde x) = \tilde x + t\,C\,\nabla\log(\nu_t*\mu_0)(\tilde x),"
    r"\quad \nu_t=N(0,tC),\ -tC\nabla\nu_t(\varepsilon)=\varepsilon\,\nu_t(\varepsilon)",
    kind="derivation",
)
def dae_tweedie_anisotropic(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    every_c = noise_model("gaussian", symbolic_spd("c"))
    checks = [
        verify_identity(*stein(every_c, 2), **opts),
        ShallowDAE(generic_density(2), every_c).derivation().verify(**opts),
    ]
    for d, cov in ANISOTROPIC.items():
        noise = noise_model("gaussian", cov)
        checks.append(verify_identity(*stein(noise, d), **opts, scope="instances"))
        if d == 2 or ctx.deep:  # mutation: skip - which dimensions to check
            dae = ShallowDAE(fixed_gaussian(d), noise)
            checks.append(dae.derivation().verify(**opts, scope="instances"))
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
