"""Dropout and normalisation as estimator options."""

import math
import pickle
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from skmlp import MLPClassifier, MLPRegressor
from skmlp._compat import InvalidParameterError
from skmlp.nn import BatchNorm, Dense, Dropout, ReLU, Sequential, build_layer

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)

OPTIONS = [
    dict(dropout=0.3),
    dict(dropout=[0.1, 0.4]),
    dict(input_dropout=0.2),
    dict(normalization="batch"),
    dict(normalization="layer"),
    dict(dropout=0.2, input_dropout=0.1, normalization="batch"),
]


def _fit(estimator, X=X_iris, y=y_iris, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def test_defaults_build_the_plain_network():
    plain = _fit(MLPClassifier((8,), max_iter=20, random_state=0))
    explicit = _fit(MLPClassifier((8,), max_iter=20, random_state=0, dropout=0.0,
                                  input_dropout=0.0, normalization=None))
    assert [type(layer).__name__ for layer in plain._network.layers] == ["Dense", "ReLU", "Dense"]
    np.testing.assert_array_equal(plain.predict_proba(X_iris), explicit.predict_proba(X_iris))


def test_layer_order_dense_norm_activation_dropout():
    clf = _fit(MLPClassifier((6, 5), max_iter=2, input_dropout=0.1, dropout=[0.2, 0.0],
                             normalization="layer", random_state=0))
    assert [repr(layer) for layer in clf._network.layers] == [
        "Dropout(0.1)", "Dense(6)", "LayerNorm()", "ReLU()", "Dropout(0.2)",
        "Dense(5)", "LayerNorm()", "ReLU()", "Dense(3)",
    ]
    assert len(clf.coefs_) == 3 and clf.n_layers_ == 4
    assert len(clf.normalization_scales_) == 2 and not hasattr(clf, "running_means_")


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_inference_is_deterministic_and_independent_of_the_batch(options):
    clf = _fit(MLPClassifier((10, 6), max_iter=30, random_state=0, **options))
    proba = clf.predict_proba(X_iris)
    np.testing.assert_array_equal(proba, clf.predict_proba(X_iris))
    alone = np.vstack([clf.predict_proba(X_iris[i : i + 1]) for i in range(0, 150, 7)])
    np.testing.assert_allclose(alone, proba[::7], rtol=1e-12)
    shuffled = np.random.RandomState(0).permutation(150)
    np.testing.assert_allclose(clf.predict_proba(X_iris[shuffled]), proba[shuffled], rtol=1e-12)


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_options_keep_pickling_dtype_and_sparse_input(options, dtype):
    X = X_iris.astype(dtype)
    clf = _fit(MLPClassifier((10, 6), max_iter=10, random_state=0, **options), X)
    assert clf.predict_proba(X).dtype == dtype
    learned = getattr(clf, "normalization_scales_", []) + getattr(clf, "running_vars_", [])
    assert all(c.dtype == dtype for c in clf.coefs_ + learned)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    sparse = _fit(MLPClassifier((10, 6), max_iter=10, random_state=0, **options), sp.csr_matrix(X))
    # Sparse and dense products round differently; float32 shows it more.
    atol = 1e-8 if dtype == np.float64 else 1e-2
    np.testing.assert_allclose(sparse.predict_proba(X), clf.predict_proba(X), atol=atol)


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_warm_start_partial_fit_and_early_stopping_work_with_options(options):
    clf = _fit(MLPClassifier((10, 6), max_iter=3, warm_start=True, random_state=0, **options))
    before = clf.predict_proba(X_iris)
    _fit(clf)
    assert clf.t_ == 6 * 150 and not np.allclose(before, clf.predict_proba(X_iris))
    incremental = MLPRegressor((10, 6), random_state=0, **options)
    for _ in range(3):
        incremental.partial_fit(X_iris, X_iris[:, 0])
    assert np.isfinite(incremental.predict(X_iris)).all()
    stopped = _fit(MLPClassifier((10, 6), early_stopping=True, max_iter=40, random_state=0, **options))
    assert stopped.best_validation_score_ == max(stopped.validation_scores_)


def test_early_stopping_restores_running_statistics_with_the_weights():
    net = Sequential([Dense(4), BatchNorm(), ReLU(), Dense(2)]).build(3, np.float64, np.random.RandomState(0))
    saved = net.get_state()
    net.forward(np.random.RandomState(1).standard_normal((20, 3)) + 5.0, training=True)
    assert not np.allclose(net.layers[1].running_mean, 0.0)
    net.set_state(saved)
    np.testing.assert_array_equal(net.layers[1].running_mean, 0.0)
    np.testing.assert_array_equal(net.layers[1].running_var, 1.0)


def test_dropout_keep_rate_and_scaling_are_right():
    rate = 0.3
    layer = build_layer(Dropout(rate), 200)
    X = np.random.RandomState(0).standard_normal((500, 200))
    masks = [layer.forward(X, training=True) / X for _ in range(3)]
    for mask in masks:
        kept = mask > 0
        # 100,000 Bernoulli(0.7) draws: standard error 0.0015.
        assert abs(kept.mean() - (1 - rate)) < 0.006
        np.testing.assert_allclose(mask[kept], 1 / (1 - rate))
        assert abs(mask.mean() - 1.0) < 0.01
        # No structure across rows or columns.
        assert np.abs(kept.mean(axis=0) - 0.7).max() < 0.15
    assert not np.array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(layer.forward(X, training=False), X)


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.3, 0.5, 1 / 3, 0.9, 1 - 2.0**-52])
def test_dropout_compares_draws_as_integers_exactly(rate):
    """The mask's integer comparison is the comparison of the [0, 1) draws."""
    from skmlp.nn._dropout import _at_least

    def _uniform(keys):  # the draw: the top 53 bits as a fraction
        return (keys >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    keys = np.random.default_rng(0).integers(0, 2**64, size=200_000, dtype=np.uint64)
    threshold = np.uint64(math.ceil(rate * 2**53) << 11)
    # Keys on both sides of the threshold, where rounding would show.
    edges = np.array([threshold - 1, threshold, threshold + 1, 0, 2**64 - 1], dtype=np.uint64)
    keys = np.concatenate([keys, edges])
    np.testing.assert_array_equal(_at_least(keys, rate), _uniform(keys) >= rate)


def test_dropout_mask_depends_on_the_row_not_its_position():
    layer = build_layer(Dropout(0.5), 8)
    X = np.random.RandomState(0).standard_normal((6, 8))
    twin = build_layer(Dropout(0.5), 8)
    out = layer.forward(X, training=True)
    out_reversed = twin.forward(X[::-1], training=True)
    np.testing.assert_array_equal(out, out_reversed[::-1])


def test_batch_norm_running_statistics_converge_to_the_data():
    rng = np.random.RandomState(0)
    layer = build_layer(BatchNorm(momentum=0.9), 3)
    mean, std = np.array([2.0, -1.0, 0.5]), np.array([3.0, 0.5, 1.0])
    for _ in range(300):
        layer.forward(mean + std * rng.standard_normal((64, 3)), training=True)
    np.testing.assert_allclose(layer.running_mean, mean, atol=0.15)
    np.testing.assert_allclose(np.sqrt(layer.running_var), std, rtol=0.08)


def test_combinations_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match=re.escape("dropout=0.2, input_dropout=0.0")) as info:
        MLPClassifier(solver="lbfgs", dropout=0.2).fit(X_iris, y_iris)
    assert "solver='lbfgs'" in str(info.value)
    with pytest.raises(ValueError, match="normalization='batch'.*batch_size=1"):
        MLPClassifier(normalization="batch", batch_size=1).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="one such rate per hidden layer"):
        MLPClassifier((5, 5), dropout=[0.1]).fit(X_iris, y_iris)
    with pytest.raises(InvalidParameterError, match="'normalization' parameter"):
        MLPClassifier(normalization="group").fit(X_iris, y_iris)
    with pytest.raises(InvalidParameterError, match="'dropout' parameter"):
        MLPClassifier(dropout=1.0).fit(X_iris, y_iris)
    clf = MLPClassifier((5,), normalization="batch", random_state=0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        clf.partial_fit(X_iris[:1], y_iris[:1], classes=[0, 1, 2])
    assert not hasattr(clf, "coefs_")


def test_batch_norm_merges_a_last_batch_of_one_row():
    clf = _fit(MLPClassifier((5,), normalization="batch", batch_size=149, max_iter=3, random_state=0))
    assert np.isfinite(clf.predict_proba(X_iris)).all()


@pytest.mark.slow
def test_dropout_narrows_the_train_validation_gap_on_digits():
    # 200 training images and two wide layers without L2: every network
    # reaches 100% training accuracy, so the gap is measured in log-loss.
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    gaps = {0.0: [], 0.5: []}
    for seed in range(3):
        X_train, X_val, y_train, y_val = train_test_split(X, y, train_size=200, random_state=seed)
        for rate in gaps:
            clf = _fit(
                MLPClassifier((256, 256), dropout=rate, alpha=0.0, max_iter=100,
                              learning_rate_init=0.003, random_state=seed),
                X_train, y_train,
            )
            gaps[rate].append(
                log_loss(y_val, clf.predict_proba(X_val))
                - log_loss(y_train, clf.predict_proba(X_train))
            )
    print("log-loss gap (validation - train) by dropout rate:",
          {rate: np.round(values, 3).tolist() for rate, values in gaps.items()})
    assert np.mean(gaps[0.5]) < np.mean(gaps[0.0])


def test_a_stop_on_the_noisy_training_loss_of_dropout_is_a_warning():
    # Iris, raw features: with dropout the training loss stops improving by
    # tol long before max_iter; without dropout, or with early stopping
    # (validation is scored without dropout), there is no such warning.
    X, y = load_iris(return_X_y=True)
    params = dict(max_iter=500, random_state=0)
    with pytest.warns(ConvergenceWarning, match="network with dropout, which is noisy") as caught:
        clf = MLPClassifier(dropout=0.2, **params).fit(X, y)
    assert clf.n_iter_ < params["max_iter"] and len(caught) == 1
    assert f"stopped after {clf.n_iter_} epochs" in str(caught[0].message)
    for options in (dict(), dict(dropout=0.2, early_stopping=True, max_iter=40)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            MLPClassifier(**{**params, **options}).fit(X, y)
        assert not [w for w in caught if "dropout" in str(w.message)]
