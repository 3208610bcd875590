"""The layers for tables: gradients against central differences, forward
passes against their closed forms and, where PyTorch has the same thing,
against PyTorch."""

import pickle

import numpy as np
import pytest

from skmlp.nn import (
    LOSSES,
    SELU,
    Adam,
    Dense,
    Embedding,
    Mish,
    NTKDense,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
    Sequential,
    build_layer,
    initialize_from_data,
)
from skmlp.utils import (
    check_layer_gradients,
    check_network_gradient,
    numerical_gradient,
    relative_error,
)

TOLERANCE = 1e-6


def _inputs(n_samples=7, n_features=5, seed=0):
    X = np.random.RandomState(seed).standard_normal((n_samples, n_features))
    return np.where(np.abs(X) < 0.05, 0.3, X)  # away from SELU's kink at 0


def _codes(n_samples=9, seed=0):
    """Two numeric columns around two code columns (tables of 3 and 4 rows)."""
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, 4))
    X[:, 1] = rng.randint(3, size=n_samples)
    X[:, 3] = rng.randint(4, size=n_samples)
    return X


def _embedding():
    return Embedding([1, 3], [3, 4], n_dims=2)


def _randomized(layer, seed=3):
    """Parameters away from their initial values (alpha = 1, scale = 1)."""
    rng = np.random.RandomState(seed)
    for spec in layer.param_specs():
        getattr(layer, spec.name)[...] += 0.3 * rng.standard_normal(spec.shape)
    return layer


