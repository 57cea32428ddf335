"""Exact matrices from user values, and exact symmetry and positivity checks.

The constructors of the Gaussian family (:mod:`symtransport._theory.gaussians`) read their
parameters here: a mean becomes an exact d x 1 column (:func:`as_column`), a covariance an
exact d x d matrix (:func:`as_square`; a scalar is a 1 x 1 matrix, or ``s I`` where allowed),
and the point at which a density is evaluated a list of d exact coordinates
(:func:`coordinates`). Every entry given as a Python float or SymPy Float is read as the decimal
the user typed (:mod:`symtransport._core.decimals`): ``0.1`` becomes ``Rational(1, 10)``.

The decisions are exact, never floating point: :func:`is_zero` by exact rewriting,
:func:`sign_status` from SymPy's assumptions on the symbols (``None`` when undecidable). A
symmetric matrix ``S`` is positive definite iff every leading principal minor
``det S[:k, :k]``, ``k = 1..d``, is > 0 (Sylvester's criterion, :func:`positive_definite`), and
positive semidefinite iff every principal minor (on any subset of rows and the same columns) is
>= 0 (:func:`check_positive_semidefinite`). The ``check_*`` functions raise
:class:`~symtransport.errors.InvalidArgument` naming the failing entry or minor, also when the
answer cannot be decided from the symbols' assumptions.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import sympy as sp

from symtransport._core.decimals import exact_scalar
from symtransport._core.decimals import shown as _show
from symtransport.errors import InvalidArgument

__all__ = [
    "as_column",
    "as_list",
    "as_square",
    "check_positive_definite",
    "check_positive_semidefinite",
    "check_symmetric",
    "coordinates",
    "free_symbols_of",
    "is_scalar",
    "is_zero",
    "positive_definite",
    "sign_status",
]


def is_scalar(value: Any) -> bool:
    """True for one number, SymPy expression, string or 0-d array (not a sequence or matrix)."""
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    if isinstance(value, sp.MatrixBase):
        return False
    return isinstance(value, numbers.Number | sp.Basic | str | bytes | bool)


def as_list(value: Any) -> list[Any] | None:
    """``value`` as a list if it is a sequence (or array), else None (strings and dicts too)."""
    if isinstance(value, np.ndarray):
        return list(value.tolist())
    if isinstance(value, str | bytes | dict):
        return None
    if isinstance(value, Iterable):
        return list(value)
    return None


def as_column(value: Any, name: str) -> sp.ImmutableMatrix:
    """A mean vector as an exact d x 1 column."""
    if isinstance(value, sp.MatrixBase):
        if value.cols != 1:
            raise InvalidArgument(
                f"{name} has shape {value.shape}; expected a d x 1 column. Pass a flat "
                f"sequence or a column Matrix (transpose a row with {name}.T)."
            )
        entries = list(value)
    elif is_scalar(value):
        entries = [value.item() if isinstance(value, np.ndarray) else value]
    else:
        listed = as_list(value)
        if listed is None:
            raise InvalidArgument(
                f"{name}={value!r} is not a number, a sequence or a Matrix; expected a mean "
                "vector such as 0, [0, 1] or Matrix([0, 1])."
            )
        entries = listed
    if not entries:
        raise InvalidArgument(f"{name}={value!r} is empty; expected at least one coordinate.")
    column = [exact_scalar(v, f"{name}[{i}]") for i, v in enumerate(entries)]
    return sp.ImmutableMatrix(column).reshape(len(entries), 1)


def as_square(value: Any, d: int, name: str, scalar_means_identity: bool) -> sp.ImmutableMatrix:
    """A d x d matrix; a scalar is a 1 x 1 matrix (or ``value * I`` if allowed)."""
    if is_scalar(value):
        scalar = exact_scalar(value.item() if isinstance(value, np.ndarray) else value, name)
        if d == 1:
            return sp.ImmutableMatrix([[scalar]])
        if scalar_means_identity:
            return sp.ImmutableMatrix(scalar * sp.eye(d))
        raise InvalidArgument(
            f"{name}={_show(scalar)} is a scalar but the dimension is d={d}; expected a "
            f"{d} x {d} matrix. For an isotropic covariance pass {_show(scalar)} * eye({d})."
        )
    if isinstance(value, sp.MatrixBase):
        rows = [list(value.row(i)) for i in range(value.rows)]
        shape = value.shape
    else:
        listed = as_list(value)
        if listed is None:
            raise InvalidArgument(
                f"{name}={value!r} is not a number, a nested sequence or a Matrix; expected a "
                f"{d} x {d} covariance matrix."
            )
        rows = []
        for i, row in enumerate(listed):
            if is_scalar(row):
                raise InvalidArgument(
                    f"{name}[{i}]={row!r} is a scalar; expected {name} to be a nested sequence "
                    f"of {d} rows of {d} entries, e.g. [[1, 0], [0, 1]]."
                )
            row_list = as_list(row)
            if row_list is None:
                raise InvalidArgument(f"{name}[{i}]={row!r} is not a sequence of entries.")
            rows.append(row_list)
        shape = (len(rows), len(rows[0]) if rows else 0)
        if any(len(r) != shape[1] for r in rows):
            raise InvalidArgument(
                f"{name} has rows of different lengths {[len(r) for r in rows]}; expected "
                f"{d} rows of {d} entries."
            )
    if shape != (d, d):
        raise InvalidArgument(
            f"{name} has shape {shape}; expected ({d}, {d}) to match the mean's dimension d={d}."
        )
    return sp.ImmutableMatrix(
        [
            [exact_scalar(v, f"{name}[{i}, {j}]") for j, v in enumerate(r)]
            for i, r in enumerate(rows)
        ]
    )


def is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` is provably 0 (exact rewriting, never floating point).

    The structural test comes first: SymPy's ``is_zero`` on a sum of many square roots (the
    weights of a mixture of ten components with different variances) computes minimal
    polynomials of ever higher degree, while ``together`` cancels ``sum_k m_k / T - 1`` with
    ``T = sum_k m_k`` at once.
    """
    if expr == 0 or sp.expand(sp.together(expr).as_numer_denom()[0]) == 0:
        return True
    if expr.is_zero:
        return True
    if expr.is_zero is False:
        return False
    return bool(sp.cancel(sp.together(expr)) == 0 or sp.simplify(expr) == 0)


