"""Stochastic training as one function that returns one record.

`train` runs epochs of mini-batch updates of a `skmlp.nn.Sequential` with
an optimiser, scores validation data, applies scikit-learn's stopping
rules, and returns a `TrainingRecord`: the curves, the counters, the best
state, the optimiser and why training stopped. It knows no estimator: the
estimators pass what it needs (the validation score as a function) and
commit the record to their fitted attributes only when training succeeded.
"""

import math
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._progress import DeferredInterrupt, OpenTask
from ._training import run_epoch, track_improvement
from .nn import Dropout


def non_finite_weights_error():
    """scikit-learn's error for a network whose weights are no longer finite."""
    return ValueError(
        "Solver produced non-finite parameter weights. The input data may"
        " contain large values and need to be preprocessed."
    )


class Stopping(NamedTuple):
    """When stochastic training stops (scikit-learn's rules).

    Parameters
    ----------
    max_iter : int
        Most epochs; reaching them warns that training has not converged.
    tol : float
        Smallest improvement of the monitored quantity that counts.
    n_iter_no_change : int or inf
        Epochs without such an improvement before the learning rate is
        reduced (``lr_schedule='adaptive'``) or training stops.
    one_pass : bool, default=False
        Train one epoch only (``partial_fit``), without the warning.
    adaptive : bool, default=False
        Whether ``learning_rate='adaptive'`` was asked for: the verbose
        stop message then says the learning rate became too small.
    scheduled : bool, default=False
        Whether a learning-rate schedule spans the ``max_iter`` epochs:
        reaching them is then its planned end, without the warning.
    """

    max_iter: int
    tol: float
    n_iter_no_change: float
    one_pass: bool = False
    adaptive: bool = False
    scheduled: bool = False


# The record's fields under the names of the estimators' fitted attributes.
_FITTED_NAMES = {
    "loss_curve": "loss_curve_",
    "validation_scores": "validation_scores_",
    "validation_loss_curve": "validation_loss_curve_",
    "best_validation_score": "best_validation_score_",
    "best_loss": "best_loss_",
    "no_improvement_count": "_no_improvement_count",
    "n_iter": "n_iter_",
    "t": "t_",
    "loss": "loss_",
    "optimizer": "_optimizer",
}