LAYERS = {
    "selu": lambda: build_layer(SELU(), 5),
    "mish": lambda: build_layer(Mish(), 5),
    "parametric_selu": lambda: _randomized(build_layer(ParametricActivation("selu"), 5)),
    "parametric_mish": lambda: _randomized(build_layer(ParametricActivation("mish"), 5)),
    "scale": lambda: _randomized(build_layer(Scale(), 5)),
    "scale_multiplier": lambda: _randomized(build_layer(Scale(multiplier=6.0), 5)),
    "ntk_dense": lambda: build_layer(NTKDense(4), 5),
    "periodic_all": lambda: build_layer(PeriodicEmbedding(sigma=0.5), 5),
    "periodic_some": lambda: build_layer(PeriodicEmbedding([0, 3], n_frequencies=6), 5),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_tabular_layer_gradients(name):
    layer = LAYERS[name]()
    errors = check_layer_gradients(layer, _inputs())
    assert set(errors) == {"X", *(spec.name for spec in layer.param_specs())}
    assert max(errors.values()) < TOLERANCE, errors


def test_embedding_gradients():
    # Central differences in X would move codes off the integers: the table
    # is checked alone, with the objective of check_layer_gradients.
    layer, X = build_layer(_embedding(), 4), _codes()
    R = np.random.RandomState(1234).standard_normal((9, 2 + 2 * 2))
    layer.forward(X, training=True)
    layer.backward(R)
    numeric = numerical_gradient(lambda: float(np.sum(layer.forward(X, training=True) * R)), layer.E)
    assert relative_error(layer.dE, numeric) < TOLERANCE
    assert (layer.dE == 0).any() or len(np.unique(X[:, [1, 3]])) == 4
    layer.forward(X, training=True)
    dX = layer.backward(np.ones((9, layer.others_.size + 2 * 2)))
    np.testing.assert_array_equal(dX[:, [1, 3]], 0.0)
    np.testing.assert_array_equal(dX[:, [0, 2]], 1.0)


def test_network_gradient_through_every_tabular_layer():
    X = _codes(n_samples=11)
    X[:, [0, 2]] = _inputs(11, 2)
    network = Sequential([
        _embedding(), PeriodicEmbedding([0, 1], n_frequencies=4, n_embedding=2), Scale(),
        NTKDense(6), ParametricActivation("selu"), NTKDense(5), ParametricActivation("mish"),
        Dense(3),
    ]).build(4, np.float64, np.random.RandomState(0))
    for layer in network.layers:
        _randomized(layer) if isinstance(layer, (Scale, ParametricActivation)) else None
    y = np.eye(3)[np.random.RandomState(1).randint(3, size=11)]
    # Perturbing the parameters never touches the codes, so the whole check holds.
    error = check_network_gradient(network, LOSSES["log_loss"](), X, y, alpha=0.1)
    assert error < TOLERANCE


def test_layers_do_not_modify_their_inputs_and_pickle():
    for name, make in LAYERS.items():
        layer, X = make(), _inputs()
        before = X.copy()
        out = layer.forward(X, training=True)
        layer.backward(np.ones_like(out))
        np.testing.assert_array_equal(X, before, err_msg=name)
        restored = pickle.loads(pickle.dumps(layer))
        np.testing.assert_array_equal(restored.forward(X, training=False),
                                      layer.forward(X, training=False), err_msg=name)
        assert type(layer)(**layer.get_config()).get_config() == layer.get_config()


def test_networks_of_tabular_layers_pickle_and_predict_alike():
    network = Sequential([_embedding(), PeriodicEmbedding([0]), Scale(), NTKDense(4),
                          ParametricActivation("mish"), NTKDense(2)]
                         ).build(4, np.float32, np.random.RandomState(0))
    X = _codes().astype(np.float32)
    restored = pickle.loads(pickle.dumps(network))
    Z = network.forward(X, training=False)
    assert Z.dtype == np.float32
    np.testing.assert_array_equal(restored.forward(X, training=False), Z)
    np.testing.assert_allclose(network.forward(X, training=True), Z, rtol=1e-6)


def test_selu_and_mish_closed_forms_without_overflow():
    X = np.array([[-800.0, -30.0, -1.5, -1e-12, 0.0, 1e-12, 0.7, 30.0, 800.0]])
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    expected = {
        SELU: scale * np.where(X > 0, X, alpha * np.expm1(np.minimum(X, 0))),
        Mish: X * np.tanh(np.log1p(np.exp(np.minimum(X, 30))) + np.where(X > 30, X - 30, 0)),
    }
    for kind, values in expected.items():
        layer = build_layer(kind(), X.shape[1])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            Y = layer.forward(X, training=True)
            dX = layer.backward(np.ones_like(Y))
        np.testing.assert_allclose(Y, values, rtol=1e-12, atol=1e-300)
        assert np.isfinite(dX).all()


def test_periodic_embedding_formula_and_output_layout():
    layer = build_layer(PeriodicEmbedding([2, 0], n_frequencies=3, n_embedding=2), 4)
    X = _inputs(6, 4)
    Y = layer.forward(X, training=False)
    assert Y.shape == (6, 2 * 2 + 4)
    for k, column in enumerate([2, 0]):
        H = np.cos(2 * np.pi * np.outer(X[:, column], layer.frequencies[k]) + layer.phases[k])
        np.testing.assert_allclose(Y[:, 2 * k:2 * k + 2], H @ layer.V[k] + layer.c[k], rtol=1e-12)
    np.testing.assert_array_equal(Y[:, 4:], X)


def test_periodic_embedding_initial_frequencies_have_the_given_sigma():
    layer = build_layer(PeriodicEmbedding(n_frequencies=64, sigma=0.1), 50)
    assert 0.09 < layer.frequencies.std() < 0.11
    assert np.abs(layer.phases).max() <= np.pi


def test_embedding_rejects_codes_outside_the_table():
    layer = build_layer(_embedding(), 4)
    X = _codes()
    for bad in (3.0, -1.0, 0.5, np.nan):
        X_bad = X.copy()
        X_bad[4, 1] = bad
        with pytest.raises(ValueError, match="Column 1 holds .* in row 4"):
            layer.forward(X_bad, training=False)


def test_parametric_activation_starts_as_its_activation_and_can_become_linear():
    layer = build_layer(ParametricActivation("selu"), 5)
    X = _inputs()
    np.testing.assert_array_equal(layer.forward(X, training=False),
                                  build_layer(SELU(), 5).forward(X, training=False))
    layer.alpha[...] = 0.0
    np.testing.assert_allclose(layer.forward(X, training=False), X)
    with pytest.raises(ValueError, match="activation must be one of"):
        build_layer(ParametricActivation("swish"), 5)


def test_scale_multiplier_trains_the_factors_that_many_times_faster_under_adam():
    X, dY = _inputs(), _inputs(seed=1)
    factors = {}
    for multiplier in (1.0, 6.0):
        layer = build_layer(Scale(multiplier=multiplier), 5)
        np.testing.assert_allclose(layer.forward(X, training=False), X)  # factors start at 1
        layer.forward(X, training=True)
        layer.backward(dY)
        Adam(0.01).update(layer.scale, layer.dscale)
        factors[multiplier] = multiplier * layer.scale
    # Adam's first step is the rate times the gradient's sign, per factor.
    np.testing.assert_allclose(1.0 - factors[1.0], 0.01 * np.sign((dY * X).sum(axis=0)), rtol=1e-6)
    np.testing.assert_allclose(1.0 - factors[6.0], 6 * (1.0 - factors[1.0]), rtol=1e-6)
    assert Scale(multiplier=6.0).get_config() == {"multiplier": 6.0}


def test_ntk_dense_scales_by_the_fan_in_and_initialises_from_data():
    layer = build_layer(NTKDense(300, bias_init="zeros"), 400)
    X = np.random.RandomState(0).standard_normal((2000, 400)) * 3.0 + 1.0
    np.testing.assert_allclose(layer.forward(X, training=False), X @ layer.W / 20.0)
    assert 0.97 < layer.W.std() < 1.03
    network = Sequential([NTKDense(300)]).build(400, np.float64, np.random.RandomState(0))
    initialize_from_data(network, X, np.random.RandomState(1))
    out = network.forward(X, training=False)
    # Unit variance per unit, and each unit's zero inside the data's range.
    np.testing.assert_allclose(out.std(axis=0), 1.0, rtol=1e-10)
    assert ((out.min(axis=0) < 0) & (out.max(axis=0) > 0)).all()


# ---------------------------------------------------------------------------
# Against PyTorch, where it has the same layer
# ---------------------------------------------------------------------------
def _torch_forward_backward(function, X, dY):
    torch = pytest.importorskip("torch")
    x = torch.tensor(X, requires_grad=True)
    y = function(x)
    y.backward(torch.tensor(dY))
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("kind, name", [(SELU, "selu"), (Mish, "mish")])
def test_selu_and_mish_against_torch(kind, name):
    torch = pytest.importorskip("torch")
    X = 4 * _inputs(50, 6)
    dY = np.random.RandomState(5).standard_normal(X.shape)
    Y_torch, dX_torch = _torch_forward_backward(getattr(torch.nn.functional, name), X, dY)
    layer = build_layer(kind(), 6)
    np.testing.assert_allclose(layer.forward(X, training=True), Y_torch, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(layer.backward(dY), dX_torch, rtol=1e-13, atol=1e-15)


def test_embedding_against_torch():
    torch = pytest.importorskip("torch")
    X = _codes(n_samples=40)
    layer = build_layer(_embedding(), 4)
    dY = np.random.RandomState(5).standard_normal((40, 2 + 2 * 2))
    Y = layer.forward(X, training=True)
    layer.backward(dY)
    for j, (column, offset, size) in enumerate(zip([1, 3], layer.offsets_, [3, 4])):
        table = torch.nn.Embedding(size, 2).double()
        with torch.no_grad():
            table.weight.copy_(torch.tensor(layer.E[offset:offset + size]))
        out = table(torch.tensor(X[:, column].astype(np.int64)))
        out.backward(torch.tensor(dY[:, 2 + 2 * j:4 + 2 * j]))
        np.testing.assert_array_equal(Y[:, 2 + 2 * j:4 + 2 * j], out.detach().numpy())
        np.testing.assert_allclose(layer.dE[offset:offset + size], table.weight.grad.numpy(),
                                   rtol=1e-14, atol=1e-15)


def test_periodic_embedding_against_torch_autograd():
    torch = pytest.importorskip("torch")
    layer = build_layer(PeriodicEmbedding([0, 2]), 3)
    X = _inputs(20, 3)
    dY = np.random.RandomState(5).standard_normal((20, 2 * 3 + 3))
    layer.forward(X, training=True)
    dX = layer.backward(dY)
    x = torch.tensor(X, requires_grad=True)
    w, b, V, c = (torch.tensor(getattr(layer, n).copy(), requires_grad=True)
                  for n in ("frequencies", "phases", "V", "c"))
    H = torch.cos(2 * torch.pi * x[:, [0, 2]].T[:, :, None] * w[:, None, :] + b[:, None, :])
    Z = (H @ V + c[:, None, :]).permute(1, 0, 2).reshape(20, -1)
    torch.cat([Z, x], dim=1).backward(torch.tensor(dY))
    np.testing.assert_allclose(dX, x.grad.numpy(), rtol=1e-12)
    for name, tensor in zip(("frequencies", "phases", "V", "c"), (w, b, V, c)):
        np.testing.assert_allclose(getattr(layer, "d" + name), tensor.grad.numpy(), rtol=1e-12,
                                   err_msg=name)
