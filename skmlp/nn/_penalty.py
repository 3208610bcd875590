"""The L2 penalty of a mini-batch, which the optimisers add in their step.

scikit-learn's ``alpha``: the objective of a mini-batch is its data loss
(``Sequential.loss_gradient``) plus this term, whose gradient the
optimisers add chunk by chunk inside their step.
"""

import numpy as np

#: Elements per chunk of the optimisers' steps and the penalty's gradient:
#: five float32 arrays of it fit in a core's L2 cache.
CHUNK_SIZE = 65536


class L2Penalty:
    """The L2 penalty of a mini-batch (scikit-learn's alpha), applied by the optimisers.

    The objective of a mini-batch is its data loss, which
    :meth:`Sequential.loss_gradient <skmlp.nn.Sequential.loss_gradient>`
    returns with exactly its gradient, plus this term, as scikit-learn
    scales it::

        value = alpha / (2 s) * ||w||**2        gradient = (alpha / s) * w

    where ``w = params[:n_penalized]`` (the dense weights, laid out first)
    and ``s`` is the number of rows of the batch, or the sum of their sample
    weights. Only this class computes the term: :meth:`value` for the
    objective a training loop reports, and :meth:`add_gradient`, which SGD
    and Adam call inside their step, chunk by chunk while the chunk is in
    cache (on a tf-idf input layer, where a step is bound by memory traffic,
    a separate pass over the weights and gradients cost about 10%), and
    :func:`minimize_lbfgs` before handing the gradient to SciPy.

    Parameters
    ----------
    alpha : float
        Strength of the penalty; 0 for none.
    n_penalized : int
        Number of leading parameters it applies to (``Sequential.n_penalized``).
    n_samples : int
        Number of rows of the batch.
    sample_weight : ndarray of shape (n_samples,), default=None
        Their weights, whose sum replaces ``n_samples``.

    Attributes
    ----------
    scale : float
        ``alpha / s``: the gradient is ``scale * w``.
    """

    def __init__(self, alpha, n_penalized, n_samples, sample_weight=None):
        self.alpha = alpha
        self.n_penalized = n_penalized
        self.rescale(n_samples, sample_weight)

    def rescale(self, n_samples, sample_weight=None):
        """Scale the penalty for another batch.

        Parameters
        ----------
        n_samples : int
            Number of rows of the batch.
        sample_weight : ndarray of shape (n_samples,), default=None
            Their weights, whose sum replaces ``n_samples``.

        Returns
        -------
        self : L2Penalty
            This penalty, scaled for the batch.
        """
        self.total_weight = n_samples if sample_weight is None else sample_weight.sum()
        self.scale = self.alpha / self.total_weight if self.alpha else 0.0
        return self

    def value(self, params):
        """Compute ``alpha / (2 s) * ||params[:n_penalized]||**2``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            The flat parameters of the network.

        Returns
        -------
        value : float
            The penalty.
        """
        if not self.alpha:
            return 0.0
        penalized = params[: self.n_penalized]
        return 0.5 * self.alpha * float(np.dot(penalized, penalized)) / self.total_weight

    def add_gradient(self, grads, params, *, offset=0, scratch=None):
        """Add ``scale * params`` to ``grads`` on the penalised entries, in place.

        Parameters
        ----------
        grads, params : ndarray of shape (n,)
            The slice ``[offset:offset + n]`` of the flat gradient and
            parameter arrays.
        offset : int, default=0
            Where the slice starts in the flat arrays.
        scratch : ndarray, default=None
            Work space of at least ``n`` entries; by default chunks of a
            cache-sized one, so that no array of the parameters' size is made.
        """
        end = min(self.n_penalized - offset, grads.size) if self.alpha else 0
        if end <= 0:
            return
        if scratch is None:
            scratch = np.empty(min(CHUNK_SIZE, end), dtype=params.dtype)
        for start in range(0, end, scratch.size):
            stop = min(start + scratch.size, end)
            grads[start:stop] += np.multiply(
                params[start:stop], self.scale, out=scratch[: stop - start]
            )
