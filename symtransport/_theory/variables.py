"""The variables of a density: names or real Symbols, read as distinct real Symbols.

Every entry point that takes ``variables`` (:class:`~symtransport._theory.densities.Density`,
:func:`~symtransport._theory.recognition.recognise_gaussian_family`,
:func:`~symtransport._theory.probes.check_values`, the continuous DAE) reads them here. The name
``t`` is reserved for the noise variance / time of [J] (``nu_t = N(0, tI)``): a density's
coordinate may not be called ``t`` where a ``t`` of the theory may appear beside it.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from symtransport._core.matrices import as_list
from symtransport.errors import InvalidArgument

__all__ = ["RESERVED", "symbols_of"]

#: Names a coordinate may not take when ``symbols_of(..., reserve=True)``.
RESERVED = ("t",)


def symbols_of(variables: Any, reserve: bool) -> tuple[sp.Symbol, ...]:
    """``variables`` (names or real Symbols) as distinct real Symbols; with ``reserve`` the name
    ``t`` (the noise variance / time of [J]) is refused. :class:`InvalidArgument` otherwise."""
    if isinstance(variables, str | sp.Symbol):
        variables = [variables]
    listed = as_list(variables)
    if listed is None:
        raise InvalidArgument(
            f"variables={variables!r} is not a sequence; expected names or real Symbols, e.g. "
            "['x', 'y']."
        )
    if not listed:
        raise InvalidArgument("variables=[] is empty; expected at least one variable.")
    out: list[sp.Symbol] = []
    for i, v in enumerate(listed):
        if isinstance(v, str):
            if not v.isidentifier():
                raise InvalidArgument(
                    f"variables[{i}]={v!r} is not a valid name; expected an identifier like 'x'."
                )
            symbol = sp.Symbol(v, real=True)
        elif isinstance(v, sp.Symbol):
            symbol = v
        else:
            raise InvalidArgument(
                f"variables[{i}]={v!r} is a {type(v).__name__}; expected a name or a Symbol."
            )
        if reserve and symbol.name in RESERVED:
            raise InvalidArgument(
                f"variables[{i}]={symbol.name!r}: t is reserved for the noise variance / time "
                "of [J] (nu_t = N(0, tI)); name the coordinate differently, e.g. 'x' or 'u'."
            )
        if symbol.is_extended_real is False:
            raise InvalidArgument(f"variables[{i}]={symbol!r} is not real; expected a real Symbol.")
        if any(s.name == symbol.name for s in out):
            raise InvalidArgument(
                f"variables[{i}]={symbol.name!r} is repeated; expected distinct variables."
            )
        out.append(symbol)
    return tuple(out)
