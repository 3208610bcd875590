"""Inverted dropout."""

import numpy as np
import scipy.sparse as sp

from ._base import Layer


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``rate`` in training.

    Training: a mask ``M`` with entries ``1 / (1 - rate)`` (kept, probability
    ``1 - rate``) or 0 (dropped) is drawn for every call, and
    ``Y = X * M``; the scaling keeps ``E[Y] = X``, so inference is the
    identity. Backward: ``dX = dY * M``: no gradient flows through dropped
    units. Shapes: ``X``, ``Y``, ``M`` are ``(n, n_units)``.

    For sparse input (dropout on the features of a sparse matrix) the mask
    is drawn for the stored entries only: dropping a zero changes nothing,
    so this is the same distribution at a cost proportional to the non-zeros.

    Cached: the mask ``M``.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping a unit.

    Attributes
    ----------
    random_state : numpy.random.RandomState
        Source of the masks, set by :meth:`initialize` from the generator the
        network was built with.
    """

    def __init__(self, rate):
        self.rate = rate

    def initialize(self, random_state):
        self.random_state = random_state

    def _draw_mask(self, shape, dtype):
        keep = self.random_state.random_sample(shape) >= self.rate
        return keep.astype(dtype) * dtype.type(1.0 / (1.0 - self.rate))

    def forward(self, X, *, training):
        if not training or self.rate == 0:
            self._cache = None
            return X
        if sp.issparse(X):
            Y = X.tocsr(copy=True)
            Y.data *= self._draw_mask(Y.data.shape, Y.data.dtype)
            self._cache = None
            return Y
        mask = self._draw_mask(X.shape, X.dtype)
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
