"""Closed forms of the shallow Gaussian DAE: (30)-(31), (34)-(35), (38) with (40).

The library derives each map from the definitions (the posterior mean (14), Tweedie's form
(17) and ``nu_t * N(m, S) = N(m, S + tI)``) and each pushforward from the derived affine map
(``N(m, S)`` pushed through ``x -> Ax + b`` is ``N(Am + b, A S A^T)``); the printed formulas
are typed only once, on the right-hand side. Each statement is about a family (every Gaussian,
every mixture), so the claims have family scope.

* (30)-(31), 1-D: ``g_t(x) = s2 x/(s2 + t) + t m/(s2 + t)``, ``mu_t = N(m, s2/(1 + t/s2)^2)``.
* (34)-(35), d = 2 with a symbolic covariance ``S = L L^T`` and d = 3 with a fixed one:
  ``g_t(x) = (I + t S^-1)^-1 x + (I + S/t)^-1 m``, ``mu_t = N(m, S (I + t S^-1)^-2)``.
* (38) with (40), for every two-component mixture on R (symbolic weight, means and variances:
  family scope) and fixed mixtures with full covariances in d = 2, 3:
  ``g_t(x) = sum_k gamma_k(x) [(I + t S_k^-1)^-1 x + (I + S_k/t)^-1 m_k]``,
  ``gamma_k(x) = w_k N(x; m_k, S_k + tI) / sum_j w_j N(x; m_j, S_j + tI)``.
"""

from __future__ import annotations

import sympy as sp

from symtransport import (
    CheckContext,
    Gaussian,
    GaussianMixture,
    ShallowDAE,
    affine_parts,
    affine_pushforward,
    claim,
    run_script,
    verify_identity,
)
from symtransport.instances import (
    fixed_gaussian,
    fixed_mixture,
    symbolic_gaussian,
    symbolic_mixture,
)
from symtransport.symbols import m, s2, t


def printed_34(g: Gaussian, xs: sp.Matrix) -> sp.Matrix:
    """(34): ``(I + t S^-1)^-1 x + (I + t^-1 S)^-1 m``."""
    eye = sp.eye(g.dim)
    return (eye + t * g.cov.inv()).inv() * xs + (eye + g.cov / t).inv() * g.mean


def printed_35(g: Gaussian) -> sp.Matrix:
    """(35): ``S (I + t S^-1)^-2``."""
    inner = (sp.eye(g.dim) + t * g.cov.inv()).inv()
    return g.cov * inner * inner


def printed_38(mixture: GaussianMixture, xs: sp.Matrix) -> sp.Matrix:
    """(38) with the responsibilities (40)."""
    smoothed = [
        w * c.smoothed(t).pdf(list(xs))
        for w, c in zip(mixture.weights, mixture.components, strict=True)
    ]
    total = sp.Add(*smoothed)
    return sp.Add(
        *(s / total * printed_34(c, xs) for s, c in zip(smoothed, mixture.components, strict=True)),
        sp.zeros(mixture.dim, 1),
    )


def derived_pushforward(dae: ShallowDAE) -> tuple[sp.Matrix, sp.Matrix]:
    """Mean and covariance of ``g_t # N(m, S)`` from the derived (affine) map."""
    g = dae.density
    return affine_pushforward(g.mean, g.cov, *affine_parts(dae.map(), dae.variables))


@claim(
    id="gaussian-shallow",
    title="Shallow DAE of N(m, s2): the affine map (30) and the pushforward (31)",
    source="[J] §5.1.1, eqs. (30)-(31)",
    statement=r"g_t(x)=\frac{\sigma_0^2}{\sigma_0^2+t}x+\frac{t}{\sigma_0^2+t}m_0,\quad "
    r"g_{t\sharp}\mu_0=N\Big(m_0,\frac{\sigma_0^2}{(1+t/\sigma_0^2)^2}\Big)",
    kind="derivation",
    scope="family",
)
def gaussian_shallow(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": "family"}  # symbolic m, s2
    dae = ShallowDAE(Gaussian(m, s2))
    (x,) = dae.variables
    mean, cov = derived_pushforward(dae)
    return [
        dae.derivation().verify(**opts),
        verify_identity(dae.map()[0], s2 / (s2 + t) * x + t / (s2 + t) * m, **opts),
        verify_identity(mean[0], m, **opts),
        verify_identity(cov[0, 0], s2 / (1 + t / s2) ** 2, **opts),
    ]


@claim(
    id="mvn-shallow",
    title="Shallow DAE of N(m, S): the affine map (34) and the pushforward (35)",
    source="[J] §5.1.2, eqs. (34)-(35)",
    statement=r"g_t(x)=(I+t\Sigma_0^{-1})^{-1}x+(I+t^{-1}\Sigma_0)^{-1}m_0,\quad "
    r"g_{t\sharp}\mu_0=N\big(m_0,\Sigma_0(I+t\Sigma_0^{-1})^{-2}\big)",
    kind="derivation",
    scope="family",
)
def mvn_shallow(ctx: CheckContext) -> list:
    checks = []
    # every 2-D Gaussian (symbolic mean and Cholesky factor), and a fixed 3-D one
    for g, scope in ((symbolic_gaussian(), "family"), (fixed_gaussian(3), "instances")):
        opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": scope}
        dae = ShallowDAE(g)
        mean, cov = derived_pushforward(dae)
        checks += [
            verify_identity(dae.map(), printed_34(g, sp.Matrix(dae.variables)), **opts),
            verify_identity(mean, g.mean, **opts),
            verify_identity(cov, printed_35(g), **opts),
        ]
    return checks


@claim(
    id="gmm-shallow",
    title="Shallow DAE of a Gaussian mixture: (38) with responsibilities (40)",
    source="[J] §5.1.3, eqs. (38), (40)",
    statement=r"g_t(x)=\sum_k\gamma_{kt}(x)\{(I+t\Sigma_k^{-1})^{-1}x+(I+t^{-1}\Sigma_k)^{-1}m_k\},"
    r"\ \gamma_{kt}=\frac{w_kN(x;m_k,\Sigma_k+tI)}{\sum_jw_jN(x;m_j,\Sigma_j+tI)}",
    kind="derivation",
    scope="family",
)
def gmm_shallow(ctx: CheckContext) -> list:
    cases = [(symbolic_mixture(), "family")]
    cases += [(fixed_mixture(d), "instances") for d in (2, 3)]  # full covariances in 2-D, 3-D
    checks = []
    for mixture, scope in cases:
        dae = ShallowDAE(mixture)
        derived, printed = dae.map(), printed_38(dae.density, sp.Matrix(dae.variables))
        checks.append(
            verify_identity(derived, printed, seed=ctx.seed, timeout=ctx.timeout, scope=scope)
        )
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
