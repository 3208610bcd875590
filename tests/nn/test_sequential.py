"""The network container: flat buffers, state, pickling, the core boundary."""

import ast
import pickle
from pathlib import Path

import numpy as np

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
