"""TabularMLPClassifier and TabularMLPRegressor: MLPs for tables, better by default.

A fit: the table's columns are prepared (`TabularPreprocessor`, fitted
statistics), the network is built for them (`tabular_layers`, initialised
on the data), the targets are encoded (the classifier's `Labels`, the
regressor's standardised values), and the training package trains the
network (`skmlp._training.fit_model`) and returns the fitted model,
committed at the end (`_commit`, the only writer of fitted state).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.callback import CallbackSupportMixin
from sklearn.metrics import r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array, check_consistent_length, check_is_fitted, validate_data,
)

from .._classifier import Labels, decode_labels
from .._compat import (
    Interval,
    StrOptions,
    _fit_context,
    callbacks_of,
    init_callback_context,
)
from .._early_stopping import early_stopping_score
from .._targets import Targets
from ..callback import Checkpoint
from .._training import fit_model, resolve_options
from .._training.data import TrainingData
from .._training.progress import open_progress
from ..nn import LOSSES
from ..nn._parametric_activation import MIXABLE
from ._docstrings import ESTIMATOR_DOC
from ._network import new_tabular_network, tabular_layers
from ._preprocessing import TabularPreprocessor

#: Rows from which ``early_stopping='auto'`` sets validation rows aside.
EARLY_STOPPING_MIN_ROWS = 1000
#: The largest mini-batch of ``batch_size='auto'`` (RealMLP-TD's).
MAX_AUTO_BATCH = 256

#: The settings of the training package that the tabular estimators fix:
#: Adam with beta_2 = 0.95 on a cosine schedule over ``max_iter`` epochs,
#: no L2 penalty (decoupled weight decay instead), every epoch run (the best
#: validated one kept).
_FIXED = dict(
    solver="adam", learning_rate="cosine", beta_1=0.9, beta_2=0.95, epsilon=1e-8,
    warmup_fraction=None, alpha=0.0, max_grad_norm=None, tol=0.0, n_iter_no_change=np.inf,
    shuffle=True, n_init=1, n_jobs=None, scoring=None, warm_start=False,
    # Read by resolve_options' checks, but the network is built here.
    activation="relu", dropout=0.0, input_dropout=0.0, normalization=None,
    normalization_epsilon=1e-5, batch_norm_momentum=0.1, weight_init="glorot_uniform",
    momentum=0.9, nesterovs_momentum=True, power_t=0.5, max_fun=15000,
)


class _TabularMLP(CallbackSupportMixin, BaseEstimator):
    """What the two tabular estimators share; use the subclasses."""

    _parameter_constraints: dict = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"auto", *MIXABLE})],
        "periodic_embeddings": ["boolean"],
        "feature_scaling": ["boolean"],
        "robust_scaling": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    #: The activation of ``activation='auto'`` (RealMLP-TD's for the task).
    _auto_activation = None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the preprocessing and the network to the table ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The table: numeric columns may hold NaN.
        y : array-like of shape (n_samples,)
            Class labels or real values.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            Naming the column, for a numeric column with a value that is not
            a number, with infinity, or without any value.
        """
        before = self.__dict__.copy()
        try:
            self._fit(X, y)
        except BaseException:  # a failed fit leaves the estimator as it was
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    def _fit(self, X, y):
        callbacks = callbacks_of(self)
        if any(isinstance(callback, Checkpoint) for callback in callbacks):
            raise ValueError(
                f"{type(self).__name__} does not take a Checkpoint yet: its fit cannot resume."
            )
        X = self._check_shape(X, fitted=False)
        preprocessor = TabularPreprocessor(
            categorical_features=self.categorical_features,
            scaling="robust" if self.robust_scaling else "standard",
            smooth_clip=3.0 if self.robust_scaling else None,
        ).fit(X)
        A = preprocessor.transform(X).astype(np.float32)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = self._check_target(y, A.shape[0])
        options = resolve_options(self._training_params(A.shape[0]))
        random_state = check_random_state(self.random_state)
        context = None  # without callbacks no task is opened (open_progress: Silent)
        if callbacks:
            context = init_callback_context(self, max_subtasks=options.n_subtasks)
        with open_progress(self, context, callbacks, X, y, None) as progress:
            targets = self._targets(y, A.dtype)
            stratify = targets.stratify(targets.encoded) if options.early_stopping else None
            data = TrainingData(A, targets.encoded, stratify=stratify)
            score = early_stopping_score(self, targets, options) if options.early_stopping else None
            # The callbacks' snapshots predict with the network being trained.
            progress.fixed = {**_input_attributes(preprocessor), **targets.attributes}
            fitted = fit_model(
                options, data, targets.loss,
                network=self._new_network(preprocessor, A, targets, options, random_state),
                score=score, progress=progress, random_state=random_state,
            )
            progress.fitted = self._commit(preprocessor, targets, fitted)

    def _new_network(self, preprocessor, A, targets, options, random_state):
        """The network for the columns of ``preprocessor``, initialised on the rows ``A``."""
        layers = tabular_layers(
            preprocessor, targets.encoded.shape[1],
            hidden_layer_sizes=options.network.hidden_layer_sizes,  # checked
            activation=self._auto_activation if self.activation == "auto" else self.activation,
            dropout=self.dropout, periodic_embeddings=self.periodic_embeddings,
            feature_scaling=self.feature_scaling,
        )
        return new_tabular_network(layers, A, random_state)

    def _training_params(self, n_rows):
        """The parameters of the training package for a table of ``n_rows`` rows."""
        early_stopping = self.early_stopping
        if early_stopping == "auto":
            early_stopping = n_rows >= EARLY_STOPPING_MIN_ROWS
        batch_size = self.batch_size
        if batch_size == "auto":
            batch_size = min(MAX_AUTO_BATCH, n_rows)
        return {
            **_FIXED,
            "hidden_layer_sizes": self.hidden_layer_sizes,
            "early_stopping": bool(early_stopping),
            "batch_size": batch_size,
            **{name: getattr(self, name) for name in (
                "learning_rate_init", "weight_decay", "max_iter", "validation_fraction",
                "random_state", "verbose",
            )},
        }

    def _commit(self, preprocessor, targets, fitted):
        """Set the fitted attributes of a fit that succeeded: the only writer."""
        for name in [name for name in vars(self) if name.endswith("_")]:
            del self.__dict__[name]  # none of an earlier fit outlives this one
        self.__dict__.update(
            {**_input_attributes(preprocessor), **targets.attributes, **fitted.attributes()}
        )
        return vars(self)

    def _raw_output(self, X):
        """The network's raw outputs (logits, standardised values) for the table X.

        The network trains in float32; it predicts in float64 (its products
        with float64 inputs are), so that a row's prediction does not
        depend on the other rows (the order of BLAS's sums, at 1e-7 in
        float32).
        """
        A = self.preprocessor_.transform(self._check_shape(X, fitted=True))
        return self._network.forward(A, training=False)

    def _check_shape(self, X, *, fitted):
        """``X`` with its shape checked in this estimator's name, as HGBT's errors name it.

        Fitted, its names and width too. The preprocessor checks the values.
        Nothing is written (``reset=False``): `_commit` sets the fitted
        attributes.
        """
        if not hasattr(X, "columns"):
            X = check_array(X, dtype=None, ensure_all_finite=False, estimator=self)
        if fitted:
            validate_data(self, X, skip_check_array=True, reset=False)
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags


