"""The machinery that MLPClassifier and MLPRegressor share.

`BaseMultilayerPerceptron` validates the data, builds the network (see
``_architecture``), trains it with L-BFGS or a stochastic solver (see
``_stochastic``), from one seed or several (restarts), and predicts.
"""

import contextlib
import copy
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, is_classifier
from sklearn.callback import CallbackSupportMixin
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import validate_data

from . import _restarts
from ._architecture import NetworkBuilderMixin
from ._compat import (
    Interval,
    Options,
    StrOptions,
    _check_optimize_result,
    _fit_context,
    init_callback_context,
)
from ._arguments import (
    check_validation_arguments,
    check_validation_target,
    check_weights,
)
from ._data import Validation
from ._inference import check_predict_input
from ._progress import Progress
from ._stochastic import _STOCHASTIC_SOLVERS, StochasticSolverMixin, _non_finite_weights_error
from .nn import (
    ACTIVATIONS,
    LOSSES,
    BatchNorm,
    Dense,
    L2Penalty,
    LayerNorm,
    Sequential,
    minimize_lbfgs,
)


def _supports_partial_fit(estimator):
    """``partial_fit`` exists for a classifier with a stochastic solver.

    The check of scikit-learn's MLPClassifier; with ``early_stopping=True``
    the method exists and raises scikit-learn's ValueError (in
    ``_fit_unsafe``). 'balanced' class weights, an option scikit-learn's
    MLP lacks, need all the labels at once and hide it, with the message of
    scikit-learn's ``SGDClassifier``. scikit-learn's MLPRegressor always has
    ``partial_fit`` (its check is never called), and so does ours: with
    'lbfgs' it runs L-BFGS from the current weights, as there.
    """
    if estimator.solver not in _STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic"
            f" optimizers. {estimator.solver} is not stochastic."
        )
    if getattr(estimator, "class_weight", None) == "balanced":
        raise AttributeError(
            "class_weight 'balanced' is not supported for partial_fit. In order "
            "to use 'balanced' weights, use compute_class_weight('balanced', "
            "classes=classes, y=y). In place of y you can use a large enough "
            "sample of the full training set target to properly estimate the "
            "class frequency distributions. Pass the resulting weights as the "
            "class_weight parameter."
        )
    return True


