"""Layer 3, the theory: the paper's objects, derived symbolically.

Densities (Gaussians, mixtures, general densities; recognition and probing), noise models, the
shallow DAE ([J] Thms 4-6), compositions of DAEs, the continuous DAE and its well-posedness,
continuity equations, functionals (entropy, Fisher information), and the paper's instances.

May import: verification, the core and the shared modules.
"""
