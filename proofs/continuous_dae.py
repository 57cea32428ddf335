"""The continuous (infinitely deep) DAE: Theorem 7 and the closed forms (32)-(33), (36)-(37),
(41)-(43), with the blow-up time.

The library builds ``mu_t`` (the heat-evolved family, covariances ``S_k - 2tI``), the velocity
``v_t = grad log mu_t`` and, for a Gaussian, the flow map (:class:`symtransport.ContinuousDAE`);
each printed formula is typed here once and checked against what the library derives. Each
check states its scope: ``general`` for a generic density ``mu(x, t)``, ``family`` for
symbolic parameters of every Gaussian / two-component mixture, ``instances`` for fixed examples.

* ``continuous-dae-bhe`` (general): for every smooth positive ``mu_t``, the continuity equation
  (9) with the velocity (26) ``v_t = grad log mu_t`` is the backward heat equation (27),
  ``-div(mu_t v_t) = -Laplacian(mu_t)``, checked on a generic ``mu(x, t)`` on R and R^2 (the
  continuity equation itself, [J] Fact 2, is the claim ``continuity-equation``); and for the
  closed forms, ``d/dt mu_t = -div(mu_t v_t) = -Laplacian(mu_t)`` for ``N(m, s2)`` (family)
  and a fixed 2-D mixture with full covariances (instances; more with ``--deep``);
* ``gaussian-continuous``, ``mvn-continuous`` (family: symbolic ``m, s2``; symbolic mean and
  ``S = L L^T``, ``L = [[l1, 0], [l2, l3]]``): the derived map solves ``d/dt phi = v_t(phi)``,
  ``phi_0 = id`` (so it is the flow, by Picard-Lindelof), equals (32) / satisfies
  ``A_t^2 = I - 2t S^-1`` with ``A_t`` symmetric (36), and pushes ``N(m, S)`` to (33) / (37),
  ``A_t S A_t^T = S - 2tI``; a fixed 3-D Gaussian as an instance;
* ``gmm-continuous`` (family): (42) as printed solves the backward heat equation (27) and
  starts at the mixture, the velocity (43) is its score (26) and is the library's velocity, for
  every two-component mixture on R (family) and fixed 2-D mixtures (instances); the particles
  integrated by SciPy on that velocity satisfy the change of variables (7) against (42) (in 1-D
  also ``F_t(phi_t(x)) = F_0(x)`` for the distribution functions, against an mpmath root);
* ``gmm-continuous-map-approx`` (instances): how far the per-component map (41) is from the
  true flow, measured on (45)-(47);
* ``blowup-time`` (family): ``t* = min_k lambda_min(S_k) / 2``: every 2x2 covariance turns
  singular there, and for (44) the flow collapses onto the x-axis at ``t = 1/2`` (Fig. 6).
"""

from __future__ import annotations

import dataclasses

import mpmath
import numpy as np
import sympy as sp

from symtransport import (
    CheckContext,
    ContinuousDAE,
    Gaussian,
    GaussianMixture,
    Outcome,
    affine_parts,
    affine_pushforward,
    claim,
    compile_map,
    measure,
    run_script,
    verify_identity,
)
from symtransport.calculus import divergence, gradient, laplacian
from symtransport.instances import (
    fixed_gaussian,
    fixed_mixture,
    gaussian_44,
    paper_mixtures,
    symbolic_gaussian,
    symbolic_mixture,
    symbolic_spd,
)
from symtransport.symbols import coordinates, m, s2, t

R = sp.Rational
mu = sp.Function("mu")  # a generic density mu(x, t): every smooth positive density
GENERIC_DIMS = (1, 2)  # mutation: skip - the dimensions of the generic check


def generic_bhe(d: int) -> tuple[sp.Expr, sp.Expr]:
    """``(-div(mu_t v_t), -Laplacian(mu_t))`` with the continuous DAE's velocity (26)
    ``v_t = grad log mu_t``, for a generic density ``mu_t = mu(x_1, ..., x_d, t)`` on R^d.

    The first is the right-hand side of the continuity equation (9), the second that of the
    backward heat equation (27): their equality, for every density, is [J] Theorem 7 once the
    continuity equation (Fact 2) is granted."""
    xs = coordinates(d)
    density = mu(*xs, t)
    velocity = gradient(sp.log(density), xs)
    return -divergence(density * velocity, xs), -laplacian(density, xs)


