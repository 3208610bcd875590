"""What a warm-started tabular fit keeps of the first fit, and what it refuses.

A warm start trains a copy of the fitted network on new rows. The network's
inputs are the columns as the first fit's preprocessing made them, so that
preprocessing is kept (fitting it again would change what each input means:
that is a new fit), and the table must have the same columns, the same ones
categorical. The parameters that shape the network must be those it was
built with; the others (rates, epochs, batches, early stopping, weights)
may change between fits.
"""

import numpy as np
from sklearn.utils.multiclass import unique_labels

from ._columns import categorical_mask

_ANEW = "Use fit with warm_start=False to fit anew."


def check_same_columns(preprocessor, X, categorical_features, estimator_name):
    """Refuse a table whose columns differ from those the preprocessing was fitted on.

    Parameters
    ----------
    preprocessor : TabularPreprocessor
        The fitted one, kept by the warm start.
    X : {ndarray, DataFrame} of shape (n_samples, n_features)
        The new table (its shape checked).
    categorical_features : object
        The estimator's parameter now.
    estimator_name : str

    Raises
    ------
    ValueError
        Naming the columns of both fits, or the columns whose kind changed.
    """
    fitted = getattr(preprocessor, "feature_names_in_", None)
    names = _column_names(X)
    if X.shape[1] != preprocessor.n_features_in_ or not _same_names(fitted, names):
        raise ValueError(
            f"warm_start continues the fitted {estimator_name}, whose preprocessing was "
            f"fitted on {_describe(preprocessor.n_features_in_, fitted)}; X has "
            f"{_describe(X.shape[1], names)}. {_ANEW}"
        )
    mask = categorical_mask(X, categorical_features, fitted)
    changed = np.flatnonzero(mask != preprocessor.is_categorical_)
    if changed.size:
        shown = [fitted[j] for j in changed] if fitted is not None else changed.tolist()
        raise ValueError(
            f"warm_start continues the fitted {estimator_name}, but columns {shown} are "
            "categorical in one fit and numeric in the other (categorical_features, or "
            f"the DataFrame's dtypes, changed). {_ANEW}"
        )


def check_same_classes(y, classes):
    """Refuse targets whose classes are not the fitted ``classes`` (the MLPs' message).

    Raises
    ------
    ValueError
    """
    if set(unique_labels(y)) != set(classes):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {classes}, `y` has {unique_labels(y)}"
        )


def check_same_network(fitted, requested):
    """Refuse parameters that shape the network other than those it was built with.

    Parameters
    ----------
    fitted, requested : dict
        The parameters that shape the network, by name (``hidden_layer_sizes``,
        ``activation``, ``dropout``, ``periodic_embeddings``,
        ``feature_scaling``, ``robust_scaling``, ``ntk_parametrization``,
        ``parametric_activation``, ``max_one_hot_categories``), resolved: of the fitted
        network and of the estimator now.

    Raises
    ------
    ValueError
        Naming the first parameter that differs.
    """
    for name, value in requested.items():
        if fitted[name] != value:
            raise ValueError(
                f"warm_start continues the fitted network, built with {name}="
                f"{fitted[name]!r}; got {name}={value!r}. {_ANEW}"
            )


def _column_names(X):
    """A DataFrame's column names as an object array; None for an array."""
    return np.asarray(list(X.columns), dtype=object) if hasattr(X, "columns") else None


def _same_names(fitted, names):
    if fitted is None:  # fitted on unnamed columns: the count was compared
        return True
    return names is not None and len(names) == len(fitted) and bool(np.all(names == fitted))


def _describe(n_columns, names):
    if names is None:
        return f"{n_columns} unnamed columns"
    return f"{n_columns} columns {list(names)}"
