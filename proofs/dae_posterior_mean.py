"""Theorem 4: the optimal DAE is the posterior mean, for any additive noise.

[J] Thm 4 and App. A. After the change of variables ``x~ = x + eps`` the DAE loss (13) is
``L[g] = int E_eps[|g(x~) - x~ + eps|^2 mu_0(x~ - eps)] dx~``, so ``g(x~)`` minimises, for each
``x~`` separately, a pointwise loss ``J(g)``, a quadratic in ``g`` whose stationary point is
the posterior mean.

* General scope: for a generic data density ``mu`` and a generic noise density ``nu`` on R
  (undefined functions: every regular density), ``J(g) = int (g - x0)^2 nu(x - x0) mu(x0) dx0``
  has first variation ``J'(g) = 2 (g I_0 - I_1)`` with ``I_k = int x0^k nu(x - x0) mu(x0) dx0``,
  which vanishes at ``g* = I_1 / I_0`` (14), and second variation ``2 I_0 > 0``; and (14)
  equals ``x + f_t(x)`` with ``f_t`` from (15) by the change of variables ``x0 = x - eps``.
  All proved symbolically (the exact stage's integral normal form).
* Family scope: data with finitely many atoms, ``mu_0 = sum_i w_i delta_{a_i}`` (not a density,
  but the empirical law a DAE is trained on), with the same conclusion in closed form.
* Instances: each noise model (Gaussian, Laplace, uniform) on fixed Gaussian data, (14) = (15)
  with the library's closed forms, in d = 1 (and 2, 3 with ``--deep``).
"""

from __future__ import annotations

import sympy as sp

from symtransport import (
    NOISE_MODELS,
    CheckContext,
    GenericNoise,
    ShallowDAE,
    claim,
    noise_model,
    run_script,
    verify_identity,
)
from symtransport.instances import fixed_gaussian, generic_density
from symtransport.symbols import x

ATOMS = 3  # mutation: skip - any number of atoms gives the same theorem
g = sp.Symbol("g", real=True)
nu = sp.Function("nu")
x0 = sp.Symbol("x_0", real=True)
a = sp.symbols(f"a1:{ATOMS + 1}", real=True)
w = sp.symbols(f"w1:{ATOMS + 1}", positive=True)


def pointwise_loss(value: sp.Expr) -> sp.Expr:
    """``J(value) = sum_i w_i (value - a_i)^2 nu(x - a_i)``: the loss at one input ``x``."""
    return sp.Add(*(wi * (value - ai) ** 2 * nu(x - ai) for wi, ai in zip(w, a, strict=True)))


def posterior_mean() -> sp.Expr:
    """(14) for atoms: ``sum_i w_i a_i nu(x - a_i) / sum_i w_i nu(x - a_i)``."""
    weights = [wi * nu(x - ai) for wi, ai in zip(w, a, strict=True)]
    return sp.Add(*(wt * ai for wt, ai in zip(weights, a, strict=True))) / sp.Add(*weights)


def generic_dae() -> ShallowDAE:
    """The DAE for a generic data density ``mu`` and a generic noise density ``nu`` on R."""
    return ShallowDAE(generic_density(1), GenericNoise())


def _against_posterior(f: sp.Expr) -> sp.Expr:
    """``int f(x0) nu(x - x0) mu(x0) dx0`` for the generic densities of :func:`generic_dae`."""
    dae = generic_dae()
    (clean,) = dae.clean
    return dae.noise.convolve(f.subs(x0, clean) * dae.density.pdf([clean]), [clean], [x], dae.t)


def moment(k: int) -> sp.Expr:
    """``I_k = int x0^k nu(x - x0) mu(x0) dx0`` for generic densities ``mu``, ``nu``."""
    return _against_posterior(x0**k)


def continuous_loss(value: sp.Expr) -> sp.Expr:
    """``J(value) = int (value - x0)^2 nu(x - x0) mu(x0) dx0`` for generic ``mu``, ``nu``."""
    return _against_posterior((value - x0) ** 2)


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
    general = {"seed": ctx.seed, "timeout": ctx.timeout}
    checks = [
        # J'(g) = 2 (g I_0 - I_1) for every g, so J'(g*) = 0 at g* = I_1 / I_0 (14)
        verify_identity(sp.diff(continuous_loss(g), g), 2 * (g * moment(0) - moment(1)), **general),
        verify_identity((2 * (g * moment(0) - moment(1))).subs(g, moment(1) / moment(0)), 0),
        # J'' = 2 I_0 > 0: the stationary point is the minimum
        verify_identity(sp.diff(continuous_loss(g), g, 2), 2 * moment(0), **general),
        verify_identity(*change_of_variables(generic_dae()), **general),
    ]
    atoms = {**general, "functions": {"nu": "positive"}, "scope": "family"}
    checks += [
        # first variation J'(g*) = 0 at the posterior mean of finitely many atoms
        verify_identity(sp.diff(pointwise_loss(g), g).subs(g, posterior_mean()), 0, **atoms),
        # second variation J'' = 2 sum_i w_i nu(x - a_i): positive, so g* is the minimum
        verify_identity(
            sp.diff(pointwise_loss(g), g, 2),
            2 * sp.Add(*(wi * nu(x - ai) for wi, ai in zip(w, a, strict=True))),
            **atoms,
        ),
    ]
    dims = (1, 2, 3) if ctx.deep else (1,)  # mutation: skip - which dimensions to check
    for name in NOISE_MODELS:
        for d in dims:
            density = fixed_gaussian(d, diagonal=name != "gaussian")
            checks.append(
                verify_identity(
                    *change_of_variables(ShallowDAE(density, noise_model(name))),
                    seed=ctx.seed,
                    timeout=ctx.timeout,
                    points=10,
                    scope="instances",
                )
            )
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
