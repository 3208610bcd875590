"""Attacks on TabularMLPClassifier/Regressor: odd columns, odd targets, the house's tools.

What a hostile user gives them, checked against what
HistGradientBoosting does with the same input. Tiny networks, few epochs.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import GridSearchCV

from skmlp import TabularMLPClassifier, TabularMLPRegressor

TINY = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


def _table(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({
        "a": rng.randn(n),
        "c": pd.Categorical(rng.choice(list("xyz"), n)),
    })
    return X, rng.randint(0, 3, n), rng.randn(n)


@pytest.mark.parametrize("dtype, values", [
    ("boolean", [True, False, None]),
    ("Int64", [1, 4, None]),
    ("Float64", [0.5, -1.0, None]),
])
def test_pandas_nullable_numeric_columns_with_missing_values(dtype, values):
    # HGBT takes them, pd.NA as missing; a 'boolean' column with pd.NA was
    # refused ("holds <NA> ... which is not a number", a TypeError).
    X, y, _ = _table()
    X["n"] = pd.array((values * 20)[: len(X)], dtype=dtype)
    HistGradientBoostingClassifier(max_iter=2).fit(X, y)
    clf = TabularMLPClassifier(**TINY).fit(X, y)
    as_float = X.assign(n=X["n"].astype("float64"))
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(as_float))


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]"])
def test_a_string_column_not_declared_categorical_is_named(dtype):
    X, y, _ = _table()
    X["s"] = pd.array(np.where(y > 0, "u", "v"), dtype=dtype)
    with pytest.raises(ValueError, match="could not convert string to float"):
        HistGradientBoostingClassifier().fit(X, y)
    with pytest.raises(ValueError, match="Numeric column 's' holds .* categorical_features"):
        TabularMLPClassifier(**TINY).fit(X, y)


def test_a_string_column_declared_categorical_with_an_unseen_value_is_missing():
    X, y, _ = _table()
    X["c"] = X["c"].astype(str)
    clf = TabularMLPClassifier(**TINY, categorical_features=["c"]).fit(X, y)
    unseen, missing = X.head(3).copy(), X.head(3).copy()
    unseen["c"], missing["c"] = ["never", None, "x"], [np.nan, np.nan, "x"]
    np.testing.assert_array_equal(clf.predict_proba(unseen), clf.predict_proba(missing))


def test_bool_columns_constant_columns_and_all_missing_rows_at_predict():
    X, y, _ = _table()
    X["b"], X["k"] = X["a"] > 0, 1.0
    clf = TabularMLPClassifier(**TINY).fit(X, y)
    empty = X.head(2).copy()
    empty[["a", "k"]] = np.nan
    empty["c"] = pd.Categorical([None, None], categories=X["c"].cat.categories)
    proba = clf.predict_proba(empty)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.predict(X.head(1)).shape == (1,)


@pytest.mark.parametrize("columns", [["a"], ["c"]])
def test_a_single_feature(columns):
    X, y, _ = _table()
    clf = TabularMLPClassifier(**TINY).fit(X[columns], y)
    assert clf.predict(X[columns]).shape == (len(X),)


def test_columns_reordered_or_renamed_at_predict_are_refused():
    X, y, _ = _table()
    clf = TabularMLPClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="same order"):
        clf.predict(X[["c", "a"]])
    with pytest.raises(ValueError, match="unseen at fit time"):
        clf.predict(X.rename(columns={"a": "A"}))


def test_a_table_without_columns_is_refused_clearly():
    # HGBT's error is numpy's ("at least one array or dtype is required");
    # ours was an AttributeError of ColumnTransformer.
    X, y, _ = _table()
    for table in (X[[]], X.to_numpy()[:, :0]):  # named after the estimator, as for an array
        with pytest.raises(ValueError, match="0 feature.*required by TabularMLPClassifier"):
            TabularMLPClassifier(**TINY).fit(table, y)
    with pytest.raises(ValueError, match="0 sample.*required by TabularMLPClassifier"):
        TabularMLPClassifier(**TINY).fit(X.iloc[:0], y[:0])


@pytest.mark.parametrize("y_bad, message", [
    ("nan", "Input y contains NaN"),
    ("2d", "y should be a 1d array"),
])
def test_bad_targets_as_hgbt_refuses_them(y_bad, message):
    X, _, y = _table()
    y = y.copy()
    if y_bad == "nan":
        y[3] = np.nan
    else:
        y = np.c_[y, y]
    for model in (HistGradientBoostingRegressor(), TabularMLPRegressor(**TINY)):
        with pytest.raises(ValueError, match=message):
            model.fit(X, y)


def test_string_labels_and_probabilities_summing_to_one():
    X, y, _ = _table()
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = TabularMLPClassifier(**TINY).fit(X, labels)
    assert list(clf.classes_) == ["ant", "bee", "cat"]
    assert set(clf.predict(X)) <= set(labels)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_a_classifier_fit_on_one_class_gives_it_probability_one():
    X, _, _ = _table()
    clf = TabularMLPClassifier(**TINY).fit(X, np.zeros(len(X)))
    assert list(clf.predict(X)) == [0.0] * len(X)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 0], 1.0)


@pytest.mark.parametrize("rows", [slice(None), slice(0, 1)])
def test_a_constant_target_is_predicted_as_hgbt_predicts_it(rows):
    # A constant target standardises to 0; the network's untrained output
    # was added back at scale 1, in y's units: predictions 2.76..4.03 for 3.
    X, _, _ = _table()
    X, y = X.iloc[rows], np.full(len(X.iloc[rows]), 3.0)
    expected = HistGradientBoostingRegressor(max_iter=3).fit(X, y).predict(X)
    np.testing.assert_array_equal(TabularMLPRegressor(**TINY).fit(X, y).predict(X), expected)


@pytest.mark.parametrize("factor", [1e200, 1e-300])
def test_huge_and_tiny_targets_are_predicted_in_their_units(factor):
    # np.std squares y: inf for 1e200 (predictions +-inf), 0 for 1e-300
    # (predictions of order 1). Standardised, y * factor trains as y does.
    X, _, y = _table()
    unit = TabularMLPRegressor(**TINY).fit(X, y).predict(X)
    scaled = TabularMLPRegressor(**TINY).fit(X, y * factor).predict(X)
    np.testing.assert_allclose(scaled / factor, unit, rtol=1e-5)


def test_huge_feature_values_train_and_predict_finite():
    X, y, _ = _table()
    X["a"] *= 1e300
    assert np.isfinite(TabularMLPClassifier(**TINY).fit(X, y).predict_proba(X)).all()


def test_pickle_set_params_refit_and_determinism():
    X, y, _ = _table()
    clf = TabularMLPClassifier(**TINY).fit(X, y)
    again = TabularMLPClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X),
                                  clf.predict_proba(X))
    changed = dict(periodic_embeddings=False, hidden_layer_sizes=(4, 4))
    clf.set_params(**changed).fit(X, y)
    fresh = TabularMLPClassifier(**{**TINY, **changed}).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), fresh.predict_proba(X))


def test_grid_search_over_each_piece_with_clone():
    X, y, _ = _table()
    grid = {name: [True, False]
            for name in ("periodic_embeddings", "feature_scaling", "robust_scaling")}
    search = GridSearchCV(clone(TabularMLPClassifier(**TINY)), grid, cv=2,
                          error_score="raise").fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", object])
def test_a_categorical_string_column_with_pandas_missing_values(dtype):
    # The commonest table: text with gaps. HGBT fails here too (its encoder:
    # "must be uniformly strings or numbers. Got ['NAType', 'str']"); an
    # object column with None worked, the same with pd.NA did not.
    X, y, _ = _table()
    X["s"] = pd.array((["u", "v", pd.NA] * 20)[: len(X)], dtype=dtype)
    clf = TabularMLPClassifier(**TINY, categorical_features=["c", "s"]).fit(X, y)
    with_none = X.assign(s=np.array((["u", "v", None] * 20)[: len(X)], dtype=object))
    np.testing.assert_array_equal(
        clf.predict_proba(X),
        TabularMLPClassifier(**TINY, categorical_features=["c", "s"])
        .fit(with_none, y).predict_proba(with_none),
    )
    unseen = X.head(3).assign(s=pd.array(["w", pd.NA, "u"], dtype=dtype))
    assert np.isfinite(clf.predict_proba(unseen)).all()


def test_the_users_frame_is_not_changed():
    X, y, _ = _table()
    X["s"] = pd.array((["u", "v", pd.NA] * 20)[: len(X)], dtype="string")
    before = X.copy()
    TabularMLPClassifier(**TINY, categorical_features=["c", "s"]).fit(X, y).predict(X)
    pd.testing.assert_frame_equal(X, before)


def test_shape_errors_name_the_estimator_as_hgbts_do():
    X = np.zeros((20, 1))
    y = np.arange(20) % 2
    clf = TabularMLPClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="but TabularMLPClassifier is expecting 1 features"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="required by TabularMLPClassifier"):
        TabularMLPClassifier(**TINY).fit(np.zeros((20, 2, 2)), y)


@pytest.mark.parametrize("values", [
    pd.date_range("2020-01-01", periods=60), pd.to_timedelta(np.arange(60), "D"),
])
def test_a_date_or_duration_column_is_named(values):
    # HGBT and we raised numpy's DTypePromotionError from inside the scaler
    # ("Float64DType could not be promoted by DateTime64DType"), naming no column.
    X, y, _ = _table()
    X["when"] = values
    with pytest.raises(ValueError, match="Numeric column 'when' holds"):
        TabularMLPClassifier(**TINY).fit(X, y)


@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_a_row_count_mismatch_lists_x_then_y_as_hgbt_does(Estimator):
    X, y, _ = _table()
    message = rf"inconsistent numbers of samples: \[{len(X)}, {len(X) - 1}\]"
    for model in (HistGradientBoostingRegressor(), Estimator(**TINY)):
        with pytest.raises(ValueError, match=message):
            model.fit(X, y[:-1])
