"""Training from a ``numpy.memmap`` without loading it.

``fit`` validates the map without converting it (float32 stays float32),
gathers each mini-batch from it into a reused buffer and, for early
stopping, copies only the validation rows. Memory the fit allocates is
measured two ways: numpy's allocations (``tracemalloc``) and the growth of
the process's anonymous resident memory, sampled while the fit runs. The
map's own pages are file-backed page cache, which the kernel drops when it
needs the memory, so they are not counted.
"""

import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skmlp import MLPClassifier, MLPRegressor

N_ROWS, N_FEATURES = 60_000, 400  # 96 MB of float32 on disk


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory):
    """A float32 map on disk, written in chunks, and a target that depends on it."""
    path = tmp_path_factory.mktemp("memmap") / "X.f32"
    rng = np.random.default_rng(0)
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(N_ROWS, N_FEATURES))
    for start in range(0, N_ROWS, 10_000):
        chunk = rng.random((10_000, N_FEATURES), dtype=np.float32)
        chunk[chunk < 0.5] = 0.0  # image-like: many zeros
        X[start : start + 10_000] = chunk
    X.flush()
    del X
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(N_ROWS, N_FEATURES))
    signal = np.asarray(X[:, :10].sum(axis=1) - X[:, 10:20].sum(axis=1))
    return X, signal


def anonymous_resident_bytes():
    """This process's anonymous resident memory (Linux), or None."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return None


class PeakAnonymousMemory:
    """Highest anonymous resident memory above the start, sampled in a thread."""

    def __init__(self, interval=0.002):
        self.interval = interval
        self.start = anonymous_resident_bytes()
        self.peak = self.start
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._done.wait(self.interval):
            self.peak = max(self.peak, anonymous_resident_bytes())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._done.set()
        self._thread.join()

    @property
    def added(self):
        return self.peak - self.start


def fit_measured(model, X, y):
    """Fit; numpy's peak allocation and the anonymous memory added."""
    tracemalloc.start()
    try:
        with PeakAnonymousMemory() as resident:
            model.fit(X, y)
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return traced_peak, resident.added if resident.start is not None else None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "model, max_fraction",
    [
        (MLPClassifier(hidden_layer_sizes=(32,), max_iter=2, random_state=0), 0.1),
        # The 10% validation rows are copied, once.
        (MLPClassifier(hidden_layer_sizes=(32,), max_iter=2, early_stopping=True,
                       random_state=0), 0.2),
        (MLPRegressor(hidden_layer_sizes=(32,), max_iter=2, normalization="batch",
                      dropout=0.1, random_state=0), 0.1),
    ],
    ids=["classifier", "early-stopping", "regressor-batch-norm-dropout"],
)
def test_fit_on_memmap_does_not_load_it(on_disk, model, max_fraction):
    X, signal = on_disk
    y = (signal > 0).astype(int) if isinstance(model, MLPClassifier) else signal

    traced_peak, resident_added = fit_measured(model, X, y)
    print(
        f"{type(model).__name__}: file {X.nbytes / 1e6:.0f} MB, numpy's peak allocation "
        f"{traced_peak / 1e6:.1f} MB, anonymous memory added "
        f"{'n/a' if resident_added is None else f'{resident_added / 1e6:.1f} MB'}"
    )
    assert traced_peak < max_fraction * X.nbytes
    if resident_added is not None:
        # Coarser: the allocator's slack and tracemalloc's own records count too.
        assert resident_added < X.nbytes / 4

    in_memory = type(model)(**model.get_params()).fit(np.array(X), y)
    for coef, expected in zip(model.coefs_, in_memory.coefs_):
        assert coef.dtype == np.float32
        assert_array_equal(coef, expected)
