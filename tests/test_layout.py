"""The package's layout is its architecture: layers, their import direction, the public API.

The direction is read from the source (every ``import`` and ``from ... import``, at module level,
inside functions and under ``TYPE_CHECKING``), so a lower layer that imports a higher one fails
here before anyone runs it; ``test_an_upward_import_is_caught`` shows the check failing on a copy
of the package with one such import added.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import symtransport
from symtransport._moved import MOVED
from symtransport.errors import SymtransportWarning

PACKAGE = Path(symtransport.__file__).parent
PROOFS = Path(__file__).parents[1] / "proofs"

#: Bottom to top; each layer may import the layers before it and the shared modules.
LAYERS = ("_core", "_verification", "_theory", "_random", "_claims", "_reports", "_cli")
#: Imported by every layer; they import only each other.
SHARED = ("errors", "status", "parsing", "symbols", "_version")


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> set[str]:
    """The symtransport modules ``path`` imports (absolute names; relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}  # `from pkg import module`
    return {m for m in found if m == "symtransport" or m.startswith("symtransport.")}


def _rank(module: str) -> tuple[str, int]:
    """``(kind, rank)``: shared modules rank 0, layers 1..7, the public API (root and public
    modules, which may import anything) above them all."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return "layer", LAYERS.index(parts[1]) + 1
    if len(parts) == 2 and parts[1] in SHARED:
        return "shared", 0
    return "api", len(LAYERS) + 1


def violations(root: Path) -> list[str]:
    """Every import in the package at ``root`` that goes against the direction."""
    known = {_module_name(p, root) for p in root.rglob("*.py")}
    found = []
    for path in sorted(root.rglob("*.py")):
        name = _module_name(path, root)
        kind, rank = _rank(name)
        if kind == "api":
            continue
        for target in sorted(_imports(path, name) & known):
            target_kind, target_rank = _rank(target)
            upward = target_rank > rank or (kind == "shared" and target_kind != "shared")
            if upward:
                found.append(f"{name} imports {target}")
    return found


def test_every_layer_imports_only_layers_below_it_and_the_shared_modules():
    assert violations(PACKAGE) == []


def test_an_upward_import_is_caught(tmp_path):
    copy = tmp_path / "symtransport"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    budget = copy / "_core" / "budget.py"
    budget.write_text(
        budget.read_text() + "\n\ndef _late():\n    from symtransport._cli import main\n"
    )
    gaussint = copy / "_core" / "gaussint.py"
    gaussint.write_text(
        "from symtransport._theory.densities import Gaussian\n" + gaussint.read_text()
    )
    errors = copy / "errors.py"
    errors.write_text("from symtransport._core import stages\n" + errors.read_text())
    assert violations(copy) == [
        "symtransport._core.budget imports symtransport._cli",
        "symtransport._core.budget imports symtransport._cli.main",
        "symtransport._core.gaussint imports symtransport._theory.densities",
        "symtransport.errors imports symtransport._core",
        "symtransport.errors imports symtransport._core.stages",
    ]


def test_each_layer_is_a_subpackage_that_says_what_it_may_import():
    for layer in LAYERS:
        doc = importlib.import_module(f"symtransport.{layer}").__doc__
        assert doc and "May import" in doc, layer
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


def _root_type_checking_names() -> set[str]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    block = next(
        n
        for n in tree.body
        if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
    )
    return {a.asname or a.name for n in block.body for a in n.names}  # type: ignore[attr-defined]


def test_the_root_lists_each_public_name_once_for_runtime_and_for_type_checkers():
    runtime = set(symtransport.__all__) - {"__version__", "run_script"}
    assert _root_type_checking_names() == runtime
    for name in symtransport.__all__:
        assert getattr(symtransport, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = symtransport.nonexistent


def test_public_modules_export_what_they_list():
    for name in symtransport.PUBLIC_MODULES:
        module = importlib.import_module(f"symtransport.{name}")
        assert len(module.__all__) == len(set(module.__all__)), name
        for public in module.__all__:
            assert not public.startswith("_") and hasattr(module, public), (name, public)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_importing_the_package_loads_no_command_line_no_reports_no_hypothesis():
    for code in ("import symtransport", "from symtransport import verify_identity, Gaussian"):
        loaded = _loaded_after(code)
        heavy = {
            m
            for m in loaded
            if m.startswith(("symtransport._cli", "symtransport._reports", "hypothesis"))
        }
        assert heavy == set(), code
    assert "sympy" not in _loaded_after("import symtransport")


def _public_imports(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symtransport"):
            pairs += [(node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            pairs += [(a.name, "") for a in node.names if a.name.startswith("symtransport")]
    return pairs


def test_the_bundled_proofs_use_only_the_public_api():
    public = {"symtransport"} | {f"symtransport.{m}" for m in symtransport.PUBLIC_MODULES}
    for path in sorted(PROOFS.glob("*.py")):
        for module, name in _public_imports(path):
            assert module in public, f"{path.name}: {module}"
            exported = importlib.import_module(module).__all__
            assert not name or name in exported, f"{path.name}: {module}.{name}"


def test_old_paths_still_work_for_one_release_with_a_warning():
    for old, new in sorted(MOVED.items()):
        saved = sys.modules.pop(old, None)
        try:
            with pytest.warns(SymtransportWarning, match=f"{old} moved to {new}"):
                module = importlib.import_module(old)
            assert module is importlib.import_module(new)
        finally:
            sys.modules.pop(old, None)
            if saved is not None:
                sys.modules[old] = saved


def test_public_paths_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in symtransport.PUBLIC_MODULES:
            importlib.import_module(f"symtransport.{name}")
