"""The machinery that MLPClassifier and MLPRegressor share.

`BaseMultilayerPerceptron` validates the data, resolves the options
(``_options``), builds the network (``_architecture``), trains it with
L-BFGS or a stochastic solver (see ``_train.train``, which returns a
record), from one seed or several (restarts), commits the fitted
attributes, and predicts.
"""

import copy
import functools
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, is_classifier
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import check_array, validate_data

from . import _restarts
from ._architecture import build_layers, continue_network
from ._compat import (
    Interval,
    Options,
    StrOptions,
    _fit_context,
    init_callback_context,
)
from ._arguments import (
    check_split_weights,
    check_validation_arguments,
    check_validation_target,
    check_weights,
    missing_classes_error,
)
from ._data import Validation, ValidationScore
from ._inference import check_predict_input
from ._options import check_batch_rows, check_partial_fit, resolve_options
from ._progress import Progress
from ._solvers import (
    STOCHASTIC_SOLVERS,
    fit_lbfgs,
    make_optimizer,
    starting_record,
)
from ._threads import threads_for_fit, threads_for_predict
from ._train import Stopping, non_finite_weights_error, train
from ._training import Epochs, resolve_batch_size, validation_split
from .callback import checkpoint_of, fit_key
from .nn import ACTIVATIONS, LOSSES, BatchNorm, Dense, LayerNorm, Sequential


