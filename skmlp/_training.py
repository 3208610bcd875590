"""Small pieces of stochastic training, each testable on its own.

`skmlp._train.train` runs epochs of them; the estimators pick a batch
size and split off validation rows. Run epochs of mini-batch updates,
track whether the monitored quantity still improves.
"""

import copy
import math
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split

from .nn import L2Penalty


def resolve_batch_size(batch_size, n_samples):
    """Mini-batch size for ``n_samples`` rows, as scikit-learn's MLP picks it.

    ``'auto'`` is ``min(200, n_samples)``; an integer larger than the number
    of samples is clipped with a warning.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than "
            "sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def validation_split(n_samples, validation_fraction, random_state, stratify=None):
    """Row indices of the training and validation parts.

    Only indices are drawn, so the data is gathered once per mini-batch and
    never copied as a whole. The draw is the same as
    ``train_test_split(X, y, ...)`` on the data itself.

    Returns
    -------
    train_idx, val_idx : ndarray of int
    """
    train_idx, val_idx = train_test_split(
        np.arange(n_samples),
        random_state=random_state,
        test_size=validation_fraction,
        stratify=stratify,
    )
    if val_idx.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return train_idx, val_idx


def epoch_batches(order, batch_size, *, min_size=1, sample_weight=None):
    """Index arrays of the mini-batches of one epoch, in ``order``.

    A batch of fewer than ``min_size`` rows (batch normalisation cannot
    train on a single row) is merged into the next one, the last into the
    one before. With ``sample_weight`` the rows counted are those of
    positive weight: rows of weight 0 are no samples to batch statistics.
    Unweighted, only the last batch can be short, so only it is merged.
    A batch without any row of positive weight is left out: it would be
    no step (its rows count for nothing), and the batches are the steps
    that a learning-rate schedule counts.
    """
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if min_size > 1:
        batches = _merge_short_batches(batches, min_size, sample_weight)
    if sample_weight is None:
        return batches
    return [idx for idx in batches if sample_weight[idx].any()]


def _merge_short_batches(batches, min_size, sample_weight):
    """Merge batches of fewer than ``min_size`` rows (of positive weight) into the next."""
    counts = [
        len(idx) if sample_weight is None else np.count_nonzero(sample_weight[idx])
        for idx in batches
    ]
    merged, merged_counts = [], []
    for idx, count in zip(batches, counts):
        if merged and 0 < merged_counts[-1] < min_size:
            merged[-1] = np.concatenate([merged[-1], idx])
            merged_counts[-1] += count
        else:
            merged.append(idx)
            merged_counts.append(count)
    # A short last batch goes back into the batches before it, as far as
    # the last one with rows to count.
    while len(merged) > 1 and 0 < merged_counts[-1] < min_size:
        merged[-2:] = [np.concatenate(merged[-2:])]
        merged_counts[-2:] = [sum(merged_counts[-2:])]
    return merged


class Epochs:
    """The mini-batches of successive epochs over the training rows.

    Parameters
    ----------
    data : tuple (X, y, sample_weight)
    train_idx : ndarray of int
        The training rows, shuffled in place before each epoch.
    batch_size : int
    random_state : numpy.random.RandomState or None
        The shuffling; None keeps the rows in their order.
    min_size : int, default=1
        Smallest batch, in rows of positive weight (see `epoch_batches`).
    """

    def __init__(self, data, train_idx, batch_size, random_state, min_size=1):
        self.data = data
        self.train_idx = train_idx
        self.batch_size = batch_size
        self.random_state = random_state
        self.min_size = min_size

    @property
    def n_rows(self):
        """Number of training rows."""
        return len(self.train_idx)

    def n_steps(self, n_epochs):
        """Mini-batch steps of the next ``n_epochs`` epochs, an int.

        With rows of weight 0, the batches left out (`epoch_batches`) vary
        with the shuffled order: the epochs' orders are then drawn from a
        copy of the generator, which is left as it is. Otherwise every epoch
        has the same number of batches.
        """
        weights = self.data[2]
        order = self.train_idx
        if weights is None or self.random_state is None or weights[order].all():
            return n_epochs * len(self._batches(order))
        order, generator = order.copy(), copy.deepcopy(self.random_state)
        n_steps = 0
        for _ in range(n_epochs):
            generator.shuffle(order)
            n_steps += len(self._batches(order))
        return n_steps

    def get_state(self):
        """The order of the rows and the shuffling generator's state (copies)."""
        generator = None if self.random_state is None else self.random_state.get_state()
        return self.train_idx.copy(), generator

    def set_state(self, state):
        """Restore a state returned by `get_state`, in place."""
        train_idx, generator = state
        self.train_idx[...] = train_idx
        if generator is not None:
            self.random_state.set_state(generator)

    def next_batches(self):
        """Row indices of each mini-batch of the next epoch."""
        if self.random_state is not None:
            self.random_state.shuffle(self.train_idx)
        return self._batches(self.train_idx)

    def _batches(self, order):
        return epoch_batches(
            order, self.batch_size, min_size=self.min_size, sample_weight=self.data[2]
        )


def run_epoch(network, loss, optimizer, data, batches, *, alpha, interrupt=None):
    """One pass of mini-batch updates.

    Parameters
    ----------
    network : skmlp.nn.Sequential
    loss : skmlp.nn.Loss
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam
    data : tuple (X, y, sample_weight)
        ``sample_weight`` may be None.
    batches : list of ndarray of int
        Row indices of each mini-batch (each with some positive weight:
        see `epoch_batches`).
    alpha : float
        L2 penalty.
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
    largest = max((len(idx) for idx in batches), default=0)
    X_rows = None if sp.issparse(X) else np.empty((largest, X.shape[1]), dtype=X.dtype)
    y_rows = np.empty((largest, y.shape[1]), dtype=y.dtype)
    total = 0.0
    n_seen = 0
    # Overflow is detected from the loss, below, and reported by the caller;
    # numpy's warnings on the way there would only be noise.
    with np.errstate(over="ignore", invalid="ignore"):
        for idx in batches:
            batch_weight = None if sample_weight is None else sample_weight[idx]
            value = network.loss_gradient(
                gather_rows(X, idx, X_rows),
                gather_rows(y, idx, y_rows),
                loss,
                sample_weight=batch_weight,
            )
            penalty = L2Penalty(alpha, network.n_penalized, len(idx), batch_weight)
            value += penalty.value(network.params)
            if not math.isfinite(value):
                return np.float64(value)  # diverged: stop at once
            optimizer.update(
                network.params, network.grads, penalty=penalty, n_decayed=network.n_penalized
            )
            total += value * len(idx)
            n_seen += len(idx)
            if interrupt is not None and interrupt.requested:
                break
    # np.float64, the type of scikit-learn's loss_ and loss_curve_ entries.
    return np.float64(total / n_seen if n_seen else 0.0)


def gather_rows(X, idx, out):
    """Rows ``idx`` of ``X``, copied into the leading rows of ``out``.

    A reused buffer instead of a fresh array per mini-batch; sparse ``X``
    (``out`` None) is indexed as it is.
    """
    if out is None:
        return X[idx]
    return np.take(X, idx, axis=0, out=out[: len(idx)])


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

