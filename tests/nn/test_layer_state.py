"""What a layer keeps of its dtype: the name, a plain str."""

import pickle

import numpy as np
import pytest

from skmlp.nn import BatchNorm, Dense, Sequential, build_layer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_by_name_and_used(dtype):
    net = Sequential([Dense(3), BatchNorm(), Dense(2)]).build(4, dtype, np.random.RandomState(0))
    X = np.ones((5, 4), dtype=dtype)
    for layer in net.layers:
        assert type(layer.dtype_) is str and layer.dtype_ == np.dtype(dtype).name
    restored = pickle.loads(pickle.dumps(net))
    assert "_dtype" not in restored.layers[0].__getstate__()
    for training in (True, False):
        assert restored.forward(X, training=training).dtype == dtype
    assert restored.layers[1].running_mean.dtype == dtype


def test_pickles_with_a_numpy_dtype_still_load():
    # Earlier versions kept a numpy.dtype in dtype_.
    layer = build_layer(Dense(2), 3, dtype=np.float32)
    state = {**layer.__getstate__(), "dtype_": np.dtype(np.float32)}
    restored = Dense.__new__(Dense)
    restored.__setstate__(state)
    assert restored.dtype_ == "float32"
    assert restored._workspace("Y", (4, 2)).dtype == np.float32
