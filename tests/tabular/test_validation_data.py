"""X_val, y_val and sample_weight_val in the tabular estimators' fit, as in HistGradientBoosting."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from test_training import (  # a table with categoricals and missing values; checkpoints
    _checkpointed,
    _Epochs,
    _table,
    _target,
)

from skmlp import TabularMLPClassifier, TabularMLPRegressor

SMALL = dict(hidden_layer_sizes=(16,), max_iter=6, random_state=0)
ESTIMATORS = [TabularMLPClassifier, TabularMLPRegressor]
HGBT = {TabularMLPClassifier: HistGradientBoostingClassifier,
        TabularMLPRegressor: HistGradientBoostingRegressor}


def _parts(Estimator, n=400, n_train=300):
    """Training rows and validation rows of one table: X, y, X_val, y_val."""
    X = _table(n)
    y = _target(Estimator, X)
    return X[:n_train], y[:n_train], X[n_train:].reset_index(drop=True), y[n_train:]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_early_stopping_scores_x_val_and_keeps_its_best_epoch(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    # 300 rows: 'auto' would not stop early; with X_val it does (as HGBT documents).
    model = Estimator(**SMALL).fit(X, y, X_val=X_val, y_val=y_val)
    split = Estimator(**SMALL, early_stopping=True).fit(X, y)
    assert len(model.validation_scores_) == SMALL["max_iter"]
    assert model.validation_scores_ != split.validation_scores_
    assert model.best_validation_score_ == max(model.validation_scores_)
    # The kept epoch is the best one on X_val (the network predicts in float64).
    assert model.score(X_val, y_val) == pytest.approx(model.best_validation_score_, rel=1e-6)
    # No row is set aside and no split drawn: training is a fit without
    # early stopping, draw for draw.
    unvalidated = Estimator(**SMALL, early_stopping=False).fit(X, y)
    assert model.loss_curve_ == unvalidated.loss_curve_
    assert unvalidated.validation_scores_ is None


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_x_val_is_prepared_by_the_preprocessing_of_x_and_changes_only_the_scores(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    other = X_val.copy()
    other["x"] *= 1e3
    other["z"] += 1e5
    other["city"] = other["city"].cat.add_categories(["elsewhere"])
    other.loc[::2, "city"] = "elsewhere"
    model = Estimator(**SMALL).fit(X, y, X_val=X_val, y_val=y_val)
    moved = Estimator(**SMALL).fit(X, y, X_val=other, y_val=y_val)
    np.testing.assert_array_equal(model.preprocessor_.transform(X),
                                  moved.preprocessor_.transform(X))
    assert model.loss_curve_ == moved.loss_curve_
    assert model.validation_scores_ != moved.validation_scores_
    # validation_fraction is ignored with X_val.
    other_fraction = Estimator(**SMALL, validation_fraction=0.5).fit(
        X, y, X_val=X_val, y_val=y_val)
    assert other_fraction.validation_scores_ == model.validation_scores_


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("params, given", [
    ({}, ["X_val"]),
    ({}, ["y_val"]),
    ({"early_stopping": False}, ["X_val", "y_val"]),
    ({"early_stopping": False}, ["X_val"]),  # the missing y_val is named first, as by HGBT
])
def test_validation_data_errors_are_hgbts(Estimator, params, given):
    X, y, X_val, y_val = _parts(Estimator)
    X_num, X_val_num = X[["x", "z"]].to_numpy(), X_val[["x", "z"]].to_numpy()
    passed = {"X_val": X_val_num, "y_val": y_val}
    with pytest.raises(ValueError) as expected:
        HGBT[Estimator](**params).fit(X_num, y, **{name: passed[name] for name in given})
    with pytest.raises(ValueError) as error:
        Estimator(**SMALL, **params).fit(X_num, y, **{name: passed[name] for name in given})
    assert str(error.value) == str(expected.value)


def test_sample_weight_val_without_x_val_is_refused_where_hgbt_ignores_it():
    X, y, _, _ = _parts(TabularMLPRegressor)
    HistGradientBoostingRegressor().fit(X[["x", "z"]], y, sample_weight_val=np.ones(100))
    with pytest.raises(ValueError, match="sample_weight_val is provided, but X_val and y_val"):
        TabularMLPRegressor(**SMALL).fit(X, y, sample_weight_val=np.ones(100))


@pytest.mark.parametrize("bad, message", [
    (lambda X_val, y_val: (X_val[["x", "z", "colour"]], y_val),
     "Feature names seen at fit time, yet now missing"),
    (lambda X_val, y_val: (X_val[["z", "x", "colour", "city"]], y_val),
     "Feature names must be in the same order"),
    (lambda X_val, y_val: (X_val.assign(x=["oops"] * len(X_val)), y_val),
     "Numeric column 'x' holds 'oops' in row 0"),
    (lambda X_val, y_val: (X_val, np.where(y_val == "yes", "maybe", y_val)),
     r"y_val contains labels not in y: \['maybe'\]. The classes of y are \['no', 'yes'\]."),
    (lambda X_val, y_val: (X_val, y_val[:10]),
     "X_val and y_val have different numbers of samples: 100 and 10."),
])
@pytest.mark.parametrize("warm_start", [False, True])
def test_bad_validation_data_is_refused_and_leaves_the_fitted_model_as_it_was(
        bad, message, warm_start):
    X, y, X_val, y_val = _parts(TabularMLPClassifier)
    model = TabularMLPClassifier(**SMALL, warm_start=warm_start).fit(X, y)
    state, proba = pickle.dumps(model), model.predict_proba(X_val)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, X_val=bad(X_val, y_val)[0], y_val=bad(X_val, y_val)[1])
    assert pickle.dumps(model) == state
    np.testing.assert_array_equal(model.predict_proba(X_val), proba)


def test_x_val_without_names_warns_as_predict_does():
    X, y, X_val, y_val = _parts(TabularMLPRegressor)
    X, X_val = X[["x", "z"]], X_val[["x", "z"]]
    model = TabularMLPRegressor(**SMALL).fit(X, y)
    with pytest.warns(UserWarning, match="X does not have valid feature names") as predicted:
        model.predict(X_val.to_numpy())
    with pytest.warns(UserWarning, match="X does not have valid feature names") as fitted:
        TabularMLPRegressor(**SMALL).fit(X, y, X_val=X_val.to_numpy(), y_val=y_val)
    assert [str(w.message) for w in fitted] == [str(w.message) for w in predicted]


def test_y_val_may_lack_classes_of_y():
    X, y, X_val, y_val = _parts(TabularMLPClassifier)
    yes = y_val == "yes"
    model = TabularMLPClassifier(**SMALL).fit(X, y, X_val=X_val[yes], y_val=y_val[yes])
    assert model.score(X_val[yes], y_val[yes]) == model.best_validation_score_


def test_one_validation_row_that_r2_cannot_score_is_refused_before_training():
    # R^2 of one row is nan: the regressor kept its untrained network.
    X, y, X_val, y_val = _parts(TabularMLPRegressor)
    model = TabularMLPRegressor(**SMALL).fit(X, y)
    state = pickle.dumps(model)
    with pytest.raises(ValueError, match=(
            r"Early stopping cannot score the validation data \(X_val, y_val\): the "
            r"estimator's score \(r2_score\) of its one sample is nan, so no epoch would be "
            r"better than the untrained network. Pass X_val and y_val with at least 2 "
            r"samples.$")):
        model.fit(X, y, X_val=X_val[:1], y_val=y_val[:1])
    assert pickle.dumps(model) == state
    two = TabularMLPRegressor(**SMALL).fit(X, y, X_val=X_val[:2], y_val=y_val[:2])
    assert two.best_validation_score_ == max(two.validation_scores_) > -np.inf
    # Accuracy scores one row.
    X, y, X_val, y_val = _parts(TabularMLPClassifier)
    one = TabularMLPClassifier(**SMALL).fit(X, y, X_val=X_val[:1], y_val=y_val[:1])
    assert one.best_validation_score_ == one.score(X_val[:1], y_val[:1])


def test_a_constant_y_val_is_refused_by_the_regressor():
    # R^2 of constant targets is undefined (0.0 for any prediction): the
    # regressor kept its first epoch.
    X, y, X_val, y_val = _parts(TabularMLPRegressor)
    with pytest.raises(ValueError, match=(
            r"the estimator's score \(r2_score\) is not defined for a y_val whose samples "
            r"of positive weight all have the same value: every epoch would score 0.0 and "
            r"the first one be kept. Pass X_val and y_val whose targets vary.$")):
        TabularMLPRegressor(**SMALL).fit(X, y, X_val=X_val, y_val=np.full(len(y_val), 2.0))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_weight_val_weighs_the_score_and_changes_the_kept_epoch(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    # Every other validation row has a wrong target: weighted on those, the
    # best epoch is the one that learned least; on the others, a late one.
    wrong = np.arange(len(y_val)) % 2 == 0
    y_val = y_val.copy()
    if Estimator is TabularMLPClassifier:
        y_val[wrong] = np.where(y_val[wrong] == "yes", "no", "yes")
    else:
        y_val[wrong] = -y_val[wrong]
    fits = {}
    for weights in (wrong * 1.0, ~wrong * 1.0):
        model = Estimator(**SMALL).fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights)
        assert model.score(X_val, y_val, sample_weight=weights) == pytest.approx(
            model.best_validation_score_, rel=1e-6)
        fits[int(np.argmax(model.validation_scores_))] = model
    assert len(fits) == 2  # two kept epochs
    first, last = fits.values()
    assert first.loss_curve_ == last.loss_curve_  # trained alike
    assert not np.array_equal(first.predict(X_val), last.predict(X_val))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_warm_start_scores_the_x_val_it_is_given(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    model = Estimator(**SMALL, warm_start=True).fit(X, y)  # 300 rows: not validated
    preprocessor = model.preprocessor_
    model.fit(X, y, X_val=X_val, y_val=y_val)  # the curves start again, validated
    assert model.preprocessor_ is preprocessor
    assert len(model.validation_scores_) == len(model.loss_curve_) == SMALL["max_iter"]
    assert model.score(X_val, y_val) == pytest.approx(model.best_validation_score_, rel=1e-6)
    model.fit(X, y, X_val=X_val, y_val=y_val)  # they go on
    assert len(model.validation_scores_) == 2 * SMALL["max_iter"]
    assert model.score(X_val, y_val) == pytest.approx(model.best_validation_score_, rel=1e-6)


def _other_targets(Estimator, y_val):
    """Targets a model that learned ``y_val`` scores far lower on."""
    if Estimator is TabularMLPClassifier:
        return np.where(y_val == "yes", "no", "yes")
    return -y_val


@pytest.mark.parametrize("first", ["X_val", "split"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_warm_start_on_other_validation_data_keeps_its_own_best_epoch(Estimator, first):
    # Compared with the first fit's best on other rows, the second fit's
    # epochs never improved on it: its training was thrown away and the
    # first fit's weights restored. Its best starts again; the curves go on.
    X, y, X_val, y_val = _parts(Estimator)
    model = Estimator(**SMALL, warm_start=True, early_stopping=True)
    model.fit(X, y, **(dict(X_val=X_val, y_val=y_val) if first == "X_val" else {}))
    n_first, first_best = model.n_iter_, model.best_validation_score_
    first_state = pickle.dumps(model._network.get_state())
    other = _other_targets(Estimator, y_val)
    model.fit(X, y, X_val=X_val, y_val=other)
    second = model.validation_scores_[n_first:]
    assert len(model.validation_scores_) == len(model.loss_curve_) == n_first + len(second)
    assert max(second) < first_best
    assert model.best_validation_score_ == max(second)
    assert model.score(X_val, other) == pytest.approx(model.best_validation_score_, rel=1e-6)
    assert pickle.dumps(model._network.get_state()) != first_state


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_warm_start_on_the_same_x_val_keeps_the_best(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    model = Estimator(**{**SMALL, "max_iter": 30}, warm_start=True)
    model.fit(X, y, X_val=X_val, y_val=y_val)
    n_first, first_best = model.n_iter_, model.best_validation_score_
    first_state = pickle.dumps(model._network.get_state())
    # Trained on other targets, it scores lower on the same X_val: the first
    # fit's best is kept, with its weights.
    model.set_params(max_iter=3).fit(X, _other_targets(Estimator, y), X_val=X_val.copy(),
                                     y_val=y_val)
    assert max(model.validation_scores_[n_first:]) <= first_best  # never better
    assert model.best_validation_score_ == first_best
    assert pickle.dumps(model._network.get_state()) == first_state


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_x_val_is_transformed_and_routed_by_a_pipeline_as_hgbts(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    assert set(Estimator().get_metadata_routing().fit.requests) == set(
        HGBT[Estimator]().get_metadata_routing().fit.requests)
    drop_city = FunctionTransformer(lambda table: table.drop(columns="city"))
    weights = np.linspace(0.5, 1.5, len(y_val))
    with sklearn.config_context(enable_metadata_routing=True):
        model = Estimator(**SMALL).set_fit_request(X_val=True, y_val=True,
                                                   sample_weight_val=True)
        pipe = Pipeline([("drop", drop_city), ("model", model)], transform_input=["X_val"])
        pipe.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights)
        untransformed = Pipeline([("drop", drop_city), ("model", model)])
        with pytest.raises(ValueError, match="Feature names unseen at fit time"):
            untransformed.fit(X, y, X_val=X_val, y_val=y_val)
    assert pipe.score(X_val, y_val, sample_weight=weights) == pytest.approx(
        pipe[-1].best_validation_score_, rel=1e-6)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_restarts_share_the_x_val(Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    model = Estimator(**SMALL, n_init=2).fit(X, y, X_val=X_val, y_val=y_val)
    assert model.best_validation_score_ == max(model.restart_scores_)
    assert model.score(X_val, y_val) == pytest.approx(model.best_validation_score_, rel=1e-6)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_fit_on_x_val_resumes_from_its_checkpoint_and_another_x_val_is_another_fit(
        tmp_path, Estimator):
    X, y, X_val, y_val = _parts(Estimator)
    reference = Estimator(**SMALL).fit(X, y, X_val=X_val, y_val=y_val)
    _checkpointed(Estimator, tmp_path, _Epochs(stop=2)).fit(X, y, X_val=X_val, y_val=y_val)
    epochs = _Epochs()
    other = _checkpointed(Estimator, tmp_path, epochs).fit(
        X, y, X_val=X_val[:50], y_val=y_val[:50])
    assert epochs.seen == list(range(1, SMALL["max_iter"] + 1))  # trained from the start
    assert other.validation_scores_ != reference.validation_scores_
    epochs = _Epochs()
    resumed = _checkpointed(Estimator, tmp_path, epochs).fit(X, y, X_val=X_val, y_val=y_val)
    assert epochs.seen == list(range(3, SMALL["max_iter"] + 1))  # went on after epoch 2
    assert resumed.validation_scores_ == reference.validation_scores_
    np.testing.assert_array_equal(resumed.predict(X_val), reference.predict(X_val))
