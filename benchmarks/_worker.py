"""What ``bench_mlp.py --worker JOB`` does inside a fresh child process.

Each task receives a JSON job, regenerates its workload's data from the seed
and returns a JSON-serialisable dict. The parent never shares memory with the
child, so every fit starts with a cold process: no cached imports, no BLAS
buffers and no allocator state left over from the other implementation.
"""

import contextlib
import gc
import hashlib
import importlib
import io
import os
import resource
import statistics
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info

from _workloads import WORKLOADS, make_data

PREDICT_ROWS = 10_000


# --------------------------------------------------------------------------
# Estimators
# --------------------------------------------------------------------------
def _estimator_class(module_name, task):
    """Import ``MLPClassifier`` or ``MLPRegressor`` from ``module_name``."""
    module = importlib.import_module(module_name)
    return getattr(module, "MLPClassifier" if task == "classifier" else "MLPRegressor")


def _hyperparameters(workload, epochs):
    """The hyperparameters shared by both implementations.

    ``tol=0`` and ``n_iter_no_change > max_iter`` switch off the stopping
    rule, so every fit runs exactly ``epochs`` epochs and the two
    implementations do the same amount of work.
    """
    return dict(
        hidden_layer_sizes=workload.hidden_layer_sizes,
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size=workload.batch_size,
        learning_rate_init=1e-3,
        max_iter=epochs,
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
        verbose=True,
    )


def _warm_up(estimator_class, X, y):
    """Fit a tiny network once so first-use costs stay out of the measurements.

    Lazy imports inside the implementation, BLAS initialisation and the first
    allocations from the OS would otherwise be charged to the timed fit and
    to its memory delta.
    """
    model = estimator_class(hidden_layer_sizes=(8,), max_iter=2, batch_size=32,
                            random_state=0)
    model.fit(X[:64], y[:64])
    model.predict(X[:64])


# --------------------------------------------------------------------------
# Measurement helpers
# --------------------------------------------------------------------------
class EpochClock(io.TextIOBase):
    """A stdout replacement that timestamps each ``Iteration N, loss = L`` line.

    Both implementations print that line once per epoch when
    ``verbose=True``, right after the epoch's last batch, so the differences
    between consecutive timestamps are epoch durations. Other lines are kept
    but not timed.

    Attributes
    ----------
    times : list of float
        ``time.perf_counter()`` when each iteration line was completed.
    losses : list of float
        The loss printed on each iteration line.
    other_lines : list of str
        Every line that is not an iteration line.
    """

    def __init__(self):
        self.times, self.losses, self.other_lines = [], [], []
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        now = time.perf_counter()
        self._pending += text
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            if line.startswith("Iteration "):
                self.times.append(now)
                self.losses.append(float(line.rsplit("=", 1)[1]))
            elif line:
                self.other_lines.append(line)
        return len(text)


