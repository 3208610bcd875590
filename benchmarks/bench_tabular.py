"""Tabular benchmark: MLPs against gradient boosting on the development tables.

Usage::

    python benchmarks/bench_tabular.py [--tables penbased,crx] [--methods sklearn_mlp,hgbt]
        [--realmlp-python /work/bench-venv/bin/python] [--max-train-rows 10000]
        [--seed 0] [--json out.json]

Every (table, method) fit runs in a fresh child process with one BLAS/OpenMP
thread, on one fixed split (75/25, stratified for classification, see
``_tabular_data.split``), saved once by the parent so that a child in another
virtual environment reads the very same rows. Methods:

Every method's seed is 0 (otherwise defaults): scikit-learn's MLP draws its
initial weights and HGBT its early-stopping split (on by default above
10,000 rows) from it.

- ``sklearn_mlp``: scikit-learn's ``MLPClassifier``/``MLPRegressor`` with
  default parameters, after one-hot categoricals and median-imputed,
  standardised numerics in a ``Pipeline`` (what a new user would write);
- ``hgbt``: ``HistGradientBoostingClassifier``/``Regressor``, defaults
  (categoricals from the pandas dtype, missing values native);
- ``realmlp_td``: pytabkit's ``RealMLP_TD_Classifier``/``Regressor``
  (defaults, one thread, CPU; numeric NaN, which it refuses, filled by the
  median next to a missing indicator), run by ``--realmlp-python`` (a virtual
  environment with torch and pytabkit; they are no dependency of skmlp) or
  by this interpreter if it imports pytabkit; skipped with a message
  otherwise;
- ``tabular_mlp``: skmlp's ``TabularMLPClassifier``/``TabularMLPRegressor``
  with ``random_state=0``, otherwise at its defaults (or the
  ``--tabular-options``, for ablations), on the DataFrame as HGBT takes it.

Reported: held-out accuracy (classification) or R^2 (regression); the CPU
time of ``fit``; per method the mean rank over tables (1 = best, ties
averaged), the mean gap to the best score of each table in points (100 x
score), and the median over tables of its fit time divided by RealMLP-TD's.
"""

import argparse
import ast
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_mlp import RESULT_MARKER, THREAD_VARIABLES, run_child  # noqa: E402

METHODS = ("sklearn_mlp", "hgbt", "realmlp_td", "tabular_mlp")
TABLE_NAMES = ("penbased", "ring", "twonorm", "spambase", "texture", "optdigits", "german",
               "crx", "mushroom", "diamonds", "loans", "budget_food", "nass_cds", "default",
               "churn")


# --------------------------------------------------------------------------
# In the child: one fit of one method on one table
# --------------------------------------------------------------------------
def _columns(X):
    categorical = [c for c in X.columns if str(X[c].dtype) == "category"]
    return categorical, [c for c in X.columns if c not in categorical]


def _sklearn_mlp(task, X):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical, numeric = _columns(X)
    prepare = ColumnTransformer([
        ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
    ])
    model = (MLPClassifier if task == "classification" else MLPRegressor)(random_state=0)
    return make_pipeline(prepare, model)


def _hgbt(task, X):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    kind = (HistGradientBoostingClassifier if task == "classification"
            else HistGradientBoostingRegressor)
    return kind(random_state=0)


