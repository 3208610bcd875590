"""Nothing silently wrong: divergence, atomic fits, threads, determinism, persistence."""

import os
import pickle
import subprocess
import sys
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score

from skmlp import MLPClassifier, MLPRegressor

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)

OPTIONS = [
    {},
    dict(solver="sgd"),
    dict(solver="lbfgs"),
    dict(early_stopping=True),
    dict(dropout=0.2, input_dropout=0.1),
    dict(normalization="batch"),
    dict(normalization="layer"),
]


def _run_python(code):
    """Output of ``code`` in a fresh interpreter with one BLAS thread, as here
    (the thread count changes how BLAS rounds)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    return done.stdout


def _fit(estimator, X=X_iris, y=y_iris):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


# ---------------------------------------------------------------------------
# Divergence
# ---------------------------------------------------------------------------
def test_divergence_without_validation_raises_and_leaves_the_model_as_before():
    reg = _fit(MLPRegressor((8,), max_iter=5, random_state=0), X_iris, X_iris[:, 0])
    before = reg.predict(X_iris)
    reg.set_params(learning_rate_init=1e6, solver="sgd", warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            reg.fit(X_iris, X_iris[:, 0] * 1e30)
    np.testing.assert_array_equal(reg.predict(X_iris), before)


def test_divergence_stops_at_once_and_restores_the_best_validated_weights():
    y = X_iris[:, 0] * 1e3
    reg = MLPRegressor((8,), solver="sgd", learning_rate_init=1e-4, early_stopping=True,
                       n_iter_no_change=1000, max_iter=200, random_state=0)
    # A warm start with a far too large learning rate after a sound epoch.
    _fit(reg.set_params(max_iter=3), X_iris, y)
    best = reg.best_validation_score_
    reg.set_params(warm_start=True, learning_rate_init=1e3, max_iter=200)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(X_iris, y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert any("Training diverged" in m and "learning_rate_init" in m for m in messages)
    assert not any(issubclass(w.category, RuntimeWarning) for w in caught)
    assert reg.n_iter_ < 200
    assert np.isnan(reg.validation_scores_[-1])
    assert np.isfinite(reg.predict(X_iris)).all()
    assert reg.best_validation_score_ >= best


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_huge_logits_give_finite_probabilities_without_warnings(Estimator):
    y = y_iris if Estimator is MLPClassifier else np.exp(X_iris[:, 0])
    est = _fit(Estimator((4,), max_iter=5, random_state=0, **(
        {} if Estimator is MLPClassifier else dict(loss="poisson"))), X_iris, y)
    est._network.params[:] *= 1e6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = est.predict_proba(X_iris * 1e3) if Estimator is MLPClassifier else est.predict(X_iris * 1e3)
    assert np.isfinite(out).all()


# ---------------------------------------------------------------------------
# Atomic fits
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("warm_start", [False, True])
def test_a_failed_fit_leaves_a_fitted_model_unchanged(warm_start):
    clf = _fit(MLPClassifier((5,), max_iter=5, random_state=0, warm_start=warm_start))
    before = clf.predict_proba(X_iris)
    attributes = set(vars(clf))
    bad_calls = [
        lambda: clf.fit(X_iris, y_iris, sample_weight=np.ones(3)),
        lambda: clf.fit(np.full_like(X_iris, np.nan), y_iris),
        lambda: clf.partial_fit(X_iris, np.full(150, 7)),
    ]
    if warm_start:  # continuing needs the same features and classes
        bad_calls += [
            lambda: clf.fit(X_iris[:, :3], y_iris),
            lambda: clf.fit(X_iris, np.where(y_iris == 0, "a", "b")),
        ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
        np.testing.assert_array_equal(clf.predict_proba(X_iris), before)
        assert set(vars(clf)) == attributes
        assert list(clf.classes_) == [0, 1, 2]


def test_an_interrupt_keeps_a_usable_model():
    # A KeyboardInterrupt raised between epochs (here by the scorer of the
    # third epoch's validation) stops training as a first Ctrl-C does.
    calls = {"n": 0}

    def interrupting(estimator, X, y):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return estimator.score(X, y)

    clf = MLPClassifier((5,), max_iter=50, random_state=0, early_stopping=True,
                        scoring=interrupting)
    with pytest.warns(UserWarning, match="Training interrupted by user after 3 epochs"):
        clf.fit(X_iris, y_iris)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    assert len(clf.validation_scores_) == 2
    assert np.isfinite(clf.predict_proba(X_iris)).all()


# ---------------------------------------------------------------------------
# Determinism and concurrency
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_same_random_state_gives_bit_identical_results(options):
    first = _fit(MLPClassifier((6,), max_iter=10, random_state=3, **options))
    second = _fit(MLPClassifier((6,), max_iter=10, random_state=3, **options))
    np.testing.assert_array_equal(first._network.params, second._network.params)


def test_bit_identical_across_processes():
    code = (
        "import warnings, numpy as np; warnings.simplefilter('ignore');"
        "from sklearn.datasets import load_iris; from skmlp import MLPClassifier;"
        "X, y = load_iris(return_X_y=True);"
        "clf = MLPClassifier((6,), max_iter=10, dropout=0.2, random_state=3).fit(X, y);"
        "print(clf._network.params.tobytes().hex())"
    )
    runs = [_run_python(code) for _ in range(2)]
    local = _fit(MLPClassifier((6,), max_iter=10, dropout=0.2, random_state=3),
                 *load_iris(return_X_y=True))
    assert runs[0] == runs[1] == local._network.params.tobytes().hex() + "\n"


def test_search_results_do_not_depend_on_n_jobs():
    grid = {"alpha": [1e-4, 1e-2], "dropout": [0.0, 0.2]}
    est = MLPClassifier((6,), max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = GridSearchCV(est, grid, cv=3, n_jobs=1).fit(X_iris, y_iris)
        parallel = GridSearchCV(est, grid, cv=3, n_jobs=2).fit(X_iris, y_iris)
        scores = [cross_val_score(est, X_iris, y_iris, cv=3, n_jobs=n) for n in (1, 2)]
    np.testing.assert_array_equal(serial.cv_results_["mean_test_score"],
                                  parallel.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(*scores)


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_prediction_from_many_threads_equals_sequential(options):
    clf = _fit(MLPClassifier((16, 8), max_iter=10, random_state=0, **options))
    inputs = [X_iris[i::7] for i in range(7)] * 4 + [X_iris] * 8
    sequential = [clf.predict_proba(X) for X in inputs]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(clf.predict_proba, inputs))
    for got, expected in zip(threaded, sequential):
        np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------------------
# Persistence and memory
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_pickle_holds_no_training_caches(options, tmp_path):
    X, y = load_digits(return_X_y=True)
    clf = _fit(MLPClassifier((64,), max_iter=5, random_state=0, **options), X / 16, y)
    size = len(pickle.dumps(clf))
    n_params = clf._network.params.size
    optimizer_state = 0 if clf.solver == "lbfgs" else 2 * n_params  # warm_start needs it
    # float64 parameters once, plus the optimiser's state, plus small change.
    assert size < 8 * (n_params + optimizer_state) + 30_000, size
    print(f"pickle size with {options}: {size / 1024:.0f} KiB for {n_params} parameters")
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    code = (
        "import joblib, numpy as np; from sklearn.datasets import load_digits;"
        f"clf = joblib.load({str(path)!r}); X, _ = load_digits(return_X_y=True);"
        "print(clf.predict_proba(X / 16).tobytes().hex())"
    )
    out = _run_python(code)
    assert out.strip() == clf.predict_proba(X / 16).tobytes().hex()


def test_fit_does_not_copy_float32_input():
    rng = np.random.RandomState(0)
    X = rng.rand(20000, 300).astype(np.float32)  # 24 MB
    y = rng.randint(2, size=20000)
    clf = MLPClassifier((16,), max_iter=1, batch_size=500, random_state=0)
    tracemalloc.start()
    _fit(clf, X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * X.nbytes, peak
