"""Losses fused with their output function.

A loss takes the raw output ``Z`` of the last layer (shape
``(n_samples, n_outputs)``), never probabilities. It owns the output function
``h`` that turns ``Z`` into predictions and returns the weighted mean over
samples of the per-sample loss, together with its gradient with respect to
``Z``.

Why the gradient is always ``h(Z) - y``: each loss below is the negative
log-likelihood of an exponential-family distribution whose canonical link is
``h``'s inverse, so the per-sample loss has the form
``A(z) - y * z + const`` with ``A'(z) = h(z)``. Differentiating gives
``h(z) - y``. With sample weights ``w`` the objective is
``sum_i w_i l_i / sum_i w_i`` and the gradient for row ``i`` is
``w_i (h(z_i) - y_i) / sum_i w_i``.

=====================  ===========  ====================================
loss                   ``h(z)``     per-sample loss (summed over outputs)
=====================  ===========  ====================================
SquaredError           ``z``        ``(z - y)**2 / 2`` (reported: mean)
PoissonDeviance        ``exp(z)``   ``y log(y / exp(z)) - y + exp(z)``
BinaryLogLoss          sigmoid      ``log(1 + exp(z)) - y z``
MultinomialLogLoss     softmax      ``logsumexp(z) - sum_k y_k z_k``
=====================  ===========  ====================================

The log-losses are computed from ``Z`` with log-sum-exp, so they are finite
for any finite ``Z`` and need no clipping of probabilities.

Label smoothing (Szegedy et al., 2016) replaces the 0/1 targets of the
log-losses by ``(1 - eps) y + eps / K`` (``K`` classes of a softmax; ``K = 2``
for each sigmoid output), in the value and the gradient alike: both are the
cross-entropy against the smoothed targets, which still sum to 1 per row, so
the gradient is still ``h(Z) - y``.

References
----------
.. [1] Szegedy, C., Vanhoucke, V., Ioffe, S., Shlens, J. and Wojna, Z. (2016).
   Rethinking the Inception Architecture for Computer Vision. CVPR.
   https://arxiv.org/abs/1512.00567
"""

import numpy as np
from scipy.special import expit, xlogy


def _weighted_mean(values, weights):
    """``np.average`` without its per-call overhead (called every batch).

    Rows of weight 0 count for nothing: a batch whose weights are all 0
    has a mean of 0, not a division by zero.
    """
    if weights is None:
        return float(np.add.reduce(values)) / values.shape[0]
    total = float(np.add.reduce(weights))
    return float(np.dot(values, weights)) / total if total else 0.0


class Loss:
    """Base class: a loss with its output function.

    A loss takes the raw outputs ``Z`` of the last layer and returns the
    loss and its gradient with respect to ``Z``; the output function
    (identity, exp, sigmoid, softmax) lives only here.

    Attributes
    ----------
    output_name : str
        Name of the output function, as in scikit-learn's ``out_activation_``.
    """

    output_name = None

    def output(self, Z):
        """Compute the predictions ``h(Z)`` from raw outputs ``Z``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Raw outputs of the last layer.

        Returns
        -------
        predictions : ndarray of shape (n_samples, n_outputs)
            A new array.
        """
        raise NotImplementedError

    def _per_sample(self, Z, y):
        """Loss of each row, shape ``(n_samples,)``."""
        raise NotImplementedError

    def _per_sample_and_output(self, Z, y):
        """Per-sample loss and ``h(Z)``; losses that share work override it."""
        return self._per_sample(Z, y), self.output(Z)

    def _targets(self, y):
        """The targets the loss compares with (smoothed labels); ``y`` itself."""
        return y

    def loss(self, Z, y, sample_weight=None):
        """Weighted mean over samples of the per-sample loss.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Raw outputs of the last layer.
        y : ndarray of shape (n_samples, n_outputs)
            Targets (0/1 indicators for the log-losses).
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the samples; None weighs them equally.

        Returns
        -------
        loss : float
            The weighted mean.
        """
        return _weighted_mean(self._per_sample(Z, self._targets(y)), sample_weight)

    def loss_gradient(self, Z, y, sample_weight=None):
        """Loss and its gradient with respect to ``Z``.

        Parameters
        ----------
        Z, y : ndarray of shape (n_samples, n_outputs)
            Raw outputs of the last layer and targets, as for `loss`.
        sample_weight : ndarray of shape (n_samples,), default=None
            As for `loss`.

        Returns
        -------
        loss : float
            As `loss` computes it.
        dZ : ndarray of shape (n_samples, n_outputs)
            Its gradient with respect to ``Z``, ``(h(Z) - y)`` weighted.
        """
        y = self._targets(y)
        per_sample, dZ = self._per_sample_and_output(Z, y)
        loss = _weighted_mean(per_sample, sample_weight)
        dZ -= y
        if sample_weight is None:
            dZ /= Z.shape[0]
        else:
            total = sample_weight.sum()
            dZ *= (sample_weight / total if total else sample_weight)[:, np.newaxis]
        return loss, dZ

    def consistent(self):
        """Return this loss, reporting the objective whose gradient it returns.

        A line search (L-BFGS) needs the two to agree; every loss here
        reports that objective except `SquaredError` of several outputs.

        Returns
        -------
        loss : Loss
            ``self``, or a loss of the same kind that reports that objective.
        """
        return self


