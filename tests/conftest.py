"""Test configuration: Hypothesis profiles chosen by an environment variable.

``SYMTRANSPORT_HYPOTHESIS_PROFILE=dev`` (the default) runs few examples for a quick loop;
``ci`` is derandomised, so CI runs are reproducible. Neither writes a ``.hypothesis`` folder.
"""

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=50, database=None, deadline=None)
settings.register_profile(
    "ci", max_examples=100, database=None, deadline=None, derandomize=True, print_blob=True
)
settings.load_profile(os.environ.get("SYMTRANSPORT_HYPOTHESIS_PROFILE", "dev"))
