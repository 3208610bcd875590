"""What MLPClassifier and MLPRegressor share: parameters, fit, commit, predict.

`BaseMultilayerPerceptron` checks the parameters (declaratively, then
across parameters in `resolve_options`) and the data, hands both to the
training package (`skmlp._training.fit_model`), which returns a fitted
model, and commits it (`_commit`, the only writer of fitted state). The
targets (labels or values: encoding, decoding, the loss) are the
subclasses' (`~skmlp._targets.Targets`).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.utils import check_random_state

from ._attributes import LayerView
from ._compat import (
    Interval,
    Options,
    StrOptions,
    _fit_context,
    callbacks_of,
    init_callback_context,
)
from ._inference import check_predict_input
from ._threads import threads_for_fit, threads_for_predict
from ._early_stopping import check_validation_data, early_stopping_score
from ._training import fit_model, resolve_options
from ._training.data import TrainingData
from ._training.model import Start, continue_network
from ._training.progress import open_progress
from ._training.record import TrainingRecord
from ._training.weights import training_weights
from .callback import Checkpoint
from .nn import ACTIVATIONS, BatchNorm, Dense, LayerNorm

#: skmlp's own attributes, which exist only with their option (drop-in rule).
_OPTIONAL = (
    "restart_scores_", "validation_loss_curve_", "learning_rate_curve_", "clipped_fraction_"
)


class BaseMultilayerPerceptron(CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the two estimators; use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS)), "array-like"],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [
            StrOptions({"constant", "invscaling", "adaptive", "cosine", "one_cycle"})
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "input_dropout": [Interval(Real, 0, 1, closed="left")],
        "normalization": [StrOptions({"batch", "layer"}), None],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="left")],
        "normalization_epsilon": [Interval(Real, 0, None, closed="neither")],
        "weight_init": [StrOptions({"glorot_uniform", "he_uniform"})],
        "scoring": [str, callable, None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left"), None],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
    }

    # Fitted attributes that are views of the network (see LayerView).
    coefs_ = LayerView(Dense, "W", settable=True)
    intercepts_ = LayerView(Dense, "b", settable=True)
    normalization_scales_ = LayerView((BatchNorm, LayerNorm), "gamma")
    normalization_offsets_ = LayerView((BatchNorm, LayerNorm), "beta")
    running_means_ = LayerView(BatchNorm, "running_mean")
    running_vars_ = LayerView(BatchNorm, "running_var")

    # ------------------------------------------------------------------ #
    # Fitting
    # ------------------------------------------------------------------ #
    def _fit(self, X, y, sample_weight=None, validation_data=(None,) * 3, *, incremental=False):
        """Fit, atomically: if anything raises, the estimator is as before.

        The parameters are resolved first, then the fit is a task for
        scikit-learn's callbacks (whose teardown, by ``_fit_context``,
        follows a failed fit too); training trains copies of a fitted
        network and returns the fitted model, committed only at the end.
        Validation sets ``n_features_in_`` (scikit-learn's ``validate_data``):
        a failed fit puts the attributes back.
        """
        callbacks = callbacks_of(self)
        options = resolve_options(
            self.get_params(deep=False),
            fitted="_network" in self.__dict__,
            incremental=incremental,
            validation_given=tuple(value is not None for value in validation_data),
            checkpoints=[callback for callback in callbacks if isinstance(callback, Checkpoint)],
        )
        context = None  # without callbacks no task is opened (open_progress: Silent)
        if callbacks:
            context = init_callback_context(self, max_subtasks=options.n_subtasks)
        before = self.__dict__.copy()
        try:
            with (
                open_progress(self, context, callbacks, X, y, sample_weight) as progress,
                threads_for_fit(self, X),
            ):
                random_state = check_random_state(self.random_state)
                targets, data, start = self._training_data(
                    X, y, sample_weight, validation_data, options
                )
                score = None
                if options.early_stopping:
                    score = early_stopping_score(self, targets, options)
                progress.fixed = targets.attributes  # for the callbacks' snapshots
                fitted = fit_model(
                    options, data, targets.loss, start=start, score=score,
                    progress=progress, random_state=random_state,
                )
                progress.fitted = self._commit(targets, fitted)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    def _commit(self, targets, fitted):
        """Set the fitted attributes of a fit that succeeded: the only writer.

        The attributes only skmlp has exist only with their option
        (``restart_scores_`` with ``n_init > 1``, ``validation_loss_curve_``
        with validation data, ``learning_rate_curve_`` with a schedule,
        ``clipped_fraction_`` with ``max_grad_norm``): those this fit did not
        produce are removed, so that with the defaults ``hasattr`` answers
        as for scikit-learn.
        """
        attributes = {**targets.attributes, **fitted.attributes()}
        for name in _OPTIONAL:
            if name not in attributes:
                self.__dict__.pop(name, None)
        self.__dict__.update(attributes)
        return vars(self)

    def _training_data(self, X, y, sample_weight, validation_data, options):
        """The targets, the checked `TrainingData`, and the `Start` of a continued fit.

        The checks of the parameters come before those of the data, and
        those that need the data after them, as scikit-learn orders them.
        """
        # How X is checked (each subclass checks its y). X keeps its dtype if
        # float32 or float64, except with L-BFGS, which trains in float64 as
        # scikit-learn's does (it unpacks SciPy's float64 iterate into its
        # coefficients, so its float32 input meets float64 weights from the
        # first step on). A new fit resets the features seen. scikit-learn's
        # finiteness check sums X: +inf and -inf together make numpy warn
        # before the clear "Input X contains infinity" error (errstate).
        checks = {
            "accept_sparse": ["csr", "csc"],
            "multi_output": True,
            "dtype": (np.float64, np.float32) if options.stochastic else np.float64,
            "reset": not options.continued,
        }
        X, y, targets = self._validate_input(X, y, options, checks)
        # As scikit-learn, nothing to check without weights, unless batch
        # normalisation needs a minimum of rows.
        if (sample_weight is not None or options.class_weight is not None
                or options.batches.min_size > 1):
            sample_weight = training_weights(
                sample_weight, X, y, options.class_weight, min_rows=options.batches.min_size
            )
        validation = None
        if validation_data[0] is not None:
            validation = check_validation_data(self, *validation_data, X.dtype, y, targets)
        y_encoded = targets.encoded
        start = None
        if options.continued:
            start = Start(
                continue_network(self._network, options.network, y_encoded.shape[1]),
                TrainingRecord.from_fitted(self.__dict__),
                self._loss,  # the targets' loss: the same object if it goes on
            )
        stratify = None
        if options.early_stopping and validation is None:
            stratify = targets.stratify(y_encoded)
        return targets, TrainingData(X, y_encoded, sample_weight, validation, stratify), start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The input data; sparse CSR or CSC input stays sparse.

        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers
            in regression).

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        X_val : {ndarray, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping instead of a held-out
            ``validation_fraction`` of X (needs ``early_stopping=True``).

        y_val : ndarray of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of the validation data (classes seen in `y`).

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation data.

        Returns
        -------
        self : object
            Returns a trained MLP model.

        Notes
        -----
        Validation data, callbacks (:mod:`sklearn.callback`) and Ctrl-C,
        which stops a stochastic fit at the end of a mini-batch and leaves
        the estimator fitted: see the user guide, "Validation data,
        callbacks and interrupting a fit".
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=False,
            validation_data=(X_val, y_val, sample_weight_val),
        )

    # ------------------------------------------------------------------ #
    # Prediction
    # ------------------------------------------------------------------ #
    def _predict(self, X, check_input=True):
        """Predictions (labels, values) for X, as ``predict`` returns them."""
        return self._decode_target(self._forward_pass_fast(X, check_input=check_input))

    def _forward_pass_fast(self, X, check_input=True):
        """Output-layer predictions (probabilities, means) for X."""
        return self._loss.output(self._raw_output(X, check_input=check_input))

    def _raw_output(self, X, check_input=True):
        """The last layer's raw outputs (logits, linear predictors) for X.

        Inputs far outside what the network was trained on can overflow its
        products; that is an error naming the cause, not a silent nan.
        """
        if not check_input:
            return self._network.forward(X, training=False)
        X = check_predict_input(self, X)
        with np.errstate(over="ignore", invalid="ignore"), threads_for_predict(self._network, X):
            raw = self._network.forward(X, training=False)
        if not np.isfinite(raw).all():
            raise ValueError(
                "The network's outputs overflow for this X: its values are too large "
                "for the fitted weights. Scale X as the training data was scaled."
            )
        return raw
