"""The weight of each training row: sample weights, their checks, class weights.

``sample_weight`` gets scikit-learn's checks, ``sample_weight_val`` and
``class_weight`` the same ones with errors that name them; `class_weighted`
multiplies the class weights into the sample weights, as
:func:`sklearn.utils.class_weight.compute_sample_weight` does.
"""

from numbers import Real

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_non_negative

from .._compat import _check_sample_weight


def training_weights(sample_weight, X, y, class_weight=None, *, min_rows=1):
    """The weight of each training row: sample weights times class weights.

    The sample weights get scikit-learn's checks, the class weights the
    same ones (finite, non-negative), and their product must leave a row
    to train on, or the ``min_rows`` a mini-batch needs.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) or None
        None when both are None.
    """
    if sample_weight is not None or class_weight is not None:
        # Negative weights make the weighted mean of the loss meaningless.
        sample_weight = check_weights(sample_weight, X)
    if class_weight is not None:
        check_class_weight_values(class_weight)
        sample_weight = class_weighted(sample_weight, class_weight, y, X.dtype)
        check_weighted_rows(sample_weight)
    # Batch normalisation's statistics need 2 rows (BatchOptions.min_size) in
    # a mini-batch; rows of weight 0 are none.
    n_rows = X.shape[0] if sample_weight is None else np.count_nonzero(sample_weight)
    if n_rows < min_rows:
        of_weight = " of positive sample_weight" if sample_weight is not None else ""
        raise ValueError(
            f"normalization='batch' needs at least {min_rows} samples per mini-batch; "
            f"got {n_rows} sample{of_weight} in total."
        )
    return sample_weight


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
    return _check_named_weights(weights, X, name)


def _check_named_weights(weights, X, name):
    """``_check_sample_weight``'s checks, with messages that name ``name``."""
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
