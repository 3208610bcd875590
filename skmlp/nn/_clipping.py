"""Clipping of the gradient's global norm, as PyTorch's ``clip_grad_norm_``.

References
----------
.. [1] Pascanu, R., Mikolov, T. and Bengio, Y. (2013). On the difficulty of
   training recurrent neural networks. ICML. https://arxiv.org/abs/1211.5063
"""

import math

import numpy as np


def clip_grad_norm(grads, max_norm):
    """Scale ``grads`` in place to a global L2 norm of at most ``max_norm``.

    As PyTorch's ``clip_grad_norm_``: ``grads *= clip_coefficient(norm,
    max_norm)``, which keeps its direction. The coefficient
    ``max_norm / (norm + 1e-6)`` is below 1, and scales, from a norm of
    ``max_norm - 1e-6`` on (a little below the bound, as in PyTorch).

    Parameters
    ----------
    grads : ndarray of shape (n_params,)
        The whole gradient of the network (one flat array: the norm is
        global, over every layer).
    max_norm : float
        The largest norm kept.

    Returns
    -------
    norm : float
        The norm before clipping.

    References
    ----------
    .. [1] Pascanu, R., Mikolov, T. and Bengio, Y. (2013). On the difficulty
       of training recurrent neural networks. ICML.
       https://arxiv.org/abs/1211.5063
    .. [2] PyTorch's `torch.nn.utils.clip_grad_norm_
       <https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html>`__
    """
    norm = math.sqrt(float(np.dot(grads, grads)))
    coefficient = clip_coefficient(norm, max_norm)
    if coefficient < 1.0:  # PyTorch multiplies by 1.0 too, which changes nothing
        grads *= coefficient
    return norm


def clip_coefficient(norm, max_norm):
    """The factor `clip_grad_norm` scales a gradient of ``norm`` by: at most 1.

    ``min(max_norm / (norm + 1e-6), 1)``, PyTorch's clamped ``clip_coef``.
    """
    return min(max_norm / (norm + 1e-6), 1.0)
