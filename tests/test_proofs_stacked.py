"""Stacked DAEs (proofs/stacked_daes.py): each claim's wrong variant is refuted by the functions
the claim uses, and the right one on the same instance is not.

* conjugacy: ``D~ = A^T D A`` (Step 1) and ``a~ = A^T a`` (Step 2) instead of ``A D A^T`` and
  ``A a``; the conjugacy on a line without the normal-component condition (anisotropic noise,
  even with the projected ``D~``);
* as printed: refuted, while the corrected ``D~ = A P_M A^T`` on the same instance is proved;
* composition: a decoder that folds the data (not injective), so its "inverse" is a left
  inverse only for ``x >= 0`` and (56) fails; a trained stack whose second layer folds, so the
  stack is not injective on the data; and a second factor that steps backwards (expands).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from proof_helpers import proof
from tolerances import FLOAT64_CENTRAL_DIFFERENCE

from symtransport import Status, train_dae
from symtransport.errors import UnsupportedError

pytestmark = pytest.mark.slow

P = proof("stacked_daes")
CTX = SimpleNamespace(seed=0, timeout=120.0, deep=False)
ROW = sp.Matrix([[P.a1, P.a2]])
ALONG = sp.Matrix([[1, 0]])


def test_step1_holds_and_its_transposed_diffusion_is_refuted() -> None:
    assert P.step1(lambda a, d: a * d * a.T, CTX).status == Status.PROVED
    wrong = P.step1(lambda a, d: a.T * d * a, CTX)
    assert wrong.status == Status.REFUTED and wrong.counterexample is not None


def test_step2_with_transposed_coefficient_is_refuted() -> None:
    wrong = P.step2(lambda a: P.A.T * a, CTX)
    assert wrong.status == Status.REFUTED and wrong.counterexample is not None


def test_line_conjugacy_needs_the_normal_component_to_vanish() -> None:
    """Anisotropic noise on a line: ``grad V`` has a normal part on ``M``, and the projected
    ``D~`` (here equal to the printed ``Sigma_11``, since ``A = (1, 0)`` kills ``M^perp``) no
    longer makes (55) hold."""
    case = P.anisotropic_gaussian_line()
    wrong = P.line_conjugacy(case, ALONG, P.projected(ALONG, P.SIGMA), CTX)
    assert wrong.status == Status.REFUTED and wrong.counterexample is not None
    # isotropic noise on the same line: the projected D~ holds for every A injective on M
    iso = P.isotropic_gaussian_line()
    assert P.line_conjugacy(iso, ROW, P.projected(ROW, sp.eye(2)), CTX).status == Status.PROVED


def test_as_printed_is_refuted_where_the_corrected_diffusion_holds() -> None:
    outcome = P.stacked_dae_conjugacy_as_printed.check(CTX)
    assert all(c.status == Status.REFUTED for c in outcome)
    iso = P.isotropic_gaussian_line()
    assert P.line_conjugacy(iso, ROW, P.printed(ROW, sp.eye(2)), CTX).status == Status.REFUTED
    assert P.line_conjugacy(iso, ROW, P.projected(ROW, sp.eye(2)), CTX).status == Status.PROVED


def folding_stack() -> object:
    """The tanh/cubic stack with ``dec^0(z) = z2^2/2`` (folds ``x`` and ``-x``) and ``dec^1``
    shifting by 1, so ``F_1 = (x^3 + 1)^2/2`` separates what ``F_0 = x^6/2`` merges; the
    "inverse" of ``F_0`` is its branch ``x >= 0``."""
    good = P.tanh_cubic_stack()
    return P.Stack(
        encoders=good.encoders,
        decoders=(
            lambda v: (v[1] ** 2 / 2,),
            lambda v: (sp.atanh(v[0]) - v[1], v[1] + 1),
            good.decoders[2],
        ),
        inverses=(lambda y: sp.real_root(2 * y, 6), *good.inverses[1:]),
    )


def test_composition_symbolic_holds_and_a_folding_decoder_is_refuted() -> None:
    good = P.composition_checks(P.tanh_cubic_stack(), 1, CTX)
    assert all(c.status.holds for c in good)
    bad = P.composition_checks(folding_stack(), 1, CTX)
    assert [c.status for c in bad] == [Status.REFUTED, Status.REFUTED]


@pytest.fixture(scope="module")
def stack():
    return P.train_stack(0)


class FoldedSecond:
    """A second layer that folds the data: ``h -> enc(phi(dec h))``, ``phi(y) = (y - c)^2 + c``
    about the data's median ``c``, so the stack ``dae o phi o dae`` is not injective."""

    def __init__(self, first, centre: float) -> None:
        self.first, self.centre = first, centre

    def __call__(self, h):
        y = self.first.decode(h)
        return self.first.encode((y - self.centre) ** 2 + self.centre)

    def jacobian(self, h):
        y = self.first.decode(h)
        inner = self.first.encode_jacobian((y - self.centre) ** 2 + self.centre)[:, :, 0]
        slope = 2.0 * (y[:, 0] - self.centre)
        return np.einsum("ni,j->nij", inner * slope[:, None], self.first.decode_matrix[0])


