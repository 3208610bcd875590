"""``predict`` of this checkout against a baseline revision, in one process.

A change to the inference pass should keep ``predict``'s speed; on a shared
machine, separate processes measured minutes apart differ by more than the
change. Here both versions live in one process: the baseline's ``skmlp``
package is extracted with ``git archive`` and imported as
``skmlp_baseline``, both fit the same network on the same rows of a
workload (one epoch: the weights only need to be those of a real fit) and
their ``predict`` calls are interleaved, round after round, in alternating
order. Each round times both on 10,000 rows and on one row (median of a
few calls each); the printed ratio is the median over rounds of
``this / baseline`` (below 1 means this checkout is faster), with the
spread of the middle half of the rounds. Both versions must predict the
same labels or values (to float rounding), which is checked first.

Usage (from the repository root)::

    python benchmarks/bench_predict.py --baseline main
    python benchmarks/bench_predict.py --baseline HEAD~3 --workloads W1,W3 --rounds 41
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads")
    parser.add_argument("--train-rows", type=int, default=2000)
    return parser.parse_args()


def _import_baseline(revision, directory):
    """The baseline's ``skmlp`` package, imported as ``skmlp_baseline``."""
    archive = subprocess.run(
        ["git", "-C", ROOT, "archive", revision, "skmlp"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
    shutil.move(os.path.join(directory, "skmlp"), os.path.join(directory, "skmlp_baseline"))
    sys.path.insert(0, directory)
    import skmlp_baseline

    return skmlp_baseline


def _median_seconds(function, calls):
    durations = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def _compare(packages, workload, dtype, args):
    import numpy as np

    from _worker import PREDICT_ROWS, _hyperparameters
    from _workloads import make_data

    X_train, X_test, y_train, _ = make_data(workload, args.train_rows, dtype, seed=0)
    X_predict = X_test[np.arange(PREDICT_ROWS) % X_test.shape[0]]
    parameters = {**_hyperparameters(workload, 1), "verbose": False}
    name = "MLPClassifier" if workload.task == "classifier" else "MLPRegressor"
    models = []
    for package in packages:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one epoch does not converge
            models.append(getattr(package, name)(**parameters).fit(X_train, y_train))
    predictions = [model.predict(X_predict) for model in models]
    # Equal up to float rounding: the thread counts of the BLAS products may
    # differ between the versions (skmlp/_threads.py), and their last bits with them.
    np.testing.assert_allclose(*predictions, rtol=1e-4 if dtype == "float32" else 1e-9)
    ratios = {"10k": [], "1 row": []}
    for round_ in range(args.rounds):
        order = (0, 1) if round_ % 2 == 0 else (1, 0)
        for key, rows, calls in (("10k", X_predict, 5), ("1 row", X_predict[:1], 200)):
            seconds = {}
            for k in order:
                seconds[k] = _median_seconds(lambda: models[k].predict(rows), calls)
            ratios[key].append(seconds[0] / seconds[1])
    return ratios


def _summary(values):
    quartiles = statistics.quantiles(values, n=4)
    return f"{statistics.median(values):.3f} [{quartiles[0]:.3f}, {quartiles[2]:.3f}]"


def main():
    args = _arguments()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    import skmlp
    from _workloads import WORKLOADS

    with tempfile.TemporaryDirectory() as directory:
        baseline = _import_baseline(args.baseline, directory)
        print(f"this / baseline ({args.baseline}) predict time, median [quartiles] of "
              f"{args.rounds} interleaved rounds, {args.threads} BLAS threads")
        print("| workload | dtype | 10,000 rows | 1 row |")
        print("|---|---|---|---|")
        for name in args.workloads.split(","):
            for dtype in args.dtypes.split(","):
                ratios = _compare((skmlp, baseline), WORKLOADS[name], dtype, args)
                print(f"| {name} | {dtype} | {_summary(ratios['10k'])} "
                      f"| {_summary(ratios['1 row'])} |", flush=True)


if __name__ == "__main__":
    main()
