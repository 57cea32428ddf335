"""``compile_map``: accuracy against 50-digit mpmath, finiteness far from the data, parameters,
caching, every backend against the NumPy path, and bad input."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from tolerances import FLOAT64_FEW_OPS

from symtransport import InvalidArgument
from symtransport._core.codegen import CompiledMap, _optional, compile_map
from symtransport._core.mpeval import compile_mp
from symtransport._theory.dae import ShallowDAE
from symtransport._theory.instances import fixed_mixture
from symtransport._theory.noise import noise_model
from symtransport.symbols import t

x, y, z = sp.symbols("x y z", real=True)


BACKEND_LIST = ["numpy"] + (["numba"] if _optional("numba") is not None else [])


def points(d: int, rng: np.random.Generator) -> np.ndarray:
    """Random points near the data and far from it (up to hundreds of standard deviations)."""
    near = rng.normal(size=(12, d)) * 2
    far = rng.normal(size=(12, d)) * rng.choice([30.0, 100.0, 300.0], size=(12, 1))
    return np.vstack([near, far])


def reference(exprs: list[sp.Expr], symbols: list[sp.Symbol], values: list[float]) -> np.ndarray:
    f = compile_mp(exprs, symbols)
    with mpmath.workdps(50):
        return np.array([float(v) for v in f(*[mpmath.mpf(v) for v in values])])


@pytest.mark.parametrize("backend", BACKEND_LIST)
@pytest.mark.parametrize("d", [1, 2, 3])
def test_mixture_tweedie_map_matches_mpmath_far_out(backend: str, d: int) -> None:
    dae = ShallowDAE(fixed_mixture(d))
    g = list(dae.map())
    xs = list(dae.variables)
    f = compile_map(g, xs, [t], backend=backend)
    rng = np.random.default_rng(d)
    X = points(d, rng)
    for time in (0.05, 0.7):
        got = f(X, time)
        assert np.isfinite(got).all()
        for row, value in zip(X, got, strict=True):
            ref = reference(g, [*xs, t], [*row, time])
            scale = max(np.abs(ref).max(), np.abs(row).max())  # g = x + t score: |x| is a term
            assert np.abs(value - ref).max() <= FLOAT64_FEW_OPS * scale, (row, value, ref)


def test_plain_lambdify_fails_where_compile_map_does_not() -> None:
    g = list(ShallowDAE(fixed_mixture(2)).map())
    far = np.array([[60.0, -45.0], [300.0, 20.0]])
    with np.errstate(all="ignore"):
        plain = np.array(sp.lambdify([x, y, t], g, "numpy")(far[:, 0], far[:, 1], 0.5))
    assert np.isnan(plain).any()  # the failure this module exists to avoid
    assert np.isfinite(compile_map(g, [x, y], [t])(far, 0.5)).all()


@pytest.mark.parametrize("backend", BACKEND_LIST)
def test_log_of_a_sum_of_gaussians_and_a_scaled_erfc(backend: str) -> None:
    exprs = [
        sp.log(sp.exp(-1000 * x**2) + sp.exp(-((x - 1) ** 2))),
        sp.exp(x**2) * sp.erfc(x),  # = erfcx(x) ~ 1/(x sqrt(pi)) for large x
    ]
    X = np.array([[0.3], [40.0], [-3.0], [200.0]])
    got = compile_map(exprs, [x], backend=backend)(X)
    for row, value in zip(X, got, strict=True):
        ref = reference(exprs, [x], list(row))
        assert np.allclose(value, ref, rtol=FLOAT64_FEW_OPS, atol=0), (row, value, ref)


def mixture_1d_symbolic() -> tuple[list[sp.Expr], list]:
    w = sp.symbols("w0:2", positive=True)
    m = sp.symbols("m0:2", real=True)
    s = sp.symbols("s0:2", positive=True)
    density = sum(
        w[k] * sp.exp(-((x - m[k]) ** 2) / (2 * (s[k] + t))) / sp.sqrt(2 * sp.pi * (s[k] + t))
        for k in range(2)
    )
    return [x + t * sp.diff(sp.log(density), x)], [t, list(w), list(m), list(s)]


@pytest.mark.parametrize("backend", BACKEND_LIST)
def test_one_compiled_function_serves_every_mixture_of_a_shape(backend: str) -> None:
    exprs, params = mixture_1d_symbolic()
    f = compile_map(exprs, [x], params, backend=backend)
    assert compile_map(exprs, [x], params, backend=backend) is f  # cached
    X = np.linspace(-50, 50, 11)[:, None]
    symbols = [params[0], *params[1], *params[2], *params[3]]
    for values in ([0.3, [0.2, 0.8], [-1.0, 2.0], [0.5, 1.5]], [1.1, [0.6, 0.4], [3, 0], [2, 1]]):
        got = f(X, *values)
        flat = [values[0], *values[1], *values[2], *values[3]]
        for row, value in zip(X, got, strict=True):
            ref = reference(exprs, [x, *symbols], [row[0], *flat])
            assert abs(value[0] - ref[0]) <= FLOAT64_FEW_OPS * max(abs(ref[0]), abs(row[0]))


@pytest.mark.parametrize("backend", BACKEND_LIST[1:])
def test_fused_backends_agree_with_numpy(backend: str) -> None:
    dae = ShallowDAE(fixed_mixture(2), noise_model("gaussian", sp.Matrix([[2, 1], [1, 3]])))
    g = list(dae.map())
    X = points(2, np.random.default_rng(7))
    numpy_path = compile_map(g, [x, y], [t], backend="numpy")(X, 0.4)
    fused = compile_map(g, [x, y], [t], backend=backend)
    assert fused.backend == backend
    scale = np.maximum(np.abs(numpy_path), np.abs(X)).max(axis=1, keepdims=True)
    assert (np.abs(fused(X, 0.4) - numpy_path) <= FLOAT64_FEW_OPS * scale).all()


def test_maps_with_erfcx_fall_back_from_numba() -> None:
    f = compile_map([sp.exp(x**2) * sp.erfc(x)], [x], backend="auto")
    assert isinstance(f, CompiledMap) and f.backend == "numpy"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compile_map([x + y], [x]), "undeclared symbol(s) y"),
        (lambda: compile_map([sp.besselj(0, x)], [x]), "besselj"),
        (lambda: compile_map([sp.Function("f")(x)], [x]), "unsupported function f"),
        (lambda: compile_map([sp.Integral(sp.exp(-(z**2)), (z, 0, x))], [x]), "Integral"),
        (lambda: compile_map(["x + 1"], [x]), "not a SymPy expression"),
        (lambda: compile_map([x], [x], backend="fortran"), "backend='fortran'"),
        (lambda: compile_map([x], [x], [[x, 1]]), "array of symbols"),
        (lambda: compile_map([x], [x])(np.zeros((3, 2))), "expected (N, 1)"),
        (lambda: compile_map([x], [x])(np.zeros(3)), "expected (N, 1)"),
        (lambda: compile_map([x * t], [x], [t])(np.zeros((3, 1))), "compiled with 1"),
        (lambda: compile_map([x * y], [x], [[y]])(np.zeros((3, 1)), [1, 2]), "params[0]"),
    ],
)
def test_bad_input(call, message: str) -> None:
    with pytest.raises(InvalidArgument, match=None) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize("backend", BACKEND_LIST)
def test_floating_point_semantics_not_exceptions(backend: str) -> None:
    # IEEE results, as NumPy gives them: a pole is inf, never a Python exception
    f = compile_map([1 / x, sp.log(x)], [x], backend=backend)
    got = f(np.array([[0.0], [1.0]]))
    assert np.isinf(got[0]).all() and got[1].tolist() == [1.0, 0.0]


@pytest.mark.parametrize("backend", BACKEND_LIST)
def test_no_points(backend: str) -> None:
    assert compile_map([x * t], [x], [t], backend=backend)(np.zeros((0, 1)), 2.0).shape == (0, 1)


@pytest.mark.parametrize("backend", BACKEND_LIST)
def test_powers_constants_and_parameter_only_outputs(backend: str) -> None:
    f = compile_map([(-2) ** x, sp.Integer(3), t**2, x**-2], [x], [t], backend=backend)
    got = f(np.array([[2.0], [3.0]]), 2.0)
    np.testing.assert_array_equal(got, [[4.0, 3.0, 4.0, 0.25], [-8.0, 3.0, 4.0, 1 / 9]])


def _child(queue) -> None:  # runs in a forked process
    f = compile_map([sp.exp(-(x**2)) + x], [x], backend="numba")
    queue.put(f(np.array([[0.0], [1.0]])).ravel().tolist())


@pytest.mark.skipif("numba" not in BACKEND_LIST, reason="numba not installed")
def test_numba_maps_run_in_forked_children() -> None:
    # the checker forks for budgets and claims; the parent having run a parallel loop must
    # not make the child abort (GNU OpenMP does): the child runs the NumPy version
    import multiprocessing

    f = compile_map([sp.exp(-(x**2)) + x], [x], backend="numba")
    expected = f(np.array([[0.0], [1.0]])).ravel().tolist()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue,))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    np.testing.assert_allclose(queue.get(timeout=5), expected, rtol=FLOAT64_FEW_OPS)


@pytest.mark.skipif(
    np.finfo(np.longdouble).eps >= np.finfo(float).eps, reason="no extended precision here"
)
@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_extended_precision_recovers_what_float64_cancels(backend):
    """``(x + p)^2 - x^2 - 2 p x = p^2`` cancels badly at ``x = 1e8``: float64 loses the
    answer, ``CompiledMap.extended`` (numpy.longdouble, the NumPy version of a Numba map)
    keeps it, and agrees with the float64 call where nothing cancels."""
    x, p = sp.symbols("x p")
    f = compile_map([(x + p) ** 2 - x**2 - 2 * p * x], [x], [p], backend=backend)
    far = np.array([[1e8 + 0.25]])
    assert abs(f(far, 1.0)[0, 0] - 1.0) > 0.1  # float64 cannot represent (1e8 + 1.25)^2
    assert f.extended(far, 1.0)[0, 0] == 1.0  # rounded to float64 once, at the end
    near = np.array([[0.5], [-2.0]])
    assert np.allclose(f.extended(near, 3.0), f(near, 3.0), rtol=FLOAT64_FEW_OPS, atol=0)
    with pytest.raises(InvalidArgument):
        f.extended(np.zeros((2, 2)), 1.0)
