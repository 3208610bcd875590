"""skmlp on a Dask cluster, as scikit-learn's own estimators run there.

A ``LocalCluster`` of two worker processes (no dashboard) stands in for a
real cluster: searches and restarts dispatched through joblib's ``dask``
backend must give exactly the sequential results, and dask-ml's
``Incremental`` must train skmlp chunk by chunk through ``partial_fit``.
Skipped without the ``distributed`` extra (``pip install '.[distributed]'``).
"""

import logging

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_validate,
    train_test_split,
)

from skmlp import MLPClassifier, MLPRegressor

distributed = pytest.importorskip("distributed", reason="needs the 'distributed' extra")
dask_array = pytest.importorskip("dask.array", reason="needs the 'distributed' extra")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers", reason="needs the 'distributed' extra")

# Few epochs on purpose: the tests compare results, not converged models.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def on_cluster(client, function):
    """``function()`` inside the dask backend; its result and the workers used."""
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        result = function()
    return result, {task["worker"] for task in tasks.data}


def assert_same_search(on_dask, sequential):
    for key in ("params", "mean_test_score", "split0_test_score", "rank_test_score"):
        assert_array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])
    assert on_dask.best_params_ == sequential.best_params_
    for coef, expected in zip(on_dask.best_estimator_.coefs_, sequential.best_estimator_.coefs_):
        assert_array_equal(coef, expected)


def test_grid_search_on_cluster_matches_sequential(client, digits):
    X, y = digits
    grid = {"alpha": [1e-4, 1e-1], "dropout": [0.0, 0.2]}
    model = MLPClassifier(hidden_layer_sizes=(16,), max_iter=10, random_state=0)

    def search():
        return GridSearchCV(model, grid, cv=3, n_jobs=-1).fit(X[:900], y[:900])

    on_dask, workers = on_cluster(client, search)
    sequential = GridSearchCV(model, grid, cv=3).fit(X[:900], y[:900])
    assert workers, "no task ran on the cluster"
    assert workers <= set(client.scheduler_info()["workers"])
    assert_same_search(on_dask, sequential)


def test_randomized_search_on_cluster_matches_sequential(client):
    X, y = load_diabetes(return_X_y=True)
    model = MLPRegressor(
        hidden_layer_sizes=(16,), learning_rate_init=1e-2, max_iter=20,
        normalization="layer", random_state=0,
    )
    distributions = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "hidden_layer_sizes": [(8,), (16,)]}

    def search():
        return RandomizedSearchCV(
            model, distributions, n_iter=4, cv=3, n_jobs=-1, random_state=0
        ).fit(X, y)

    on_dask, workers = on_cluster(client, search)
    sequential = RandomizedSearchCV(model, distributions, n_iter=4, cv=3, random_state=0).fit(X, y)
    assert workers
    assert_same_search(on_dask, sequential)


def test_cross_validate_on_cluster_matches_sequential(client, digits):
    X, y = digits
    model = MLPClassifier(
        hidden_layer_sizes=(32,), normalization="batch", dropout=0.1,
        early_stopping=True, max_iter=15, random_state=0,
    )

    def validate():
        return cross_validate(model, X, y, cv=4, n_jobs=-1, return_estimator=True)

    on_dask, workers = on_cluster(client, validate)
    sequential = cross_validate(model, X, y, cv=4, return_estimator=True)
    assert workers
    assert_array_equal(on_dask["test_score"], sequential["test_score"])
    for fitted, expected in zip(on_dask["estimator"], sequential["estimator"]):
        assert_array_equal(fitted.running_means_[0], expected.running_means_[0])


def test_restarts_run_on_the_cluster(client, digits):
    X, y = digits
    model = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, n_init=3, random_state=0)
    on_dask, workers = on_cluster(client, lambda: clone(model).set_params(n_jobs=2).fit(X, y))
    sequential = clone(model).set_params(n_jobs=1).fit(X, y)
    # Each restart is a task: with three of them both workers get one.
    assert len(workers) == 2
    assert_array_equal(on_dask.restart_scores_, sequential.restart_scores_)
    assert_array_equal(on_dask.coefs_[0], sequential.coefs_[0])


def test_incremental_matches_in_memory_fit(client, digits):
    """dask-ml streams chunks through ``partial_fit``: as good as ``fit``."""
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y, test_size=0.3, random_state=0, stratify=y
    )
    n_epochs = 30
    options = dict(hidden_layer_sizes=(64,), batch_size=64, random_state=0)
    in_memory = MLPClassifier(max_iter=n_epochs, **options).fit(X_train, y_train)

    X_chunks = dask_array.from_array(X_train, chunks=(256, X.shape[1]))
    y_chunks = dask_array.from_array(y_train, chunks=256)
    # RandomState instances move on from pass to pass, so each pass visits
    # the chunks, and the rows within a chunk, in a new order (an integer
    # would repeat the first pass's orders).
    streaming_options = {**options, "random_state": np.random.RandomState(0)}
    streamed = dask_ml_wrappers.Incremental(
        MLPClassifier(**streaming_options), scoring="accuracy",
        random_state=np.random.RandomState(0),
    )
    for _ in range(n_epochs):  # one pass over every chunk per call
        streamed.partial_fit(X_chunks, y_chunks, classes=np.unique(y))

    assert streamed.estimator_.t_ == n_epochs * len(X_train)  # every row, every pass
    expected = in_memory.score(X_test, y_test)
    accuracy = streamed.score(dask_array.from_array(X_test, chunks=256), y_test)
    assert expected > 0.95
    print(f"held-out accuracy: in-memory fit {expected:.4f}, Incremental {accuracy:.4f}")
    assert abs(accuracy - expected) <= 0.01, (accuracy, expected)
