"""Regression guard for the hot loop: no per-batch arrays of parameter size.

A second ``partial_fit`` epoch reuses every work array the first one made,
so what it allocates at its peak must stay far below the size of the
parameters. Bringing back a per-batch temporary of parameter size (an
optimiser step with ``m * beta`` expressions, the L2 term as ``alpha * W``,
fresh gradient arrays) breaks this test. No timing is asserted.
"""

import tracemalloc

import numpy as np
import pytest

from skmlp import MLPClassifier, MLPRegressor


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("options", [{}, dict(dropout=0.2), dict(normalization="batch")], ids=str)
def test_an_epoch_allocates_nothing_of_parameter_size(solver, options):
    rng = np.random.RandomState(0)
    # Parameters (400 x 500) outweigh a batch's activations (20 x 500) 20 times,
    # so batch-sized temporaries (dropout masks, batch statistics) pass.
    X = rng.standard_normal((600, 400))
    y = rng.randint(3, size=600)
    clf = MLPClassifier((500,), solver=solver, batch_size=20, random_state=0, **options)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    params_bytes = clf._network.params.nbytes
    tracemalloc.start()
    clf.partial_fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < params_bytes / 2, (peak, params_bytes)


def test_regressor_epoch_allocates_nothing_of_parameter_size():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((600, 400)).astype(np.float32)
    y = rng.standard_normal(600).astype(np.float32)
    reg = MLPRegressor((500,), batch_size=20, random_state=0)
    reg.partial_fit(X, y)
    params_bytes = reg._network.params.nbytes
    tracemalloc.start()
    reg.partial_fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < params_bytes / 2, (peak, params_bytes)
