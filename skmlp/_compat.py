"""The only module that imports private scikit-learn API.

Each name is used by the estimators exactly as scikit-learn's own MLP uses
it, so that parameter validation, error messages and fit semantics match the
installed version. When scikit-learn moves one of them, only this file
changes.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "Interval",
    "Options",
    "StrOptions",
    "_check_optimize_result",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
]
