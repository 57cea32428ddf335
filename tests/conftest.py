"""Test configuration: Hypothesis profiles chosen by an environment variable.

``SYMTRANSPORT_HYPOTHESIS_PROFILE=dev`` (the default) runs few examples for a quick loop;
``ci`` is derandomised, so CI runs are reproducible. Neither writes a ``.hypothesis`` folder:
no example database, and Hypothesis's storage folder (where it caches the constants it finds
in the source even without a database) is a temporary folder, removed after the session.
Neither times anything: no deadline, and no ``too_slow`` health check, so that a busy
machine gives the same results as an idle one.
"""

import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

_UNTIMED = {"database": None, "deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("dev", max_examples=50, **_UNTIMED)
settings.register_profile("ci", max_examples=100, derandomize=True, print_blob=True, **_UNTIMED)
settings.load_profile(os.environ.get("SYMTRANSPORT_HYPOTHESIS_PROFILE", "dev"))

# set at import, not in a fixture: Hypothesis's pytest plugin reads the source's constants
# (and caches them in its storage folder) while the tests are collected
_STORAGE = tempfile.mkdtemp(prefix="symtransport-tests-hypothesis-")
set_hypothesis_home_dir(_STORAGE)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove Hypothesis's temporary storage folder after the session."""
    shutil.rmtree(_STORAGE, ignore_errors=True)
