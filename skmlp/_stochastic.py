"""Training with a stochastic solver ('sgd', 'adam'): epochs and their records.

The estimator's side of the pieces in ``_training``: the epoch loop, with
its curves and counters kept as fitted attributes, the validation split,
early stopping on validation scores (restoring the best weights), and what
happens when training diverges or is interrupted.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from . import _training
from ._arguments import check_split_weights, missing_classes_error
from ._data import Validation
from .nn import SGD, Adam, Dropout

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


class StochasticSolverMixin:
    """Epochs of mini-batch updates, their records and early stopping.

    Used by `BaseMultilayerPerceptron`, whose network, loss, parameters and
    target hooks (``_decode_target``, ``_metric``) it relies on.
    """

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
        if validation is not None:
            self._check_scorer_classes(validation)
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
        ``validation_fraction`` of the rows, drawn from ``random_state``,
        stratified on the class labels of single-label classification
        (``_stratify_labels``), as ``train_test_split(stratify=...)`` does it
        and with its errors when that is impossible. Both parts must keep
        some positive weight.
        """
        if not self.early_stopping or given is not None:
            return np.arange(X.shape[0]), given
        train_idx, val_idx = _training.validation_split(
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

    def _check_scorer_classes(self, validation):
        """Fail before training if the scorer cannot score validation data
        that lacks some classes (``neg_log_loss``, ``roc_auc_ovr``...).

        The scorer is tried once, on the untrained network, and only when a
        class is missing: whether it can score does not depend on the
        weights.
        """
        missing = self._missing_classes(validation.y)
        if not missing or validation.scorer in (None, "loss"):
            return
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                _score_validation(self, validation)
        except ValueError as error:
            raise missing_classes_error(
                missing, self.scoring, error, split=validation.split_off
            ) from error

    def _missing_classes(self, y_val):
        """Classes of ``y`` absent from ``y_val``; none for regressors."""
        return []

    def _end_epoch(self, n_train, validation):
        """Record the epoch, update the stopping rule; True to stop."""
        self.n_iter_ += 1
        self.t_ += n_train
        self.loss_curve_.append(self.loss_)
        if self.verbose:
            self._print_progress("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
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
                self._print_progress(
                    f"{message} Setting learning rate to {self._optimizer.learning_rate:f}"
                )
            return False
        if self.verbose:
            too_small = " Learning rate too small." if self.learning_rate == "adaptive" else ""
            self._print_progress(f"{message}{too_small} Stopping.")
        if not self.early_stopping and any(isinstance(layer, Dropout) for layer in self._network.layers):
            warnings.warn(
                f"{message} Training stopped after {self.n_iter_} epochs on the training "
                "loss of a network with dropout, which is noisy (each epoch drops other "
                "units) and may stop improving by tol long before the network has "
                "converged. Use early_stopping=True (validation is scored without "
                "dropout), a larger n_iter_no_change, or tol=0 with max_iter.",
                ConvergenceWarning,
            )
        return True

    def _print_progress(self, line):
        """A line of ``verbose`` output, labelled with its restart if any."""
        label = getattr(self, "_verbose_label", None)
        print(line if label is None else f"[{label}] {line}")

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
            self._print_progress("Validation score: %f" % score)
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
