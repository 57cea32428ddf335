"""Theorem 4: the optimal DAE is the posterior mean, for any additive noise.

[J] Thm 4 and App. A. After the change of variables ``x~ = x + eps`` the DAE loss (13) is
``L[g] = int E_eps[|g(x~) - x~ + eps|^2 mu_0(x~ - eps)] dx~``, so ``g(x~)`` minimises, for each
``x~`` separately, a pointwise loss ``J(g)``, a quadratic in ``g`` whose stationary point is
the posterior mean.

* For data with finitely many atoms, ``mu_0 = sum_i w_i delta_{a_i}``, and a generic noise
  density ``nu``, ``J(g) = sum_i w_i (g - a_i)^2 nu(x~ - a_i)``: its first variation vanishes at
  ``g* = sum_i w_i a_i nu(x~ - a_i) / sum_i w_i nu(x~ - a_i)`` (the discrete form of (14)) and
  its second variation is ``2 sum_i w_i nu(x~ - a_i) > 0``. Proved symbolically.
* For continuous data the change of variables ``x0 = x~ - eps`` turns (14) into (15); checked
  with each noise model (Gaussian, Laplace, uniform) on Gaussian data in d = 1, 2 (and 3, and a
  generic density, with ``--deep``).
"""

from __future__ import annotations

import sympy as sp

from symtransport import CheckContext, claim, run_script, verify_identity
from symtransport.dae import ShallowDAE
from symtransport.instances import fixed_gaussian, generic_density
from symtransport.noise import NOISE_MODELS, noise_model
from symtransport.symbols import x

ATOMS = 3  # mutation: skip - any number of atoms gives the same theorem
g = sp.Symbol("g", real=True)
nu = sp.Function("nu")
a = sp.symbols(f"a1:{ATOMS + 1}", real=True)
w = sp.symbols(f"w1:{ATOMS + 1}", positive=True)


def pointwise_loss(value: sp.Expr) -> sp.Expr:
    """``J(value) = sum_i w_i (value - a_i)^2 nu(x - a_i)``: the loss at one input ``x``."""
    return sp.Add(*(wi * (value - ai) ** 2 * nu(x - ai) for wi, ai in zip(w, a, strict=True)))


def posterior_mean() -> sp.Expr:
    """(14) for atoms: ``sum_i w_i a_i nu(x - a_i) / sum_i w_i nu(x - a_i)``."""
    weights = [wi * nu(x - ai) for wi, ai in zip(w, a, strict=True)]
    return sp.Add(*(wt * ai for wt, ai in zip(weights, a, strict=True))) / sp.Add(*weights)


def change_of_variables(dae: ShallowDAE) -> tuple[sp.Matrix, sp.Matrix]:
    """(14) and ``x + f_t(x)`` with ``f_t`` from (15): equal by ``x0 = x - eps``."""
    return dae.posterior_mean_integral(), sp.Matrix(dae.variables) + dae.denoising_term_integral()


@claim(
    id="dae-posterior-mean",
    title="The optimal DAE is the posterior mean E[x | x~] (any additive noise)",
    source="[J] Thm 4, eqs. (13)-(16), App. A",
    statement=r"\arg\min_g \mathbb{E}|g(\tilde x)-x|^2 = "
    r"\frac{\int x\,\nu_t(\tilde x-x)\mu_0(x)\,dx}{\int \nu_t(\tilde x-x)\mu_0(x)\,dx}"
    r"= \tilde x - \frac{\int \varepsilon\,\nu_t(\varepsilon)"
    r"\mu_0(\tilde x-\varepsilon)\,d\varepsilon}"
    r"{\int \nu_t(\varepsilon)\mu_0(\tilde x-\varepsilon)\,d\varepsilon}",
    kind="derivation",
)
def dae_posterior_mean(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "functions": {"nu": "positive"}}
    checks = [
        # first variation J'(g*) = 0 at the posterior mean
        verify_identity(sp.diff(pointwise_loss(g), g).subs(g, posterior_mean()), 0, **opts),
        # second variation J'' = 2 sum_i w_i nu(x - a_i): positive, so g* is the minimum
        verify_identity(
            sp.diff(pointwise_loss(g), g, 2),
            2 * sp.Add(*(wi * nu(x - ai) for wi, ai in zip(w, a, strict=True))),
            **opts,
        ),
    ]
    dims = (1, 2, 3) if ctx.deep else (1, 2)  # mutation: skip - which dimensions to check
    for name in NOISE_MODELS:
        data = [fixed_gaussian(d, diagonal=name != "gaussian") for d in dims]
        if ctx.deep:  # a generic density inside the integrals: numeric quadrature, slow
            data.append(generic_density(1))
        for density in data:
            checks.append(
                verify_identity(
                    *change_of_variables(ShallowDAE(density, noise_model(name))),
                    seed=ctx.seed,
                    timeout=ctx.timeout,
                    points=10,
                )
            )
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
