"""The import paths of symtransport 0.1, kept for one release (removed in 0.3).

Before 0.2 every module sat in one flat folder (``symtransport.dae``, ``symtransport.cli``, ...).
They now live in layer subpackages; importing an old path still works, gives the module at its
new place, and issues a :class:`~symtransport.errors.SymtransportWarning` that says where it
went and what to import instead. The public API is the root ``symtransport`` and its public
modules.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from importlib.machinery import ModuleSpec
from types import ModuleType

from symtransport.errors import SymtransportWarning

#: {old path: new path}; the public modules calculus, instances, numerics, strategies and
#: symbols kept their paths.
MOVED: dict[str, str] = {
    "symtransport.budget": "symtransport._core.budget",
    "symtransport.claims": "symtransport._claims.claims",
    "symtransport.cli": "symtransport._cli.main",
    "symtransport.codegen": "symtransport._core.codegen",
    "symtransport.composition": "symtransport._theory.composition",
    "symtransport.continuity": "symtransport._theory.continuity",
    "symtransport.continuous_limits": "symtransport._verification.continuous_limits",
    "symtransport.dae": "symtransport._theory.dae",
    "symtransport.decimals": "symtransport._core.decimals",
    "symtransport.densities": "symtransport._theory.densities",
    "symtransport.derivation": "symtransport._verification.derivation",
    "symtransport.derive": "symtransport._cli.derive",
    "symtransport.display": "symtransport._verification.display",
    "symtransport.exact": "symtransport._verification.exact",
    "symtransport.export": "symtransport._reports.export",
    "symtransport.families": "symtransport._verification.families",
    "symtransport.figuredata": "symtransport._reports.figuredata",
    "symtransport.figures": "symtransport._reports.figures",
    "symtransport.flow": "symtransport._theory.flow",
    "symtransport.functionals": "symtransport._theory.functionals",
    "symtransport.gaussint": "symtransport._core.gaussint",
    "symtransport.intnormal": "symtransport._verification.intnormal",
    "symtransport.latex": "symtransport._reports.latex",
    "symtransport.mpeval": "symtransport._core.mpeval",
    "symtransport.noise": "symtransport._theory.noise",
    "symtransport.outcome": "symtransport._claims.outcome",
    "symtransport.parametric": "symtransport._random.parametric",
    "symtransport.particles": "symtransport._core.particles",
    "symtransport.pointcheck": "symtransport._verification.pointcheck",
    "symtransport.progress": "symtransport._cli.progress",
    "symtransport.properties": "symtransport._claims.properties",
    "symtransport.runner": "symtransport._claims.runner",
    "symtransport.samples": "symtransport._random.samples",
    "symtransport.sampling": "symtransport._verification.sampling",
    "symtransport.scaled": "symtransport._core.scaled",
    "symtransport.scope": "symtransport._verification.scope",
    "symtransport.stages": "symtransport._core.stages",
    "symtransport.verify": "symtransport._verification.verify",
    "symtransport.wellposed": "symtransport._theory.wellposed",
}


class _MovedLoader(importlib.abc.Loader):
    """Gives the module at its new path, after a warning that names it."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.new}, an internal module, in symtransport 0.2; "
            "import public names from symtransport or its public modules instead "
            "(the old path is removed in 0.3)",
            SymtransportWarning,
            stacklevel=2,
        )
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was executed at its new path."""


class _MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old paths of :data:`MOVED`, and nothing else."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> ModuleSpec | None:
        new = MOVED.get(fullname)
        return None if new is None else importlib.util.spec_from_loader(fullname, _MovedLoader(new))


def install_moved_paths() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