def _print_line(line, label=None):
    """A line of ``verbose`` output, labelled with its restart if any."""
    print(line if label is None else f"[{label}] {line}")


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

    # ------------------------------------------------------------------ #
    # Fitted attributes that are views of the network
    # ------------------------------------------------------------------ #
    @property
    def coefs_(self):
        return [layer.W for layer in self._layers_of(Dense, "coefs_")]

    @coefs_.setter
    def coefs_(self, values):
        self._assign_to_dense_layers("coefs_", "W", values)

    @property
    def intercepts_(self):
        return [layer.b for layer in self._layers_of(Dense, "intercepts_")]

    @intercepts_.setter
    def intercepts_(self, values):
        self._assign_to_dense_layers("intercepts_", "b", values)

    def _assign_to_dense_layers(self, name, parameter, values):
        """``model.coefs_ = [...]`` writes the arrays into the network's weights.

        As with scikit-learn's MLP, prediction then uses them; the network's
        shapes cannot change, since its parameters live in one flat buffer.
        """
        layers = self._layers_of(Dense, name)
        values = [np.asarray(value) for value in values]
        shapes = [getattr(layer, parameter).shape for layer in layers]
        if [value.shape for value in values] != shapes:
            raise ValueError(
                f"{name} must be a list of arrays of shapes {shapes}, the fitted network's; "
                f"got shapes {[value.shape for value in values]}."
            )
        for layer, value in zip(layers, values):
            getattr(layer, parameter)[...] = value

    def _layers_of(self, kind, name):
        """The network's layers of ``kind``, for the fitted attribute ``name``.

        Before ``fit`` the attribute does not exist, and the error names it
        (as for scikit-learn's MLP), not the private network behind it.
        skmlp's own attributes exist only with their option (drop-in rule):
        without normalisation layers there is no such attribute.
        """
        if "_network" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        layers = [layer for layer in self._network.layers if isinstance(layer, kind)]
        if not layers:
            needs = "'batch'" if kind is BatchNorm else "'batch' or 'layer'"
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}: it is fitted "
                f"only with normalization={needs}."
            )
        return layers

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

        Training returns the fitted attributes, committed only at the end.
        Validation sets attributes (classes, feature names) before, and a
        warm start trains the existing network and optimiser in place, so
        both the attributes and the learned state are restored on failure.
        The fit is a task for scikit-learn's callbacks, opened first so that
        their teardown (by ``_fit_context``) follows a failed fit too, and
        ended on every way out.
        """
        context = init_callback_context(self, max_subtasks=self._n_subtasks(incremental))
        progress = Progress.of_fit(self, context, X, y, sample_weight)
        with progress.open() as task, threads_for_fit(self, X):
            attributes = self.__dict__.copy()
            fitted = hasattr(self, "_network")
            learned = None
            if fitted:
                learned = (self._network.get_state(), copy.deepcopy(self._optimizer))
            try:
                self._fit_unsafe(X, y, sample_weight, incremental, validation_data, progress)
            except BaseException:
                self.__dict__.clear()
                self.__dict__.update(attributes)
                if fitted:
                    self._network.set_state(learned[0])
                    self._optimizer = learned[1]
                raise
            task.end_fitted(vars(self))
        return self

    def _first_pass(self, incremental):
        """Whether this fit builds a new network (rather than continue one)."""
        return not hasattr(self, "_network") or (not self.warm_start and not incremental)

    def _n_subtasks(self, incremental):
        """The subtasks of the fit for callbacks: restarts, epochs or none."""
        if self._first_pass(incremental) and self.n_init > 1:
            return self.n_init
        if self.solver not in STOCHASTIC_SOLVERS:
            return 0
        return 1 if incremental else self.max_iter

    def _fit_unsafe(self, X, y, sample_weight, incremental, validation_data, progress):
        """Validate, resolve the options, build or continue, train, commit."""
        first_pass = self._first_pass(incremental)
        X, y, sample_weight, validation, options = self._prepare(
            X, y, sample_weight, incremental, validation_data, first_pass
        )
        checkpoint = checkpoint_of(self, self.n_init, options.stochastic, self.random_state)
        random_state = check_random_state(self.random_state)
        if first_pass and self.n_init > 1:
            fitted = _restarts.fit_restarts(
                self, options, X, y, sample_weight, validation, random_state, progress, incremental
            )
        else:
            model = self._new_model(options, X, y, random_state) if first_pass else self._model()
            previous = None if first_pass else vars(self)
            fitted = self._train(
                options, model, previous, X, y, sample_weight, random_state, incremental,
                validation, progress, checkpoint=checkpoint,
            )
            if self.n_init > 1:  # one score when a fitted network was continued
                fitted["restart_scores_"] = np.array([_restarts.restart_score(fitted)])
        if not fitted["_network"].is_finite():
            raise non_finite_weights_error()
        self._commit(fitted)

    def _commit(self, fitted):
        """Set the fitted attributes of a fit that succeeded.

        The attributes only skmlp has exist only with their option
        (``restart_scores_`` with ``n_init > 1``, ``validation_loss_curve_``
        with validation data, ``learning_rate_curve_`` with a schedule,
        ``clipped_fraction_`` with ``max_grad_norm``): those this fit did not
        produce are removed,
        so that with the defaults ``hasattr`` answers as for scikit-learn.
        """
        for name in (
            "restart_scores_", "validation_loss_curve_", "learning_rate_curve_", "clipped_fraction_"
        ):
            if name not in fitted:
                self.__dict__.pop(name, None)
        self.__dict__.update(fitted)

    def _prepare(self, X, y, sample_weight, incremental, validation_data, first_pass):
        """Checked data and validation data, and the options resolved.

        The checks of the parameters come before those of the data, and
        those that need the data after them, as scikit-learn orders them.
        """
        has_validation_data = check_validation_arguments(*validation_data)
        options = resolve_options(
            self.get_params(deep=False), has_validation_data=has_validation_data
        )
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        check_partial_fit(options, incremental=incremental)
        sample_weight = self._sample_weight(sample_weight, X, y)
        validation = (
            self._validation(*validation_data, X.dtype, y) if has_validation_data else None
        )
        y = self._encode_target(y, X.dtype)
        if not first_pass:
            self._network = continue_network(self._network, options, y.shape[1])
        n_rows = X.shape[0] if sample_weight is None else np.count_nonzero(sample_weight)
        check_batch_rows(options, n_rows=n_rows, weighted=sample_weight is not None)
        return X, y, sample_weight, validation, options

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
        X_val = self._check_validation_input(X_val, dtype)
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

    def _check_validation_input(self, X_val, dtype):
        """``X_val`` checked as ``predict`` checks X, with errors naming X_val."""
        with np.errstate(over="ignore", invalid="ignore"):  # as in _check_data
            checked = check_array(
                X_val,
                accept_sparse=["csr", "csc"],
                dtype=dtype,
                input_name="X_val",
                estimator=self,
            )
        if checked.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X_val has {checked.shape[1]} features, but {type(self).__name__} "
                f"is expecting {self.n_features_in_} features as input."
            )
        # The feature names (of a DataFrame) against those of X.
        validate_data(self, X_val, skip_check_array=True, reset=False)
        return checked

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

    def _new_model(self, options, X, y, random_state):
        """A fresh network of ``options`` for the data, and its fitted attributes."""
        n_outputs = y.shape[1]
        loss = LOSSES[self._loss_name(n_outputs)](**self._loss_params())
        network = Sequential(build_layers(options, n_outputs)).build(
            X.shape[1], X.dtype, random_state
        )
        return {
            "_loss": loss,
            "_network": network,
            "_optimizer": None,
            "n_iter_": 0,
            "t_": 0,
            "n_outputs_": n_outputs,
            "n_layers_": sum(isinstance(layer, Dense) for layer in network.layers) + 1,
            "out_activation_": loss.output_name,
        }

    def _loss_params(self):
        """Keyword arguments of the loss's constructor; none by default."""
        return {}

    def _model(self):
        """The fitted network that warm_start and partial_fit continue."""
        return {name: getattr(self, name) for name in ("_loss", "_network", "_optimizer")}

    def _train(
        self, options, model, previous, X, y, sample_weight, random_state, incremental, validation,
        progress, train_idx=None, label=None, checkpoint=None,
    ):
        """Train the network of ``model``; its fitted attributes after training.

        ``previous``: the fitted attributes that training continues, None
        for a new network. See `_fit_stochastic` for the arguments.
        """
        if not options.stochastic:
            return {
                **model,
                **fit_lbfgs(
                    model, X, y, sample_weight, alpha=self.alpha, max_iter=self.max_iter,
                    max_fun=self.max_fun, tol=self.tol,
                ),
            }
        return {
            **model,
            **self._fit_stochastic(
                options, model, previous, X, y, sample_weight, random_state, incremental,
                validation, progress, train_idx, label, checkpoint,
            ),
        }

    def _fit_stochastic(
        self, options, model, previous, X, y, sample_weight, random_state, incremental, validation,
        progress, train_idx=None, label=None, checkpoint=None,
    ):
        """Epochs of Adam or SGD (see `_train.train`): the record's attributes.

        ``train_idx`` (restarts share the split of their fit) are the rows
        to train on, ``validation`` the split-off or given rows; without
        them, the split is drawn here. ``label`` starts the verbose lines.
        With a `skmlp.callback.Checkpoint` of this fit, training resumes
        from it.
        """
        given_validation = validation
        if sp.issparse(X):
            # Mini-batches are rows: gather them from CSR, never densify.
            X = X.tocsr()
        if train_idx is None:
            train_idx, validation = self._split_validation(
                X, y, sample_weight, random_state, validation
            )
        score = None
        if validation is not None and validation.scorer != "loss":
            score = ValidationScore(self, model, validation)
            self._check_scorer_classes(validation, score)
        batch_size = resolve_batch_size(options.batch_size, len(train_idx))
        epochs = Epochs(
            (X, y, sample_weight),
            train_idx,
            batch_size,
            random_state if options.shuffle else None,
            min_size=2 if options.normalization == "batch" else 1,
        )
        optimizer = make_optimizer(
            self, model["_optimizer"], epochs=epochs, incremental=incremental
        )
        record = starting_record(
            previous, options.early_stopping,
            same_loss=previous is None or previous.get("_loss") is model["_loss"],
        )
        checkpointed = None
        if checkpoint is not None:
            start = None if previous is None else model["_network"].get_state()
            key = fit_key(
                self.get_params(deep=False), (X, y, sample_weight), given_validation, start
            )
            checkpointed = (key, epochs)
            saved = checkpoint.load(key)
            if saved is not None:
                record = saved.restore(model["_network"], epochs)  # freshly unpickled
                optimizer = record.optimizer
        record = train(
            model["_network"],
            model["_loss"],
            optimizer,
            epochs,
            alpha=self.alpha,
            stopping=Stopping(
                self.max_iter,
                self.tol,
                self.n_iter_no_change,
                one_pass=incremental,
                adaptive=self.learning_rate == "adaptive",
                scheduled=optimizer.schedule is not None,
            ),
            record=record,
            validation=validation,
            score=score,
            progress=progress.training(model, checkpointed),
            log=functools.partial(_print_line, label=label) if self.verbose else None,
        )
        return {**record.fitted_attributes(), "_curves_current": True}

    def _split_validation(self, X, y, sample_weight, random_state, given):
        """Training row indices and the validation data (None without it).

        Without explicit validation data, early stopping sets aside
        ``validation_fraction`` of the rows, drawn from ``random_state``,
        stratified on the class labels of single-label classification
        (``_stratify_labels``), as ``train_test_split(stratify=...)`` does it
        and with its errors when that is impossible. Both parts must keep
        some positive weight.
        """
        if not self.early_stopping or given is not None:
            return np.arange(X.shape[0]), given
        train_idx, val_idx = validation_split(
            X.shape[0], self.validation_fraction, random_state, self._stratify_labels(y)
        )
        check_split_weights(sample_weight, train_idx, val_idx)
        validation = Validation(
            X[val_idx],
            self._decode_target(y[val_idx]),
            y[val_idx],
            None if sample_weight is None else sample_weight[val_idx],
            self._validation_scorer(),
            split_off=True,
        )
        return train_idx, validation

    def _stratify_labels(self, y_encoded):
        """Labels to stratify the early-stopping split on; None: not stratified."""
        return None

    def _check_scorer_classes(self, validation, score):
        """Fail before training if the scorer cannot score validation data
        that lacks some classes (``neg_log_loss``, ``roc_auc_ovr``...).

        The scorer is tried once, on the untrained network, and only when a
        class is missing: whether it can score does not depend on the
        weights. A scorer predicts by itself: ``score`` needs no outputs.
        """
        missing = self._missing_classes(validation.y)
        if not missing or validation.scorer is None:
            return
        try:
            with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
                # A scorer that cannot score says so with nan and a warning
                # (roc_auc on one class): the error below says it instead.
                warnings.simplefilter("ignore", UndefinedMetricWarning)
                value = score(None)
        except ValueError as error:
            reason = f"it raised {type(error).__name__}({str(error)!r})"
            raise missing_classes_error(
                missing, self.scoring, reason, split=validation.split_off
            ) from error
        if not np.isfinite(value):
            raise missing_classes_error(
                missing, self.scoring, f"it scores {value}", split=validation.split_off
            )

    def _missing_classes(self, y_val):
        """Classes of ``y`` absent from ``y_val``; none for regressors."""
        return []

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
        with np.errstate(over="ignore", invalid="ignore"), threads_for_predict(self._network, X):
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
