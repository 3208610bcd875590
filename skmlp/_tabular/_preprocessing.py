"""Numeric and categorical columns of a table to the inputs of a network."""

import numbers
import sys
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, StrOptions, _fit_context, _get_feature_names
from ._columns import by_position, categorical_mask, check_frame_shape, column, column_name


def smooth_clip(X, bound=3.0):
    """``X / sqrt(1 + (X / bound)**2)``: the identity near 0, bounded by ``bound``.

    RealMLP's smooth clipping: values far out in the tails of a robustly
    scaled column are pulled in below ``bound`` without a kink, so one
    outlier cannot dominate a unit's input.

    Parameters
    ----------
    X : ndarray
    bound : float, default=3.0

    Returns
    -------
    ndarray of the shape of ``X``
    """
    X = np.asarray(X, dtype=np.float64)
    return X / np.sqrt(1.0 + (X / bound) ** 2)


def _shift_codes(X):
    """Ordinal codes -1 (missing or unknown), 0, 1, ... to table rows 0, 1, 2, ..."""
    return np.asarray(X, dtype=np.float64) + 1.0


def _missing_as_nan(X):
    """Categorical columns with None or pandas' NA (a polars null, a gap in an array) as NaN.

    scikit-learn's OrdinalEncoder takes NaN as missing, None as a category
    of its own and refuses pandas' NA. A pandas DataFrame is returned as it
    is (its gaps are NaN already: `_text_missing_as_nan`); anything else as
    an array, in fit and transform alike.
    """
    if hasattr(X, "iloc"):
        return X
    X = np.asarray(X)
    if X.dtype != object:
        return X
    pandas = sys.modules.get("pandas")  # pandas' NA exists only if pandas is loaded
    missing = pandas.isna(X) if pandas is not None else np.equal(X, None)
    if missing.any():
        X = X.copy()
        X[missing] = np.nan
    return X


