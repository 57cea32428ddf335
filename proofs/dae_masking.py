"""Masking noise: the DAE of the original denoising autoencoders, and what of the transport
picture survives it.

Masking zeroes each coordinate with probability ``p`` (``x~ = x * b``, ``b_i ~ Bernoulli(1-p)``):
not additive, no variance ``t`` (:mod:`symtransport._theory.masking`). [J] Thm 4's proof
carries over pattern by pattern; Thm 6 and the transport picture built on it do not.

* ``masking-dae-posterior-mean`` (family scope): on the stratum of a pattern (masked ``M``,
  observed ``O``) the minimiser of the masked loss is ``(x~_O, E[x_M | x_O = x~_O])``, the ratio of
  integrals with the pattern's probability ``p^|M| (1-p)^|O|`` inside, which cancels (the map does
  not depend on ``p``). Checked: the ratio equals the Gaussian conditional for ``N(m, LL^T)``
  on R^2 with symbolic parameters (family) and the responsibility-weighted conditionals of a
  3-D two-component mixture with two coordinates masked (instances); the closed form is a
  stationary point of the masked loss (family) and the loss's Hessian is ``2 int P mu_0 dx_M I``,
  positive, for every density (general), so it is the minimum.
* ``masking-dae-identity-on-data`` (general): data with a density have no zero coordinate
  almost surely, so they lie on the stratum where nothing is masked, where the map is the
  identity (Jacobian ``I``): ``g#mu_0 = mu_0`` for every ``p``, and the entropy does not change.
* ``masking-dae-velocity-is-score`` (expected refuted): [J] Thm 6 carried over to masking,
  with ``p`` in the part of ``t``: ``d/dp g_p(x)|_{p=0}`` would be the score and
  ``d/dp g_p#mu_0|_{p=0} = -Laplacian mu_0``. Both are refuted on ``N(m, s2)``: the velocity is 0.
* ``masking-dae-noisy-pushforward`` (family): in 1-D the masked DAE maps the noisy law
  ``(1-p) mu_0 + p delta_0`` to ``(1-p) mu_0 + p delta_{E x}``: singular, its variance is
  ``(1-p) Var mu_0``, so it is not ``mu_0``; for ``mu_0`` uniform on ``[a, b]`` its distance is
  ``W2^2 = p^2 (b-a)^2/12`` exactly (quantile functions, each inverse checked against its CDF).

``--deep`` adds every pattern of the symbolic Gaussian and of 2-D and 3-D mixtures.
"""

from __future__ import annotations

import sympy as sp

from symtransport import (
    CheckContext,
    Gaussian,
    IdentityCheck,
    claim,
    mask_patterns,
    masked_evidence,
    masked_loss,
    masked_posterior_mean,
    masked_posterior_mean_integral,
    pushforward_density,
    run_script,
    verify_identity,
)
from symtransport.calculus import gradient, laplacian
from symtransport.instances import fixed_mixture, generic_density, symbolic_gaussian
from symtransport.symbols import m, s2, x, y, z

p = sp.Symbol("p", positive=True)  # the masking probability, 0 < p < 1
BELOW_ONE = [p < 1]  # mutation: skip - the domain; the identities hold for every p but 0, 1
#: numeric cross-check points after an exact proof (the verdict is the proof's; a check that
#: is not proved needs 8 agreeing points to be verified)
PROOF_POINTS = 1  # mutation: skip - cross-check budget of proved checks
XY = (x, y)
XYZ = (x, y, z)
ONE_MASKED = (False, True)  # mutation: skip - which pattern on R^2 (the other is its mirror)
TWO_MASKED = (False, True, True)  # mutation: skip - which pattern on R^3


def _opts(ctx: CheckContext, scope: str, points: int = PROOF_POINTS) -> dict:
    return {
        "seed": ctx.seed,
        "timeout": ctx.timeout,
        "scope": scope,
        "constraints": BELOW_ONE,
        "points": points,
    }


# --- the posterior mean ------------------------------------------------------------------------


def standardised(gaussian: Gaussian, pattern, xs) -> dict:
    """``x_i = m_i + sqrt(S_ii) xi_i`` for each observed coordinate (when some are masked):
    each in its own standard deviations, a bijection of R for each Gaussian, so the statement
    for every ``xi`` is the statement for every ``x``. Written so, the integrand of a numeric
    cross-check peaks at about ``exp(-xi^2/2)``; with ``x`` drawn apart from the scale it can
    peak at ``exp(-1500)``, below the float range, where the numeric stage's quadrature misses
    the peak and reports a false difference (seed 2 did)."""
    if not any(pattern):
        return {}
    out = {}
    for i, (v, masked) in enumerate(zip(xs, pattern, strict=True)):
        if not masked:
            xi, scale = sp.Symbol(f"xi{i + 1}", real=True), sp.sqrt(gaussian.cov[i, i])
            out[v] = gaussian.mean[i] + scale * xi  # mutation: skip - any bijection of R serves
    return out


