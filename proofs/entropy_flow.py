"""Entropy along the continuous DAE: Theorem 8, the reversed de Bruijn identity, the Renyi case.

* ``entropy-gradient-flow`` ([J] Thm 8, (27)-(28); general scope): with the Otto gradient
  ``grad F = -div(mu grad dF/dmu)`` (notes §1), ``grad H[mu] = Laplacian(mu)`` for the Shannon
  entropy, so the backward heat equation (27) is ``d/dt mu = -grad H[mu]``. The consistent
  reading of (11) (notes §2.1 Fact 3 [check]): ``V = -dF/dmu`` up to a constant and
  ``dF/dt = -int V d/dt mu``; for the DAE potential ``V_t = log mu_t`` (26) and ``F = H`` this
  is ``dH/dt = -int log mu_t d/dt mu_t``. Checked for a generic density ``mu(x)`` (an undefined
  function, which the numeric stage replaces by non-Gaussian densities): ``grad H = Laplacian``,
  ``grad V = -grad dH/dmu``, the continuity equation (10) with ``V = log mu`` is (28), and (11)
  pointwise, ``dH/dmu d/dt mu = -V d/dt mu + div(mu grad V)`` along (10) (the divergence
  integrates to 0). ``--deep`` adds R^2 and, for a generic ``mu(x, t)``, the derivative under
  the integral sign ``d/dt H[mu_t] = int dH/dmu d/dt mu_t dx``. As a family check, on
  ``mu_t = N(m, s2 - 2t)`` with symbolic ``m, s2``: (28), ``H(t)`` derived from the definition
  equals ``log(2 pi e (s2 - 2t))/2``, and (11) with the integral.
* ``entropy-gradient-flow-as-printed`` (notes §2.1 Fact 3 [check]): the proof of Thm 8 writes
  ``V_t = -log mu_t``; in (10) that is ``d/dt mu = +Laplacian(mu)``, the forward heat equation,
  not (27)-(28), and it is not ``-dH/dmu`` up to a constant; refuted for a generic density.
  As a control, the same identities must hold for ``V = log mu`` (else the check errs).
* ``de-bruijn`` (notes §2.3 [reconstruction]): ``dH[mu_t]/dt = -I(mu_t)`` along (27), from the
  definitions of ``H`` and ``I`` for Gaussians (1-D with symbolic parameters, family scope; a
  fixed 2-D full covariance), the integration by parts behind it for a generic density
  (proved), and on a 1-D mixture by 30-digit quadrature (verified, not proved).
* ``renyi-porous-medium`` (notes §2.4, corrected reading): for the Tsallis entropy
  ``S_a = -H^a = int (mu - mu^a)/(a - 1)``, ``d/dt mu = -grad S_a`` is the backward porous medium
  equation (29) ``d/dt mu = -Laplacian(mu^a)``, its velocity is
  ``v = grad(a/(a-1) mu^(a-1))`` with ``mu v = grad mu^a``, and ``S_a -> H`` as ``a -> 1``.
* ``renyi-porous-medium-as-printed``: [J]'s ``grad H^a[mu] = Laplacian(mu^a)`` under the same
  convention that gives ``grad H = Laplacian(mu)``; refuted (it is ``-Laplacian(mu^a)``).

Times are handled through ``tau = t* - t > 0``, the time left before blow-up, so that SymPy
knows every covariance of ``mu_t`` is positive definite; ``d/dt = (dtau/dt) d/dtau``.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from symtransport import (
    CheckContext,
    ContinuousDAE,
    Gaussian,
    IdentityCheck,
    Outcome,
    Status,
    claim,
    fisher_information,
    renyi,
    run_script,
    shannon_entropy,
    tsallis,
    verify_identity,
)
from symtransport.calculus import divergence, gradient, laplacian
from symtransport.instances import fixed_mixture
from symtransport.symbols import coordinates, m, s2, t

mu = sp.Function("mu")
tau = sp.Symbol("tau", positive=True)  # time left before blow-up, t = t* - tau
alpha = sp.Symbol("alpha", positive=True)
H = shannon_entropy()

DPS = 30  # mutation: skip - working precision of the quadrature (digits)
LOST_DIGITS = 10  # mutation: skip - digits the quadrature and the cancellation may lose


def printed_entropy(t: sp.Expr) -> sp.Expr:
    """Notes §2.3, §3.2: ``H[N(m, s2 - 2t)] = log(2 pi e (s2 - 2t)) / 2``."""
    return sp.log(2 * sp.pi * sp.E * (s2 - 2 * t)) / 2


def flow_before_blowup(dae: ContinuousDAE) -> tuple[sp.Expr, sp.Expr]:
    """``(mu_t, dtau/dt)``: the closed form (33), (37) at ``t = t* - tau``, and the chain-rule
    factor turning ``d/dtau`` into ``d/dt``."""
    return dae.density_t(dae.blowup_time - tau), sp.diff(dae.blowup_time - dae.t, dae.t)


def gaussian_flows() -> list[tuple[ContinuousDAE, str]]:
    """``(flow, scope)``: ``N(m, s2)`` with symbolic parameters (``family``) and a fixed 2-D
    Gaussian with a full covariance (``instances``; only with ``--deep``: its double integrals
    take about 4 s)."""
    full = sp.Matrix([[3, 1], [1, 3]]) / 2  # mutation: skip - which instance (any SPD matrix)
    centre = [0, 0]  # mutation: skip - which instance
    return [
        (ContinuousDAE(Gaussian(m, s2)), "family"),
        (ContinuousDAE(Gaussian(centre, full)), "instances"),
    ]


def generic_identities(d: int) -> list[tuple[str, sp.Expr, sp.Expr]]:
    """``(what, lhs, rhs)`` of Thm 8 and (11) for a generic density ``mu`` on R^d, with the DAE
    potential ``V = log mu`` (26) and the rate ``d/dt mu = -div(mu grad V)`` of (10):

    * ``grad H[mu] = -div(mu grad dH/dmu) = Laplacian(mu)`` (proof of Thm 8);
    * ``grad V = -grad dH/dmu``: ``V = -dH/dmu + c``, the consistent reading of (11);
    * ``-div(mu grad V) = -grad H[mu]``: (10) with this ``V`` is (28), hence (27);
    * (11) pointwise: ``dH/dmu d/dt mu = -V d/dt mu + div(mu grad V)``; the divergence integrates
      to 0 for a regular density, so ``dH/dt = int dH/dmu d/dt mu = -int V d/dt mu``.
    """
    xs = coordinates(d)
    density = mu(*xs)
    potential = sp.log(density)
    flux = density * gradient(potential, xs)
    rate = -divergence(flux, xs)
    variation = H.first_variation(density, xs)
    return [
        ("grad H = Laplacian", H.wasserstein_gradient(density, xs), laplacian(density, xs)),
        ("V = -dH/dmu + c", gradient(potential, xs), -gradient(variation, xs)),
        ("(10) with V = log mu is (28)", rate, -H.wasserstein_gradient(density, xs)),
        ("(11) pointwise", variation * rate, -potential * rate + divergence(flux, xs)),
    ]


def stacked(identities: list[tuple[str, sp.Expr, sp.Expr]]) -> tuple[sp.Matrix, sp.Matrix]:
    """The identities' sides as two columns (vector sides flattened), for one check."""

    def column(side: int) -> sp.Matrix:
        entries = [
            e
            for i in identities
            for e in (i[side] if isinstance(i[side], sp.MatrixBase) else [i[side]])
        ]
        return sp.Matrix(entries)

    return column(1), column(2)


