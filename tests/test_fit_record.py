"""A fit commits its training record only on success, and callbacks see it.

A warm start that fails at any point (a callback's error, divergence)
leaves the curves and counters as they were; ``partial_fit`` with restarts
trains one pass; a display reads the curves of the solver that produced
the weights; every callback task that is begun is ended, whatever stops
training; and the estimator a callback receives is a snapshot of its
moment, independent of the training that goes on.
"""

import pickle
import warnings
from collections import Counter

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier, MLPRegressor, TrainingCurveDisplay

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)
X_diabetes, y_diabetes = load_diabetes(return_X_y=True)


def _quiet(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


class Tasks:
    """A callback (sklearn.callback's protocol) counting begun and ended tasks.

    It can raise ``error`` at the end of epoch ``fail_at``, ask to stop at
    epoch ``stop_at``, and keep the fitted estimator of each epoch.
    """

    def __init__(self, fail_at=None, error=RuntimeError, stop_at=None):
        self.begun, self.ended, self.epochs = Counter(), Counter(), []
        self.fail_at, self.error, self.stop_at = fail_at, error, stop_at

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        self.begun[context.task_name] += 1

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ended[context.task_name] += 1
        if context.task_name != "epoch":
            return False
        self.epochs.append(fitted_estimator)
        if self.ended["epoch"] == self.fail_at:
            raise self.error("from the callback")
        return self.ended["epoch"] == self.stop_at

    def teardown(self, estimator, context):
        pass


def _fitted_state(estimator):
    return (
        list(estimator.loss_curve_),
        estimator.n_iter_,
        estimator.t_,
        estimator.loss_,
        estimator.best_loss_,
        estimator._network.params.copy(),
    )


def _assert_same_state(before, after):
    assert after[:5] == before[:5]
    np.testing.assert_array_equal(after[5], before[5])


def test_a_warm_start_failing_in_epoch_3_leaves_the_curves_as_they_were():
    # Before the record: loss_curve_ kept 8 entries for n_iter_=5.
    clf = _quiet(MLPClassifier((5,), max_iter=5, warm_start=True, random_state=0),
                 X_iris, y_iris)
    before, proba = _fitted_state(clf), clf.predict_proba(X_iris)
    with pytest.raises(RuntimeError, match="from the callback"):
        clf.set_callbacks(Tasks(fail_at=3)).fit(X_iris, y_iris)
    _assert_same_state(before, _fitted_state(clf))
    assert len(clf.loss_curve_) == clf.n_iter_ == 5
    np.testing.assert_array_equal(clf.predict_proba(X_iris), proba)


def test_a_warm_start_that_diverges_leaves_the_curves_as_they_were():
    # Before the record: loss_curve_ kept 6 entries for n_iter_=3.
    reg = _quiet(MLPRegressor((5,), solver="sgd", max_iter=3, warm_start=True,
                              random_state=0), X_diabetes, y_diabetes)
    before = _fitted_state(reg)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        reg.set_params(learning_rate_init=1e10).fit(X_diabetes, y_diabetes)
    _assert_same_state(before, _fitted_state(reg))
    assert len(reg.loss_curve_) == reg.n_iter_ == 3


def test_the_first_partial_fit_with_restarts_trains_one_pass():
    # Before: each restart trained max_iter epochs (n_iter_=50, t_=7500).
    clf = MLPClassifier((5,), n_init=3, max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no max_iter warning for one pass
        clf.partial_fit(X_iris, y_iris, classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and clf.t_ == len(X_iris) and len(clf.loss_curve_) == 1
    assert clf.restart_scores_.shape == (3,)


def test_a_display_refuses_the_curves_of_an_earlier_solver():
    pytest.importorskip("matplotlib")
    clf = _quiet(MLPClassifier((5,), max_iter=20, warm_start=True, random_state=0),
                 X_iris, y_iris)
    TrainingCurveDisplay.from_estimator(clf)
    _quiet(clf.set_params(solver="lbfgs"), X_iris, y_iris)
    # The Adam curve is kept as scikit-learn keeps it, but is not plotted
    # as the curve of weights that L-BFGS produced.
    assert len(clf.loss_curve_) == 20
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        TrainingCurveDisplay.from_estimator(clf)
    _quiet(clf.set_params(solver="adam", max_iter=2), X_iris, y_iris)
    TrainingCurveDisplay.from_estimator(clf)


STOPS = {
    "converged": dict(params=dict(tol=1e9, n_iter_no_change=2)),
    "max_iter": dict(params=dict(max_iter=4), warns=ConvergenceWarning),
    "callback_stop": dict(callback=dict(stop_at=2)),
    "interrupt": dict(callback=dict(fail_at=2, error=KeyboardInterrupt), warns=UserWarning),
    "error": dict(callback=dict(fail_at=2), raises=RuntimeError),
    "divergence": dict(params=dict(solver="sgd", learning_rate_init=1e10), raises=ValueError),
    # Diverges in epoch 3, after validated epochs: their best is kept.
    "divergence_with_validation": dict(
        params=dict(solver="sgd", learning_rate_init=1e10, early_stopping=True),
        warns=ConvergenceWarning),
}


@pytest.mark.parametrize("n_init", [1, 2])
@pytest.mark.parametrize("stop", STOPS)
def test_every_begun_callback_task_is_ended(stop, n_init):
    # Before: on divergence an epoch task was begun and never ended.
    case = STOPS[stop]
    tasks = Tasks(**case.get("callback", {}))
    params = dict(dict(hidden_layer_sizes=(5,), max_iter=30, random_state=0), **case.get("params", {}))
    reg = MLPRegressor(n_init=n_init, **params).set_callbacks(tasks)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if "raises" in case:
            with pytest.raises(case["raises"]):
                reg.fit(X_diabetes, y_diabetes)
        else:
            reg.fit(X_diabetes, y_diabetes)
    if "warns" in case:
        assert any(isinstance(w.message, case["warns"]) for w in caught)
    assert tasks.begun == tasks.ended
    assert tasks.begun["fit"] == 1 and tasks.begun["epoch"] >= 1
    # A failing restart is the last one begun.
    restarts = n_init if n_init > 1 and "raises" not in case else min(n_init - 1, 1)
    assert tasks.begun["restart"] == restarts


def test_a_callback_keeps_independent_snapshots_of_each_epoch():
    # Before: every kept estimator shared the running network and predicted
    # like the final model.
    tasks = Tasks()
    params = dict(hidden_layer_sizes=(5,), max_iter=6, n_iter_no_change=np.inf, random_state=0)
    clf = _quiet(MLPClassifier(**params).set_callbacks(tasks), X_iris, y_iris)
    second = tasks.epochs[1]
    assert second.n_iter_ == 2 and len(second.loss_curve_) == 2
    two_epochs = _quiet(MLPClassifier(**dict(params, max_iter=2)), X_iris, y_iris)
    np.testing.assert_array_equal(second.predict_proba(X_iris), two_epochs.predict_proba(X_iris))
    assert not np.allclose(second.predict_proba(X_iris), clf.predict_proba(X_iris))
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(second)).predict_proba(X_iris), second.predict_proba(X_iris)
    )


def _fitted_names(estimator):
    return {
        name for name in dir(estimator)
        if name.endswith("_") and not name.startswith("_") and hasattr(estimator, name)
    }


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_with_defaults_the_fitted_attributes_are_scikit_learns(estimator):
    # Before: restart_scores_, validation_loss_curve_ and the normalisation
    # attributes existed without their options.
    from sklearn import neural_network

    ours, theirs = {
        "classifier": (MLPClassifier, neural_network.MLPClassifier),
        "regressor": (MLPRegressor, neural_network.MLPRegressor),
    }[estimator]
    X, y = (X_iris, y_iris) if estimator == "classifier" else (X_diabetes, y_diabetes)
    for params in [dict(), dict(solver="lbfgs"), dict(early_stopping=True)]:
        params = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0, **params)
        extra = {"validation_loss_curve_"} if params.get("early_stopping") else set()
        assert _fitted_names(_quiet(ours(**params), X, y)) == (
            _fitted_names(_quiet(theirs(**params), X, y)) | extra
        )


