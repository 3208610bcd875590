"""Input checks of prediction without scikit-learn's per-call overhead.

``validate_data(estimator, X, accept_sparse=["csr", "csc"], reset=False)``
costs 150-250 microseconds a call, most of it looking for dataframe
libraries, estimator tags and array namespaces: more than the forward pass
of a small network on one row. For the inputs prediction nearly always gets
(a float array or CSR matrix with the fitted number of columns, from an
estimator fitted without feature names), its result is ``X`` itself; this
module recognises them in a few microseconds and hands everything else to
``validate_data``, with its conversions, warnings and error messages.
"""

import math

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _all_finite(values):
    """scikit-learn's first pass: the sum is finite, so every value is.

    A sum that overflows from finite values is not taken as proof of
    anything: ``validate_data`` then looks at each value.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(np.add.reduce(values, axis=None))


def check_predict_input(estimator, X):
    """``X`` checked as ``validate_data`` checks it for prediction.

    Returns exactly what ``validate_data(estimator, X, accept_sparse=["csr",
    "csc"], reset=False)`` returns, and raises or warns whenever it would:
    the common inputs it returns unchanged are recognised here, the rest
    are passed to it.

    Parameters
    ----------
    estimator : fitted estimator
    X : object

    Returns
    -------
    X : ndarray or sparse matrix
    """
    n_features = getattr(estimator, "n_features_in_", None)
    if (
        # No feature names were seen in fit (else a warning or a check of
        # the names is due), and an exact ndarray or CSR (no subclass that
        # converting would change) of floats, 2-D, with rows and the fitted
        # number of columns.
        not hasattr(estimator, "feature_names_in_")
        and (type(X) is np.ndarray or (sp.issparse(X) and X.format == "csr"))
        and X.ndim == 2
        and X.dtype in _FLOATS
        and X.shape[0] > 0
        and X.shape[1] == n_features
        and _all_finite(X if type(X) is np.ndarray else X.data)
    ):
        return X
    with np.errstate(over="ignore", invalid="ignore"):
        return validate_data(estimator, X, accept_sparse=["csr", "csc"], reset=False)


def inverse_binarize(binarizer, Y):
    """``binarizer.inverse_transform(Y)``, without its per-call overhead.

    For a fitted ``LabelBinarizer()`` with its default labels (0 and 1) and
    dense targets, the class of each row of a numpy ``Y`` is read directly,
    exactly as ``inverse_transform`` reads it: the first largest column
    (multiclass) or the column above 0.5 (binary). Anything else is passed
    to ``inverse_transform``.

    Parameters
    ----------
    binarizer : fitted sklearn.preprocessing.LabelBinarizer
    Y : ndarray of shape (n_samples, n_classes), or (n_samples,) for binary

    Returns
    -------
    labels : ndarray of shape (n_samples,), or as ``inverse_transform``
    """
    classes = binarizer.classes_
    if (
        type(Y) is np.ndarray
        and not binarizer.sparse_input_
        and binarizer.neg_label == 0
        and binarizer.pos_label == 1
    ):
        if binarizer.y_type_ == "multiclass" and Y.ndim == 2 and Y.shape[1] == len(classes):
            return classes.take(Y.argmax(axis=1), mode="clip")
        if binarizer.y_type_ == "binary" and Y.ndim == 1 and len(classes) == 2:
            return classes[(Y > 0.5).astype(np.intp)]
    return binarizer.inverse_transform(Y)
