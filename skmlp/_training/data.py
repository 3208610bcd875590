"""The data a fit trains and validates on: checked, weighted, split.

`TrainingData` holds the checked training rows (targets encoded as
trained on) and the explicit validation data, and splits off the
early-stopping rows (as indices: the data is gathered once per mini-batch,
never copied as a whole). The other functions check what comes beside X
and y (``X_val``, ``y_val``, the split's weights) as its counterpart is
checked, with errors that name it.
"""

from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.multiclass import type_of_target


class Validation(NamedTuple):
    """Validation data for early stopping.

    ``y`` are the targets as given (labels, for scores), or None for rows
    split off the training data (the score decodes ``y_encoded``);
    ``y_encoded`` as trained on (2-D, the input's dtype), for the loss.
    ``split_off`` tells rows set aside from the training data
    (``validation_fraction``) from an ``X_val`` given to ``fit``.
    """

    X: Any
    y: Any
    y_encoded: Any
    sample_weight: Any
    split_off: bool = False


class TrainingData(NamedTuple):
    """The checked data of a fit.

    Attributes
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_outputs)
        The targets as trained on (encoded, the dtype of X).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights times class weights.
    validation : Validation or None
        Validation data given to ``fit``.
    stratify : ndarray of shape (n_samples,) or None
        Labels to stratify the early-stopping split on.
    """

    X: Any
    y: Any
    sample_weight: Any = None
    validation: Any = None
    stratify: Any = None

    def split(self, options, random_state):
        """Training row indices and the validation data (None without it).

        Without explicit validation data, early stopping
        (``options.early_stopping``) sets aside ``validation_fraction`` of
        the rows, drawn from ``random_state``, stratified on ``stratify``,
        as ``train_test_split(stratify=...)`` does it and with its errors
        when that is impossible. Both parts must keep some positive weight.
        A ``partial_fit`` call has one batch, none of it to set aside:
        scikit-learn's error, raised here as there (after the weights are
        initialised).
        """
        n_samples = self.X.shape[0]
        if not options.early_stopping or self.validation is not None:
            return np.arange(n_samples), self.validation
        if options.incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        train_idx, val_idx = validation_split(
            n_samples, options.validation_fraction, random_state, self.stratify
        )
        weight = self.sample_weight
        check_split_weights(weight, train_idx, val_idx)
        validation = Validation(
            self.X[val_idx], None, self.y[val_idx],
            None if weight is None else weight[val_idx], split_off=True,
        )
        return train_idx, validation


def validation_split(n_samples, validation_fraction, random_state, stratify=None):
    """Row indices of the training and validation parts.

    The draw is the same as ``train_test_split(X, y, ...)`` on the data
    itself.

    Returns
    -------
    train_idx, val_idx : ndarray of int
    """
    train_idx, val_idx = train_test_split(
        np.arange(n_samples),
        random_state=random_state,
        test_size=validation_fraction,
        stratify=stratify,
    )
    if val_idx.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return train_idx, val_idx


_SINGLE_LABEL = ("binary", "multiclass")


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
    y_val = _as_array(y_val, y, numeric)
    if y_val.shape[0] != n_val:
        raise ValueError(
            f"X_val and y_val have different numbers of samples: {n_val} and "
            f"{y_val.shape[0]}."
        )
    _check_like_y(y_val, y, numeric)
    return y_val


def _as_array(y_val, y, numeric):
    """``y_val`` as scikit-learn's ``check_array`` takes a target, 1-D when ``y`` is."""
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
    return y_val


def _check_like_y(y_val, y, numeric):
    """The same kind of target as ``y`` (for classifiers), with as many outputs."""
    if not numeric:
        _check_same_kind(type_of_target(y_val, input_name="y_val"), type_of_target(y))
        _check_indicator_values(y_val, y)
    if y_val.ndim > 2 or _n_outputs(y_val) != _n_outputs(y):
        raise ValueError(
            f"y_val is {_describe_outputs(y_val)}, but y is {_describe_outputs(y)}: the "
            "validation targets must have as many outputs as the training targets."
        )


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