def before_blowup(density: Gaussian | GaussianMixture) -> list[sp.Basic]:
    """``t < lambda_min(S_k) / 2`` for every component, i.e. ``t < t*``: one relation per
    component (:meth:`ContinuousDAE.time_constraint`), which a sampler can draw from also when
    the covariances are symbolic (no minimum over components to decide)."""
    parts = density.components if isinstance(density, GaussianMixture) else [density]
    return [ContinuousDAE(c).time_constraint() for c in parts]


def rotated_gaussian_3d() -> Gaussian:
    """``N(m, Q diag(3, 2, 1) Q^T)``, ``Q = [[1,2,2],[2,1,-2],[2,-2,1]]/3`` a rational rotation:
    a full 3-D covariance whose eigenvalues are exact."""
    q = sp.Matrix([[1, 2, 2], [2, 1, -2], [2, -2, 1]]) / 3  # mutation: skip - an instance
    return Gaussian([R(1, 2), 0, -1], q * sp.diag(3, 2, 1) * q.T)  # mutation: skip - idem


def flow_residual(flow: ContinuousDAE) -> tuple[sp.Matrix, sp.Matrix]:
    """``(d/dt phi_t, v_t(phi_t))`` for the derived map and the closed-form velocity (43)
    (checked against the definition (26), ``grad log mu_t``, by :func:`flow_checks`): equal iff
    ``phi`` is an integral curve of the continuous DAE."""
    phi = flow.map()
    at_phi = dict(zip(flow.variables, phi, strict=True))
    return sp.diff(phi, flow.t), flow.velocity().xreplace(at_phi)


def flow_checks(flow: ContinuousDAE, ctx: CheckContext, scope: str) -> list:
    """The derived map is the flow: the velocity is the score (26), the map solves the ODE
    and starts at the identity (``t < t*`` on the time-dependent identities)."""
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": scope}
    with_time = {"constraints": before_blowup(flow.family), **opts}
    start = flow.map().subs(flow.t, 0)
    return [
        verify_identity(flow.velocity(), flow.score(), **with_time),
        verify_identity(*flow_residual(flow), **with_time),
        verify_identity(start, sp.Matrix(flow.variables), **opts),
    ]


