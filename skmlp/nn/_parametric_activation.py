"""An activation mixed with the identity by a learned weight per unit."""

import numpy as np

from ._activations import ACTIVATIONS
from ._base import Layer, ParamSpec
from ._smooth_activations import SELU, Mish

#: The activations a ParametricActivation can mix with the identity, by name.
MIXABLE = {**ACTIVATIONS, "selu": SELU, "mish": Mish}


class ParametricActivation(Layer):
    """``Y = X + alpha * (f(X) - X)``: ``f`` mixed with the identity (RealMLP).

    ``alpha`` has one entry per unit and starts at 1, so the layer starts
    as the plain activation ``f``; training can move each unit towards the
    identity (``alpha = 0``) or past it. Shapes: ``X`` and ``Y`` are
    ``(n, n_units)``, ``alpha`` is ``(n_units,)``.

    Backward, for the incoming gradient ``dY``, with ``F = f(X)``::

        dalpha = sum over rows of dY * (F - X)
        dX = (1 - alpha) * dY + f'(X) * (alpha * dY)

    the last term through ``f``'s own backward. Cached: ``X`` (a reference)
    and ``F``; ``f`` keeps its own cache.

    Parameters
    ----------
    activation : {'selu', 'mish', 'relu', 'tanh', ...}, default='selu'
        Name of ``f``: one of ``ACTIVATIONS`` or 'selu', 'mish'.

    References
    ----------
    Holzmüller, Grinsztajn and Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.
    """

    def __init__(self, activation="selu"):
        self.activation = activation

    def get_config(self):
        return {"activation": self.activation}

    def build(self, n_inputs, dtype):
        if self.activation not in MIXABLE:
            raise ValueError(
                f"activation must be one of {sorted(MIXABLE)}; got {self.activation!r}."
            )
        n_outputs = super().build(n_inputs, dtype)
        self.function_ = MIXABLE[self.activation]()
        self.function_.build(n_inputs, dtype)
        return n_outputs

    def param_specs(self):
        return [ParamSpec("alpha", (self.n_inputs_,))]

    def initialize(self, random_state):
        self.alpha[...] = 1.0

    def forward(self, X, *, training, sample_weight=None):
        F = self.function_.forward(X, training=training)
        if training:
            self._cache = (X, F)
        # X + alpha (F - X), as F alpha + X (1 - alpha): two products, no copy of F.
        Y = F * self.alpha
        Y += X * (1.0 - self.alpha)
        return Y

    def backward(self, dY):
        X, F = self._cache
        np.sum(dY * (F - X), axis=0, out=self.dalpha)
        if not self.needs_input_grad:
            return None
        dX = self.function_.backward(dY * self.alpha)
        dX += dY * (1.0 - self.alpha)
        return dX

    def __repr__(self):
        return f"ParametricActivation({self.activation!r})"