def entropy_rate_identity() -> tuple[sp.Expr, sp.Expr]:
    """For a generic ``mu(x, t)`` on R: ``d/dt H[mu_t] = int dH/dmu d/dt mu_t dx``, the
    derivative taken under the integral sign (the left-hand side of (11))."""
    (x,) = coordinates(1)
    density = mu(x, t)
    rate = H.first_variation(density, [x]) * sp.Derivative(density, t)
    return sp.Derivative(H.value(density, [x]), t), sp.Integral(rate, (x, -sp.oo, sp.oo))


@claim(
    id="entropy-gradient-flow",
    title="The backward heat equation is the Wasserstein gradient descent of Shannon entropy",
    source="[J] Thm 8, eqs. (10), (26)-(28); eq. (11) in its consistent reading (notes §2.1)",
    statement=r"\mathsf{grad}H[\mu]=-\nabla\cdot\big(\mu\nabla\tfrac{\delta H}{\delta\mu}\big)"
    r"=\triangle\mu,\ \ \partial_t\mu_t=-\nabla\cdot(\mu_t\nabla V_t)=-\mathsf{grad}H[\mu_t];"
    r"\quad V_t=\log\mu_t=-\tfrac{\delta H}{\delta\mu}+c,\ \ \tfrac{d}{dt}H[\mu_t]"
    r"=-\int V_t\,\partial_t\mu_t\,dx,\ \ H[N(m,\sigma_0^2-2t)]=\tfrac12\log 2\pi e(\sigma_0^2-2t)",
    kind="derivation",
    scope="general",
)
def entropy_gradient_flow(ctx: CheckContext) -> list[IdentityCheck]:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    checks = [  # a generic density mu on R^d; the identities at once, as one column
        verify_identity(*stacked(identities), scope="general", **opts)
        for d in ((1, 2) if ctx.deep else (1,))  # mutation: skip - which dimensions to check
        if (identities := generic_identities(d))
    ]
    if ctx.deep:  # a generic mu(x, t) under an integral: about 20 s
        checks.append(verify_identity(*entropy_rate_identity(), scope="general", **opts))
    # every Gaussian N(m, s2) (symbolic parameters): the closed forms along (27)
    family = {**opts, "scope": "family"}
    dae = ContinuousDAE(Gaussian(m, s2))
    xs = dae.variables
    mu_t, rate = flow_before_blowup(dae)
    entropy = H.value(mu_t, xs)
    dmu_dt = rate * sp.diff(mu_t, tau)
    return [
        *checks,
        verify_identity(dmu_dt, -H.wasserstein_gradient(mu_t, xs), **family),
        verify_identity(entropy, printed_entropy(dae.blowup_time - tau), **family),
        verify_identity(
            rate * sp.Derivative(entropy, tau),
            -sp.Integral(sp.log(mu_t) * dmu_dt, (xs[0], -sp.oo, sp.oo)),
            **family,
        ),
    ]


