"""TabularMLPClassifier and TabularMLPRegressor: MLPs for tables, better by default.

A fit: the training package's options are derived from the table and the
parameters (`_rule`), the early-stopping validation rows are set aside (`_rows`),
then the table's columns are prepared (`TabularPreprocessor`, statistics
fitted on the training rows), the targets are encoded (the classifier's
`Labels`, the regressor's `StandardizedValues`; an ``X_val`` given to ``fit``
is prepared and its ``y_val`` encoded alike, in place of the validation
rows), and the training package trains the network (`skmlp._training.fit_model`), which it builds for the
columns (`NewTabularNetwork`, initialised on the training rows; once per
restart) or continues (a warm start: the first fit's preprocessing, network
and targets kept, `_continue`), and returns the fitted model, committed at
the end (`_commit`, the only writer of fitted state).
"""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.callback import CallbackSupportMixin
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
from .. import _threads
from .._early_stopping import early_stopping_score, validation_of
from ..callback import Checkpoint
from .._training import fit_model
from .._training.model import Start
from .._training.progress import open_progress
from .._training.record import TrainingRecord
from .._training.weights import check_weights
from ..nn._parametric_activation import MIXABLE
from ._docstrings import CLASSIFIER_DOC, FIT_DOC, REGRESSOR_DOC
from ._columns import check_frame_shape
from ._continue import check_same_classes, check_same_columns, check_same_network
from ._network import NewTabularNetwork, layer_settings
from ._preprocessing import TabularPreprocessor, check_numeric_columns, network_inputs
from ._rows import split_rows, take_rows, training_data
from ._rule import tabular_options
from ._targets import StandardizedValues

