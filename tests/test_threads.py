"""BLAS threads chosen for the work (skmlp._threads): only ever lowered, never
below what a user set, restored after the call, the same fitted weights."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import skmlp
from skmlp import MLPClassifier, MLPRegressor, _threads


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_free_cpus(monkeypatch):
    """Two BLAS threads allowed, no other process busy (whatever the machine)."""
    monkeypatch.setattr(_threads, "_openmp_effective_n_threads", lambda: 2)
    monkeypatch.setattr(_threads, "_busy_elsewhere", lambda: 0)
    monkeypatch.setattr(_threads.os, "cpu_count", lambda: 2)
    with threadpool_limits(limits=2, user_api="blas"):  # the suite pins 1
        yield


def _threads_inside(n_rows, widest):
    with _threads.blas_threads_for(n_rows, widest):
        return _blas_threads()


def test_small_products_run_on_one_thread_and_the_count_is_restored(two_free_cpus):
    assert _threads_inside(256, 50 * 128) == [1] * len(_blas_threads())
    assert set(_blas_threads()) == {2}


def test_products_above_the_grain_keep_the_threads(two_free_cpus):
    assert set(_threads_inside(256, 784 * 256)) == {2}


def test_tiny_products_touch_nothing(two_free_cpus, monkeypatch):
    # OpenBLAS runs them on one thread by itself: one-row prediction pays no look-up.
    monkeypatch.setattr(_threads, "_get_threadpool_controller", None)
    assert set(_threads_inside(1, 784 * 256)) == {2}


def test_busy_cpus_leave_one_thread(two_free_cpus, monkeypatch):
    monkeypatch.setattr(_threads, "_busy_elsewhere", lambda: 2)
    assert set(_threads_inside(256, 784 * 256)) == {1}


def test_processes_on_other_cores_of_a_large_machine_leave_ours(two_free_cpus, monkeypatch):
    monkeypatch.setattr(_threads.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(_threads, "_busy_elsewhere", lambda: 40)
    assert set(_threads_inside(256, 784 * 256)) == {2}


def test_a_users_lower_limit_wins():
    # The suite's own threadpool_limits(1) is the user's limit here.
    assert set(_blas_threads()) == {1}
    assert set(_threads_inside(1024, 1024 * 1024)) == {1}


def test_the_choice_can_be_turned_off(two_free_cpus):
    with skmlp.auto_blas_threads(False):
        assert set(_threads_inside(256, 50 * 128)) == {2}
    assert set(_threads_inside(256, 50 * 128)) == {1}


def test_the_load_sample_counts_other_processes_only():
    # This process runs (the thread reading), so it is never counted as busy elsewhere.
    _threads._load_sample[0] = float("-inf")
    busy = _threads._busy_elsewhere()
    assert isinstance(busy, int) and busy >= 0


def _recorded_work(monkeypatch):
    calls = []
    monkeypatch.setattr(
        _threads, "blas_threads_for", lambda n_rows, widest: calls.append((n_rows, widest))
        or _threads.contextlib.nullcontext()
    )
    return calls


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Got `batch_size` less than 1 or larger:UserWarning")  # 10 rows
def test_fit_and_predict_size_their_products(monkeypatch):
    calls = _recorded_work(monkeypatch)
    X, y = np.random.RandomState(0).rand(300, 30), np.arange(300) % 3
    model = MLPClassifier((40, 20), batch_size=64, max_iter=1).fit(X, y)
    model.predict(X)
    model.partial_fit(X[:10], y[:10])
    MLPRegressor((40,), solver="lbfgs", max_iter=2).fit(X, X[:, 0])
    # fit: a mini-batch through the widest layer; predict: every row, output layer too.
    assert calls == [(64, 30 * 40), (300, 30 * 40), (10, 30 * 40), (300, 30 * 40)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_tabular_prediction_sizes_ntk_layers_as_dense_ones(two_free_cpus, monkeypatch):
    # NTKDense layers (the tabular default) run the same products as Dense
    # ones: 16 rows through 256 x 256 weights (1M multiply-adds) are below
    # the grain (1 thread), 1,024 rows (67M) above it (2 threads).
    from skmlp import TabularMLPRegressor
    from skmlp._tabular._preprocessing import network_inputs

    rng = np.random.RandomState(0)
    X, y = rng.rand(1024, 8), rng.rand(1024)
    for ntk in (True, False):
        model = TabularMLPRegressor(
            hidden_layer_sizes=(256, 256), ntk_parametrization=ntk, periodic_embeddings=False,
            max_iter=1, random_state=0,
        ).fit(X, y)
        assert any(type(layer).__name__ == ("NTKDense" if ntk else "Dense")
                   for layer in model._network.layers)
        seen, forward = [], model._network.forward  # the estimator predicts under the choice
        monkeypatch.setattr(model._network, "forward",
                            lambda A, **kw: seen.append(set(_blas_threads())) or forward(A, **kw))
        for n_rows, expected in [(16, {1}), (1024, {2})]:
            A = network_inputs(model.preprocessor_, X[:n_rows])
            with _threads.threads_for_predict(model._network, A):
                assert set(_blas_threads()) == expected, (ntk, n_rows)
            model.predict(X[:n_rows])
            assert seen.pop() == expected, (ntk, n_rows)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 1e-4)])
def test_a_fit_on_chosen_threads_is_scikit_learns_within_the_drop_in_tolerance(
    two_free_cpus, dtype, rtol
):
    # Results of OpenBLAS's products depend on the thread count in the last
    # bits; scikit-learn runs on the 2 threads, skmlp chooses 1 for this
    # network: the fits agree within test_drop_in's tolerances.
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    X, y = np.random.RandomState(0).rand(600, 64).astype(dtype), np.arange(600) % 4
    params = dict(hidden_layer_sizes=(128,), max_iter=10, random_state=0)
    with pytest.warns(Warning):  # not converged
        ours = MLPClassifier(**params).fit(X, y)
    with pytest.warns(Warning):
        theirs = SkMLPClassifier(**params).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
