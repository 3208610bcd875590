"""Element-wise activation layers.

Each caches its own output ``Y`` and computes the local derivative from it,
so no input is kept; only GELU, whose derivative is not a function of its
output, caches its input ``X`` instead (a reference, no copy):

============  =================================  ================================
name          forward ``Y = f(X)``               backward ``dX = dY * f'``
============  =================================  ================================
identity      ``X``                              ``dY``
logistic      ``1 / (1 + exp(-X))``              ``dY * Y * (1 - Y)``
tanh          ``tanh(X)``                        ``dY * (1 - Y**2)``
relu          ``max(X, 0)``                      ``dY * (Y > 0)``
leaky_relu    ``X`` if ``X > 0`` else ``a X``    ``dY`` if ``Y > 0`` else ``a dY``
elu           ``X`` if ``X > 0`` else            ``dY * (min(Y, 0) + 1)``
              ``exp(X) - 1``
gelu          ``X Phi(X)``                       ``dY * (Phi(X) + X phi(X))``
softplus      ``log(1 + exp(X))``                ``dY * (1 - exp(-Y))``
============  =================================  ================================

``a = 0.01`` is the negative slope of leaky_relu; ``Phi`` and ``phi`` are
the standard normal distribution and density functions (exact GELU, not
its tanh approximation).
"""

import math

import numpy as np
from scipy.special import expit, ndtr

from ._base import Layer


class _Activation(Layer):
    """Element-wise layer with no parameters; the output width is the input's.

    Subclasses write ``f(X)`` and ``dY * f'`` into the given output arrays,
    so a training step allocates nothing.
    """

    #: Whether ``backward`` needs the input rather than the output.
    _caches_input = False

    #: Whether ``_function(X, out=X)`` is exact: false where the function
    #: reads ``X`` again after writing into ``out``.
    _exact_in_place = False

    def forward(self, X, *, training, sample_weight=None):
        if not training:
            # A new array for the caller, with numpy's type promotion as in
            # Dense: float64 rows through a float32 network stay float64.
            return self._function(X, np.empty(X.shape, np.result_type(X, self._dtype)))
        Y = self._function(X, self._workspace("Y", X.shape))
        self._cache = X if self._caches_input else Y
        return Y

    def forward_into(self, X, out):
        if out is X and not self._exact_in_place:
            out = np.empty_like(X)
        return self._function(X, out)

    def backward(self, dY):
        if not self.needs_input_grad:
            return None
        return self._backward(self._cache, dY, self._workspace("dX", dY.shape))


class Identity(_Activation):
    """``Y = X``; used for a linear bottleneck.

    Its backward pass hands ``dY`` on unchanged; it has no parameters.
    """

    _exact_in_place = True

    def _function(self, X, out):
        return X

    def _backward(self, Y, dY, out):
        return dY


class Logistic(_Activation):
    """Logistic sigmoid ``Y = 1 / (1 + exp(-X))``, computed without overflow.

    Its derivative is computed from the output: ``dX = dY * Y * (1 - Y)``.
    """

    _exact_in_place = True

    def _function(self, X, out):
        return expit(X, out=out)

    def _backward(self, Y, dY, out):
        np.subtract(1, Y, out=out)
        out *= Y
        out *= dY
        return out


class Tanh(_Activation):
    """Hyperbolic tangent.

    Its derivative is computed from the output: ``dX = dY * (1 - Y**2)``.
    """

    _exact_in_place = True

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

    _exact_in_place = True

    def _function(self, X, out):
        # Against a row of zeros rather than the scalar 0: numpy's vectorised
        # loop, 2.5 times faster on 256 x 128 float32 (4 us against 10).
        return np.maximum(X, np.zeros(X.shape[1], out.dtype), out=out)

    def _backward(self, Y, dY, out):
        # dY times a mask of bools (Y > 0): the numbers of sign(Y) * dY in
        # half its time (numpy has no fast sign loop). Only a NaN in Y gives
        # 0, not NaN; its loss is NaN, and the training loops stop before
        # using such a gradient.
        mask = np.greater(Y, 0, out=self._workspace("mask", Y.shape, bool))
        return np.multiply(dY, mask, out=out)


class LeakyReLU(_Activation):
    """Leaky rectified linear unit: slope 1 above 0, ``negative_slope`` below.

    The derivative at 0 is taken as ``(1 + negative_slope) / 2``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        The slope below 0.
    """

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def get_config(self):
        return {"negative_slope": self.negative_slope}

    def _function(self, X, out):
        np.multiply(X, self.negative_slope, out=out)
        return np.maximum(X, out, out=out)

    def _backward(self, Y, dY, out):
        # sign(Y) is -1, 0 or 1: map it to negative_slope, the middle, or 1.
        half_gap = 0.5 * (1.0 - self.negative_slope)
        np.sign(Y, out=out)
        out *= half_gap
        out += 1.0 - half_gap
        out *= dY
        return out


class ELU(_Activation):
    """Exponential linear unit ``Y = X`` above 0, ``exp(X) - 1`` below.

    ``expm1(X) >= X`` everywhere, so ``Y = max(X, expm1(min(X, 0)))``; the
    derivative below 0 is ``exp(X) = Y + 1``.
    """

    def _function(self, X, out):
        np.minimum(X, 0, out=out)
        np.expm1(out, out=out)
        return np.maximum(X, out, out=out)

    def _backward(self, Y, dY, out):
        np.minimum(Y, 0, out=out)
        out += 1
        out *= dY
        return out


class GELU(_Activation):
    """Gaussian error linear unit ``Y = X Phi(X)`` (Hendrycks and Gimpel).

    Exact, with the normal distribution function ``Phi``. Its derivative
    ``Phi(X) + X phi(X)`` needs the input, which is cached.
    """

    _caches_input = True

    def _function(self, X, out):
        ndtr(X, out=out)
        out *= X
        return out

    def _backward(self, X, dY, out):
        density = self._workspace("density", X.shape)
        np.multiply(X, X, out=density)
        density *= -0.5
        np.exp(density, out=density)
        density *= X
        density *= 1.0 / math.sqrt(2.0 * math.pi)
        ndtr(X, out=out)
        out += density
        out *= dY
        return out


class Softplus(_Activation):
    """Smooth relu ``Y = log(1 + exp(X))``, computed without overflow.

    Its derivative, the logistic ``1 / (1 + exp(-X))``, is ``1 - exp(-Y)``,
    computed as ``-expm1(-Y)`` to stay exact where ``Y`` is tiny.
    """

    _exact_in_place = True

    def _function(self, X, out):
        return np.logaddexp(0, X, out=out)

    def _backward(self, Y, dY, out):
        np.negative(Y, out=out)
        np.expm1(out, out=out)
        np.negative(out, out=out)
        out *= dY
        return out


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "softplus": Softplus,
}
