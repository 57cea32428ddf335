"""The shallow Gaussian DAE is the gradient of a convex function (a Brenier map).

[reconstruction], notes §3.2 ("second-order Tweedie"). Differentiating Tweedie's form (17),
``grad g_t(x) = I + t C grad^2 log(nu_t * mu_0)(x) = Cov[x0 | x~ = x] (tC)^-1``, and for
isotropic noise ``Cov[x0 | x~]/t``: symmetric positive semidefinite, so
``g_t = grad(|x|^2/2 + t log(nu_t * mu_0))`` is the gradient of a convex function and, by
Brenier's theorem, the W2-optimal map from ``mu_0`` to its pushforward. Checked:

* general scope: the Jacobian of the posterior mean (14) equals the posterior covariance
  (from its integral definition) over ``t`` for a generic density on R and R^2, and over
  ``tC`` with a symbolic SPD ``C`` on R^2 (proved: differentiation under the integral sign and
  the integral normal form). A covariance matrix is symmetric positive semidefinite, so this is
  the theorem;
* instances: with ``--deep``, the same for a fixed mixture on R;
* sampled: the eigenvalues of the compiled Jacobian of a fixed 2-D mixture are non-negative at
  random points and times (a property over random examples, float64).
"""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import sympy as sp

from symtransport import (
    CheckContext,
    ShallowDAE,
    check_property,
    claim,
    compile_map,
    noise_model,
    run_script,
    verify_identity,
)
from symtransport.instances import fixed_mixture, generic_density, symbolic_spd

# eigenvalues of a symmetric float64 matrix with entries of size ~1-10 are accurate to ~1e-13
EIGEN_TOL = 1e-10


def jacobian_of_14(dae: ShallowDAE) -> sp.Matrix:
    """``grad g_t`` of the posterior mean (14), the integrals unevaluated."""
    return dae.posterior_mean_integral().jacobian(list(dae.variables))


def psd_everywhere(dae: ShallowDAE, examples: int, seed: int) -> object:
    """Property: the Jacobian's eigenvalues are >= 0 at random points and times."""
    jac = compile_map(dae.jacobian(), dae.variables, [dae.t], backend="numpy")
    coords = st.floats(-6, 6, allow_nan=False)  # mutation: skip - the sampled region
    times = st.floats(0.01, 20)  # mutation: skip - the sampled times (the claim is for all t > 0)
    strategy = st.tuples(st.lists(coords, min_size=dae.dim, max_size=dae.dim), times)

    def holds(example: tuple[list[float], float]) -> bool:
        point, time = example
        matrix = jac(np.array([point]), time).reshape(dae.dim, dae.dim)
        symmetric = (matrix + matrix.T) / 2  # mutation: skip - a positive scale keeps signs
        return bool(np.linalg.eigvalsh(symmetric).min() >= -EIGEN_TOL)

    return check_property(
        holds, strategy, examples=examples, seed=seed, what="positive semidefiniteness"
    )


@claim(
    id="shallow-dae-brenier",
    title="The shallow DAE's Jacobian is Cov[x | x~]/t: symmetric PSD (a Brenier map)",
    source="notes §3.2 [reconstruction]; [J] Thm 5, eq. (17)",
    statement=r"\nabla g_t(\tilde x) = \mathrm{Cov}[x\mid\tilde x]\,(tC)^{-1} \succeq 0,\quad "
    r"g_t=\nabla\big(\tfrac12|x|^2+t\log(\nu_t*\mu_0)\big)\ (C=I)",
    kind="derivation",
    examples=50,
)
def shallow_dae_brenier(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    general = [
        ShallowDAE(generic_density(1)),
        ShallowDAE(generic_density(2)),
        ShallowDAE(generic_density(2), noise_model("gaussian", symbolic_spd("c"))),
    ]
    checks = [
        verify_identity(
            jacobian_of_14(dae), dae.posterior_covariance_integral() * (dae.t * dae.C).inv(), **opts
        )
        for dae in general
    ]
    if ctx.deep:  # Cov[x | x~] of a mixture from its integral definition (2-D, 3-D: minutes)
        dae = ShallowDAE(fixed_mixture(1))  # mutation: skip - which instance (any dimension)
        cov = dae.posterior_covariance_integral()
        checks.append(verify_identity(dae.jacobian(), cov / dae.t, **opts, scope="instances"))
    sampled = ShallowDAE(fixed_mixture(2))  # mutation: skip - which instance (a 2-D mixture)
    checks.append(psd_everywhere(sampled, ctx.examples, ctx.seed))
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
