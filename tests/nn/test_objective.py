"""One owner of the objective: the network's data loss plus the optimisers' L2 penalty.

For every way the objective is evaluated (the network alone, a stochastic
step, the function L-BFGS minimises), with and without the penalty and
sample weights, the gradient that is followed is the gradient of the value
that is reported, checked by central differences.
"""

import numpy as np
import pytest

from skmlp.nn import SGD, BatchNorm, Dense, L2Penalty, Sequential, SquaredError, Tanh
from skmlp.nn._lbfgs import _objective
from skmlp.utils import numerical_gradient, relative_error

TOLERANCE = 1e-6
#: Two outputs; the loss's value is the sum over them, the objective of its
#: gradient (by default it reports scikit-learn's mean, see SquaredError).
LOSS = SquaredError(sum_outputs=True)


def _problem(weighted, seed=0):
    rng = np.random.RandomState(seed)
    network = Sequential([Dense(4), BatchNorm(), Tanh(), Dense(2)]).build(
        3, np.float64, np.random.RandomState(seed)
    )
    X, y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    sample_weight = rng.uniform(0.5, 2.0, 7) if weighted else None
    return network, X, y, sample_weight


def _followed_gradient(route, network, X, y, sample_weight, penalty):
    """The reported objective at ``network.params`` and the gradient a route follows."""
    params = network.params.copy()
    if route == "network":
        value = network.loss_gradient(X, y, LOSS, sample_weight=sample_weight)
        return value, network.grads.copy()
    if route == "sgd step":
        value = network.loss_gradient(X, y, LOSS, sample_weight=sample_weight)
        value += penalty.value(network.params)
        # Plain gradient descent with step 1: the step is minus the gradient.
        SGD(1.0, momentum=0.0, nesterov=False).update(network.params, network.grads,
                                                      penalty=penalty)
        gradient = params - network.params
        network.params[...] = params
        return value, gradient
    objective = _objective(
        lambda: network.loss_gradient(X, y, LOSS, sample_weight=sample_weight),
        network.params, network.grads, penalty,
    )
    return objective(params)


@pytest.mark.parametrize(
    "route, alpha",
    [("network", 0.0), ("sgd step", 0.0), ("sgd step", 1.0), ("lbfgs objective", 0.0),
     ("lbfgs objective", 1.0)],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_the_followed_gradient_is_the_gradient_of_the_reported_value(route, alpha, weighted):
    network, X, y, sample_weight = _problem(weighted)
    penalty = L2Penalty(alpha, network.n_penalized, X.shape[0], sample_weight)
    value, gradient = _followed_gradient(route, network, X, y, sample_weight, penalty)

    def reported():
        data = network.loss_gradient(X, y, LOSS, sample_weight=sample_weight)
        return data + (penalty.value(network.params) if route != "network" else 0.0)

    assert reported() == value
    assert relative_error(gradient, numerical_gradient(reported, network.params)) < TOLERANCE


@pytest.mark.parametrize("weighted", [False, True])
def test_the_penalty_is_scikit_learns_term(weighted):
    network, X, _, sample_weight = _problem(weighted)
    penalty = L2Penalty(0.3, network.n_penalized, X.shape[0], sample_weight)
    s = X.shape[0] if sample_weight is None else sample_weight.sum()
    weights = [layer.W for layer in network.layers if isinstance(layer, Dense)]
    # scikit-learn: 0.5 * alpha * sum of squared coefs / n (its _backprop).
    expected = 0.5 * 0.3 * sum(np.sum(W * W) for W in weights) / s
    np.testing.assert_allclose(penalty.value(network.params), expected, rtol=1e-14)
    grads = np.zeros_like(network.params)
    penalty.add_gradient(grads, network.params)
    np.testing.assert_array_equal(grads[: network.n_penalized],
                                  (0.3 / s) * network.params[: network.n_penalized])
    assert not grads[network.n_penalized :].any()  # biases and batch norm: not penalised
    assert L2Penalty(0.0, network.n_penalized, 7).value(network.params) == 0.0


def test_the_penalty_in_chunks_is_the_penalty_at_once():
    params = np.random.RandomState(0).standard_normal(10)
    penalty = L2Penalty(0.5, 7, 4)
    at_once, in_chunks = np.ones(10), np.ones(10)
    penalty.add_gradient(at_once, params)
    for start in range(0, 10, 3):
        penalty.add_gradient(in_chunks[start : start + 3], params[start : start + 3],
                             offset=start, scratch=np.empty(3))
    np.testing.assert_array_equal(in_chunks, at_once)
    assert (at_once[7:] == 1).all() and (at_once[:7] != 1).all()
