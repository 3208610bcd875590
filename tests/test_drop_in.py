"""scikit-learn's own code paths give the same results after the import swap.

Each test runs a piece of scikit-learn (a meta-estimator, an inspection
tool, a display, the model-selection loop) twice, once with
``sklearn.neural_network``'s estimator and once with skmlp's, on a small real
data set, and asserts equal outputs. These are the places where a method or
behaviour skmlp adds would leak into code that never asked for it (issue 12).
"""

import linecache
import re
import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay, partial_dependence, permutation_importance
from sklearn.model_selection import TunedThresholdClassifierCV, cross_validate, train_test_split
from sklearn.multiclass import OneVsOneClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp

BOTH = pytest.mark.parametrize("module", [sk, skmlp], ids=["sklearn", "skmlp"])
RTOL = dict(rtol=1e-9, atol=1e-12)


def _quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


def _same(run):
    """``run(module)`` for scikit-learn's and skmlp's estimators: both results."""
    return _quiet(run, sk), _quiet(run, skmlp)


def _assert_same(theirs, ours):
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], **RTOL, err_msg=key)


def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, random_state=0)


def _scaled(X):
    return StandardScaler().fit_transform(X)


X_iris, y_iris = load_iris(return_X_y=True)
X_iris = _scaled(X_iris)
X_wine, y_wine = load_wine(return_X_y=True)
X_wine = _scaled(X_wine)


# --------------------------------------------------------------------------- #
# Tools that dispatch on decision_function (issue 12, item 1)
# --------------------------------------------------------------------------- #
@BOTH
def test_no_decision_function_by_default(module):
    clf = _quiet(module.MLPClassifier((4,), max_iter=5, random_state=0).fit, X_iris, y_iris)
    assert not hasattr(clf, "decision_function")
    assert clf.loss == "log_loss"  # scikit-learn's attribute, not a parameter


def test_calibrated_classifier_on_breast_cancer():
    X_train, X_test, y_train, _ = _breast_cancer()

    def run(module):
        mlp = module.MLPClassifier((16,), max_iter=300, random_state=0)
        model = CalibratedClassifierCV(make_pipeline(StandardScaler(), mlp), cv=3)
        return model.fit(X_train, y_train).predict_proba(X_test)

    theirs, ours = _same(run)
    np.testing.assert_allclose(ours, theirs, **RTOL)


def test_calibrated_classifier_on_three_classes():
    def run(module):
        mlp = module.MLPClassifier((8,), max_iter=100, random_state=0)
        return CalibratedClassifierCV(mlp, cv=3).fit(X_wine, y_wine).predict_proba(X_wine)

    theirs, ours = _same(run)
    np.testing.assert_allclose(ours, theirs, **RTOL)


def test_one_vs_one_classifier():
    def run(module):
        mlp = module.MLPClassifier((8,), max_iter=100, random_state=0)
        ovo = OneVsOneClassifier(mlp).fit(X_wine, y_wine)
        return {"predict": ovo.predict(X_wine), "decision": ovo.decision_function(X_wine)}

    _assert_same(*_same(run))


def test_tuned_threshold_classifier():
    X_train, X_test, y_train, _ = _breast_cancer()

    def run(module):
        mlp = make_pipeline(StandardScaler(), module.MLPClassifier((8,), max_iter=50, random_state=0))
        tuned = TunedThresholdClassifierCV(mlp, scoring="balanced_accuracy", cv=3)
        tuned.fit(X_train, y_train)
        return {"threshold": tuned.best_threshold_, "predict": tuned.predict(X_test)}

    _assert_same(*_same(run))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_decision_boundary_display_auto(n_classes):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if n_classes == 2:
        X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    else:
        X, y = X_iris[:, :2], y_iris

    def run(module):
        clf = module.MLPClassifier((10,), max_iter=200, random_state=0).fit(X, y)
        display = DecisionBoundaryDisplay.from_estimator(clf, X, response_method="auto")
        plt.close(display.figure_)
        return {"response": display.response}

    _assert_same(*_same(run))