@dataclass
class TrainingRecord:
    """Everything stochastic training produced, apart from the weights.

    Attributes
    ----------
    loss_curve : list of float
        Training loss of each epoch, of this fit and the ones it continues.
    validation_scores, validation_loss_curve : list of float or None
        Score and loss on the validation data of each epoch; None without
        validation data.
    best_validation_score : float or None
        Best validation score (None without validation data).
    best_loss : float or None
        Lowest training loss (None with validation data).
    no_improvement_count : int
        Epochs in a row without an improvement by more than ``tol``.
    n_iter : int
        Epochs of this fit.
    t : int
        Training rows seen, over this fit and the ones it continues.
    loss : float or None
        Training loss of the last epoch.
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam or None
        The optimiser, with its state after the last step.
    best_state : tuple or None
        ``Sequential.get_state()`` of the best validation epoch.
    stop_reason : str or None
        Why training stopped: 'converged', 'max_iter', 'one_pass',
        'diverged', 'callback' or 'interrupted'.
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    validation_loss_curve: list = None
    best_validation_score: float = None
    best_loss: float = np.inf
    no_improvement_count: int = 0
    n_iter: int = 0
    t: int = 0
    loss: float = None
    optimizer: object = None
    best_state: tuple = None
    stop_reason: str = None

    @classmethod
    def fresh(cls, validated, *, t=0):
        """An empty record; ``validated``: with validation data (early stopping)."""
        if not validated:
            return cls(t=t)
        return cls(
            validation_scores=[],
            validation_loss_curve=[],
            best_validation_score=-np.inf,
            best_loss=None,
            t=t,
        )

    @classmethod
    def continued(cls, attributes):
        """The record that a fit continues, from fitted attributes (copied).

        The curves go on; the epoch count starts again at 0.
        """
        values = {name: attributes.get(fitted) for name, fitted in _FITTED_NAMES.items()}
        for name in ("loss_curve", "validation_scores", "validation_loss_curve"):
            values[name] = None if values[name] is None else list(values[name])
        return cls(**{**values, "n_iter": 0})

    def fitted_attributes(self):
        """The record as the estimators' fitted attributes (curves copied).

        ``validation_loss_curve_`` (skmlp's own) only with validation data;
        ``validation_scores_`` is then None, as in scikit-learn. The
        optimiser's options add skmlp's ``learning_rate_curve_`` (the rate
        of every step of its schedule) and ``clipped_fraction_`` (of its
        steps whose gradient was clipped).
        """
        attributes = {fitted: getattr(self, name) for name, fitted in _FITTED_NAMES.items()}
        for name in ("loss_curve_", "validation_scores_", "validation_loss_curve_"):
            if attributes[name] is not None:
                attributes[name] = list(attributes[name])
        if attributes["validation_loss_curve_"] is None:
            del attributes["validation_loss_curve_"]
        optimizer = self.optimizer
        if optimizer is not None and optimizer.schedule is not None:
            attributes["learning_rate_curve_"] = optimizer.schedule.rates
        if optimizer is not None and optimizer.max_grad_norm is not None:
            attributes["clipped_fraction_"] = optimizer.n_clipped / max(optimizer.n_steps, 1)
        return attributes


def evaluate(network, loss, validation, score):
    """Score and loss (without penalty) on validation data, one forward pass.

    ``score(raw)`` scores the raw outputs; None scores minus the loss.
    Weights on their way to diverging predict inf or nan: the score is
    then nan (as in scikit-learn), without numpy's warnings.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        raw = network.forward(validation.X, training=False)
        value = loss.loss(raw, validation.y_encoded, validation.sample_weight)
        return (-value if score is None else score(raw)), value


def train(
    network,
    loss,
    optimizer,
    epochs,
    *,
    alpha,
    stopping,
    record=None,
    validation=None,
    score=None,
    progress=None,
    log=None,
):
    """Train ``network`` by epochs of mini-batch updates; what happened.

    Parameters
    ----------
    network : skmlp.nn.Sequential
        Trained in place. With validation data it ends with the weights of
        its best validation epoch.
    loss : skmlp.nn.Loss
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam
    epochs : Epochs
        The mini-batches of each epoch.
    alpha : float
        L2 penalty.
    stopping : Stopping
    record : TrainingRecord, default=None
        The record this training continues (warm start, ``partial_fit``);
        it is updated and returned. None: a fresh one.
    validation : object with ``X``, ``y_encoded``, ``sample_weight``, default=None
        Validation data for early stopping.
    score : callable, default=None
        ``score(raw) -> float`` of the network's raw outputs on the
        validation data; None: minus the validation loss.
    progress : skmlp._progress.Progress, default=None
        The callbacks and the interrupt flag; None: none.
    log : callable, default=None
        Called with each line of verbose output; None: silent.

    Returns
    -------
    record : TrainingRecord

    Raises
    ------
    ValueError
        If the training loss becomes non-finite without validated weights
        to fall back on.
    """
    if record is None:
        record = TrainingRecord.fresh(validation is not None)
    record.optimizer = optimizer
    loop = _Loop(network, loss, epochs, alpha, stopping, validation, score, log, record)
    progress = Silent() if progress is None else progress
    if validation is not None and record.best_state is None:
        record.best_state = network.get_state()
    n_epochs = 1 if stopping.one_pass else stopping.max_iter
    # A record resumed from a checkpoint has run some epochs of this fit
    # already, and may have stopped at the last of them.
    with progress.interrupt:  # Ctrl-C waits for the end of the mini-batch
        while record.stop_reason is None and record.n_iter < n_epochs:
            if loop.epoch(progress):
                break
        if record.stop_reason is None and record.n_iter == n_epochs:
            _stop_at_last_epoch(record, stopping)
    if validation is not None:
        network.set_state(record.best_state)
    return record


def _stop_at_last_epoch(record, stopping):
    """The fit ran all its epochs: one pass, or max_iter with a warning."""
    if stopping.one_pass:
        record.stop_reason = "one_pass"
        return
    record.stop_reason = "max_iter"
    if stopping.scheduled:
        return
    warnings.warn(
        f"Stochastic Optimizer: Maximum iterations ({stopping.max_iter}) "
        "reached and the optimization hasn't converged yet.",
        ConvergenceWarning,
    )


class Silent:
    """No callbacks: the progress of a training nobody watches (but Ctrl-C)."""

    def __init__(self):
        self.interrupt = DeferredInterrupt()

    @property
    def stopping(self):
        return self.interrupt.requested

    def subtask(self, task_name, max_subtasks=0):
        return self

    def open(self, record=None):
        return OpenTask(self, record)

    def begin(self, record=None):
        pass

    def end(self, record, *, complete=True):
        return False


class _Loop:
    """The epochs of one `train` call: the pieces it needs, and its record."""

    def __init__(self, network, loss, epochs, alpha, stopping, validation, score, log, record):
        self.network = network
        self.loss = loss
        self.epochs = epochs
        self.alpha = alpha
        self.stopping = stopping
        self.validation = validation
        self.score = score
        self.log = log
        self.record = record

    def epoch(self, progress):
        """One epoch, a task for the callbacks; True to stop training.

        Training stops when the stopping rule says so, when the loss is no
        longer finite, when a callback asks for it, or when the user
        interrupts (Ctrl-C, or a KeyboardInterrupt raised between epochs,
        by a callback or a scorer), with a warning.
        """
        record = self.record
        with progress.subtask("epoch").open(record) as task:
            record.loss = run_epoch(
                self.network,
                self.loss,
                record.optimizer,
                self.epochs.data,
                self.epochs.next_batches(),
                alpha=self.alpha,
                interrupt=progress.interrupt,
            )
            if not math.isfinite(record.loss):
                self.diverged()
                return True
            try:
                converged = self.end_epoch()
            except KeyboardInterrupt:
                progress.interrupt.requested = True
                converged = True
            asked_to_stop = task.end(record)
        if progress.stopping:
            record.stop_reason = "interrupted"
            kept = "best validated" if self.validation is not None else "current"
            epochs = "epoch" if record.n_iter == 1 else "epochs"
            warnings.warn(
                f"Training interrupted by user after {record.n_iter} {epochs}; "
                f"the {kept} weights are kept."
            )
        elif asked_to_stop and not converged:
            record.stop_reason = "callback"
        return converged or asked_to_stop or progress.stopping

    def diverged(self):
        """The training loss became NaN or infinite: stop, keep what is sound.

        With validated best weights (early stopping) they are restored and
        the epoch is recorded with a ``nan`` validation score, as
        scikit-learn records a non-finite prediction; otherwise there is no
        sound network to keep and training raises.
        """
        record = self.record
        record.stop_reason = "diverged"
        record.n_iter += 1
        record.loss_curve.append(record.loss)
        if self.validation is None or not np.isfinite(record.best_validation_score):
            raise non_finite_weights_error()
        record.validation_scores.append(np.nan)
        record.validation_loss_curve.append(np.nan)
        warnings.warn(
            f"Training diverged in epoch {record.n_iter}: the training loss became "
            f"{record.loss}. The weights of the best validation epoch were restored. "
            "Try a smaller learning_rate_init, or scale the input (for example "
            "with StandardScaler).",
            ConvergenceWarning,
        )

    def end_epoch(self):
        """Record the epoch, update the stopping rule; True to stop."""
        record, stopping, optimizer = self.record, self.stopping, self.record.optimizer
        record.n_iter += 1
        record.t += self.epochs.n_rows
        record.loss_curve.append(record.loss)
        self.print("Iteration %d, loss = %.8f" % (record.n_iter, record.loss))
        self.update_no_improvement_count()
        optimizer.end_epoch(record.t)
        if record.no_improvement_count <= stopping.n_iter_no_change:
            return False
        monitored = "Validation score" if self.validation is not None else "Training loss"
        message = (
            f"{monitored} did not improve more than tol={stopping.tol:f}"
            f" for {stopping.n_iter_no_change} consecutive epochs."
        )
        if optimizer.reduce_learning_rate():
            record.no_improvement_count = 0
            self.print(f"{message} Setting learning rate to {optimizer.learning_rate:f}")
            return False
        too_small = " Learning rate too small." if stopping.adaptive else ""
        self.print(f"{message}{too_small} Stopping.")
        record.stop_reason = "converged"
        if self.validation is None and any(
            isinstance(layer, Dropout) for layer in self.network.layers
        ):
            warnings.warn(
                f"{message} Training stopped after {record.n_iter} epochs on the training "
                "loss of a network with dropout, which is noisy (each epoch drops other "
                "units) and may stop improving by tol long before the network has "
                "converged. Use early_stopping=True (validation is scored without "
                "dropout), a larger n_iter_no_change, or tol=0 with max_iter.",
                ConvergenceWarning,
            )
        return True

    def print(self, line):
        if self.log is not None:
            self.log(line)

    def update_no_improvement_count(self):
        record, tol = self.record, self.stopping.tol
        if self.validation is None:
            record.no_improvement_count, record.best_loss, _ = track_improvement(
                record.no_improvement_count,
                record.best_loss,
                record.loss_curve[-1],
                tol,
                higher_is_better=False,
            )
            return
        score, loss = evaluate(self.network, self.loss, self.validation, self.score)
        record.validation_scores.append(score)
        record.validation_loss_curve.append(loss)
        self.print("Validation score: %f" % score)
        record.no_improvement_count, record.best_validation_score, is_best = (
            track_improvement(
                record.no_improvement_count,
                record.best_validation_score,
                score,
                tol,
                higher_is_better=True,
            )
        )
        if is_best:
            record.best_state = self.network.get_state()