def test_skmlps_own_attributes_come_and_go_with_their_options():
    params = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    clf = _quiet(MLPClassifier(n_init=2, early_stopping=True, normalization="layer", **params),
                 X_iris, y_iris)
    own = {"restart_scores_", "validation_loss_curve_", "normalization_scales_",
           "normalization_offsets_"}
    assert own <= _fitted_names(clf) and not hasattr(clf, "running_means_")
    _quiet(clf.set_params(normalization="batch"), X_iris, y_iris)
    assert {"running_means_", "running_vars_"} <= _fitted_names(clf)
    _quiet(clf.set_params(n_init=1, early_stopping=False, normalization=None), X_iris, y_iris)
    assert not own & _fitted_names(clf)
    # A warm start that stops validating drops the validation loss curve.
    _quiet(clf.set_params(early_stopping=True, warm_start=True), X_iris, y_iris)
    assert hasattr(clf, "validation_loss_curve_")
    _quiet(clf.set_params(early_stopping=False), X_iris, y_iris)
    assert not hasattr(clf, "validation_loss_curve_") and clf.validation_scores_ is None
    with pytest.raises(AttributeError, match="only with normalization='batch'"):
        clf.running_vars_


OPTION_SETS = {
    "default": dict(),
    "early_stopping": dict(early_stopping=True, scoring="r2"),
    "dropout_batch_norm": dict(dropout=0.2, normalization="batch"),
    "sgd_restarts": dict(solver="sgd", n_init=2),
}


@pytest.mark.parametrize("failure", ["callback_error", "divergence"])
@pytest.mark.parametrize("options", OPTION_SETS)
def test_a_failed_warm_fit_leaves_every_fitted_attribute_and_prediction(options, failure):
    import copy

    # A regressor: the squared error of the diabetes target diverges to inf.
    reg = _quiet(MLPRegressor((6,), max_iter=4, warm_start=True, random_state=0,
                              **OPTION_SETS[options]), X_diabetes, y_diabetes)
    names = _fitted_names(reg)
    before = {name: copy.deepcopy(getattr(reg, name)) for name in names}
    predicted = reg.predict(X_diabetes)
    if failure == "callback_error":
        reg.set_callbacks(Tasks(fail_at=2))
        expected = RuntimeError
    else:
        reg.set_params(solver="sgd", learning_rate_init=1e12, early_stopping=False)
        expected = ValueError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(expected):
            reg.fit(X_diabetes, y_diabetes)
    assert _fitted_names(reg) == names
    for name in names:
        np.testing.assert_equal(getattr(reg, name), before[name], err_msg=name)
    np.testing.assert_array_equal(reg.predict(X_diabetes), predicted)
