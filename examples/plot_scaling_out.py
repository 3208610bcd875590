"""
Beyond one machine: a search on a Dask cluster, and training from disk
======================================================================

skmlp's estimators are plain scikit-learn estimators, so the tools that
scale scikit-learn out scale them too. This example shows the two ways users
outgrow one process:

* **many fits** (a hyperparameter search) dispatched by joblib to a Dask
  cluster, with exactly the results of the single-process search;
* **more data than memory**: ``fit`` on a ``numpy.memmap`` that stays on
  disk, and dask-ml's ``Incremental`` streaming a Dask array chunk by chunk
  through ``partial_fit``.

The data is Fashion-MNIST, read from Debian's ``dataset-fashion-mnist``
package (``/usr/share/datasets/fashion-mnist``); without it the example
falls back to scikit-learn's digits. It needs the ``distributed`` extra:
``pip install 'skmlp[distributed]'``.
"""

# %%
# The data
# --------
# :func:`skmlp.datasets.load_fashion_mnist` reads the gzipped IDX files; it
# never downloads.
import tempfile
import warnings
from pathlib import Path
from time import perf_counter

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmlp.datasets import load_fashion_mnist

# The networks below train for a few epochs only, to keep the example short.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

try:
    images, y_train = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
except FileNotFoundError as error:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    print(f"{error}\nUsing scikit-learn's digits instead.")
    X, y = load_digits(return_X_y=True)
    images, X_test, y_train, y_test = train_test_split(
        (X * (255 / 16)).astype(np.uint8), y, test_size=0.25, stratify=y, random_state=0
    )
X_test = X_test / 255.0
print(f"{len(images)} training images of {images.shape[1]} pixels")

# %%
# A grid search on a Dask cluster
# -------------------------------
# A ``LocalCluster`` of two workers stands in for a real cluster: with
# ``Client("scheduler-address:8786")`` instead, the code is the same. Inside
# ``joblib.parallel_backend("dask")`` every fit of the search is a task on the
# cluster. Each fit seeds itself from ``random_state``, so the scores are
# exactly those of the single-process search.
#
# Dask starts worker processes by re-importing the main module, so a script
# that starts them must do so under ``if __name__ == "__main__":``. To stay a
# plain top-to-bottom script, this example has them forked instead (Linux;
# on macOS and Windows use the guard).
import dask
import joblib
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from skmlp import MLPClassifier

X_search, y_search = images[:4_000] / 255.0, y_train[:4_000]
grid = {"alpha": [1e-4, 1e-2], "dropout": [0.0, 0.2]}
model = MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, random_state=0)

start = perf_counter()
sequential = GridSearchCV(model, grid, cv=3).fit(X_search, y_search)
sequential_time = perf_counter() - start

with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}), \
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
        Client(cluster):
    start = perf_counter()
    with joblib.parallel_backend("dask"):
        on_cluster = GridSearchCV(model, grid, cv=3, n_jobs=-1).fit(X_search, y_search)
    cluster_time = perf_counter() - start

same = np.array_equal(
    sequential.cv_results_["mean_test_score"], on_cluster.cv_results_["mean_test_score"]
)
print(f"12 fits: one process {sequential_time:.1f} s, two Dask workers {cluster_time:.1f} s")
print(f"best {on_cluster.best_params_}, scores identical: {same}")

# %%
# Training from a memory map
# --------------------------
# The training images are written to disk once, as float32 in [0, 1], chunk
# by chunk, then opened read-only with ``numpy.memmap``. ``fit`` keeps float32
# input in float32, so the map is never converted or copied: each mini-batch
# is gathered from it into one reused buffer, and early stopping copies only
# the rows it sets aside. ``tracemalloc`` sees every array numpy allocates.
import tracemalloc

workdir = tempfile.TemporaryDirectory()
path = Path(workdir.name) / "train-images.f32"
on_disk = np.memmap(path, dtype=np.float32, mode="w+", shape=images.shape)
for start in range(0, len(images), 10_000):
    on_disk[start : start + 10_000] = images[start : start + 10_000] / np.float32(255)
on_disk.flush()
del on_disk, images  # from here on, the pixels live on disk only
X_train = np.memmap(path, dtype=np.float32, mode="r", shape=(len(y_train), X_test.shape[1]))

n_epochs = 5
options = dict(hidden_layer_sizes=(128,), batch_size=128, random_state=0)
tracemalloc.start()
from_disk = MLPClassifier(max_iter=n_epochs, **options).fit(X_train, y_train)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(f"data on disk {X_train.nbytes / 1e6:.0f} MB, memory the fit allocated "
      f"{peak / 1e6:.1f} MB; test accuracy {from_disk.score(X_test, y_test):.3f}")

# %%
# Streaming chunks with dask-ml
# -----------------------------
# ``Incremental`` calls ``partial_fit`` on one chunk of a Dask array after
# another, in a shuffled order; each call of its own ``partial_fit`` is one
# pass over all the chunks. The Dask array here wraps the same memory map,
# so a chunk is read from disk when its task runs (Dask's local threads: a
# distributed cluster would need the file on every worker). After as many
# passes as ``fit`` had epochs, the two models score alike.
#
# One detail matters: each ``partial_fit`` call shuffles its chunk with a
# generator made from ``random_state``. An integer gives every call the
# same generator, so a chunk is visited in the same order on every pass
# (as in scikit-learn), which costs about a point of accuracy here. A
# ``numpy.random.RandomState`` instance moves on from call to call, and is
# still reproducible; the same holds for the order of the chunks, which
# ``Incremental`` draws from its own ``random_state`` on every pass.
import dask.array as da
from dask_ml.wrappers import Incremental

X_chunks = da.from_array(X_train, chunks=(10_000, X_train.shape[1]))
y_chunks = da.from_array(y_train, chunks=10_000)
streaming_options = {**options, "random_state": np.random.RandomState(0)}
streamed = Incremental(MLPClassifier(**streaming_options), scoring="accuracy",
                       random_state=np.random.RandomState(0))
for _ in range(n_epochs):
    streamed.partial_fit(X_chunks, y_chunks, classes=np.arange(10))
print(f"{X_chunks.numblocks[0]} chunks, {n_epochs} passes: "
      f"test accuracy {streamed.score(X_test, y_test):.3f}")
workdir.cleanup()

# %%
# Which to use
# ------------
# * ``n_jobs`` (of ``GridSearchCV``, ``cross_validate``, or skmlp's own
#   ``n_init`` restarts) uses the cores of one machine and needs nothing else:
#   the first choice while a search fits on one machine.
# * A Dask cluster is for searches too large for one machine: the same code,
#   inside ``joblib.parallel_backend("dask")``, spreads the fits over many.
#   Each worker needs the data; for large data, scatter it once, or read it
#   from shared storage.
# * When the data does not fit in memory, keep it on disk. A ``numpy.memmap``
#   (float32, as the network trains) with plain ``fit`` keeps every feature
#   of ``fit``: shuffling across all rows, early stopping, restarts. Stream
#   with ``partial_fit`` (by hand, or with dask-ml's ``Incremental`` over a
#   Dask array) when the data arrives in pieces or lives in many files;
#   shuffling is then only within a chunk and across the order of chunks.