def closed_form_check(
    density, pattern, xs, scope: str, ctx: CheckContext, at: dict | None = None
) -> IdentityCheck:
    """The ratio of integrals (with ``P(M)`` inside) equals the closed form, for all ``p``;
    ``at`` substitutes for the observed coordinates (:func:`standardised`)."""
    return verify_identity(
        masked_posterior_mean_integral(density, pattern, xs, p).xreplace(at or {}),
        masked_posterior_mean(density, pattern, xs).xreplace(at or {}),
        **_opts(ctx, scope),
    )


def output_symbols(d: int) -> sp.Matrix:
    """``g = (g1, ..., gd)``: the output of the DAE at one input, free."""
    return sp.Matrix(sp.symbols(f"g1:{d + 1}", real=True))


def stationary_check(
    density, pattern, xs, scope: str, ctx: CheckContext, at: dict | None = None
) -> IdentityCheck:
    """The gradient of the masked loss in the output vanishes at the closed form."""
    g = output_symbols(len(xs))
    loss = masked_loss(density, pattern, xs, p, list(g))
    closed = dict(zip(g, masked_posterior_mean(density, pattern, xs), strict=True))
    first = sp.Matrix([sp.diff(loss, gi) for gi in g]).xreplace(closed)
    return verify_identity(first.xreplace(at or {}), sp.zeros(len(xs), 1), **_opts(ctx, scope))


def hessian_check(pattern, ctx: CheckContext) -> IdentityCheck:
    """For every density on R^2: the masked loss's Hessian in the output is
    ``2 int P(M) mu_0 dx_M`` times the identity, positive, so a stationary point is the
    minimum."""
    mu = generic_density(len(pattern))
    g = output_symbols(len(pattern))
    loss = masked_loss(mu, pattern, XY, p, list(g))
    evidence = masked_evidence(mu, pattern, XY, p)
    return verify_identity(
        sp.hessian(loss, list(g)), 2 * evidence * sp.eye(len(pattern)), **_opts(ctx, "general")
    )


@claim(
    id="masking-dae-posterior-mean",
    title="Under masking noise the optimal DAE is the posterior mean given the observed "
    "coordinates, which does not depend on p (closed form: every Gaussian on R^2; fixed mixtures)",
    source="[J] Thm 4 and App. A, carried over to masking noise (the original DAEs' noise)",
    statement=r"\arg\min_g \mathbb{E}|g(x\odot b)-x|^2 = \Big(\tilde x_O,\ "
    r"\frac{\int x_M\,p^{|M|}(1-p)^{|O|}\mu_0(\tilde x_O,x_M)\,dx_M}"
    r"{\int p^{|M|}(1-p)^{|O|}\mu_0(\tilde x_O,x_M)\,dx_M}\Big)"
    r"= \Big(\tilde x_O,\ \sum_k r_k(\tilde x_O)\big(m_{kM}+S_{kMO}S_{kOO}^{-1}"
    r"(\tilde x_O-m_{kO})\big)\Big),\ r_k\propto w_k\,N(\tilde x_O;m_{kO},S_{kOO})",
    kind="derivation",
    scope="family",
)
def masking_posterior_mean(ctx: CheckContext) -> list:
    gaussian = symbolic_gaussian()
    at = standardised(gaussian, ONE_MASKED, XY)
    checks = [
        closed_form_check(gaussian, ONE_MASKED, XY, "family", ctx, at),
        closed_form_check(fixed_mixture(3), TWO_MASKED, XYZ, "instances", ctx),
        stationary_check(gaussian, ONE_MASKED, XY, "family", ctx, at),
        hessian_check(ONE_MASKED, ctx),
    ]
    if ctx.deep:
        checks.extend(
            closed_form_check(gaussian, pat, XY, "family", ctx, standardised(gaussian, pat, XY))
            for pat in mask_patterns(2)
        )
        checks.extend(
            closed_form_check(fixed_mixture(d), pat, xs, "instances", ctx)
            for d, xs in ((2, XY), (3, XYZ))
            for pat in mask_patterns(d)
        )
    return checks


# --- clean data: the identity --------------------------------------------------------------------

NOTHING_MASKED = (False, False)  # mutation: skip - the stratum of clean data on R^2