class _TabularMLP(CallbackSupportMixin, BaseEstimator):
    """What the two tabular estimators share; use the subclasses."""

    _parameter_constraints: dict = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"auto", *MIXABLE})],
        "periodic_embeddings": ["boolean"],
        "feature_scaling": ["boolean"],
        "robust_scaling": ["boolean"],
        "ntk_parametrization": ["boolean"],
        "parametric_activation": ["boolean"],
        "max_one_hot_categories": [Interval(Integral, 0, None, closed="left"), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_init": [Interval(Integral, 1, None, closed="left")],
    }

    #: The activation of ``activation='auto'`` (RealMLP-TD's for the task).
    _auto_activation = None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        before = self.__dict__.copy()
        try:
            self._fit(X, y, sample_weight, (X_val, y_val, sample_weight_val))
        except BaseException:  # a failed fit leaves the estimator as it was
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    fit.__doc__ = FIT_DOC

    def _fit(self, X, y, sample_weight, validation_data):
        callbacks = callbacks_of(self)
        X, y, sample_weight = self._check_data(X, y, sample_weight)
        options = tabular_options(
            self.get_params(deep=False), X.shape[0], fitted="_network" in self.__dict__,
            validation_given=tuple(value is not None for value in validation_data),
            checkpoints=[callback for callback in callbacks if isinstance(callback, Checkpoint)],
        )
        settings = self._network_settings(options)
        if options.continued:
            self._check_continuable(X, settings)
        random_state = check_random_state(self.random_state)
        # The split comes first: what is fitted below sees the training rows only.
        train = validation = None  # with X_val, no split: every row trains
        if validation_data[0] is None:
            train, validation = split_rows(X.shape[0], options, random_state,
                                           y if is_classifier(self) else None, sample_weight)
        preprocessor = self._preprocessor(X, train, options.continued)
        A = network_inputs(preprocessor, X).astype(np.float32)
        context = None  # without callbacks no task is opened (open_progress: Silent)
        if callbacks:
            context = init_callback_context(self, max_subtasks=options.n_subtasks)
        with (
            open_progress(self, context, callbacks, X, y, sample_weight) as progress,
            # The preprocessed columns stand for the first layer's inputs (the
            # embeddings widen them). On a busy machine this is one thread: on
            # OpenBLAS's two, a default fit on 3,000 rows took 3.5 times as long.
            _threads.threads_for_batches(
                min(options.batches.batch_size, A.shape[0]),
                [A.shape[1], *options.network.hidden_layer_sizes],
            ),
        ):
            targets = self._targets(y, train, A.dtype, options.continued)
            given = self._given_validation(validation_data, preprocessor, y, targets)
            data = training_data(A, targets, y, sample_weight, train, validation, given)
            score = early_stopping_score(self, targets, options) if options.early_stopping else None
            # The callbacks' snapshots predict with the network being trained.
            progress.fixed = {**_input_attributes(preprocessor), **targets.attributes}
            fitted = fit_model(
                options, data, targets.loss, score=score, progress=progress,
                random_state=random_state,
                **self._model(options.continued, preprocessor, targets, settings, data.X),
            )
            progress.fitted = self._commit(preprocessor, targets, fitted, settings)

    def _check_data(self, X, y, sample_weight):
        """``X``'s shape, ``y`` and ``sample_weight`` checked, with HGBT's errors."""
        X = self._check_shape(X, fitted=False)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = self._check_target(y)
        check_consistent_length(X, y)  # [n_X, n_y], as HGBT's message lists them
        return X, y, check_weights(sample_weight, X)

    def _given_validation(self, validation_data, preprocessor, y, targets):
        """The `Validation` of the ``X_val``, ``y_val``, ``sample_weight_val`` given; or None.

        ``X_val`` is checked as ``predict`` checks X, against the columns of
        this fit's X (``preprocessor``'s), and prepared by the preprocessing
        fitted on the training rows; ``y_val`` is checked against ``y`` and
        encoded as it (`validation_of`, the MLPs' checks).
        """
        X_val, y_val, sample_weight_val = validation_data
        if X_val is None:
            return None
        X_val = self._check_shape(X_val, fitted=False)
        seen = copy.copy(self)  # as fitted on X: validate_data compares with its attributes
        for name in ("n_features_in_", "feature_names_in_"):
            seen.__dict__.pop(name, None)
        seen.__dict__.update(_input_attributes(preprocessor))
        validate_data(seen, X_val, skip_check_array=True, reset=False)
        A_val = network_inputs(preprocessor, X_val).astype(np.float32)
        return validation_of(A_val, y_val, sample_weight_val, y, targets,
                             numeric=not is_classifier(self))

    def _model(self, continued, preprocessor, targets, settings, X):
        """What `fit_model` trains: ``start``, or a ``network`` factory for the rows ``X``.

        A warm start trains a copy of the fitted network (a failed fit
        leaves the fitted one as it was); a new fit builds one per restart
        for the columns of ``preprocessor``, initialised on ``X``.
        """
        if continued:
            return {"start": Start(self._network.copy(),
                                   TrainingRecord.from_fitted(self.__dict__), self._loss)}
        return {"network": NewTabularNetwork(
            preprocessor, targets.encoded.shape[1], layer_settings(settings), X
        )}

    def _network_settings(self, options):
        """The parameters that shape the network and its inputs, resolved."""
        return {
            "hidden_layer_sizes": options.network.hidden_layer_sizes,  # checked
            "activation": self._auto_activation if self.activation == "auto" else self.activation,
            "dropout": self.dropout,
            "periodic_embeddings": self.periodic_embeddings,
            "feature_scaling": self.feature_scaling,
            "robust_scaling": self.robust_scaling,
            "ntk_parametrization": self.ntk_parametrization,
            "parametric_activation": self.parametric_activation,
            "max_one_hot_categories": self.max_one_hot_categories,
        }

    def _check_continuable(self, X, settings):
        """A warm start takes the columns and the network of the fitted model, or raises."""
        check_same_columns(self.preprocessor_, X, self.categorical_features, type(self).__name__)
        validate_data(self, X, skip_check_array=True, reset=False)  # warns of names, as predict
        check_same_network(self._fitted_settings, settings)

    def _preprocessor(self, X, train, continued):
        """The fitted preprocessing: fitted on the rows ``train``, or a warm start's kept."""
        if continued:
            return self.preprocessor_
        if train is not None:  # an error names a bad value by its row of X, not of X[train]
            check_numeric_columns(X, self.categorical_features)
        return TabularPreprocessor(
            categorical_features=self.categorical_features,
            scaling="robust" if self.robust_scaling else "standard",
            smooth_clip=3.0 if self.robust_scaling else None,
            max_one_hot_categories=self.max_one_hot_categories,
        ).fit(take_rows(X, train))

    def _commit(self, preprocessor, targets, fitted, settings):
        """Set the fitted attributes of a fit that succeeded: the only writer."""
        for name in [name for name in vars(self) if name.endswith("_")]:
            del self.__dict__[name]  # none of an earlier fit outlives this one
        self.__dict__.update(
            {**_input_attributes(preprocessor), **targets.attributes, **fitted.attributes(),
             "_fitted_settings": settings}
        )
        return vars(self)

    def _raw_output(self, X):
        """The network's raw outputs (logits, standardised values) for the table X.

        The network trains in float32; it predicts in float64 (its products
        with float64 inputs are), so that a row's prediction does not
        depend on the other rows (the order of BLAS's sums, at 1e-7 in
        float32).
        """
        A = network_inputs(self.preprocessor_, self._check_shape(X, fitted=True))
        with _threads.threads_for_predict(self._network, A):
            return self._network.forward(A, training=False)

    def _check_shape(self, X, *, fitted):
        """``X`` with its shape checked in this estimator's name, as HGBT's errors name it.

        Fitted, its names and width too. The preprocessor checks the values.
        Nothing is written (``reset=False``): `_commit` sets the fitted
        attributes.
        """
        if hasattr(X, "columns"):
            check_frame_shape(X, type(self).__name__)
        else:
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


