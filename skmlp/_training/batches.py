"""The mini-batches of each epoch: the order of the rows, and their batches.

`Epochs` owns the order of the training rows and the generator that
shuffles it (its state can be saved and restored, for checkpoints);
`epoch_batches` cuts an order into batches, `resolve_batch_size` picks
their size as scikit-learn's MLP does.
"""

import warnings

import numpy as np


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


def epoch_batches(order, batch_size, *, min_size=1, sample_weight=None):
    """Index arrays of the mini-batches of one epoch, in ``order``.

    A batch of fewer than ``min_size`` rows (batch normalisation cannot
    train on a single row) is merged into the next one, the last into the
    one before. With ``sample_weight`` the rows counted are those of
    positive weight: rows of weight 0 are no samples to batch statistics.
    A batch without any stays as it is (training skips it). Unweighted, only
    the last batch can be short, so only it is merged.
    """
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if min_size <= 1:
        return batches
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

    Attributes
    ----------
    n_batches : int
        Mini-batches of an epoch (of the first row order: with sample
        weights and batch normalisation, merged batches may vary by one).
    """

    def __init__(self, data, train_idx, batch_size, random_state, min_size=1):
        self.data = data
        self.train_idx = np.array(train_idx)  # shuffled in place: the caller's stays
        self.batch_size = batch_size = resolve_batch_size(batch_size, len(train_idx))
        self.random_state = random_state
        self.min_size = min_size
        if min_size > 1 and data[2] is not None:
            self.n_batches = len(epoch_batches(
                self.train_idx, batch_size, min_size=min_size, sample_weight=data[2]
            ))
        else:
            n_rows = len(self.train_idx)
            self.n_batches = -(-n_rows // batch_size)
            # Unweighted, only the last batch can be short, merged if too short.
            if self.n_batches > 1 and n_rows - (self.n_batches - 1) * batch_size < min_size:
                self.n_batches -= 1

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
        return epoch_batches(
            self.train_idx, self.batch_size, min_size=self.min_size, sample_weight=self.data[2]
        )