def backwards(first, noise):
    """The exact second factor's step taken backwards: ``x -> 2 dae(x) - G(x)`` (expands)."""
    exact = P.exact_second_factor(first, noise)
    return lambda x: 2.0 * first(x) - exact(x)


def test_trained_stack_verified_and_wrong_variants_refuted(stack) -> None:
    right = P.stack_outcome([P.stack_row(stack, P.T_SECOND, 0)])
    assert right.status == Status.VERIFIED
    centre = float(np.median(P.sample(P.DENSITY, 1000, seed=1)))
    folded = P.TrainedStack(stack.first, FoldedSecond(stack.first, centre))
    assert P.stack_outcome([P.stack_row(folded, P.T_SECOND, 0)]).status == Status.REFUTED
    expanding = P.stack_outcome([P.stack_row(stack, P.T_SECOND, 0, ideal=backwards)])
    assert expanding.status == Status.REFUTED


def test_folded_second_layer_jacobian_matches_differences(stack) -> None:
    """The test's own folded layer: its Jacobian against central differences (so the refuted
    verdict above comes from the fold, not from a wrong derivative)."""
    centre = 0.5
    fold = FoldedSecond(stack.first, centre)
    h = stack.first.encode(np.array([[-1.0], [0.3], [2.0]]))
    step = 1e-4  # the step FLOAT64_CENTRAL_DIFFERENCE is stated for
    direction = np.linspace(-1.0, 1.0, h.shape[1])
    numeric = (fold(h + step * direction) - fold(h - step * direction)) / (2 * step)
    exact = np.einsum("nij,j->ni", fold.jacobian(h), direction)
    np.testing.assert_allclose(numeric, exact, rtol=0, atol=FLOAT64_CENTRAL_DIFFERENCE)


def test_encoder_and_decoder_split_the_trained_dae(stack) -> None:
    """``dae = dec o enc`` (TrainedDAE.encode/decode), and the Jacobians of both halves against
    central differences with the step FLOAT64_CENTRAL_DIFFERENCE is stated for."""
    first = stack.first
    x = np.array([[-2.0], [0.1], [1.7]])
    h = first.encode(x)
    assert h.shape == (3, first.hidden[0])
    np.testing.assert_allclose(first.decode(h), first(x), rtol=0, atol=FLOAT64_CENTRAL_DIFFERENCE)
    step = 1e-4
    numeric = (first.encode(x + step) - first.encode(x - step)) / (2 * step)
    np.testing.assert_allclose(
        first.encode_jacobian(x)[:, :, 0], numeric, rtol=0, atol=FLOAT64_CENTRAL_DIFFERENCE
    )
    direction = np.linspace(-1.0, 1.0, h.shape[1])
    moved = (first.decode(h + direction) - first.decode(h))[:, 0]
    np.testing.assert_allclose(
        moved, first.decode_matrix[0] @ direction, rtol=0, atol=FLOAT64_CENTRAL_DIFFERENCE
    )


def test_encode_needs_one_hidden_layer() -> None:
    deep = train_dae(np.linspace(-1.0, 1.0, 20), 0.5, hidden=(4, 4), max_iter=5)
    with pytest.raises(UnsupportedError):
        deep.encode(np.zeros((1, 1)))