class TabularMLPClassifier(ClassifierMixin, _TabularMLP):
    __doc__ = CLASSIFIER_DOC

    _parameter_constraints = {
        **_TabularMLP._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    _auto_activation = "selu"

    def __init__(self, *, categorical_features="from_dtype", hidden_layer_sizes=(256, 256, 256),
                 activation="auto", periodic_embeddings=True, feature_scaling=True,
                 robust_scaling=True, ntk_parametrization=True, parametric_activation=True,
                 max_one_hot_categories=8, dropout=0.15, weight_decay=0.02, label_smoothing=0.1,
                 learning_rate_init=0.005, max_iter=64, batch_size="auto",
                 early_stopping="auto", validation_fraction=0.2, random_state=None,
                 verbose=False, warm_start=False, n_init=1):
        self.categorical_features = categorical_features
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.periodic_embeddings = periodic_embeddings
        self.feature_scaling = feature_scaling
        self.robust_scaling = robust_scaling
        self.ntk_parametrization = ntk_parametrization
        self.parametric_activation = parametric_activation
        self.max_one_hot_categories = max_one_hot_categories
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
        self.warm_start = warm_start
        self.n_init = n_init

    def _check_target(self, y):
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None, input_name="y"), warn=True)
        check_classification_targets(y)
        return y

    def _targets(self, y, train, dtype, continued):
        """The labels of the training rows ``train`` (all for None); the classes of all.

        A warm start keeps the fitted classes (and loss, while
        ``label_smoothing`` is the same); ``y`` must have the same.
        """
        if not continued:
            binarizer = LabelBinarizer().fit(y)
        else:
            check_same_classes(y, self.classes_)
            binarizer = self._label_binarizer
        return Labels(take_rows(y, train), dtype, binarizer, binarizer.classes_,
                      self.label_smoothing, stratified=True,
                      fitted_loss=self._loss if continued else None)

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
    __doc__ = REGRESSOR_DOC

    _auto_activation = "mish"

    def __init__(self, *, categorical_features="from_dtype", hidden_layer_sizes=(256, 256, 256),
                 activation="auto", periodic_embeddings=True, feature_scaling=True,
                 robust_scaling=True, ntk_parametrization=True, parametric_activation=True,
                 max_one_hot_categories=8, dropout=0.15, weight_decay=0.02,
                 learning_rate_init=0.005, max_iter=64, batch_size="auto",
                 early_stopping="auto", validation_fraction=0.2, random_state=None,
                 verbose=False, warm_start=False, n_init=1):
        self.categorical_features = categorical_features
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.periodic_embeddings = periodic_embeddings
        self.feature_scaling = feature_scaling
        self.robust_scaling = robust_scaling
        self.ntk_parametrization = ntk_parametrization
        self.parametric_activation = parametric_activation
        self.max_one_hot_categories = max_one_hot_categories
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_init = n_init

    def _check_target(self, y):
        return column_or_1d(check_array(y, ensure_2d=False, dtype=np.float64, input_name="y"),
                            warn=True)

    def _targets(self, y, train, dtype, continued):
        """The values of the training rows ``train`` (all for None), standardised on them.

        A warm start keeps the fitted standardisation and loss: the fitted
        network's outputs are in their units.
        """
        if continued:
            return StandardizedValues(take_rows(y, train), dtype,
                                      fitted=(self._y_mean, self._y_scale, self._loss))
        return StandardizedValues(take_rows(y, train), dtype)

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
