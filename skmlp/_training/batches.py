"""The mini-batches of each epoch: the order of the rows, and their batches.

`Epochs` owns the order of the training rows and the generator that
shuffles it (its state can be saved and restored, for checkpoints);
`epoch_batches` cuts an order into batches, `resolve_batch_size` picks
their size as scikit-learn's MLP does.
"""

import copy

import numpy as np

from .progress import warn_as_scikit_learn


def resolve_batch_size(batch_size, n_samples):
    """Mini-batch size for ``n_samples`` rows, as scikit-learn's MLP picks it.

    ``'auto'`` is ``min(200, n_samples)``; an integer larger than the number
    of samples is clipped with a warning.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warn_as_scikit_learn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
            UserWarning,
        )
    return int(np.clip(batch_size, 1, n_samples))


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
        The training rows; a copy is shuffled before each epoch.
    batch_size : int or 'auto'
        Resolved for the number of training rows (`resolve_batch_size`).
    random_state : numpy.random.RandomState or None
        The shuffling; None keeps the rows in their order.
    min_size : int, default=1
        Smallest batch, in rows of positive weight (see `epoch_batches`).

    """

    def __init__(self, data, train_idx, batch_size, random_state, min_size=1):
        self.data = data
        self.train_idx = np.array(train_idx)  # shuffled in place: the caller's stays
        self.batch_size = resolve_batch_size(batch_size, len(train_idx))
        self.random_state = random_state
        self.min_size = min_size

    def n_steps(self, n_epochs):
        """Mini-batch steps of the next ``n_epochs`` epochs, an int.

        Without rows of weight 0 every epoch has the same number of
        batches, counted without making them. With some, the batches left
        out (`epoch_batches`) vary with the shuffled order: the epochs'
        orders are then drawn from a copy of the generator, which is left
        as it is.
        """
        weights = self.data[2]
        order = self.train_idx
        if weights is None or weights[order].all():
            n_batches = -(-len(order) // self.batch_size)
            # Only the last batch can be short, merged if too short.
            if n_batches > 1 and len(order) - (n_batches - 1) * self.batch_size < self.min_size:
                n_batches -= 1
            return n_epochs * n_batches
        if self.random_state is None:
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