@claim(
    id="continuous-dae-bhe",
    title="The continuous DAE's pushforward solves the backward heat equation",
    source="[J] Thm 7, eq. (27); Fact 2, eq. (9); (26)",
    statement=r"\partial_t\mu_t=-\nabla\cdot(\mu_t\nabla\log\mu_t)=-\triangle\mu_t"
    r"\ \text{for every smooth positive density }\mu_t\text{ on }\mathbb{R}^d;"
    r"\ \text{e.g. }\mu_t=\sum_kw_kN(m_k,\Sigma_k-2tI),\ 0\le t<t^*",
    kind="derivation",
    scope="general",
)
def continuous_dae_bhe(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    # every density: a generic mu(x, t) stands for every smooth positive density (general)
    checks = [verify_identity(*generic_bhe(d), **opts) for d in GENERIC_DIMS]
    # the closed forms: every N(m, s2) (family) and a fixed mixture with full covariances
    cases = [
        (Gaussian(m, s2), "family"),
        (fixed_mixture(2), "instances"),  # mutation: skip - which instances to check
    ]
    if ctx.deep:  # more instances; the generic check above already covers every density
        cases.append((fixed_mixture(1), "instances"))  # mutation: skip - which instances
        cases.append((fixed_gaussian(2), "instances"))  # mutation: skip - idem
        cases.append((fixed_mixture(3), "instances"))  # mutation: skip - idem
    for case, scope in cases:
        flow = ContinuousDAE(case)
        # the flux in the derivation is mu_t v_t with v_t = grad log mu_t (26)
        flux = verify_identity(flow.flux(), flow.density_t() * flow.score(), scope=scope, **opts)
        checks += [flux, flow.derivation().verify(scope=scope, **opts)]
    return checks


@claim(
    id="gaussian-continuous",
    title="Continuous DAE of N(m, s2): the flow (32) and the pushforward (33)",
    source="[J] §5.1.1, eqs. (32)-(33)",
    statement=r"\phi_t(x)=\sqrt{1-2t/\sigma_0^2}\,(x-m_0)+m_0,\quad"
    r"\phi_{t\sharp}\mu_0=N(m_0,\sigma_0^2-2t),\ 0\le t<\sigma_0^2/2",
    kind="derivation",
    scope="family",
)
def gaussian_continuous(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": "family"}  # symbolic m, s2
    flow = ContinuousDAE(Gaussian(m, s2))
    (x,) = flow.variables
    phi = flow.map()
    printed_32 = sp.sqrt(1 - 2 * t / s2) * (x - m) + m
    slope = sp.diff(phi[0], x)
    mean, cov = affine_pushforward(
        sp.Matrix([m]), sp.Matrix([s2]), sp.Matrix([slope]), sp.Matrix([phi[0] - slope * x])
    )
    return [
        *flow_checks(flow, ctx, "family"),
        verify_identity(phi[0], printed_32, **opts),
        verify_identity(mean[0], m, **opts),
        verify_identity(cov[0, 0], s2 - 2 * t, **opts),
        verify_identity(
            flow.density_t(),
            sp.exp(-((x - m) ** 2) / (2 * (s2 - 2 * t))) / sp.sqrt(2 * sp.pi * (s2 - 2 * t)),
            **opts,
        ),
    ]


def mvn_parts(g: Gaussian) -> tuple[ContinuousDAE, sp.Matrix, sp.Matrix, sp.Matrix, sp.Matrix]:
    """``(flow, A_t, b_t, mean, covariance)``: the continuous DAE of ``g``, its derived map
    (36) ``phi_t(x) = A_t x + b_t`` (for a symbolic 2x2 ``S``, ``A_t = sqrt(M) = (M +
    sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M))`` with ``M = I - 2t S^-1``), and the mean and
    covariance of ``N(m, S)`` pushed through it, ``(A_t m + b_t, A_t S A_t^T)``."""
    flow = ContinuousDAE(g)
    a, offset = affine_parts(flow.map(), flow.variables)
    mean, cov = affine_pushforward(g.mean, g.cov, a, offset)
    return flow, a, offset, mean, cov


@claim(
    id="mvn-continuous",
    title="Continuous DAE of N(m, S): the flow (36) and the pushforward (37)",
    source="[J] §5.1.2, eqs. (36)-(37)",
    statement=r"\phi_t(x)=\sqrt{I-2t\Sigma_0^{-1}}\,(x-m_0)+m_0,\quad"
    r"\phi_{t\sharp}\mu_0=N(m_0,\Sigma_0-2tI),\ 0\le t<\lambda_{\min}(\Sigma_0)/2",
    kind="derivation",
    scope="family",
)
def mvn_continuous(ctx: CheckContext) -> list:
    checks = []
    # every Gaussian on R^2 (symbolic mean and Cholesky factor), and a fixed rotated 3-D one
    for g, scope in ((symbolic_gaussian(), "family"), (rotated_gaussian_3d(), "instances")):
        flow, a, offset, mean, cov = mvn_parts(g)
        eye = sp.eye(g.dim)
        with_time = {
            "constraints": before_blowup(g),
            "seed": ctx.seed,
            "timeout": ctx.timeout,
            "scope": scope,
        }
        checks += [
            *flow_checks(flow, ctx, scope),  # d/dt A_t = -(S - 2tI)^-1 A_t, A_0 = I
            verify_identity(a * a, eye - 2 * t * g.cov.inv(), **with_time),  # (36): A_t^2
            verify_identity(a, a.T, **with_time),  # A_t symmetric
            verify_identity(a * g.mean + offset, g.mean, **with_time),  # the mean m_0 is fixed
            verify_identity(mean, g.mean, **with_time),
            verify_identity(cov, g.cov - 2 * t * eye, **with_time),  # (37)
        ]
    return checks


def printed_components(
    mixture: GaussianMixture, xs: list[sp.Symbol]
) -> list[tuple[sp.Expr, sp.Matrix, sp.Matrix]]:
    """``[(w_k N(x; m_k, C_k), C_k, x - m_k)]`` with ``C_k = S_k - 2tI``, typed from the paper:
    ``N(x; m, C) = exp(-(x - m)^T C^-1 (x - m) / 2) / sqrt((2 pi)^d det C)`` (the exponent
    expanded: the exact stage proves the heat equation on it in a fraction of the time)."""
    out = []
    for w, c in zip(mixture.weights, mixture.components, strict=True):
        cov = c.cov - 2 * t * sp.eye(mixture.dim)
        diff = sp.Matrix(xs) - c.mean
        quad = sp.expand((diff.T * cov.inv() * diff)[0, 0])
        density = sp.exp(-quad / 2) / sp.sqrt((2 * sp.pi) ** mixture.dim * cov.det())
        out.append((w * density, cov, diff))
    return out


def printed_42(mixture: GaussianMixture, xs: list[sp.Symbol]) -> sp.Expr:
    """(42): ``mu_t(x) = sum_k w_k N(x; m_k, S_k - 2tI)``."""
    return sp.Add(*(part for part, _, _ in printed_components(mixture, xs)))


def printed_43(mixture: GaussianMixture, xs: list[sp.Symbol]) -> sp.Matrix:
    """(43): ``-sum_k gamma_kt(x) (S_k - 2tI)^-1 (x - m_k)``, ``gamma_kt`` the responsibilities
    ``w_k N(x; m_k, S_k - 2tI) / sum_j w_j N(x; m_j, S_j - 2tI)``."""
    parts = printed_components(mixture, xs)
    total = sp.Add(*(part for part, _, _ in parts))
    velocity = sp.zeros(mixture.dim, 1)
    for part, cov, diff in parts:
        velocity -= part / total * cov.inv() * diff
    return velocity


def mixture_checks(mixture: GaussianMixture, ctx: CheckContext, scope: str) -> list:
    """(42) as printed solves the backward heat equation (27) ``d/dt mu_t = -Laplacian(mu_t)``
    for ``t < t*`` and starts at the mixture, ``mu_0 = sum_k w_k N(m_k, S_k)`` (the library's
    density, typed apart from (42)); (43) is its score ``grad log mu_t`` (26); and (43) is the
    velocity :meth:`ContinuousDAE.velocity` that moves the particles of :func:`gmm_continuous`."""
    flow = ContinuousDAE(mixture)
    xs = list(flow.variables)
    mu_t, v_t = printed_42(mixture, xs), printed_43(mixture, xs)
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": scope}
    with_time = {"constraints": before_blowup(mixture), **opts}
    return [
        verify_identity(sp.diff(mu_t, t), -laplacian(mu_t, xs), **with_time),  # (27)
        verify_identity(mu_t.subs(t, 0), mixture.pdf(xs), **opts),  # mu_{t=0} = mu_0
        verify_identity(v_t, gradient(sp.log(mu_t), xs), **with_time),  # (43) = score of (42)
        verify_identity(flow.velocity(), v_t, **with_time),  # the particles' velocity is (43)
    ]


PARTICLES = 200  # mutation: skip - sample size
FRACTIONS = (0.2, 0.5, 0.8)  # mutation: skip - times as fractions of the blow-up time
# DOP853 at rtol 1e-10 / atol 1e-12 keeps the global error of O(1) positions near 1e-10; the
# bound leaves two decades for the growth of errors as the flow contracts toward t*
ODE_TOLERANCE = 1e-8  # mutation: skip - a tolerance
DIGITS = 30  # mutation: skip - working precision of the mpmath reference


def sample(mixture: GaussianMixture, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points drawn from the mixture, and the component each came from."""
    rng = np.random.default_rng(seed)
    probabilities = np.array([float(w) for w in mixture.weights])
    probabilities /= probabilities.sum()  # mutation: skip - rounding of the float weights
    labels = rng.choice(len(probabilities), size=n, p=probabilities)
    points = np.empty((n, mixture.dim))
    for k, c in enumerate(mixture.components):
        chosen = labels == k
        cov = np.array(c.cov, dtype=float)
        mean = np.array(c.mean, dtype=float).ravel()
        points[chosen] = rng.multivariate_normal(mean, cov, size=int(chosen.sum()))
    return points, labels


def change_of_variables_residual(mixture: GaussianMixture, seed: int) -> float:
    """``max |log mu_t(phi_t(x)) + log det grad phi_t(x) - log mu_0(x)|`` over particles and
    ``FRACTIONS`` of ``t*``, ``mu_t`` the printed (42), ``phi_t`` from the ODE integrator."""
    flow = ContinuousDAE(mixture)
    xs = list(flow.variables)
    x0, _ = sample(mixture, PARTICLES, seed)
    times = [f * float(flow.blowup_time) for f in FRACTIONS]
    paths, log_det = flow.trajectories(x0, times, log_jacobian=True)
    log_mu = compile_map([sp.log(printed_42(mixture, xs))], xs, [t], backend="numpy")
    start = log_mu(x0, 0.0)[:, 0]
    return max(
        float(np.max(np.abs(log_mu(paths[i], s)[:, 0] + log_det[i] - start)))
        for i, s in enumerate(times)
    )


def cdf_position_error(mixture: GaussianMixture, seed: int) -> float:
    """1-D: ``max |phi_t(x) - F_t^-1(F_0(x))|``, the particles against the exact flow of (42)
    (a 1-D flow keeps the order of points, so it maps quantiles to quantiles), the inverse
    distribution function of (42) (erfc terms) inverted by mpmath at 30 digits."""
    flow = ContinuousDAE(mixture)
    x0, _ = sample(mixture, 20, seed)  # mutation: skip - sample size
    times = [f * float(flow.blowup_time) for f in FRACTIONS]
    paths = flow.trajectories(x0, times)
    parts = [
        (mpmath.mpf(str(sp.N(w, DIGITS))), mpmath.mpf(str(sp.N(c.mean[0], DIGITS))), c.cov[0, 0])
        for w, c in zip(mixture.weights, mixture.components, strict=True)
    ]
    worst = 0.0
    with mpmath.workdps(DIGITS):

        def cdf(y: mpmath.mpf, s: sp.Expr) -> mpmath.mpf:
            """The distribution function of (42): ``sum_k w_k Phi((y - m_k)/sd_k(t))``."""
            return mpmath.fsum(
                w
                * mpmath.erfc(
                    (mean - y) / mpmath.sqrt(2 * mpmath.mpf(str(sp.N(v - 2 * s, DIGITS))))
                )
                / 2
                for w, mean, v in parts
            )

        for i, s in enumerate(times):
            exact_time = sp.nsimplify(s)
            for j, start in enumerate(x0[:, 0]):
                target = cdf(mpmath.mpf(start), sp.Integer(0))
                guess = mpmath.mpf(paths[i, j, 0])
                exact = mpmath.findroot(lambda y, q=target, e=exact_time: cdf(y, e) - q, guess)
                worst = max(worst, abs(float(exact) - paths[i, j, 0]))
    return worst


@claim(
    id="gmm-continuous",
    title="Continuous DAE of a Gaussian mixture: the pushforward (42) and the velocity (43)",
    source="[J] §5.1.3, eqs. (42)-(43)",
    statement=r"\mu_t=\sum_kw_kN(m_k,\Sigma_k-2tI),\quad \partial_t\phi_t="
    r"-\sum_k\gamma_{kt}(\phi_t)(\Sigma_k-2tI)^{-1}(\phi_t-m_k)",
    kind="derivation",
    scope="family",
)
def gmm_continuous(ctx: CheckContext) -> list:
    # every two-component mixture on R (family), fixed 2-D ones with full covariances and (47)
    cases = [
        (symbolic_mixture(), "family"),
        (fixed_mixture(2), "instances"),  # mutation: skip - which instances to check
        (paper_mixtures()["(47)"], "instances"),  # mutation: skip - idem
    ]
    checks = [c for mixture, scope in cases for c in mixture_checks(mixture, ctx, scope)]
    residual = change_of_variables_residual(paper_mixtures()["(47)"], ctx.seed)
    position = cdf_position_error(fixed_mixture(1), ctx.seed)
    numeric = measure(
        max(residual, position),
        ODE_TOLERANCE,
        "<",
        what="particles against (42): largest change-of-variables residual and 1-D position error",
        scope="instances",
    )
    explanation = (
        f"{numeric.explanation} SciPy DOP853 on the compiled velocity (43), {PARTICLES} "
        f"particles of (47) at t/t* = {', '.join(map(str, FRACTIONS))}: "
        f"|log mu_t(phi_t) + log det grad phi_t - log mu_0| <= {residual:.2e}; 1-D mixture: "
        f"|phi_t(x) - F_t^-1(F_0(x))| <= {position:.2e} against mpmath."
    )
    return [*checks, dataclasses.replace(numeric, explanation=explanation)]


APPROX_BOUND = 0.5  # (41) must get the displacement right to within half of it
APPROX_TIMES = (0.05, 0.1, 0.25, 0.4, 0.49)  # mutation: skip - times up to t* = 1/2


def approximation_errors(
    mixture: GaussianMixture, seed: int, maps: str = "(41)"
) -> dict[float, float]:
    """``E|phi_t(x) - M_t(x)| / E|phi_t(x) - x|`` over ``x ~ mu_0`` at each of ``APPROX_TIMES``:
    the error of an approximate map ``M_t`` relative to the true displacement. ``maps="(41)"``:
    ``M_t`` is the flow (36) of the component ``x`` was drawn from; ``maps="identity"``: no
    motion at all (ratio 1, the baseline the approximation must beat)."""
    flow = ContinuousDAE(mixture)
    xs = list(flow.variables)
    x0, labels = sample(mixture, 1000, seed)  # mutation: skip - sample size
    paths = flow.trajectories(x0, APPROX_TIMES)
    parts = [
        compile_map(flow.component_map(k), xs, [t], backend="numpy")
        for k in range(len(mixture.components))
    ]
    ratios = {}
    for i, s in enumerate(APPROX_TIMES):
        approx = x0.copy()
        if maps == "(41)":
            for k, f in enumerate(parts):
                chosen = labels == k
                approx[chosen] = f(x0[chosen], s)
        error = np.mean(np.linalg.norm(approx - paths[i], axis=1))
        displacement = np.mean(np.linalg.norm(paths[i] - x0, axis=1))
        ratios[s] = float(error / displacement)
    return ratios


@claim(
    id="gmm-continuous-map-approx",
    title="The per-component flow (41) gets the mixture's continuous DAE to within half its "
    "displacement",
    source="[J] §5.1.3, eq. (41), mixtures (45)-(47)",
    statement=r"\frac{\mathbb{E}_{x\sim\mu_0}\big|\phi_t(x)-\big(\sqrt{I-2t\Sigma_k^{-1}}(x-m_k)"
    r"+m_k\big)\big|}{\mathbb{E}_{x\sim\mu_0}|\phi_t(x)-x|}<\frac12"
    r"\quad(0<t<t^*,\ x\text{ from component }k;\ \mu_0=(45),(46),(47))",
    kind="measurement",
    scope="instances",
)
def gmm_continuous_map_approx(ctx: CheckContext) -> Outcome:
    ratios = {name: approximation_errors(mix, ctx.seed) for name, mix in paper_mixtures().items()}
    worst = max(max(r.values()) for r in ratios.values())
    result = measure(
        worst, APPROX_BOUND, "<", what="largest error / displacement of (41)", scope="instances"
    )
    detail = "; ".join(
        f"{n}: " + ", ".join(f"t={s:g} {v:.2f}" for s, v in r.items()) for n, r in ratios.items()
    )
    return dataclasses.replace(
        result, explanation=f"{result.explanation} Error / displacement per mixture: {detail}."
    )


@claim(
    id="blowup-time",
    title="Blow-up at t* = min_k lambda_min(S_k)/2; (44) collapses onto the x-axis at t = 1/2",
    source="[J] §5.1, Fig. 6; notes §3.1",
    statement=r"t^*=\min_k\lambda_{\min}(\Sigma_k)/2:\ \det(\Sigma_k-2t^*I)=0,"
    r"\ \lim_{t\to t^*}\phi_t(x,y)=(x/\sqrt2,0)\text{ for }(44)",
    kind="derivation",
    scope="family",
)
def blowup_time(ctx: CheckContext) -> list:
    # every 2x2 covariance (family), then the paper's (44)-(47) (instances)
    opts = {"seed": ctx.seed, "timeout": ctx.timeout, "scope": "family"}
    cov = symbolic_spd()
    general = ContinuousDAE(Gaussian([0, 0], cov))  # mutation: skip - the mean plays no part
    checks = [
        # t* is a root of det(S - 2tI): the covariance turns singular there ...
        verify_identity((cov - 2 * general.blowup_time * sp.eye(2)).det(), 0, **opts),
        # ... and it is the smaller root: the other eigenvalue minus 2t* is the gap between them
        verify_identity(
            cov.trace() - 2 * general.blowup_time * 2,
            sp.sqrt((cov[0, 0] - cov[1, 1]) ** 2 + 4 * cov[0, 1] ** 2),
            **opts,
        ),
    ]
    opts["scope"] = "instances"
    flow = ContinuousDAE(gaussian_44())
    x, _ = flow.variables
    limit = flow.map().applyfunc(lambda c: sp.Limit(c, t, flow.blowup_time, "-"))
    checks += [
        verify_identity(flow.blowup_time, R(1, 2), **opts),
        verify_identity(limit, sp.Matrix([x / sp.sqrt(2), 0]), **opts),
    ]
    for mixture in paper_mixtures().values():  # notes §3.1: t* = 1/2 for (45)-(47)
        checks.append(verify_identity(ContinuousDAE(mixture).blowup_time, R(1, 2), **opts))
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