def _input_attributes(preprocessor):
    """The fitted attributes of the input: the preprocessing and the columns seen."""
    attributes = {"preprocessor_": preprocessor, "n_features_in_": preprocessor.n_features_in_}
    if hasattr(preprocessor, "feature_names_in_"):
        attributes["feature_names_in_"] = preprocessor.feature_names_in_
    return attributes


class StandardizedValues(Targets):
    """The regressor's targets, trained on standardised: ``(y - mean) / std``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    dtype : numpy dtype
    """

    metric = staticmethod(r2_score)

    def __init__(self, y, dtype):
        self.mean, self.scale = _mean_and_std(np.asarray(y, dtype=np.float64))
        # A constant target has scale 0: its predictions are its value.
        self.attributes = {"_y_mean": self.mean, "_y_scale": self.scale}
        super().__init__(y, dtype, LOSSES["squared_error"]())

    def encode(self, y):
        return (np.asarray(y, dtype=np.float64) - self.mean) / (self.scale or 1.0)

    def decode(self, Y):
        return Y.ravel().astype(np.float64) * self.scale + self.mean


def _mean_and_std(y):
    """The mean and standard deviation of ``y``, in units of its largest value.

    ``np.std`` squares ``y``: the squares of 1e200 overflow to inf, those of
    1e-300 underflow to 0.
    """
    unit = float(np.max(np.abs(y)))
    if unit == 0.0:
        return 0.0, 0.0
    y = y / unit
    return float(np.mean(y)) * unit, float(np.std(y)) * unit