def sign_status(expr: sp.Expr, strict: bool) -> bool | None:
    """Whether ``expr > 0`` (strict) or ``expr >= 0`` holds: True, False, or None (undecided)."""
    decided = expr.is_positive if strict else expr.is_nonnegative
    if decided is None and not expr.is_number:
        simpler = sp.simplify(expr)
        decided = simpler.is_positive if strict else simpler.is_nonnegative
    return None if decided is None else bool(decided)


def check_symmetric(matrix: sp.ImmutableMatrix, name: str) -> None:
    """InvalidArgument unless ``matrix[i, j] - matrix[j, i]`` is provably 0 for all i < j."""
    n = matrix.rows
    for i in range(n):
        for j in range(i + 1, n):
            if not is_zero(matrix[i, j] - matrix[j, i]):
                raise InvalidArgument(
                    f"{name}={_show(matrix)} is not symmetric: {name}[{i}, {j}]="
                    f"{_show(matrix[i, j])} but {name}[{j}, {i}]={_show(matrix[j, i])}. "
                    "Expected a symmetric matrix; symmetrise it, e.g. (S + S.T)/2."
                )


def _leading_minors(matrix: sp.MatrixBase) -> Iterator[tuple[int, sp.Expr]]:
    """``(k, det matrix[:k, :k])`` for ``k = 1..d`` (factored when symbolic)."""
    for k in range(1, matrix.rows + 1):
        minor = matrix[:k, :k].det(method="berkowitz")
        yield k, (sp.factor(minor) if minor.free_symbols else minor)