class BaseMultilayerPerceptron(
    NetworkBuilderMixin, StochasticSolverMixin, CallbackSupportMixin, BaseEstimator
):
    """Shared machinery of the two estimators; use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS)), "array-like"],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
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
    }

    # ------------------------------------------------------------------ #
    # Fitted attributes that are views of the network
    # ------------------------------------------------------------------ #
    @property
    def coefs_(self):
        return [layer.W for layer in self._layers_of(Dense, "coefs_")]

    @property
    def intercepts_(self):
        return [layer.b for layer in self._layers_of(Dense, "intercepts_")]

    def _layers_of(self, kind, attribute):
        """The fitted network's layers of ``kind``, read for ``attribute``.

        Before ``fit`` the attribute does not exist, and the error names it
        (as for scikit-learn's MLP), not the private network behind it.
        """
        if "_network" not in self.__dict__:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attribute}'")
        return [layer for layer in self._network.layers if isinstance(layer, kind)]

    @property
    def normalization_scales_(self):
        layers = self._layers_of((BatchNorm, LayerNorm), "normalization_scales_")
        return [layer.gamma for layer in layers]

    @property
    def normalization_offsets_(self):
        layers = self._layers_of((BatchNorm, LayerNorm), "normalization_offsets_")
        return [layer.beta for layer in layers]

    @property
    def running_means_(self):
        return [layer.running_mean for layer in self._layers_of(BatchNorm, "running_means_")]

    @property
    def running_vars_(self):
        return [layer.running_var for layer in self._layers_of(BatchNorm, "running_vars_")]

    # ------------------------------------------------------------------ #
    # Fitting
    # ------------------------------------------------------------------ #
    def _fit(self, X, y, sample_weight=None, incremental=False, validation_data=(None,) * 3):
        """Fit, atomically: if anything raises, the estimator is as before.

        Validation mutates attributes (classes, feature names) before the
        network is touched, and a warm start trains the existing network in
        place, so both the attributes and the learned state are restored.
        The fit is a task for scikit-learn's callbacks, opened first so that
        their teardown (by ``_fit_context``) follows a failed fit too.
        """
        context = init_callback_context(self, max_subtasks=self._n_subtasks(incremental))
        progress = Progress.of_fit(self, context, X, y, sample_weight)
        progress.begin()
        attributes = self.__dict__.copy()
        fitted = hasattr(self, "_network")
        learned = (self._network.get_state(), copy.deepcopy(self._optimizer)) if fitted else None
        try:
            self._fit_unsafe(X, y, sample_weight, incremental, validation_data, progress)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(attributes)
            if fitted:
                self._network.set_state(learned[0])
                self._optimizer = learned[1]
            raise
        progress.end(self)
        return self

    def _first_pass(self, incremental):
        """Whether this fit builds a new network (rather than continue one)."""
        return not hasattr(self, "_network") or (not self.warm_start and not incremental)

    def _n_subtasks(self, incremental):
        """The subtasks of the fit for callbacks: restarts, epochs or none."""
        if self._first_pass(incremental) and self.n_init > 1:
            return self.n_init
        if self.solver not in _STOCHASTIC_SOLVERS:
            return 0
        return 1 if incremental else self.max_iter

    def _fit_unsafe(self, X, y, sample_weight, incremental, validation_data, progress):
        hidden_sizes = self._hidden_layer_sizes()
        has_validation_data = check_validation_arguments(*validation_data)
        dropout_rates = self._check_options(hidden_sizes, has_validation_data)
        first_pass = self._first_pass(incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if incremental and self.early_stopping:
            # scikit-learn's error, after its checks of the data: one batch
            # has no held-out part.
            raise ValueError("partial_fit does not support early_stopping=True")
        sample_weight = self._sample_weight(sample_weight, X, y)
        validation = (
            self._validation(*validation_data, X.dtype, y) if has_validation_data else None
        )
        y = self._encode_target(y, X.dtype)
        layers = self._build_layers(hidden_sizes, y.shape[1], dropout_rates)
        if not first_pass:
            self._network = self._continue_network(layers, y.shape[1])
        # Rows of weight 0 are no samples to batch statistics (see BatchNorm).
        n_rows = X.shape[0] if sample_weight is None else np.count_nonzero(sample_weight)
        if self.normalization == "batch" and self.solver != "lbfgs" and n_rows < 2:
            of_weight = "" if sample_weight is None else " of positive sample_weight"
            raise ValueError(
                "normalization='batch' needs at least 2 samples per mini-batch; "
                f"got {n_rows} sample{of_weight} in total."
            )
        random_state = check_random_state(self.random_state)
        if first_pass and self.n_init > 1:
            self._fit_restarts(layers, X, y, sample_weight, validation, random_state, progress)
        else:
            if first_pass:
                self._initialize(layers, X.shape[1], y.shape[1], X.dtype, random_state)
            elif not self._records_match_options():
                self._reset_records()
            self._train(X, y, sample_weight, random_state, incremental, validation, progress)
            self.restart_scores_ = np.array([self._restart_score(vars(self))])

        if not self._network.is_finite():
            raise _non_finite_weights_error()
        return self

    def _check_data(self, X, y, *, reset, dtype=None):
        """X and y validated as scikit-learn's MLP does (y 1-D for one output).

        ``dtype`` None is the training dtype: X's if float32 or float64,
        except with L-BFGS, which trains in float64 as scikit-learn's does
        (it unpacks SciPy's float64 iterate into its coefficients, so its
        float32 input meets float64 weights from the first step on).
        """
        if dtype is None:
            dtype = np.float64 if self.solver == "lbfgs" else (np.float64, np.float32)
        # scikit-learn's finiteness check sums X: +inf and -inf together make
        # numpy warn before the clear "Input X contains infinity" error.
        with np.errstate(over="ignore", invalid="ignore"):
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                y_numeric=not is_classifier(self),
                dtype=dtype,
                reset=reset,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._check_target(y)
        return X, y

    def _check_target(self, y, name="y"):
        """Checks of the target values beyond scikit-learn's; none by default."""

    def _validate_input(self, X, y, incremental, reset):
        return self._check_data(X, y, reset=reset)

    def _sample_weight(self, sample_weight, X, y):
        """The checked weight of each training row, or None."""
        # Negative weights make the weighted mean of the loss meaningless.
        return check_weights(sample_weight, X)

    def _validation(self, X_val, y_val, sample_weight_val, dtype, y):
        """Explicit validation data, checked as the training data ``y`` is."""
        with np.errstate(over="ignore", invalid="ignore"):  # as in _check_data
            X_val = validate_data(
                self, X_val, accept_sparse=["csr", "csc"], dtype=dtype, reset=False
            )
        y_val = check_validation_target(
            y_val, y, X_val.shape[0], numeric=not is_classifier(self)
        )
        self._check_target(y_val, name="y_val")
        self._check_known_targets(y_val)
        sample_weight_val = check_weights(sample_weight_val, X_val, "sample_weight_val")
        y_encoded = self._encode_target(y_val, dtype)
        return Validation(X_val, y_val, y_encoded, sample_weight_val, self._validation_scorer())

    def _check_known_targets(self, y_val):
        """Validation targets must be ones the network can output; any value can."""

    def _validation_scorer(self):
        """None (the estimator's score), 'loss' or a scorer: see ``scoring``."""
        if self.scoring is None or self.scoring == "loss":
            return self.scoring
        return check_scoring(self, scoring=self.scoring)

    def _encode_target(self, y, dtype):
        """The training target as a 2-D float array of the input's dtype."""
        with np.errstate(over="ignore"):
            encoded = np.asarray(y, dtype=dtype)
        if not np.isfinite(encoded).all():
            raise ValueError(
                f"y has values too large for {np.dtype(dtype).name}, the dtype of X; "
                "scale y, or pass X as float64."
            )
        return encoded.reshape(-1, 1) if encoded.ndim == 1 else encoded

    def _initialize(self, layers, n_features, n_outputs, dtype, random_state):
        """Build a fresh network and reset every training attribute."""
        self._loss = LOSSES[self._loss_name(n_outputs)]()
        self._network = Sequential(layers).build(n_features, dtype, random_state)
        self._optimizer = None
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(self.coefs_) + 1
        self.out_activation_ = self._loss.output_name
        self._reset_records()

    def _train(
        self, X, y, sample_weight, random_state, incremental, validation, progress, train_idx=None
    ):
        """Train the network with the solver; see `_fit_stochastic` for the rest."""
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, y, sample_weight)
        else:
            self._fit_stochastic(
                X, y, sample_weight, random_state, incremental, validation, progress, train_idx
            )

    def _fit_restarts(self, layers, X, y, sample_weight, validation, random_state, progress):
        """Train ``n_init`` networks from their own seeds and keep the best.

        The seeds come first from ``random_state``, then the validation
        split, which every restart shares so that their scores compare.
        Each restart is a task for the callbacks, with its epochs under it.
        A stochastic restart stops at the end of its mini-batch on Ctrl-C,
        also in a worker process, and the best of all so far is kept.
        """
        seeds = _restarts.draw_seeds(random_state, self.n_init)
        stochastic = self.solver in _STOCHASTIC_SOLVERS
        train_idx, deferred = None, contextlib.nullcontext()
        if stochastic:
            X = X.tocsr() if sp.issparse(X) else X
            train_idx, validation = self._split_validation(
                X, y, sample_weight, random_state, validation
            )
            deferred = progress.interrupt
        n_epochs = self.max_iter if stochastic else 0
        restarts = [
            (seed, progress.subtask("restart", n_epochs), f"restart {k + 1}/{self.n_init}")
            for k, seed in enumerate(seeds)
        ]
        with deferred:
            runs, warned = _restarts.train_restarts(
                self, restarts, self.n_jobs, layers, X, y, sample_weight, validation, train_idx
            )
        scores = [self._restart_score(run) for run in runs]
        higher_is_better = stochastic and self.early_stopping
        best = _restarts.best_restart(scores, higher_is_better=higher_is_better)
        _restarts.reraise_warnings(warned, best)
        if self.verbose:
            criterion = "best validation score" if higher_is_better else "loss"
            print(f"Kept restart {best + 1}/{self.n_init}: {criterion} {scores[best]:.8f}")
        self.__dict__.update(runs[best])
        self.restart_scores_ = np.array(scores)

    def _train_from_seed(
        self, seed, progress, label, layers, X, y, sample_weight, validation, train_idx
    ):
        """One restart: a new network from ``seed``, trained (on a copy).

        Its verbose lines start with ``[label]`` (restarts may run at once).
        """
        progress.begin()
        random_state = np.random.RandomState(seed)
        self._initialize(copy.deepcopy(layers), X.shape[1], y.shape[1], X.dtype, random_state)
        train_idx = None if train_idx is None else train_idx.copy()  # shuffled in place
        self._verbose_label = label
        try:
            self._train(X, y, sample_weight, random_state, False, validation, progress, train_idx)
        finally:
            del self._verbose_label  # not a fitted attribute
        progress.end(self)

    @staticmethod
    def _restart_score(attributes):
        """The best validation score if there was validation data, else the loss."""
        if attributes.get("validation_scores_") is not None:
            return attributes["best_validation_score_"]
        return attributes["loss_"]

    def _fit_lbfgs(self, X, y, sample_weight):
        """Minimise the objective consistent with its gradient (``consistent``).

        For the squared error of several outputs that is the sum over
        outputs; ``loss_`` is then reported at the final weights as
        scikit-learn defines it (the mean over outputs, plus the penalty).
        """
        network, loss = self._network, self._loss.consistent()

        def data_loss():
            return network.loss_gradient(X, y, loss, sample_weight=sample_weight)

        penalty = L2Penalty(self.alpha, network.n_penalized, X.shape[0], sample_weight)
        result = minimize_lbfgs(
            data_loss,
            network.params,
            network.grads,
            penalty=penalty,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
        )
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        network.params[...] = result.x
        self.loss_ = float(result.fun)
        if loss is not self._loss:
            with np.errstate(over="ignore", invalid="ignore"):  # as in the objective
                value = network.loss_gradient(X, y, self._loss, sample_weight=sample_weight)
                self.loss_ = value + penalty.value(network.params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The input data. Sparse CSR or CSC input is used as-is in the
            first layer's products.

        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers
            in regression).

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        X_val : {ndarray, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping, used instead of setting aside
            ``validation_fraction`` of the training data; needs
            ``early_stopping=True`` and a stochastic solver, as in
            :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. In a
            `Pipeline`, `X_val` can be transformed the same way as `X` with
            `Pipeline(..., transform_input=["X_val"])`.

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
        Callbacks set with ``set_callbacks`` (:mod:`sklearn.callback`) see
        the fit as a task, with one subtask per restart when ``n_init > 1``
        and, under the fit or each restart, one per epoch of a stochastic
        solver ('lbfgs' has no epoch tasks). A callback returning True at
        the end of an epoch stops training.

        Interrupting a stochastic fit (Ctrl-C, or a KeyboardInterrupt raised
        by a callback) stops training at the end of the current mini-batch
        with a warning, keeping the best validated weights with early
        stopping: the estimator is fitted and usable. Restarts still to come
        train for one mini-batch, and the best restart is kept; with
        ``n_jobs > 1`` each worker stops its own (an interrupt before the
        workers have started aborts the fit). A second Ctrl-C aborts at once
        and leaves the estimator as it was before ``fit``.
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
        with np.errstate(over="ignore", invalid="ignore"):
            raw = self._network.forward(X, training=False)
        if not np.isfinite(raw).all():
            raise ValueError(
                "The network's outputs overflow for this X: its values are too large "
                "for the fitted weights. Scale X as the training data was scaled."
            )
        return raw

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
