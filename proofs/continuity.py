"""Facts 1-2 of [J]: the change of variables (7)-(8), with the area formula for maps between
spaces of different dimension, and the continuity equation (9) derived from it (App. B).

* ``change-of-variables``: (7) for the affine flows (32), (36) against their closed-form
  pushforwards (33), (37), and for a nonlinear map (``sinh``) whose pushforward must still
  integrate to 1; for ``m < n``, the area factor (8) ``sqrt(det(J^T J))`` is the sum of squared
  minors (Cauchy-Binet) and, for an embedding ``A = QR`` of R^2 into R^3 (``Q`` orthonormal
  columns), the image density ``mu(x)/[A]`` is the density in orthonormal coordinates of the
  image plane, ``[A] = |det R|``.
* ``continuity-equation``: in general on R (App. B's argument), for a generic flow ``phi(x, t)``
  of a generic velocity ``v(y, t)`` (``d/dt phi = v(phi, t)``) and a generic density
  ``mu(y, t)``: ``d/dt [mu(phi, t) d_x phi] = d_x phi (d_t mu + d_y(mu v))(phi, t)``, so the
  pushforward identity ``mu_t(phi_t) d_x phi_t = mu_0`` holds exactly when (9) does (verified by
  the numeric stage: SymPy writes the two ``d_t mu(phi, t)`` differently);
  Jacobi's formula ``d/dt log det J = tr(J^-1 dJ/dt)`` for a generic
  matrix function (the step of App. B, d = 2, 3), and ``d/dt mu_t + div(mu_t v_t) = 0`` for the
  pushforward (7) and the Eulerian velocity of the flows (32), (36) and the nonlinear 2-D shear
  ``(x, y + t sin x)`` of a mixture; ``--deep`` adds the nonlinear 1-D flow
  ``phi_t(x) = sinh(asinh x + t)``.
"""

from __future__ import annotations

import sympy as sp

from symtransport import (
    CheckContext,
    ContinuousDAE,
    Gaussian,
    area_factor,
    claim,
    continuity_residual,
    eulerian_velocity,
    image_density,
    pushforward_density,
    run_script,
    verify_identity,
)
from symtransport.instances import fixed_gaussian, fixed_mixture
from symtransport.symbols import m, s2, t

R = sp.Rational
x, y = sp.symbols("x y", real=True)
u, v = sp.symbols("u v", real=True)  # coordinates of the image


def generic_matrix(d: int) -> sp.Matrix:
    """A d x d matrix of undefined smooth functions of ``t``."""
    return sp.Matrix(d, d, lambda i, j: sp.Function(f"a{i}{j}")(t))


def jacobi_formula(d: int) -> tuple[sp.Expr, sp.Expr]:
    """``(d/dt log det J, tr(J^-1 dJ/dt))`` for a generic d x d ``J(t)``."""
    jac = generic_matrix(d)
    return sp.diff(sp.log(jac.det()), t), (jac.adjugate() * sp.diff(jac, t)).trace() / jac.det()


def rotated_gaussian_2d() -> Gaussian:
    """``N(m, Q diag(2, 1/2) Q^T)`` with the rotation ``Q = [[3, -4], [4, 3]]/5``: a full
    covariance with exact eigenvalues, so (36) has no nested radicals."""
    q = sp.Matrix([[3, -4], [4, 3]]) / 5  # mutation: skip - an instance
    return Gaussian([R(1, 2), -1], q * sp.diag(2, R(1, 2)) * q.T)  # mutation: skip - idem


def flows(deep: bool) -> list[tuple[str, sp.Matrix, sp.Matrix, list, list, object]]:
    """``(name, phi_t(x), phi_t^-1(y), xs, ys, mu_0)`` for the flows the claims are checked on
    (the ``sinh`` flow, slow to decide, with ``deep`` only)."""
    out = []
    one_d = ContinuousDAE(Gaussian(m, s2))
    (x0,) = one_d.variables
    out.append(("(32)", one_d.map(), one_d.inverse_map([u]), [x0], [u], one_d.family))
    two_d = ContinuousDAE(rotated_gaussian_2d())
    back = two_d.inverse_map([u, v])
    out.append(("(36)", two_d.map(), back, list(two_d.variables), [u, v], two_d.family))
    out.append(
        (
            "shear",
            sp.Matrix([x, y + t * sp.sin(x)]),
            sp.Matrix([u, v - t * sp.sin(u)]),
            [x, y],
            [u, v],
            fixed_mixture(2),
        )
    )
    if deep:
        # sinh(asinh x + t) and its inverse (run with --deep only, so mutation testing skips it)
        phi = sp.Matrix([x * sp.cosh(t) + sp.sqrt(1 + x**2) * sp.sinh(t)])  # mutation: skip - deep
        back = sp.Matrix([u * sp.cosh(t) - sp.sqrt(1 + u**2) * sp.sinh(t)])  # mutation: skip - deep
        out.append(("sinh", phi, back, [x], [u], Gaussian(R(1, 2), 2)))  # mutation: skip - deep
    return out


