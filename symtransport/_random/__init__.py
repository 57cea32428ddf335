"""Layer 4, random checks: float64 numerics that the property-based checks run on.

Numerics of mixtures (exact samples, scores, entropy and Fisher information with error
estimates), parametric mixture families compiled once, Hypothesis strategies, and two-sample
distribution tests.

May import: the theory, verification, the core and the shared modules.
"""
