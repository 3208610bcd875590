"""skmlp in the scikit-learn ecosystem.

Model selection (Pipeline, GridSearchCV, cross_val_score, clone),
persistence (pickle and joblib, and training on after unpickling), dtypes,
sparse and pandas input, and the target types: string labels, multilabel
indicators and multi-output regression.
"""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.neural_network
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skmlp import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SOLVERS = ["adam", "sgd", "lbfgs"]
FAST = dict(hidden_layer_sizes=(8,), max_iter=20, learning_rate_init=0.01, random_state=0)


def _classification(n_classes=3, n_samples=150, n_features=8):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=5,
        n_classes=n_classes,
        class_sep=2.0,
        random_state=0,
    )


def _regression(n_targets=1):
    X, y = make_regression(
        n_samples=150, n_features=8, n_informative=5, n_targets=n_targets, noise=1.0,
        random_state=0,
    )
    return X, y / np.std(y)


# Distinct from every other dimension in the sparse tests (samples, classes,
# hidden units), so that the densify guard below recognises the input.
N_SPARSE_FEATURES = 13


def _sparse_data():
    """Classification data with about 60% zeros, dense."""
    X, y = _classification(n_features=N_SPARSE_FEATURES)
    X[np.abs(X) < 0.8] = 0.0
    return X, y


# --------------------------------------------------------------------------- #
# Model selection
# --------------------------------------------------------------------------- #
def test_grid_search_over_pipeline():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    mlp = MLPClassifier(solver="lbfgs", max_iter=50, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
    grid = {"mlp__hidden_layer_sizes": [(4,), (16,)], "mlp__alpha": [1e-4, 1.0]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)

    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 4 and np.isfinite(scores).all()
    assert search.best_score_ == scores.max() > 0.93
    best = search.best_estimator_.named_steps["mlp"]
    assert isinstance(best, MLPClassifier)
    # The refitted best model really has the selected parameters.
    n_hidden = search.best_params_["mlp__hidden_layer_sizes"][0]
    assert best.alpha == search.best_params_["mlp__alpha"]
    assert best.coefs_[0].shape == (X.shape[1], n_hidden)
    assert search.score(X_test, y_test) > 0.93


@pytest.mark.parametrize(
    "estimator, data, bar",
    [
        (MLPClassifier(solver="lbfgs", **FAST), _classification, 0.85),
        (MLPRegressor(solver="lbfgs", **FAST), _regression, 0.8),
        (MLPRegressor(**{**FAST, "max_iter": 200, "learning_rate_init": 0.05}), _regression, 0.8),
    ],
    ids=["classifier", "regressor-lbfgs", "regressor-adam"],
)
def test_cross_val_score(estimator, data, bar):
    X, y = data()
    scores = cross_val_score(estimator, X, y, cv=3)
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()
    assert scores.min() > bar, scores
    # Folds are fitted on clones: the estimator passed in stays unfitted.
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)


@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_clone(estimator_class):
    X, y = _classification(n_classes=2)
    params = dict(hidden_layer_sizes=(7, 3), alpha=0.5, solver="sgd", max_iter=5, random_state=3)
    fitted = estimator_class(**params).fit(X, y)
    unfitted = clone(fitted)
    assert type(unfitted) is estimator_class
    assert unfitted.get_params() == fitted.get_params()
    assert unfitted.get_params()["hidden_layer_sizes"] == (7, 3)
    with pytest.raises(NotFittedError):
        check_is_fitted(unfitted)
    assert not hasattr(unfitted, "coefs_")
    # Fitting the clone reproduces the original.
    assert_array_equal(unfitted.fit(X, y).predict(X), fitted.predict(X))


@pytest.mark.parametrize("solver", SOLVERS)
def test_set_params_then_refit(solver):
    X, y = _classification()
    estimator = MLPClassifier(**FAST).fit(X, y)
    new = dict(hidden_layer_sizes=(5, 3), alpha=0.1, solver=solver)
    assert estimator.set_params(**new) is estimator
    estimator.fit(X, y)
    assert [w.shape for w in estimator.coefs_] == [(8, 5), (5, 3), (3, 3)]
    assert estimator.get_params()["alpha"] == 0.1
    # Nothing of the first fit (optimiser state, classes, ...) survives.
    fresh = MLPClassifier(**{**FAST, **new}).fit(X, y)
    assert_array_equal(estimator.predict_proba(X), fresh.predict_proba(X))


