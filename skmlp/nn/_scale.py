"""A learned scale per input feature."""

import numpy as np

from ._base import Layer, ParamSpec


class Scale(Layer):
    """``Y = X * scale``, one learned factor per feature (RealMLP's front scale).

    In front of the first dense layer it lets training weigh each input
    feature on its own, which a dense layer's shared learning rate does
    slowly. Shapes: ``X`` and ``Y`` are ``(n, n_features)``, ``scale`` is
    ``(n_features,)``, starting at 1.

    Backward, for the incoming gradient ``dY``::

        dscale = sum over rows of dY * X        dX = dY * scale

    Cached: a reference to ``X``.

    References
    ----------
    Holzmüller, Grinsztajn and Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.
    """

    def param_specs(self):
        return [ParamSpec("scale", (self.n_inputs_,))]

    def initialize(self, random_state):
        self.scale[...] = 1.0

    def forward(self, X, *, training, sample_weight=None):
        if training:
            self._cache = X
        return X * self.scale

    def backward(self, dY):
        X = self._cache
        np.sum(dY * X, axis=0, out=self.dscale)
        if not self.needs_input_grad:
            return None
        return dY * self.scale

    def __repr__(self):
        return "Scale()"
