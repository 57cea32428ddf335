"""The ridgelet claims of [J] §7 hold (or are refuted as printed), and each has a wrong variant
refuted by the functions the claim uses."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from proof_helpers import proof, refuted
from tolerances import RIDGELET_QUADRATURE

from symtransport import CheckContext, Status

pytestmark = pytest.mark.slow

P = proof("ridgelet")
CTX = CheckContext(seed=0)
INSIDE = [P.p**2 < P.r**2]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("ridgelet_gradient", Status.VERIFIED),
        ("radon_truncated_quadratic", Status.PROVED),
        ("ridgelet_truncated_identity", Status.VERIFIED),
        ("ridgelet_truncated_identity_as_printed", Status.REFUTED),
        ("ridgelet_truncated_approximation", Status.VERIFIED),
        ("ridgelet_truncated_approximation_as_printed", Status.REFUTED),
    ],
)
def test_claims(name, status):
    outcome = getattr(P, name).run(CTX)
    assert outcome.status == status, outcome.explanation


# --- wrong variants ------------------------------------------------------------------------


def test_gradient_plus_a_refuted():
    """(65) with +a instead of -a: refuted, pointwise and integrated."""
    assert refuted(*P.by_parts_pointwise(2, sign=1), functions={"V": "smooth", "rho": "smooth"})
    assert refuted(*P.ridgelet_of_gradient(1, sign=1), functions={"V": "density"}, points=8)


def test_gradient_claim_fails_with_plus_a():
    checks = P.gradient_checks(CTX, sign=1)
    assert all(c.status == Status.REFUTED for c in checks)


@pytest.mark.parametrize("m", P.RADON_DIMENSIONS)
def test_radon_with_sphere_of_r_m_refuted(m):
    """(85) with |S^{m-1}| (the sphere [J] names) in place of A_{m-1} = |S^{m-2}|."""
    assert refuted(P.radon_polar(m), P.printed_radon(m, P.sphere_area(m)), constraints=INSIDE)
    assert refuted(P.printed_area(m), P.sphere_area(m))


@pytest.mark.parametrize("m", P.RADON_DIMENSIONS)
def test_radon_wrong_power_refuted(m):
    """(85) with the power (m+1)/2 in place of (m-1)/2."""
    wrong = P.printed_radon(m, P.printed_area(m), power=sp.Rational(m + 1, 2))
    assert refuted(P.radon_polar(m), wrong, constraints=INSIDE)


def test_radon_cartesian_refutes_wrong_area():
    wrong = P.printed_radon(2, P.sphere_area(2))
    assert refuted(P.radon_cartesian(2), wrong, constraints=INSIDE)


def test_truncated_identity_wrong_sign_of_surface_term():
    """The surface term added instead of subtracted: (80) fails."""
    a, bb, rr = np.array([0.7, -1.1]), 0.3, 1.2
    wrong = P.pointwise_part(a, bb, rr, P.NODES) + P.surface_part(a, bb, rr, P.NODES)
    right = P.printed_right_side(a, bb, rr, P.NODES)
    assert np.abs(wrong - right).max() > 0.1 * np.abs(right).max()


def test_approximation_claim_fails_with_order_one():
    """The order of the error is 2, not 1: a claimed order 1 is refuted."""
    fit = P.loglog_slope(P.SMALL, [P.approximation_error(e, 2) for e in P.SMALL])
    outcome = P.measure(abs(fit.slope - 1), P.ORDER_SLACK, "<=", interval=fit.half_width)
    assert outcome.status == Status.REFUTED


# --- the quadratures against mpmath at 30 digits -------------------------------------------


def _mp_sides(a1, a2, bb, rr):
    """(80) in m = 2 by mpmath: pointwise part, surface term and printed right side."""

    def rho(e):
        return -e * mpmath.exp(-(e**2) / 2)

    def prime(e):
        return (e**2 - 1) * mpmath.exp(-(e**2) / 2)

    def ridge(x, phi):
        return x * (a1 * mpmath.cos(phi) + a2 * mpmath.sin(phi)) - bb

    turn = [0, mpmath.pi / 2, mpmath.pi, 3 * mpmath.pi / 2, 2 * mpmath.pi]
    inside = [
        mpmath.quad(lambda x, phi, f=f: x**2 * f(phi) * rho(ridge(x, phi)), [0, rr], turn)
        for f in (mpmath.cos, mpmath.sin)
    ]
    surface = [
        mpmath.quad(lambda phi, f=f: rr**3 / 2 * f(phi) * rho(ridge(rr, phi)), turn)
        for f in (mpmath.cos, mpmath.sin)
    ]
    norm = mpmath.sqrt(a1**2 + a2**2)
    integral = mpmath.quad(
        lambda q: mpmath.sqrt(rr**2 - q**2) * (2 * q**2 + rr**2) * prime(norm * q - bb), [-rr, rr]
    )
    right = [-2 / mpmath.mpf(6) * integral * c for c in (a1, a2)]
    return inside, surface, right


def test_quadrature_against_mpmath():
    with mpmath.workdps(20):
        a1, a2, bb, rr = (mpmath.mpf(v) for v in ("0.7", "-1.1", "0.3", "1.2"))
        inside, surface, right = _mp_sides(a1, a2, bb, rr)
        a = np.array([0.7, -1.1])
        for ours, ref in (
            (P.pointwise_part(a, 0.3, 1.2, P.NODES), inside),
            (P.surface_part(a, 0.3, 1.2, P.NODES), surface),
            (P.printed_right_side(a, 0.3, 1.2, P.NODES), right),
        ):
            assert np.allclose(ours, [float(v) for v in ref], rtol=RIDGELET_QUADRATURE, atol=0)
        # the distributional reading agrees with (80), the pointwise one does not
        gap = [inside[i] - surface[i] - right[i] for i in range(2)]
        assert max(abs(g) for g in gap) < mpmath.mpf(10) ** -15
        assert min(abs(inside[i] - right[i]) for i in range(2)) > 0.1