# --------------------------------------------------------------------------- #
# Inspection and model selection
# --------------------------------------------------------------------------- #
def test_partial_dependence():
    def run(module):
        reg = module.MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50, random_state=0)
        reg.fit(X_wine[:, 1:], X_wine[:, 0])
        one = partial_dependence(reg, X_wine[:, 1:], features=[0], kind="average")
        two = partial_dependence(reg, X_wine[:, 1:], features=[(1, 2)], kind="average")
        clf = module.MLPClassifier((8,), max_iter=50, random_state=0).fit(X_iris, y_iris)
        by_class = partial_dependence(clf, X_iris, features=[2], response_method="auto")
        return {"one": one["average"], "two": two["average"], "classes": by_class["average"]}

    _assert_same(*_same(run))


def test_permutation_importance():
    def run(module):
        clf = module.MLPClassifier((8,), max_iter=100, random_state=0).fit(X_wine, y_wine)
        result = permutation_importance(
            clf, X_wine, y_wine, scoring=["accuracy", "neg_log_loss", "roc_auc_ovr"],
            n_repeats=3, random_state=0,
        )
        return {name: result[name].importances for name in result}

    _assert_same(*_same(run))


def test_cross_validate_with_several_scorers():
    X_train, _, y_train, _ = _breast_cancer()
    scoring = ["accuracy", "roc_auc", "neg_log_loss", "average_precision", "neg_brier_score"]

    def run(module):
        mlp = make_pipeline(StandardScaler(), module.MLPClassifier((8,), max_iter=50, random_state=0))
        result = cross_validate(mlp, X_train, y_train, cv=3, scoring=scoring)
        return {f"test_{name}": result[f"test_{name}"] for name in scoring}

    _assert_same(*_same(run))


# --------------------------------------------------------------------------- #
# Fits as seen from outside
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_multi_output_regression(solver):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    Y = np.tanh(X @ rng.normal(size=(5, 3))) + 0.1 * rng.normal(size=(300, 3))

    def run(module):
        reg = module.MLPRegressor(hidden_layer_sizes=(20,), solver=solver, max_iter=500, random_state=0).fit(X, Y)
        return {"n_iter": reg.n_iter_, "loss_curve": reg.loss_curve_, "predict": reg.predict(X)}

    _assert_same(*_same(run))


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam", early_stopping=True, n_iter_no_change=3),
        dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=2, tol=0.1),
    ],
    ids=["adam-early-stopping", "sgd-adaptive"],
)
def test_verbose_output(params, capsys):
    outputs = []
    for module in (sk, skmlp):
        clf = module.MLPClassifier((8,), max_iter=40, random_state=0, verbose=True, **params)
        _quiet(clf.fit, X_iris, y_iris)
        outputs.append(capsys.readouterr().out)
    assert "Iteration 1, loss" in outputs[0]
    assert outputs[1] == outputs[0]


@pytest.mark.parametrize(
    "Estimator, params",
    [
        ("MLPClassifier", dict(solver="adam", max_iter=3)),
        ("MLPClassifier", dict(solver="lbfgs", max_iter=3)),
        ("MLPRegressor", dict(solver="sgd", max_iter=3)),
        ("MLPRegressor", dict(solver="lbfgs", max_iter=3)),
        ("MLPClassifier", dict(solver="sgd", learning_rate_init=1e6, max_iter=20)),
    ],
)
def test_warnings_have_the_same_categories(Estimator, params):
    y = y_iris if Estimator == "MLPClassifier" else X_iris[:, 0]
    caught = []
    for module in (sk, skmlp):
        estimator = getattr(module, Estimator)(hidden_layer_sizes=(8,), random_state=0, **params)
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            try:
                estimator.fit(X_iris, y)
            except ValueError as exc:
                records.append(type(exc))
        caught.append([getattr(r, "category", r) for r in records])
    assert caught[1] == caught[0]