def test_set_params_in_pipeline_then_refit():
    X, y = _regression()
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPRegressor(**FAST))]).fit(X, y)
    pipe.set_params(mlp__hidden_layer_sizes=(4,), mlp__solver="lbfgs").fit(X, y)
    assert pipe.named_steps["mlp"].coefs_[0].shape == (8, 4)
    assert pipe.score(X, y) > 0.8


# --------------------------------------------------------------------------- #
# Persistence
# --------------------------------------------------------------------------- #
def _pickle_round_trip(estimator):
    return pickle.loads(pickle.dumps(estimator))


def _joblib_round_trip(estimator):
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


ROUND_TRIPS = {"pickle": _pickle_round_trip, "joblib": _joblib_round_trip}


def _joblib_memory_map(estimator, path):
    """joblib through a file, loaded with read-only memory-mapped arrays."""
    joblib.dump(estimator, path)
    return joblib.load(path, mmap_mode="r")


def _fitted(kind, solver, **params):
    """A fitted estimator of ``kind`` and the data it was fitted on."""
    if kind == "classifier":
        X, y = _classification()
        return MLPClassifier(**{**FAST, "solver": solver, **params}).fit(X, y), X, y
    X, y = _regression()
    return MLPRegressor(**{**FAST, "solver": solver, **params}).fit(X, y), X, y


