"""The shallow denoising autoencoder as a transport map ([J] §3, Theorems 4-6).

A DAE trained on data ``x ~ mu_0`` with additive noise ``x~ = x + eps``, ``eps ~ nu_t``, and
squared loss (13) is, at its global minimum, the posterior mean (Thm 4, eq. (14))

    g_t(x~) = int x nu_t(x~ - x) mu_0(x) dx / int nu_t(x~ - x) mu_0(x) dx = E[x | x~],

equivalently ``g_t = id + f_t`` with the denoising term (15)
``f_t(x~) = -int eps nu_t(eps) mu_0(x~ - eps) d eps / int nu_t(eps) mu_0(x~ - eps) d eps
= -E[eps | x~]``. For Gaussian noise ``N(0, tC)`` Stein's identity ``-tC grad nu_t = eps nu_t``
gives the Tweedie form (17), ``g_t = x~ + tC grad log(nu_t * mu_0)(x~)``, and for a Gaussian
family ``nu_t * N(m, S) = N(m, S + tC)`` ([J] App. D) gives closed forms (30), (34), (38). The
initial velocity is the score, ``lim (g_t - x)/t = C grad log mu_0`` (19).

:class:`ShallowDAE` builds every one of these forms symbolically from a density and a noise
model, and :meth:`ShallowDAE.derivation` chains them into a checkable :class:`Derivation`.
The map is written in the density's own variables (``x~`` is renamed ``x``); the clean data
point integrated over is ``x_0`` (one symbol ``<name>_0`` per coordinate), the noise ``eps``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sympy as sp

from symtransport._core.calculus import gradient
from symtransport._core.gaussint import gaussian_integrals
from symtransport._theory.noise import NoiseModel, noise_model
from symtransport._verification.derivation import Derivation
from symtransport.errors import InvalidArgument
from symtransport.symbols import t as T

__all__ = ["ShallowDAE", "affine_parts", "affine_pushforward"]


def _fresh(xs: Sequence[sp.Symbol], suffix: str) -> tuple[sp.Symbol, ...]:
    taken = {s.name for s in xs}
    out = []
    for x in xs:
        name = f"{x.name}_{suffix}"
        while name in taken:
            name += "_"
        out.append(sp.Symbol(name, real=True))
    return tuple(out)


@dataclass(frozen=True)
class ShallowDAE:
    """The optimal shallow DAE for ``density`` (any object with ``dim``, ``pdf(xs)`` and
    ``family``) and ``noise``; ``variables`` are the input coordinates (default ``x, y, z``)."""

    density: Any
    noise: NoiseModel = field(default_factory=lambda: noise_model("gaussian"))
    variables: tuple[sp.Symbol, ...] = ()
    t: sp.Symbol = T

    def __post_init__(self) -> None:
        from symtransport.symbols import coordinates

        d = self.density.dim
        xs = (
            tuple(self.variables) or tuple(getattr(self.density, "variables", ())) or coordinates(d)
        )
        if len(xs) != d:
            raise InvalidArgument(
                f"variables={[str(x) for x in xs]} has {len(xs)} names for a density on R^{d}"
            )
        if any(x.name == self.t.name for x in xs):
            raise InvalidArgument("t is reserved for the noise variance; rename that variable")
        self.noise.check_dimension(d)
        object.__setattr__(self, "variables", xs)

    # --- the pieces --------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        """The dimension d of the data space."""
        return self.density.dim

    @property
    def clean(self) -> tuple[sp.Symbol, ...]:
        """The clean data point ``x_0`` integrated over."""
        return _fresh(self.variables, "0")

    @property
    def eps(self) -> tuple[sp.Symbol, ...]:
        """The noise ``eps`` integrated over."""
        return _fresh(self.variables, "eps")

    @property
    def C(self) -> sp.Matrix:
        """The noise covariance per unit time, ``Cov[eps] = t C``."""
        return self.noise.shape(self.dim)

    def evidence_integral(self) -> sp.Expr:
        """``(nu_t * mu_0)(x) = int nu_t(x - x0) mu_0(x0) dx0``, unevaluated."""
        x0 = self.clean
        return self.noise.convolve(self.density.pdf(x0), x0, self.variables, self.t)

    @cached_property
    def _smoothed(self) -> Any:
        """``nu_t * mu_0`` as a Gaussian or mixture (Gaussian noise on a Gaussian family), else
        None; built once, so that its precisions and determinants are worked out once."""
        family = getattr(self.density, "family", None)
        if self.noise.is_gaussian and family is not None:
            return family.smoothed(self.t * self.C)
        return None

    def evidence(self) -> sp.Expr:
        """``nu_t * mu_0`` in closed form where one is known, else the integral."""
        if self._smoothed is not None:
            return self._smoothed.pdf(self.variables)
        closed = gaussian_integrals(self.evidence_integral())
        return closed if not closed.has(sp.Integral) else self.evidence_integral()

    def posterior_mean_integral(self) -> sp.Matrix:
        """(14): ``E[x0 | x~ = x]`` as a ratio of integrals."""
        x0 = self.clean
        mu = self.density.pdf(x0)
        evidence = self.evidence_integral()
        return sp.Matrix(
            [self.noise.convolve(xi * mu, x0, self.variables, self.t) / evidence for xi in x0]
        )

    def posterior_noise_mean_integral(self) -> sp.Matrix:
        """``E[eps | x~ = x] = int eps nu_t(eps) mu_0(x - eps) / int nu_t(eps) mu_0(x - eps)``,
        as a ratio of expectations over the noise."""
        eps = self.eps
        shifted = self.density.pdf([x - e for x, e in zip(self.variables, eps, strict=True)])
        evidence = self.noise.expectation(shifted, eps, self.t)
        return sp.Matrix([self.noise.expectation(e * shifted, eps, self.t) / evidence for e in eps])

    def denoising_term_integral(self) -> sp.Matrix:
        """(15): ``f_t(x) = -E[eps | x~ = x]``."""
        return -self.posterior_noise_mean_integral()

    def tweedie(self, evidence: sp.Expr | None = None) -> sp.Matrix:
        """(17): ``x + tC grad log(nu_t * mu_0)`` with the gradient left unevaluated."""
        if not self.noise.is_gaussian:
            raise InvalidArgument(
                f"the Tweedie form (17) needs Gaussian noise (Stein's identity), not "
                f"noise={self.noise.name!r}; use posterior_mean_integral()"
            )
        ev = self.evidence_integral() if evidence is None else evidence
        score = sp.Matrix([sp.Derivative(sp.log(ev), x) for x in self.variables])
        return sp.Matrix(self.variables) + self.t * self.C * score

    def log_evidence(self) -> sp.Expr:
        """``log(nu_t * mu_0)``, expanded when the smoothed density is a single Gaussian."""
        return self._log_evidence(None)

    def _log_evidence(self, evidence: sp.Expr | None) -> sp.Expr:
        """:meth:`log_evidence`, given :meth:`evidence` when it is already at hand."""
        if hasattr(self._smoothed, "log_pdf"):
            return self._smoothed.log_pdf(self.variables)
        return sp.log(self.evidence() if evidence is None else evidence)

    def map(self) -> sp.Matrix:
        """The transport map ``g_t`` in the most explicit form available."""
        # the evidence is needed only to choose Tweedie's form (Gaussian noise)
        if self.noise.is_gaussian:
            evidence = self.evidence()
            if not evidence.has(sp.Integral):
                score = gradient(self._log_evidence(evidence), self.variables)
                return sp.Matrix(self.variables) + self.t * self.C * score
        closed = gaussian_integrals(self.posterior_mean_integral())
        return closed if not closed.has(sp.Integral) else self.posterior_mean_integral()

    def displacement(self) -> sp.Matrix:
        """``f_t = g_t - id``."""
        return self.map() - sp.Matrix(self.variables)

    def velocity_at_zero(self) -> sp.Matrix:
        """(19): the initial velocity ``C grad log mu_0``, the score (times C)."""
        return self.C * gradient(sp.log(self.density.pdf(self.variables)), self.variables)

    def posterior_covariance_integral(self) -> sp.Matrix:
        """``Cov[x0 | x~ = x] = E[x0 x0^T | x~] - E[x0 | x~] E[x0 | x~]^T``, as integrals."""
        x0 = self.clean
        mu = self.density.pdf(x0)
        evidence = self.evidence_integral()
        mean = self.posterior_mean_integral()
        second = sp.Matrix(
            self.dim,
            self.dim,
            lambda i, j: (
                self.noise.convolve(x0[i] * x0[j] * mu, x0, self.variables, self.t) / evidence
            ),
        )
        return second - mean * mean.T

    def jacobian(self) -> sp.Matrix:
        """``grad g_t``, the Jacobian of the map."""
        return self.map().jacobian(self.variables)

    # --- the derivation ----------------------------------------------------------------------

    def derivation(self) -> Derivation:
        """The chain from the posterior mean (14) to the explicit map."""
        d = Derivation(
            self.posterior_mean_integral(),
            title=f"shallow DAE, {self.noise.name} noise",
            reason="posterior mean E[x | x~], minimiser of the DAE loss (13), [J] Thm 4 eq. (14)",
        )
        last = d.start
        if self.noise.is_gaussian:
            last = self.tweedie()
            d.step(last, "Stein's identity -tC grad nu_t = eps nu_t", "[J] Thm 5, eq. (17)")
            ev = self.evidence()
            if not ev.has(sp.Integral):
                last = self.tweedie(ev)
                d.step(
                    last,
                    "nu_t * N(m, S) = N(m, S + tC)",
                    "[J] App. D",
                    rewrite=(self.evidence_integral(), ev),
                )
        else:
            last = sp.Matrix(self.variables) + self.denoising_term_integral()
            d.step(last, "change of variables x0 = x - eps", "[J] eq. (15)")
        explicit = self.map()
        if explicit not in (last, d.start):
            d.step(explicit, "evaluate the integrals and derivatives")
        return d


def affine_parts(image: sp.Matrix, xs: Sequence[sp.Symbol]) -> tuple[sp.Matrix, sp.Matrix]:
    """``(A, b)`` of an affine map ``image = A x + b`` in the coordinates ``xs``; raises
    :class:`InvalidArgument` if it is not affine."""
    jac = image.jacobian(list(xs))
    if jac.has(*xs):
        raise InvalidArgument("the map is not affine in the coordinates")
    return jac, image.subs(dict.fromkeys(xs, 0))


def affine_pushforward(
    mean: sp.Matrix, cov: sp.Matrix, a: sp.Matrix, b: sp.Matrix
) -> tuple[sp.Matrix, sp.Matrix]:
    """``(A m + b, A S A^T)``: the image of ``N(m, S)`` under ``x -> A x + b``."""
    return a * mean + b, a * cov * a.T
