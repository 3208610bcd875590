"""SELU and Mish, the activations of RealMLP's hidden layers.

============  =========================================  ==================================
name          forward ``Y = f(X)``                       backward ``dX = dY * f'``
============  =========================================  ==================================
selu          ``s X`` if ``X > 0`` else                  ``s dY`` if ``Y > 0`` else
              ``s a (exp(X) - 1)``                       ``(Y + s a) dY``
mish          ``X tanh(softplus(X))``                    ``dY * (t + X (1 - t**2) sigmoid(X))``
============  =========================================  ==================================

``s`` and ``a`` are SELU's fixed scale and alpha (Klambauer et al., the
values of ``torch.nn.SELU``); ``t = tanh(softplus(X))``. SELU caches its
output, Mish its input (its derivative is not a function of its output).
They are not in ``ACTIVATIONS``, the names the MLP estimators accept.

References
----------
Klambauer, Unterthiner, Mayr and Hochreiter, "Self-Normalizing Neural
Networks", NeurIPS 2017. Misra, "Mish: A Self Regularized Non-Monotonic
Activation Function", BMVC 2020.
"""

import numpy as np
from scipy.special import expit

from ._activations import _Activation

#: SELU's constants, to the digits of the paper (and of PyTorch).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class SELU(_Activation):
    """Scaled exponential linear unit (Klambauer et al. 2017).

    ``Y = scale * X`` above 0, ``scale * alpha * (exp(X) - 1)`` below, with
    the fixed ``alpha`` and ``scale`` that keep unit mean and variance
    through a layer with weights of variance ``1 / fan_in``.
    """

    def _function(self, X, out):
        np.minimum(X, 0, out=out)
        np.expm1(out, out=out)
        out *= SELU_ALPHA
        np.copyto(out, X, where=X > 0)
        out *= SELU_SCALE
        return out

    def _backward(self, Y, dY, out):
        # Below 0 the derivative is scale * alpha * exp(X) = Y + scale * alpha.
        np.add(Y, SELU_SCALE * SELU_ALPHA, out=out)
        np.copyto(out, SELU_SCALE, where=Y > 0)
        out *= dY
        return out


class Mish(_Activation):
    """``Y = X tanh(softplus(X))`` (Misra 2020), computed without overflow.

    Smooth and non-monotonic: it follows ReLU for large inputs and dips
    slightly below 0 for negative ones. RealMLP-TD uses it in regression.
    """

    _caches_input = True

    def _function(self, X, out):
        np.logaddexp(0, X, out=out)
        np.tanh(out, out=out)
        out *= X
        return out

    def _backward(self, X, dY, out):
        t = self._workspace("tanh_softplus", X.shape)
        np.logaddexp(0, X, out=t)
        np.tanh(t, out=t)
        # t + X (1 - t**2) sigmoid(X)
        np.multiply(t, t, out=out)
        np.subtract(1, out, out=out)
        out *= X
        out *= expit(X)
        out += t
        out *= dY
        return out