def clean_map(density) -> sp.Matrix:
    """The masked DAE on the stratum of clean data (nothing masked), from its definition."""
    return masked_posterior_mean_integral(density, NOTHING_MASKED, XY, p)


def initial_velocity(density, xs) -> sp.Matrix:
    """``lim_{p -> 0} (g_p(x) - x)/p`` on clean data (nothing masked), from the definition."""
    nothing = (False,) * len(xs)
    g = masked_posterior_mean_integral(density, nothing, xs, p)
    quotients = [(gi - xi) / p for gi, xi in zip(g, xs, strict=True)]  # mutation: skip - g_p = id
    return sp.Matrix([sp.limit(q, p, 0, "+") for q in quotients])  # mutation: skip - idem


def continuity_rate(density: sp.Expr, velocity: sp.Matrix, xs) -> sp.Expr:
    """The continuity equation (9): ``d/dp mu_p = -div(mu_0 v)`` at ``p = 0``."""
    return -sum(sp.diff(density * vi, xi) for vi, xi in zip(velocity, xs, strict=True))


@claim(
    id="masking-dae-identity-on-data",
    title="Under masking the DAE is the identity on clean data almost surely, so it transports "
    "nothing and the entropy does not change",
    source="[J] Thm 4 with masking noise; the transport picture of [J] §3-4",
    statement=r"\Pr[\exists i:\,x_i=0]=0\ \Rightarrow\ g_p(x)=x\ \mu_0\text{-a.e.},\quad "
    r"g_p{}_\sharp\mu_0=\mu_0,\quad H[g_p{}_\sharp\mu_0]=H[\mu_0],\quad "
    r"\partial_p g_p=0,\ \partial_p\,g_p{}_\sharp\mu_0=0\quad(0<p<1)",
    kind="identity",
)
def masking_identity_on_data(ctx: CheckContext) -> list:
    mu = generic_density(2)  # mutation: skip - a generic density's dimension is its arity
    g = clean_map(mu)
    velocity = initial_velocity(mu, XY)
    instance = fixed_mixture(2)  # mutation: skip - which instance
    return [
        verify_identity(g, sp.Matrix(XY), **_opts(ctx, "general")),
        # (7) with g^-1 = g, as g is the identity (checked above): g#mu_0 = mu_0
        verify_identity(pushforward_density(mu.pdf, g, XY), mu.pdf(XY), **_opts(ctx, "general")),
        verify_identity(
            sp.Matrix([*velocity, continuity_rate(mu.pdf(XY), velocity, XY)]),
            sp.zeros(3, 1),
            **_opts(ctx, "general"),
        ),
        verify_identity(
            masked_posterior_mean(instance, NOTHING_MASKED, XY),
            sp.Matrix(XY),
            **_opts(ctx, "instances"),
        ),
    ]


# --- Thm 6 carried over to masking: refuted ------------------------------------------------------


@claim(
    id="masking-dae-velocity-is-score",
    title="Thm 6 carried over to masking: the initial velocity in p is the score and the "
    "pushforward solves the backward heat equation (false: the velocity is 0)",
    source="[J] Thm 6, eqs. (18)-(19), read with masking noise, p in the part of t",
    statement=r"\lim_{p\to0}\frac{g_p(x)-x}{p}=\nabla\log\mu_0(x),\qquad "
    r"\partial_p\,g_p{}_\sharp\mu_0\big|_{p=0}=-\triangle\mu_0",
    kind="identity",
    expected="refuted",
)
def masking_velocity_is_score(ctx: CheckContext) -> IdentityCheck:
    gaussian = Gaussian(m, s2)
    xs = (x,)
    velocity = initial_velocity(gaussian, xs)
    density = gaussian.pdf(xs)
    return verify_identity(
        sp.Matrix([*velocity, continuity_rate(density, velocity, xs)]),
        sp.Matrix([*gradient(sp.log(density), xs), -laplacian(density, xs)]),
        seed=ctx.seed,
        timeout=ctx.timeout,
        scope="family",
    )


# --- what the masked DAE does to the noisy law, in 1-D -------------------------------------------

a, b = sp.symbols("a b", real=True)
u = sp.Symbol("u", positive=True)  # the quantile level, 0 < u < 1
ABOVE = [b > a]


def atom(density) -> sp.Expr:
    """``g(0)``: the masked DAE where the one coordinate is masked."""
    return masked_posterior_mean_integral(density, (True,), (x,), p)[0]


