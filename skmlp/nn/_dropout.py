"""Inverted dropout with masks keyed on the rows themselves."""

import math

import numpy as np
import scipy.sparse as sp

from ._base import Layer

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(z):
    """SplitMix64's finaliser: a bijection of uint64 with strong avalanche.

    ``z`` is left as it is; after the first step the work is done in place
    on the new array (fresh arrays' page faults cost more than the hashing).
    """
    z = z ^ (z >> np.uint64(30))
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _at_least(keys, rate):
    """Whether each key's uniform draw in [0, 1) is at least ``rate``.

    The draw is the key's top 53 bits as a fraction, ``(keys >> 11) *
    2**-53`` (exact in float64). It is at least ``rate`` exactly when
    ``keys >> 11`` is at least ``ceil(rate * 2**53)``, that is when ``keys``
    is at least that number shifted back: compared on the integers, without
    three passes and a float64 array.
    """
    threshold = math.ceil(rate * (1 << 53))
    if threshold >= 1 << 53:
        return np.zeros(keys.shape, dtype=bool)
    return keys >= np.uint64(threshold << 11)


def _value_bits(values):
    """The bit patterns of float values as uint64, low mantissa bits cleared.

    Matrix products give equal rows results that differ in the last bits
    depending on their position in the batch, so a row's key must not see
    those bits: 26 of float64's 52 mantissa bits and 10 of float32's 23 are
    dropped (0.0 and -0.0 alike).
    """
    values = values + values.dtype.type(0.0)  # turns -0.0 into +0.0
    if values.dtype.itemsize == 8:
        bits = values.view(np.uint64) >> np.uint64(26)
    else:
        bits = (values.view(np.uint32) >> np.uint32(10)).astype(np.uint64)
    return bits


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``rate`` in training.

    Training: a mask ``M`` with entries ``1 / (1 - rate)`` (kept, probability
    ``1 - rate``) or 0 (dropped) is drawn for every call and ``Y = X * M``;
    the scaling keeps ``E[Y] = X``, so inference is the identity. Backward:
    ``dX = dY * M``: no gradient flows through dropped units. Shapes:
    ``X``, ``Y``, ``M`` are ``(n, n_units)``.

    The mask of a row is a pseudo-random function of the layer's seed, the
    call count and the row's values (a counter-based generator, hashed with
    SplitMix64), not of its position in the batch. So two equal rows get
    the same mask in the same step, and a row of sample weight ``k`` trains
    like ``k`` repeated rows, as it does without dropout. (Values are hashed
    to about 1e-8 relative precision in float64 and 1e-4 in float32, since
    equal rows can differ in their last bits after a matrix product.)

    For sparse input (dropout on the features of a sparse matrix) only the
    stored entries are drawn: dropping a zero changes nothing, so this is the
    same distribution at a cost proportional to the non-zeros.

    Cached: the mask ``M``.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping a unit.

    Attributes
    ----------
    seed : ndarray of shape () and dtype uint64
        Drawn by :meth:`initialize` from the network's random generator.
    n_calls : ndarray of shape () and dtype uint64
        Training forward passes so far; part of every mask's key.

    Both are buffers (0-d arrays, changed in place): the masks of future
    steps depend on them, so a network's saved state must hold them.
    """

    def __init__(self, rate):
        self.rate = rate

    def get_config(self):
        return {"rate": self.rate}

    def buffers(self):
        return {"seed": self.seed, "n_calls": self.n_calls}

    def initialize(self, random_state):
        self.seed = np.array(random_state.randint(np.iinfo(np.int64).max), dtype=np.uint64)
        self.n_calls = np.zeros((), dtype=np.uint64)

    def _column_keys(self, n_columns):
        columns = np.arange(1, n_columns + 1, dtype=np.uint64)
        return _mix(columns * _GOLDEN + self.seed[()])

    def _next_step_key(self):
        self.n_calls += np.uint64(1)  # in place: the buffer stays the same array
        return _mix(self.n_calls[()] * _GOLDEN ^ self.seed[()])

    def _row_keys(self, X, column_keys):
        """One uint64 per row, a hash of its values (wrapping arithmetic)."""
        if sp.issparse(X):
            weighted = _value_bits(X.data) * column_keys[X.indices]
            sums = np.add.reduceat(np.append(weighted, np.uint64(0)), X.indptr[:-1])
            # reduceat gives the next row's first value for an empty row.
            return np.where(np.diff(X.indptr) > 0, sums, np.uint64(0))
        return (_value_bits(X) * column_keys).sum(axis=1, dtype=np.uint64)

    def _draw_keys(self, X):
        """Uniform uint64 draws for the entries of X (stored entries if sparse)."""
        column_keys = self._column_keys(X.shape[1])
        step_key = self._next_step_key()
        rows = _mix(self._row_keys(X, column_keys) ^ step_key)
        if sp.issparse(X):
            row_of_entry = np.repeat(rows, np.diff(X.indptr))
            return _mix(row_of_entry ^ column_keys[X.indices])
        return _mix(rows[:, np.newaxis] ^ column_keys)

    def _mask(self, X, dtype):
        keep = _at_least(self._draw_keys(X), self.rate)
        return np.multiply(keep, dtype.type(1.0 / (1.0 - self.rate)), dtype=dtype)

    def forward(self, X, *, training, sample_weight=None):
        if not training or self.rate == 0:
            return X
        self._cache = None
        with np.errstate(over="ignore"):  # wrapping uint64 products are intended
            if sp.issparse(X):
                X = X.tocsr()
                Y = X.copy()
                Y.data *= self._mask(X, X.dtype)
                return Y
            mask = self._mask(X, X.dtype)
        self._cache = mask
        return X * mask

    def backward(self, dY):
        if not self.needs_input_grad:
            return None
        if self._cache is None:
            if self.rate == 0:
                return dY
            raise NotImplementedError(
                "Dropout on sparse input does not back-propagate to that input."
            )
        return dY * self._cache

    def __repr__(self):
        return f"Dropout({self.rate})"
