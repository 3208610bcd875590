"""The only module that imports or calls private scikit-learn API.

Each name is used by the estimators (and the tests) exactly as
scikit-learn's own MLP uses it, so that parameter validation, error
messages, fit semantics and callbacks match the installed version. When
scikit-learn moves one of them, only this file changes;
``tests/test_compat.py`` checks that no other module imports one.
"""

from sklearn.base import _fit_context
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.parallel import _get_threadpool_controller
from sklearn.utils.validation import _check_sample_weight, _get_feature_names

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_optimize_result",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "_get_feature_names",
    "_get_threadpool_controller",
    "_openmp_effective_n_threads",
    "_safe_indexing",
    "callbacks_of",
    "init_callback_context",
]


def init_callback_context(estimator, max_subtasks):
    """The root callback context of a fit, as scikit-learn's estimators open it.

    ``CallbackSupportMixin._init_callback_context`` is private in
    scikit-learn 1.9: it sets up the callbacks given to ``set_callbacks``
    and registers them for teardown by ``_fit_context``.

    Parameters
    ----------
    estimator : estimator with ``CallbackSupportMixin``
    max_subtasks : int or None
        Number of subtasks (restarts) of the fit.

    Returns
    -------
    context : sklearn.callback.CallbackContext
    """
    return estimator._init_callback_context(max_subtasks=max_subtasks)


def callbacks_of(estimator):
    """The callbacks given to ``estimator.set_callbacks`` (a list, maybe empty).

    scikit-learn keeps them in the private attribute ``_skl_callbacks``.
    """
    return list(getattr(estimator, "_skl_callbacks", None) or ())
