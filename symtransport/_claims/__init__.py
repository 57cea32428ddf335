"""Layer 5, claims: statements with expected outcomes, and running them.

``claim`` and ``CheckContext``, outcomes that combine checks, property checks, measurements
and conjecture searches (Hypothesis), and the runner that loads proof files in isolated
processes and runs their claims under counted budgets.

May import: random checks, the theory, verification, the core and the shared modules.
"""
