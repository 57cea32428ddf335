"""The bundled proofs: wrong variants of the claims are refuted. That every bundled claim meets
its expectation is tested once, by the export of them all (tests/test_export.py)."""

import sympy as sp
from proof_helpers import proof

from symtransport import Status, verify_identity


def test_score_flux_wrong_variants_are_refuted():
    score = proof("score_laplacian")
    for d in (1, 2, 3):
        flux, lap = score.score_flux(d)
        assert verify_identity(flux, 2 * lap).status == Status.REFUTED
        mu = score.mu(*sorted(flux.free_symbols, key=str))
        assert verify_identity(flux, lap / mu).status == Status.REFUTED


def test_tweedie_chain_with_a_wrong_step_is_refuted():
    tweedie = proof("tweedie_gaussian_1d")
    from symtransport.symbols import m, s2, t, xt

    d = tweedie.tweedie_chain()
    d.steps.pop()
    d.step((s2 * xt + 2 * t * m) / (s2 + t), "a wrong collection of terms")
    assert d.verify().status == Status.REFUTED
    assert d.checks[-1].status == Status.REFUTED
    assert [c.status for c in d.checks[:-1]] != [Status.REFUTED] * 2


def test_tweedie_with_noise_variance_in_the_wrong_place_is_refuted():
    from symtransport._core.calculus import gaussian_density
    from symtransport.symbols import m, s2, t, xt

    wrong = xt + t * sp.diff(sp.log(gaussian_density(xt, m, s2)), xt)  # forgot the convolution
    assert verify_identity(wrong, (s2 * xt + t * m) / (s2 + t)).status == Status.REFUTED
