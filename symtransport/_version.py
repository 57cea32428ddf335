"""The installed distribution's version, for the root's ``__version__`` and the reports."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("symtransport")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