@pytest.mark.parametrize(
    "filtered, params",
    [
        (ConvergenceWarning, dict(max_iter=3)),
        (UserWarning, dict(max_iter=3, batch_size=1000)),  # batch_size is clipped
    ],
)
def test_warnings_filtered_by_module_as_scikit_learns_gallery_does(filtered, params):
    # The gallery's plot_mlp_training_curves.py silences its fits with
    # filterwarnings("ignore", category=ConvergenceWarning, module="sklearn").
    shown = []
    for module in (sk, skmlp):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=filtered, module="sklearn")
            module.MLPClassifier((8,), random_state=0, **params).fit(X_iris, y_iris)
        shown.append([record for record in records if issubclass(record.category, filtered)])
    assert shown == [[], []]
    with warnings.catch_warnings(record=True) as records:  # shown where skmlp warns
        warnings.simplefilter("always")
        skmlp.MLPClassifier((8,), random_state=0, **params).fit(X_iris, y_iris)
    [record] = [record for record in records if record.category is filtered]
    assert "skmlp" in record.filename
    # The line shown under the message is the call that warns, as scikit-learn
    # shows its `warnings.warn(`, not an argument of it.
    shown_line = linecache.getline(record.filename, record.lineno).strip()
    assert shown_line == "warn_as_scikit_learn("


def test_one_class_fits_as_in_scikit_learn():
    X = X_iris[:30]

    def run(module):
        clf = module.MLPClassifier((5,), max_iter=20, random_state=0).fit(X, np.full(30, "ham"))
        return clf, {"proba": clf.predict_proba(X), "loss": clf.loss_, "n_iter": clf.n_iter_}

    (theirs, their_values), (ours, our_values) = _same(run)
    _assert_same(their_values, our_values)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert (ours.n_outputs_, ours.out_activation_) == (theirs.n_outputs_, theirs.out_activation_)


@pytest.mark.parametrize("labels, named", [([0, 0, 0, 1], "[1]"), (["a", "a", "a", "ham"], "['ham']")])
def test_too_rare_class_for_the_split_is_named_as_given(labels, named):
    # scikit-learn names its internal encoding ('True'); see README's differences.
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    message = f"Classes with too few members are: {named}"
    with pytest.raises(ValueError, match=re.escape(message)):
        skmlp.MLPClassifier(early_stopping=True).fit(X, labels)


@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64, np.int64])
def test_prediction_dtype_follows_the_input_as_in_scikit_learn(fit_dtype, input_dtype):
    # float64 rows through a float32 network are computed in float64.
    X = np.round(X_iris * 4)

    def run(module):
        clf = module.MLPClassifier((5,), max_iter=20, random_state=0).fit(X.astype(fit_dtype), y_iris)
        reg = module.MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
        reg.fit(X.astype(fit_dtype), X[:, 0])
        X_test = X.astype(input_dtype)
        return {"proba": clf.predict_proba(X_test), "predict": reg.predict(X_test)}

    theirs, ours = _same(run)
    tolerance = dict(rtol=1e-4) if fit_dtype == np.float32 else RTOL
    for key in theirs:
        assert ours[key].dtype == theirs[key].dtype, key
        np.testing.assert_allclose(ours[key], theirs[key], **tolerance, err_msg=key)


