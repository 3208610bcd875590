"""The network container: flat buffers, state, pickling, the core boundary."""

import ast
import pickle
from pathlib import Path

import numpy as np
import pytest

import skmlp
from skmlp.nn import Dense, ReLU, Sequential, SquaredError


def _network():
    return Sequential([Dense(6), ReLU(), Dense(2)]).build(
        4, np.float64, np.random.RandomState(0)
    )


def test_parameters_are_views_of_one_buffer_weights_first():
    net = _network()
    assert net.params.size == 4 * 6 + 6 * 2 + 6 + 2
    assert net.n_penalized == 4 * 6 + 6 * 2
    net.params[:] = np.arange(net.params.size)
    np.testing.assert_array_equal(net.layers[0].W.ravel(), np.arange(24))
    np.testing.assert_array_equal(net.layers[2].W.ravel(), np.arange(24, 36))
    np.testing.assert_array_equal(net.layers[0].b, np.arange(36, 42))


def test_pickle_round_trip_rebinds_views():
    net = _network()
    X = np.random.RandomState(1).standard_normal((5, 4))
    clone = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(
        clone.forward(X, training=False), net.forward(X, training=False)
    )
    clone.params[:] = 0.0
    assert not clone.forward(X, training=False).any()
    assert clone.loss_gradient(X, np.zeros((5, 2)), SquaredError()) == 0.0


def test_get_and_set_state_restore_parameters():
    net = _network()
    saved = net.get_state()
    before = net.params.copy()
    net.params += 1.0
    net.set_state(saved)
    np.testing.assert_array_equal(net.params, before)


def test_core_never_imports_scikit_learn():
    package = Path(skmlp.__file__).parent
    for path in [*(package / "nn").glob("*.py"), *(package / "utils").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.startswith("sklearn") for name in names), path


# ---------------------------------------------------------------------------
# Configurations and state
# ---------------------------------------------------------------------------
def _every_layer():
    from skmlp.nn import ACTIVATIONS, BatchNorm, Dropout, LayerNorm

    return [Dense(5, init_factor=2.0, fan="in"), BatchNorm(momentum=0.7, epsilon=1e-3),
            LayerNorm(epsilon=0.5), Dropout(0.25)] + [
        cls(0.2) if name == "leaky_relu" else cls() for name, cls in ACTIVATIONS.items()]


def test_get_config_rebuilds_an_equal_layer():
    for layer in _every_layer():
        clone = type(layer)(**layer.get_config())
        assert clone.get_config() == layer.get_config() and clone.__dict__ == layer.__dict__


def test_state_holds_everything_later_training_reads():
    # A network with dropout and batch norm: restoring get_state() makes
    # the next training steps equal, bit for bit (dropout's step count).
    from skmlp.nn import BatchNorm, Dropout

    net = Sequential([Dropout(0.2), Dense(6), BatchNorm(), ReLU(), Dropout(0.5), Dense(2)])
    net.build(4, np.float64, np.random.RandomState(0))
    X = np.random.RandomState(1).standard_normal((8, 4))
    y = np.zeros((8, 2))
    saved = net.get_state()

    def step():
        net.loss_gradient(X, y, SquaredError())
        net.params -= 0.1 * net.grads
        return net.forward(X, training=True).copy()

    first = [step(), step()]
    net.set_state(saved)
    np.testing.assert_array_equal(np.array([step(), step()]), np.array(first))


def test_replace_layer_keeps_parameters_and_buffers():
    from skmlp.nn import BatchNorm, LayerNorm, Tanh

    net = Sequential([Dense(6), BatchNorm(), ReLU(), Dense(2)])
    net.build(4, np.float64, np.random.RandomState(0))
    X = np.random.RandomState(1).standard_normal((8, 4))
    net.forward(X, training=True)
    params, buffers = net.get_state()
    net.replace_layer(1, BatchNorm(epsilon=3.0))
    net.replace_layer(2, Tanh())
    np.testing.assert_array_equal(net.params, params)
    np.testing.assert_array_equal(net.layers[1].running_var, buffers[1]["running_var"])
    assert net.layers[1].gamma.base is net.params.base or net.layers[1].gamma.base is net.params
    # The network computes as one built with these layers and this state.
    built = Sequential([Dense(6), BatchNorm(epsilon=3.0), Tanh(), Dense(2)])
    built.build(4, np.float64, np.random.RandomState(5)).set_state((params, buffers))
    np.testing.assert_array_equal(net.forward(X, training=False), built.forward(X, training=False))
    with pytest.raises(ValueError, match=r"LayerNorm\(\) cannot take the place of BatchNorm"):
        net.replace_layer(1, LayerNorm())
    with pytest.raises(ValueError, match=r"cannot take the place of Dense\(2\)"):
        net.replace_layer(3, Dense(3))


def test_copy_trains_on_its_own_arrays():
    from skmlp.nn import Adam, BatchNorm, Dropout, MultinomialLogLoss

    rng = np.random.RandomState(0)
    net = Sequential([Dense(6), BatchNorm(), ReLU(), Dropout(0.3), Dense(3)]).build(
        4, np.float64, rng
    )
    X, y = rng.randn(16, 4), np.eye(3)[rng.randint(3, size=16)]
    net.loss_gradient(X, y, MultinomialLogLoss())  # caches, work space, statistics
    params = net.params.copy()
    buffers = [{name: array.copy() for name, array in layer.buffers().items()}
               for layer in net.layers]
    copied = net.copy()
    np.testing.assert_array_equal(copied.forward(X, training=False), net.forward(X, training=False))
    assert np.shares_memory(copied.layers[0].W, copied.params)
    assert np.shares_memory(copied.layers[0].dW, copied.grads)
    optimizer = Adam(0.1)
    for _ in range(3):
        copied.loss_gradient(X, y, MultinomialLogLoss())
        optimizer.update(copied.params, copied.grads)
    # The original is as it was: parameters, batch statistics, dropout's counter.
    np.testing.assert_array_equal(net.params, params)
    for layer, saved in zip(net.layers, buffers):
        for name, array in layer.buffers().items():
            np.testing.assert_array_equal(array, saved[name])
    assert not np.array_equal(copied.params, net.params)
    assert not np.array_equal(copied.layers[1].running_mean, net.layers[1].running_mean)


def test_copy_copies_the_layers_a_layer_holds():
    from skmlp.nn import ParametricActivation

    net = Sequential([Dense(4), ParametricActivation("selu"), Dense(2)]).build(
        3, np.float64, np.random.RandomState(0)
    )
    copied = net.copy()
    assert copied.layers[1].function_ is not net.layers[1].function_
    assert np.shares_memory(copied.layers[1].alpha, copied.params)
    X = np.random.RandomState(1).randn(5, 3)
    np.testing.assert_array_equal(copied.forward(X, training=False), net.forward(X, training=False))
