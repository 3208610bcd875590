"""MLPClassifier and MLPRegressor: scikit-learn's estimators on the skmlp core."""

import contextlib
import copy
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, check_scoring, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _restarts, _training
from ._compat import (
    Interval,
    Options,
    StrOptions,
    _check_optimize_result,
    _check_partial_fit_first_call,
    _check_sample_weight,
    _fit_context,
)
from ._data import Validation, check_validation_arguments, class_weighted
from ._docstrings import fill
from ._progress import Progress
from .nn import (
    ACTIVATIONS,
    LOSSES,
    SGD,
    Adam,
    BatchNorm,
    Dense,
    Dropout,
    LayerNorm,
    Sequential,
    minimize_lbfgs,
)

_STOCHASTIC_SOLVERS = ("sgd", "adam")


def _non_finite_weights_error():
    return ValueError(
        "Solver produced non-finite parameter weights. The input data may"
        " contain large values and need to be preprocessed."
    )


def _score_validation(estimator, validation):
    """A scorer's value on validation data that is already validated.

    The validated rows have lost any feature names, which the scorer's
    call to ``predict`` would warn about at every epoch.
    """
    weight = {} if validation.sample_weight is None else {"sample_weight": validation.sample_weight}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return validation.scorer(estimator, validation.X, validation.y, **weight)


def _supports_partial_fit(estimator):
    """``partial_fit`` exists only for stochastic solvers without early stopping.

    scikit-learn's MLP raises the same messages, but as a ValueError from
    inside ``partial_fit`` for early stopping; hiding the method instead lets
    ``hasattr(estimator, "partial_fit")`` tell the truth. 'balanced' class
    weights, which need all the labels at once, hide it too, with the
    message of scikit-learn's ``SGDClassifier``.
    """
    if estimator.solver not in _STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic"
            f" optimizers. {estimator.solver} is not stochastic."
        )
    if estimator.early_stopping:
        raise AttributeError("partial_fit does not support early_stopping=True")
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


