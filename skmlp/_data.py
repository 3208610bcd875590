"""What a fit trains and validates on: class-weighted rows, validation data."""

import copy
import warnings
from typing import Any, NamedTuple

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


class Validation(NamedTuple):
    """Validation data, and how early stopping scores a network on it.

    ``scorer`` is None (the estimator's ``score``), ``'loss'`` (minus the
    loss) or a scikit-learn scorer. ``split_off`` tells rows set aside from
    the training data (``validation_fraction``) from an ``X_val`` given to
    ``fit``.
    """

    X: Any
    y: Any  # targets as given: labels, for scores
    y_encoded: Any  # as trained on (2-D, the input's dtype), for the loss
    sample_weight: Any
    scorer: Any
    split_off: bool = False


def score_validation(estimator, validation):
    """A scorer's value on validation data that is already validated.

    The validated rows have lost any feature names, which the scorer's
    call to ``predict`` would warn about at every epoch.
    """
    weight = {} if validation.sample_weight is None else {"sample_weight": validation.sample_weight}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return validation.scorer(estimator, validation.X, validation.y, **weight)


class ValidationScore:
    """``score(raw)``: how the estimator scores the validation data.

    The estimator's ``score`` (accuracy, R^2) from the network's raw
    outputs, or the ``scoring`` scorer, which predicts with the network
    being trained.

    Parameters
    ----------
    estimator : BaseMultilayerPerceptron
        Validated for the data (classes, target encoding).
    model : dict
        Fitted attributes of the network being trained (``_network``,
        ``_loss``...): a shallow copy of ``estimator`` with them scores.
    validation : Validation
    """

    def __init__(self, estimator, model, validation):
        self.estimator = copy.copy(estimator)
        self.estimator.__dict__.update(model)
        self.validation = validation

    def __call__(self, raw):
        """The score of the raw outputs ``raw`` of the validation rows."""
        validation, estimator = self.validation, self.estimator
        if validation.scorer is not None:
            return score_validation(estimator, validation)
        y_pred = estimator._decode_target(estimator._loss.output(raw))
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return estimator._metric(validation.y, y_pred, sample_weight=validation.sample_weight)


def _check_multi_output_class_weight(class_weight, n_outputs):
    """scikit-learn's rules (and messages) for several outputs."""
    if n_outputs == 1 or class_weight == "balanced":
        return
    if isinstance(class_weight, dict):
        raise ValueError(
            "For multi-output, class_weight should be a list of dicts, or the "
            "string 'balanced'."
        )
    if len(class_weight) != n_outputs:
        raise ValueError(
            "For multi-output, number of elements in class_weight should match "
            f"number of outputs. Got {len(class_weight)} element(s) while having "
            f"{n_outputs} outputs."
        )


def _balanced(column, sample_weight):
    """Per-row weight ``total / (n_classes * class_total)`` of one output.

    Totals sum ``sample_weight``; a class of zero total weight (all its
    rows weigh 0, as if removed) is not counted among the classes.
    """
    classes, rows = np.unique(column, return_inverse=True)
    totals = np.bincount(rows, weights=sample_weight, minlength=len(classes))
    present = totals > 0
    per_class = np.zeros(len(classes))
    per_class[present] = totals.sum() / (present.sum() * totals[present])
    return per_class[rows]


def _from_dict(column, class_weight):
    """Per-row weight from ``{label: weight}`` (scikit-learn's checks)."""
    classes, rows = np.unique(column, return_inverse=True)
    return compute_class_weight(class_weight, classes=classes, y=column)[rows]


def class_weighted(sample_weight, class_weight, y, dtype):
    """``sample_weight`` multiplied by the weight of each row's class.

    As :func:`sklearn.utils.class_weight.compute_sample_weight`: a dict maps
    labels to weights (a list of dicts, one per column, for multilabel
    targets) and the weights of several outputs multiply. 'balanced' weighs
    a class by ``total / (n_classes * class_total)``, where the totals sum
    ``sample_weight`` (as ``LogisticRegression`` does), so that a row of
    weight ``k`` still counts as ``k`` repeated rows, and one of weight 0 as
    no row.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
    class_weight : dict, list of dict, 'balanced' or None
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Class labels, or a label indicator matrix.
    dtype : numpy dtype
        Of the returned weights.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) or None
        None only when both inputs are None.
    """
    if class_weight is None:
        return sample_weight
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    _check_multi_output_class_weight(class_weight, Y.shape[1])
    weights = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    for k, column in enumerate(Y.T):
        if class_weight == "balanced":
            weights = weights * _balanced(column, sample_weight)
        else:
            per_output = class_weight if Y.shape[1] == 1 else class_weight[k]
            weights = weights * _from_dict(column, per_output)
    return weights.astype(dtype, copy=False)
