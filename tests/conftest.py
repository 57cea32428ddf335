"""Test configuration: Hypothesis profiles chosen by an environment variable.

``SYMTRANSPORT_HYPOTHESIS_PROFILE=dev`` (the default) runs few examples for a quick loop;
``ci`` is derandomised, so CI runs are reproducible. Neither writes a ``.hypothesis`` folder.
Neither times anything: no deadline, and no ``too_slow`` health check, so that a busy
machine gives the same results as an idle one.
"""

import os

from hypothesis import HealthCheck, settings

_UNTIMED = {"database": None, "deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("dev", max_examples=50, **_UNTIMED)
settings.register_profile("ci", max_examples=100, derandomize=True, print_blob=True, **_UNTIMED)
settings.load_profile(os.environ.get("SYMTRANSPORT_HYPOTHESIS_PROFILE", "dev"))