class BaseMultilayerPerceptron(CallbackSupportMixin, BaseEstimator):
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
        return [layer.W for layer in self._network.layers if isinstance(layer, Dense)]

    @property
    def intercepts_(self):
        return [layer.b for layer in self._network.layers if isinstance(layer, Dense)]

    def _layers_of(self, kind):
        return [layer for layer in self._network.layers if isinstance(layer, kind)]

    @property
    def normalization_scales_(self):
        return [layer.gamma for layer in self._layers_of((BatchNorm, LayerNorm))]

    @property
    def normalization_offsets_(self):
        return [layer.beta for layer in self._layers_of((BatchNorm, LayerNorm))]

    @property
    def running_means_(self):
        return [layer.running_mean for layer in self._layers_of(BatchNorm)]

    @property
    def running_vars_(self):
        return [layer.running_var for layer in self._layers_of(BatchNorm)]

    # ------------------------------------------------------------------ #
    # Fitting
    # ------------------------------------------------------------------ #
    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(size, Integral) and not isinstance(size, bool) for size in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes}."
            )
        if np.any(np.array(sizes) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(size) for size in sizes]

    def _fit(self, X, y, sample_weight=None, incremental=False, validation_data=(None,) * 3):
        """Fit, atomically: if anything raises, the estimator is as before.

        Validation mutates attributes (classes, feature names) before the
        network is touched, and a warm start trains the existing network in
        place, so both the attributes and the learned state are restored.
        The fit is a task for scikit-learn's callbacks, opened first so that
        their teardown (by ``_fit_context``) follows a failed fit too.
        """
        context = self._init_callback_context(max_subtasks=self._n_subtasks(incremental))
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
        sample_weight = self._sample_weight(sample_weight, X, y)
        validation = self._validation(*validation_data, X.dtype) if has_validation_data else None
        y = self._encode_target(y, X.dtype)
        layers = self._build_layers(hidden_sizes, y.shape[1], dropout_rates)
        if not first_pass:
            self._check_same_network(layers, y.shape[1])
        if self.normalization == "batch" and self.solver != "lbfgs" and X.shape[0] < 2:
            raise ValueError(
                "normalization='batch' needs at least 2 samples per mini-batch; "
                f"got {X.shape[0]} sample in total."
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

    def _check_data(self, X, y, *, reset, dtype=(np.float64, np.float32)):
        """X and y validated as scikit-learn's MLP does (y 1-D for one output)."""
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

    def _check_target(self, y):
        """Checks of the target values beyond scikit-learn's; none by default."""

    def _validate_input(self, X, y, incremental, reset):
        return self._check_data(X, y, reset=reset)

    def _sample_weight(self, sample_weight, X, y):
        """The checked weight of each training row, or None."""
        if sample_weight is None:
            return None
        # Negative weights make the weighted mean of the loss meaningless.
        return _check_sample_weight(sample_weight, X, ensure_non_negative=True)

    def _validation(self, X_val, y_val, sample_weight_val, dtype):
        """Explicit validation data, checked as the training data is."""
        X_val, y_val = self._check_data(X_val, y_val, reset=False, dtype=dtype)
        self._check_known_targets(y_val)
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(sample_weight_val, X_val)
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

    def _check_same_network(self, layers, n_outputs):
        """warm_start and partial_fit continue the fitted network unchanged."""
        fitted = [repr(layer) for layer in self._network.layers]
        requested = [repr(layer) for layer in layers]
        if requested != fitted:
            raise ValueError(
                "warm_start and partial_fit continue training the fitted network "
                f"{fitted}; the current parameters and target ({n_outputs} "
                f"outputs) need {requested}. Set warm_start=False to fit a new network."
            )

    def _dropout_rates(self, n_hidden):
        """One dropout rate per hidden layer, checked."""
        rates = self.dropout
        if np.ndim(rates) == 0:
            return [float(rates)] * n_hidden
        try:
            rates = [float(rate) for rate in np.asarray(rates, dtype=float)]
        except (TypeError, ValueError):
            rates = None  # not a flat sequence of numbers
        if rates is None or len(rates) != n_hidden or not all(0 <= r < 1 for r in rates):
            raise ValueError(
                "dropout must be a float in [0, 1) or one such rate per hidden "
                f"layer ({n_hidden} for hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}); got {self.dropout!r}."
            )
        return rates

    def _activation_names(self, n_hidden):
        """One activation name per hidden layer, checked."""
        if isinstance(self.activation, str):
            return [self.activation] * n_hidden
        names = list(self.activation)
        if len(names) != n_hidden or not all(
            isinstance(name, str) and name in ACTIVATIONS for name in names
        ):
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)} or a list of them, "
                f"one per hidden layer ({n_hidden} for hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}); got {self.activation!r}."
            )
        return names

    def _check_options(self, hidden_sizes, has_validation_data):
        """Cross-parameter checks, in one place; returns the dropout rates."""
        self._activation_names(len(hidden_sizes))
        rates = self._dropout_rates(len(hidden_sizes))
        if has_validation_data and not self.early_stopping:
            raise ValueError(
                "X_val and y_val are passed to fit while at the same time "
                "early_stopping is False. When passing X_val and y_val to fit, "
                "early_stopping should be set to True."
            )
        if has_validation_data and self.solver == "lbfgs":
            raise ValueError(
                "X_val and y_val are used for early stopping, which needs "
                "solver='sgd' or 'adam'; got solver='lbfgs'."
            )
        if self.solver == "lbfgs" and (any(rates) or self.input_dropout):
            raise ValueError(
                "dropout and input_dropout need a stochastic solver: with "
                "solver='lbfgs' the line search needs a deterministic objective. "
                f"Got dropout={self.dropout!r}, input_dropout={self.input_dropout!r}; "
                "use solver='adam' or 'sgd', or set both rates to 0."
            )
        if self.normalization == "batch" and self.solver == "lbfgs":
            raise ValueError(
                "normalization='batch' needs a stochastic solver: with solver='lbfgs' "
                "the running statistics would follow the line search's trial points. "
                "Use solver='adam' or 'sgd', or normalization='layer'."
            )
        if self.normalization == "batch" and self.batch_size == 1:
            raise ValueError(
                "normalization='batch' needs mini-batches of at least 2 samples; "
                "got batch_size=1. Use a larger batch_size or normalization='layer'."
            )
        return rates

    def _build_layers(self, hidden_sizes, n_outputs, dropout_rates):
        """The layer stack.

        Per hidden layer: Dense -> normalisation (if any) -> activation ->
        dropout (if its rate is positive); then the output Dense. Input
        dropout comes first. With the default options this is exactly the
        plain network of scikit-learn.
        """
        activations = self._activation_names(len(hidden_sizes))
        layers = [Dropout(self.input_dropout)] if self.input_dropout else []
        for n_units, rate, activation in zip(hidden_sizes, dropout_rates, activations):
            layers.append(self._dense(n_units, activation))
            if self.normalization == "batch":
                layers.append(
                    BatchNorm(momentum=self.batch_norm_momentum, epsilon=self.normalization_epsilon)
                )
            elif self.normalization == "layer":
                layers.append(LayerNorm(epsilon=self.normalization_epsilon))
            layers.append(ACTIVATIONS[activation]())
            if rate:
                layers.append(Dropout(rate))
        # scikit-learn initialises the output layer as the hidden ones.
        layers.append(self._dense(n_outputs, activations[-1] if activations else self.activation))
        return layers

    def _dense(self, n_units, activation):
        """A dense layer initialised for the activation that follows it."""
        if self.weight_init == "he_uniform":
            return Dense(n_units, init_factor=6.0, fan="in")
        # scikit-learn's Glorot factor: 2 for logistic units, 6 otherwise.
        return Dense(n_units, init_factor=2.0 if activation == "logistic" else 6.0)

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

    def _records_match_options(self):
        """Whether the recorded curves are those the current options keep.

        A warm start may switch solver or early stopping between fits.
        """
        if self.solver not in _STOCHASTIC_SOLVERS:
            return True
        return hasattr(self, "loss_curve_") and (
            (self.validation_scores_ is not None) == self.early_stopping
        )

    def _reset_records(self):
        """Empty training records (curves, best scores) for the current options."""
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.validation_loss_curve_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.validation_scores_ = None
                self.validation_loss_curve_ = None
                self.best_validation_score_ = None
                self.best_loss_ = np.inf

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
        restarts = [(seed, progress.subtask("restart", n_epochs)) for seed in seeds]
        with deferred:
            runs = _restarts.train_restarts(
                self, restarts, self.n_jobs, layers, X, y, sample_weight, validation, train_idx
            )
        scores = [self._restart_score(run) for run in runs]
        higher_is_better = stochastic and self.early_stopping
        self.__dict__.update(runs[_restarts.best_restart(scores, higher_is_better=higher_is_better)])
        self.restart_scores_ = np.array(scores)

    def _train_from_seed(
        self, seed, progress, layers, X, y, sample_weight, validation, train_idx
    ):
        """One restart: a new network from ``seed``, trained (on a copy)."""
        progress.begin()
        random_state = np.random.RandomState(seed)
        self._initialize(copy.deepcopy(layers), X.shape[1], y.shape[1], X.dtype, random_state)
        train_idx = None if train_idx is None else train_idx.copy()  # shuffled in place
        self._train(X, y, sample_weight, random_state, False, validation, progress, train_idx)
        progress.end(self)

    @staticmethod
    def _restart_score(attributes):
        """The best validation score if there was validation data, else the loss."""
        if attributes.get("validation_scores_") is not None:
            return attributes["best_validation_score_"]
        return attributes["loss_"]

    def _fit_lbfgs(self, X, y, sample_weight):
        network, loss = self._network, self._loss

        def objective(theta):
            network.params[...] = theta
            # Trial points of the line search may overflow; L-BFGS handles
            # their inf objective, and the fit checks the final weights.
            with np.errstate(over="ignore", invalid="ignore"):
                value = network.loss_gradient(
                    X, y, loss, sample_weight=sample_weight, alpha=self.alpha
                )
            return value, network.grads.astype(np.float64)

        result = minimize_lbfgs(
            objective,
            network.params,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
        )
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)
        network.params[...] = result.x

    def _continue_optimizer(self):
        """The optimiser for this fit, carrying on from the fitted one's state.

        A fresh network (``_initialize``) has none; otherwise warm_start and
        partial_fit continue its moments, velocity and step count with the
        current settings. scikit-learn restarts the optimiser at every warm
        start (but not in partial_fit, where it ignores changed settings).
        """
        optimizer = self._make_optimizer()
        previous = self._optimizer
        if previous is not None and type(previous) is type(optimizer):
            optimizer.continue_from(previous)
        return optimizer

    def _make_optimizer(self):
        if self.solver == "sgd":
            return SGD(
                self.learning_rate_init,
                lr_schedule=self.learning_rate,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                power_t=self.power_t,
            )
        return Adam(
            self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    def _fit_stochastic(
        self, X, y, sample_weight, random_state, incremental, validation, progress, train_idx=None
    ):
        self._optimizer = self._continue_optimizer()
        if sp.issparse(X):
            # Mini-batches are rows: gather them from CSR, never densify.
            X = X.tocsr()
        if train_idx is None:  # restarts share the split of their fit
            train_idx, validation = self._split_validation(
                X, y, sample_weight, random_state, validation
            )
        batch_size = _training.resolve_batch_size(self.batch_size, len(train_idx))
        if self.early_stopping:
            self._best_state = self._network.get_state()
        epochs = _training.Epochs(
            (X, y, sample_weight),
            train_idx,
            batch_size,
            random_state if self.shuffle else None,
            min_size=2 if self.normalization == "batch" else 1,
        )
        self.n_iter_ = 0
        with progress.interrupt:  # Ctrl-C waits for the end of the mini-batch
            for _ in range(self.max_iter):
                if self._train_epoch(epochs, validation, progress):
                    break
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                        "reached and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                    )

        if self.early_stopping:
            self._network.set_state(self._best_state)
            del self._best_state  # a copy of every weight: not for the pickle

    def _train_epoch(self, epochs, validation, progress):
        """One epoch, a task for the callbacks; True to stop training.

        Training stops when the stopping rule says so, when the loss is no
        longer finite, when a callback asks for it, or when the user
        interrupts (Ctrl-C, or a KeyboardInterrupt raised between epochs,
        by a callback or a scorer), with a warning.
        """
        task = progress.subtask("epoch")
        task.begin(self)
        self.loss_ = _training.run_epoch(
            self._network,
            self._loss,
            self._optimizer,
            epochs.data,
            epochs.next_batches(),
            alpha=self.alpha,
            interrupt=progress.interrupt,
        )
        if not np.isfinite(self.loss_):
            self._diverged(validation)
            return True
        try:
            converged = self._end_epoch(epochs.n_rows, validation)
        except KeyboardInterrupt:
            progress.interrupt.requested = True
            converged = True
        asked_to_stop = task.end(self)
        if progress.stopping:
            kept = "best validated" if self.early_stopping else "current"
            epochs = "epoch" if self.n_iter_ == 1 else "epochs"
            warnings.warn(
                f"Training interrupted by user after {self.n_iter_} {epochs}; "
                f"the {kept} weights are kept."
            )
        return converged or asked_to_stop or progress.stopping

    def _diverged(self, validation):
        """The training loss became NaN or infinite: stop, keep what is sound.

        With validated best weights (early stopping) they are restored and
        the epoch is recorded with a ``nan`` validation score, as
        scikit-learn records a non-finite prediction; otherwise there is no
        sound network to keep and the fit raises.
        """
        self.n_iter_ += 1
        self.loss_curve_.append(self.loss_)
        if validation is None or not np.isfinite(self.best_validation_score_):
            raise _non_finite_weights_error()
        self.validation_scores_.append(np.nan)
        self.validation_loss_curve_.append(np.nan)
        warnings.warn(
            f"Training diverged in epoch {self.n_iter_}: the training loss became "
            f"{self.loss_}. The weights of the best validation epoch were restored. "
            "Try a smaller learning_rate_init, or scale the input (for example "
            "with StandardScaler).",
            ConvergenceWarning,
        )

    def _split_validation(self, X, y, sample_weight, random_state, given):
        """Training row indices and the validation data (None without it).

        Without explicit validation data, early stopping sets aside
        ``validation_fraction`` of the rows, drawn from ``random_state``.
        """
        if not self.early_stopping or given is not None:
            return np.arange(X.shape[0]), given
        # Stratify single-output classification only (not multilabel).
        stratify = y if is_classifier(self) and y.shape[1] == 1 else None
        train_idx, val_idx = _training.validation_split(
            X.shape[0], self.validation_fraction, random_state, stratify
        )
        validation = Validation(
            X[val_idx],
            self._decode_target(y[val_idx]),
            y[val_idx],
            None if sample_weight is None else sample_weight[val_idx],
            self._validation_scorer(),
        )
        return train_idx, validation

    def _end_epoch(self, n_train, validation):
        """Record the epoch, update the stopping rule; True to stop."""
        self.n_iter_ += 1
        self.t_ += n_train
        self.loss_curve_.append(self.loss_)
        if self.verbose:
            print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
        self._update_no_improvement_count(validation)
        self._optimizer.end_epoch(self.t_)
        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        monitored = "Validation score" if self.early_stopping else "Training loss"
        message = (
            f"{monitored} did not improve more than tol={self.tol:f}"
            f" for {self.n_iter_no_change} consecutive epochs."
        )
        if self._optimizer.reduce_learning_rate():
            self._no_improvement_count = 0
            if self.verbose:
                print(f"{message} Setting learning rate to {self._optimizer.learning_rate:f}")
            return False
        if self.verbose:
            too_small = " Learning rate too small." if self.learning_rate == "adaptive" else ""
            print(f"{message}{too_small} Stopping.")
        return True

    def _update_no_improvement_count(self, validation):
        if validation is None:
            self._no_improvement_count, self.best_loss_, _ = _training.track_improvement(
                self._no_improvement_count,
                self.best_loss_,
                self.loss_curve_[-1],
                self.tol,
                higher_is_better=False,
            )
            return
        score, loss = self._evaluate(validation)
        self.validation_scores_.append(score)
        self.validation_loss_curve_.append(loss)
        if self.verbose:
            print("Validation score: %f" % score)
        self._no_improvement_count, self.best_validation_score_, is_best = (
            _training.track_improvement(
                self._no_improvement_count,
                self.best_validation_score_,
                score,
                self.tol,
                higher_is_better=True,
            )
        )
        if is_best:
            self._best_state = self._network.get_state()

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
        with np.errstate(over="ignore", invalid="ignore"):
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
            raw = self._network.forward(X, training=False)
        if not np.isfinite(raw).all():
            raise ValueError(
                "The network's outputs overflow for this X: its values are too large "
                "for the fitted weights. Scale X as the training data was scaled."
            )
        return raw

    def _evaluate(self, validation):
        """Score and loss (without penalty) on validation data, one forward pass.

        Weights on their way to diverging predict inf or nan: the score is
        then nan (as in scikit-learn), without numpy's warnings.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            raw = self._raw_output(validation.X, check_input=False)
            loss = self._loss.loss(raw, validation.y_encoded, validation.sample_weight)
            if validation.scorer == "loss":
                return -loss, loss
            if validation.scorer is None:
                return self._default_score(raw, validation), loss
            return _score_validation(self, validation), loss

    def _default_score(self, raw, validation):
        """The estimator's ``score`` (accuracy, R^2) from the raw outputs."""
        y_pred = self._decode_target(self._loss.output(raw))
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._metric(validation.y, y_pred, sample_weight=validation.sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_CLASSIFIER_DOC = """Multi-layer Perceptron classifier.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    same parameters, attributes and methods. It optimizes the log-loss with
    L-BFGS or stochastic gradient descent; binary and multilabel targets get
    sigmoid outputs, multiclass targets a softmax.

    Parameters
    ----------
    {shared_parameters}

    class_weight : dict, list of dict or 'balanced', default=None
        Weights of the classes, multiplied into ``sample_weight`` (as in
        scikit-learn's linear models): ``{{label: weight}}``, or for multilabel
        targets one such dict per label column, over its classes 0 and 1.
        'balanced' weighs each class inversely to its (sample-weighted)
        frequency, ``n_samples / (n_classes * class_count)``; None weighs all
        classes 1. The rows that early stopping sets aside keep their class
        weights, so the validation score is weighted the same way; an
        ``X_val`` passed to :meth:`fit` is weighted by ``sample_weight_val``
        only.
        With 'balanced', ``partial_fit`` is not available (it sees one batch
        at a time): pass the weights as a dict.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels for each output.

    {shared_attributes}

    See Also
    --------
    MLPRegressor : Multi-layer Perceptron regressor.

    Examples
    --------
    >>> from skmlp import MLPClassifier
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), MLPClassifier(max_iter=500, random_state=0))
    >>> round(clf.fit(X_train, y_train).score(X_test, y_test), 3)
    0.972
    >>> clf.predict_proba(X_test[:1]).shape
    (1, 2)
    """


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    __doc__ = fill(_CLASSIFIER_DOC)

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        input_dropout=0.0,
        normalization=None,
        batch_norm_momentum=0.9,
        normalization_epsilon=1e-5,
        weight_init="glorot_uniform",
        scoring=None,
        n_init=1,
        n_jobs=None,
        class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.normalization = normalization
        self.batch_norm_momentum = batch_norm_momentum
        self.normalization_epsilon = normalization_epsilon
        self.weight_init = weight_init
        self.scoring = scoring
        self.n_init = n_init
        self.n_jobs = n_jobs
        self.class_weight = class_weight

    def _loss_name(self, n_outputs):
        if self._label_binarizer.y_type_ == "multiclass":
            return "log_loss"
        return "binary_log_loss"

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._check_data(X, y, reset=reset)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            self._check_known_classes(y)
        if len(self.classes_) < 2:
            # One class gives one output that predict_proba would report as
            # two columns for one class: refuse, as LogisticRegression does.
            raise ValueError(
                "MLPClassifier needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {self.classes_[0]!r}."
            )
        return X, y

    def _check_known_targets(self, y_val):
        """Validation labels must be classes seen in training (LabelEncoder's message)."""
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return
        unseen = np.setdiff1d(unique_labels(y_val), self.classes_)
        if len(unseen):
            raise ValueError(f"y contains previously unseen labels: {unseen}")

    def _sample_weight(self, sample_weight, X, y):
        """Sample weights times class weights (see ``class_weight``)."""
        sample_weight = super()._sample_weight(sample_weight, X, y)
        return class_weighted(sample_weight, self.class_weight, y, X.dtype)

    def _encode_target(self, y, dtype):
        """0/1 indicator columns of the labels (one for binary targets)."""
        return super()._encode_target(self._label_binarizer.transform(y), dtype)

    def _check_known_classes(self, y):
        classes = unique_labels(y)
        if self.warm_start:
            if set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same "
                    "classes as in the previous call to fit. Previously "
                    f"got {self.classes_}, `y` has {classes}"
                )
        elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
            raise ValueError(
                "`y` has classes not in `self.classes_`. "
                f"`self.classes_` has {self.classes_}. 'y' has {classes}."
            )

    def _decode_target(self, y_encoded):
        """Labels from the 0/1 indicator rows used in training."""
        if y_encoded.shape[1] == 1:
            y_encoded = y_encoded.ravel()
        return self._label_binarizer.inverse_transform(y_encoded)

    def predict(self, X):
        """Predict using the multi-layer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray, shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        return self._decode_target(self._forward_pass_fast(X, check_input=check_input))

    _metric = staticmethod(accuracy_score)

    @available_if(_supports_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single iteration over the given data.

        The optimiser carries on from the previous call (Adam's moments and
        step count, SGD's velocity), with the current parameters' settings.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        classes : array of shape (n_classes,), default=None
            Classes across all calls to partial_fit. Can be obtained via
            `np.unique(y_all)`, where y_all is the target vector of the
            entire dataset. This argument is required for the first call to
            partial_fit and can be omitted in the subsequent calls. Note that
            y doesn't need to contain all labels in `classes`.

        Returns
        -------
        self : object
            Trained MLP model.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def decision_function(self, X):
        """Raw outputs of the last layer (logits), before sigmoid or softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            For binary targets, the log-odds of ``classes_[1]`` (positive
            means that class is predicted), as one column flattened to 1-D
            as scikit-learn expects. For multiclass targets, the inputs of
            the softmax (defined up to a constant per row; the largest one
            is the predicted class); for multilabel targets, the log-odds of
            each label.
        """
        check_is_fitted(self)
        scores = self._raw_output(X)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_log_proba(self, X):
        """Return the log of probability estimates.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            The predicted log-probability of the sample for each class in
            the model, where classes are ordered as they are in
            `self.classes_`. Equivalent to `log(predict_proba(X))`.
        """
        y_prob = self.predict_proba(X)
        # A probability that rounds to 0 has log -inf, without a warning;
        # scikit-learn's checks require exactly log(predict_proba(X)).
        with np.errstate(divide="ignore"):
            return np.log(y_prob, out=y_prob)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The predicted probability of the sample for each class in the
            model, where classes are ordered as they are in `self.classes_`.
        """
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


_REGRESSOR_DOC = """Multi-layer Perceptron regressor.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    same parameters, attributes and methods. It optimizes the squared error
    (identity output) or the Poisson deviance (log link, exponential output)
    with L-BFGS or stochastic gradient descent. ``loss`` is a keyword
    argument here (scikit-learn also accepts it as the first positional one).

    Parameters
    ----------
    loss : {{'squared_error', 'poisson'}}, default='squared_error'
        The loss function to use when training the weights. With several
        outputs the per-sample loss is summed over them. 'poisson' needs
        non-negative targets.

    {shared_parameters}

    Attributes
    ----------
    {shared_attributes}

    See Also
    --------
    MLPClassifier : Multi-layer Perceptron classifier.

    Examples
    --------
    >>> from skmlp import MLPRegressor
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.compose import TransformedTargetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", alpha=30.0,
    ...                    max_iter=500, random_state=0)
    >>> reg = make_pipeline(StandardScaler(), TransformedTargetRegressor(
    ...     mlp, transformer=StandardScaler()))
    >>> round(reg.fit(X_train, y_train).score(X_test, y_test), 2)
    0.38
    """


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    __doc__ = fill(_REGRESSOR_DOC)

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        input_dropout=0.0,
        normalization=None,
        batch_norm_momentum=0.9,
        normalization_epsilon=1e-5,
        weight_init="glorot_uniform",
        scoring=None,
        n_init=1,
        n_jobs=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.normalization = normalization
        self.batch_norm_momentum = batch_norm_momentum
        self.normalization_epsilon = normalization_epsilon
        self.weight_init = weight_init
        self.scoring = scoring
        self.n_init = n_init
        self.n_jobs = n_jobs

    def _loss_name(self, n_outputs):
        return self.loss

    def _check_target(self, y):
        if y.dtype.kind in "USO":
            raise ValueError(
                f"{type(self).__name__} needs a numeric target y; got values of "
                f"type {y.dtype}. Convert y to numbers first."
            )
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression."
            )

    def _decode_target(self, y_encoded):
        return y_encoded.ravel() if y_encoded.shape[1] == 1 else y_encoded

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    def predict(self, X):
        """Predict using the multi-layer perceptron model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        return self._decode_target(self._forward_pass_fast(X, check_input=check_input))

    _metric = staticmethod(r2_score)

    @available_if(_supports_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single iteration over the given data.

        The optimiser carries on from the previous call (Adam's moments and
        step count, SGD's velocity), with the current parameters' settings.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            Trained MLP model.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
