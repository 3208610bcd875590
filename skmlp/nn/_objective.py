"""The objective of training: the data loss of a network plus the L2 penalty.

One object per training run, built once: the loss (which owns the output
function) and the penalty (scikit-learn's ``alpha``), rescaled to each
batch. The network computes the data loss and its gradient
(``Sequential.loss_gradient``); the penalty's gradient is added by the
optimisers inside their step (see `L2Penalty`), so an optimiser's
``update`` takes ``penalty=objective.penalty``.
"""

from ._penalty import L2Penalty


class Objective:
    """A loss plus the L2 penalty of the dense weights.

    The objective of a batch of ``s`` rows (or of total sample weight
    ``s``) is ``loss(network(X), y) + alpha / (2 s) * ||w||**2``.

    Parameters
    ----------
    loss : Loss
        The data loss (which owns the output function).
    alpha : float
        Strength of the penalty; 0 for none.
    n_penalized : int
        Number of leading parameters it applies to (``Sequential.n_penalized``).

    Attributes
    ----------
    penalty : L2Penalty
        The penalty, scaled for the last batch.
    """

    def __init__(self, loss, alpha, n_penalized):
        self.loss = loss
        self.penalty = L2Penalty(alpha, n_penalized, 1)

    def loss_gradient(self, network, X, y, sample_weight=None):
        """The objective of the batch; the data loss's gradient in ``network.grads``.

        Parameters
        ----------
        network : Sequential
            The network, whose ``grads`` receive the data loss's gradient.
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The rows of the batch.
        y : ndarray of shape (n_samples, n_outputs)
            Their targets.
        sample_weight : ndarray of shape (n_samples,), default=None
            Their weights.

        Returns
        -------
        value : float
            The data loss plus the penalty, which is scaled for this batch:
            the optimiser's step adds its gradient.
        """
        value = network.loss_gradient(X, y, self.loss, sample_weight=sample_weight)
        self.penalty.rescale(X.shape[0], sample_weight)
        return value + self.penalty.value(network.params)