def _ordinal_steps():
    """Pipeline steps: categories to codes 0, 1, ...; missing (NaN, None, NA), unknown: -1."""
    # Missing and unknown categories share code -1, as HGBT sends unknown
    # categories at predict time where the missing ones go.
    return [FunctionTransformer(_missing_as_nan, feature_names_out="one-to-one"),
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                           encoded_missing_value=-1, dtype=np.float64)]


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """Prepare a table for a network: scaled numerics, encoded categoricals.

    Columns are taken as :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
    takes them (numpy arrays, pandas or polars DataFrames, the same
    ``categorical_features``). Out, in this order:

    - each numeric column centred on its median and divided by its
      interquartile range (scikit-learn's :class:`~sklearn.preprocessing.RobustScaler`),
      then smoothly clipped, ``x / sqrt(1 + (x / smooth_clip)**2)``;
      a missing value becomes 0 (the median) and, for every column with
      missing values in ``fit``, a 0/1 missing indicator is added;
    - each categorical column with at most ``max_one_hot_categories``
      categories, one-hot (missing values, if ``fit`` saw any, have a
      column of their own);
    - each other categorical column as one integer code for an embedding
      table (:class:`~skmlp.nn.Embedding`): 0 for missing, 1 to ``k`` for
      its ``k`` categories.

    A category not seen in ``fit`` is taken as missing, as
    HistGradientBoosting does. Every statistic is fitted with scikit-learn's
    own encoders inside one :class:`~sklearn.compose.ColumnTransformer`.

    Parameters
    ----------
    categorical_features : array-like of {bool, int, str} or 'from_dtype' or None, \
            default='from_dtype'
        As in HistGradientBoosting: 'from_dtype' takes the pandas
        ``category`` and polars ``Categorical``/``Enum`` columns of a
        DataFrame (none of an array); or a boolean mask, column indices or
        feature names; None for no categorical column.
    max_one_hot_categories : int or None, default=8
        Categorical columns with at most this many categories are one-hot
        encoded, the others coded for an embedding (RealMLP's 8); None:
        every one one-hot (no embedding).
    scaling : {'robust', 'standard'}, default='robust'
        'robust': median and interquartile range; 'standard': mean and
        standard deviation (for ablations).
    smooth_clip : float or None, default=3.0
        The bound of the smooth clipping; None turns it off.

    Attributes
    ----------
    column_transformer_ : ColumnTransformer
        The fitted encoders.
    is_categorical_ : ndarray of shape (n_features_in_,), dtype=bool
    numeric_columns_ : ndarray of int
        Output columns of the scaled numeric values (for
        :class:`~skmlp.nn.PeriodicEmbedding`).
    code_columns_ : ndarray of int
        Output columns of the embedding codes (for :class:`~skmlp.nn.Embedding`).
    n_codes_ : ndarray of int
        Table size of each code column: its categories plus one.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` has feature names that are all strings.

    Raises
    ------
    ValueError
        Naming the column: a numeric column holding a value that is not a
        number (declare the column categorical), infinity, or (in ``fit``)
        no value at all.

    References
    ----------
    Holzmüller, Grinsztajn and Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp._tabular import TabularPreprocessor
    >>> X = np.array([[1.0, 0], [2.0, 1], [np.nan, 2], [40.0, 1]])
    >>> prep = TabularPreprocessor(categorical_features=[1]).fit(X)
    >>> prep.transform(X).round(2)
    array([[-0.05,  0.  ,  1.  ,  0.  ,  0.  ],
           [ 0.  ,  0.  ,  0.  ,  1.  ,  0.  ],
           [ 0.  ,  1.  ,  0.  ,  0.  ,  1.  ],
           [ 1.63,  0.  ,  0.  ,  1.  ,  0.  ]])
    """

    _parameter_constraints = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "max_one_hot_categories": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "scaling": [StrOptions({"robust", "standard"})],
        "smooth_clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __init__(self, *, categorical_features="from_dtype", max_one_hot_categories=8,
                 scaling="robust", smooth_clip=3.0):
        self.categorical_features = categorical_features
        self.max_one_hot_categories = max_one_hot_categories
        self.scaling = scaling
        self.smooth_clip = smooth_clip

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the scaling statistics and the categories of ``X``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : TabularPreprocessor
        """
        X = self._validate(X, reset=True)
        names = getattr(self, "feature_names_in_", None)
        self.is_categorical_ = categorical_mask(X, self.categorical_features, names)
        numeric = np.flatnonzero(~self.is_categorical_)
        categorical = np.flatnonzero(self.is_categorical_)
        self._check_numeric(X, numeric, fitting=True)
        sizes = self._category_counts(X, categorical)
        limit = np.inf if self.max_one_hot_categories is None else self.max_one_hot_categories
        codes = categorical[sizes > limit]
        one_hot = categorical[sizes <= limit]
        self.column_transformer_ = ColumnTransformer(
            [("numeric", self._numeric_pipeline(), numeric),
             ("one_hot", make_pipeline(*_ordinal_steps(), OneHotEncoder(
                 handle_unknown="ignore", sparse_output=False, dtype=np.float64)), one_hot),
             ("codes", make_pipeline(*_ordinal_steps(), FunctionTransformer(
                 _shift_codes, feature_names_out="one-to-one")), codes)],
            sparse_threshold=0.0,
        ).set_output(transform="default").fit(X)  # arrays inside, whatever the global output
        self.numeric_columns_ = np.arange(numeric.size)
        self.code_columns_ = np.arange(self.column_transformer_.output_indices_["codes"].start,
                                       self.column_transformer_.output_indices_["codes"].stop)
        self.n_codes_ = sizes[sizes > limit] + 1
        return self

    def transform(self, X):
        """Scaled numerics, missing indicators, one-hot columns, codes.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features_in_)

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        self._check_numeric(X, np.flatnonzero(~self.is_categorical_), fitting=False)
        return self.column_transformer_.transform(X)

    def get_feature_names_out(self, input_features=None):
        """Output feature names, in the order of `transform`'s columns.

        The column transformer's names (``numeric__a``,
        ``numeric__missingindicator_a``, ``codes__c``), with each one-hot
        column named by its category: ``one_hot__b_red``, and
        ``one_hot__b_missing`` for missing (and unknown) values
        (``one_hot__b_missing_`` if a category is called 'missing').

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input column names; None: ``feature_names_in_`` (or
            ``x0``, ``x1``... for an array).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = self.column_transformer_.get_feature_names_out(input_features)  # checks them
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", None)
        if input_features is None:
            input_features = [f"x{j}" for j in range(self.n_features_in_)]
        block = self.column_transformer_.output_indices_["one_hot"]
        if block.stop > block.start:  # without one-hot columns their encoders are not fitted
            names[block] = self._one_hot_names(np.asarray(input_features, dtype=object))
        return names

    def _one_hot_names(self, input_features):
        """``one_hot__<column>_<category>`` for each one-hot output column.

        Missing values' column is ``<column>_missing``, or ``<column>_missing_``
        (and so on) if a category is called 'missing': names stay unique.
        """
        _, steps, columns = next(
            t for t in self.column_transformer_.transformers_ if t[0] == "one_hot"
        )
        ordinal, one_hot = steps[-2], steps[-1]
        names = []
        for name, categories, codes in zip(
            input_features[columns], ordinal.categories_, one_hot.categories_
        ):
            taken, missing = {str(category) for category in categories}, "missing"
            while missing in taken:
                missing += "_"
            names += [f"one_hot__{name}_{missing if code < 0 else categories[int(code)]}"
                      for code in codes]
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _validate(self, X, *, reset):
        """``X`` checked for shape and names; DataFrames keep their column dtypes."""
        if hasattr(X, "columns") and hasattr(X, "dtypes"):
            validate_data(self, X, skip_check_array=True, reset=reset)
            check_frame_shape(X, type(self).__name__)
            return _text_missing_as_nan(X)
        return validate_data(self, X, dtype=None, ensure_all_finite=False, reset=reset)

    def _numeric_pipeline(self):
        steps = [RobustScaler() if self.scaling == "robust" else StandardScaler()]
        if self.smooth_clip is not None:
            steps.append(FunctionTransformer(smooth_clip, kw_args={"bound": self.smooth_clip},
                                             feature_names_out="one-to-one"))
        steps.append(SimpleImputer(strategy="constant", fill_value=0.0, add_indicator=True,
                                   keep_empty_features=True))
        return make_pipeline(*steps)

    def _category_counts(self, X, categorical):
        """Number of categories of each categorical column, missing not counted."""
        if categorical.size == 0:
            return np.zeros(0, dtype=np.intp)
        encoder = ColumnTransformer([("c", make_pipeline(*_ordinal_steps()), categorical)]).fit(X)
        counts = []
        for j, categories in zip(categorical, encoder.named_transformers_["c"][-1].categories_):
            present = [c for c in categories if not _is_missing(c)]
            if not present:
                raise ValueError(
                    f"Categorical column {column_name(j, getattr(self, 'feature_names_in_', None))}"
                    " has no value, only missing ones."
                )
            counts.append(len(present))
        return np.asarray(counts, dtype=np.intp)

    def _check_numeric(self, X, numeric, *, fitting):
        names = getattr(self, "feature_names_in_", None)
        for j in numeric:
            values = _numeric_values(column(X, j, names), column_name(j, names))
            if fitting and np.isnan(values).all():
                raise ValueError(
                    f"Numeric column {column_name(j, names)} has no value, only missing ones; "
                    "drop it."
                )


def check_numeric_columns(X, categorical_features):
    """Raise for dates, text or infinity in a numeric column of the table ``X``.

    The errors name the column and the row of ``X``. `TabularPreprocessor`
    checks the rows it is given; an estimator that fits it on its training
    rows checks the whole table first, so that the row named is the user's.

    Raises
    ------
    ValueError or TypeError
        As `TabularPreprocessor.fit`.
    """
    names = _get_feature_names(X)
    for j in np.flatnonzero(~categorical_mask(X, categorical_features, names)):
        _numeric_values(column(X, j, names), column_name(j, names))


def _numeric_values(raw, name):
    """The numeric column ``raw`` as float64 (NaN for missing), or an error naming it."""
    if raw.dtype.kind in "mM":  # numpy would cast them, the scaler not
        raise ValueError(
            f"Numeric column {name} holds dates or durations ({raw.dtype}); convert it to "
            "numbers (seconds, days since...) first."
        )
    values = _as_float(raw, name)
    if np.isinf(values).any():
        raise ValueError(
            f"Numeric column {name} holds infinity in row "
            f"{int(np.flatnonzero(np.isinf(values))[0])}; replace it by NaN (missing) or a "
            "finite value."
        )
    return values


def network_inputs(preprocessor, X):
    """The table ``X`` preprocessed, its columns taken as HGBT takes them.

    The estimator has compared the names of X's columns with those of the
    fit and warned in its own name; the preprocessor and its scalers would
    warn again. Columns not named by strings are taken by position. The
    network takes an array, whatever ``set_output`` (or scikit-learn's
    ``transform_output``) makes the preprocessor return.
    """
    X = by_position(X, getattr(preprocessor, "feature_names_in_", None))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X (does not have valid|has) feature names")
        return np.asarray(preprocessor.transform(X))


def _text_missing_as_nan(X):
    """``X`` with pandas' NA in its text columns as NaN, which the encoders take.

    scikit-learn's encoders refuse a column of strings and ``pd.NA`` (the
    missing value of pandas' 'string' dtype): "must be uniformly strings or
    numbers". Other frames, and frames without such gaps, are returned as
    they are.
    """
    if not hasattr(X, "isna"):  # polars: its nulls reach the encoders as None
        return X
    gaps = [name for name, dtype in X.dtypes.items()
            if (dtype == object or str(dtype).startswith("str")) and X[name].isna().any()]
    if not gaps:
        return X
    X = X.copy(deep=False)
    for name in gaps:
        X[name] = X[name].astype(object).where(X[name].notna(), np.nan)
    return X


def _is_missing(value):
    # pandas' NA (a nullable column's missing value) without importing pandas
    return (value is None or (isinstance(value, float) and np.isnan(value))
            or type(value).__name__ == "NAType")


def _as_float(values, name):
    """A numeric column as float64, NaN for missing; a clear error otherwise."""
    try:
        if hasattr(values, "to_numpy"):  # pandas nullable dtypes: pd.NA to NaN
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    values = np.asarray(values, dtype=object)
    for row, value in enumerate(values):
        try:
            float(np.nan if _is_missing(value) else value)
        except (TypeError, ValueError) as error:
            # The type of float()'s own error: a TypeError for an object that
            # is no number at all, a ValueError for text that is not a number.
            raise type(error)(
                f"Numeric column {name} holds {value!r} in row {row}, which is not a number "
                f"({error}). If the column is categorical, declare it in "
                "categorical_features (or give it the pandas 'category' dtype)."
            ) from None
    return np.array([np.nan if _is_missing(v) else float(v) for v in values])
