"""The public API: ``__all__`` is sorted, unique and importable; the version comes from metadata."""

import importlib

import symtransport


def test_all_is_sorted_unique_and_importable():
    names = symtransport.__all__
    assert names == sorted(names)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(symtransport, name), name


def test_errors_form_one_tree_with_builtin_bases():
    assert issubclass(symtransport.InvalidArgument, symtransport.SymtransportError)
    assert issubclass(symtransport.InvalidArgument, ValueError)
    assert issubclass(symtransport.IllPosedError, symtransport.SymtransportError)
    assert issubclass(symtransport.UnsupportedError, NotImplementedError)


def test_version_is_package_metadata():
    metadata = importlib.import_module("importlib.metadata")
    assert symtransport.__version__ == metadata.version("symtransport")
