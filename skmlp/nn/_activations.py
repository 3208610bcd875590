"""Element-wise activation layers.

Each caches its own output ``Y`` and computes the local derivative from it,
so no input is kept:

============  =======================  ==========================
name          forward ``Y = f(X)``     backward ``dX = dY * f'``
============  =======================  ==========================
identity      ``X``                    ``dY``
logistic      ``1 / (1 + exp(-X))``    ``dY * Y * (1 - Y)``
tanh          ``tanh(X)``              ``dY * (1 - Y**2)``
relu          ``max(X, 0)``            ``dY * (Y > 0)``
============  =======================  ==========================
"""

import numpy as np
from scipy.special import expit

from ._base import Layer


class _Activation(Layer):
    """Element-wise layer with no parameters; the output width is the input's."""

    def forward(self, X, *, training, sample_weight=None):
        Y = self._function(X)
        self._cache = Y if training else None
        return Y

    def backward(self, dY):
        return self._backward(self._cache, dY)


class Identity(_Activation):
    """``Y = X``; used for a linear bottleneck."""

    def _function(self, X):
        return X

    def _backward(self, Y, dY):
        return dY


class Logistic(_Activation):
    """Logistic sigmoid ``Y = 1 / (1 + exp(-X))``, computed without overflow."""

    def _function(self, X):
        return expit(X)

    def _backward(self, Y, dY):
        return dY * Y * (1 - Y)


class Tanh(_Activation):
    """Hyperbolic tangent."""

    def _function(self, X):
        return np.tanh(X)

    def _backward(self, Y, dY):
        return dY * (1 - Y * Y)


class ReLU(_Activation):
    """Rectified linear unit ``Y = max(X, 0)``.

    The derivative at 0 is taken as 0, as in scikit-learn.
    """

    def _function(self, X):
        return np.maximum(X, 0)

    def _backward(self, Y, dY):
        return dY * (Y > 0)


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
}