def potential_identities(d: int, sign: int) -> list[tuple[str, sp.Expr, sp.Expr]]:
    """``(what, lhs, rhs)`` with the potential ``V = sign * log mu`` for a generic density
    ``mu`` on R^d: (10) with this ``V`` against (28), and ``V`` against the consistent reading
    of (11), ``grad V = -grad dH/dmu``. ``sign = -1``: the potential of [J]'s proof of Thm 8;
    ``sign = 1``: the DAE potential (26), for which both hold."""
    xs = coordinates(d)
    density = mu(*xs)
    potential = sign * sp.log(density)
    return [
        (
            f"(10) with V = {sign} log mu is (28)",
            -divergence(density * gradient(potential, xs), xs),
            -H.wasserstein_gradient(density, xs),
        ),
        ("V = -dH/dmu + c", gradient(potential, xs), -gradient(H.first_variation(density, xs), xs)),
    ]


@claim(
    id="entropy-gradient-flow-as-printed",
    title="As printed in the proof of Thm 8: V_t = -log mu_t in (10)-(11) gives the flow (28)",
    source="[J] proof of Thm 8 with eqs. (10)-(12), (28), as printed (notes §2.1 Fact 3)",
    statement=r"V_t=-\log\mu_t:\quad -\nabla\cdot(\mu_t\nabla V_t)=-\mathsf{grad}H[\mu_t]"
    r"=-\triangle\mu_t,\quad V_t=-\tfrac{\delta H}{\delta\mu}+c",
    kind="identity",
    expected="refuted",
    scope="general",
)
def entropy_gradient_flow_as_printed(ctx: CheckContext) -> list[IdentityCheck]:
    # with V = -log mu, (10) is d/dt mu = +Laplacian(mu): the forward heat equation
    dims = (1, 2) if ctx.deep else (1,)  # mutation: skip - which dimensions to check
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": "general"}
    for d in dims:  # control: the same identities hold for the DAE potential V = log mu (26)
        control = verify_identity(*stacked(potential_identities(d, 1)), **opts)
        if not control.status.holds:
            raise ArithmeticError(
                f"control: the identities do not hold for V = log mu on R^{d} either "
                f"({control.status}), so refuting V = -log mu with them would decide nothing"
            )
    return [
        verify_identity(lhs, rhs, **opts)
        for d in dims
        for _, lhs, rhs in potential_identities(d, -1)
    ]


