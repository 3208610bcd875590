"""What comes beside X and y (y_val, sample_weight_val, class_weight, the
early-stopping split) is checked as X, y and sample_weight are, before
training, with errors that name it (issue 12, items 3 and 4)."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import neural_network as sk
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor

rng = np.random.RandomState(0)
X = rng.rand(100, 4)
y = np.array([0] * 40 + [1] * 30 + [2] * 30)
y_sum = X.sum(axis=1)
X_other = rng.rand(80, 4)
QUICK = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
STOPPING = dict(QUICK, early_stopping=True)


def _quiet(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def _raises(message):
    return pytest.raises(ValueError, match=re.escape(message))


# ---------------------------------------------------------------------------
# sample_weight_val and class_weight get sample_weight's checks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("weights, message", [
    # Issue 12: accepted, with a validation accuracy of -1.5 every epoch.
    ([-5, -1, 1, 1, 1, 1], "Negative values in data passed to `sample_weight_val`."),
    ([np.nan, 1, 1, 1, 1, 1], "Input sample_weight_val contains NaN."),
    ([np.inf, 1, 1, 1, 1, 1], "Input sample_weight_val contains infinity"),
    ([0] * 6, "sample_weight_val must contain at least one non-zero number."),
    ([1] * 5, "sample_weight_val has shape (5,), expected (6,): one weight per row of X_val."),
    # Was accepted, with a validation score of nan every epoch.
    ([1e308] * 6, "sample_weight_val sums to more than the largest float64; scale it down."),
])
def test_sample_weight_val_is_checked_as_sample_weight(weights, message):
    with _raises(message):
        MLPClassifier(**STOPPING).fit(X, y, X_val=X[:6], y_val=y[:6], sample_weight_val=weights)


@pytest.mark.parametrize("class_weight, message", [
    # Issue 12: accepted, loss_ -0.96, while as sample_weight it is refused.
    ({0: -1, 1: 1, 2: 1}, "Negative values in data passed to `class_weight`."),
    ({0: np.nan, 1: 1, 2: 1}, "Input class_weight contains NaN."),
    ({0: np.inf, 1: 1, 2: 1}, "Input class_weight contains infinity"),
    # Issue 12: "the input data may contain large values", a RuntimeWarning.
    ({0: 0, 1: 0, 2: 0}, "class_weight gives weight 0 to every sample of positive sample_weight"),
    ([{0: 1, 1: 1, 2: -2}], "Negative values in data passed to `class_weight`."),
    # Was numpy's "setting an array element with a sequence", naming nothing.
    ({0: [1, 2], 1: 1, 2: 1}, "class_weight must map each class to one number; got [1, 2] for class 0."),
])
def test_class_weight_is_checked_as_sample_weight(class_weight, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with _raises(message):
            MLPClassifier(class_weight=class_weight, **QUICK).fit(X, y)


def test_class_weights_that_zero_every_weighted_row_are_refused():
    only_class_0 = (y == 0).astype(float)
    with _raises("class_weight gives weight 0 to every sample of positive sample_weight"):
        MLPClassifier(class_weight={0: 0}, **QUICK).fit(X, y, sample_weight=only_class_0)


def test_the_same_weights_as_sample_weight_and_as_class_weight_give_one_fit():
    as_classes = _quiet(MLPClassifier(class_weight={0: 2, 1: 0, 2: 1}, **QUICK), X, y)
    as_rows = _quiet(MLPClassifier(**QUICK), X, y, sample_weight=np.array([2, 0, 1])[y])
    np.testing.assert_array_equal(as_classes.coefs_[0], as_rows.coefs_[0])


# ---------------------------------------------------------------------------
# y_val gets y's checks, and must be the kind of target y is
# ---------------------------------------------------------------------------
Y_2 = np.c_[y_sum, -y_sum]
Y_multilabel = (X[:, :3] > 0.5).astype(int)
labels_other = (X_other[:, 0] > 0.5).astype(int)


@pytest.mark.parametrize("estimator, y_fit, y_val, message", [
    # Issue 12: accepted, an (80, 1) output broadcast against an (80, 2) target.
    (MLPRegressor(scoring="loss", **STOPPING), y_sum, X_other[:, :2],
     "y_val is 2-D with 2 outputs, but y is 1-D (one output): the validation targets "
     "must have as many outputs as the training targets."),
    # Issue 12: failed after an epoch, in a metric, without naming y_val.
    (MLPRegressor(**STOPPING), Y_2, X_other[:, 0],
     "y_val is 1-D (one output), but y is 2-D with 2 outputs"),
    (MLPClassifier(**STOPPING), Y_multilabel, labels_other,
     "y_val is a 'binary' target, but y is 'multilabel-indicator': the validation "
     "targets must be of the kind the classifier was trained on."),
    (MLPClassifier(**STOPPING), Y_multilabel, Y_multilabel[:80, :2],
     "y_val is 2-D with 2 outputs, but y is 2-D with 3 outputs"),
    (MLPClassifier(**STOPPING), y, (X_other[:, :3] > 0.5).astype(int),
     "y_val is a 'multilabel-indicator' target, but y is 'multiclass'"),
    (MLPClassifier(**STOPPING), y, X_other[:, 0], "y_val is a 'continuous' target, but y is"),
    (MLPClassifier(**STOPPING), y, np.r_[labels_other[:79], 7],
     "y_val contains labels not in y: [7]. The classes of y are [0, 1, 2]."),
    (MLPRegressor(**STOPPING), y_sum, np.r_[X_other[:79, 0], np.nan], "Input y_val contains NaN."),
    (MLPRegressor(**STOPPING), y_sum, X_other[:79, 0],
     "X_val and y_val have different numbers of samples: 80 and 79."),
    (MLPRegressor(loss="poisson", **STOPPING), y_sum, -X_other[:, 0],
     "Some value(s) of y_val are negative which is not allowed for Poisson regression."),
    (MLPRegressor(**STOPPING), y_sum, np.array(["a"] * 80), "dtype='numeric' is not compatible"),
    # Were accepted: type_of_target calls any integer matrix of two values an
    # indicator, and the encoding turned -1 and 2 into 1.
    (MLPClassifier(**STOPPING), Y_multilabel, 2 * Y_multilabel[:80] - 1,
     "y_val contains values not in y's label indicators: [-1]. y has [0, 1]."),
    (MLPClassifier(**STOPPING), Y_multilabel, 2 * Y_multilabel[:80],
     "y_val contains values not in y's label indicators: [2]. y has [0, 1]."),
])
def test_y_val_is_checked_as_y(estimator, y_fit, y_val, message):
    with _raises(message):
        estimator.fit(X, y_fit, X_val=X_other, y_val=y_val)


def test_sparse_y_val_of_a_regressor_is_refused_naming_it():
    # A 2-output sparse y_val failed in numpy ("setting an array element with
    # a sequence"); a multilabel classifier's sparse y_val is accepted, as y.
    message = "Sparse data was passed for y_val, but dense data is required."
    with pytest.raises(TypeError, match=re.escape(message)):
        MLPRegressor(**STOPPING).fit(X, Y_2, X_val=X_other, y_val=sp.csr_matrix(X_other[:, :2]))
    dense = _quiet(MLPClassifier(**STOPPING), X, Y_multilabel, X_val=X_other, y_val=Y_multilabel[:80])
    sparse = _quiet(
        MLPClassifier(**STOPPING), X, Y_multilabel, X_val=X_other, y_val=sp.csr_matrix(Y_multilabel[:80])
    )
    assert sparse.validation_scores_ == dense.validation_scores_


def test_y_val_column_is_accepted_for_1d_y_as_y_is():
    flat = _quiet(MLPRegressor(**STOPPING), X, y_sum, X_val=X_other, y_val=X_other[:, 0])
    with pytest.warns(Warning, match="A column-vector y was passed"):
        column = _quiet(MLPRegressor(**STOPPING), X, y_sum, X_val=X_other, y_val=X_other[:, :1])
    assert column.validation_scores_ == flat.validation_scores_


# ---------------------------------------------------------------------------
# Validation that weighs nothing is an error, never a score
# ---------------------------------------------------------------------------
def _validation_rows(estimator, X, y, **fit_params):
    """Indices of the rows early stopping split off, as its scorer sees them."""
    seen = []

    def scorer(fitted, X_val, y_val, sample_weight=None):
        seen.append(X_val)
        return 0.0

    _quiet(estimator.set_params(scoring=scorer, max_iter=1), X, y, **fit_params)
    return np.flatnonzero((X[:, None, :] == seen[0][None]).all(axis=2).any(axis=1))


@pytest.mark.parametrize("part", ["validation", "training"])
def test_a_split_part_of_zero_total_weight_is_an_error(part):
    # Issue 12: with scoring="loss" the validation part's weights were all 0
    # and it recorded -0.0 every epoch.
    val_idx = _validation_rows(MLPRegressor(**STOPPING), X, y_sum, sample_weight=np.ones(100))
    weights = np.ones(100)
    if part == "validation":
        weights[val_idx] = 0
    else:
        weights[np.setdiff1d(np.arange(100), val_idx)] = 0
    rows = len(val_idx) if part == "validation" else 100 - len(val_idx)
    with _raises(
        f"The {part} part of the early-stopping split ({rows} rows) has a total "
        "sample_weight of 0: no score can be computed on it."
    ):
        MLPRegressor(scoring="loss", **STOPPING).fit(X, y_sum, sample_weight=weights)


# ---------------------------------------------------------------------------
# The early-stopping split: stratified, and the classes the scorer needs
# ---------------------------------------------------------------------------
def test_the_split_is_stratified_for_multiclass_scorers_on_every_seed():
    # Issue 12: in 11 of 20 seeds a class was missing from the validation
    # rows and the fit died inside the scorer ("y_true contains only one label").
    y_rare = np.array([0] * 80 + [1] * 10 + [2] * 10)
    for seed in range(20):
        X_seed = np.random.RandomState(seed).rand(100, 4)
        clf = MLPClassifier(
            (5,), early_stopping=True, scoring="neg_log_loss", validation_fraction=0.1,
            max_iter=3, random_state=seed,
        )
        _quiet(clf, X_seed, y_rare)
        assert len(clf.validation_scores_) == 3
    val_idx = _validation_rows(clf, X_seed, y_rare)
    assert np.bincount(y_rare[val_idx]).tolist() == [8, 1, 1]


def test_default_early_stopping_splits_are_sklearns():
    # Binary targets: stratified on the labels, the split of scikit-learn's
    # (stratified on the 0/1 encoding); with sample weights too.
    X_bc, y_bc = load_breast_cancer(return_X_y=True)
    X_bc = StandardScaler().fit_transform(X_bc)
    weights = np.random.RandomState(0).rand(len(y_bc))
    params = dict(hidden_layer_sizes=(10,), early_stopping=True, max_iter=300, random_state=0)
    ours = _quiet(MLPClassifier(**params), X_bc, y_bc, sample_weight=weights)
    theirs = _quiet(sk.MLPClassifier(**params), X_bc, y_bc, sample_weight=weights)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_, rel=1e-12)
    np.testing.assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("labels, expected", [
    ([0, 0, 0, 1], "[1]"),
    (["ham"] * 3 + ["spam"], "['spam']"),
])
def test_an_impossible_stratification_is_train_test_splits_error_on_users_labels(labels, expected):
    with _raises(
        "The least populated classes in y have only 1 member, which is too few. The minimum "
        "number of groups for any class cannot be less than 2. Classes with too few "
        f"members are: {expected}"
    ):
        MLPClassifier(early_stopping=True).fit([[1, 2], [2, 3], [3, 4], [4, 5]], labels)


def test_a_split_without_a_class_the_scorer_needs_fails_before_training():
    y_rare = np.array([0] * 96 + [1] * 2 + [2] * 2)  # 10 validation rows: all of class 0
    with _raises(
        "The validation part split off for early stopping has no samples of class(es) "
        "[1, 2], which scoring='neg_log_loss' needs: it raised ValueError('y_true contains "
        "only one label (0)."
    ):
        MLPClassifier(scoring="neg_log_loss", **STOPPING).fit(X, y_rare)
    # Accuracy needs no class: the same split trains.
    assert _quiet(MLPClassifier(scoring="accuracy", **STOPPING), X, y_rare).n_iter_ == 5


def test_y_val_without_a_class_the_scorer_needs_fails_before_training():
    y_val = np.r_[[0] * 40, [1] * 40]
    with pytest.raises(ValueError, match=re.escape(
        "The validation data (y_val) has no samples of class(es) [2], which "
        "scoring='neg_log_loss' needs"
    )) as info:
        MLPClassifier(scoring="neg_log_loss", **STOPPING).fit(X, y, X_val=X_other, y_val=y_val)
    with pytest.raises(ValueError) as direct:
        log_loss(y_val, np.full((80, 3), 1 / 3))
    assert repr(str(direct.value)) in str(info.value)


def test_one_validation_sample_that_cannot_be_scored_fails_before_training():
    # R^2 of one sample is nan (scikit-learn warns): no epoch would beat the
    # untrained weights, and early stopping would keep them (it did).
    one = dict(X_val=X_other[:1], y_val=X_other[:1].sum(axis=1))
    for scoring, named in [(None, "the estimator's score (r2_score)"), ("r2", "scoring='r2'")]:
        with _raises(
            f"Early stopping cannot score the validation data (X_val, y_val): {named} of "
            "its one sample is nan, so no epoch would be better than the untrained "
            "network. Pass X_val and y_val with at least 2 samples, or choose a "
            "scoring that scores one sample."
        ):
            MLPRegressor(scoring=scoring, **STOPPING).fit(X, y_sum, **one)
    # A score that one sample defines trains and keeps its best epoch.
    mae = _quiet(MLPRegressor(scoring="neg_mean_absolute_error", **STOPPING), X, y_sum, **one)
    assert mae.best_validation_score_ == max(mae.validation_scores_) > -np.inf
    clf = _quiet(MLPClassifier(**STOPPING), X, y, X_val=X_other[:1], y_val=y[:1])
    assert clf.best_validation_score_ in (0.0, 1.0)


def test_y_val_of_one_value_fails_before_training_when_scored_by_r2():
    # R^2 of constant targets is undefined (scikit-learn scores 0.0 for any
    # prediction): every epoch tied and the first one was kept.
    X_val, same = X_other[:5], np.full(5, 2.0)
    message = (
        "Early stopping cannot score the validation data (X_val, y_val): the "
        "estimator's score (r2_score) is not defined for a y_val whose samples of "
        "positive weight all have the same value: every epoch would score 0.0 and the "
        "first one be kept. Pass X_val and y_val whose targets vary"
    )
    with _raises(message):
        MLPRegressor(**STOPPING).fit(X, y_sum, X_val=X_val, y_val=same)
    varied = X_val.sum(axis=1)
    with _raises(message):  # the rows that vary weigh nothing
        MLPRegressor(**STOPPING).fit(X, y_sum, X_val=np.r_[X_val, X_val], y_val=np.r_[same, varied],
                                     sample_weight_val=np.r_[np.ones(5), np.zeros(5)])
    with _raises(message):
        MLPRegressor(**STOPPING).fit(X, Y_2, X_val=X_val, y_val=np.c_[same, same])
    # One output that varies is scored; so are constant targets by another score.
    _quiet(MLPRegressor(**STOPPING), X, Y_2, X_val=X_val, y_val=np.c_[same, varied])
    mse = _quiet(MLPRegressor(scoring="neg_mean_squared_error", **STOPPING), X, y_sum,
                 X_val=X_val, y_val=same)
    assert mse.best_validation_score_ == max(mse.validation_scores_) > -np.inf
    # A split is scored as scikit-learn scores it (it keeps the first epoch too).
    ours = _quiet(MLPRegressor(**STOPPING), X, np.ones(100))
    theirs = _quiet(sk.MLPRegressor(**STOPPING), X, np.ones(100))
    assert ours.validation_scores_ == theirs.validation_scores_


# ---------------------------------------------------------------------------
# A failed fit leaves a fitted model as it was
# ---------------------------------------------------------------------------
def test_a_refused_argument_leaves_a_warm_started_model_as_it_was():
    clf = _quiet(MLPClassifier(warm_start=True, **STOPPING), X, y)
    before = {name: np.copy(value) if isinstance(value, np.ndarray) else value
              for name, value in vars(clf).items() if not name.startswith("_")}
    coefs = [W.copy() for W in clf.coefs_ + clf.intercepts_]
    proba = clf.predict_proba(X)
    with _raises("Negative values in data passed to `sample_weight_val`."):
        clf.fit(X, y, X_val=X[:6], y_val=y[:6], sample_weight_val=[-5, -1, 1, 1, 1, 1])
    clf.set_params(class_weight={0: -1, 1: 1, 2: 1})
    with _raises("Negative values in data passed to `class_weight`."):
        clf.fit(X, y)
    for mine, saved in zip(clf.coefs_ + clf.intercepts_, coefs):
        np.testing.assert_array_equal(mine, saved)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    after = {name: value for name, value in vars(clf).items() if not name.startswith("_")}
    assert after.keys() == before.keys()
    for name, value in before.items():
        if name != "class_weight":
            np.testing.assert_equal(after[name], value)


def test_x_val_errors_name_x_val():
    X, y = load_iris(return_X_y=True)
    model = MLPClassifier(early_stopping=True, max_iter=5)
    with pytest.raises(ValueError, match="X_val has 3 features, but MLPClassifier is expecting 4"):
        model.fit(X, y, X_val=X[:15, :3], y_val=y[:15])
    X_nan = X[:15].copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X_val contains NaN"):
        model.fit(X, y, X_val=X_nan, y_val=y[:15])


def test_a_scorer_that_scores_nan_without_a_class_is_an_error_before_training():
    # roc_auc on a validation part of one class returns nan with a warning:
    # every epoch would have scored nothing.
    X, y = load_iris(return_X_y=True)
    y = y == 1
    model = MLPClassifier(early_stopping=True, scoring="roc_auc", max_iter=5)
    with pytest.raises(ValueError, match=r"has no samples of class\(es\) \[.*True.*\].*it scores nan"):
        model.fit(X, y, X_val=X[:15], y_val=np.zeros(15, bool))


def test_regressor_partial_fit_with_lbfgs_ignores_early_stopping_as_in_scikit_learn():
    X, y = load_iris(return_X_y=True)
    params = dict(solver="lbfgs", early_stopping=True, max_iter=20, random_state=0)
    ours = MLPRegressor(**params)
    theirs = sk.MLPRegressor(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.partial_fit(X, y)
        theirs.partial_fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_


def test_targets_too_large_for_float32_are_named():
    X32 = X.astype(np.float32)
    regressor = MLPRegressor((4,), early_stopping=True, max_iter=2)
    with pytest.raises(ValueError, match=re.escape(
            "y_val has values too large for float32, the dtype of X; scale y_val, or pass X "
            "as float64.")):
        regressor.fit(X32, y_sum, X_val=X32[:5], y_val=np.full(5, 1e39))
    with pytest.raises(ValueError, match=re.escape("y has values too large for float32")):
        regressor.fit(X32, np.full(100, 1e39))