def lagrangian_continuity() -> tuple[sp.Expr, sp.Expr, dict[str, str]]:
    """``(d/dt [mu(phi, t) d_x phi], d_x phi (d_t mu + d_y(mu v))(phi, t))`` along the flow
    ``d/dt phi = v(phi, t)`` of a generic velocity, with the test families of the functions."""
    phi = sp.Function("phi")(x, t)
    v, mu = sp.Function("v"), sp.Function("mu")

    def at_phi(e: sp.Expr) -> sp.Expr:
        # d/dphi f(phi, t) as the derivative in the first slot, evaluated at phi
        return e.replace(
            lambda n: isinstance(n, sp.Derivative) and n.variables == (phi,),
            lambda n: sp.Subs(sp.Derivative(n.expr.subs(phi, y), y), y, phi),
        )

    rate = sp.diff(mu(phi, t) * sp.diff(phi, x), t).doit()
    along_flow = {sp.Derivative(phi, x, t): sp.diff(v(phi, t), x), sp.Derivative(phi, t): v(phi, t)}
    for old, new in along_flow.items():
        rate = rate.subs(old, new)
    residual = sp.diff(mu(y, t), t) + sp.diff(mu(y, t) * v(y, t), y)
    flux = sp.diff(phi, x) * residual.subs(y, phi)
    return at_phi(rate.doit()), at_phi(flux), {"phi": "smooth", "v": "smooth"}


@claim(
    id="continuity-equation",
    title="The pushforward by a flow obeys the continuity equation",
    source="[J] Fact 2, eq. (9), App. B",
    statement=r"\partial_t\mu_t+\nabla\cdot(\mu_tv_t)=0\ \text{for}\ \mu_t=\phi_{t\sharp}\mu_0,"
    r"\ \partial_t\phi_t=v_t(\phi_t);"
    r"\quad \partial_t\log\det J=\operatorname{tr}(J^{-1}\partial_tJ)",
    kind="identity",
)
def continuity_equation(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    rate, flux, families = lagrangian_continuity()
    checks = [verify_identity(rate, flux, functions=families, **opts)]
    checks += [
        verify_identity(
            *jacobi_formula(d),
            functions=dict.fromkeys([f"a{i}{j}" for i in range(d) for j in range(d)], "smooth"),
            **opts,
        )
        for d in (2, 3)
    ]
    for name, phi, inverse, xs, ys, density in flows(ctx.deep):
        mu_t = pushforward_density(density.pdf, inverse, ys, flow=True)
        velocity = eulerian_velocity(phi, inverse, xs, ys, t)
        constraints = [t < s2 / 2] if name == "(32)" else []  # mutation: skip - sampling domain
        if name == "(36)":
            constraints = [ContinuousDAE(density).time_constraint()]
        checks.append(
            verify_identity(
                continuity_residual(mu_t, velocity, ys, t),
                0,
                constraints=constraints,
                scope="family" if name == "(32)" else "instances",
                **opts,
            )
        )
    return checks


def embedding() -> tuple[sp.Matrix, sp.Matrix]:
    """``(A, R)`` with ``A = QR`` embedding R^2 in R^3: ``Q`` has orthonormal columns and
    ``|det R| = 3``, so the area factor is not 1."""
    q = sp.Matrix([[1, 2], [2, 1], [2, -2]]) / 3  # mutation: skip - orthonormal columns
    r = sp.Matrix([[2, 1], [0, R(3, 2)]])  # mutation: skip - an instance
    return q * r, r


def embedding_check() -> tuple[sp.Expr, sp.Expr]:
    """``(mu(x)/[A], N(z; R m, R S R^T))`` at ``z = R x``: the image density from the area
    factor, and the density in orthonormal coordinates ``z`` of the image plane (where ``A x``
    has coordinates ``R x``)."""
    a, r = embedding()
    data = fixed_gaussian(2)
    xs = [x, y]
    intrinsic = Gaussian(r * data.mean, r * data.cov * r.T)
    return image_density(data.pdf, a, xs), intrinsic.pdf(list(r * sp.Matrix(xs)))


@claim(
    id="change-of-variables",
    title="Change of variables and the area formula for m <= n",
    source="[J] Fact 1, eqs. (7)-(8); Evans-Gariepy Th. 3.9",
    statement=r"g_\sharp\mu\circ g(x)\,[\nabla g](x)=\mu(x),\quad"
    r"[\nabla g]=\sqrt{\det(\nabla g^{\top}\nabla g)}\ (g:\mathbb{R}^m\to\mathbb{R}^n,\ m\le n)",
    kind="identity",
)
def change_of_variables(ctx: CheckContext) -> list:
    opts = {"seed": ctx.seed, "timeout": ctx.timeout}
    checks = []
    # m = n: the affine flows against the closed-form pushforwards (33), (37)
    for g, scope in ((Gaussian(m, s2), "family"), (rotated_gaussian_2d(), "instances")):
        flow = ContinuousDAE(g)
        xs = list(flow.variables)
        phi = flow.map()
        pushed = flow.density_t().xreplace(dict(zip(xs, phi, strict=True)))
        checks.append(
            verify_identity(
                pushed * area_factor(phi.jacobian(xs)),
                g.pdf(xs),
                constraints=[flow.time_constraint()],
                scope=scope,
                **opts,
            )
        )
    # m = n, nonlinear: the pushforward by sinh is a probability density
    data = Gaussian(R(1, 2), 2)  # mutation: skip - any density
    mu = pushforward_density(data.pdf, sp.Matrix([sp.asinh(u)]), [u])
    # (SymPy does not integrate it: 30-digit quadrature decides)
    total = sp.Integral(mu, (u, -sp.oo, sp.oo))
    checks.append(verify_identity(total, 1, scope="instances", **opts))
    # m < n: Cauchy-Binet for a generic 3 x 2 Jacobian, and an embedding of R^2 into R^3
    jac = sp.Matrix(3, 2, lambda i, j: sp.Symbol(f"j{i}{j}", real=True))
    minors = [jac.extract(rows, [0, 1]).det() for rows in ([0, 1], [0, 2], [1, 2])]
    checks.append(verify_identity(area_factor(jac) ** 2, sum(mm**2 for mm in minors), **opts))
    checks.append(verify_identity(*embedding_check(), scope="instances", **opts))
    return checks


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
