"""Batch and layer normalisation."""

import numpy as np

from ._base import Layer, ParamSpec


def _normalize_backward(dY, x_hat, inv_std, gamma, axis, weights=None):
    """Gradient through ``Y = gamma * x_hat + beta`` and the normalisation.

    With ``x_hat = (X - mean) * inv_std``, where the mean and variance over
    ``axis`` use weights ``p`` summing to 1 (``p = 1/m`` for ``m`` values
    unless row weights are given), differentiating through the mean and
    the variance as well gives::

        dx_hat = dY * gamma
        dX = inv_std * (dx_hat - p * sum(dx_hat) - p * x_hat * sum(dx_hat * x_hat))

    with the sums over ``axis``.
    """
    d_x_hat = dY * gamma
    sum_d = d_x_hat.sum(axis=axis, keepdims=True)
    sum_dx = np.sum(d_x_hat * x_hat, axis=axis, keepdims=True)
    if weights is None:
        m = dY.shape[axis]
        return (inv_std / m) * (m * d_x_hat - sum_d - x_hat * sum_dx)
    p = weights[:, np.newaxis]
    return inv_std * (d_x_hat - p * (sum_d + x_hat * sum_dx))


class _Normalization(Layer):
    """Shared part: learned scale ``gamma`` and offset ``beta`` per unit."""

    def __init__(self, *, epsilon=1e-5):
        self.epsilon = epsilon

    def build(self, n_inputs, dtype):
        n_outputs = super().build(n_inputs, dtype)
        # An epsilon below the dtype's smallest normal number would round to
        # 0 and divide a constant unit by zero.
        self.epsilon_ = max(float(self.epsilon), float(np.finfo(dtype).tiny))
        return n_outputs

    def get_config(self):
        return {"epsilon": self.epsilon}

    def param_specs(self):
        return [ParamSpec("gamma", (self.n_inputs_,)), ParamSpec("beta", (self.n_inputs_,))]

    def initialize(self, random_state):
        self.gamma[...] = 1.0
        self.beta[...] = 0.0

    def _affine_backward(self, dY, x_hat):
        np.sum(dY * x_hat, axis=0, out=self.dgamma)
        np.sum(dY, axis=0, out=self.dbeta)


class BatchNorm(_Normalization):
    """Batch normalisation of each unit over the mini-batch (Ioffe and Szegedy).

    Training, for ``X`` of shape ``(n, n_units)`` with at least 2 rows (of
    positive weight, with ``sample_weight``)::

        mean, var = X.mean(axis=0), X.var(axis=0)    # weighted by sample_weight
        x_hat = (X - mean) / sqrt(var + epsilon)
        Y = gamma * x_hat + beta

    and the running statistics move towards the batch's:
    ``running = momentum * running + (1 - momentum) * batch``. The batch
    variance is the biased one (as Keras keeps it): with sample weights a
    Bessel correction would depend on how weights are spelled out as rows.
    Inference uses the running statistics instead, so a row's
    output does not depend on the other rows. Backward is the full gradient
    through the batch mean and variance (see ``_normalize_backward``).

    Cached: ``x_hat`` and ``1 / sqrt(var + epsilon)``.

    Parameters
    ----------
    momentum : float in [0, 1), default=0.9
        Weight of the old running statistics in each update.
    epsilon : float, default=1e-5
        Added to the variance before the square root.

    Attributes
    ----------
    running_mean, running_var : ndarray of shape (n_units,)
        Buffers: saved with the layer, not optimised, not penalised.
    """

    def __init__(self, *, momentum=0.9, epsilon=1e-5):
        super().__init__(epsilon=epsilon)
        self.momentum = momentum

    def get_config(self):
        return {"momentum": self.momentum, **super().get_config()}

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def initialize(self, random_state):
        super().initialize(random_state)
        self.running_mean = np.zeros(self.n_inputs_, dtype=self.dtype_)
        self.running_var = np.ones(self.n_inputs_, dtype=self.dtype_)

    def forward(self, X, *, training, sample_weight=None):
        if not training:
            inv_std = 1.0 / np.sqrt(self.running_var + self.epsilon_)
            return (X - self.running_mean) * (inv_std * self.gamma) + self.beta
        # Weighted batch statistics: a row of weight k counts as k rows, and
        # a row of weight 0 not at all, so one positive weight among zeros is
        # a batch of one row, whose variance is 0.
        n = X.shape[0] if sample_weight is None else np.count_nonzero(sample_weight > 0)
        if n < 2:
            raise ValueError(
                "Batch normalisation needs at least 2 samples (of positive "
                f"sample_weight, when given) per mini-batch in training; got {n}."
            )
        weights = None
        if sample_weight is not None:
            weights = (sample_weight / sample_weight.sum()).astype(X.dtype, copy=False)
        mean = np.average(X, axis=0, weights=weights)
        centered = X - mean
        var = np.average(centered * centered, axis=0, weights=weights)
        inv_std = 1.0 / np.sqrt(var + self.epsilon_)
        x_hat = centered * inv_std
        self._update_running(mean, var)
        self._cache = (x_hat, inv_std, weights)
        return x_hat * self.gamma + self.beta

    def _update_running(self, mean, var):
        self.running_mean *= self.momentum
        self.running_mean += (1 - self.momentum) * mean
        self.running_var *= self.momentum
        self.running_var += (1 - self.momentum) * var

    def backward(self, dY):
        x_hat, inv_std, weights = self._cache
        self._affine_backward(dY, x_hat)
        return _normalize_backward(dY, x_hat, inv_std, self.gamma, axis=0, weights=weights)

    def __repr__(self):
        return f"BatchNorm(momentum={self.momentum})"


class LayerNorm(_Normalization):
    """Layer normalisation of each sample over its units (Ba, Kiros, Hinton).

    The same computation in training and inference, for ``X`` of shape
    ``(n, n_units)``::

        mean, var = X.mean(axis=1), X.var(axis=1)      # per row
        x_hat = (X - mean) / sqrt(var + epsilon)
        Y = gamma * x_hat + beta

    Backward is the full gradient through the row mean and variance.

    Cached: ``x_hat`` and ``1 / sqrt(var + epsilon)`` (per row).

    Parameters
    ----------
    epsilon : float, default=1e-5
        Added to the variance before its square root (raised to the
        dtype's smallest normal number if below it).
    """

    def forward(self, X, *, training, sample_weight=None):
        mean = X.mean(axis=1, keepdims=True)
        var = X.var(axis=1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.epsilon_)
        x_hat = (X - mean) * inv_std
        if training:
            self._cache = (x_hat, inv_std)
        return x_hat * self.gamma + self.beta

    def backward(self, dY):
        x_hat, inv_std = self._cache
        self._affine_backward(dY, x_hat)
        return _normalize_backward(dY, x_hat, inv_std, self.gamma, axis=1)

    def __repr__(self):
        return "LayerNorm()"
