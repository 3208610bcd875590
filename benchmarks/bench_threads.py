"""One or two BLAS threads for the products of one dense layer's mini-batch.

For each shape (batch rows, inputs, units) this times the three products
a dense layer's mini-batch needs, ``X @ W``, ``X.T @ dY`` and ``dY @ W.T``,
each written into a preallocated array and followed by the elementwise
work that separates them in training (a relu and its mask: while it runs,
OpenBLAS's idle threads spin on the other cores). The thread counts are
switched with threadpoolctl in one process and alternate block by block, so
a shared machine's drift hits both; the ratio is the median over blocks of
``one thread / n threads`` (above 1: more threads are faster).

With ``--load K``, K busy-looping sibling processes run meanwhile: one per
core is a machine that something else is fully using. ``--overhead`` also
times entering and leaving ``threadpool_limits`` and ``skmlp``'s
``blas_threads_for``.

Usage (from the repository root)::

    python benchmarks/bench_threads.py                  # idle as the machine is
    python benchmarks/bench_threads.py --load 2         # one busy sibling per core
    python benchmarks/bench_threads.py --overhead --dtype float64

The threshold in ``skmlp/_threads.py`` was read off these tables (see
benchmarks/README.md, "Threads").
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _load import busy_siblings  # noqa: E402

# (batch rows, inputs, units): the workloads' layers, then a sweep.
SHAPES = [
    (1, 784, 256), (16, 784, 256), (64, 784, 256), (256, 784, 256), (256, 256, 128),
    (256, 128, 10), (200, 20, 100), (200, 100, 1), (256, 50, 128), (256, 128, 64),
    (256, 16, 256), (64, 128, 128), (256, 128, 128), (256, 256, 256), (512, 256, 256),
    (256, 512, 512), (1024, 512, 512), (256, 1024, 1024),
]


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=0, help="busy sibling processes")
    parser.add_argument("--threads", type=int, default=2, help="the many-thread count")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--blocks", type=int, default=9, help="alternating blocks per shape")
    parser.add_argument("--seconds", type=float, default=0.05, help="length of a block")
    parser.add_argument("--overhead", action="store_true")
    return parser.parse_args()


def _layer_step(batch, n_in, n_out, dtype, random_state):
    """A closure running one dense layer's forward and backward products."""
    X = random_state.standard_normal((batch, n_in)).astype(dtype)
    W = random_state.standard_normal((n_in, n_out)).astype(dtype)
    dY = random_state.standard_normal((batch, n_out)).astype(dtype)
    Y, dW, dX = np.empty((batch, n_out), dtype), np.empty_like(W), np.empty_like(X)
    mask = np.empty((batch, n_out), bool)

    def step():
        np.matmul(X, W, out=Y)
        np.maximum(Y, 0, out=Y)
        np.greater(Y, 0, out=mask)
        np.multiply(dY, mask, out=dY)
        np.matmul(X.T, dY, out=dW)
        np.matmul(dY, W.T, out=dX)

    return step


def _seconds_per_call(function, seconds):
    """Median time of one call over about ``seconds`` of calls in 5 chunks."""
    start = time.perf_counter()
    function()
    calls = max(1, int(seconds / 5 / max(time.perf_counter() - start, 1e-7)))
    chunks = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        chunks.append((time.perf_counter() - start) / calls)
    return statistics.median(chunks)


def _compare(step, threads, args):
    """Median step times at 1 and ``threads`` threads, and the median ratio."""
    times = {1: [], threads: []}
    for block in range(args.blocks):
        for n in ((1, threads) if block % 2 == 0 else (threads, 1)):
            with threadpool_limits(limits=n, user_api="blas"):
                times[n].append(_seconds_per_call(step, args.seconds))
    ratios = [a / b for a, b in zip(times[1], times[threads])]
    return statistics.median(times[1]), statistics.median(times[threads]), statistics.median(
        ratios)


def _overhead(args):
    """Microseconds of entering and leaving the context managers."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from skmlp._threads import blas_threads_for

    def limits():
        with threadpool_limits(limits=1, user_api="blas"):
            pass

    def tiny():
        with blas_threads_for(1, 784 * 256):  # single-threaded in OpenBLAS anyway
            pass

    def lowered():
        with blas_threads_for(256, 50 * 128):  # below the grain: set to 1, restored
            pass

    for name, function in (("threadpool_limits(1)", limits),
                           ("blas_threads_for, 1 row of W1", tiny),
                           ("blas_threads_for, a W4-sized batch below the grain", lowered)):
        print(f"{name}: {_seconds_per_call(function, 0.5) * 1e6:.1f} us a call")


def main():
    args = _arguments()
    random_state = np.random.default_rng(0)
    with busy_siblings(args.load):
        print(f"{args.dtype}, {args.load} busy siblings, load average "
              f"{os.getloadavg()[0]:.2f}, 1 thread vs {args.threads}")
        if args.overhead:
            _overhead(args)
        print(f"| batch | in | out | batch x in x out | 1 thread us | {args.threads} threads us "
              f"| 1 / {args.threads} |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for batch, n_in, n_out in SHAPES:
            step = _layer_step(batch, n_in, n_out, args.dtype, random_state)
            one, many, ratio = _compare(step, args.threads, args)
            print(f"| {batch} | {n_in} | {n_out} | {batch * n_in * n_out:,} | {one * 1e6:.0f} "
                  f"| {many * 1e6:.0f} | {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
