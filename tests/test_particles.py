"""Particle integration: exact linear flows and argument checks."""

import numpy as np
import pytest
from tolerances import DOP853_LINEAR_FLOW

from symtransport import IllPosedError, InvalidArgument
from symtransport._core.particles import integrate


def shrink(X, s):
    """``v = -x``: ``x(t) = x0 e^-t`` and ``div v = -d``, so ``log det = -d t``."""
    return np.hstack([-X, np.full((len(X), 1), -X.shape[1])])


def test_linear_flow_and_its_log_jacobian():
    x0 = np.array([[1.0, 2.0], [-3.0, 0.5]])
    states, log_det = integrate(shrink, x0, [0.25, 1.0], log_jacobian=True)
    np.testing.assert_allclose(states[1], x0 * np.exp(-1.0), rtol=DOP853_LINEAR_FLOW)
    np.testing.assert_allclose(log_det[:, 0], [-0.5, -2.0], rtol=DOP853_LINEAR_FLOW)


def test_times_equal_to_the_start_return_the_start():
    x0 = np.array([[1.0]])
    assert integrate(shrink, x0, [0.0])[0, 0, 0] == 1.0


def test_a_field_that_blows_up_is_ill_posed():
    with pytest.raises(IllPosedError):
        integrate(lambda X, s: X**3, np.array([[10.0]]), [1.0])


@pytest.mark.parametrize(
    ("x0", "times"),
    [
        (np.zeros(3), [1.0]),
        (np.array([[np.nan]]), [1.0]),
        (np.array([[0.0]]), []),
        (np.array([[0.0]]), [1.0, 0.5]),
        (np.array([[0.0]]), [-1.0]),
        (np.array([[0.0]]), [float("inf")]),
    ],
)
def test_bad_arguments(x0, times):
    with pytest.raises(InvalidArgument):
        integrate(shrink, x0, times)


def test_a_field_of_the_wrong_shape_is_refused():
    with pytest.raises(InvalidArgument, match="shape"):
        integrate(lambda X, s: -X, np.array([[1.0, 2.0]]), [1.0], log_jacobian=True)
