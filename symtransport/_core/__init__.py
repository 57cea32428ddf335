"""Layer 1, the core: symbolic and numeric primitives that know nothing of the paper.

Vector calculus, exact reading of decimals, exact matrices with their symmetric and SPD checks,
counted work budgets and named stages, mpmath evaluation, Gaussian integrals in closed form,
code generation, scaled (log-sum-exp) arithmetic, particle integration and double-exponential
quadrature, and plain-text helpers.

May import: the shared modules (``symtransport.errors``, ``status``, ``parsing``, ``symbols``)
and itself.
"""
