"""Checks of what comes beside X and y: validation data, weights, class weights.

Each argument gets the checks its counterpart gets (``y_val`` those of
``y``, ``sample_weight_val`` and ``class_weight`` those of
``sample_weight``), before training, with errors that name it. They are
kept together so that they can move, as one piece, to wherever the
estimators' other cross-argument checks live.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_non_negative

from ._compat import _check_sample_weight

_SINGLE_LABEL = ("binary", "multiclass")


def check_validation_arguments(X_val, y_val, sample_weight_val):
    """Whether validation data was given; both or neither of X_val and y_val."""
    if X_val is not None and y_val is None:
        raise ValueError("X_val is provided, but y_val was not provided.")
    if y_val is not None and X_val is None:
        raise ValueError("y_val is provided, but X_val was not provided.")
    if sample_weight_val is not None and X_val is None:
        raise ValueError(
            "sample_weight_val is provided, but X_val and y_val were not provided."
        )
    return X_val is not None


def check_weights(weights, X, name="sample_weight"):
    """Per-row weights of ``X``: finite, non-negative, not all zero.

    ``sample_weight`` gets scikit-learn's checks and messages
    (``_check_sample_weight``); any other argument the same checks, with
    messages that name it.

    Parameters
    ----------
    weights : array-like of shape (n_samples,) or None
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    name : str, default='sample_weight'

    Returns
    -------
    weights : ndarray of shape (n_samples,) or None

    Raises
    ------
    ValueError
        If the weights are not finite, negative, all zero, or not one per row;
        for arguments other than ``sample_weight`` also if their sum
        overflows.
    """
    if weights is None:
        return None
    if name == "sample_weight":
        return _check_sample_weight(weights, X, ensure_non_negative=True)
    if isinstance(weights, Real):  # one weight for every row, as sample_weight
        weights = np.full(X.shape[0], weights)
    weights = check_array(
        weights, ensure_2d=False, dtype=[np.float64, np.float32], input_name=name
    )
    if weights.shape != (X.shape[0],):
        raise ValueError(
            f"{name} has shape {weights.shape}, expected ({X.shape[0]},): one weight "
            "per row of X_val."
        )
    check_non_negative(weights, f"`{name}`")
    if not weights.any():
        raise ValueError(f"{name} must contain at least one non-zero number.")
    with np.errstate(over="ignore"):
        total = np.sum(weights, dtype=np.float64)
    if not np.isfinite(total):
        # Weighted means divide by the total: every score would be nan.
        raise ValueError(f"{name} sums to more than the largest float64; scale it down.")
    return weights


def check_class_weight_values(class_weight):
    """The weights in ``class_weight`` dicts: finite and non-negative.

    Raises
    ------
    ValueError
        Naming ``class_weight``, as ``sample_weight``'s checks would.
    """
    if class_weight is None or class_weight == "balanced":
        return
    for per_output in [class_weight] if isinstance(class_weight, dict) else class_weight:
        if isinstance(per_output, dict) and per_output:
            for label, value in per_output.items():
                if np.ndim(value) != 0:
                    raise ValueError(
                        f"class_weight must map each class to one number; got "
                        f"{value!r} for class {label!r}."
                    )
            values = check_array(
                list(per_output.values()),
                ensure_2d=False,
                dtype=np.float64,
                input_name="class_weight",
            )
            check_non_negative(values, "`class_weight`")


def check_weighted_rows(weights):
    """Class-weighted sample weights that leave some row with positive weight."""
    if weights is not None and not weights.any():
        raise ValueError(
            "class_weight gives weight 0 to every sample of positive sample_weight: "
            "there is nothing to train on."
        )


def check_validation_target(y_val, y, n_val, *, numeric):
    """``y_val`` checked as ``y`` is, and against it.

    It must be finite, have one row per row of ``X_val``, and be the same
    kind of target as ``y`` (``type_of_target``): as many outputs, and for
    classifiers single-label or multilabel as ``y`` is.

    Parameters
    ----------
    y_val : array-like of shape (n_val,) or (n_val, n_outputs)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The validated training target.
    n_val : int
        Number of rows of ``X_val``.
    numeric : bool
        Whether targets are numbers (regression).

    Returns
    -------
    y_val : ndarray of shape (n_val,) or (n_val, n_outputs)
        1-D when ``y`` is.

    Raises
    ------
    ValueError
        Naming ``y_val`` and what differs from ``y``.
    """
    # Sparse targets are label indicators (multilabel); a regressor's y_val
    # is dense, refused with a message naming it.
    y_val = check_array(
        y_val,
        accept_sparse=False if numeric else "csr",
        ensure_2d=False,
        dtype="numeric" if numeric else None,
        input_name="y_val",
    )
    if y_val.ndim == 2 and y_val.shape[1] == 1 and y.ndim == 1:
        y_val = column_or_1d(y_val, input_name="y_val", warn=True)
    if y_val.shape[0] != n_val:
        raise ValueError(
            f"X_val and y_val have different numbers of samples: {n_val} and "
            f"{y_val.shape[0]}."
        )
    if not numeric:
        _check_same_kind(type_of_target(y_val, input_name="y_val"), type_of_target(y))
        _check_indicator_values(y_val, y)
    if y_val.ndim > 2 or _n_outputs(y_val) != _n_outputs(y):
        raise ValueError(
            f"y_val is {_describe_outputs(y_val)}, but y is {_describe_outputs(y)}: the "
            "validation targets must have as many outputs as the training targets."
        )
    return y_val


def _n_outputs(y):
    return 1 if y.ndim == 1 else y.shape[1]


def _describe_outputs(y):
    if y.ndim == 1:
        return "1-D (one output)"
    return f"{y.ndim}-D with {y.shape[1]} outputs" if y.ndim == 2 else f"{y.ndim}-D"


def _check_same_kind(kind_val, kind):
    """Single-label y_val for single-label y, label indicators for multilabel y."""
    if kind in _SINGLE_LABEL and kind_val in _SINGLE_LABEL:
        return
    if kind == kind_val == "multilabel-indicator":
        return
    raise ValueError(
        f"y_val is a {kind_val!r} target, but y is {kind!r}: the validation "
        "targets must be of the kind the classifier was trained on."
    )


def _indicator_values(Y):
    """The distinct values of a label indicator matrix, dense or sparse."""
    if sp.issparse(Y):
        implicit = [0] if Y.nnz < Y.shape[0] * Y.shape[1] else []
        return np.union1d(Y.data, implicit)
    return np.unique(Y)


def _check_indicator_values(y_val, y):
    """Multilabel ``y_val`` holds only the values of ``y``'s indicators.

    ``type_of_target`` calls any integer matrix of two values an indicator
    (-1 and 1, 0 and 2), and the encoding makes every non-zero value 1: the
    score would compare the predicted 0/1 labels with values never seen.
    """
    if type_of_target(y) != "multilabel-indicator":
        return
    unseen = np.setdiff1d(_indicator_values(y_val), _indicator_values(y))
    if len(unseen):
        raise ValueError(
            f"y_val contains values not in y's label indicators: {unseen.tolist()}. "
            f"y has {_indicator_values(y).tolist()}."
        )


def check_known_classes(y_val, classes):
    """Single-label ``y_val`` holds only classes seen in ``y``."""
    unseen = np.setdiff1d(np.unique(y_val), classes)
    if len(unseen):
        raise ValueError(
            f"y_val contains labels not in y: {unseen.tolist()}. The classes of "
            f"y are {classes.tolist()}."
        )


def check_split_weights(sample_weight, train_idx, val_idx):
    """Both parts of the early-stopping split keep some positive weight.

    A part whose weights sum to zero has no loss and no score: training or
    stopping on it would follow nothing.
    """
    if sample_weight is None:
        return
    for part, idx in (("validation", val_idx), ("training", train_idx)):
        if not sample_weight[idx].any():
            raise ValueError(
                f"The {part} part of the early-stopping split ({len(idx)} rows) has "
                "a total sample_weight of 0: no score can be computed on it. Give "
                "more rows positive weight, change validation_fraction or "
                "random_state, or pass X_val, y_val and sample_weight_val."
            )


def missing_classes_error(missing, scoring, reason, *, split):
    """The scorer failed on validation data that lacks some classes of y.

    ``reason`` says how: "it raised ...", or "it scores nan".
    """
    where = (
        "The validation part split off for early stopping"
        if split
        else "The validation data (y_val)"
    )
    advice = (
        "Increase validation_fraction"
        if split
        else "Pass X_val and y_val with samples of every class"
    )
    return ValueError(
        f"{where} has no samples of class(es) {missing}, which scoring={scoring!r} "
        f"needs: {reason}. {advice}, or "
        "choose a scoring that does not need every class."
    )
