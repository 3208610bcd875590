"""The rows of a tabular fit: which ones train, which ones validate.

The early-stopping split is drawn first, before anything is fitted: the
preprocessing's statistics, the data-dependent initialisation and the
regressor's standardisation see the training rows only, and the
validation rows are held out as test rows would be (HistGradientBoosting
fits its bins on its training rows the same way). The training package
gets the training rows as its data and the validation rows as its
validation data, so it splits nothing again. With an ``X_val`` given to
``fit`` nothing is split (no draw is taken from the generator): every row
trains, and the given data validates.
"""

import math

from .._compat import _safe_indexing
from .._targets import as_float
from .._training.data import TrainingData, Validation, check_split_weights, validation_split


def split_rows(n_rows, options, random_state, stratify, sample_weight):
    """The training and validation row indices of a fit.

    Parameters
    ----------
    n_rows : int
    options : skmlp._training.options.Options
        ``early_stopping`` and ``validation_fraction``.
    random_state : numpy.random.RandomState
        The fit's generator; the split is its first draw.
    stratify : ndarray of shape (n_rows,) or None
        The labels to stratify on (a classifier's).
    sample_weight : ndarray of shape (n_rows,) or None

    Returns
    -------
    train, validation : ndarray of int or None
        Both None without early stopping: every row trains.

    Raises
    ------
    ValueError
        If the validation part would have fewer than 2 rows, or either part
        a total weight of 0.
    """
    if not options.early_stopping:
        return None, None
    train, validation = validation_split(
        n_rows, options.validation_fraction, random_state, stratify
    )
    check_split_weights(sample_weight, train, validation)
    return train, validation


def n_training_rows(n_rows, early_stopping, validation_fraction):
    """How many of ``n_rows`` rows `split_rows` leaves to train on.

    ``train_test_split``'s count: ``ceil(validation_fraction * n_rows)``
    rows validate.
    """
    if not early_stopping:
        return n_rows
    return n_rows - math.ceil(validation_fraction * n_rows)


def take_rows(X, rows):
    """The rows ``rows`` of an array or a pandas/polars DataFrame; all of them for None."""
    return X if rows is None else _safe_indexing(X, rows)


def training_data(A, targets, y, sample_weight, train, validation, given=None):
    """The `TrainingData` of the training rows, with the validation rows as its validation.

    Parameters
    ----------
    A : ndarray of shape (n_rows, n_inputs)
        Every row, preprocessed.
    targets : Targets
        Fitted on the training rows: ``encoded`` are theirs.
    y : ndarray of shape (n_rows,)
        Every row's target, as given.
    sample_weight : ndarray of shape (n_rows,) or None
    train, validation : ndarray of int or None
        As `split_rows` returns them.
    given : skmlp._training.data.Validation or None, default=None
        The validation data given to ``fit`` (``X_val``), preprocessed; then
        nothing is split (``train`` and ``validation`` are None).

    Returns
    -------
    data : skmlp._training.data.TrainingData
    """
    if validation is None:
        return TrainingData(A, targets.encoded, sample_weight, given)
    held_out = Validation(
        A[validation], None, as_float(targets.encode(y[validation]), A.dtype),
        None if sample_weight is None else sample_weight[validation], split_off=True,
    )
    weight = None if sample_weight is None else sample_weight[train]
    return TrainingData(A[train], targets.encoded, weight, held_out)
