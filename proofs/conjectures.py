"""Conjectures: Hypothesis searches for a counterexample on random Gaussian mixtures.

A conjecture is a statement nobody has settled (or, here, one that sounds right and is not).
The search draws mixtures, times and points (:mod:`symtransport.strategies`), evaluates the
library's compiled derived formulas, and reports either Hypothesis's shrunk counterexample
(``refuted``) or "no counterexample in N examples" (``undecided``): never a proof.

* ``shallow-dae-entropy-decrease`` (open; [J] leaves it open): does one shallow DAE lower the
  entropy, ``H(g_t # mu_0) <= H(mu_0)`` for every mixture and every ``t``? ``g_t`` is the
  gradient of a strictly convex function (its Jacobian ``Cov[x | x~]/t`` is positive definite,
  notes §3.2), so it is one-to-one and ``H(g_t # mu_0) - H(mu_0) = E_mu_0[log det grad g_t]``,
  computed by quadrature. A counterexample counts only when the increase exceeds the
  quadrature's error bound.
* ``continuous-dae-contraction`` (false, expected refuted): "the continuous DAE never moves two
  points apart", ``|phi_t(x) - phi_t(y)| <= |x - y|`` (searched on R^1, which suffices). True
  for a Gaussian (``phi_t`` is ``sqrt(I - 2t S^-1)``, (36)) and any log-concave ``mu_t``,
  since ``grad v_t`` is the Hessian of ``log mu_t``; between the modes of a mixture that
  Hessian is positive and the flow expands.

To state your own conjecture, write ``holds(example) -> bool`` and a Hypothesis strategy and
return :func:`symtransport.search_conjecture` from a claim of kind ``conjecture`` (README).
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import numpy as np
from hypothesis import assume

from symtransport import (
    CheckContext,
    Outcome,
    claim,
    numerics,
    run_script,
    search_conjecture,
    strategies,
)
from symtransport.densities import GaussianMixture
from symtransport.parametric import flow_field, mixture_family, shallow_jacobian
from symtransport.particles import integrate

DIMS = (1, 2)  # the entropy change is a quadrature (certified in d = 1, 2)
# DOP853 at rtol 1e-8: a distance ratio above 1 + 1e-6 is an expansion, not integration error
EXPANSION_TOL = 1e-6
# one dimension suffices to refute it, and 1-D particles are cheap (the 2-D search found and
# shrank to 1-D counterexamples too, in twice the time)
CONTRACTION_DIMS = (1,)
SHRINK_SECONDS = 2.0  # each shrink step integrates an ODE; 2 s reach a round two-component example


def mixtures(dims: tuple[int, ...] = DIMS) -> st.SearchStrategy[GaussianMixture]:
    return st.sampled_from(dims).flatmap(lambda d: strategies.gaussian_mixtures(dim=d))


def entropy_change(mu: GaussianMixture, t: float) -> numerics.Estimate:
    """``H(g_t # mu) - H(mu) = E_mu[log det grad g_t]`` with the compiled derived Jacobian."""
    fam = mixture_family(mu.dim, len(mu.components))
    jacobian = fam.compiled(shallow_jacobian)
    params = fam.values(mu)

    def log_det(X: np.ndarray) -> np.ndarray:
        matrices = jacobian(X, t, *params).reshape(-1, mu.dim, mu.dim)
        sign, value = np.linalg.slogdet(matrices)
        return np.where(sign > 0, value, np.nan)  # det <= 0 would contradict Brenier

    return numerics.expectation(mu, log_det)


def shallow_entropy_decrease(examples: int, seed: int) -> Outcome:
    """Search for ``(mu_0, t)`` with a certified ``H(g_t # mu_0) > H(mu_0)``."""

    def holds(example: tuple[GaussianMixture, float]) -> bool:
        change = entropy_change(*example)
        return change.value <= change.error

    draws = mixtures().flatmap(lambda mu: st.tuples(st.just(mu), st.floats(0.01, 20.0)))
    return search_conjecture(
        holds, draws, examples=examples, seed=seed, what="entropy decrease by a shallow DAE"
    )


@claim(
    id="shallow-dae-entropy-decrease",
    title="Does one shallow DAE lower the entropy of every mixture at every t?",
    source="[J] §5 (left open); notes §3.2",
    statement=r"H(g_t\sharp\mu_0)\le H(\mu_0)\quad\forall\,\mu_0,\ t>0,\quad"
    r"g_t=\mathrm{id}+t\nabla\log(\nu_t*\mu_0)",
    kind="conjecture",
    expected="open",
    examples=50,
)
def shallow_entropy_decrease_claim(ctx: CheckContext) -> Outcome:
    return shallow_entropy_decrease(ctx.examples, ctx.seed)


def contraction(examples: int, seed: int) -> Outcome:
    """Search for two points that the continuous DAE moves apart."""

    def holds(example: tuple[GaussianMixture, float, np.ndarray, np.ndarray]) -> bool:
        mu, t, x, y = example
        start = np.linalg.norm(x - y)
        assume(start > 1e-6 and t > 0)
        fam = mixture_family(mu.dim, len(mu.components))
        field = flow_field(fam, fam.values(mu))
        end = integrate(field, np.stack([x, y]), [t], rtol=1e-8, atol=1e-10)[-1]
        return bool(np.linalg.norm(end[0] - end[1]) <= start * (1 + EXPANSION_TOL))

    def draws(mu: GaussianMixture) -> st.SearchStrategy[Any]:
        return st.tuples(
            st.just(mu),
            strategies.times_before_blowup(mu, max_fraction=0.9),
            strategies.points(mu),
            strategies.points(mu),
        )

    return search_conjecture(
        holds,
        mixtures(CONTRACTION_DIMS).flatmap(draws),
        examples=examples,
        seed=seed,
        what="contraction",
        shrink_seconds=SHRINK_SECONDS,
    )


@claim(
    id="continuous-dae-contraction",
    title="The continuous DAE never moves two points apart (false for mixtures)",
    source="a plausible reading of [J] §4.4; true for Gaussians, (36)",
    statement=r"|\varphi_t(x)-\varphi_t(y)|\le|x-y|\quad\forall\,x,y,\ 0\le t<t^*",
    kind="conjecture",
    expected="refuted",
    examples=100,
)
def contraction_claim(ctx: CheckContext) -> Outcome:
    return contraction(ctx.examples, ctx.seed)


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
