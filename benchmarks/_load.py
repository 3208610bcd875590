"""Busy-looping sibling processes: a machine that something else is using.

A laptop with a browser, a CI runner, a notebook next to a grid search: the
cores a benchmark gets are shared. ``busy_siblings(k)`` starts ``k`` Python
processes that spin on the CPU for the duration of a ``with`` block, and
stops them when the block ends, however it ends (an error, Ctrl-C, or the
parent's SIGTERM, which is turned into an exception while the block runs).
Each sibling also ends by itself after ``max_seconds``, or as soon as its
parent is gone, so none outlives a killed benchmark for long.
"""

import contextlib
import os
import signal
import subprocess
import sys

# Checks the parent every ~0.1 s: os.getppid() changes when the parent dies
# (the orphan is adopted). The loop itself is the load.
_SPIN = """
import os, sys, time
parent, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < end and os.getppid() == parent:
    for _ in range(100_000):
        pass
"""


def _raise_system_exit(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")


@contextlib.contextmanager
def busy_siblings(k, max_seconds=7200):
    """Run ``k`` busy-looping processes while the block runs.

    Parameters
    ----------
    k : int
        Number of siblings; 0 starts none.
    max_seconds : float, default=7200
        Each sibling stops by itself after this long.

    Yields
    ------
    pids : list of int
        The siblings' process ids.
    """
    siblings = []
    previous = signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        for _ in range(k):
            siblings.append(subprocess.Popen(
                [sys.executable, "-c", _SPIN, str(os.getpid()), str(max_seconds)],
                stdin=subprocess.DEVNULL,
            ))
        yield [sibling.pid for sibling in siblings]
    finally:
        for sibling in siblings:
            sibling.terminate()
        for sibling in siblings:
            try:
                sibling.wait(timeout=5)
            except subprocess.TimeoutExpired:
                sibling.kill()
                sibling.wait()
        signal.signal(signal.SIGTERM, previous)
