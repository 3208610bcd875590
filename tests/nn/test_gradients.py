"""Every backward pass against central differences (float64)."""

import numpy as np
import pytest

from skmlp.nn import (
    ACTIVATIONS,
    LOSSES,
    BatchNorm,
    Dense,
    Dropout,
    Layer,
    LayerNorm,
    Sequential,
    build_layer,
)
from skmlp.utils import (
    check_layer_gradients,
    check_network_gradient,
    numerical_gradient,
    relative_error,
)

TOLERANCE = 1e-6


def _inputs(n_samples=6, n_features=5, seed=0):
    # Away from relu's kink at 0, where the derivative is not defined.
    X = np.random.RandomState(seed).standard_normal((n_samples, n_features))
    return np.where(np.abs(X) < 0.05, 0.3, X)


def _targets(loss_name, n_samples, n_outputs, seed=1):
    rng = np.random.RandomState(seed)
    if loss_name == "log_loss":
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    if loss_name == "binary_log_loss":
        return (rng.rand(n_samples, n_outputs) < 0.5).astype(float)
    if loss_name == "poisson":
        return rng.poisson(2.0, size=(n_samples, n_outputs)).astype(float)
    return rng.standard_normal((n_samples, n_outputs))


def test_dense_gradients():
    errors = check_layer_gradients(build_layer(Dense(4), 5), _inputs())
    assert set(errors) == {"X", "W", "b"}
    assert max(errors.values()) < TOLERANCE, errors


def test_dense_gradients_sparse_input():
    import scipy.sparse as sp

    X = sp.random(6, 5, density=0.4, format="csr", random_state=0)
    layer = build_layer(Dense(3), 5)
    layer.forward(X, training=True)
    dY = np.random.RandomState(0).standard_normal((6, 3))
    layer.backward(dY)
    np.testing.assert_allclose(layer.dW, X.toarray().T @ dY)
    assert sp.issparse(X)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(name):
    errors = check_layer_gradients(build_layer(ACTIVATIONS[name](), 5), _inputs())
    assert errors["X"] < TOLERANCE, errors


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_gradients(loss_name, weighted):
    n_outputs = 1 if loss_name == "binary_log_loss" else 3
    rng = np.random.RandomState(0)
    Z = rng.standard_normal((7, n_outputs))
    y = _targets(loss_name, 7, n_outputs)
    sample_weight = rng.rand(7) if weighted else None
    loss = LOSSES[loss_name]()
    _, dZ = loss.loss_gradient(Z, y, sample_weight)
    objective = loss.consistent()
    numeric = numerical_gradient(lambda: objective.loss(Z, y, sample_weight), Z)
    assert relative_error(dZ, numeric) < TOLERANCE


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_network_gradient(loss_name, activation):
    n_outputs = 2
    network = Sequential(
        [Dense(4), ACTIVATIONS[activation](), Dense(3), ACTIVATIONS[activation](), Dense(n_outputs)]
    ).build(5, np.float64, np.random.RandomState(0))
    X = _inputs()
    y = _targets(loss_name, X.shape[0], n_outputs)
    sample_weight = np.random.RandomState(2).rand(X.shape[0])
    error = check_network_gradient(
        network, LOSSES[loss_name](), X, y, sample_weight=sample_weight, alpha=0.3
    )
    assert error < TOLERANCE


class _WrongDense(Dense):
    """Dense whose weight gradient is deliberately 1% too large."""

    def backward(self, dY):
        dX = super().backward(dY)
        self.dW *= 1.01
        return dX


def test_gradient_check_catches_a_wrong_gradient():
    errors = check_layer_gradients(build_layer(_WrongDense(4), 5), _inputs())
    assert errors["b"] < TOLERANCE
    assert errors["W"] > 1e-3


def test_layers_do_not_modify_their_inputs():
    for layer in [Dense(3), *[cls() for cls in ACTIVATIONS.values()]]:
        build_layer(layer, 5)
        X = _inputs()
        X_before = X.copy()
        out = layer.forward(X, training=True)
        dY = np.ones_like(out)
        layer.backward(dY)
        np.testing.assert_array_equal(X, X_before)
        np.testing.assert_array_equal(dY, np.ones_like(out))


