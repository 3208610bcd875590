"""Accuracy on scikit-learn's bundled real data sets, against its own MLP.

Each case fits scikit-learn's MLP and skmlp's with the same hyperparameters
on the same splits (one per seed) and compares mean test scores: skmlp may
not be worse by more than ``TOLERANCE``, and must clear an absolute bar, so
the test fails even if both were broken in the same way. Run with ``-s`` to
see the comparison table.
"""

import numpy as np
import pytest
import sklearn.neural_network
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import skmlp

SEEDS = (0, 1, 2)
# Largest allowed shortfall of skmlp's mean score: accuracy, then R^2.
TOLERANCE = {"classification": 0.01, "regression": 0.02}
DATASETS = {
    "digits": (load_digits, MinMaxScaler, "classification"),
    "breast_cancer": (load_breast_cancer, StandardScaler, "classification"),
    "diabetes": (load_diabetes, StandardScaler, "regression"),
}


def _hyper(hidden, max_iter, **params):
    return dict(hidden_layer_sizes=(hidden,), max_iter=max_iter, **params)


# (data set, solver, hyperparameters, bar skmlp's mean score must exceed).
# max_iter is deliberately small (hence the silenced ConvergenceWarning).
CASES = [
    ("digits", "adam", _hyper(32, 30, learning_rate_init=0.01), 0.95),
    ("digits", "lbfgs", _hyper(32, 60), 0.95),
    ("digits", "sgd", _hyper(32, 30, learning_rate_init=0.1), 0.95),
    ("breast_cancer", "adam", _hyper(16, 50, learning_rate_init=0.01), 0.94),
    ("breast_cancer", "lbfgs", _hyper(16, 50, alpha=1.0), 0.94),
    ("breast_cancer", "sgd", _hyper(16, 50, learning_rate_init=0.01), 0.94),
    ("diabetes", "adam", _hyper(32, 200, learning_rate_init=0.01, alpha=1.0), 0.30),
    ("diabetes", "lbfgs", _hyper(8, 50, alpha=10.0), 0.30),
]

_ROWS = []


@pytest.fixture(scope="module", autouse=True)
def comparison_table():
    """Print one row per case once the module has run (visible with -s)."""
    yield
    print("\n\ndata set       solver  metric    sklearn   skmlp     diff")
    for name, solver, metric, sk_mean, our_mean in _ROWS:
        diff = our_mean - sk_mean
        print(f"{name:<14} {solver:<7} {metric:<9} {sk_mean:.4f}    {our_mean:.4f}    {diff:+.4f}")


def _mean_test_score(module, name, solver, params):
    """Mean test score over SEEDS of ``module``'s MLP in a scaling pipeline."""
    load, scaler, task = DATASETS[name]
    X, y = load(return_X_y=True)
    estimator = module.MLPClassifier if task == "classification" else module.MLPRegressor
    scores = []
    for seed in SEEDS:
        stratify = y if task == "classification" else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, random_state=seed, stratify=stratify
        )
        model = make_pipeline(scaler(), estimator(solver=solver, random_state=seed, **params))
        scores.append(model.fit(X_train, y_train).score(X_test, y_test))
    return float(np.mean(scores))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "name, solver, params, bar", CASES, ids=[f"{case[0]}-{case[1]}" for case in CASES]
)
def test_score_matches_sklearn(name, solver, params, bar):
    task = DATASETS[name][2]
    sk_mean = _mean_test_score(sklearn.neural_network, name, solver, params)
    our_mean = _mean_test_score(skmlp, name, solver, params)
    metric = "accuracy" if task == "classification" else "R^2"
    _ROWS.append((name, solver, metric, sk_mean, our_mean))

    assert our_mean >= sk_mean - TOLERANCE[task], (
        f"skmlp {metric} {our_mean:.4f} vs scikit-learn {sk_mean:.4f}"
    )
    assert our_mean > bar, f"skmlp {metric} {our_mean:.4f} is not above {bar}"
