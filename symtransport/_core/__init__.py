"""Layer 1, the core: symbolic and numeric primitives that know nothing of the paper.

The standard symbols and vector calculus, exact reading of decimals, counted work budgets and
named stages, mpmath evaluation, Gaussian integrals in closed form, code generation, scaled
(log-sum-exp) arithmetic, particle integration and adaptive quadrature.

May import: the shared modules (``symtransport.errors``, ``status``, ``parsing``) and itself.
"""