def _reset_peak_rss():
    """Make the kernel forget the process's peak RSS so far, if it allows it.

    Writing ``5`` to ``/proc/self/clear_refs`` resets ``VmHWM`` and with it
    ``ru_maxrss``. Without the reset, a peak reached while generating the data
    could exceed the fit's own peak and hide it.

    Returns
    -------
    done : bool
        Whether the reset worked (Linux only).
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _maxrss_mb():
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _median_call_seconds(function, budget=1.0, min_calls=5, max_calls=1000):
    """Median wall time of repeated calls, within a time budget."""
    durations = []
    started = time.perf_counter()
    while len(durations) < max_calls and (
        len(durations) < min_calls or time.perf_counter() - started < budget
    ):
        t0 = time.perf_counter()
        function()
        durations.append(time.perf_counter() - t0)
    return statistics.median(durations)


def blas_info():
    """The loaded BLAS/OpenMP libraries, as threadpoolctl reports them."""
    keys = ("user_api", "internal_api", "prefix", "filepath", "version",
            "architecture", "threading_layer", "num_threads")
    return [{k: lib.get(k) for k in keys} for lib in threadpool_info()]


def _epoch_summary(clock, fit_start, n_batches):
    """Per-epoch durations from the iteration-line timestamps.

    The first epoch is measured from the start of ``fit`` and therefore also
    contains input validation and initialisation; it is reported but left out
    of the median.
    """
    durations = np.diff([fit_start] + clock.times)
    epoch_seconds = float(np.median(durations[1:])) if len(durations) > 1 else None
    return dict(
        epoch_ms=None if epoch_seconds is None else 1e3 * epoch_seconds,
        us_per_batch=None if epoch_seconds is None else 1e6 * epoch_seconds / n_batches,
        first_epoch_ms=1e3 * float(durations[0]) if len(durations) else None,
        epoch_durations_ms=(1e3 * durations).tolist(),
        n_batches=n_batches,
        n_iteration_lines=len(clock.times),
        printed_losses=clock.losses,
        other_output=clock.other_lines[:20],
    )


# --------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------
def _load(job):
    """Workload, data and estimator class for a job, after the warm-up."""
    workload = WORKLOADS[job["workload"]]
    X_train, X_test, y_train, y_test = make_data(
        workload, job["n_train"], job["dtype"], job["seed"]
    )
    estimator_class = _estimator_class(job["module"], workload.task)
    _warm_up(estimator_class, X_train, y_train)
    return workload, (X_train, X_test, y_train, y_test), estimator_class


def run_fit(job):
    """Timed fit, memory delta, final loss, held-out score and predict times."""
    workload, (X_train, X_test, y_train, y_test), estimator_class = _load(job)
    # bench_layers.py adds options (dropout, normalisation) on top.
    hyperparameters = {**_hyperparameters(workload, workload.epochs), **job.get("params", {})}
    model = estimator_class(**hyperparameters)
    gc.collect()
    peak_reset = _reset_peak_rss()
    rss_before = _maxrss_mb()
    clock = EpochClock()
    with contextlib.redirect_stdout(clock):
        fit_start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - fit_start
    peak_added = _maxrss_mb() - rss_before

    n_batches = -(-X_train.shape[0] // min(workload.batch_size, X_train.shape[0]))
    rows = np.arange(PREDICT_ROWS) % X_test.shape[0]
    X_predict = X_test[rows]
    result = _epoch_summary(clock, fit_start, n_batches)
    result.update(
        fit_seconds=fit_seconds,
        peak_mb=peak_added,
        peak_reset=peak_reset,
        loss=float(model.loss_),
        score=float(model.score(X_test, y_test)),
        n_iter=int(getattr(model, "n_iter_", -1)),
        coef_dtype=str(model.coefs_[0].dtype) if hasattr(model, "coefs_") else None,
        predict_dtype=str(np.asarray(model.predict(X_test[:5])).dtype),
        predict_10k_ms=1e3 * _median_call_seconds(lambda: model.predict(X_predict)),
        predict_1_us=1e6 * _median_call_seconds(lambda: model.predict(X_predict[:1])),
        blas=blas_info(),
        version=_module_version(job["module"]),
        source_digest=_source_digest(job["module"]),
    )
    return result


def run_tracemalloc(job):
    """Peak of Python-visible allocations during a one-epoch fit.

    Run apart from the timed fit because tracing every numpy allocation slows
    the training loop. One epoch is enough: every buffer and optimiser state
    a fit needs is allocated during its first epoch.
    """
    workload, (X_train, _, y_train, _), estimator_class = _load(job)
    model = estimator_class(**dict(_hyperparameters(workload, 1), verbose=False))
    gc.collect()
    tracemalloc.start()
    model.fit(X_train, y_train)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dict(tracemalloc_peak_mb=peak / 2**20)


def _module_version(module_name):
    """``__version__`` of the top-level package of ``module_name``."""
    package = importlib.import_module(module_name.split(".")[0])
    return getattr(package, "__version__", "unknown")


def _source_digest(module_name):
    """Short hash of the package's Python sources.

    An editable install can change between two children; equal digests show
    every fit of a run measured the same code.
    """
    package = importlib.import_module(module_name.split(".")[0])
    digest = hashlib.sha1()
    for root, dirs, files in os.walk(os.path.dirname(package.__file__)):
        dirs.sort()
        for name in sorted(f for f in files if f.endswith(".py")):
            with open(os.path.join(root, name), "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()[:12]


def run_info(job):
    """Versions and BLAS libraries, after importing both implementations."""
    for module_name in job["modules"]:
        importlib.import_module(module_name)
    import scipy
    import sklearn

    return dict(
        blas=blas_info(),
        numpy=np.__version__,
        scipy=scipy.__version__,
        sklearn=sklearn.__version__,
        versions={m: _module_version(m) for m in job["modules"]},
        files={m: importlib.import_module(m).__file__ for m in job["modules"]},
    )


# --------------------------------------------------------------------------
# The matrix-product floor
# --------------------------------------------------------------------------
def _epoch_products(X, widths, batch_size, dtype, rng):
    """The operands of every matrix product of one epoch, at real shapes.

    For each mini-batch and each layer ``i`` (``A_0`` is the batch of ``X``):
    forward ``A_{i-1} @ W_i``; backward ``A_{i-1}.T @ dZ_i`` for every layer
    and ``dZ_i @ W_i.T`` for every layer but the first, whose input gradient
    is never needed. For sparse ``X`` the first-layer products are scipy's
    CSR @ dense and CSR.T @ dense.

    Only the batches of ``X`` differ between batches. Hidden activations,
    deltas and result buffers are random arrays shared by all batches of the
    same size: BLAS time depends on shapes only, and one result buffer per
    shape keeps W2's 50000 x 256 weight gradients from filling the memory.

    Returns
    -------
    products : list of (left, right, out)
        ``out`` is a preallocated result for dense products, ``None`` for
        sparse ones (scipy cannot write into a given array).
    flops : float
        Multiply-adds times two, counting only stored entries of sparse ``X``.
    """
    def random(shape):
        return rng.random(shape).astype(dtype)

    weights = [random((m, n)) for m, n in zip(widths, widths[1:])]
    per_size, outs = {}, {}
    products, flops = [], 0.0
    for start in range(0, X.shape[0], batch_size):
        batch = X[start:start + batch_size]
        rows = batch.shape[0]
        if rows not in per_size:
            per_size[rows] = ([random((rows, w)) for w in widths[1:-1]],
                              [random((rows, w)) for w in widths[1:]])
        hidden, deltas = per_size[rows]
        for layer, (A, W, dZ) in enumerate(zip([batch] + hidden, weights, deltas)):
            pairs = [(A, W), (A.T, dZ)] + ([(dZ, W.T)] if layer else [])
            for left, right in pairs:
                shape = (left.shape[0], right.shape[1])
                if sp.issparse(left):
                    out, inner = None, left.nnz
                else:
                    if shape not in outs:
                        outs[shape] = np.empty(shape, dtype)
                    out = outs[shape]
                    inner = left.shape[0] * left.shape[1]
                products.append((left, right, out))
                flops += 2.0 * inner * right.shape[1]
    return products, flops


def _run_products(products):
    """Compute every product once, in place where possible."""
    for left, right, out in products:
        if out is None:
            left @ right
        else:
            np.matmul(left, right, out=out)


def run_floor(job, repeats=3):
    """Best-of-``repeats`` time of one epoch's matrix products, nothing else."""
    workload = WORKLOADS[job["workload"]]
    X_train, _, _, _ = make_data(workload, job["n_train"], job["dtype"], job["seed"])
    if sp.issparse(X_train):
        X_train = X_train.tocsr()
    widths = [X_train.shape[1], *workload.hidden_layer_sizes, workload.n_outputs]
    products, flops = _epoch_products(
        X_train, widths, workload.batch_size, job["dtype"], np.random.default_rng(0)
    )
    # One untimed batch starts the BLAS threads and faults in the outputs.
    _run_products(products[: 3 * len(widths)])
    durations = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _run_products(products)
        durations.append(time.perf_counter() - t0)
    best = min(durations)
    return dict(floor_ms=1e3 * best, floor_gflops=flops / best / 1e9,
                floor_runs_ms=[1e3 * d for d in durations], blas=blas_info())


TASKS = dict(fit=run_fit, floor=run_floor, tracemalloc=run_tracemalloc, info=run_info)


def run_job(job):
    """Run one job with convergence warnings silenced; return its result."""
    with warnings.catch_warnings():
        # Training deliberately stops at max_iter; the warning is expected.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return TASKS[job["task"]](job)
