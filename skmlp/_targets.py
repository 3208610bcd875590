"""How an estimator's targets are trained on: encoded, decoded, scored.

The estimators make one `Targets` per fit from the checked ``y``: the
classifier's labels (``skmlp._classifier``) or the regressor's values
(``skmlp._regressor``). Training sees only what they give: the encoded
targets, the loss, the labels to stratify on, and (through the
early-stopping score) their decoding and metric.
"""


class Targets:
    """How an estimator's targets are trained on; values by default.

    Subclasses (the classifier's labels) override what differs.
    """

    #: ``metric(y_true, y_pred, sample_weight=None)``: the estimator's ``score``.
    metric = None

    #: The loss of a new fit: its name in `skmlp.nn.LOSSES`, its keyword arguments.
    loss_name = None
    loss_params = {}

    def __init__(self, y):
        #: The training targets as trained on, before their conversion to floats.
        self.encoded = self.encode(y)

    def continues(self, loss):
        """Whether a continued fit trains on the fitted ``loss``; by default, yes."""
        return True

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

    #: The fitted attributes of the targets (``classes_``...); none for values.
    attributes = {}
