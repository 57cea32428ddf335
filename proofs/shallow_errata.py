"""Two statements of [J] §3.3 and §5.2.2 as printed, against what the definitions give.

* **Large-t limit.** [J] §5.2.2 says the shallow DAE "converges to the origin" as t grows.
  From (14), ``g_t(x) -> E_{mu_0}[x]``, the data mean: the noise swamps the data term and the
  posterior becomes the prior. For the symmetric mixture (45) the mean is the origin; for (46)
  it is ``(0.6, 0)`` and for (47) also ``(0.6, 0)``. Checked as a limit of the derived map,
  on the fixed mixtures only (instances: the claim about every data law is at most verified).
* **Sign of the denoising term.** From (15), ``f_t(x~) = g_t(x~) - x~ = -E[eps | x~]``; the
  text of §3.3 calls ``f_t`` "the posterior mean E[eps | x~] of noise", dropping the minus.
  Checked for generic data and noise densities on R (general scope, proved), and with every
  noise model on Gaussian data (d = 1, 2; instances).

Each printed version is a claim ``<id>-as-printed`` expected to be refuted.
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
from symtransport.instances import fixed_gaussian, fixed_mixture, generic_density, paper_mixtures

LIMIT_POINTS = 8  # numeric points per limit in the default run: each is an extrapolation


def large_t_limit(dae: ShallowDAE) -> sp.Matrix:
    """``lim_{t -> oo} g_t(x)`` of the derived map, unevaluated."""
    return dae.map().applyfunc(lambda c: sp.Limit(c, dae.t, sp.oo))


def limit_cases() -> list[ShallowDAE]:
    """The paper's mixtures (45)-(47) and fixed mixtures in d = 1 and 3.

    The default run checks (46), (47) and the 1-D mixture; ``--deep`` all five.
    """
    mixtures = [
        *paper_mixtures().values(),
        fixed_mixture(1),  # mutation: skip - which instances to check
        fixed_mixture(3),  # mutation: skip - idem
    ]
    return [ShallowDAE(mix) for mix in mixtures]


@claim(
    id="shallow-limit",
    title="As t -> oo the shallow DAE maps every point to the data mean",
    source="[J] §5.2.2 (corrected); notes §3.2",
    statement=r"\lim_{t\to\infty} g_t(x) = \mathbb{E}_{\mu_0}[x]",
    kind="identity",
)
def shallow_limit(ctx: CheckContext) -> list:
    # SymPy's limit() takes from a second to minutes on these ratios, so the exact stage leaves
    # limits of this size to the numeric stage (Richardson extrapolation at 30-120 digits), at
    # the fewest points that can verify (8; 24 with --deep)
    cases = limit_cases() if ctx.deep else limit_cases()[1:4]
    points = 24 if ctx.deep else LIMIT_POINTS
    return [
        verify_identity(
            large_t_limit(dae),
            dae.density.mean,
            seed=ctx.seed,
            timeout=ctx.timeout,
            points=points,
            scope="instances",
        )
        for dae in cases
    ]


@claim(
    id="shallow-limit-as-printed",
    title="As printed: the shallow DAE converges to the origin as t -> oo",
    source="[J] §5.2.2, as printed",
    statement=r"\lim_{t\to\infty} g_t(x) = 0\quad\text{(for the mixtures (45)-(47))}",
    kind="identity",
    expected="refuted",
    scope="instances",  # a statement about the paper's three mixtures
)
def shallow_limit_as_printed(ctx: CheckContext) -> list:
    # (45) is symmetric, its mean is the origin: the printed limit holds there, so only (46)
    # and (47) can refute it
    return [
        verify_identity(
            large_t_limit(dae),
            sp.zeros(dae.dim, 1),
            seed=ctx.seed,
            timeout=ctx.timeout,
            scope="instances",
        )
        for dae in limit_cases()[1:3]
    ]


#: generic data and noise densities on R (general scope)
GENERIC = ShallowDAE(generic_density(1), GenericNoise())


def sign_cases() -> list[ShallowDAE]:
    """Gaussian data in d = 1, 2 with every noise model (diagonal covariance off-Gaussian)."""
    return [
        ShallowDAE(fixed_gaussian(d, diagonal=name != "gaussian"), noise_model(name))
        for name in NOISE_MODELS
        for d in (1, 2)
    ]


@claim(
    id="dae-noise-sign",
    title="The denoising term is minus the posterior mean of the noise",
    source="[J] eq. (15) (corrected text of §3.3)",
    statement=r"f_t(\tilde x) = g_t(\tilde x) - \tilde x = -\mathbb{E}[\varepsilon\mid\tilde x]",
    kind="identity",
)
def dae_noise_sign(ctx: CheckContext) -> list:
    return [
        verify_identity(
            dae.displacement(),
            -dae.posterior_noise_mean_integral(),
            seed=ctx.seed,
            timeout=ctx.timeout,
            scope="instances",
        )
        for dae in sign_cases()
    ] + [
        verify_identity(
            GENERIC.displacement(),
            -GENERIC.posterior_noise_mean_integral(),
            seed=ctx.seed,
            timeout=ctx.timeout,
        )
    ]


@claim(
    id="dae-noise-sign-as-printed",
    title="As printed: the denoising term is the posterior mean of the noise",
    source="[J] §3.3, as printed",
    statement=r"f_t(\tilde x) = \mathbb{E}[\varepsilon\mid\tilde x]",
    kind="identity",
    expected="refuted",
)
def dae_noise_sign_as_printed(ctx: CheckContext) -> list:
    return [
        verify_identity(
            dae.displacement(),
            dae.posterior_noise_mean_integral(),
            seed=ctx.seed,
            timeout=ctx.timeout,
            scope="instances",
        )
        for dae in sign_cases()[:1]
    ] + [
        verify_identity(
            GENERIC.displacement(),
            GENERIC.posterior_noise_mean_integral(),
            seed=ctx.seed,
            timeout=ctx.timeout,
        )
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