class TabularMLPClassifier(ClassifierMixin, _TabularMLP):
    __doc__ = ESTIMATOR_DOC.format(
        summary="Multi-layer perceptron classifier for tables.",
        hgbt="HistGradientBoostingClassifier",
        auto_activation="'selu'",
        metric="accuracy",
        extra_parameters="""
    label_smoothing : float in [0, 1), default=0.1
        Train on smoothed targets: each one-hot target becomes
        ``(1 - label_smoothing) y + label_smoothing / n_classes`` (a binary
        target ``(1 - label_smoothing) y + label_smoothing / 2``).
""",
        extra_attributes="""    classes_ : ndarray of shape (n_classes,)
        The class labels.

""",
        example="""    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from skmlp import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = TabularMLPClassifier(max_iter=16, random_state=0).fit(X_train, y_train)
    >>> clf.score(X_test, y_test) > 0.95
    True""",
    )

    _parameter_constraints = {
        **_TabularMLP._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    _auto_activation = "selu"

    def __init__(self, *, categorical_features="from_dtype", hidden_layer_sizes=(256, 256, 256),
                 activation="auto", periodic_embeddings=True, feature_scaling=True,
                 robust_scaling=True, dropout=0.15, weight_decay=0.02, label_smoothing=0.1,
                 learning_rate_init=0.005, max_iter=64, batch_size="auto",
                 early_stopping="auto", validation_fraction=0.2, random_state=None,
                 verbose=False):
        self.categorical_features = categorical_features
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.periodic_embeddings = periodic_embeddings
        self.feature_scaling = feature_scaling
        self.robust_scaling = robust_scaling
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    def _check_target(self, y, n_rows):
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None, input_name="y"), warn=True)
        check_consistent_length(y, np.empty(n_rows))
        check_classification_targets(y)
        return y

    def _targets(self, y, dtype):
        binarizer = LabelBinarizer().fit(y)
        return Labels(y, dtype, binarizer, binarizer.classes_, self.label_smoothing,
                      stratified=True)

    def predict_proba(self, X):
        """Probability of each class in ``classes_``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities, in the order of ``classes_``. With two
            classes, or one (then, as HistGradientBoostingClassifier's,
            ``[1, 0]``: the one class is certain), two columns.
        """
        check_is_fitted(self)
        proba = self._loss.output(self._raw_output(X))
        if len(self.classes_) == 1:
            # Every training row is of it. The network, trained on smoothed
            # targets, would say 0.95 at best (0.22 after 3 epochs).
            return np.hstack([np.ones_like(proba), np.zeros_like(proba)])
        if proba.shape[1] == 1:
            return np.hstack([1.0 - proba, proba])
        return proba

    def predict(self, X):
        """The most probable class of each row.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predicted class labels.
        """
        check_is_fitted(self)
        return decode_labels(self._label_binarizer, self._loss.output(self._raw_output(X)))


class TabularMLPRegressor(RegressorMixin, _TabularMLP):
    __doc__ = ESTIMATOR_DOC.format(
        summary="Multi-layer perceptron regressor for tables.\n\n    The targets are "
                "standardised for training; predictions are in their units.",
        hgbt="HistGradientBoostingRegressor",
        auto_activation="'mish'",
        metric="R^2",
        extra_parameters="",
        extra_attributes="",
        example="""    >>> import numpy as np
    >>> import pandas as pd
    >>> from skmlp import TabularMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"size": rng.uniform(20, 200, 600),
    ...                   "city": pd.Categorical(rng.choice(["Lima", "Oslo", "Rome"], 600))})
    >>> y = 1000 * X["size"] * (1 + X["city"].cat.codes) + rng.normal(0, 1e4, 600)
    >>> reg = TabularMLPRegressor(max_iter=16, random_state=0).fit(X[:400], y[:400])
    >>> reg.score(X[400:], y[400:]) > 0.95
    True""",
    )

    _auto_activation = "mish"

    def __init__(self, *, categorical_features="from_dtype", hidden_layer_sizes=(256, 256, 256),
                 activation="auto", periodic_embeddings=True, feature_scaling=True,
                 robust_scaling=True, dropout=0.15, weight_decay=0.02,
                 learning_rate_init=0.005, max_iter=64, batch_size="auto",
                 early_stopping="auto", validation_fraction=0.2, random_state=None,
                 verbose=False):
        self.categorical_features = categorical_features
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.periodic_embeddings = periodic_embeddings
        self.feature_scaling = feature_scaling
        self.robust_scaling = robust_scaling
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    def _check_target(self, y, n_rows):
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=np.float64, input_name="y"),
                         warn=True)
        check_consistent_length(y, np.empty(n_rows))
        return y

    def _targets(self, y, dtype):
        return StandardizedValues(y, dtype)

    def predict(self, X):
        """The predicted value of each row, in the units of ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predicted values.
        """
        check_is_fitted(self)
        return self._raw_output(X).ravel() * self._y_scale + self._y_mean