def test_lbfgs_reaches_scikit_learns_optimum_closely():
    # Not bit for bit (README, "Differences"): the objective differs in the
    # last bit and L-BFGS's line search amplifies it. The paths agree to
    # 1e-10 for 50 iterations and then part, how soon depending on the
    # numpy and SciPy versions (with numpy 2.4.6 and SciPy 1.17.1, one
    # stops at 158 iterations, the other runs to max_iter): the full fits
    # are compared on what they predict, not on their iteration counts.
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)

    def run(module, max_iter):
        clf = module.MLPClassifier(solver="lbfgs", max_iter=max_iter, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        return clf.coefs_, clf.predict(X), clf.predict_proba(X), clf.loss_

    (coefs_theirs, _, _, loss_theirs), (coefs_ours, _, _, loss_ours) = _same(
        lambda module: run(module, 50)
    )
    for ours, theirs in zip(coefs_ours, coefs_theirs):
        np.testing.assert_allclose(ours, theirs, atol=1e-8)
    assert loss_ours == pytest.approx(loss_theirs, rel=1e-9)

    (_, label_theirs, proba_theirs, loss_theirs), (_, label_ours, proba_ours, loss_ours) = (
        _same(lambda module: run(module, 200))
    )
    np.testing.assert_array_equal(label_ours, label_theirs)
    np.testing.assert_allclose(proba_ours, proba_theirs, atol=0.15)
    assert loss_ours == pytest.approx(loss_theirs, rel=0.15)


@pytest.mark.parametrize("Estimator", ["MLPClassifier", "MLPRegressor"])
def test_lbfgs_on_float32_trains_in_float64_as_in_scikit_learn(Estimator):
    # scikit-learn's L-BFGS writes SciPy's float64 iterate into its weights,
    # so float32 input meets float64 weights; training in float32 gave
    # float32 outputs and probabilities of exactly 0 (log-probabilities -inf).
    # The optima are close, not equal: scikit-learn keeps some float32 parts
    # (its initial weights), so its float32 and float64 fits differ too.
    X, y = X_iris.astype(np.float32), y_iris

    def run(module):
        model = getattr(module, Estimator)(
            solver="lbfgs", hidden_layer_sizes=(10,), max_iter=50, random_state=0
        )
        model.fit(X, y)
        if hasattr(model, "predict_log_proba"):
            output = model.predict_log_proba(X)
            assert np.isfinite(output).all()
        else:
            output = model.predict(X)
        return model.coefs_[0].dtype, output.dtype, model.loss_

    (coef_theirs, out_theirs, loss_theirs), (coef_ours, out_ours, loss_ours) = _same(run)
    assert (coef_ours, out_ours) == (coef_theirs, out_theirs) == (np.float64, np.float64)
    assert loss_ours == pytest.approx(loss_theirs, rel=0.05)


@BOTH
@pytest.mark.parametrize("attribute", ["coefs_", "intercepts_"])
def test_fitted_attribute_before_fit_is_named(module, attribute):
    with pytest.raises(AttributeError, match=f"object has no attribute '{attribute}'"):
        getattr(module.MLPClassifier(), attribute)


@BOTH
def test_non_integer_layer_size_is_a_type_error(module):
    with pytest.raises(TypeError):
        module.MLPClassifier(hidden_layer_sizes=(10.5,), max_iter=5).fit(X_iris, y_iris)


@pytest.mark.parametrize(
    "params",
    [{}, {"solver": "sgd"}, {"solver": "lbfgs"}, {"early_stopping": True}],
    ids=["adam", "sgd", "lbfgs", "early_stopping"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_recorded_numbers_have_scikit_learns_types(params, dtype):
    # Code that prints the curves (their repr) or checks types sees the same.
    def run(module):
        clf = module.MLPClassifier((5,), max_iter=5, random_state=0, **params)
        clf.fit(X_iris.astype(dtype), y_iris)
        names = ["loss_", "best_loss_", "best_validation_score_"]
        types = {name: type(getattr(clf, name, None)) for name in names}
        for name in ["loss_curve_", "validation_scores_"]:
            values = getattr(clf, name, None)
            types[name] = type(values[0]) if values else None
        return types

    theirs, ours = _same(run)
    assert ours == theirs


def test_assigned_coefs_and_intercepts_are_used_as_in_scikit_learn():
    def run(module):
        clf = module.MLPClassifier((5,), max_iter=20, random_state=0).fit(X_iris, y_iris)
        clf.coefs_ = [np.full_like(W, 0.1) for W in clf.coefs_]
        clf.intercepts_ = [np.zeros_like(b) + 0.2 for b in clf.intercepts_]
        return {"proba": clf.predict_proba(X_iris)}

    _assert_same(*_same(run))


def test_assigned_coefs_of_other_shapes_are_refused():
    clf = skmlp.MLPClassifier((5,), max_iter=5, random_state=0)
    _quiet(clf.fit, X_iris, y_iris)
    with pytest.raises(ValueError, match=r"coefs_ must be a list of arrays of shapes \[\(4, 5\), \(5, 3\)\]"):
        clf.coefs_ = [np.zeros((4, 6)), np.zeros((6, 3))]
