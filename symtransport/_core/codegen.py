"""Fast, numerically stable NumPy code from derived SymPy expressions: :func:`compile_map`.

``compile_map(exprs, variables, params)`` returns ``f(X, *params)`` with ``X`` of shape
``(N, d)`` and a result of shape ``(N, len(exprs))``. The expressions go through common
subexpression elimination and the scaled arithmetic of :mod:`symtransport._core.scaled` (every
sum of exponentials evaluated as a log-sum-exp), so a mixture's Tweedie map stays finite and
accurate far from the data, where ``sympy.lambdify`` divides 0 by 0.

Lines that depend on the parameters only (a mixture's smoothed precisions and normalisers at
time ``t``) are hoisted and computed once a call. Two backends print the same program:

* ``"numpy"``: one NumPy call a line, each temporary freed after its last use; the fallback
  that always works;
* ``"numba"``: fused loops over the points, compiled by numba and run in parallel over the
  cores; maps that need ``erfcx`` (Laplace and uniform noise) fall back to NumPy.

``backend="auto"`` takes numba when it is installed (the ``fast`` and ``test`` extras), else
NumPy. Compiled functions are cached by their expressions, variables,
parameters and backend, so thousands of property-test calls compile once.
"""

from __future__ import annotations

import functools
import importlib
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from symtransport._core.decimals import exact_expression
from symtransport._core.scaled import Program, lower
from symtransport.errors import InvalidArgument

__all__ = ["BACKENDS", "CompiledMap", "compile_map"]


@functools.cache
def _optional(name: str) -> Any:
    """An optional backend's module, imported on first use (numba takes a second to import)."""
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - exercised on installs without the fast extra
        return None


BACKENDS = ("auto", "numpy", "numba")
# the functions a numba kernel can call: NumPy's on scalars, and builtin max and min for
# NumPy's elementwise maximum and minimum
_NUMBA_FUNCTIONS = frozenset(
    {"exp", "log", "sqrt", "abs", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arctan",
     "arcsin", "arccos", "erf", "erfc", "maximum", "minimum"}
)  # fmt: skip
_NUMBA_RENAME = {"maximum": "max", "minimum": "min"}
_NAMESPACE: dict[str, Any] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "where": np.where,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "sign": np.sign,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "arcsin": np.arcsin,
    "arccos": np.arccos,
    "erf": special.erf,
    "erfc": special.erfc,
    "erfcx": special.erfcx,
}
_CACHE: dict[tuple[Any, ...], CompiledMap] = {}
_NUMBA_PROCESS = [0]  # the process that compiled numba kernels (and so started its threads)
_CACHE_SIZE = 512
_CHUNK = 65_536  # points a numba chunk: its exponent buffers stay a few MB
_CALL = re.compile(r"\b([a-z]+)\(")
_NAME = re.compile(r"\b(t\d+)\b")
_NEGATIVE_INTEGER_POWER = re.compile(r"\*\* \((-\d+)\)")


