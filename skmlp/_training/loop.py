"""Stochastic training as one function that returns one record.

`train` runs epochs of mini-batch updates (`run_epoch`) of a
`skmlp.nn.Sequential` on a `skmlp.nn.Objective` with an optimiser, scores
validation data, applies scikit-learn's stopping rules (`Stopping`), and
returns a `TrainingRecord`: the curves, the counters, the best state, the
optimiser and why training stopped. It knows no estimator: it is given the
validation score as a function, and the estimators commit the record to
their fitted attributes only when training succeeded.
"""

import math
import warnings
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ..nn import Dropout
from .progress import Silent, warn_as_scikit_learn
from .record import TrainingRecord

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

    @property
    def n_epochs(self):
        """The epochs a fit runs at most: 1 for ``partial_fit``."""
        return 1 if self.one_pass else self.max_iter



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


def train(network, objective, optimizer, epochs, *, stopping, record=None, validation=None,
          score=None, progress=None, log=None, checkpoint=None):
    """Train ``network`` by epochs of mini-batch updates; what happened.

    Parameters
    ----------
    network : skmlp.nn.Sequential
        Trained in place. With validation data it ends with the weights of
        its best validation epoch.
    objective : skmlp.nn.Objective
        The loss and the L2 penalty.
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam
    epochs : Epochs
        The mini-batches of each epoch.
    stopping : Stopping
    record : TrainingRecord, default=None
        The record this training continues (warm start, ``partial_fit``);
        it is updated and returned. None: a fresh one.
    validation : object with ``X``, ``y_encoded``, ``sample_weight``, default=None
        Validation data for early stopping.
    score : callable, default=None
        ``score(raw) -> float`` of the network's raw outputs on the
        validation data; None: minus the validation loss.
    progress : skmlp._training.progress.Progress or Silent, default=None
        The callbacks and the interrupt flag; None: none (`Silent`).
    log : callable, default=None
        Called with each line of verbose output; None: silent.
    checkpoint : skmlp._training.checkpoint.CheckpointFile, default=None
        Saves the state after whole epochs and deletes it when the fit
        reached its own end; Ctrl-C then waits for the end of the epoch
        (`_Loop.run`).

    Returns
    -------
    record : TrainingRecord

    Raises
    ------
    ValueError
        If the training loss becomes non-finite without validated weights.
    """
    loop = _Loop(network, objective, optimizer, epochs, stopping, validation, score, log,
                 record, whole_epochs=checkpoint is not None)
    loop.run(Silent() if progress is None else progress, checkpoint)
    return loop.record


def _stop_at_last_epoch(record, stopping):
    """If nothing else stopped the fit and it ran all its epochs: one pass,
    or max_iter with a warning."""
    if record.stop_reason is not None or record.n_iter < stopping.n_epochs:
        return
    if stopping.one_pass:
        record.stop_reason = "one_pass"
        return
    record.stop_reason = "max_iter"
    if stopping.scheduled:
        return
    warn_as_scikit_learn(
        f"Stochastic Optimizer: Maximum iterations ({stopping.max_iter}) "
        "reached and the optimization hasn't converged yet.",
        ConvergenceWarning,
    )


class _Loop:
    """The epochs of one `train` call: the pieces it needs, and its record.

    The record (a fresh one if None) keeps the optimiser.
    """

    def __init__(self, network, objective, optimizer, epochs, stopping, validation, score, log,
                 record, *, whole_epochs=False):
        self.whole_epochs = whole_epochs  # Ctrl-C waits for the end of the epoch
        self.whole = True  # the last epoch ran and was recorded to its end
        self.network = network
        self.objective = objective
        self.epochs = epochs
        self.stopping = stopping
        self.validation = validation
        self.score = score
        self.log = log
        self.record = TrainingRecord.fresh(validation is not None) if record is None else record
        self.record.optimizer = optimizer

    def run(self, progress, checkpoint=None):
        """Epochs until training stops, then the best validated weights back.

        With a ``checkpoint``, the first Ctrl-C lets the epoch finish, so
        that the state where training stopped is one the fit goes through,
        and a rerun goes on from it exactly. A record resumed from a
        checkpoint has run some epochs of this fit already, and may be at
        the last of them, or have stopped there.
        """
        record, network, stopping = self.record, self.network, self.stopping
        if self.validation is not None and record.best_state is None:
            record.best_state = network.get_state()
        with progress.interrupt:  # Ctrl-C waits for the end of the mini-batch
            _stop_at_last_epoch(record, stopping)
            while record.stop_reason is None:
                self.epoch(progress)  # sets the stop reason when training stops
                _stop_at_last_epoch(record, stopping)
                if checkpoint is not None and self.whole:
                    checkpoint.epoch_end(record, network, self.epochs)
        if checkpoint is not None:
            checkpoint.end(record)
        if self.validation is not None:
            network.set_state(record.best_state)

    def epoch(self, progress):
        """One epoch, a task for the callbacks; True to stop training.

        When it stops training, ``record.stop_reason`` says why.

        Training stops when the stopping rule says so, when the loss is no
        longer finite, when a callback asks for it, or when the user
        interrupts (Ctrl-C, or a KeyboardInterrupt raised between epochs,
        by a callback or a scorer), with a warning.
        """
        record, interrupt = self.record, progress.interrupt
        if progress.watched:
            with progress.subtask("epoch").open(record) as task:
                converged = self.train_epoch(interrupt)
                asked_to_stop = converged is not None and task.end(record)
        else:  # no callbacks: no task (as scikit-learn's estimators skip theirs)
            converged, asked_to_stop = self.train_epoch(interrupt), False
        if converged is None:  # diverged
            return True
        if interrupt.requested:
            record.stop_reason = "interrupted"
            kept = "best validated" if self.validation is not None else "current"
            epochs = "epoch" if record.n_iter == 1 else "epochs"
            warnings.warn(
                f"Training interrupted by user after {record.n_iter} {epochs}; "
                f"the {kept} weights are kept."
            )
        elif asked_to_stop and not converged:
            record.stop_reason = "callback"
        return converged or asked_to_stop or interrupt.requested

    def train_epoch(self, interrupt):
        """The epoch's updates and its record; True to stop, None if it diverged."""
        record = self.record
        record.loss = run_epoch(
            self.network,
            self.objective,
            record.optimizer,
            self.epochs.data,
            self.epochs.next_batches(),
            interrupt=None if self.whole_epochs else interrupt,
        )
        if not math.isfinite(record.loss):
            self.diverged()
            return None
        try:
            return self.end_epoch()
        except KeyboardInterrupt:  # raised by a scorer: the epoch is half recorded
            interrupt.requested = True
            self.whole = False
            return True

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
        record.t += len(self.epochs.train_idx)
        record.loss_curve.append(record.loss)
        if self.log is not None:
            self.log("Iteration %d, loss = %.8f" % (record.n_iter, record.loss))
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
            if self.log is not None:
                self.log(f"{message} Setting learning rate to {optimizer.learning_rate:f}")
            return False
        too_small = " Learning rate too small." if stopping.adaptive else ""
        if self.log is not None:
            self.log(f"{message}{too_small} Stopping.")
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
        score, loss = evaluate(self.network, self.objective.loss, self.validation, self.score)
        record.validation_scores.append(score)
        record.validation_loss_curve.append(loss)
        if self.log is not None:
            self.log("Validation score: %f" % score)
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