@pytest.mark.parametrize("round_trip", [*ROUND_TRIPS, "joblib-mmap"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_round_trip_predicts_identically(kind, solver, round_trip, tmp_path):
    estimator, X, _ = _fitted(kind, solver)
    if round_trip == "joblib-mmap":
        restored = _joblib_memory_map(estimator, tmp_path / "model.joblib")
    else:
        restored = ROUND_TRIPS[round_trip](estimator)
    assert type(restored) is type(estimator)
    assert_array_equal(restored.predict(X), estimator.predict(X))
    if kind == "classifier":
        assert_array_equal(restored.predict_proba(X), estimator.predict_proba(X))
        assert_array_equal(restored.classes_, estimator.classes_)
    for ours, theirs in zip(
        restored.coefs_ + restored.intercepts_, estimator.coefs_ + estimator.intercepts_
    ):
        assert_array_equal(ours, theirs)
    assert restored.n_iter_ == estimator.n_iter_


def _continue(estimator, X, y, how):
    """Train on: a warm-started fit, or three more partial_fit calls."""
    if how == "warm_start":
        return estimator.fit(X, y)
    for _ in range(3):
        estimator.partial_fit(X, y)
    return estimator


CONTINUATIONS = [
    ("warm_start", "adam"),
    ("warm_start", "sgd"),
    ("warm_start", "lbfgs"),
    ("partial_fit", "adam"),
    ("partial_fit", "sgd"),
]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("how, solver", CONTINUATIONS)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("seed", [0, "RandomState"])
def test_training_continues_after_round_trip(kind, how, solver, round_trip, seed):
    # A RandomState instance is consumed by shuffling: its state must travel too.
    random_state = np.random.RandomState(0) if seed == "RandomState" else seed
    params = dict(random_state=random_state, max_iter=5)
    if how == "warm_start":
        params["warm_start"] = True
    estimator, X, y = _fitted(kind, solver, **params)
    if how == "partial_fit":
        estimator.partial_fit(X, y)
    output = "predict_proba" if kind == "classifier" else "predict"
    before = getattr(estimator, output)(X)
    restored = ROUND_TRIPS[round_trip](estimator)

    _continue(estimator, X, y, how)
    _continue(restored, X, y, how)
    assert_array_equal(getattr(restored, output)(X), getattr(estimator, output)(X))
    assert restored.n_iter_ == estimator.n_iter_
    if solver != "lbfgs":
        assert restored.t_ == estimator.t_
        assert restored.loss_curve_ == estimator.loss_curve_
    # The continuation did train, so the comparison above is not vacuous.
    assert not np.allclose(getattr(estimator, output)(X), before)


# --------------------------------------------------------------------------- #
# Dtypes
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", SOLVERS)
def test_dtype_is_preserved(solver, dtype):
    X, y = _classification()
    X = X.astype(dtype)
    # L-BFGS trains in float64 whatever the input, as scikit-learn's does.
    trained = np.float64 if solver == "lbfgs" else dtype
    classifier = MLPClassifier(**{**FAST, "solver": solver}).fit(X, y)
    regressor = MLPRegressor(**{**FAST, "solver": solver}).fit(X, y.astype(dtype))
    for estimator in (classifier, regressor):
        assert {w.dtype for w in estimator.coefs_ + estimator.intercepts_} == {np.dtype(trained)}
    assert classifier.predict_proba(X).dtype == trained
    assert regressor.predict(X).dtype == trained
    assert np.isfinite(classifier.predict_proba(X)).all()
    # Binary classification builds its two columns from one output.
    binary = MLPClassifier(**{**FAST, "solver": solver}).fit(X, y == 0)
    assert binary.predict_proba(X).dtype == trained
    assert_allclose(binary.predict_proba(X).sum(axis=1), 1, rtol=1e-6)


def test_float32_sparse_input_stays_float32():
    X, y = _sparse_data()
    estimator = MLPClassifier(**FAST).fit(sp.csr_matrix(X, dtype=np.float32), y)
    assert estimator.coefs_[0].dtype == np.float32
    assert estimator.predict_proba(sp.csr_matrix(X, dtype=np.float32)).dtype == np.float32


# --------------------------------------------------------------------------- #
# Sparse input
# --------------------------------------------------------------------------- #
SPARSE_FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


def _guarded(method):
    """``method`` refusing to densify anything as wide as the sparse input."""

    def densify(self, *args, **kwargs):
        if N_SPARSE_FEATURES in self.shape:
            raise AssertionError(f"sparse input of shape {self.shape} was densified")
        return method(self, *args, **kwargs)

    return densify


@pytest.fixture
def no_densify(monkeypatch):
    """Make densifying the input (or rows or a transpose of it) raise.

    Other sparse matrices pass: scikit-learn's ``label_binarize`` builds and
    densifies one for the targets.
    """
    for sparse_class in SPARSE_FORMATS:
        for name in ("toarray", "todense"):
            monkeypatch.setattr(sparse_class, name, _guarded(getattr(sparse_class, name)))


def test_no_densify_fixture_catches_densification(no_densify):
    for sparse_class in SPARSE_FORMATS:
        X = sparse_class(np.ones((4, N_SPARSE_FEATURES)))
        for densify in (X.toarray, X.todense, X[:2].toarray, X.T.toarray, X.tocsr().toarray):
            with pytest.raises(AssertionError, match="densified"):
                densify()
        assert_array_equal(sparse_class(np.eye(3)).toarray(), np.eye(3))


@pytest.mark.parametrize("sparse_class", SPARSE_FORMATS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_sparse_input_matches_dense(estimator_class, solver, sparse_class, no_densify):
    X, y = _sparse_data()
    X_sparse = sparse_class(X)
    params = {**FAST, "solver": solver}
    dense = estimator_class(**params).fit(X, y)
    on_sparse = estimator_class(**params).fit(X_sparse, y)
    assert_allclose(on_sparse.predict(X_sparse), dense.predict(X), rtol=1e-7, atol=1e-9)
    assert_allclose(dense.predict(X_sparse), dense.predict(X), rtol=1e-7, atol=1e-9)
    if estimator_class is MLPClassifier:
        assert_allclose(
            on_sparse.predict_proba(X_sparse), dense.predict_proba(X), rtol=1e-7, atol=1e-9
        )
    for ours, theirs in zip(on_sparse.coefs_, dense.coefs_):
        assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("sparse_class", [sp.csr_matrix, sp.csc_matrix], ids=lambda c: c.__name__)
def test_sparse_with_early_stopping_and_partial_fit(sparse_class, no_densify):
    X, y = _sparse_data()
    X_sparse = sparse_class(X)
    stopped = MLPClassifier(**{**FAST, "early_stopping": True, "max_iter": 30}).fit(X_sparse, y)
    assert len(stopped.validation_scores_) == stopped.n_iter_
    incremental = MLPRegressor(**FAST)
    for _ in range(3):
        incremental.partial_fit(X_sparse, y.astype(float))
    assert incremental.n_iter_ == 1 and incremental.predict(X_sparse).shape == (len(y),)


# --------------------------------------------------------------------------- #
# pandas input
# --------------------------------------------------------------------------- #
def _prediction_outcome(estimator, X_fit, y, X_predict):
    """('raises', message) or ('warns', messages) for predict after fit."""
    estimator.fit(X_fit, y)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            estimator.predict(X_predict)
        except ValueError as exc:
            return ("raises", str(exc))
    return ("warns", [str(w.message) for w in record if w.category is not ConvergenceWarning])


@pytest.mark.parametrize(
    "case, expected",
    [
        ("renamed", "raises"),
        ("reordered", "raises"),
        ("ndarray", "warns"),
        ("fit_ndarray", "warns"),
    ],
)
def test_feature_names_checked_as_sklearn(case, expected):
    pd = pytest.importorskip("pandas")
    X, y = _classification()
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    X_fit, X_predict = {
        "renamed": (frame, frame.rename(columns={"f0": "other"})),
        "reordered": (frame, frame[columns[::-1]]),
        "ndarray": (frame, X),
        "fit_ndarray": (X, frame),
    }[case]
    ours = _prediction_outcome(MLPClassifier(**FAST), X_fit, y, X_predict)
    theirs = _prediction_outcome(sklearn.neural_network.MLPClassifier(**FAST), X_fit, y, X_predict)
    assert ours == theirs
    assert ours[0] == expected and ours[1]
    if expected == "raises":
        assert "feature names should match" in ours[1]


@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_dataframe_sets_feature_names(estimator_class):
    pd = pytest.importorskip("pandas")
    X, y = _classification()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    estimator = estimator_class(**FAST).fit(frame, pd.Series(y))
    assert_array_equal(estimator.feature_names_in_, frame.columns)
    assert estimator.n_features_in_ == X.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a frame with the fitted columns does not warn
        from_frame = estimator.predict(frame)
    # Column names aside, the frame is the same data as the array.
    assert_allclose(from_frame, estimator_class(**FAST).fit(X, y).predict(X))
    assert not hasattr(estimator_class(**FAST).fit(X, y), "feature_names_in_")


# --------------------------------------------------------------------------- #
# Target types
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", SOLVERS)
def test_string_labels(solver, n_classes):
    X, y = _classification(n_classes=n_classes)
    names = np.array(["zebra", "ant", "moose"])[:n_classes]
    labels = names[y]
    estimator = MLPClassifier(**{**FAST, "solver": solver, "max_iter": 100}).fit(X, labels)
    assert_array_equal(estimator.classes_, np.sort(names))
    predicted = estimator.predict(X)
    assert predicted.dtype.kind == "U" and set(predicted) <= set(names)
    assert estimator.predict_proba(X).shape == (len(y), n_classes)
    # Labels map to the same model as their integer codes.
    codes = np.searchsorted(np.sort(names), labels)
    as_codes = MLPClassifier(**{**FAST, "solver": solver, "max_iter": 100}).fit(X, codes)
    assert_array_equal(predicted, np.sort(names)[as_codes.predict(X)])
    assert estimator.score(X, labels) > 0.7


@pytest.mark.parametrize("solver", SOLVERS)
def test_multilabel_indicator_targets(solver):
    X, Y = make_multilabel_classification(
        n_samples=150, n_features=8, n_classes=4, random_state=0
    )
    estimator = MLPClassifier(**{**FAST, "solver": solver, "max_iter": 200}).fit(X, Y)
    assert_array_equal(estimator.classes_, np.arange(4))
    assert estimator.n_outputs_ == 4 and estimator.out_activation_ == "logistic"
    predicted = estimator.predict(X)
    proba = estimator.predict_proba(X)
    assert predicted.shape == proba.shape == Y.shape
    assert set(np.unique(predicted)) <= {0, 1}
    assert ((proba >= 0) & (proba <= 1)).all()
    assert_array_equal(predicted, (proba > 0.5).astype(int))
    # Per-label accuracy well above the majority class.
    majority = np.maximum(Y.mean(axis=0), 1 - Y.mean(axis=0)).mean()
    assert (predicted == Y).mean() > majority + 0.05


@pytest.mark.parametrize("solver", SOLVERS)
def test_multi_output_regression(solver):
    X, Y = _regression(n_targets=3)
    params = {**FAST, "solver": solver, "max_iter": 200, "learning_rate_init": 0.05}
    estimator = MLPRegressor(**params).fit(X, Y)
    assert estimator.n_outputs_ == 3
    assert estimator.coefs_[-1].shape == (8, 3)
    assert estimator.predict(X).shape == Y.shape
    assert estimator.score(X, Y) > 0.8


def test_column_vector_target_warns_as_sklearn():
    X, y = _regression()
    for estimator_class in (MLPRegressor, sklearn.neural_network.MLPRegressor):
        with pytest.warns(Warning, match="column-vector y"):
            estimator = estimator_class(**FAST).fit(X, y.reshape(-1, 1))
        assert estimator.predict(X).shape == y.shape
