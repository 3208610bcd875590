"""BLAS threads chosen for the size of a call's matrix products.

A mini-batch of a small or medium network is a few small matrix products
(256 rows times a few hundred units). Several BLAS threads share each one
and wait for each other at its end; when the cores are shared with other
work, a descheduled thread makes every product wait for a time slice, and
OpenBLAS's idle threads spin on cores the Python thread needs. On the 2-core
development machine with one busy process per core, an epoch of W4 took
15-27 times longer with 2 BLAS threads than with 1 (issue 23). So, as
PyTorch does with its grain size, ``fit``, ``partial_fit`` and prediction
run under :func:`blas_threads_for`, which lowers the BLAS libraries' thread
count to::

    min(their current count, CPUs allowed, CPUs free, ceil(work / GRAIN))

and at least 1, where

* ``work`` is the multiply-adds of the widest product of the call: rows of
  a mini-batch (the whole input for L-BFGS and prediction) times the
  inputs times the units of the widest dense layer (`Dense` or `NTKDense`,
  the tabular estimators');
* ``GRAIN`` is the work above which a second thread pays on an idle
  machine (below);
* the CPUs allowed are scikit-learn's ``_openmp_effective_n_threads()``
  (affinity, cgroup quotas, ``OMP_NUM_THREADS``);
* the CPUs free are the machine's CPUs minus the running threads of other
  processes (``/proc/loadavg``'s count of running tasks minus this
  process's own), sampled at most once a second; all of them where
  ``/proc`` does not exist. The machine's, not this process's share: on a
  large machine, processes on other cores do not take ours.

It only ever lowers the count: a limit the user set (``threadpool_limits``,
``OPENBLAS_NUM_THREADS``) or that joblib's workers set stays. Below
OpenBLAS's own threshold (it runs a product of fewer than 262,144
multiply-adds on one thread anyway: ``GEMM_MULTITHREAD_THRESHOLD`` x 65536)
nothing is looked up or set, so predicting one row costs one multiplication
more. A product on another number of threads can round its last bits
differently (measured with OpenBLAS 0.3.31: float32 weights after three
epochs of a 64-128-4 network differed by up to 8e-5 relative), so on several cores a fit can differ from scikit-learn's on more
threads by float rounding; ``tests/test_threads.py`` checks it stays within
the drop-in tests' tolerances. On one thread nothing changes.

``auto_blas_threads(False)`` turns the choice off for a block of code.

How GRAIN was chosen: ``benchmarks/bench_threads.py`` times the three
products of a dense layer's mini-batch (``X @ W``, ``X.T @ dY``,
``dY @ W.T``, with a relu between them) at 1 and 2 threads, interleaved, on
the 2-core development machine (AMD EPYC, OpenBLAS 0.3.31, float32 and
float64). Idle, 2 threads were slower or no faster below about 1 million
multiply-adds (64 x 128 x 128: 0.75x), mixed between 1 and 4 million
(256 x 50 x 128: 0.97-1.47x; 256 x 128 x 64: 1.28-1.65x), and faster above
(256 x 256 x 128: 1.35x; 256 x 784 x 256: 1.66x). With one busy process per
core, 2 threads were 2-30 times slower at every size, which the busy-CPU
count handles. See benchmarks/README.md, "Threads".

References
----------
.. [1] PyTorch, ``at::parallel_for(begin, end, grain_size, f)``: work below
   the grain size runs on the calling thread.
.. [2] GNU libgomp, ``OMP_DYNAMIC``: the threads of a parallel region are
   the CPUs minus the load average.
"""

import contextlib
import contextvars
import os
import time

from ._compat import _get_threadpool_controller, _openmp_effective_n_threads
from .nn import Dense, NTKDense

#: Multiply-adds of a product from which a second BLAS thread pays.
GRAIN = 2_000_000

#: OpenBLAS runs a product of fewer multiply-adds on one thread by itself.
_SINGLE_THREADED_BELOW = 262_144

#: Seconds for which a sample of the other processes' running threads holds.
_LOAD_SAMPLE_SECONDS = 1.0

_NOTHING = contextlib.nullcontext()  # reusable: entering it does nothing
_enabled = contextvars.ContextVar("skmlp_auto_blas_threads", default=True)
_load_sample = [float("-inf"), 0]  # [time.monotonic() taken, CPUs busy elsewhere]


@contextlib.contextmanager
def auto_blas_threads(enabled=True):
    """Turn skmlp's choice of BLAS threads on or off inside a ``with`` block.

    By default skmlp's estimators lower the BLAS thread count to what their
    products can use (see :mod:`skmlp._threads`), and never raise it. Inside
    ``auto_blas_threads(False)`` they leave it as it is set, e.g. by
    ``threadpoolctl.threadpool_limits``. The setting holds in the thread
    (and asyncio task) that enters the block; joblib's workers (restarts
    with ``n_jobs``) keep the default.

    Parameters
    ----------
    enabled : bool, default=True
        Whether skmlp's estimators choose the BLAS thread count inside the
        block (True) or leave it as it is set (False).

    Yields
    ------
    None
        The block runs with the setting; the previous one comes back after.

    See Also
    --------
    threadpoolctl.threadpool_limits : Set the BLAS libraries' thread count.

    Examples
    --------
    Two BLAS threads for a network that skmlp would train on one:

    >>> import numpy as np
    >>> from threadpoolctl import threadpool_limits
    >>> from skmlp import MLPClassifier, auto_blas_threads
    >>> X = np.random.RandomState(0).rand(1000, 64)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> with auto_blas_threads(False), threadpool_limits(limits=2, user_api="blas"):
    ...     model = MLPClassifier((128,), early_stopping=True, random_state=0).fit(X, y)
    >>> model.score(X, y) > 0.9
    True
    """
    token = _enabled.set(bool(enabled))
    try:
        yield
    finally:
        _enabled.reset(token)


