"""Helpers shared by the proof tests: load a bundled proof script, and ask whether a wrong
variant is refuted with a certified counterexample."""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

from symtransport import Status, verify_identity
from symtransport._claims.runner import bundled_proofs


def proof(name: str) -> ModuleType:
    """The bundled proof script ``proofs/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(f"proof_{name}", bundled_proofs() / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def refuted(lhs: Any, rhs: Any, **kwargs: Any) -> bool:
    """Whether ``lhs = rhs`` is refuted with a counterexample (30 s budget)."""
    r = verify_identity(lhs, rhs, **kwargs)
    return r.status == Status.REFUTED and r.counterexample is not None
