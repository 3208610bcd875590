"""skmlp's and scikit-learn's fits alternating in one process, timed in CPU seconds.

On a machine that other jobs share, ``bench_mlp.py``'s fresh processes
minutes apart can see loads that differ several times over. Here both
implementations fit the same workload in one process, alternating round by
round, and each fit is timed with ``time.process_time()`` (CPU seconds of
this process, all threads), so time spent waiting for a core is not
counted. The printed ratio is the median over rounds of sk / skmlp (above 1:
skmlp is faster), with the quartiles. Whole fits (set-up included) on fewer
rows than ``bench_mlp.py``'s, one BLAS thread by default.

Usage (from the repository root)::

    python benchmarks/bench_inprocess.py
    python benchmarks/bench_inprocess.py --workloads W1 --rounds 15 --dtype float64
    python benchmarks/bench_inprocess.py --baseline ../wt-base   # another checkout too

``--baseline DIR`` also fits the ``skmlp`` package of another checkout (a
``git worktree`` of the commit to compare with), imported under the name
``skmlp_baseline``, in the same rounds: the table then has its time and its
ratio to scikit-learn's next to the current code's.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

#: Workload -> (training rows, epochs): a few seconds of fits per round.
SIZES = {"W1": (6000, 2), "W2": (2000, 2), "W3": (2000, 20), "W4": (5000, 4)}


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W3,W4")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--baseline", help="a checkout whose skmlp is fitted too")
    return parser.parse_args()


def _baseline(directory):
    """The ``skmlp`` package of the checkout ``directory``, as ``skmlp_baseline``."""
    import importlib.util

    path = os.path.join(os.path.abspath(directory), "skmlp", "__init__.py")
    spec = importlib.util.spec_from_file_location("skmlp_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["skmlp_baseline"] = module  # its relative imports find it
    spec.loader.exec_module(module)
    return module


def _compare(name, args):
    import numpy as np  # noqa: F401  (imported after the thread variables are set)
    import sklearn.neural_network as reference

    import skmlp
    from _worker import _hyperparameters
    from _workloads import WORKLOADS, make_data

    workload = WORKLOADS[name]
    n_rows, epochs = SIZES[name]
    X, _, y, _ = make_data(workload, n_rows, args.dtype, seed=0)
    params = {**_hyperparameters(workload, epochs), "verbose": False}
    kind = "MLPClassifier" if workload.task == "classifier" else "MLPRegressor"
    classes = {"sk": getattr(reference, kind), "skmlp": getattr(skmlp, kind)}
    if args.baseline:
        classes["baseline"] = getattr(_baseline(args.baseline), kind)
    for estimator in classes.values():  # warm-up: imports, BLAS buffers
        estimator(**{**params, "max_iter": 1}).fit(X[:300], y[:300])
    seconds = {side: [] for side in classes}
    for round_ in range(args.rounds):
        sides = list(classes)
        for side in sides if round_ % 2 == 0 else sides[::-1]:
            start = time.process_time()
            classes[side](**params).fit(X, y)
            seconds[side].append(time.process_time() - start)
    cells = []
    for side in [side for side in classes if side != "sk"]:
        ratios = [a / b for a, b in zip(seconds["sk"], seconds[side])]
        quartiles = statistics.quantiles(ratios, n=4)
        cells += [f"{statistics.median(seconds[side]) * 1e3:.0f}",
                  f"{statistics.median(ratios):.2f} [{quartiles[0]:.2f}, {quartiles[2]:.2f}]"]
    print(f"| {name} | {args.dtype} | {n_rows} x {epochs} | "
          f"{statistics.median(seconds['sk']) * 1e3:.0f} | {' | '.join(cells)} |", flush=True)


def one_process(threads):
    """Set the BLAS threads (before numpy is imported) and the import path.

    The repository's root comes first on the path, then this directory
    (``_worker``, ``_workloads``); warnings are silenced, as the fits stop at
    ``max_iter`` on purpose.
    """
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(threads)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [os.path.dirname(here), here]
    warnings.simplefilter("ignore")


def main():
    args = _arguments()
    one_process(args.threads)
    print(f"CPU ms per fit, median of {args.rounds} alternating rounds, "
          f"{args.threads} BLAS threads; sk/skmlp median [quartiles]")
    baseline = " baseline ms | sk/baseline |" if args.baseline else ""
    print(f"| workload | dtype | rows x epochs | sk ms | skmlp ms | sk/skmlp |{baseline}")
    print("|---|---|---|---:|---:|---:|" + ("---:|---:|" if args.baseline else ""))
    for name in args.workloads.split(","):
        _compare(name, args)


if __name__ == "__main__":
    main()