def _realmlp_td(task, X):
    import torch
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    torch.set_num_threads(1)
    kind = RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
    model = kind(random_state=0, n_threads=1, device="cpu", verbosity=0)
    # pytabkit refuses NaN in numeric columns: the median and an indicator,
    # as a user would add them (a no-op on columns complete in training, but
    # for NaN in their test rows); categoricals pass through with their dtype.
    _, numeric = _columns(X)
    fill = ColumnTransformer(
        [("numeric", SimpleImputer(strategy="median", add_indicator=True), numeric)],
        remainder="passthrough", verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return make_pipeline(fill, model)


def _tabular_mlp(task, X, **options):
    from skmlp import TabularMLPClassifier, TabularMLPRegressor

    kind = TabularMLPClassifier if task == "classification" else TabularMLPRegressor
    return kind(**{"random_state": 0, **options})


def run_job(job):
    """Fit one method on one saved split; score it on the held-out rows."""
    import warnings

    with open(job["data"], "rb") as file:
        data = pickle.load(file)
    X_train, X_test, y_train, y_test = data["split"]
    model = globals()["_" + job["method"]](data["task"], X_train, **job.get("options", {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cpu, wall = time.process_time(), time.perf_counter()
        model.fit(X_train, y_train)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        predicted = model.predict(X_test)
    if data["task"] == "classification":
        score = float((predicted.astype(str) == y_test.astype(str)).mean())
    else:
        residual = ((y_test - predicted.reshape(-1)) ** 2).sum()
        score = float(1.0 - residual / ((y_test - y_test.mean()) ** 2).sum())
    return dict(score=score, fit_cpu_seconds=cpu, fit_seconds=wall,
                python=sys.executable, n_train=int(X_train.shape[0]))


# --------------------------------------------------------------------------
# In the parent
# --------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", default=",".join(TABLE_NAMES),
                        help="comma-separated subset of %(default)s")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated subset of %(default)s")
    parser.add_argument("--realmlp-python", metavar="PATH",
                        help="python of an environment with pytabkit and torch")
    parser.add_argument("--max-train-rows", type=int, default=None,
                        help="keep at most this many training rows (test rows stay)")
    parser.add_argument("--seed", type=int, default=0, help="the split's seed")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads")
    parser.add_argument("--json", metavar="PATH", help="save raw results here")
    parser.add_argument("--merge", metavar="PATH",
                        help="a --json file of an earlier run on the same split: its "
                             "methods not run now join the tables and the summary")
    parser.add_argument("--tabular-options", default="", metavar="K=V,...",
                        help="parameters of tabular_mlp, e.g. periodic_embeddings=False,"
                             "max_iter=32 (Python literals), for ablations")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.tables, args.methods = args.tables.split(","), args.methods.split(",")
    args.tabular_options = {
        key: ast.literal_eval(value) for key, value in
        (item.split("=", 1) for item in args.tabular_options.split(",") if item)}
    unknown = (set(args.tables) - set(TABLE_NAMES)) | (set(args.methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown tables or methods: {sorted(unknown)}")
    return args


def _python_for(method, args):
    """The interpreter of ``method``'s children, or None (with a reason) to skip it."""
    if method != "realmlp_td":
        return sys.executable, None
    python = args.realmlp_python or sys.executable
    check = subprocess.run([python, "-c", "import pytabkit, torch"], capture_output=True,
                           text=True)
    if check.returncode:
        reason = (check.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"realmlp_td skipped: {python} cannot import pytabkit and torch ({reason})"
    return python, None


def _save_split(name, args, folder):
    from _tabular_data import TABLES, split

    path = os.path.join(folder, f"{name}.pkl")
    with open(path, "wb") as file:
        pickle.dump(dict(task=TABLES[name].task, split=split(
            name, seed=args.seed, max_train_rows=args.max_train_rows)), file)
    return path


def summarise(results, tables, methods):
    """Mean rank, mean gap to the best (points) and median time ratio to RealMLP-TD."""
    ranks, gaps, ratios = ({m: [] for m in methods} for _ in range(3))
    for table in tables:
        scores = {m: results[table][m]["score"] for m in methods if "score" in results[table][m]}
        if not scores:
            continue
        best = max(scores.values())
        for m, score in scores.items():
            ranks[m].append(1 + sum(s > score for s in scores.values())
                            + 0.5 * (sum(s == score for s in scores.values()) - 1))
            gaps[m].append(100 * (best - score))
            reference = results[table].get("realmlp_td", {}).get("fit_cpu_seconds")
            if reference:
                ratios[m].append(results[table][m]["fit_cpu_seconds"] / reference)

    def mean(values):
        return statistics.fmean(values) if values else None

    return {m: dict(rank=mean(ranks[m]), gap=mean(gaps[m]), n=len(ranks[m]),
                    time_ratio=statistics.median(ratios[m]) if ratios[m] else None)
            for m in methods}


def _cell(value, fmt):
    return "-" if value is None else format(value, fmt)


def report(results, tables, methods):
    lines = ["| table | " + " | ".join(methods) + " |", "|---" * (len(methods) + 1) + "|"]
    for table in tables:
        cells = []
        for m in methods:
            r = results[table][m]
            cells.append("error" if "error" in r else "skipped" if "skipped" in r else
                         f"{r['score']:.4f} ({r['fit_cpu_seconds']:.1f} s)")
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    summary = summarise(results, tables, methods)
    for label, key, fmt in [("mean rank", "rank", ".2f"), ("mean gap to the best, points",
                            "gap", ".2f"), ("fit CPU time, median ratio to RealMLP-TD",
                            "time_ratio", ".3f")]:
        lines.append(f"| {label} | " + " | ".join(_cell(summary[m][key], fmt)
                                                   for m in methods) + " |")
    return "\n".join(lines), summary


def _merge(results, args, methods):
    """Add the results of an earlier run (``--merge``) for the methods not run now."""
    with open(args.merge) as file:
        earlier = json.load(file)
    if (earlier["args"]["seed"], earlier["args"]["max_train_rows"]) != (
            args.seed, args.max_train_rows):
        sys.exit(f"{args.merge} is of another split (seed or max_train_rows differ)")
    added = [m for m in earlier["args"]["methods"] if m not in methods]
    for table in args.tables:
        for method in added:
            results[table][method] = earlier["results"][table][method]
    return added + methods


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        sys.stdout.write(RESULT_MARKER + json.dumps(run_job(json.loads(args.worker))) + "\n")
        return
    env = dict(os.environ, **{name: str(args.threads) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.dirname(HERE),
                                                      env.get("PYTHONPATH")]))
    pythons, notes = {}, []
    for method in args.methods:
        pythons[method], note = _python_for(method, args)
        if note:
            notes.append(note)
            print(note, file=sys.stderr, flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for table in args.tables:
            path = _save_split(table, args, folder)
            results[table] = {}
            for method in args.methods:
                if pythons[method] is None:
                    results[table][method] = {"skipped": True}
                    continue
                job = dict(table=table, method=method, data=path)
                if method == "tabular_mlp":
                    job["options"] = args.tabular_options
                result = results[table][method] = run_child(job, env, script=__file__, python=pythons[method])
                brief = result.get("error") or (
                    f"score {result['score']:.4f}, fit {result['fit_cpu_seconds']:.1f} s CPU, "
                    f"{result['fit_seconds']:.1f} s wall, {result['n_train']} rows")
                print(f"{table} {method}: {brief}", file=sys.stderr, flush=True)
    methods = list(args.methods)
    if args.merge:
        methods = _merge(results, args, methods)
    text, summary = report(results, args.tables, methods)
    print(f"\nHeld-out score (fit CPU seconds), one thread, seed {args.seed}, "
          f"max training rows {args.max_train_rows}\n")
    print(text)
    for note in notes:
        print(f"\n- {note}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(dict(args=vars(args), results=results, summary=summary), file, indent=1)


if __name__ == "__main__":
    main()
