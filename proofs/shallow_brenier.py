"""The shallow Gaussian DAE is the gradient of a convex function (a Brenier map).

[reconstruction], notes §3.2 ("second-order Tweedie"). Differentiating Tweedie's form (17),
``grad g_t(x) = I + t C grad^2 log(nu_t * mu_0)(x) = Cov[x0 | x~ = x] (tC)^-1``, and for
isotropic noise ``Cov[x0 | x~]/t``: symmetric positive semidefinite, so
``g_t = grad(|x|^2/2 + t log(nu_t * mu_0))`` is the gradient of a convex function and, by
Brenier's theorem, the W2-optimal map from ``mu_0`` to its pushforward. Checked: the Jacobian
of the derived map equals the posterior covariance (computed from its integral definition)
over ``t`` for a Gaussian in 1-D (a Gaussian in 2-D and mixtures in d = 1, 2, 3 with
``--deep``: numeric, minutes), and over ``tC`` for anisotropic noise and a Gaussian with full
covariance in d = 2; the Jacobian of
mixtures in d = 1, 2, 3 is symmetric; its eigenvalues are non-negative at random points and
times for a 2-D mixture (a property over random examples).
"""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import sympy as sp

from symtransport import (
    CheckContext,
    check_property,
    claim,
    compile_map,
    run_script,
    verify_identity,
)
from symtransport.dae import ShallowDAE
from symtransport.instances import fixed_gaussian, fixed_mixture
from symtransport.noise import noise_model

R = sp.Rational
C2 = sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]])  # mutation: skip - an example SPD C
# eigenvalues of a symmetric float64 matrix with entries of size ~1-10 are accurate to ~1e-13
EIGEN_TOL = 1e-10


def psd_everywhere(dae: ShallowDAE, examples: int, seed: int) -> object:
    """Property: the Jacobian's eigenvalues are >= 0 at random points and times."""
    jac = compile_map(dae.jacobian(), dae.variables, [dae.t], backend="numpy")
    coords = st.floats(-6, 6, allow_nan=False)  # mutation: skip - the sampled region
    strategy = st.tuples(st.lists(coords, min_size=dae.dim, max_size=dae.dim), st.floats(0.01, 20))

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
    mixtures = [ShallowDAE(fixed_mixture(d)) for d in (1, 2, 3)]
    # Cov[x | x~] from its integral definition; 2-D and 3-D mixtures take minutes (--deep)
    with_covariance = [
        ShallowDAE(fixed_gaussian(1)),
        ShallowDAE(fixed_gaussian(2), noise_model("gaussian", C2)),
        *([ShallowDAE(fixed_gaussian(2)), *mixtures] if ctx.deep else []),
    ]
    checks = []
    for dae in with_covariance:
        cov = dae.posterior_covariance_integral()
        checks.append(verify_identity(dae.jacobian(), cov * (dae.t * dae.C).inv(), **opts))
    for dae in mixtures:
        checks.append(verify_identity(dae.jacobian(), dae.jacobian().T, **opts))
    checks.append(psd_everywhere(mixtures[1], ctx.examples, ctx.seed))
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
