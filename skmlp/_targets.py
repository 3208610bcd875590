"""How an estimator's targets are trained on: encoded, decoded, scored.

The estimators make one `Targets` per fit from the checked ``y``: the
classifier's labels (``skmlp._classifier``) or the regressor's values
(``skmlp._regressor``). Training sees only what they give: the encoded
targets, the loss, the labels to stratify on, and (through the
early-stopping score) their decoding and metric.
"""

import numpy as np


class Targets:
    """How an estimator's targets are trained on; values by default.

    Subclasses (the classifier's labels) override what differs.
    """

    #: ``metric(y_true, y_pred, sample_weight=None)``: the estimator's ``score``.
    metric = None

    def loss(self, start):
        """The loss to train on: the fitted one of ``start`` (a `Start`) if it
        still applies, else a new one (`skmlp.nn.Loss`)."""
        raise NotImplementedError

    def encode(self, y, dtype):
        """The targets as a 2-D float array of the input's dtype."""
        with np.errstate(over="ignore"):
            encoded = np.asarray(y, dtype=dtype)
        if not np.isfinite(encoded).all():
            raise ValueError(
                f"y has values too large for {np.dtype(dtype).name}, the dtype of X; "
                "scale y, or pass X as float64."
            )
        return encoded.reshape(-1, 1) if encoded.ndim == 1 else encoded

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

    def fitted_attributes(self):
        """The fitted attributes of the targets (``classes_``...); none for values."""
        return {}
