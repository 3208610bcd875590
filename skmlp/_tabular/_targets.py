"""The regressor's targets: values standardised for training, predicted in their units."""

import numpy as np
from sklearn.metrics import r2_score

from .._targets import DEFAULT_LOSSES, Targets


class StandardizedValues(Targets):
    """The regressor's targets, trained on standardised: ``(y - mean) / std``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    dtype : numpy dtype
    fitted : tuple (mean, scale, loss) or None, default=None
        A continued fit's standardisation and loss; None: of ``y``, and the
        shared default loss (`DEFAULT_LOSSES`).
    """

    metric = staticmethod(r2_score)

    def __init__(self, y, dtype, fitted=None):
        if fitted is None:
            mean, scale = _mean_and_std(np.asarray(y, dtype=np.float64))
            fitted = (mean, scale, DEFAULT_LOSSES["squared_error"])
        else:  # a fit continued from a constant target trains in units of 1 (`encode`)
            fitted = (fitted[0], fitted[1] or 1.0, fitted[2])
        self.mean, self.scale, loss = fitted
        # A constant target has scale 0: its predictions are its value.
        self.attributes = {"_y_mean": self.mean, "_y_scale": self.scale}
        super().__init__(y, dtype, loss)

    def encode(self, y):
        return (np.asarray(y, dtype=np.float64) - self.mean) / (self.scale or 1.0)

    def decode(self, Y):
        return Y.ravel().astype(np.float64) * self.scale + self.mean


def _mean_and_std(y):
    """The mean and standard deviation of ``y``, in units of its largest value.

    ``np.std`` squares ``y``: the squares of 1e200 overflow to inf, those of
    1e-300 underflow to 0.
    """
    unit = float(np.max(np.abs(y)))
    if unit == 0.0:
        return 0.0, 0.0
    y = y / unit
    return float(np.mean(y)) * unit, float(np.std(y)) * unit
