"""How the tabular estimators train: on which rows, with which weights, continued or restarted."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.callback import FitCallback
from sklearn.model_selection import train_test_split

from skmlp import TabularMLPClassifier, TabularMLPRegressor

SMALL = dict(hidden_layer_sizes=(16,), max_iter=6, random_state=0)
ESTIMATORS = [TabularMLPClassifier, TabularMLPRegressor]


def _table(n=300, seed=0):
    """Two numeric columns (one with missing values), a 3-level and a 20-level categorical."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(rng.randn(n, 2) * [1.0, 1000.0], columns=["x", "z"])
    X["colour"] = pd.Categorical.from_codes(rng.randint(3, size=n), ["red", "green", "blue"])
    X["city"] = pd.Categorical.from_codes(rng.randint(20, size=n), [f"c{i}" for i in range(20)])
    X.loc[::9, "x"] = np.nan
    return X


def _target(Estimator, X):
    if Estimator is TabularMLPClassifier:
        return np.where(X["x"].fillna(0) + (X["colour"] == "red") > 0.5, "yes", "no")
    return X["z"].to_numpy() / 1000.0 + 2.0 * (X["colour"] == "red").to_numpy()


def _validation_rows(y, classifier, fraction=0.2, seed=0):
    """The rows a fit with ``random_state=seed`` sets aside: its generator's first draw."""
    _, rows = train_test_split(
        np.arange(len(y)), test_size=fraction, random_state=np.random.RandomState(seed),
        stratify=y if classifier else None,
    )
    return rows


def _statistics(preprocessor):
    """The fitted statistics of a TabularPreprocessor: scaling and categories."""
    fitted = preprocessor.column_transformer_.named_transformers_
    scaler = fitted["numeric"][0]
    return [scaler.center_, scaler.scale_, *fitted["one_hot"][-2].categories_,
            *fitted["codes"][-2].categories_]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_the_validation_rows_change_nothing_fitted_before_training(Estimator):
    X = _table(n=1000)  # early_stopping='auto' sets 200 rows aside
    y = _target(Estimator, X)
    rows = _validation_rows(y, Estimator is TabularMLPClassifier)
    changed = X.copy()
    changed.loc[rows, "x"] *= 1e3
    changed.loc[rows, "z"] += 1e5
    changed["city"] = changed["city"].cat.add_categories(["elsewhere"])
    changed.loc[rows, "city"] = "elsewhere"
    y_changed = y.copy()
    if Estimator is TabularMLPRegressor:
        y_changed[rows] *= 100.0
    model = Estimator(**SMALL).fit(X, y)
    other = Estimator(**SMALL).fit(changed, y_changed)
    for fitted, refitted in zip(_statistics(model.preprocessor_),
                                _statistics(other.preprocessor_), strict=True):
        np.testing.assert_array_equal(fitted, refitted)
    # Initialised, standardised and trained alike: only the validation differs.
    assert model.loss_curve_ == other.loss_curve_
    assert model.validation_scores_ != other.validation_scores_
    if Estimator is TabularMLPRegressor:
        assert (model._y_mean, model._y_scale) == (other._y_mean, other._y_scale)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_weight_weighs_the_loss_and_its_scale_does_not_matter(Estimator):
    X = _table()
    y = _target(Estimator, X)
    plain = Estimator(**SMALL).fit(X, y)
    # The loss is the weighted mean: weights of 3 everywhere train as none do.
    tripled = Estimator(**SMALL).fit(X, y, sample_weight=np.full(len(X), 3.0))
    np.testing.assert_allclose(tripled.loss_curve_, plain.loss_curve_, rtol=1e-5)
    weights = np.where(np.arange(len(X)) % 2 == 0, 1.0, 0.0)
    halved = Estimator(**SMALL).fit(X, y, sample_weight=weights)
    assert not np.allclose(halved.loss_curve_, plain.loss_curve_, rtol=1e-3)


def test_sample_weight_moves_the_classifier_towards_the_heavy_class():
    X = _table()
    y = _target(TabularMLPClassifier, X)
    heavy_no = np.where(y == "no", 20.0, 1.0)
    plain = TabularMLPClassifier(**SMALL).fit(X, y).predict(X)
    weighted = TabularMLPClassifier(**SMALL).fit(X, y, sample_weight=heavy_no).predict(X)
    assert (weighted == "no").sum() > (plain == "no").sum()


