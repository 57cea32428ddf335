"""Tweedie's formula for a 1-D Gaussian: the DAE's posterior mean in closed form.

For data ``mu_0 = N(m, s2)`` and Gaussian noise ``nu_t = N(0, t)`` (variance ``t``), the
minimiser of the DAE loss is the posterior mean (14)

    g_t(xt) = int x nu_t(xt - x) mu_0(x) dx / int nu_t(xt - x) mu_0(x) dx,

which Stein's identity turns into the Tweedie form (17), ``xt + t d/dxt log (nu_t * mu_0)(xt)``;
since ``nu_t * N(m, s2) = N(m, s2 + t)`` this is the affine map (30),
``(s2 xt + t m) / (s2 + t)``.
"""

from __future__ import annotations

import sympy as sp

from symtransport import CheckContext, Derivation, claim, run_script
from symtransport.calculus import gaussian_density
from symtransport.symbols import m, s2, t, x, xt


def tweedie_chain() -> Derivation:
    """The chain (14) = (17) = Tweedie with the convolved Gaussian = (30)."""
    data = gaussian_density(x, m, s2)
    noise = gaussian_density(xt - x, 0, t)
    evidence = sp.Integral(noise * data, (x, -sp.oo, sp.oo))
    posterior_mean = sp.Integral(x * noise * data, (x, -sp.oo, sp.oo)) / evidence
    d = Derivation(
        posterior_mean,
        title="Gaussian Tweedie formula in 1-D",
        reason="posterior mean, [J] eq. (14)",
    )
    d.step(
        xt + t * sp.Derivative(sp.log(evidence), xt),
        "Stein's identity -t nu_t' = eps nu_t",
        "[J] Thm 5, eq. (17)",
    )
    d.step(
        xt + t * sp.Derivative(sp.log(gaussian_density(xt, m, s2 + t)), xt),
        "nu_t * N(m, s2) = N(m, s2 + t)",
        "[J] App. D",
    )
    d.step((s2 * xt + t * m) / (s2 + t), "differentiate and collect", "[J] eq. (30)")
    return d


@claim(
    id="tweedie-gaussian-1d",
    title="Gaussian DAE = posterior mean = Tweedie form = affine map (30)",
    source="[J] Thm 4-5, eqs. (14), (17), (30)",
    statement=r"\frac{\int x\,\nu_t(\tilde x-x)\,\mu_0(x)\,dx}"
    r"{\int \nu_t(\tilde x-x)\,\mu_0(x)\,dx}"
    r"= \tilde x + t\,\partial_{\tilde x}\log(\nu_t*\mu_0)(\tilde x)"
    r"= \frac{\sigma_0^2\tilde x + t\,m_0}{\sigma_0^2+t},"
    r"\quad \mu_0=N(m_0,\sigma_0^2),\ \nu_t=N(0,t)",
    kind="derivation",
    scope="family",  # every 1-D Gaussian: m0 and s2 are symbols
)
def tweedie_gaussian_1d(ctx: CheckContext) -> Derivation:
    return tweedie_chain().verify(seed=ctx.seed, timeout=ctx.timeout, scope="family")


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
