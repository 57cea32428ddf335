"""symtransport: a symbolic-numeric theorem checker for the transport analysis of DAEs.

The public API is listed in ``__all__``; everything else is internal.
"""

from importlib.metadata import PackageNotFoundError, version

from symtransport import numerics, strategies
from symtransport.claims import CheckContext, Claim, claim
from symtransport.cli import run_script
from symtransport.codegen import CompiledMap, compile_map
from symtransport.composition import GaussianComposition, MixtureComposition
from symtransport.dae import ShallowDAE
from symtransport.densities import Density, Gaussian, GaussianMixture
from symtransport.derivation import Derivation, Step
from symtransport.errors import (
    BudgetExceeded,
    IllPosedError,
    InvalidArgument,
    SymtransportError,
    SymtransportWarning,
    UnsupportedError,
)
from symtransport.flow import ContinuousDAE
from symtransport.functionals import (
    LocalFunctional,
    fisher_information,
    renyi,
    shannon_entropy,
    tsallis,
)
from symtransport.noise import NoiseModel, noise_model
from symtransport.outcome import Outcome
from symtransport.parsing import parse_expression
from symtransport.properties import check_property, measure, search_conjecture
from symtransport.runner import Report, collect, run_claims
from symtransport.status import Status
from symtransport.verify import IdentityCheck, verify_identity

try:
    __version__ = version("symtransport")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "BudgetExceeded",
    "CheckContext",
    "Claim",
    "CompiledMap",
    "ContinuousDAE",
    "Density",
    "Derivation",
    "Gaussian",
    "GaussianComposition",
    "GaussianMixture",
    "IdentityCheck",
    "IllPosedError",
    "InvalidArgument",
    "LocalFunctional",
    "MixtureComposition",
    "NoiseModel",
    "Outcome",
    "Report",
    "ShallowDAE",
    "Status",
    "Step",
    "SymtransportError",
    "SymtransportWarning",
    "UnsupportedError",
    "__version__",
    "check_property",
    "claim",
    "collect",
    "compile_map",
    "fisher_information",
    "measure",
    "noise_model",
    "numerics",
    "parse_expression",
    "renyi",
    "run_claims",
    "run_script",
    "search_conjecture",
    "shannon_entropy",
    "strategies",
    "tsallis",
    "verify_identity",
]
