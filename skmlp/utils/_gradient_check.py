"""Numerical gradient checks: the proof of every backward pass.

Central differences ``(f(x + h) - f(x - h)) / 2h`` in float64 have an error
of order ``h**2``; with ``h = 1e-6`` a correct analytic gradient agrees to
about 1e-8 relative, a wrong one is off by order 1.
"""

import numpy as np

from ..nn import L2Penalty


def numerical_gradient(function, x, *, step=1e-6):
    """Gradient of a scalar ``function()`` with respect to array ``x``.

    ``x`` is perturbed in place one entry at a time and restored, so
    ``function`` must read ``x`` (for example a parameter view of a layer).

    Parameters
    ----------
    function : callable
        Takes no argument and returns a float.
    x : ndarray
        Array of float64 values that ``function`` depends on.
    step : float, default=1e-6
        The perturbation of each entry.

    Returns
    -------
    grad : ndarray of the shape of ``x``
        Central differences, in float64.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + step
        upper = function()
        flat_x[i] = saved - step
        lower = function()
        flat_x[i] = saved
        flat_grad[i] = (upper - lower) / (2 * step)
    return grad


def relative_error(analytic, numeric):
    """``||a - n|| / (||a|| + ||n||)``, 0 when both are zero.

    A norm ratio rather than an entry-wise one: entries whose true gradient
    is exactly zero (a bias followed by batch norm) are matched by central
    differences only up to rounding noise, which an entry-wise ratio would
    blow up to order 1.

    Parameters
    ----------
    analytic : array-like
        The gradient to check.
    numeric : array-like of the same shape
        The reference, typically `numerical_gradient`'s.

    Returns
    -------
    error : float
        In [0, 1].
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / scale)


def check_layer_gradients(layer, X, *, sample_weight=None, random_state=1234):
    """Compare a layer's backward pass with central differences.

    The objective is ``sum(forward(X) * R)`` for a fixed random ``R``, so
    the incoming gradient is ``R``. The layer must be built, bound to
    parameter storage and initialised, in float64; a layer with randomness
    in training (dropout) must use the same draw on every call.

    Parameters
    ----------
    layer : skmlp.nn.Layer
        The layer to check.
    X : ndarray of shape (n_samples, n_inputs)
        Its input.
    sample_weight : ndarray of shape (n_samples,), default=None
        Passed to ``forward``.
    random_state : int, default=1234
        Seed of ``R``; pick one unrelated to how ``X`` was drawn (with
        ``R == X`` batch norm's gradient is nearly zero and the check says
        nothing).

    Returns
    -------
    errors : dict of str to float
        Relative error for ``"X"`` and for every parameter name.
    """
    X = np.array(X, dtype=np.float64)
    out = layer.forward(X, training=True, sample_weight=sample_weight)
    weights = np.random.RandomState(random_state).standard_normal(out.shape)

    def objective():
        output = layer.forward(X, training=True, sample_weight=sample_weight)
        return float(np.sum(output * weights))

    objective()
    dX = layer.backward(weights)
    analytic = {"X": dX}
    for spec in layer.param_specs():
        analytic[spec.name] = getattr(layer, "d" + spec.name).copy()
    errors = {"X": relative_error(dX, numerical_gradient(objective, X))}
    for spec in layer.param_specs():
        numeric = numerical_gradient(objective, getattr(layer, spec.name))
        errors[spec.name] = relative_error(analytic[spec.name], numeric)
    return errors


def check_network_gradient(network, loss, X, y, *, sample_weight=None, alpha=0.0):
    """Compare the gradient of a network's objective with central differences.

    The objective is what the optimisers minimise: the data loss of
    ``Sequential.loss_gradient`` plus the ``L2Penalty(alpha, ...)`` of the
    batch; the analytic gradient is ``grads`` plus the penalty's gradient.
    The differences are of the objective the gradient belongs to,
    ``loss.consistent()`` (for `SquaredError` of several outputs, the sum
    over outputs rather than the reported mean).

    Parameters
    ----------
    network : skmlp.nn.Sequential
        Built, in float64.
    loss : skmlp.nn.Loss
        The loss of the objective.
    X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
        The mini-batch.
    y : ndarray of shape (n_samples, n_outputs)
        Its targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the rows.
    alpha : float, default=0.0
        Strength of the L2 penalty.

    Returns
    -------
    error : float
        Relative error over the whole flat parameter vector.
    """
    penalty = L2Penalty(alpha, network.n_penalized, X.shape[0], sample_weight)

    loss = loss.consistent()

    def objective():
        value = network.loss_gradient(X, y, loss, sample_weight=sample_weight)
        return value + penalty.value(network.params)

    objective()
    analytic = network.grads.copy()
    penalty.add_gradient(analytic, network.params)
    numeric = numerical_gradient(objective, network.params)
    return relative_error(analytic, numeric)