def test_layer_base_is_abstract():
    with pytest.raises(NotImplementedError):
        Layer().forward(np.zeros((1, 1)), training=False)


# ---------------------------------------------------------------------------
# Dropout and normalisation
# ---------------------------------------------------------------------------
class _FixedMaskDropout(Dropout):
    """Dropout drawing the same mask on every call, so the objective is a function."""

    def _mask(self, X, dtype):
        keep = np.random.RandomState(7).random_sample(X.shape) >= self.rate
        return keep.astype(dtype) / (1 - self.rate)


@pytest.mark.parametrize(
    "layer",
    [_FixedMaskDropout(0.3), BatchNorm(momentum=0.8), LayerNorm()],
    ids=["dropout", "batch_norm", "layer_norm"],
)
def test_regularisation_layer_gradients_in_training_mode(layer):
    build_layer(layer, 5)
    if layer.param_specs():
        rng = np.random.RandomState(3)
        layer.gamma[:] = rng.uniform(0.5, 2.0, 5)
        layer.beta[:] = rng.standard_normal(5)
    errors = check_layer_gradients(layer, _inputs(n_samples=8))
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("normalization", [None, "batch", "layer"])
@pytest.mark.parametrize("loss_name", ["log_loss", "squared_error"])
def test_network_gradient_with_normalisation_and_dropout(normalization, loss_name):
    def hidden(n_units):
        norm = {"batch": [BatchNorm()], "layer": [LayerNorm()], None: []}[normalization]
        return [Dense(n_units), *norm, ACTIVATIONS["tanh"](), _FixedMaskDropout(0.25)]

    network = Sequential(
        [_FixedMaskDropout(0.1), *hidden(6), *hidden(4), Dense(3)]
    ).build(5, np.float64, np.random.RandomState(0))
    X = _inputs(n_samples=9)
    y = _targets(loss_name, 9, 3)
    error = check_network_gradient(network, LOSSES[loss_name](), X, y, alpha=0.1)
    assert error < TOLERANCE


def test_weighted_batch_norm_gradients_and_repetition_equivalence():
    layer = build_layer(BatchNorm(), 5)
    X = _inputs(n_samples=8)
    weights = np.array([0, 1, 2, 3, 1, 0, 2, 1], dtype=float)
    errors = check_layer_gradients(layer, X, sample_weight=weights)
    assert max(errors.values()) < TOLERANCE, errors
    repeated = build_layer(BatchNorm(), 5)
    weighted_out = layer.forward(X, training=True, sample_weight=weights)
    repeated_out = repeated.forward(np.repeat(X, weights.astype(int), axis=0), training=True)
    np.testing.assert_allclose(
        np.repeat(weighted_out, weights.astype(int), axis=0), repeated_out, atol=1e-12
    )


def test_batch_norm_gradients_with_mostly_zero_weights():
    # Rows of weight 0 count for nothing: two positive rows among eight give
    # the statistics and gradients of those two rows alone.
    layer = build_layer(BatchNorm(), 5)
    X = _inputs(n_samples=8)
    weights = np.array([0, 0, 3.0, 0, 0, 0, 0.5, 0])
    errors = check_layer_gradients(layer, X, sample_weight=weights)
    assert max(errors.values()) < TOLERANCE, errors
    layer, pair = build_layer(BatchNorm(), 5), build_layer(BatchNorm(), 5)
    np.testing.assert_allclose(
        layer.forward(X, training=True, sample_weight=weights)[[2, 6]],
        pair.forward(X[[2, 6]], training=True, sample_weight=weights[[2, 6]]),
        atol=1e-12,
    )
    np.testing.assert_allclose(layer.running_var, pair.running_var, rtol=1e-12)


def test_network_gradient_with_batch_norm_and_zero_weights():
    network = Sequential(
        [Dense(6), BatchNorm(), ACTIVATIONS["tanh"](), Dense(4), BatchNorm(), Dense(2)]
    ).build(5, np.float64, np.random.RandomState(0))
    X = _inputs(n_samples=9)
    weights = np.array([0, 1.0, 0, 0, 2.0, 0, 0, 0.5, 0])
    error = check_network_gradient(
        network, LOSSES["squared_error"](), X, _targets("squared_error", 9, 2),
        sample_weight=weights, alpha=0.1,
    )
    assert error < TOLERANCE
