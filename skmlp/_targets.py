"""How an estimator's targets are trained on: encoded, decoded, scored.

The estimators make one `Targets` per fit from the checked ``y``: the
classifier's labels (``skmlp._classifier``) or the regressor's values
(``skmlp._regressor``). Training sees only what they give: the encoded
targets, the loss, the labels to stratify on, and (through the
early-stopping score) their decoding and metric.
"""

import numpy as np

from .nn import LOSSES

#: Each loss with its default settings, by scikit-learn's name. A loss keeps
#: nothing but its settings (it is a function of the raw outputs and the
#: targets), so every fit with those settings shares one instance.
DEFAULT_LOSSES = {name: loss() for name, loss in LOSSES.items()}


def as_float(y, dtype, name="y"):
    """Encoded targets as a 2-D float array of the input's dtype.

    Raises
    ------
    ValueError
        Naming ``name``, if a value overflows ``dtype``.
    """
    with np.errstate(over="ignore"):
        encoded = np.asarray(y, dtype=dtype)
    if not np.isfinite(encoded).all():
        raise ValueError(
            f"{name} has values too large for {np.dtype(dtype).name}, the dtype of X; "
            f"scale {name}, or pass X as float64."
        )
    return encoded.reshape(-1, 1) if encoded.ndim == 1 else encoded


class Targets:
    """How an estimator's targets are trained on; real values by default.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The checked training targets.
    dtype : numpy dtype
        The training dtype (of X).
    loss : skmlp.nn.Loss
        The loss to train on: a continued fit's fitted one, or one of
        `DEFAULT_LOSSES` (a new one for settings other than the defaults).

    Attributes
    ----------
    encoded : ndarray of shape (n_samples, n_outputs)
        The training targets as trained on.
    attributes : dict
        The fitted attributes of the targets (``classes_``...); none for values.
    """

    #: ``metric(y_true, y_pred, sample_weight=None)``: the estimator's ``score``.
    metric = None
    attributes = {}

    def __init__(self, y, dtype, loss):
        self.encoded = as_float(self.encode(y), dtype)
        self.loss = loss

    def check(self, y, name="y"):
        """Checks of the target values beyond scikit-learn's; none by default."""

    def encode(self, y):
        """The targets as trained on, before their conversion to floats."""
        return y

    def decode(self, Y):
        """Targets as ``predict`` returns them, from 2-D outputs."""
        return Y.ravel() if Y.shape[1] == 1 else Y

    def stratify(self, y_encoded):
        """Labels to stratify the early-stopping split on; None: not stratified."""
        return None

    def missing(self, y_val):
        """Classes of ``y`` absent from ``y_val``; none for values."""
        return []

    def check_known(self, y_val):
        """Validation targets must be ones the network can output; any value can."""
