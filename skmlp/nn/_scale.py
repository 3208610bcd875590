"""A learned scale per input feature."""

import numpy as np

from ._base import Layer, ParamSpec


class Scale(Layer):
    """``Y = X * (multiplier * scale)``, one learned factor per feature (RealMLP's front scale).

    In front of the first dense layer it lets training weigh each input
    feature on its own, which a dense layer's shared learning rate does
    slowly. Shapes: ``X`` and ``Y`` are ``(n, n_features)``, ``scale`` is
    ``(n_features,)``, starting at ``1 / multiplier`` (each feature's factor
    at 1).

    Backward, for the incoming gradient ``dY``::

        dscale = multiplier * sum over rows of dY * X
        dX = dY * (multiplier * scale)

    Cached: a reference to ``X``.

    Parameters
    ----------
    multiplier : float, default=1.0
        The constant that the learned ``scale`` is multiplied by. Adam's
        steps do not depend on the size of a gradient, so its steps of the
        factors are ``multiplier`` times those of ``scale``: the factors
        train with ``multiplier`` times the learning rate (RealMLP-TD's
        ``scale_lr_factor``, 6), and the other layers' rate is unchanged.
        Under SGD it is ``multiplier ** 2`` times.

    References
    ----------
    Holzmüller, Grinsztajn and Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.
    """

    def __init__(self, multiplier=1.0):
        self.multiplier = multiplier

    def get_config(self):
        return {"multiplier": self.multiplier}

    def param_specs(self):
        return [ParamSpec("scale", (self.n_inputs_,))]

    def initialize(self, random_state):
        self.scale[...] = 1.0 / self.multiplier

    def forward(self, X, *, training, sample_weight=None):
        if training:
            self._cache = X
        return X * (self.multiplier * self.scale)

    def backward(self, dY):
        X = self._cache
        np.sum(dY * X, axis=0, out=self.dscale)
        self.dscale *= self.multiplier
        if not self.needs_input_grad:
            return None
        return dY * (self.multiplier * self.scale)

    def __repr__(self):
        return f"Scale(multiplier={self.multiplier!r})" if self.multiplier != 1.0 else "Scale()"
