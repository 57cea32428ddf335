"""Layer 2, verification: deciding whether an identity holds, and saying what was covered.

Identity checking (``verify``) with its exact stage (``exact``, ``intnormal``,
``continuous_limits``) and numeric stage (``pointcheck``, ``sampling``, ``families``); scopes;
derivations as chains of checked steps, and how they are shown (``display``).

May import: the core and the shared modules.
"""
