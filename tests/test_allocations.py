"""Regression guard for the hot loop: no per-batch arrays of parameter size.

The epoch loop (``_training.run_epoch``) of a second ``partial_fit`` call
reuses every work array the first call made, so what it allocates at its
peak must stay far below the size of the parameters. Bringing back a
per-batch temporary of parameter size (an optimiser step written with
``m * beta`` expressions, the L2 term as ``alpha * W``, fresh gradient
arrays, a dense ``X.T @ dY`` for sparse input) breaks these tests. Per-call
copies (the snapshot that makes a failed fit leave the model unchanged) are
outside the loop and not counted. No timing is asserted.
"""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from skmlp import MLPClassifier, MLPRegressor
from skmlp._training import loop


@pytest.fixture
def epoch_peaks(monkeypatch):
    """Peak bytes allocated inside each call of the epoch loop."""
    peaks = []
    run_epoch = loop.run_epoch

    def measured(*args, **kwargs):
        tracemalloc.start()
        try:
            return run_epoch(*args, **kwargs)
        finally:
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    monkeypatch.setattr(loop, "run_epoch", measured)  # the name train() calls
    return peaks


def _second_epoch_peak(estimator, X, y, peaks, **first_call):
    estimator.partial_fit(X, y, **first_call)
    estimator.partial_fit(X, y)
    return peaks[-1], estimator._network.params.nbytes


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("options", [{}, dict(dropout=0.2), dict(normalization="batch")], ids=str)
def test_an_epoch_allocates_nothing_of_parameter_size(solver, options, epoch_peaks):
    # Parameters (400 x 500) outweigh a batch's activations (10 x 500) 40 times,
    # so batch-sized work arrays (dropout masks, batch statistics, relu's
    # mask), which the copy of the network a second call trains makes anew,
    # pass: with batch normalisation at 20 rows they came to 0.5 times the
    # parameters' size, the bound.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((600, 400))
    y = rng.randint(3, size=600)
    clf = MLPClassifier((500,), solver=solver, batch_size=10, random_state=0, **options)
    peak, params_bytes = _second_epoch_peak(clf, X, y, epoch_peaks, classes=[0, 1, 2])
    assert peak < params_bytes / 2, (peak, params_bytes)


def test_sparse_float32_regression_epoch_allocates_nothing_of_parameter_size(epoch_peaks):
    rng = np.random.RandomState(0)
    X = sp.random(600, 4000, density=0.01, format="csr", random_state=0, dtype=np.float32)
    y = rng.standard_normal(600).astype(np.float32)
    reg = MLPRegressor((100,), batch_size=20, random_state=0)
    peak, params_bytes = _second_epoch_peak(reg, X, y, epoch_peaks)
    assert peak < params_bytes / 2, (peak, params_bytes)