def mixture_rates(dae: ContinuousDAE, time: sp.Expr, dps: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(dH/dt, -I(mu_t))`` at ``time`` for a 1-D flow, by ``mpmath.quad`` at ``dps`` digits.

    ``dH/dt = int (dH/dmu)(mu_t) d/dt mu_t dx``: the derivative taken under the integral sign,
    with ``d/dt mu_t`` differentiated from the closed form (42), not from (27).
    """
    (x,) = dae.variables
    mu_t = dae.density_t()
    rate = H.first_variation(mu_t, [x]) * sp.diff(mu_t, dae.t)
    fisher = fisher_information(mu_t, [x]).function
    breaks = sorted({c.mean[0] for _, c in dae.components})
    with mpmath.workdps(dps):
        points = [mpmath.mpf(b.p) / b.q for b in breaks]  # mutation: skip - break points
        nodes = [-mpmath.inf, *points, mpmath.inf]
        f_rate, f_fisher = (sp.lambdify(x, e.subs(dae.t, time), "mpmath") for e in (rate, fisher))
        return mpmath.quad(f_rate, nodes), -mpmath.quad(f_fisher, nodes)


def mixture_de_bruijn(dae: ContinuousDAE, times: list[sp.Expr]) -> Outcome:
    """The reversed de Bruijn identity on a mixture at ``times``, by quadrature: ``verified``
    when the relative residual stays below ``10^-(DPS - LOST_DIGITS)`` at every time,
    ``refuted`` when it is above at ``DPS`` and ``2 DPS`` digits alike, else ``undecided``."""
    tolerance = mpmath.mpf(10) ** -(DPS - LOST_DIGITS)  # mutation: skip - a tolerance
    worst = mpmath.mpf(0)  # mutation: skip - the largest residual reported
    for time in times:
        rate, minus_fisher = mixture_rates(dae, time, DPS)
        residual = abs(rate - minus_fisher) / abs(minus_fisher)  # mutation: skip - a measure
        worst = max(worst, residual)
        if residual > tolerance:
            rate2, minus_fisher2 = mixture_rates(dae, time, 2 * DPS)  # mutation: skip - report
            again = abs(rate2 - minus_fisher2) / abs(minus_fisher2)  # mutation: skip - report
            status = Status.REFUTED if again > tolerance else Status.UNDECIDED
            return Outcome(
                status,
                f"mpmath.quad at {DPS} and {2 * DPS} digits",
                len(times),
                float(again),
                {
                    "t": str(time),
                    "dH/dt": mpmath.nstr(rate2, 20),  # mutation: skip - digits shown
                    "-I": mpmath.nstr(minus_fisher2, 20),  # mutation: skip - digits shown
                },
                f"dH/dt and -I(mu_t) differ by a relative {float(again):.3g} at t = {time}.",
                scope="instances",
            )
    return Outcome(
        Status.VERIFIED,
        f"mpmath.quad at {DPS} digits at {len(times)} times",
        len(times),
        float(worst),
        None,
        f"dH/dt = -I(mu_t) on the mixture at t = {', '.join(map(str, times))} "
        f"(t* = {dae.blowup_time}) within a relative {float(tolerance):.0e}; numeric, not a proof.",
        scope="instances",  # a fixed mixture
    )


@claim(
    id="de-bruijn",
    title="Reversed de Bruijn identity: entropy falls at the rate of the Fisher information",
    source="notes §2.3 [reconstruction], from [J] (27)",
    statement=r"\frac{d}{dt}H[\mu_t] = -I(\mu_t) = -\int\frac{|\nabla\mu_t|^2}{\mu_t}\,dx"
    r"\quad\text{along } \partial_t\mu_t=-\triangle\mu_t,\ 0\le t<t^*",
    kind="derivation",
    scope="general",
)
def de_bruijn(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    checks: list = []
    for dae, scope in gaussian_flows() if ctx.deep else gaussian_flows()[:1]:
        mu_t, rate = flow_before_blowup(dae)
        xs = dae.variables
        lhs = rate * sp.Derivative(H.value(mu_t, xs), tau)
        checks.append(verify_identity(lhs, -fisher_information(mu_t, xs), scope=scope, **opts))
    for d in (1, 2) if ctx.deep else (1,):  # mutation: skip - which dimensions to check
        xs = coordinates(d)
        density = mu(*xs)
        potential = -H.first_variation(density, xs)  # log mu + 1
        checks.append(
            verify_identity(
                laplacian(density, xs) * potential,
                divergence(potential * gradient(density, xs), xs)
                - fisher_information(density, xs).function,
                scope="general",  # a generic density
                **opts,
            )
        )
    mixture = ContinuousDAE(fixed_mixture(1))
    fractions = [sp.Rational(3, 5), sp.Rational(1, 5)]  # mutation: skip - which times to check
    times = [f * mixture.blowup_time for f in (fractions if ctx.deep else fractions[:1])]
    return [*checks, mixture_de_bruijn(mixture, times)]


def porous_medium_check(d: int, constraint: sp.Basic, opts: dict) -> IdentityCheck:
    """For a generic density on R^d, ``alpha`` restricted by ``constraint``, at once:
    ``-grad S_a = -Laplacian(mu^a)`` (29), ``mu v = grad mu^a`` and ``-div(mu v) = -grad S_a``
    (the velocity ``v`` moves mass along the gradient flow)."""
    xs = coordinates(d)
    density = mu(*xs)
    velocity = gradient(alpha / (alpha - 1) * density ** (alpha - 1), xs)
    flow = -tsallis(alpha).wasserstein_gradient(density, xs)
    return verify_identity(
        sp.Matrix([flow, *(density * velocity), -divergence(density * velocity, xs)]),
        sp.Matrix([-laplacian(density**alpha, xs), *gradient(density**alpha, xs), flow]),
        constraints=[constraint],
        scope="general",  # a generic density, symbolic alpha
        **opts,
    )


@claim(
    id="renyi-porous-medium",
    title="Descending the Tsallis entropy gives the backward porous medium equation",
    source="[J] §4.4, eq. (29) (corrected reading, notes §2.4)",
    statement=r"S_\alpha=-H^\alpha=\int\frac{\mu-\mu^\alpha}{\alpha-1},\ \ "
    r"\partial_t\mu=-\mathsf{grad}S_\alpha[\mu]=-\triangle\mu^\alpha,\ \ "
    r"v=\nabla\big(\tfrac{\alpha}{\alpha-1}\mu^{\alpha-1}\big),\ \mu v=\nabla\mu^\alpha,\ \ "
    r"\lim_{\alpha\to1}S_\alpha=H",
    kind="derivation",
    scope="general",
)
def renyi_porous_medium(ctx: CheckContext) -> list[IdentityCheck]:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    limit = sp.Limit(tsallis(alpha).integrand, alpha, 1)
    one = porous_medium_check(1, alpha > 1, opts)  # mutation: skip - dimension, range of alpha
    checks = [one, verify_identity(limit, H.integrand, scope="general", **opts)]
    if ctx.deep:
        fast = porous_medium_check(1, alpha < 1, opts)  # mutation: skip - fast diffusion, R^1
        plane = porous_medium_check(2, alpha > 1, opts)  # mutation: skip - R^2
        checks += [fast, plane]  # mutation: skip - run with --deep only
    return checks


@claim(
    id="renyi-porous-medium-as-printed",
    title="As printed: grad H^alpha = Laplacian(mu^alpha) (same convention as grad H = Laplacian)",
    source="[J] §4.4, before eq. (29), as printed",
    statement=r"\mathsf{grad}H^\alpha[\mu]=\triangle\mu^\alpha,\quad "
    r"H^\alpha[\mu]=\int\frac{\mu^\alpha-\mu}{\alpha-1}",
    kind="identity",
    expected="refuted",
    scope="general",
)
def renyi_porous_medium_as_printed(ctx: CheckContext) -> IdentityCheck:
    (x,) = coordinates(1)
    density = mu(x)
    return verify_identity(
        renyi(alpha).wasserstein_gradient(density, [x]),
        laplacian(density**alpha, [x]),
        constraints=[alpha > 1],  # mutation: skip - any range of alpha refutes it
        seed=ctx.seed,
        timeout=ctx.timeout,
        scope="general",  # a generic density
    )


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
