"""The continuous DAE (symtransport._theory.flow) and the well-posedness gate
(symtransport._theory.wellposed).

References are independent of the code under test: eigenvalues from NumPy, the exact Gaussian
flow (36) evaluated with NumPy's eigendecomposition, and mpmath for the 1-D mixture's
distribution function.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from tolerances import DOP853_GAUSSIAN_FLOW

from symtransport import Gaussian, GaussianMixture, IllPosedError, InvalidArgument
from symtransport._theory.flow import ContinuousDAE, lambda_min, sqrt_spd
from symtransport._theory.instances import fixed_gaussian, fixed_mixture, gaussian_44, mixture_47
from symtransport._theory.wellposed import heat_smoothed_family
from symtransport.errors import UnsupportedError
from symtransport.symbols import m, s2, t

R = sp.Rational


@pytest.mark.parametrize(
    "density", [fixed_gaussian(2), fixed_gaussian(3), fixed_mixture(2), fixed_mixture(3)]
)
def test_blowup_time_is_half_the_smallest_eigenvalue(density):
    flow = ContinuousDAE(density)
    comps = [density] if isinstance(density, Gaussian) else density.components
    smallest = min(np.linalg.eigvalsh(np.array(c.cov, dtype=float)).min() for c in comps)
    assert float(flow.blowup_time) == pytest.approx(smallest / 2, rel=1e-14)  # float64 eigvalsh


def test_blowup_time_symbolic_and_paper_examples():
    assert ContinuousDAE(Gaussian(m, s2)).blowup_time == s2 / 2
    assert ContinuousDAE(gaussian_44()).blowup_time == R(1, 2)
    assert ContinuousDAE(mixture_47()).blowup_time == R(1, 2)


def test_lambda_min_and_sqrt_spd():
    cov = sp.Matrix([[2, R(1, 2)], [R(1, 2), 1]])
    assert float(lambda_min(cov)) == pytest.approx(np.linalg.eigvalsh(np.array(cov, float))[0])
    root = sqrt_spd(cov)
    assert sp.simplify(root * root - cov) == sp.zeros(2, 2)
    assert sp.simplify(root - root.T) == sp.zeros(2, 2)


def test_time_checks():
    flow = ContinuousDAE(gaussian_44())
    assert flow.check_time(0.25) == R(1, 4)
    with pytest.raises(IllPosedError, match="blow-up"):
        flow.check_time(0.5)
    with pytest.raises(IllPosedError, match="blow-up"):
        flow.at(1)
    with pytest.raises(InvalidArgument, match="negative"):
        flow.check_time(-0.1)
    with pytest.raises(InvalidArgument, match="text"):
        flow.check_time("0.1")
    with pytest.raises(InvalidArgument, match="not finite"):
        flow.check_time(float("nan"))
    assert flow.check_time(np.float64(0.1)) == R(1, 10)  # NumPy numbers read as printed
    assert flow.at(R(1, 4)).cov == sp.ImmutableMatrix([[R(3, 2), 0], [0, R(1, 2)]])


def test_at_gives_the_heat_evolved_mixture():
    flow = ContinuousDAE(fixed_mixture(2))
    mix = flow.at(R(1, 10))
    assert isinstance(mix, GaussianMixture)
    for c, c0 in zip(mix.components, fixed_mixture(2).components, strict=True):
        assert c.cov == c0.cov - sp.eye(2) / 5


def test_velocity_43_is_the_score():
    flow = ContinuousDAE(fixed_mixture(1))
    point = {flow.variables[0]: R(3, 10), t: R(1, 10)}
    diff = (flow.velocity() - flow.score()).subs(point)
    assert abs(float(diff[0])) < 1e-14  # exact expressions evaluated once in float


def test_mixture_has_no_closed_form_map():
    with pytest.raises(InvalidArgument, match="trajectories"):
        ContinuousDAE(fixed_mixture(2)).map()


def test_trajectories_match_the_exact_gaussian_flow():
    g = fixed_gaussian(2)
    flow = ContinuousDAE(g)
    cov = np.array(g.cov, dtype=float)
    mean = np.array(g.mean, dtype=float).ravel()
    lam, vec = np.linalg.eigh(cov)
    x0 = np.random.default_rng(1).normal(size=(50, 2)) + mean
    times = [0.1, 0.3, 0.39]
    paths, log_det = flow.trajectories(x0, times, log_jacobian=True)
    for i, s in enumerate(times):
        a = vec @ np.diag(np.sqrt(1 - 2 * s / lam)) @ vec.T  # (36) from NumPy's eigensystem
        exact = (x0 - mean) @ a.T + mean
        assert np.max(np.abs(paths[i] - exact)) < DOP853_GAUSSIAN_FLOW
        assert np.max(np.abs(log_det[i] - np.log(np.linalg.det(a)))) < DOP853_GAUSSIAN_FLOW


def test_trajectories_bad_input():
    flow = ContinuousDAE(gaussian_44())
    with pytest.raises(InvalidArgument, match="shape"):
        flow.trajectories(np.zeros((3, 3)), [0.1])
    with pytest.raises(InvalidArgument, match="increasing"):
        flow.trajectories(np.zeros((3, 2)), [0.2, 0.1])
    with pytest.raises(IllPosedError):
        flow.trajectories(np.zeros((3, 2)), [0.1, 0.6])
    with pytest.raises(InvalidArgument, match="strictly increasing"):
        flow.trajectories(np.zeros((3, 2)), [0.1, 0.1])
    with pytest.raises(InvalidArgument, match="finite"):
        flow.trajectories(np.full((3, 2), np.nan), [0.1])


def test_trajectories_at_time_zero_and_with_numpy_times():
    flow = ContinuousDAE(gaussian_44())
    x0 = np.array([[1.0, -2.0], [0.5, 0.25]])
    assert np.array_equal(flow.trajectories(x0, [0.0])[0], x0)
    paths = flow.trajectories(x0, np.linspace(0.1, 0.4, 4))
    exact = x0 * np.sqrt(1 - 2 * 0.4 / np.array([2.0, 1.0]))  # (36) for diag(2, 1)
    assert np.max(np.abs(paths[-1] - exact)) < DOP853_GAUSSIAN_FLOW


def test_variables_and_reserved_time():
    flow = ContinuousDAE("exp(-(u**2 + u*w + w**2))", ("u", "w"))
    assert [v.name for v in flow.variables] == ["u", "w"]
    with pytest.raises(InvalidArgument, match="reserved"):
        ContinuousDAE(Gaussian(0, 1), (t,))
    with pytest.raises(InvalidArgument, match="names"):
        ContinuousDAE(gaussian_44(), ("x",))


def test_non_spd_covariance_is_refused():
    with pytest.raises(InvalidArgument, match="positive definite"):
        ContinuousDAE(Gaussian([0, 0], [[1, 2], [2, 1]]))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Piecewise((1/2, abs(x) < 1), (0, True))", "kink or a jump"),  # uniform
        ("exp(-abs(x))/2", "kink or a jump"),  # Laplace
        ("Heaviside(x)*exp(-x)", "kink or a jump"),
        ("(1 + x**2/3)**(-2)", "a pole at x = "),  # Student-t, nu = 3
        ("(1 + x**2/2)**(-1.5)", "a branch point"),  # Student-t, nu = 2
        ("exp(-x)/(1 + exp(-x))**2", "a pole at x = 3.14159*I"),  # logistic
        ("1/(1 + x**2)", "a pole at x = "),  # Cauchy
        ("1/cosh(x)", "a pole at x = "),  # hyperbolic secant
        ("exp(-x**4)", "faster than every Gaussian"),
        ("exp(-(x**2 + y**2)**2)", "faster than every Gaussian"),
    ],
)
def test_ill_posed_densities(text, why):
    variables = ("x", "y") if "y" in text else ("x",)
    with pytest.raises(IllPosedError, match="ill-posed") as info:
        ContinuousDAE(text, variables)
    assert why in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "x**2*exp(-x**2)",
        "exp(-cosh(x))",  # thinner than Gaussian, but not of the exp(polynomial) form decided
        "(exp(-x**2) - exp(-2*x**2))/x**2",  # a removable singularity: entire, not refused
        "sqrt(x**4 + 2*x**2 + 1)*exp(-x**2)",  # (1 + x^2) exp(-x^2): the root is entire
    ],
)
def test_undecided_density_is_unsupported(text):
    with pytest.raises(UnsupportedError, match="supported: Gaussians and Gaussian mixtures"):
        heat_smoothed_family(text, ["x"])


def test_gaussians_in_unusual_forms_are_recognised():
    for text in (
        "2**(-x**2)",
        "cosh(x)*exp(-x**2)",
        "sqrt(exp(-x**2))",
        "exp(-x**2)*(1+x**2)/(1+x**2)",
    ):
        family, _ = heat_smoothed_family(text, ["x"])
        assert isinstance(family, Gaussian | GaussianMixture)


def test_typed_mixture_is_recognised():
    family, xs = heat_smoothed_family("0.3*exp(-x**2) + 0.7*exp(-(x-2)**2/3)", ["x"])
    assert isinstance(family, GaussianMixture)
    assert [c.cov[0, 0] for c in family.components] == [R(1, 2), R(3, 2)]
    assert [v.name for v in xs] == ["x"]