def noisy_law_moments(density: Gaussian) -> tuple[sp.Expr, sp.Expr]:
    """Mean and variance of ``g#law(x~)``: the law of ``x~`` is ``(1-p) mu_0 + p delta_0`` (a
    coordinate of data with a density is 0 with probability 0), so ``1-p`` of the mass goes
    through the clean-data map and ``p`` sits at ``g(0)``."""
    (clean,) = masked_posterior_mean_integral(density, (False,), (x,), p)
    centre = masked_posterior_mean(density, (True,), (x,))[0]

    def expect(f: sp.Expr) -> sp.Expr:
        return sp.Integral(f * density.pdf((x,)), (x, -sp.oo, sp.oo))

    mean = (1 - p) * expect(clean) + p * centre
    atom_term = p * (centre - mean) ** 2  # mutation: skip - 0: the atom sits at the mean
    return mean, (1 - p) * expect((clean - mean) ** 2) + atom_term


def uniform_quantiles() -> tuple[sp.Expr, list[tuple[sp.Expr, sp.Expr, sp.Expr]]]:
    """For ``mu_0`` uniform on ``[a, b]``: its quantile ``Q(u) = a + (b-a) u`` and that of
    ``(1-p) mu_0 + p delta_c``, ``c = (a+b)/2 = E x``, in pieces ``(value, from, to)``: below
    the atom ``(1-p) (Q - a)/(b-a) = u``, the atom, above it ``(1-p)(Q - a)/(b-a) + p = u``."""
    length, centre = b - a, (a + b) / 2
    low, high = (1 - p) / 2, (1 + p) / 2
    pieces = [
        (a + length * u / (1 - p), sp.Integer(0), low),
        (centre, low, high),
        (a + length * (u - p) / (1 - p), high, sp.Integer(1)),
    ]
    return a + length * u, pieces


def uniform_cdf_check(ctx: CheckContext) -> IdentityCheck:
    """Each piece of the quantile inverts the CDF ``F(q) = (1-p)(q - a)/(b-a) + p 1[q >= c]``,
    and the atom sits at the mean, where ``F`` jumps from ``(1-p)/2`` to ``(1+p)/2``."""
    _, (below, middle, above) = uniform_quantiles()
    return verify_identity(
        sp.Matrix(
            [
                (1 - p) * (below[0] - a) / (b - a),
                (1 - p) * (above[0] - a) / (b - a) + p,
                (1 - p) * (middle[0] - a) / (b - a),
            ]
        ),
        sp.Matrix([u, u, middle[1]]),
        **{**_opts(ctx, "family"), "constraints": [*BELOW_ONE, *ABOVE]},
    )


def uniform_w2_squared() -> sp.Expr:
    """``W2^2 = int_0^1 (Q_nu(u) - Q_mu(u))^2 du`` (1-D: the quantile coupling is optimal)."""
    quantile, pieces = uniform_quantiles()
    return sp.Add(*(sp.Integral((q - quantile) ** 2, (u, lo, hi)) for q, lo, hi in pieces))


@claim(
    id="masking-dae-noisy-pushforward",
    title="In 1-D the masked DAE maps the noisy law to (1-p) mu_0 + p delta_{E x}: singular, "
    "not mu_0",
    source="[J] Thm 4 with masking noise; what a DAE does to its noisy input",
    statement=r"g_\sharp\mathrm{law}(\tilde x)=(1-p)\mu_0+p\,\delta_{\mathbb{E}x},\quad "
    r"\mathrm{Var}=(1-p)\mathrm{Var}\,\mu_0,\quad "
    r"W_2^2\big(g_\sharp\mathrm{law}(\tilde x),U[a,b]\big)=\frac{p^2(b-a)^2}{12}>0",
    kind="derivation",
    scope="family",
)
def masking_noisy_pushforward(ctx: CheckContext) -> list:
    gaussian = Gaussian(m, s2)
    mu = generic_density(1)  # mutation: skip - a generic density's dimension is its arity
    w2_opts = {**_opts(ctx, "family"), "constraints": [*BELOW_ONE, *ABOVE]}
    return [
        # the atom: g(0) = E x, for every density (general) and N(m, s2) (family)
        verify_identity(
            atom(mu),
            sp.Integral(x * mu.pdf((x,)), (x, -sp.oo, sp.oo))
            / sp.Integral(mu.pdf((x,)), (x, -sp.oo, sp.oo)),
            **_opts(ctx, "general"),
        ),
        verify_identity(
            sp.Matrix([atom(gaussian), *noisy_law_moments(gaussian)]),
            sp.Matrix([m, m, (1 - p) * s2]),
            **_opts(ctx, "family"),
        ),
        uniform_cdf_check(ctx),
        verify_identity(uniform_w2_squared(), p**2 * (b - a) ** 2 / 12, **w2_opts),
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
