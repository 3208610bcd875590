"""Activation values against their closed forms, at ordinary and extreme
inputs, and the initialisations of the dense layers before them."""

import numpy as np
import pytest
from scipy.special import erf

from skmlp.nn import ACTIVATIONS, Dense, build_layer

X = np.array([[-800.0, -30.0, -1.5, -1e-12, 0.0, 1e-12, 0.7, 30.0, 800.0]])

CLOSED_FORMS = {
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
    "softplus": lambda x: np.where(x > 30, x, np.log1p(np.exp(np.minimum(x, 30)))),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_matches_the_closed_form_without_overflow(name, dtype):
    layer = build_layer(ACTIVATIONS[name](), X.shape[1], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is fine
        Y = layer.forward(X.astype(dtype), training=False)
        dX = layer.backward(np.ones_like(layer.forward(X.astype(dtype), training=True)))
    assert Y.dtype == dtype and np.isfinite(dX).all()
    np.testing.assert_allclose(Y, CLOSED_FORMS[name](X), rtol=1e-6 if dtype == np.float32 else 1e-12,
                               atol=1e-30)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_inference_writes_nothing_to_the_layer(name):
    layer = build_layer(ACTIVATIONS[name](), X.shape[1])
    before = dict(vars(layer))
    first = layer.forward(X, training=False)
    assert layer.forward(X, training=False) is not first or name == "identity"
    assert vars(layer) == before


@pytest.mark.parametrize("fan, init_factor, bound", [
    ("sum", 6.0, np.sqrt(6 / (200 + 50))),  # Glorot
    ("sum", 2.0, np.sqrt(2 / (200 + 50))),  # scikit-learn's, for logistic units
    ("in", 6.0, np.sqrt(6 / 200)),  # He
])
def test_dense_initial_weights_fill_their_bound(fan, init_factor, bound):
    layer = build_layer(Dense(50, init_factor=init_factor, fan=fan), 200)
    assert np.abs(layer.W).max() <= bound and np.abs(layer.b).max() <= bound
    assert np.abs(layer.W).max() > 0.99 * bound