def test_sample_weight_weighs_the_validation_score_and_keeps_weight_on_both_sides():
    X = _table(n=1000)
    y = _target(TabularMLPRegressor, X)
    rows = _validation_rows(y, classifier=False)
    weights = np.ones(len(X))
    weights[rows[:100]] = 0.0
    plain = TabularMLPRegressor(**SMALL).fit(X, y)
    weighted = TabularMLPRegressor(**SMALL).fit(X, y, sample_weight=weights)
    # The training rows weigh 1 (a weighted mean rounds in other bits).
    np.testing.assert_allclose(weighted.loss_curve_, plain.loss_curve_, rtol=1e-5)
    assert not np.allclose(weighted.validation_scores_, plain.validation_scores_, rtol=1e-4)
    weights[rows] = 0.0
    with pytest.raises(ValueError, match="validation part of the early-stopping split"):
        TabularMLPRegressor(**SMALL).fit(X, y, sample_weight=weights)


def test_bad_sample_weight_is_refused_clearly():
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = _table()
    y = _target(TabularMLPRegressor, X)
    for model in (HistGradientBoostingRegressor(), TabularMLPRegressor(**SMALL)):
        with pytest.raises(ValueError, match=r"sample_weight.shape == \(5,\), expected \(300,\)"):
            model.fit(X, y, sample_weight=np.ones(5))
    # HGBT takes negative weights; a weighted mean of the loss cannot.
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        TabularMLPRegressor(**SMALL).fit(X, y, sample_weight=-np.ones(300))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_weight_is_routed_by_pipeline_and_cross_validate(Estimator):
    from sklearn import config_context
    from sklearn.model_selection import KFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X = _table()
    y = _target(Estimator, X)
    weights = np.random.RandomState(1).uniform(0.0, 2.0, len(X))
    direct = Estimator(**SMALL).fit(X, y, sample_weight=weights).predict(X)
    with config_context(enable_metadata_routing=True):
        model = Estimator(**SMALL).set_fit_request(sample_weight=True)
        piped = make_pipeline(FunctionTransformer(), model).fit(X, y, sample_weight=weights)
        np.testing.assert_array_equal(piped.predict(X), direct)
        cv = KFold(2)
        model.set_score_request(sample_weight=False)  # as any estimator with a score
        routed = cross_validate(model, X, y, cv=cv, params={"sample_weight": weights},
                                return_estimator=True)
    train = next(cv.split(X))[0]
    first = Estimator(**SMALL).fit(X.iloc[train], y[train], sample_weight=weights[train])
    np.testing.assert_array_equal(routed["estimator"][0].predict(X), first.predict(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_warm_start_continues_the_fitted_network_and_keeps_its_preprocessing(Estimator):
    X = _table()
    y = _target(Estimator, X)
    model = Estimator(**SMALL).fit(X, y)
    before = model.predict(X)
    statistics = _statistics(model.preprocessor_)
    # Other rows, other statistics: the preprocessing of the first fit stays.
    X_new = _table(seed=1)
    X_new["z"] *= 10.0
    y_new = _target(Estimator, _table(seed=1))
    model.set_params(warm_start=True, max_iter=1, learning_rate_init=1e-9).fit(X_new, y_new)
    for fitted, kept in zip(statistics, _statistics(model.preprocessor_), strict=True):
        np.testing.assert_array_equal(fitted, kept)
    # One step at a rate of 1e-9 from the fitted weights: the same predictions.
    if Estimator is TabularMLPClassifier:
        np.testing.assert_array_equal(model.predict(X), before)
    else:
        np.testing.assert_allclose(model.predict(X), before, rtol=1e-5)
    assert len(model.loss_curve_) == SMALL["max_iter"] + 1  # the record goes on
    anew = Estimator(**{**SMALL, "max_iter": 1, "learning_rate_init": 1e-9}).fit(X_new, y_new)
    assert not np.array_equal(anew.predict(X), before)


def test_warm_started_fits_go_on_learning():
    X = _table()
    y = _target(TabularMLPRegressor, X)
    model = TabularMLPRegressor(**SMALL).fit(X, y)
    first = model.loss_curve_[-1]
    model.set_params(warm_start=True).fit(X, y)
    assert model.loss_curve_[SMALL["max_iter"]] < 0.5 * model.loss_curve_[0]
    assert model.loss_curve_[-1] < first
    assert (model._y_mean, model._y_scale) == pytest.approx((np.mean(y), np.std(y)))


@pytest.mark.parametrize("change, message", [
    (lambda X, y: (X.drop(columns="z"), y), r"fitted on 4 columns \['x', 'z', 'colour', 'city'\]"),
    (lambda X, y: (X.rename(columns={"z": "Z"}), y), "X has 4 columns"),
    (lambda X, y: (X.assign(colour=X["colour"].cat.codes), y), r"columns \['colour'\] are"),
    (lambda X, y: (X, np.where(y == "yes", "maybe", y)), "the same classes"),
])
def test_a_warm_start_refuses_other_columns_or_classes_and_changes_nothing(change, message):
    X = _table()
    y = _target(TabularMLPClassifier, X)
    model = TabularMLPClassifier(**SMALL).fit(X, y)
    before = model.predict_proba(X)
    with pytest.raises(ValueError, match=message):
        model.set_params(warm_start=True).fit(*change(X, y))
    np.testing.assert_array_equal(model.predict_proba(X), before)


@pytest.mark.parametrize("param, value", [
    ("hidden_layer_sizes", (8,)), ("activation", "relu"), ("dropout", 0.0),
    ("periodic_embeddings", False), ("feature_scaling", False), ("robust_scaling", False),
    ("ntk_parametrization", False), ("parametric_activation", False),
    ("max_one_hot_categories", None),
])
def test_a_warm_start_refuses_another_network_naming_the_parameter(param, value):
    X = _table()
    y = _target(TabularMLPRegressor, X)
    model = TabularMLPRegressor(**SMALL).fit(X, y)
    model.set_params(warm_start=True, **{param: value})
    with pytest.raises(ValueError, match=f"built with {param}=.*got {param}="):
        model.fit(X, y)
    model.set_params(warm_start=False).fit(X, y)  # a new fit takes it


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("n_rows", [300, 1000])
def test_n_init_trains_restarts_and_keeps_the_best(Estimator, n_rows):
    X = _table(n=n_rows)
    y = _target(Estimator, X)
    model = Estimator(**SMALL, n_init=3).fit(X, y)
    scores = model.restart_scores_
    assert len(scores) == 3 and len(set(scores)) == 3  # each restart its own network
    if n_rows >= 1000:  # early stopping: the best validation score
        assert model.best_validation_score_ == max(scores)
    else:
        assert model.loss_ == min(scores)
    again = Estimator(**SMALL, n_init=3).fit(X, y)
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    np.testing.assert_array_equal(again.restart_scores_, scores)
    single = Estimator(**SMALL).fit(X, y)
    assert not hasattr(single, "restart_scores_")
    model.set_params(warm_start=True).fit(X, y)  # one network continued
    assert len(model.restart_scores_) == 1


class _Epochs(FitCallback):  # the protocol's other hooks do nothing
    """A callback that records the epochs it sees end, and stops training after ``stop``."""

    def __init__(self, stop=None):
        self.stop, self.seen = stop, []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        self.seen.append(fitted_estimator.n_iter_)
        return fitted_estimator.n_iter_ == self.stop


def _checkpointed(Estimator, folder, *callbacks, **params):
    from skmlp.callback import Checkpoint

    return Estimator(**{**SMALL, **params}).set_callbacks(Checkpoint(folder), *callbacks)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("n_rows", [300, 1000])  # without and with early stopping
def test_a_stopped_fit_resumes_from_its_checkpoint_bit_for_bit(tmp_path, Estimator, n_rows):
    X = _table(n=n_rows)
    y = _target(Estimator, X)
    reference = Estimator(**SMALL).fit(X, y)
    stopped = _checkpointed(Estimator, tmp_path, _Epochs(stop=2)).fit(X, y)
    assert stopped.n_iter_ == 2 and len(list(tmp_path.glob("*.ckpt"))) == 1
    epochs = _Epochs()
    resumed = _checkpointed(Estimator, tmp_path, epochs).fit(X, y)
    assert epochs.seen == list(range(3, SMALL["max_iter"] + 1))  # went on after epoch 2
    assert resumed.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(resumed.predict(X), reference.predict(X))
    assert list(tmp_path.glob("*.ckpt")) == []  # the fit reached its end


@pytest.mark.parametrize("change", ["training rows", "periodic_embeddings"])
def test_a_checkpoint_names_the_tables_statistics_and_the_tabular_parameters(tmp_path, change):
    X = _table()
    y = _target(TabularMLPRegressor, X)
    _checkpointed(TabularMLPRegressor, tmp_path, _Epochs(stop=2)).fit(X, y)
    params = {}
    if change == "training rows":  # other statistics, other inputs: another fit
        X = X.copy()
        X.loc[:20, "z"] += 5000.0  # (z * 2 would be the same fit: scaling undoes it)
    else:
        params = {"periodic_embeddings": False}
    epochs = _Epochs()
    other = _checkpointed(TabularMLPRegressor, tmp_path, epochs, **params).fit(X, y)
    assert epochs.seen == list(range(1, SMALL["max_iter"] + 1))  # trained from the start
    assert other.loss_curve_ == TabularMLPRegressor(**SMALL, **params).fit(X, y).loss_curve_
    assert len(list(tmp_path.glob("*.ckpt"))) == 1  # the stopped fit's, still there


@pytest.mark.parametrize("params, message", [
    ({"n_init": 2}, "Checkpoint needs n_init=1"),
    ({"random_state": None}, "Checkpoint needs an int random_state"),
])
def test_a_checkpoint_refuses_fits_that_cannot_resume_exactly(tmp_path, params, message):
    X = _table()
    with pytest.raises(ValueError, match=message):
        _checkpointed(TabularMLPClassifier, tmp_path, **params).fit(X, _target(
            TabularMLPClassifier, X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_batch_size_auto_takes_the_training_rows_of_an_early_stopped_fit(Estimator):
    # 300 rows, 60 set aside: 'auto' is min(256, 240), not min(256, 300),
    # which the training rows cannot fill (scikit-learn's warning).
    X = _table(n=300)
    y = _target(Estimator, X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        auto = Estimator(**SMALL, early_stopping=True).fit(X, y)
    explicit = Estimator(**SMALL, early_stopping=True, batch_size=240).fit(X, y)
    assert auto.loss_curve_ == explicit.loss_curve_


def test_a_split_part_without_weight_is_refused_with_advice_fit_can_follow():
    X = _table(n=1000)
    y = _target(TabularMLPRegressor, X)
    weights = np.ones(len(X))
    rows = _validation_rows(y, classifier=False)
    weights[rows] = 0.0
    with pytest.raises(ValueError, match="validation part of the early-stopping split") as error:
        TabularMLPRegressor(**SMALL).fit(X, y, sample_weight=weights)
    assert str(error.value).endswith(
        "change validation_fraction or random_state, or pass X_val, y_val and "
        "sample_weight_val.")
    train = np.setdiff1d(np.arange(len(X)), rows)
    TabularMLPRegressor(**SMALL).fit(  # the advice, followed
        X.iloc[train], y[train], sample_weight=weights[train], X_val=X.iloc[rows],
        y_val=y[rows], sample_weight_val=np.ones(len(rows)))


def test_a_warm_start_after_a_constant_target_learns_the_new_one():
    # The constant fit predicts its value (scale 0); continued on varying
    # targets, the network must show in the predictions, as HGBT's trees do.
    X = _table()
    y = _target(TabularMLPRegressor, X)
    # The network must move its output from 5 to y's mean (0.7, in units of 1):
    # at the default peak rate 0.005 that takes more than 20 epochs (R^2 -2.1
    # after 20, 0.49 after 40, 0.75 after 80; a new fit: 0.87 after 20).
    model = TabularMLPRegressor(**{**SMALL, "max_iter": 80}, warm_start=True)
    np.testing.assert_array_equal(model.fit(X, np.full(len(X), 5.0)).predict(X), 5.0)
    assert model.fit(X, y).score(X, y) > 0.3  # it was the constant 5 whatever the epochs


@pytest.mark.parametrize("bad", [np.inf, "oops"])
def test_a_bad_value_is_named_by_its_row_of_x_when_rows_are_set_aside(bad):
    # From 1000 rows the preprocessing is fitted on the training rows; the
    # row an error names must still be the user's row of X.
    X = _table(n=1000)
    y = _target(TabularMLPClassifier, X)
    rows = np.setdiff1d(np.arange(len(X)), _validation_rows(y, classifier=True))
    X["x"] = X["x"].astype(object)
    X.loc[rows[500], "x"] = bad  # a training row, the 501st of them
    with pytest.raises(ValueError, match=f"Numeric column 'x' holds .* in row {rows[500]}\\b"):
        TabularMLPClassifier(**SMALL).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_and_predict_choose_blas_threads_as_the_mlps(monkeypatch, Estimator):
    # Without the choice a default fit on 3,000 rows ran 3.5x slower on a busy 2-core machine.
    from skmlp import _threads

    calls = []
    monkeypatch.setattr(
        _threads, "blas_threads_for", lambda n_rows, widest: calls.append((n_rows, widest))
        or _threads.contextlib.nullcontext()
    )
    X = _table().drop(columns="city")  # no embedding: the first layer takes the columns
    y = _target(Estimator, X)
    model = Estimator(hidden_layer_sizes=(32,), batch_size=64, max_iter=1,
                      periodic_embeddings=False, random_state=0).fit(X, y)
    model.predict(X)  # 300 rows x 295 parameters: single-threaded in OpenBLAS, not looked up
    model.predict(pd.concat([X] * 10))
    n_inputs = len(model.preprocessor_.get_feature_names_out())
    # fit: a mini-batch through the widest layer; predict: every row through it.
    assert calls == [(64, n_inputs * 32), (3000, n_inputs * 32)]
