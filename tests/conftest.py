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


#: the longest items, started first (in this order) so that no worker ends the run alone on one
#: of them: with ``--dist worksteal`` the other worker takes the short tests off the end of
#: this one's queue meanwhile. The two tests of the bundled export share its module fixture
#: (every bundled claim, in a new process) and must stay together on one worker.
LONG_FIRST = (
    "tests/test_export.py::test_every_bundled_claim_meets_its_expectation",
    "tests/test_export.py::test_export_of_the_bundled_proofs_holds_every_claim_id",
    "tests/test_proofs_random.py::test_deep_run_of_every_property_and_conjecture",
    "tests/test_dae.py::test_map_is_posterior_mean[laplace]",
    "tests/test_verify.py::test_a_slow_machine_reaches_the_same_verdicts",  # sleeps, on purpose
    "tests/test_derive_bounds.py::test_a_blowup_time_root_is_printed_in_its_own_variable",
    "tests/test_proofs_flow_functionals.py::test_claim_status[l_dae-l_dae_factor-verified]",
    "tests/test_derive_bounds.py::test_a_ten_component_mixture_derives",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put :data:`LONG_FIRST` at the front; every other test keeps its place (the same order
    in every xdist worker, as xdist requires)."""
    rank = {nodeid: i for i, nodeid in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid, len(rank)))  # stable
