"""Which columns of a table are categorical, as HistGradientBoosting reads it."""

import numpy as np


def is_categorical_dtype(dtype):
    """Whether a pandas or polars column dtype is categorical."""
    name = str(dtype)
    return name == "category" or name.startswith(("Categorical", "Enum"))


def _dtypes(X):
    """Column dtypes of a pandas or polars DataFrame, None for an array."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(X, "columns"):
        return None
    return list(dtypes)


def categorical_mask(X, categorical_features, feature_names):
    """Boolean mask of the categorical columns of ``X``.

    Accepts the values of ``HistGradientBoostingClassifier``'s
    ``categorical_features``: ``"from_dtype"`` (the pandas ``category`` and
    polars ``Categorical``/``Enum`` columns of a DataFrame; none of an
    array), None, a boolean mask, integer indices or feature names.

    Raises
    ------
    ValueError
        If the mask has the wrong length, an index is out of range, a name
        is unknown or names are given for an input without them.
    """
    n_features = X.shape[1]
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str) and categorical_features == "from_dtype":
        dtypes = _dtypes(X)
        if dtypes is None:
            return np.zeros(n_features, dtype=bool)
        return np.array([is_categorical_dtype(dtype) for dtype in dtypes], dtype=bool)
    given = np.asarray(categorical_features)
    if given.size == 0:
        return np.zeros(n_features, dtype=bool)
    if given.dtype.kind in "OUS":
        return _mask_from_names(given, feature_names)
    if given.dtype.kind in "biu":
        return _mask_from_values(given, n_features)
    raise ValueError(
        "categorical_features must be 'from_dtype', None, a boolean mask, integer "
        f"indices or feature names; got {categorical_features!r}."
    )


def _mask_from_values(given, n_features):
    """The mask of a boolean mask or of integer indices, checked against ``n_features``."""
    if given.dtype.kind == "b":
        if given.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have shape ({n_features},); "
                f"got {given.shape}."
            )
        return given.copy()
    if given.min() < 0 or given.max() >= n_features:
        raise ValueError(
            f"categorical_features holds indices outside [0, {n_features - 1}]: "
            f"{given.tolist()}."
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[given] = True
    return mask


def _mask_from_names(names, feature_names):
    if feature_names is None:
        raise ValueError(
            "categorical_features names columns, but X has no feature names; pass a "
            "DataFrame or give indices or a boolean mask."
        )
    unknown = sorted(set(names.tolist()) - set(feature_names.tolist()))
    if unknown:
        raise ValueError(f"categorical_features names columns that X does not have: {unknown}.")
    return np.isin(feature_names, names)


def column(X, j, feature_names):
    """Column ``j`` of an array or a pandas/polars DataFrame, as numpy."""
    if feature_names is not None and hasattr(X, "columns"):
        return np.asarray(X[feature_names[j]])
    return np.asarray(X)[:, j]


def column_name(j, feature_names):
    """How an error message names column ``j``."""
    return f"{feature_names[j]!r}" if feature_names is not None else f"{j}"


def check_frame_shape(X, estimator_name):
    """The shape errors ``check_array`` gives an array, for a DataFrame, naming the estimator.

    A DataFrame skips ``check_array`` (its column dtypes are kept).

    Raises
    ------
    ValueError
        For a table without rows or without columns.
    """
    if X.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
                         f"1 is required by {estimator_name}.")
    if X.shape[1] == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of "
                         f"1 is required by {estimator_name}.")


def by_position(X, feature_names):
    """A pandas DataFrame whose column names are not all strings, named ``feature_names``.

    scikit-learn ignores such names and takes the columns by position, as it
    takes an array's (after a warning); a preprocessing fitted on named
    columns looks them up by name. Anything else is returned as it is.
    """
    if (feature_names is None or not hasattr(X, "set_axis")
            or all(isinstance(name, str) for name in X.columns)):
        return X
    return X.set_axis(list(feature_names), axis=1)