@dataclass(frozen=True)
class CompiledMap:
    """A compiled vector of expressions; call it as ``f(X, *params)``."""

    function: Callable[..., np.ndarray]
    dim: int
    outputs: int
    param_shapes: tuple[tuple[int, ...], ...]
    backend: str
    source: str
    numpy_version: Callable[[], CompiledMap] | None = None

    def __call__(self, X: Any, *params: Any) -> np.ndarray:
        if self.numpy_version is not None and _forked_from_numba():
            # a forked child of a process that started numba's threads: GNU OpenMP (numba's
            # layer where TBB is missing) aborts such a child at its first parallel loop,
            # and the fork-safe layer is twice as slow, so the child runs the NumPy version
            return self.numpy_version()(X, *params)
        x, values = self._arguments(X, params, float)
        with np.errstate(all="ignore"):
            return self.function(x, values)

    def extended(self, X: Any, *params: Any) -> np.ndarray:
        """The map evaluated in ``numpy.longdouble`` (a 64-bit mantissa on x86-64 Linux:
        about 3 more digits than float64; the same as float64 where the platform has no
        extended type), with the NumPy version of a Numba-compiled map; the results are
        rounded to float64 once, at the end. For confirming a result that float64 rounding may
        have spoiled (a formula that cancels badly), at several times the cost of a float64
        call."""
        compiled = self.numpy_version() if self.numpy_version is not None else self
        x, values = self._arguments(X, params, np.longdouble)
        with np.errstate(all="ignore"):
            return np.asarray(compiled.function(x, values))

    def _arguments(
        self, X: Any, params: tuple[Any, ...], dtype: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``X`` and the parameter values as flat arrays of ``dtype``, checked against the
        compiled shapes."""
        x = np.asarray(X, dtype=dtype)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise InvalidArgument(f"X has shape {x.shape}; expected (N, {self.dim})")
        if len(params) != len(self.param_shapes):
            raise InvalidArgument(
                f"{len(params)} parameter value(s) given; the map was compiled with "
                f"{len(self.param_shapes)}"
            )
        values = []
        for i, (value, shape) in enumerate(zip(params, self.param_shapes, strict=True)):
            v = np.asarray(value, dtype=dtype)
            if v.shape != shape:
                raise InvalidArgument(f"params[{i}] has shape {v.shape}; expected {shape}")
            values.append(v.reshape(-1))
        return x, values


def _forked_from_numba() -> bool:
    """Whether this process is a fork of one that compiled numba kernels."""
    return _NUMBA_PROCESS[0] not in (0, os.getpid())


def _as_exprs(exprs: Any) -> list[sp.Expr]:
    multiple = isinstance(exprs, (sp.MatrixBase, sp.NDimArray, list, tuple))
    items = list(exprs) if multiple else [exprs]
    out = []
    for e in items:
        if isinstance(e, str) or not isinstance(e, (sp.Basic, int, float)):
            raise InvalidArgument(f"{e!r} is not a SymPy expression")
        out.append(exact_expression(sp.sympify(e)))  # typed decimals as decimals
    if not out:
        raise InvalidArgument("no expressions to compile")
    return out


def _param_symbols(param: Any) -> tuple[list[sp.Symbol], tuple[int, ...]]:
    if isinstance(param, sp.Symbol):
        return [param], ()
    array = np.array(param.tolist() if hasattr(param, "tolist") else param, dtype=object)
    symbols = list(array.reshape(-1))
    if not symbols or not all(isinstance(s, sp.Symbol) for s in symbols):
        raise InvalidArgument(f"param {param!r} must be a symbol or an array of symbols")
    return symbols, array.shape


def _invariant(program: Program, variables: list[str]) -> set[str]:
    """Targets whose value depends on the parameters only (no column of ``X``)."""
    varying = set(variables)
    for target, expression in program.lines:
        used = set(_NAME.findall(expression)) | set(re.findall(r"\bv\d+\b", expression))
        if used & varying:
            varying.add(target)
    return {target for target, _ in program.lines} - varying


def _prologue(names: list[str], param_names: list[list[str]], *, rows: bool) -> list[str]:
    lines = [f"    {name} = P[{j}][{k}]" for j, group in enumerate(param_names) for k, name in
             enumerate(group)]  # fmt: skip
    if not rows:
        lines += [f"    {name} = X[:, {i}]" for i, name in enumerate(names)]
    return lines


def _source(program: Program, names: list[str], param_names: list[list[str]]) -> str:
    """The Python source of ``compiled(X, P)`` (``P``: the flattened parameter values)."""
    invariant = _invariant(program, names)
    hoisted = [(t, e) for t, e in program.lines if t in invariant]
    per_point = [(t, e) for t, e in program.lines if t not in invariant]
    head = ["def compiled(X, P):", *_prologue(names, param_names, rows=False)]
    head += [f"    {t} = {e}" for t, e in hoisted]
    # free each temporary after its last use: a few hundred live N-arrays would cost a fresh
    # allocation (and page faults) each, which more than doubles the time of a call
    last_use = {}
    for index, (_, expression) in enumerate(per_point):
        for name in _NAME.findall(expression):
            last_use[name] = index
    done: dict[int, list[str]] = {}
    for name, index in last_use.items():
        if name not in program.outputs and name not in invariant:
            done.setdefault(index, []).append(name)
    body = []
    for index, (target, expression) in enumerate(per_point):
        body.append(f"    {target} = {expression}")
        if done.get(index):
            body.append(f"    del {', '.join(sorted(set(done[index])))}")
    out = [f"    out = empty((X.shape[0], {len(program.outputs)}))"]
    out += [f"    out[:, {k}] = {name}" for k, name in enumerate(program.outputs)]
    return "\n".join([*head, *body, *out, "    return out"]) + "\n"


def _numba_ready(program: Program) -> bool:
    return all(name in _NUMBA_FUNCTIONS for _, e in program.lines for name in _CALL.findall(e))


def _pure_exp_argument(expression: str) -> str | None:
    """``A`` when the line is exactly ``exp(A)``, else None."""
    if not expression.startswith("exp(") or not expression.endswith(")"):
        return None
    depth = 0
    for position, ch in enumerate(expression[3:], start=3):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and position != len(expression) - 1:
            return None
    return expression[4:-1]


def _numba_source(program: Program, names: list[str], param_names: list[list[str]]) -> str:
    """``compiled(X, P)``: parallel numba loops, with the exponentials between them done by
    NumPy's vectorised ``exp`` (numba's own ``exp`` is scalar libm, several times slower).

    The per-point lines are split into stages at each line that is exactly ``exp(A)``
    (the weights of the log-sum-exps): loop ``k`` computes the lines of stage ``<= k`` and
    stores the arguments of stage ``k + 1``'s exponentials in a buffer, ``numpy.exp`` runs
    over the buffer in place, and loop ``k + 1`` reads it. Arithmetic is recomputed rather
    than stored (LLVM drops what a loop does not use). Points go through in chunks, so the
    buffers stay small.
    """
    invariant = _invariant(program, names)
    hoisted = [(t, e) for t, e in program.lines if t in invariant]
    per_point = [(t, e) for t, e in program.lines if t not in invariant]
    exps = {t: a for t, e in per_point if (a := _pure_exp_argument(e)) is not None}
    stage: dict[str, int] = {}
    for target, expression in per_point:
        inputs = [stage[n] for n in _NAME.findall(expression) if n in stage]
        stage[target] = max(inputs, default=0) + (target in exps)
    last = max(stage.values(), default=0)
    column: dict[str, int] = {}
    for target in exps:
        column[target] = sum(1 for t in column if stage[t] == stage[target])
    widths = [sum(1 for t in exps if stage[t] == k) for k in range(1, last + 1)]
    buffers = [f"B{k}" for k in range(1, last + 1)]
    scalars = [*(n for group in param_names for n in group), *(t for t, _ in hoisted)]
    args = ", ".join(["X", "out", *buffers, *scalars])

    def rename(e: str) -> str:
        # numba raises on 0.0 ** -1 (an integer power) where 0.0 ** -1.0 is inf
        e = _NEGATIVE_INTEGER_POWER.sub(r"** (\1.0)", e)
        return _CALL.sub(lambda m: _NUMBA_RENAME.get(m.group(1), m.group(1)) + "(", e)

    kernels = []
    for k in range(last + 1):
        lines = [f"def kernel{k}({args}):", "    for i in prange(X.shape[0]):"]
        lines += [f"        {name} = X[i, {j}]" for j, name in enumerate(names)]
        for target, expression in per_point:
            if target in exps and stage[target] <= k:
                lines.append(f"        {target} = B{stage[target]}[i, {column[target]}]")
            elif target in exps and stage[target] == k + 1:
                lines.append(f"        B{k + 1}[i, {column[target]}] = {rename(exps[target])}")
            elif target not in exps and stage[target] <= k:
                lines.append(f"        {target} = {rename(expression)}")
        if k == last:
            lines += [f"        out[i, {j}] = {o}" for j, o in enumerate(program.outputs)]
        else:
            lines.append("        pass")
        kernels.append("\n".join(lines))
    wrapper = ["def compiled(X, P):", *_prologue(names, param_names, rows=True)]
    wrapper += [f"    {t} = {e}" for t, e in hoisted]
    wrapper += ["    X = ascontiguousarray(X)", "    n = X.shape[0]"]
    wrapper += [f"    out = empty((n, {len(program.outputs)}))"]
    for b, w in zip(buffers, widths, strict=True):
        wrapper.append(f"    {b}_all = empty(({_CHUNK}, {w}))")
    wrapper += [f"    for start in range(0, n, {_CHUNK}):"]
    wrapper += [f"        stop = min(n, start + {_CHUNK})"]
    wrapper += [f"        {b} = {b}_all[: stop - start]" for b in buffers]
    chunk_args = ", ".join(["X[start:stop]", "out[start:stop]", *buffers, *scalars])
    for k in range(last + 1):
        wrapper.append(f"        _kernel{k}({chunk_args})")
        if k < last:
            wrapper.append(f"        exp({buffers[k]}, out={buffers[k]})")
    wrapper.append("    return out")
    return "\n\n".join(kernels) + "\n\n" + "\n".join(wrapper) + "\n"


def compile_map(
    exprs: Any,
    variables: Sequence[sp.Symbol],
    params: Sequence[Any] = (),
    *,
    backend: str = "auto",
) -> CompiledMap:
    """Compile ``exprs`` (an expression, a list, or a Matrix) to ``f(X, *params)``.

    ``variables``: the ``d`` coordinates, column ``i`` of ``X`` being ``variables[i]``.
    ``params``: symbols or arrays of symbols (a time ``t``, a mixture's weights ``w[k]``,
    means ``m[k, i]``, covariances ``S[k, i, j]``); each call passes one value a parameter,
    of the same shape. Raises :class:`InvalidArgument` for undeclared symbols, unsupported
    functions (named), or a backend that is not installed.
    """
    if backend not in BACKENDS:
        raise InvalidArgument(f"backend={backend!r}; choose one of {', '.join(BACKENDS)}")
    numba = _optional("numba")
    installed = {"numpy": np, "numba": numba}
    if backend != "auto" and installed[backend] is None:
        raise InvalidArgument(
            f"backend={backend!r} needs {backend}: pip install 'symtransport[fast]'"
        )
    chosen = backend
    if backend == "auto":
        chosen = "numba" if numba else "numpy"
    items = _as_exprs(exprs)
    xs = list(variables)
    if not xs or not all(isinstance(v, sp.Symbol) for v in xs) or len(set(xs)) != len(xs):
        raise InvalidArgument(f"variables={variables!r} must be distinct SymPy symbols")
    groups = [_param_symbols(p) for p in params]
    key = (tuple(items), tuple(xs), tuple((tuple(s), shape) for s, shape in groups), chosen)
    if key in _CACHE:
        return _CACHE[key]
    declared = set(xs) | {s for symbols, _ in groups for s in symbols}
    undeclared = set().union(*(e.free_symbols for e in items)) - declared
    if undeclared:
        raise InvalidArgument(
            f"undeclared symbol(s) {', '.join(sorted(map(str, undeclared)))}: "
            "add them to variables or params"
        )
    names = {x: f"v{i}" for i, x in enumerate(xs)}
    param_names = []
    for j, (symbols, _) in enumerate(groups):
        group = [f"p{j}_{k}" for k in range(len(symbols))]
        names.update(zip(symbols, group, strict=True))
        param_names.append(group)
    program = lower(items, names)
    if chosen == "numba" and (not _numba_ready(program) or _forked_from_numba()):
        chosen = "numpy"  # erfcx has no numba version; a forked child: see CompiledMap
    variable_names = [names[x] for x in xs]
    namespace = dict(_NAMESPACE, empty=np.empty, ascontiguousarray=np.ascontiguousarray)
    fallback = None
    if chosen == "numba":
        _NUMBA_PROCESS[0] = os.getpid()
        source = _numba_source(program, variable_names, param_names)
        # NumPy's functions, not math's: numba's math.log(0.0) raises, np.log(0.0) is -inf
        kernel_space = {**_NAMESPACE, "prange": numba.prange, "abs": abs, "max": max, "min": min}
        kernel_space.update(erf=math.erf, erfc=math.erfc)
        exec(compile(source, "<symtransport.compile_map>", "exec"), kernel_space)
        jit = numba.njit(parallel=True, error_model="numpy")  # 1/0 is inf, not an exception
        for name in [n for n in kernel_space if n.startswith("kernel")]:
            namespace["_" + name] = jit(kernel_space[name])
        fallback = functools.partial(compile_map, items, xs, params, backend="numpy")
    else:
        source = _source(program, variable_names, param_names)
    exec(compile(source, "<symtransport.compile_map>", "exec"), namespace)
    compiled = CompiledMap(
        namespace["compiled"],
        len(xs),
        len(items),
        tuple(s for _, s in groups),
        chosen,
        source,
        fallback,
    )
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = compiled
    return compiled
