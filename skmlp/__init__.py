"""scikit-learn compatible multi-layer perceptrons.

The estimators are imported on first use (PEP 562's module ``__getattr__``):
``import skmlp.nn``, the numpy core, runs this file too, and must not load
scikit-learn.
"""

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0.dev0"

#: Public name -> the module that defines it.
_LAZY = {
    "MLPClassifier": "._classifier",
    "MLPRegressor": "._regressor",
    "TabularMLPClassifier": "._tabular",
    "TabularMLPRegressor": "._tabular",
    "TrainingCurveDisplay": "._display",
    "auto_blas_threads": "._threads",
    "trusted_types": "._persistence",
}

__all__ = [
    "MLPClassifier",
    "MLPRegressor",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "TrainingCurveDisplay",
    "__version__",
    "auto_blas_threads",
    "trusted_types",
]

if TYPE_CHECKING:  # static analysers see plain imports
    from ._classifier import MLPClassifier
    from ._display import TrainingCurveDisplay
    from ._persistence import trusted_types
    from ._regressor import MLPRegressor
    from ._tabular import TabularMLPClassifier, TabularMLPRegressor
    from ._threads import auto_blas_threads


#: Submodules that ``skmlp.<name>`` imports on first use, as scikit-learn's do.
_SUBMODULES = ("callback", "datasets", "nn", "utils")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # later look-ups do not come back here
    return value


def __dir__():
    dunders = (name for name in globals() if name.startswith("__"))
    return sorted({*__all__, *_SUBMODULES, *dunders})