def run_epoch(network, objective, optimizer, data, batches, *, interrupt=None):
    """One pass of mini-batch updates.

    Parameters
    ----------
    network : skmlp.nn.Sequential
    objective : skmlp.nn.Objective
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam
    data : tuple (X, y, sample_weight)
        ``sample_weight`` may be None.
    batches : list of ndarray of int
        Row indices of each mini-batch (each with some positive weight:
        see `epoch_batches`).
    interrupt : object with a bool attribute ``requested``, default=None
        Read after each mini-batch: when set (Ctrl-C), the epoch ends there.

    Returns
    -------
    mean_loss : float
        Mean of the mini-batch objectives weighted by batch size, as
        scikit-learn's ``loss_``; the first non-finite objective, if any,
        which ends the epoch before its update is applied.
    """
    X, y, sample_weight = data
    X_rows, y_rows = row_buffers(X, y, batches)
    params, grads, penalty, n_decayed = (
        network.params, network.grads, objective.penalty, network.n_penalized)
    total, n_seen = 0.0, 0
    # Overflow is detected from the loss, below, and reported by the caller;
    # numpy's warnings on the way there would only be noise.
    with np.errstate(over="ignore", invalid="ignore"):
        for idx in batches:
            value = objective.loss_gradient(
                network, gather_rows(X, idx, X_rows), gather_rows(y, idx, y_rows),
                sample_weight=None if sample_weight is None else sample_weight[idx],
            )
            if not math.isfinite(value):
                return np.float64(value)  # diverged: stop at once
            optimizer.update(params, grads, penalty=penalty, n_decayed=n_decayed)
            total += value * len(idx)
            n_seen += len(idx)
            if interrupt is not None and interrupt.requested:
                break
    # np.float64, the type of scikit-learn's loss_ and loss_curve_ entries.
    return np.float64(total / n_seen if n_seen else 0.0)


def row_buffers(X, y, batches):
    """Arrays for the rows of the largest batch of ``X`` and ``y`` (None for sparse ``X``).

    The buffers `gather_rows` copies each mini-batch into, one per epoch.
    """
    largest = max((len(idx) for idx in batches), default=0)
    X_rows = None if sp.issparse(X) else np.empty((largest, X.shape[1]), dtype=X.dtype)
    return X_rows, np.empty((largest, y.shape[1]), dtype=y.dtype)


def gather_rows(X, idx, out):
    """Rows ``idx`` of ``X``, copied into the leading rows of ``out``.

    A reused buffer instead of a fresh array per mini-batch; sparse ``X``
    (``out`` None) is indexed as it is.
    """
    if out is None:
        return X[idx]
    # The method, not np.take: its wrapper cost a microsecond a batch.
    return X.take(idx, axis=0, out=out if len(out) == len(idx) else out[: len(idx)])


def track_improvement(count, best, current, tol, *, higher_is_better):
    """Update the count of epochs without sufficient improvement.

    An epoch counts as no improvement unless ``current`` beats ``best`` by
    more than ``tol``; ``best`` moves to ``current`` whenever it is better
    at all (scikit-learn's rule).

    Returns
    -------
    count : int
    best : float
    is_best : bool
        Whether ``current`` is the new best.
    """
    sign = 1.0 if higher_is_better else -1.0
    if sign * current < sign * best + tol:
        count += 1
    else:
        count = 0
    is_best = sign * current > sign * best
    return count, (current if is_best else best), is_best

