"""The network's inference pass: in place, in blocks, the same numbers."""

import numpy as np
import pytest
import scipy.sparse as sp

from skmlp.nn import (
    ELU,
    GELU,
    BatchNorm,
    Dense,
    Dropout,
    Identity,
    LayerNorm,
    LeakyReLU,
    Logistic,
    ReLU,
    Sequential,
    Softplus,
    Tanh,
)
from skmlp.nn import _sequential, build_layer
from skmlp.nn._base import Layer


def _layer_by_layer(net, X):
    for layer in net.layers:
        X = layer.forward(X, training=False)
    return X


STACKS = {
    "relu": lambda: [Dense(7), ReLU(), Dense(5), ReLU(), Dense(3)],
    "in place": lambda: [Dense(7), Logistic(), Dense(6), Tanh(), Dense(5), Softplus(),
                         Dense(4), Identity(), Dense(3)],
    "new arrays": lambda: [Dense(7), LeakyReLU(), Dense(6), ELU(), Dense(5), GELU(), Dense(3)],
    "normalisation": lambda: [Dropout(0.2), Dense(7), BatchNorm(), ReLU(), Dropout(0.5),
                              Dense(6), LayerNorm(), Tanh(), Dense(3), ReLU()],
    "activation first": lambda: [Identity(), ReLU(), Dense(4), Logistic()],
    # Equal widths: dense and two-pass activations are offered their input.
    "square": lambda: [Dense(5), ReLU(), Dense(5), GELU(), Dense(5), LeakyReLU(), Dense(5),
                       ELU(), LayerNorm(), Dense(3)],
}


@pytest.mark.parametrize("stack", sorted(STACKS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block_bytes", [1, 1 << 26])
def test_inference_equals_layer_by_layer(stack, dtype, block_bytes, monkeypatch):
    monkeypatch.setattr(_sequential, "_INFERENCE_BLOCK_BYTES", block_bytes)
    rng = np.random.RandomState(0)
    net = Sequential(STACKS[stack]()).build(5, dtype, rng)
    for layer in net.layers:  # running statistics that are not the defaults
        if isinstance(layer, BatchNorm):
            layer.running_mean[...] = rng.standard_normal(layer.running_mean.shape)
            layer.running_var[...] = rng.uniform(0.5, 2, layer.running_var.shape)
    X = rng.standard_normal((300, 5)).astype(dtype)
    original = X.copy()
    for rows in (X, np.asfortranarray(X), X[::2], X[:1]):
        Z = net.forward(rows, training=False)
        np.testing.assert_array_equal(Z, _layer_by_layer(net, rows))
        assert Z.dtype == dtype and Z is not rows
    np.testing.assert_array_equal(X, original)  # the input is never written


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block_bytes", [1, 1 << 26])
def test_sparse_inference_equals_layer_by_layer(dtype, block_bytes, monkeypatch):
    monkeypatch.setattr(_sequential, "_INFERENCE_BLOCK_BYTES", block_bytes)
    net = Sequential([Dropout(0.1), Dense(6), ReLU(), Dense(3)]).build(
        40, dtype, np.random.RandomState(0)
    )
    X = sp.random(200, 40, density=0.1, format="csr", random_state=1, dtype=dtype)
    data = X.data.copy()
    Z = net.forward(X, training=False)
    np.testing.assert_array_equal(Z, _layer_by_layer(net, X))
    np.testing.assert_array_equal(X.data, data)
    # CSC, or another dtype, goes through the layers as they are.
    np.testing.assert_array_equal(net.forward(X.tocsc(), training=False), Z)


def test_a_layer_with_forward_only_takes_part():
    class Doubling(Layer):  # no forward_into: the default, forward
        def forward(self, X, *, training, sample_weight=None):
            return 2 * X

    net = Sequential([Dense(4), Doubling(), ReLU(), Dense(2)]).build(
        3, np.float64, np.random.RandomState(0)
    )
    X = np.random.RandomState(1).standard_normal((6, 3))
    np.testing.assert_array_equal(net.forward(X, training=False), _layer_by_layer(net, X))


def test_other_inputs_go_layer_by_layer():
    net = Sequential([Dense(4), ReLU(), Dense(2)]).build(3, np.float64, np.random.RandomState(0))
    X = np.random.RandomState(1).standard_normal((6, 3)).astype(np.float32)
    # float32 rows through a float64 network, and no rows: numpy's way.
    Z = net.forward(X, training=False)
    assert Z.dtype == np.float64
    np.testing.assert_array_equal(Z, _layer_by_layer(net, X))
    assert net.forward(X[:0], training=False).shape == (0, 2)


LAYERS = {
    "dense": lambda: Dense(5),
    **{cls.__name__: cls for cls in (ELU, GELU, Identity, LeakyReLU, Logistic, ReLU, Softplus,
                                     Tanh, LayerNorm, BatchNorm)},
    "dropout": lambda: Dropout(0.5),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_into_is_forward_in_place_or_not(name, dtype):
    rng = np.random.RandomState(0)
    layer = build_layer(LAYERS[name](), 5, dtype=dtype)
    X = rng.standard_normal((40, 5)).astype(dtype)
    expected = layer.forward(X, training=False)
    original = X.copy()
    into = layer.forward_into(X, np.empty_like(expected))
    np.testing.assert_array_equal(into, expected)
    np.testing.assert_array_equal(X, original)  # a separate out leaves X alone
    owned = X.copy()
    np.testing.assert_array_equal(layer.forward_into(owned, owned), expected)
