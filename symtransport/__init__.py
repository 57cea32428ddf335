"""symtransport: a symbolic-numeric theorem checker for the transport analysis of DAEs.

The public API is this module's ``__all__`` and the public modules ``symtransport.symbols``
(the theory's symbols), ``symtransport.calculus`` (vector calculus and Gaussian closed forms),
``symtransport.instances`` (the paper's and the tests' example densities),
``symtransport.numerics`` (float64 references for random checks), ``symtransport.strategies``
(Hypothesis strategies) and ``symtransport.errors``. Everything under a ``_name`` is internal.

The package is layered; each layer imports only the layers below it and the shared modules
(``errors``, ``status``, ``parsing``, ``symbols``), which a test enforces from the source:

1. ``_core``: symbolic and numeric primitives (budgets, mpmath evaluation, Gaussian
   integrals, code generation, quadrature, ...);
2. ``_verification``: identity checking, derivations, scopes;
3. ``_theory``: densities, noise, DAEs, flows, compositions, functionals, instances;
4. ``_random``: numerics of mixtures, parametric families, strategies, two-sample tests;
5. ``_claims``: claims, outcomes, property checks, the runner;
6. ``_reports``: the LaTeX report and the figures;
7. ``_cli``: the command line.

Importing ``symtransport`` is cheap: each public name is imported from its layer on first use
(PEP 562), so a script that never runs the command line never loads it, nor the report layer,
nor Hypothesis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from symtransport._moved import install_moved_paths
from symtransport._version import __version__

#: Where each public name lives: {module: names}. ``__getattr__`` imports on first use.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "symtransport.errors": (
        "BudgetExceeded",
        "IllPosedError",
        "InvalidArgument",
        "SymtransportError",
        "SymtransportWarning",
        "UnsupportedError",
    ),
    "symtransport.status": ("Status",),
    "symtransport.parsing": ("parse_expression",),
    "symtransport._core.codegen": ("CompiledMap", "compile_map"),
    "symtransport._verification.verify": ("IdentityCheck", "verify_identity"),
    "symtransport._verification.derivation": ("Derivation", "Step"),
    "symtransport._theory.densities": ("Density", "Gaussian", "GaussianMixture"),
    "symtransport._theory.noise": (
        "NOISE_MODELS",
        "NOISE_NAMES",
        "GaussianNoise",
        "GenericNoise",
        "LaplaceNoise",
        "MaskingNoise",
        "NoiseModel",
        "UniformNoise",
        "noise_model",
    ),
    "symtransport._theory.masking": (
        "mask_patterns",
        "masked_derivation",
        "masked_evidence",
        "masked_loss",
        "masked_map",
        "masked_posterior_mean",
        "masked_posterior_mean_integral",
        "pattern_probability",
    ),
    "symtransport._theory.dae": ("ShallowDAE", "affine_parts", "affine_pushforward"),
    "symtransport._theory.flow": ("ContinuousDAE",),
    "symtransport._theory.composition": (
        "GaussianComposition",
        "MixtureComposition",
        "exact_composition_1d",
        "gaussian_step",
        "iterate_variance",
        "step_size",
        "variance_step",
    ),
    "symtransport._theory.continuity": (
        "area_factor",
        "continuity_residual",
        "eulerian_velocity",
        "image_density",
        "pushforward_density",
    ),
    "symtransport._theory.functionals": (
        "LocalFunctional",
        "fisher_information",
        "renyi",
        "shannon_entropy",
        "tsallis",
    ),
    "symtransport._random.comparison": ("MapComparison", "RegionComparison", "compare_map"),
    "symtransport._random.corruption": ("mask_samples",),
    "symtransport._random.denoisers": (
        "EmpiricalBayes",
        "TrainedComposition",
        "TrainedDAE",
        "empirical_bayes",
        "train_composition",
        "train_dae",
    ),
    "symtransport._claims.outcome": ("Outcome", "as_outcome"),
    "symtransport._claims.claims": ("CheckContext", "Claim", "claim"),
    "symtransport._claims.properties": (
        "Excess",
        "check_property",
        "measure",
        "search_conjecture",
    ),
    "symtransport._claims.runner": ("Report", "collect", "run_claims"),
    "symtransport._reports.export": ("compile_pdf", "latex_document"),
}

#: The public modules, importable as ``symtransport.<name>`` and as attributes of the root.
PUBLIC_MODULES = ("calculus", "errors", "instances", "numerics", "strategies", "symbols")

_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted([*_WHERE, *PUBLIC_MODULES, "__version__", "run_script"])


def run_script(path: str) -> int:
    """``symtransport check path``: lets a proof script run itself (``python my_claims.py``).

    Defined here, not in the command line, so that a proof file that imports it (to call it
    under ``if __name__ == "__main__":``) does not load the command line when it is imported.
    """
    from symtransport._cli.main import main

    return main(["check", str(path)])


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    elif name in PUBLIC_MODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


install_moved_paths()

if TYPE_CHECKING:  # the same names, for type checkers and editors (a test keeps them equal)
    from symtransport import calculus, errors, instances, numerics, strategies, symbols
    from symtransport._claims.claims import CheckContext, Claim, claim
    from symtransport._claims.outcome import Outcome, as_outcome
    from symtransport._claims.properties import (
        Excess,
        check_property,
        measure,
        search_conjecture,
    )
    from symtransport._claims.runner import Report, collect, run_claims
    from symtransport._core.codegen import CompiledMap, compile_map
    from symtransport._random.comparison import MapComparison, RegionComparison, compare_map
    from symtransport._random.corruption import mask_samples
    from symtransport._random.denoisers import (
        EmpiricalBayes,
        TrainedComposition,
        TrainedDAE,
        empirical_bayes,
        train_composition,
        train_dae,
    )
    from symtransport._reports.export import compile_pdf, latex_document
    from symtransport._theory.composition import (
        GaussianComposition,
        MixtureComposition,
        exact_composition_1d,
        gaussian_step,
        iterate_variance,
        step_size,
        variance_step,
    )
    from symtransport._theory.continuity import (
        area_factor,
        continuity_residual,
        eulerian_velocity,
        image_density,
        pushforward_density,
    )
    from symtransport._theory.dae import ShallowDAE, affine_parts, affine_pushforward
    from symtransport._theory.densities import Density, Gaussian, GaussianMixture
    from symtransport._theory.flow import ContinuousDAE
    from symtransport._theory.functionals import (
        LocalFunctional,
        fisher_information,
        renyi,
        shannon_entropy,
        tsallis,
    )
    from symtransport._theory.masking import (
        mask_patterns,
        masked_derivation,
        masked_evidence,
        masked_loss,
        masked_map,
        masked_posterior_mean,
        masked_posterior_mean_integral,
        pattern_probability,
    )
    from symtransport._theory.noise import (
        NOISE_MODELS,
        NOISE_NAMES,
        GaussianNoise,
        GenericNoise,
        LaplaceNoise,
        MaskingNoise,
        NoiseModel,
        UniformNoise,
        noise_model,
    )
    from symtransport._verification.derivation import Derivation, Step
    from symtransport._verification.verify import IdentityCheck, verify_identity
    from symtransport.errors import (
        BudgetExceeded,
        IllPosedError,
        InvalidArgument,
        SymtransportError,
        SymtransportWarning,
        UnsupportedError,
    )
    from symtransport.parsing import parse_expression
    from symtransport.status import Status
