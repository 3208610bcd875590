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
    """Element-wise layer with no parameters; the output width is the input's.

    Subclasses write ``f(X)`` and ``dY * f'`` into the given output arrays,
    so a training step allocates nothing.
    """

    def forward(self, X, *, training, sample_weight=None):
        Y = self._function(X, self._workspace("Y", X.shape, training=training))
        if training:
            self._cache = Y
        return Y

    def backward(self, dY):
        if not self.needs_input_grad:
            return None
        return self._backward(self._cache, dY, self._workspace("dX", dY.shape))


class Identity(_Activation):
    """``Y = X``; used for a linear bottleneck."""

    def _function(self, X, out):
        return X

    def _backward(self, Y, dY, out):
        return dY


class Logistic(_Activation):
    """Logistic sigmoid ``Y = 1 / (1 + exp(-X))``, computed without overflow."""

    def _function(self, X, out):
        return expit(X, out=out)

    def _backward(self, Y, dY, out):
        np.subtract(1, Y, out=out)
        out *= Y
        out *= dY
        return out


class Tanh(_Activation):
    """Hyperbolic tangent."""

    def _function(self, X, out):
        return np.tanh(X, out=out)

    def _backward(self, Y, dY, out):
        np.multiply(Y, Y, out=out)
        np.subtract(1, out, out=out)
        out *= dY
        return out


class ReLU(_Activation):
    """Rectified linear unit ``Y = max(X, 0)``.

    The derivative at 0 is taken as 0, as in scikit-learn.
    """

    def _function(self, X, out):
        return np.maximum(X, 0, out=out)

    def _backward(self, Y, dY, out):
        # Y >= 0, so sign(Y) is the 0/1 derivative: two passes, no mask array.
        np.sign(Y, out=out)
        out *= dY
        return out


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
}