class SquaredError(Loss):
    """Half the squared error, identity output (regression).

    For several outputs the gradient is that of the sum over outputs, the
    direction scikit-learn's MLP follows, while the value it reports (its
    ``loss_``, which ``tol`` and ``n_iter_no_change`` act on) is the mean
    over outputs: ``1 / n_outputs`` of the objective of that gradient. This
    loss does the same by default, so stochastic fits stop where
    scikit-learn's do.

    Parameters
    ----------
    sum_outputs : bool, default=False
        Report the sum over outputs instead, the objective consistent with
        the gradient, as a line search needs (see `consistent`).
    """

    output_name = "identity"

    def __init__(self, sum_outputs=False):
        self.sum_outputs = sum_outputs

    def output(self, Z):
        return Z.copy()

    def _per_sample(self, Z, y):
        residual = Z - y
        per_sample = 0.5 * np.einsum("ij,ij->i", residual, residual)
        if not self.sum_outputs and Z.shape[1] > 1:
            per_sample /= Z.shape[1]
        return per_sample

    def consistent(self):
        return self if self.sum_outputs else SquaredError(sum_outputs=True)


class PoissonDeviance(Loss):
    """Half the Poisson deviance with log link: predictions ``exp(Z)``.

    Targets must be non-negative. ``Z`` is capped at half the largest
    exponent of the dtype, so the loss stays finite for any finite ``Z``.
    """

    output_name = "exp"

    def output(self, Z):
        return np.exp(self._capped(Z))

    def _capped(self, Z):
        # Half the largest exponent: a mean of up to 1e19 (float32) or 1e154
        # (float64), and sums of many such terms still cannot overflow.
        return np.minimum(Z, 0.5 * np.log(np.finfo(Z.dtype).max))

    def _per_sample(self, Z, y):
        # log(exp(Z)) is Z itself: no log of an underflowed mean.
        log_mean = self._capped(Z)
        return np.sum(xlogy(y, y) - y * log_mean - y + np.exp(log_mean), axis=1)


def _smoothed(y, label_smoothing, n_classes):
    """0/1 targets smoothed over ``n_classes`` per output; ``y`` itself for 0."""
    if not label_smoothing:
        return y
    return y * (1.0 - label_smoothing) + label_smoothing / n_classes


class BinaryLogLoss(Loss):
    """Log-loss of independent sigmoid outputs (binary and multilabel).

    Each output is the probability of its label, ``expit(Z)``, on its own.

    Parameters
    ----------
    label_smoothing : float in [0, 1), default=0.0
        Targets become ``y (1 - label_smoothing) + label_smoothing / 2``.
    """

    output_name = "logistic"
    label_smoothing = 0.0  # also of losses pickled before the option existed

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = label_smoothing

    def _targets(self, y):
        return _smoothed(y, self.label_smoothing, 2)

    def output(self, Z):
        return expit(Z)

    def _per_sample(self, Z, y):
        return np.sum(np.logaddexp(0, Z) - y * Z, axis=1)


class MultinomialLogLoss(Loss):
    """Cross-entropy of a softmax over the outputs (multiclass).

    With ``y`` summing to 1 per row and ``m = max_k z_k``, the per-sample
    loss is ``log(sum_k exp(z_k - m)) - sum_k y_k (z_k - m)``: the
    exponentials of the shifted outputs serve both the loss and the softmax.

    Parameters
    ----------
    label_smoothing : float in [0, 1), default=0.0
        One-hot targets become ``y (1 - label_smoothing) + label_smoothing / K``
        over the ``K`` outputs, as PyTorch's ``CrossEntropyLoss``.
    """

    output_name = "softmax"
    label_smoothing = 0.0  # also of losses pickled before the option existed

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = label_smoothing

    def _targets(self, y):
        return _smoothed(y, self.label_smoothing, y.shape[1])

    def _shifted_exp(self, Z):
        # The rows' maxima reduced along the long axis of a transposed copy:
        # numpy's reduction along a row of 10 floats is slow (256 x 10
        # float32 took 24 us, against 3 us), and a maximum is exact in any order.
        shifted = Z - np.maximum.reduce(Z.T.copy(), axis=0)[:, np.newaxis]
        return shifted, np.exp(shifted)

    def output(self, Z):
        _, P = self._shifted_exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        return P

    def _per_sample_and_output(self, Z, y):
        shifted, P = self._shifted_exp(Z)
        sums = P.sum(axis=1, keepdims=True)
        per_sample = np.log(sums[:, 0]) - np.einsum("ij,ij->i", y, shifted)
        P /= sums
        return per_sample, P

    def _per_sample(self, Z, y):
        return self._per_sample_and_output(Z, y)[0]


LOSSES = {
    "squared_error": SquaredError,
    "poisson": PoissonDeviance,
    "binary_log_loss": BinaryLogLoss,
    "log_loss": MultinomialLogLoss,
}
