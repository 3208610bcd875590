"""Estimator behaviour: scikit-learn's semantics, attributes and messages."""

import re
import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error

from skmlp import MLPClassifier, MLPRegressor
from skmlp._compat import InvalidParameterError
from skmlp.nn import L2Penalty
from skmlp.utils import numerical_gradient, relative_error

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)
X_reg, y_reg = make_regression(n_samples=120, n_features=6, noise=1.0, random_state=0)
y_reg = y_reg / y_reg.std()

SOLVERS = ["adam", "sgd", "lbfgs"]


def _quiet(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


# ---------------------------------------------------------------------------
# Same results as scikit-learn's MLP for the same random_state
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_classifier_reproduces_sklearn(solver, early_stopping):
    if solver == "lbfgs" and early_stopping:
        pytest.skip("early stopping only applies to stochastic solvers")
    params = dict(
        hidden_layer_sizes=(12, 7), solver=solver, max_iter=30,
        early_stopping=early_stopping, random_state=3,
    )
    ours = _quiet(MLPClassifier(**params), X_iris, y_iris)
    theirs = _quiet(sk.MLPClassifier(**params), X_iris, y_iris)
    np.testing.assert_allclose(ours.predict_proba(X_iris), theirs.predict_proba(X_iris), rtol=1e-6, atol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    if solver != "lbfgs":
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    if early_stopping:
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_reproduces_sklearn(solver, loss):
    y = np.exp(y_reg / 3) if loss == "poisson" else y_reg
    params = dict(hidden_layer_sizes=(10,), solver=solver, max_iter=25, loss=loss, random_state=0)
    ours = _quiet(MLPRegressor(**params), X_reg, y)
    theirs = _quiet(sk.MLPRegressor(**params), X_reg, y)
    np.testing.assert_allclose(ours.predict(X_reg), theirs.predict(X_reg), rtol=1e-6, atol=1e-8)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", SOLVERS)
def test_fitted_attributes_are_those_of_sklearn(Estimator, solver):
    X, y = (X_iris, y_iris) if Estimator is MLPClassifier else (X_reg, y_reg)
    SkEstimator = getattr(sk, Estimator.__name__)
    ours = _quiet(Estimator(solver=solver, max_iter=5, random_state=0), X, y)
    theirs = _quiet(SkEstimator(solver=solver, max_iter=5, random_state=0), X, y)
    public = lambda est: {a for a in dir(est) if a.endswith("_") and not a.startswith("_")}
    assert public(theirs) <= public(ours)
    for name in public(theirs):
        for kind in (bool, int, float, str, list):
            if isinstance(getattr(theirs, name), kind):
                assert isinstance(getattr(ours, name), kind), name
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert ours.out_activation_ == theirs.out_activation_


def test_same_constructor_parameters_and_defaults_as_sklearn():
    for ours, theirs in [(MLPClassifier(), sk.MLPClassifier()), (MLPRegressor(), sk.MLPRegressor())]:
        ours_params, their_params = ours.get_params(), theirs.get_params()
        assert set(their_params) <= set(ours_params)
        for name, value in their_params.items():
            assert ours_params[name] == value, name


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
def test_string_labels_binary_and_multiclass():
    labels = np.array(["setosa", "versicolor", "virginica"])[y_iris]
    clf = _quiet(MLPClassifier(max_iter=100, random_state=0), X_iris, labels)
    assert clf.out_activation_ == "softmax"
    assert set(clf.predict(X_iris)) <= set(labels)
    assert clf.score(X_iris, labels) > 0.9
    binary = np.where(y_iris == 0, "yes", "no")
    clf = _quiet(MLPClassifier(max_iter=100, random_state=0), X_iris, binary)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert clf.predict_proba(X_iris).shape == (150, 2)
    np.testing.assert_allclose(clf.predict_proba(X_iris).sum(1), 1.0)
    np.testing.assert_allclose(
        np.exp(clf.predict_log_proba(X_iris)), clf.predict_proba(X_iris), rtol=1e-6
    )


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=100, n_classes=4, random_state=0)
    clf = _quiet(MLPClassifier(max_iter=300, random_state=0), X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape
    assert clf.score(X, Y) > 0.6


def test_multi_output_regression():
    Y = np.c_[y_reg, -2 * y_reg]
    reg = _quiet(MLPRegressor(solver="lbfgs", max_iter=200, random_state=0), X_reg, Y)
    assert reg.predict(X_reg).shape == (120, 2)
    assert reg.score(X_reg, Y) > 0.9


def _tanh_targets(n_outputs=3):
    """Issue 12's multi-output case: X 300x5 normal, Y = tanh(X @ W) + noise."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    Y = np.tanh(X @ rng.normal(size=(5, n_outputs))) + 0.1 * rng.normal(size=(300, n_outputs))
    return X, Y


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("alpha", [1e-4, 1.0])
def test_stochastic_multi_output_fits_equal_sklearns(solver, alpha):
    # scikit-learn reports (and stops on) the mean over outputs; with the
    # sum, tol acted on a 3x larger loss and adam ran 500 epochs, not 221.
    X, Y = _tanh_targets()
    params = dict(hidden_layer_sizes=(20,), max_iter=500, random_state=0, solver=solver, alpha=alpha)
    ours = _quiet(MLPRegressor(**params), X, Y)
    theirs = _quiet(sk.MLPRegressor(**params), X, Y)
    assert ours.n_iter_ == theirs.n_iter_ < 500
    for mine, sklearns in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(mine, sklearns, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-12)


def test_multi_output_adaptive_learning_rate_follows_sklearns():
    X, Y = _tanh_targets()
    params = dict(hidden_layer_sizes=(20,), max_iter=500, random_state=0, solver="sgd",
                  learning_rate="adaptive", tol=1e-3)
    ours = _quiet(MLPRegressor(**params), X, Y)
    theirs = _quiet(sk.MLPRegressor(**params), X, Y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate < 1e-3
    np.testing.assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-10, atol=1e-12)


def test_multi_output_validation_loss_is_half_the_mse_over_all_outputs():
    X, Y = _tanh_targets()
    X_fit, X_check, Y_fit, Y_check = X[:240], X[240:], Y[:240], Y[240:]
    reg = _quiet(
        MLPRegressor((20,), early_stopping=True, scoring="loss", max_iter=30, random_state=0),
        X_fit, Y_fit, X_val=X_check, y_val=Y_check,
    )
    half_mse = 0.5 * mean_squared_error(Y_check, reg.predict(X_check))
    assert min(reg.validation_loss_curve_) == pytest.approx(half_mse, rel=1e-10)


def test_lbfgs_multi_output_minimises_an_objective_consistent_with_its_gradient():
    # scikit-learn's L-BFGS sees the mean over outputs as its objective but
    # the gradient of their sum; ours minimises the sum, and reports loss_
    # as scikit-learn defines it (mean over outputs plus the L2 term).
    X, Y = _tanh_targets()
    reg = _quiet(MLPRegressor((5,), solver="lbfgs", alpha=0.5, max_iter=20, random_state=0), X, Y)
    net = reg._network
    l2 = L2Penalty(reg.alpha, net.n_penalized, X.shape[0])

    def objective(loss):
        return lambda: net.loss_gradient(X, Y, loss) + l2.value(net.params)

    objective(reg._loss)()
    analytic = net.grads.copy()
    l2.add_gradient(analytic, net.params)
    assert relative_error(analytic, numerical_gradient(objective(reg._loss.consistent()), net.params)) < 1e-6
    assert relative_error(analytic, numerical_gradient(objective(reg._loss), net.params)) > 0.3
    penalty = 0.5 * reg.alpha * sum((W**2).sum() for W in reg.coefs_) / X.shape[0]
    assert reg.loss_ == pytest.approx(0.5 * mean_squared_error(Y, reg.predict(X)) + penalty, rel=1e-10)


# ---------------------------------------------------------------------------
# Training control
# ---------------------------------------------------------------------------
def test_warm_start_continues_training():
    clf = MLPClassifier(max_iter=5, warm_start=True, random_state=0)
    _quiet(clf, X_iris, y_iris)
    first = clf.coefs_[0].copy()
    _quiet(clf, X_iris, y_iris)
    assert not np.allclose(first, clf.coefs_[0])
    assert clf.t_ == 2 * 5 * 150


def test_partial_fit_one_epoch_and_classes():
    clf = MLPClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X_iris, y_iris)
    for _ in range(3):
        clf.partial_fit(X_iris[:100], y_iris[:100], classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and clf.t_ == 300
    assert clf.predict_proba(X_iris).shape == (150, 3)
    with pytest.raises(ValueError, match=re.escape("`y` has classes not in `self.classes_`")):
        clf.partial_fit(X_iris[:3], [0, 1, 7])


def test_partial_fit_exists_as_in_scikit_learn():
    # scikit-learn's classifier hides it for L-BFGS only; its regressor's
    # check is never called, so it always has partial_fit.
    for Estimator in (MLPClassifier, MLPRegressor, sk.MLPClassifier, sk.MLPRegressor):
        for params in (dict(solver="adam"), dict(early_stopping=True), dict(solver="lbfgs")):
            expected = Estimator in (MLPRegressor, sk.MLPRegressor) or params.get("solver") != "lbfgs"
            assert hasattr(Estimator(**params), "partial_fit") == expected, (Estimator, params)
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        MLPClassifier(solver="lbfgs").partial_fit
    assert "lbfgs is not stochastic" in str(info.value.__cause__)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_partial_fit_with_early_stopping_raises_and_changes_nothing(Estimator):
    model = _quiet(Estimator(early_stopping=True, max_iter=5, random_state=0), X_iris, y_iris)
    weights = [W.copy() for W in model.coefs_]
    with pytest.raises(ValueError, match="^partial_fit does not support early_stopping=True$"):
        model.partial_fit(X_iris, y_iris)
    assert all(np.array_equal(W, V) for W, V in zip(model.coefs_, weights))
    assert model.n_iter_ == 5


@pytest.mark.parametrize("bad", ["nan", "sample_weight"])
def test_partial_fit_with_early_stopping_checks_the_data_first_as_scikit_learn(bad):
    # The refusal comes from the split, after the data's own checks.
    X, weight = X_iris.copy(), None
    if bad == "nan":
        X[0, 0] = np.nan
    else:
        weight = np.ones(3)
    errors = []
    for Estimator in (MLPClassifier, sk.MLPClassifier):
        with pytest.raises(ValueError) as info:
            Estimator(early_stopping=True).partial_fit(
                X, y_iris, classes=[0, 1, 2], sample_weight=weight
            )
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "early_stopping" not in errors[0]


def test_regressor_partial_fit_with_lbfgs_runs_lbfgs_as_scikit_learn():
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20, random_state=0)
    ours, theirs = MLPRegressor(**params), sk.MLPRegressor(**params)
    for _ in range(2):  # the second call continues from the first's weights
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours.partial_fit(X_iris, y_iris)
            theirs.partial_fit(X_iris, y_iris)
        assert ours.n_iter_ == theirs.n_iter_
        np.testing.assert_allclose(ours.predict(X_iris), theirs.predict(X_iris), rtol=1e-7)


def test_warm_start_with_other_classes_is_refused():
    clf = _quiet(MLPClassifier(max_iter=2, warm_start=True), X_iris, y_iris)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
        clf.fit(X_iris[y_iris < 2], y_iris[y_iris < 2])


def test_early_stopping_restores_the_best_weights():
    clf = _quiet(
        MLPClassifier((30,), early_stopping=True, n_iter_no_change=3, max_iter=200,
                      learning_rate_init=0.05, random_state=0),
        X_iris, y_iris,
    )
    assert clf.best_loss_ is None
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)


def test_no_improvement_stops_before_max_iter_and_max_iter_warns():
    # The first epoch improves on an infinite best loss; the next three do
    # not improve by tol, and the third of them exceeds n_iter_no_change=2.
    clf = MLPClassifier(tol=10.0, n_iter_no_change=2, max_iter=50).fit(X_iris, y_iris)
    assert clf.n_iter_ == 4
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(max_iter=3).fit(X_iris, y_iris)


def test_adaptive_learning_rate_divides_by_five():
    clf = MLPClassifier(solver="sgd", learning_rate="adaptive", tol=10.0,
                        n_iter_no_change=1, max_iter=6, random_state=0)
    _quiet(clf, X_iris, y_iris)
    assert clf._optimizer.learning_rate == pytest.approx(0.001 / 5**2)


def test_verbose_prints_sklearn_lines(capsys):
    _quiet(MLPClassifier(max_iter=2, verbose=True, early_stopping=True), X_iris, y_iris)
    out = capsys.readouterr().out
    assert re.search(r"^Iteration 1, loss = \d+\.\d{8}$", out, re.M)
    assert "Validation score: " in out


def test_sample_weight_zero_equals_dropping_rows():
    weights = np.ones(150)
    weights[::3] = 0
    kept = weights > 0
    params = dict(solver="lbfgs", max_iter=50, random_state=0)
    weighted = _quiet(MLPClassifier(**params), X_iris, y_iris, sample_weight=weights)
    dropped = _quiet(MLPClassifier(**params), X_iris[kept], y_iris[kept])
    np.testing.assert_allclose(weighted.predict_proba(X_iris), dropped.predict_proba(X_iris), rtol=1e-5)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------
def test_invalid_hyperparameters():
    with pytest.raises(InvalidParameterError, match="'solver' parameter"):
        MLPClassifier(solver="newton").fit(X_iris, y_iris)
    with pytest.raises(ValueError, match=re.escape("hidden_layer_sizes must be > 0, got [3, 0].")):
        MLPClassifier(hidden_layer_sizes=(3, 0)).fit(X_iris, y_iris)


def test_poisson_rejects_negative_targets():
    with pytest.raises(ValueError, match="Some value\\(s\\) of y are negative"):
        MLPRegressor(loss="poisson").fit(X_reg, y_reg)


def test_validation_set_too_small():
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPRegressor(early_stopping=True).fit(X_reg[:10], y_reg[:10])


def test_batch_size_larger_than_data_is_clipped_with_warning():
    with pytest.warns(UserWarning, match="It is going to be clipped"):
        _quiet(MLPRegressor(batch_size=1000, max_iter=2), X_reg, y_reg)


def test_non_finite_weights_raise():
    huge = X_reg * 1e300
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                MLPRegressor(max_iter=2, learning_rate_init=1.0).fit(huge, y_reg)


def test_warm_start_with_other_architecture_is_refused():
    reg = _quiet(MLPRegressor((5,), max_iter=2, warm_start=True), X_reg, y_reg)
    reg.set_params(hidden_layer_sizes=(6,))
    with pytest.raises(ValueError, match=re.escape(
            "whose hidden_layer_sizes is (5,); got hidden_layer_sizes=(6,).")):
        reg.fit(X_reg, y_reg)