def positive_definite(matrix: sp.MatrixBase) -> tuple[bool | None, int, sp.Expr]:
    """Sylvester's criterion: (True, 0, 1) or (False/None, order, minor) of the first failure."""
    for k, minor in _leading_minors(matrix):
        status = sign_status(minor, strict=True)
        if status is not True:
            return status, k, minor
    return True, 0, sp.Integer(1)


def check_positive_definite(matrix: sp.ImmutableMatrix, name: str) -> None:
    """InvalidArgument unless Sylvester's criterion proves ``matrix`` (a covariance named
    ``name``) positive definite."""
    status, k, minor = positive_definite(matrix)
    if status is True:
        return
    which = f"det({name}[:{k}, :{k}])" if matrix.rows > 1 else name
    if status is False:
        hint = (
            " A zero variance is a point mass, which has no density."
            if minor == 0 and matrix.rows == 1
            else ""
        )
        raise InvalidArgument(
            f"{name}={_show(matrix)} is not positive definite: the leading principal minor of "
            f"order {k}, {which}={_show(minor)}, is not > 0.{hint} Expected a symmetric "
            "positive definite covariance (in 1-D a variance > 0)."
        )
    raise InvalidArgument(
        f"{name}={_show(matrix)}: cannot decide whether the leading principal minor of order "
        f"{k}, {which}={_show(minor)}, is > 0 from the symbols' assumptions. Declare the "
        "symbols positive, e.g. Symbol('s2', positive=True), or pass numbers."
    )


def check_positive_semidefinite(matrix: sp.ImmutableMatrix, name: str) -> None:
    """InvalidArgument unless every principal minor of ``matrix`` (the extra covariance of a
    smoothing, named ``name``) is provably >= 0."""
    n = matrix.rows
    for size in range(1, n + 1):
        for idx in itertools.combinations(range(n), size):
            minor = matrix.extract(list(idx), list(idx)).det(method="berkowitz")
            status = sign_status(minor, strict=False)
            if status is True:
                continue
            which = f"the principal minor on rows/columns {list(idx)}" if n > 1 else name
            if status is False:
                raise InvalidArgument(
                    f"{name}={_show(matrix)} is not positive semidefinite: {which} is "
                    f"{_show(minor)} < 0. Smoothing adds noise: expected a covariance >= 0 "
                    "(a variance t >= 0 in 1-D or t*I)."
                )
            raise InvalidArgument(
                f"{name}={_show(matrix)}: cannot decide whether {which}, {_show(minor)}, is "
                ">= 0. Declare the symbols positive, e.g. Symbol('t', positive=True)."
            )


def coordinates(xs: Any, d: int) -> list[sp.Expr]:
    """The coordinates at which a density is evaluated (Symbols, expressions or numbers)."""
    if d == 1 and (is_scalar(xs) and not isinstance(xs, str | bytes)):
        items = [xs]
    elif isinstance(xs, sp.MatrixBase):
        items = list(xs)
    else:
        listed = as_list(xs)
        if listed is None:
            raise InvalidArgument(
                f"xs={xs!r} is not a sequence of coordinates; expected {d} SymPy symbols or "
                f"values, e.g. {list(sp.symbols(f'x1:{d + 1}'))}."
            )
        items = listed
    if len(items) != d:
        raise InvalidArgument(
            f"xs={_show(items)} has {len(items)} coordinates; expected {d} (the dimension)."
        )
    return [exact_scalar(v, f"xs[{i}]") for i, v in enumerate(items)]


def free_symbols_of(*exprs: sp.Basic) -> frozenset[sp.Symbol]:
    """The union of the free symbols of ``exprs``."""
    out: set[sp.Symbol] = set()
    for e in exprs:
        out |= e.free_symbols
    return frozenset(out)