def blas_threads_for(n_rows, widest):
    """A context limiting BLAS threads to what products of this size can use.

    Parameters
    ----------
    n_rows : int
        Rows of each product (a mini-batch, or all rows at once).
    widest : int
        Inputs times units of the widest dense layer whose product runs in
        BLAS (not a sparse first layer's).

    Returns
    -------
    context : context manager
        Sets the BLAS libraries' thread count on entry when it lowers it,
        and restores their counts on exit; otherwise does nothing.
    """
    work = n_rows * widest
    if work < _SINGLE_THREADED_BELOW or not _enabled.get():
        return _NOTHING
    libraries = [
        lib for lib in _get_threadpool_controller().lib_controllers if lib.user_api == "blas"
    ]
    counts = [lib.get_num_threads() for lib in libraries]
    if not counts or max(counts) <= 1:
        return _NOTHING
    free = (os.cpu_count() or 1) - _busy_elsewhere()  # the machine's, whatever our share
    wanted = max(1, min(-(-work // GRAIN), _openmp_effective_n_threads(), free))
    if wanted >= max(counts):
        return _NOTHING
    return _limited(libraries, counts, wanted)


@contextlib.contextmanager
def _limited(libraries, counts, n_threads):
    """Lower each library's thread count to ``n_threads``; restore it after."""
    for lib, count in zip(libraries, counts):
        if count > n_threads:
            lib.set_num_threads(n_threads)
    try:
        yield
    finally:
        for lib, count in zip(libraries, counts):
            if count > n_threads:
                lib.set_num_threads(count)


def _busy_elsewhere():
    """CPUs that other processes' threads are running on, sampled once a second.

    ``/proc/loadavg``'s fourth field counts the running (and runnable)
    threads of the machine now; this process's own are those of its tasks
    in state ``R`` (this one among them, and BLAS threads still spinning
    after a product).
    """
    now = time.monotonic()
    if now - _load_sample[0] < _LOAD_SAMPLE_SECONDS:
        return _load_sample[1]
    try:
        running = int(_read("/proc/loadavg").split()[3].split(b"/")[0])
        own = 1
        if running > own:  # else nobody else runs: skip reading our tasks
            own = sum(
                _read(f"/proc/self/task/{task}/stat").rpartition(b")")[2][1:2] == b"R"
                for task in os.listdir("/proc/self/task")
            )
        busy = max(0, running - max(own, 1))
    except (OSError, ValueError, IndexError):
        busy = 0
    _load_sample[:] = [now, busy]
    return busy


def _read(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return os.read(descriptor, 4096)
    finally:
        os.close(descriptor)


def _widest_product(sizes):
    """Largest ``sizes[i] * sizes[i + 1]``: the widest dense layer's weights."""
    return max((a * b for a, b in zip(sizes, sizes[1:])), default=0)


def threads_for_fit(estimator, X):
    """:func:`blas_threads_for` the mini-batches of ``estimator.fit(X, ...)``.

    Read before the data and parameters are checked (their errors come
    later, from ``fit``): input without a 2-D ``shape`` (lists) and
    parameters that do not make sense leave the threads as they are. The
    output layer is left out (its width is known only after the targets
    are encoded); so is a sparse input's first layer (scipy's product, not
    BLAS).
    """
    try:
        n_rows, n_features = X.shape
        hidden = [int(size) for size in _as_list(estimator.hidden_layer_sizes)]
        batch = estimator.batch_size
        if estimator.solver != "lbfgs":
            n_rows = min(n_rows, 200 if batch == "auto" else int(batch))
        sizes = hidden if hasattr(X, "format") else [int(n_features), *hidden]
        return threads_for_batches(n_rows, sizes)
    except (AttributeError, TypeError, ValueError):
        return _NOTHING


def threads_for_batches(n_rows, layer_sizes):
    """:func:`blas_threads_for` mini-batches of ``n_rows`` through dense layers.

    Parameters
    ----------
    n_rows : int
        Rows of a mini-batch.
    layer_sizes : sequence of int
        Widths of the layers' inputs and outputs, in order (the input's
        first): the widest product is that of the largest weights.
    """
    return blas_threads_for(int(n_rows), _widest_product(layer_sizes))


def threads_for_predict(network, X):
    """:func:`blas_threads_for` a forward pass of ``network`` on ``X``.

    The products are those of its dense layers, `Dense` (the MLPs') and
    `NTKDense` (the tabular estimators'), sized by their weights. All the
    parameters bound the widest layer's weights: when even that product is
    single-threaded in OpenBLAS (one or a few rows), nothing else is looked
    at, so that one-row prediction stays as fast.
    """
    try:
        if X.shape[0] * network.params.size < _SINGLE_THREADED_BELOW:
            return _NOTHING
        weights = [layer.W.size for layer in network.layers
                   if isinstance(layer, (Dense, NTKDense))]
        if hasattr(X, "format"):
            weights = weights[1:]
        return blas_threads_for(X.shape[0], max(weights, default=0))
    except (AttributeError, TypeError, ValueError, IndexError):
        return _NOTHING


def _as_list(sizes):
    return list(sizes) if hasattr(sizes, "__iter__") else [sizes]
