"""The continuous (infinitely deep) DAE ([J] §4.3, Definition 4, Theorem 7).

The continuous DAE is the flow of ``dx/dt = grad log mu_t(x)`` with ``mu_t`` the pushforward of
``mu_0`` by the flow itself (26). Its pushforward solves the backward heat equation (27),
``d/dt mu_t = -Laplacian(mu_t)``, so Gaussian covariances shrink by ``2tI``:

* ``N(m, S)``: ``mu_t = N(m, S - 2tI)`` (33), (37), and the flow is the affine map (32), (36)
  ``phi_t(x) = sqrt(I - 2t S^-1) (x - m) + m``;
* ``sum_k w_k N(m_k, S_k)``: ``mu_t = sum_k w_k N(m_k, S_k - 2tI)`` (42), exact since the
  backward heat equation is linear, with the velocity (43)
  ``v_t(x) = -sum_k gamma_kt(x) (S_k - 2tI)^-1 (x - m_k)``,
  ``gamma_kt = w_k N(x; m_k, S_k - 2tI) / sum_j w_j N(x; m_j, S_j - 2tI)``. The flow has no
  closed form; (41), ``phi_t(x) ~ sqrt(I - 2t S_k^-1)(x - m_k) + m_k`` near ``m_k``, is an
  approximation, and :meth:`ContinuousDAE.trajectories` integrates the ODE instead.

Everything exists only for ``0 <= t < t*``, the blow-up time ``t* = min_k lambda_min(S_k)/2``,
when the smallest covariance collapses. Densities with no continuous DAE at all are refused on
construction (:mod:`symtransport._theory.wellposed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symtransport._core.calculus import divergence, gaussian_density, gradient, laplacian
from symtransport._core.decimals import exact_scalar
from symtransport._theory.densities import Gaussian, GaussianMixture, symbols_of
from symtransport._theory.wellposed import heat_smoothed_family
from symtransport._verification.derivation import Derivation
from symtransport.errors import IllPosedError, InvalidArgument
from symtransport.symbols import coordinates
from symtransport.symbols import t as T

__all__ = ["ContinuousDAE", "lambda_min", "normal_pdf", "sqrt_spd"]


def normal_pdf(xs: Sequence[sp.Expr], mean: sp.Matrix, cov: sp.Matrix) -> sp.Expr:
    """``N(xs; mean, cov) = exp(-(x-m)^T cov^-1 (x-m)/2) / sqrt((2 pi)^d det cov)``, for a
    covariance that is positive definite on the domain of interest (not checked: ``S - 2tI``)."""
    d = len(xs)
    if d == 1:
        return gaussian_density(xs[0], mean[0], cov[0, 0])
    diff = sp.Matrix(xs) - mean
    precision = cov.inv().applyfunc(sp.cancel)
    quad = sp.expand((diff.T * precision * diff)[0, 0])  # expanded: the checker proves faster
    det = sp.factor(cov.det(method="berkowitz"))
    return sp.exp(-quad / 2) / sp.sqrt((2 * sp.pi) ** d * det)


def lambda_min(cov: sp.Matrix) -> sp.Expr:
    """The smallest eigenvalue of a symmetric positive-definite matrix, exactly.

    1-D: the entry; 2-D: ``(tr - sqrt((a - c)^2 + 4 b^2)) / 2``; larger: the smallest real root
    of the characteristic polynomial (a ``CRootOf`` when it has no radical form).
    """
    d = cov.rows
    if d == 1:
        return cov[0, 0]
    if d == 2:
        a, b, c = cov[0, 0], cov[0, 1], cov[1, 1]
        return sp.simplify((a + c - sp.sqrt((a - c) ** 2 + 4 * b**2)) / 2)
    poly = cov.charpoly()
    if poly.free_symbols - set(poly.gens):
        raise InvalidArgument(
            "the blow-up time of a symbolic covariance in d >= 3 is not computed; give numbers"
        )
    roots = poly.real_roots()
    smallest = roots[0]
    radical = sp.roots(poly, filter="R")
    for r in radical:  # a radical form, when SymPy finds one, reads better than CRootOf
        if sp.Abs(sp.N(r - smallest, 50)) < sp.Float(10) ** -40:
            return r
    return smallest


def sqrt_spd(matrix: sp.Matrix) -> sp.Matrix:
    """The symmetric positive square root of a symmetric positive-definite matrix.

    1-D: ``sqrt(a)``; 2-D: ``(M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M))`` (no
    eigenvectors needed); larger: ``P diag(sqrt(lambda_i)) P^T`` from an orthonormal
    eigendecomposition.
    """
    d = matrix.rows
    if d == 1:
        return sp.Matrix([[sp.sqrt(matrix[0, 0])]])
    if d == 2:
        root_det = sp.sqrt(sp.factor(matrix.det()))
        return (matrix + root_det * sp.eye(2)) / sp.sqrt(matrix.trace() + 2 * root_det)
    p, diag = matrix.diagonalize(normalize=True)
    return p * sp.diag(*[sp.sqrt(diag[i, i]) for i in range(d)]) * p.T


def _rational_spectrum(cov: sp.Matrix) -> tuple[sp.Matrix, list[sp.Expr]] | None:
    """``(P, [lambda_i])`` with ``cov = P diag(lambda) P^T``, P orthogonal, when every eigenvalue
    of the numeric ``cov`` is rational; else None."""
    if cov.free_symbols:
        return None
    poly = cov.charpoly()
    if not all(f.degree() == 1 for f, _ in poly.factor_list()[1]):
        return None
    p, diag = cov.diagonalize(normalize=True)
    return p, [diag[i, i] for i in range(cov.rows)]


@dataclass(frozen=True)
class ContinuousDAE:
    """The continuous DAE of ``density`` ([J] Definition 4, §4.3, Thm 7).

    ``density``: a :class:`Gaussian`, a :class:`GaussianMixture`, a
    :class:`~symtransport._theory.densities.Density` or text with ``variables`` recognised as one of
    them; anything else raises :class:`~symtransport.errors.IllPosedError` (no continuous DAE
    exists: kinks, jumps, slow Fourier decay) or
    :class:`~symtransport.errors.UnsupportedError`. ``variables``: the coordinates (default
    those of the typed density, else ``x, y, z``). ``t``: the time symbol.
    """

    density: Any
    variables: tuple[sp.Symbol, ...] = ()
    t: sp.Symbol = T
    family: Gaussian | GaussianMixture = field(init=False, repr=False)

    def __post_init__(self) -> None:
        family, typed = heat_smoothed_family(self.density, self.variables or None)
        xs = symbols_of(self.variables or typed or coordinates(family.dim), reserve=False)
        if len(xs) != family.dim:
            raise InvalidArgument(
                f"variables={[str(x) for x in xs]} has {len(xs)} names for a density on "
                f"R^{family.dim}"
            )
        if any(x.name == self.t.name for x in xs):
            raise InvalidArgument(f"{self.t} is reserved for the time; rename that variable")
        object.__setattr__(self, "variables", xs)
        object.__setattr__(self, "family", family)

    # --- the family at time t ----------------------------------------------------------------

    @property
    def dim(self) -> int:
        """The dimension d."""
        return self.family.dim

    @property
    def components(self) -> list[tuple[sp.Expr, Gaussian]]:
        """``[(w_k, N(m_k, S_k))]`` (one pair for a Gaussian)."""
        if isinstance(self.family, Gaussian):
            return [(sp.Integer(1), self.family)]
        return list(zip(self.family.weights, self.family.components, strict=True))

    @cached_property
    def blowup_time(self) -> sp.Expr:
        """``t* = min_k lambda_min(S_k) / 2``: the first time a covariance ``S_k - 2tI`` becomes
        singular (blow-up, [J] §5.1; notes §3.1)."""
        values = [lambda_min(c.cov) / 2 for _, c in self.components]
        if len(values) == 1:
            return values[0]
        return min(values, key=lambda v: sp.N(v, 50))

    def time_constraint(self) -> sp.Basic:
        """``t < t*`` as a relation (with a rational just below ``t*`` when ``t*`` is a root
        of a cubic or higher, so that samplers can evaluate it)."""
        bound = self.blowup_time
        if bound.has(sp.CRootOf):
            with mpmath.workdps(40):
                scaled = int(mpmath.floor(mpmath.mpf(str(sp.N(bound, 40))) * 10**30))
            bound = sp.Rational(scaled, 10**30)
        return self.t < bound

    def covariance(self, k: int = 0, t: sp.Expr | None = None) -> sp.Matrix:
        """``S_k - 2tI`` (37), (42)."""
        time = self.t if t is None else t
        return sp.Matrix(self.components[k][1].cov) - 2 * time * sp.eye(self.dim)

    def density_t(self, t: sp.Expr | None = None) -> sp.Expr:
        """``mu_t(x) = sum_k w_k N(x; m_k, S_k - 2tI)`` (33), (37), (42)."""
        xs = self.variables
        return sp.Add(
            *(
                w * normal_pdf(xs, sp.Matrix(c.mean), self.covariance(k, t))
                for k, (w, c) in enumerate(self.components)
            )
        )

    def at(self, t: float | sp.Expr) -> Gaussian | GaussianMixture:
        """``mu_t`` as a validated density object, for a number ``0 <= t < t*``."""
        time = self.check_time(t)
        parts = [
            Gaussian(c.mean, self.covariance(k, time)) for k, (_, c) in enumerate(self.components)
        ]
        if isinstance(self.family, Gaussian):
            return parts[0]
        return GaussianMixture(self.family.weights, parts)

    def check_time(self, t: Any) -> sp.Expr:
        """``t`` as an exact number after checking ``0 <= t < t*`` (floats, NumPy numbers
        included, read as the decimals they print as); raises :class:`InvalidArgument` for a
        negative, non-finite or non-real time and :class:`IllPosedError` at or past blow-up."""
        value = exact_scalar(t, "t")
        if not value.is_number:
            raise InvalidArgument(f"t={t!r} is not a number; give a time 0 <= t < t*")
        if value < 0:
            raise InvalidArgument(f"t={t!r} is negative; the continuous DAE runs for t >= 0")
        gap = sp.N(value - self.blowup_time, 50)
        if not gap.is_number or not gap.is_real:
            raise InvalidArgument(
                f"t={t!r} cannot be compared with the symbolic blow-up time t* = "
                f"{self.blowup_time}; give the density numbers"
            )
        if gap >= 0:
            raise IllPosedError(
                f"t={t!r} is at or past the blow-up time t* = {self.blowup_time} "
                f"(~{float(self.blowup_time):.6g}): there S_k - 2tI is singular and the continuous "
                "DAE has collapsed onto a lower-dimensional set; use 0 <= t < t*"
            )
        return value

    # --- velocity, map, equation -------------------------------------------------------------

    def score(self) -> sp.Matrix:
        """``grad log mu_t``: the velocity by definition (26), unsimplified."""
        return gradient(sp.log(self.density_t()), self.variables)

    def _pulls(self) -> list[tuple[sp.Expr, sp.Matrix]]:
        """``[(w_k N(x; m_k, S_k - 2tI), -(S_k - 2tI)^-1 (x - m_k))]``: each component's
        weighted density and its own score."""
        xs = sp.Matrix(self.variables)
        out = []
        for k, (w, c) in enumerate(self.components):
            cov = self.covariance(k)
            part = w * normal_pdf(self.variables, sp.Matrix(c.mean), cov)
            out.append((part, -cov.inv().applyfunc(sp.cancel) * (xs - sp.Matrix(c.mean))))
        return out

    def velocity(self) -> sp.Matrix:
        """(43): ``-sum_k gamma_kt(x) (S_k - 2tI)^-1 (x - m_k)``."""
        pulls = self._pulls()
        if len(pulls) == 1:
            return pulls[0][1]
        total = sp.Add(*(part for part, _ in pulls))
        return sp.Add(*(part / total * score for part, score in pulls), sp.zeros(self.dim, 1))

    def flux(self) -> sp.Matrix:
        """``mu_t v_t = -sum_k w_k N(x; m_k, S_k - 2tI) (S_k - 2tI)^-1 (x - m_k)``: (43) times
        (42), the responsibilities' denominator cancelled."""
        return sp.Add(*(part * score for part, score in self._pulls()), sp.zeros(self.dim, 1))

    def _root(self, k: int, power: int) -> sp.Matrix:
        """``(I - 2t S_k^-1)^(power/2)`` for ``power`` = 1 or -1: with rational eigenvalues
        ``S_k = P diag(lambda) P^T`` it is ``P diag((1 - 2t/lambda_i)^(power/2)) P^T``."""
        cov = sp.Matrix(self.components[k][1].cov)
        spectrum = _rational_spectrum(cov)
        if spectrum is not None:
            p, lams = spectrum
            return p * sp.diag(*[sp.sqrt(1 - 2 * self.t / lam) ** power for lam in lams]) * p.T
        root = sqrt_spd(sp.eye(self.dim) - 2 * self.t * cov.inv())
        return root if power == 1 else root.inv()

    def component_map(self, k: int = 0) -> sp.Matrix:
        """``sqrt(I - 2t S_k^-1)(x - m_k) + m_k``: the exact flow (32), (36) of a Gaussian, and
        for a mixture the approximation (41) near ``m_k``."""
        mean = sp.Matrix(self.components[k][1].mean)
        return self._root(k, 1) * (sp.Matrix(self.variables) - mean) + mean

    def inverse_map(self, ys: Sequence[sp.Symbol]) -> sp.Matrix:
        """``phi_t^-1(y) = sqrt(I - 2t S^-1)^-1 (y - m) + m`` for a Gaussian, in the symbols
        ``ys``."""
        if not isinstance(self.family, Gaussian):
            raise InvalidArgument(
                "inverse_map needs a Gaussian; a mixture's flow has no closed form"
            )
        mean = sp.Matrix(self.components[0][1].mean)
        return self._root(0, -1) * (sp.Matrix(ys) - mean) + mean

    def map(self) -> sp.Matrix:
        """The flow ``phi_t`` in closed form: (32), (36) for a Gaussian. A mixture's flow has no
        closed form: use :meth:`trajectories` (or :meth:`component_map` for (41))."""
        if not isinstance(self.family, Gaussian):
            raise InvalidArgument(
                "a mixture's continuous DAE has no closed-form map; use trajectories(x0, times) "
                "or component_map(k) for the approximation (41)"
            )
        return self.component_map(0)

    def equation(self) -> sp.Eq:
        """The backward heat equation (27) for the closed form, unevaluated:
        ``Eq(Derivative(mu_t, t), -Laplacian(mu_t))``."""
        mu = self.density_t()
        return sp.Eq(
            sp.Derivative(mu, self.t),
            -sp.Add(*(sp.Derivative(mu, (x, 2)) for x in self.variables)),
            evaluate=False,
        )

    def fisher_information(self) -> sp.Expr:
        """``I(mu_t) = int |grad mu_t|^2 / mu_t dx``: ``tr (S - 2tI)^-1`` for a Gaussian, an
        unevaluated integral for a mixture."""
        if isinstance(self.family, Gaussian):
            return sp.simplify(self.covariance().inv().trace())
        from symtransport._theory.functionals import fisher_information

        return fisher_information(self.density_t(), self.variables)

    def entropy_rate(self) -> sp.Expr:
        """``dH[mu_t]/dt = -I(mu_t)`` (reversed de Bruijn identity; notes §2.3)."""
        return -self.fisher_information()

    def derivation(self) -> Derivation:
        """Theorem 7 for this density: ``d/dt mu_t = -div(mu_t v_t) = -Laplacian(mu_t)``, with
        ``mu_t`` the closed form and ``v_t`` the velocity (43)."""
        mu = self.density_t()
        d = Derivation(
            sp.Derivative(mu, self.t),
            title="continuous DAE: the pushforward solves the backward heat equation",
            reason="mu_t = sum_k w_k N(m_k, S_k - 2tI), [J] (33), (37), (42)",
            constraints=[self.time_constraint()],
        )
        d.step(
            -divergence(self.flux(), self.variables),
            "continuity equation with the flux mu_t v_t, v_t = grad log mu_t in closed form (43)",
            "[J] Fact 2 eq. (9), (26), (43)",
        )
        d.step(-laplacian(mu, self.variables), "mu grad log mu = grad mu", "[J] Thm 7, eq. (27)")
        return d

    # --- particles ---------------------------------------------------------------------------

    def trajectories(
        self,
        x0: Any,
        times: Sequence[float] | np.ndarray,
        *,
        rtol: float = 1e-10,
        atol: float = 1e-12,
        log_jacobian: bool = False,
        backend: str = "numpy",
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Particles ``phi_t(x0)`` at each of ``times`` (shape ``(len(times), N, d)``), from
        SciPy's DOP853 on the compiled velocity (43) (:func:`~symtransport.compile_map`).

        ``x0``: an ``(N, d)`` array; ``times``: increasing numbers in ``[0, t*)``. With
        ``log_jacobian=True`` also ``log det grad phi_t(x0)`` (shape ``(len(times), N)``),
        integrated along with the particles as ``d/dt log det grad phi_t = div v_t(phi_t)``
        (Liouville), so the change of variables ``mu_t(phi_t) det grad phi_t = mu_0`` (7) can
        be checked on the output.
        """
        from symtransport._core.codegen import compile_map
        from symtransport._core.particles import integrate

        points = np.asarray(x0, dtype=float)
        if points.ndim != 2 or points.shape[1] != self.dim:
            raise InvalidArgument(f"x0 has shape {points.shape}; expected (N, {self.dim})")
        grid = [float(self.check_time(s)) for s in times]
        velocity = self.velocity()
        exprs = [*velocity, divergence(velocity, self.variables)] if log_jacobian else [*velocity]
        field_ = compile_map(exprs, list(self.variables), [self.t], backend=backend)
        return integrate(field_, points, grid, log_jacobian=log_jacobian, rtol=rtol, atol=atol)
