"""Layer 5, claims: statements with expected outcomes, and running them.

``claim`` and ``CheckContext``, outcomes that combine checks, property checks, measurements
and conjecture searches (Hypothesis), the runner that loads proof files in isolated
processes and runs their claims under counted budgets, campaigns (every claim for every seed
of a range, with a resumable store of finished units) and the executors that run them (a local
process pool, or a Dask cluster when the optional ``dask`` extra is installed).

May import: random checks, the theory, verification, the core and the shared modules.
"""
