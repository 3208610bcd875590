"""Training control beyond scikit-learn's MLP: raw outputs, class weights,
validation data, optimiser continuation, restarts, callbacks, activations."""

import re
import signal
import warnings
from collections import Counter

import numpy as np
import pytest
from scipy.special import expit, softmax
from sklearn import config_context
from sklearn.datasets import load_breast_cancer, load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.callback import ScoringMonitor
from sklearn.metrics import log_loss, r2_score, recall_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from skmlp import MLPClassifier, MLPRegressor
from skmlp._training import loop
from skmlp._training.weights import class_weighted

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)
FAST = dict(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.01, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X_iris, y_iris, test_size=0.3, random_state=0)


def _quiet(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


# ---------------------------------------------------------------------------
# decision_function (logits=True)
# ---------------------------------------------------------------------------
def test_decision_function_exists_only_with_logits_and_needs_no_refit():
    clf = _quiet(MLPClassifier(**FAST), X_iris, y_iris)
    assert not hasattr(clf, "decision_function")
    with pytest.raises(AttributeError, match="has no attribute 'decision_function'") as info:
        clf.decision_function
    assert "only available with logits=True" in str(info.value.__cause__)
    clf.set_params(logits=True)  # it does not change training
    np.testing.assert_allclose(softmax(clf.decision_function(X_iris), axis=1),
                               clf.predict_proba(X_iris), rtol=1e-12)


def test_decision_function_binary_is_the_log_odds_of_the_second_class():
    labels = np.where(y_iris == 1, "versicolor", "other")
    clf = _quiet(MLPClassifier(**FAST, logits=True), X_iris, labels)
    scores = clf.decision_function(X_iris)
    assert scores.shape == (150,)
    np.testing.assert_allclose(expit(scores), clf.predict_proba(X_iris)[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[(scores > 0).astype(int)], clf.predict(X_iris))


def test_decision_function_multiclass_gives_the_softmax_inputs():
    clf = _quiet(MLPClassifier(**FAST, logits=True), X_iris, y_iris)
    scores = clf.decision_function(X_iris)
    assert scores.shape == (150, 3)
    np.testing.assert_allclose(softmax(scores, axis=1), clf.predict_proba(X_iris), rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[scores.argmax(1)], clf.predict(X_iris))


def test_decision_function_multilabel_gives_one_log_odds_per_label():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    clf = _quiet(MLPClassifier(**FAST, logits=True), X, Y)
    scores = clf.decision_function(X)
    assert scores.shape == Y.shape
    np.testing.assert_allclose(expit(scores), clf.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal((scores > 0).astype(int), clf.predict(X))


# ---------------------------------------------------------------------------
# class_weight
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("split_seed", [0, 1, 2])
def test_balanced_class_weight_raises_minority_recall_on_breast_cancer(split_seed):
    # Train on 15 malignant and 250 benign tumours; test on all the others.
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(split_seed)
    malignant, benign = rng.permutation(np.flatnonzero(y == 0)), rng.permutation(np.flatnonzero(y == 1))
    train, test = np.r_[malignant[:15], benign[:250]], np.r_[malignant[15:], benign[250:]]
    scaler = StandardScaler().fit(X[train])
    X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
    recalls = {}
    for class_weight in (None, "balanced"):
        clf = _quiet(MLPClassifier((8,), max_iter=100, learning_rate_init=0.01, random_state=0,
                                   class_weight=class_weight), X_train, y[train])
        recalls[class_weight] = recall_score(y[test], clf.predict(X_test), pos_label=0)
    print(f"malignant recall, split {split_seed}: unweighted {recalls[None]:.3f}, "
          f"class_weight='balanced' {recalls['balanced']:.3f}")
    assert recalls["balanced"] > recalls[None] + 0.02


def test_class_weight_is_a_sample_weight_per_class():
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    sample_weight = np.linspace(0.5, 2, 150)
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)
    weighted = _quiet(MLPClassifier(class_weight=weights, **params), X_iris, y_iris,
                      sample_weight=sample_weight)
    expected = _quiet(MLPClassifier(**params), X_iris, y_iris,
                      sample_weight=sample_weight * compute_sample_weight(weights, y_iris))
    np.testing.assert_allclose(weighted.predict_proba(X_iris), expected.predict_proba(X_iris))


def test_balanced_class_weight_counts_sample_weights_as_repeats():
    # A row of weight 2 is two rows, also for the class frequencies.
    repeat = np.where(y_iris == 0, 2, 1)
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0,
                  class_weight="balanced")
    weighted = _quiet(MLPClassifier(**params), X_iris, y_iris, sample_weight=repeat)
    repeated = _quiet(MLPClassifier(**params), np.repeat(X_iris, repeat, axis=0),
                      np.repeat(y_iris, repeat))
    np.testing.assert_allclose(weighted.predict_proba(X_iris), repeated.predict_proba(X_iris),
                               rtol=1e-5)


def test_class_weight_for_multilabel_targets():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    for class_weight in ("balanced", [{0: 1, 1: 2}] * 3):
        assert _quiet(MLPClassifier(class_weight=class_weight, **FAST), X, Y).predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="For multi-output, class_weight should be a list of dicts"):
        MLPClassifier(class_weight={1: 2}, **FAST).fit(X, Y)
    with pytest.raises(ValueError, match=re.escape("Got 2 element(s) while having 3 outputs")):
        MLPClassifier(class_weight=[{0: 1, 1: 2}] * 2, **FAST).fit(X, Y)


def test_balanced_weights_are_compute_sample_weights_without_sample_weight():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    for y in (y_iris[20:], np.array(["a", "b", "b", "c"]), Y):
        np.testing.assert_allclose(class_weighted(None, "balanced", y, np.float64),
                                   compute_sample_weight("balanced", y), rtol=1e-14)


def test_class_weight_errors_are_sklearns():
    with pytest.raises(ValueError, match=re.escape("The classes, [1, 2], are not in class_weight")):
        MLPClassifier(class_weight={0: 1, 5: 2}, **FAST).fit(X_iris, y_iris)
    # partial_fit sees one batch at a time: no 'balanced' weights, but a dict.
    clf = MLPClassifier(class_weight="balanced", **FAST)
    with pytest.raises(AttributeError) as info:
        clf.partial_fit
    assert "class_weight 'balanced' is not supported for partial_fit" in str(info.value.__cause__)
    clf.set_params(class_weight={0: 1, 1: 2, 2: 1}).partial_fit(X_iris[:50], y_iris[:50], classes=[0, 1, 2])
    assert clf.n_iter_ == 1


# ---------------------------------------------------------------------------
# Validation data and scoring
# ---------------------------------------------------------------------------
STOPPING = dict(FAST, max_iter=300, early_stopping=True, n_iter_no_change=5)


def test_validation_data_that_disagrees_with_training_stops_early():
    params = dict(STOPPING, scoring="loss")
    agreeing = _quiet(MLPClassifier(**params), X_train, y_train, X_val=X_val, y_val=y_val)
    # The same rows labelled with the next class: learning soon makes it worse.
    disagreeing = _quiet(MLPClassifier(**params), X_train, y_train, X_val=X_val,
                         y_val=(y_val + 1) % 3)
    best_epoch = int(np.argmax(disagreeing.validation_scores_)) + 1
    print(f"{agreeing.n_iter_} epochs with agreeing validation data, {disagreeing.n_iter_} "
          f"with disagreeing data (best epoch {best_epoch}); training accuracy "
          f"{agreeing.score(X_train, y_train):.3f} vs {disagreeing.score(X_train, y_train):.3f}")
    assert disagreeing.n_iter_ == best_epoch + STOPPING["n_iter_no_change"] + 1
    assert disagreeing.n_iter_ < agreeing.n_iter_ / 4
    assert disagreeing.score(X_train, y_train) < agreeing.score(X_train, y_train) - 0.3
    for clf in (agreeing, disagreeing):
        assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == clf.n_iter_


def test_scoring_loss_restores_the_weights_of_the_lowest_validation_loss():
    weights = np.linspace(0.5, 1.5, len(y_val))
    clf = _quiet(MLPClassifier(scoring="loss", **STOPPING), X_train, y_train,
                 X_val=X_val, y_val=y_val, sample_weight_val=weights)
    np.testing.assert_allclose(clf.validation_scores_, -np.array(clf.validation_loss_curve_))
    assert -clf.best_validation_score_ == min(clf.validation_loss_curve_)
    restored = log_loss(y_val, clf.predict_proba(X_val), sample_weight=weights)
    assert restored == pytest.approx(min(clf.validation_loss_curve_), rel=1e-10)


def test_scoring_by_scorer_name_and_callable():
    by_name = _quiet(MLPClassifier(scoring="neg_log_loss", **STOPPING), X_train, y_train,
                     X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(by_name.validation_scores_, -np.array(by_name.validation_loss_curve_),
                               rtol=1e-8)
    calls = []

    def scorer(estimator, X, y):
        calls.append(len(y))
        return estimator.score(X, y)

    default = _quiet(MLPClassifier(**STOPPING), X_train, y_train, X_val=X_val, y_val=y_val)
    custom = _quiet(MLPClassifier(scoring=scorer, **STOPPING), X_train, y_train,
                    X_val=X_val, y_val=y_val)
    assert calls == [len(y_val)] * custom.n_iter_
    assert custom.validation_scores_ == default.validation_scores_


def test_regressor_validation_data():
    y = X_iris[:, 0] + X_iris[:, 1] ** 2
    X_fit, X_check, y_fit, y_check = train_test_split(X_iris[:, 1:], y, random_state=0)
    params = dict(STOPPING, max_iter=100)
    reg = _quiet(MLPRegressor(**params), X_fit, y_fit, X_val=X_check, y_val=y_check)
    assert reg.best_validation_score_ == pytest.approx(r2_score(y_check, reg.predict(X_check)))
    reg = _quiet(MLPRegressor(scoring="loss", **params), X_fit, y_fit, X_val=X_check, y_val=y_check)
    half_mse = 0.5 * np.mean((reg.predict(X_check) - y_check) ** 2)
    assert min(reg.validation_loss_curve_) == pytest.approx(half_mse, rel=1e-10)


def test_validation_data_errors():
    clf = MLPClassifier(**STOPPING)
    for kwargs, message in [
        (dict(X_val=X_val), "X_val is provided, but y_val was not provided."),
        (dict(y_val=y_val), "y_val is provided, but X_val was not provided."),
        (dict(sample_weight_val=np.ones(3)), "sample_weight_val is provided, but X_val and y_val"),
        (dict(X_val=X_val, y_val=np.where(y_val == 2, 7, y_val)),
         "y_val contains labels not in y: [7]. The classes of y are [0, 1, 2]."),
        (dict(X_val=X_val[:, :2], y_val=y_val), "X_val has 2 features, but MLPClassifier is expecting 4"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            clf.fit(X_train, y_train, **kwargs)
    with pytest.raises(ValueError, match="early_stopping is False. When passing X_val and y_val"):
        MLPClassifier().fit(X_train, y_train, X_val=X_val, y_val=y_val)
    with pytest.raises(ValueError, match="needs solver='sgd' or 'adam'; got solver='lbfgs'"):
        MLPClassifier(solver="lbfgs", early_stopping=True).fit(X_train, y_train, X_val=X_val, y_val=y_val)


def test_validation_data_through_a_pipeline():
    with config_context(enable_metadata_routing=True):
        mlp = MLPClassifier(**STOPPING).set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"])
        _quiet(pipe, X_train * 100, y_train, X_val=X_val * 100, y_val=y_val)
    scale = pipe[0].transform
    alone = _quiet(MLPClassifier(**STOPPING), scale(X_train * 100), y_train,
                   X_val=scale(X_val * 100), y_val=y_val)
    assert pipe[-1].validation_loss_curve_ == alone.validation_loss_curve_


# ---------------------------------------------------------------------------
# The optimiser continues across warm starts and partial_fit
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("options", [
    dict(solver="adam"),
    dict(solver="sgd", learning_rate="invscaling", power_t=0.25),
    dict(solver="sgd", nesterovs_momentum=False, dropout=0.2),
], ids=str)
def test_two_warm_started_fits_equal_one_twice_as_long(options):
    # shuffle=False: the same mini-batches both ways (a shuffled fit permutes
    # the order left by its previous epoch, which a new fit does not have).
    params = dict(hidden_layer_sizes=(6,), learning_rate_init=0.01, batch_size=32,
                  shuffle=False, random_state=0, n_iter_no_change=np.inf, **options)
    once = _quiet(MLPClassifier(max_iter=20, **params), X_iris, y_iris)
    twice = MLPClassifier(max_iter=10, warm_start=True, **params)
    _quiet(twice, X_iris, y_iris)
    _quiet(twice, X_iris, y_iris)
    np.testing.assert_array_equal(twice._network.params, once._network.params)
    assert twice.loss_curve_ == once.loss_curve_ and twice.t_ == once.t_


def test_sklearn_restarts_the_optimiser_on_warm_start():
    # The deliberate difference: scikit-learn's second fit starts Adam anew.
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    params = dict(hidden_layer_sizes=(6,), learning_rate_init=0.01, shuffle=False,
                  random_state=0, n_iter_no_change=np.inf)
    once = _quiet(SkMLPClassifier(max_iter=20, **params), X_iris, y_iris)
    twice = SkMLPClassifier(max_iter=10, warm_start=True, **params)
    _quiet(twice, X_iris, y_iris)
    _quiet(twice, X_iris, y_iris)
    assert not np.allclose(twice.coefs_[0], once.coefs_[0], rtol=1e-3)
    ours = MLPClassifier(max_iter=10, warm_start=True, **params)
    _quiet(ours, X_iris, y_iris)
    _quiet(ours, X_iris, y_iris)
    np.testing.assert_allclose(ours.coefs_[0], once.coefs_[0], rtol=1e-10)


def test_partial_fit_calls_equal_one_fit():
    params = dict(hidden_layer_sizes=(6,), learning_rate_init=0.01, shuffle=False,
                  random_state=0, n_iter_no_change=np.inf)
    once = _quiet(MLPClassifier(max_iter=5, **params), X_iris, y_iris)
    stepwise = MLPClassifier(**params)
    for _ in range(5):
        stepwise.partial_fit(X_iris, y_iris, classes=[0, 1, 2])
    np.testing.assert_array_equal(stepwise._network.params, once._network.params)


def test_changed_optimiser_settings_apply_to_the_continued_state():
    clf = _quiet(MLPClassifier(max_iter=3, warm_start=True, batch_size=50, **{
        k: v for k, v in FAST.items() if k != "max_iter"}), X_iris, y_iris)
    assert clf._optimizer.t == 3 * 3
    _quiet(clf.set_params(learning_rate_init=0.001, beta_1=0.8), X_iris, y_iris)
    assert clf._optimizer.t == 6 * 3 and clf._optimizer.beta_1 == 0.8
    _quiet(clf.set_params(solver="sgd"), X_iris, y_iris)
    assert clf._optimizer.velocity is not None and clf.t_ == 9 * 150


# ---------------------------------------------------------------------------
# Restarts
# ---------------------------------------------------------------------------
def test_each_restart_is_the_single_fit_of_its_seed_and_the_best_is_kept():
    params = dict(STOPPING, hidden_layer_sizes=(3,), learning_rate_init=0.02, scoring="loss")
    clf = _quiet(MLPClassifier(n_init=4, **params), X_train, y_train, X_val=X_val, y_val=y_val)
    # Documented: the seeds are drawn first from the fit's random generator.
    seeds = np.random.RandomState(params["random_state"]).randint(np.iinfo(np.int32).max, size=4)
    singles = [_quiet(MLPClassifier(**{**params, "random_state": int(seed)}), X_train, y_train,
                      X_val=X_val, y_val=y_val) for seed in seeds]
    single_scores = [single.best_validation_score_ for single in singles]
    print("restart validation scores (minus the log-loss):", np.round(clf.restart_scores_, 4))
    np.testing.assert_array_equal(clf.restart_scores_, single_scores)
    assert clf.best_validation_score_ == max(single_scores)
    best = singles[int(np.argmax(single_scores))]
    np.testing.assert_array_equal(clf.predict_proba(X_val), best.predict_proba(X_val))
    assert clf.n_iter_ == best.n_iter_ and clf.loss_curve_ == best.loss_curve_


def test_restarts_without_validation_keep_the_lowest_training_loss():
    clf = _quiet(MLPRegressor((3,), solver="lbfgs", max_iter=50, n_init=3, random_state=0),
                 X_iris[:, 1:], X_iris[:, 0])
    print("restart training losses (lbfgs):", np.round(clf.restart_scores_, 4))
    assert clf.loss_ == clf.restart_scores_.min() and len(set(clf.restart_scores_)) == 3


def test_restarts_are_identical_for_any_n_jobs():
    params = dict(FAST, n_init=3, early_stopping=True, dropout=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [MLPClassifier(n_jobs=n_jobs, **params).fit(X_iris, y_iris) for n_jobs in (1, 2)]
    serial, parallel = results
    np.testing.assert_array_equal(serial.restart_scores_, parallel.restart_scores_)
    np.testing.assert_array_equal(serial._network.params, parallel._network.params)
    assert serial.validation_scores_ == parallel.validation_scores_
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2 and messages[0] == messages[1]  # one per fit, not per restart
    # Early stopping ended two restarts; the summary says the kept one converged.
    assert re.match(
        r"1 of 3 restarts \(n_init\) did not converge, the kept one did \(restart \d\)\. "
        r"Restart \d: Stochastic Optimizer: Maximum iterations \(30\)", messages[0]
    )


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_restarts_that_do_not_converge_give_one_summarising_warning(solver):
    clf = MLPClassifier((4,), solver=solver, max_iter=3, n_init=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X_iris, y_iris)
    assert [w.category for w in caught] == [ConvergenceWarning]
    kept = int(np.argmin(clf.restart_scores_)) + 1
    assert str(caught[0].message).startswith(
        f"3 of 3 restarts (n_init) did not converge, the kept restart among them "
        f"(restart {kept}). Restart {kept}: "
    )
    single = MLPClassifier((4,), solver=solver, max_iter=3)
    with pytest.warns(ConvergenceWarning) as alone:
        single.fit(X_iris, y_iris)
    assert str(caught[0].message).endswith(str(alone[0].message))


def test_verbose_restarts_are_labelled_and_the_kept_one_named(capsys):
    clf = MLPClassifier(n_init=2, verbose=True, **{**FAST, "max_iter": 2})
    _quiet(clf, X_iris, y_iris)
    lines = capsys.readouterr().out.splitlines()
    losses = [f"loss = {loss:.8f}" for loss in clf.loss_curve_]
    kept = int(np.argmin(clf.restart_scores_)) + 1
    assert [line.split("] ")[0] + "]" for line in lines[:4]] == ["[restart 1/2]"] * 2 + [
        "[restart 2/2]"
    ] * 2
    assert lines[2 * kept - 2].endswith(losses[0]) and lines[2 * kept - 1].endswith(losses[1])
    assert lines[4:] == [f"Kept restart {kept}/2: loss {clf.restart_scores_[kept - 1]:.8f}"]
    assert not hasattr(clf, "_verbose_label")


def test_a_warm_start_continues_the_kept_network_once():
    clf = _quiet(MLPClassifier(n_init=2, warm_start=True, **FAST), X_iris, y_iris)
    assert clf.restart_scores_.shape == (2,)
    kept = clf._network
    weights = kept.params.copy()
    _quiet(clf, X_iris, y_iris)
    assert clf.restart_scores_.shape == (1,)
    assert len(clf.loss_curve_) == 2 * FAST["max_iter"]
    # It trained a copy of the kept network, which stays as it was.
    assert clf._network is not kept and repr(clf._network) == repr(kept)
    np.testing.assert_array_equal(kept.params, weights)


# ---------------------------------------------------------------------------
# Activations per layer, new activations, weight initialisation
# ---------------------------------------------------------------------------
def _initial_weights(**params):
    # Adam's first steps move each weight by about learning_rate_init.
    clf = _quiet(MLPClassifier(max_iter=1, learning_rate_init=1e-12, random_state=0, **params),
                 X_iris, y_iris)
    return [np.abs(W).max() for W in clf.coefs_], clf


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "softplus"])
def test_new_activations_learn_iris(activation):
    clf = _quiet(MLPClassifier((8,), activation=activation, solver="lbfgs", max_iter=100,
                               random_state=0), X_iris, y_iris)
    assert clf.score(X_iris, y_iris) > 0.95


def test_one_activation_per_hidden_layer():
    clf = _quiet(MLPClassifier((8, 6), activation=["logistic", "gelu"], **{
        k: v for k, v in FAST.items() if k != "hidden_layer_sizes"}), X_iris, y_iris)
    assert repr(clf._network) == (
        "Sequential([Dense(8), Logistic(), Dense(6), GELU(), Dense(3)])")
    same = dict(FAST, hidden_layer_sizes=(8, 6))
    as_list = _quiet(MLPClassifier(activation=["tanh", "tanh"], **same), X_iris, y_iris)
    as_name = _quiet(MLPClassifier(activation="tanh", **same), X_iris, y_iris)
    np.testing.assert_array_equal(as_list._network.params, as_name._network.params)
    with pytest.raises(ValueError, match=re.escape("one per hidden layer (2 for hidden_layer_sizes=(8, 6)); got ['relu']")):
        MLPClassifier(activation=["relu"], **same).fit(X_iris, y_iris)
    # A warm start applies another activation (it has no weights).
    as_list.set_params(warm_start=True, activation=["relu", "tanh"], max_iter=1)
    assert repr(_quiet(as_list, X_iris, y_iris)._network) == (
        "Sequential([Dense(8), ReLU(), Dense(6), Tanh(), Dense(3)])")


def test_initialisation_bounds_per_layer_and_weight_init():
    # Glorot: 2 / fan for a layer followed by logistic units (and the output
    # layer after them), 6 / fan otherwise; He: 6 / n_inputs.
    largest, _ = _initial_weights(hidden_layer_sizes=(20, 20), activation=["logistic", "relu"])
    bounds = [np.sqrt(2 / 24), np.sqrt(6 / 40), np.sqrt(6 / 23)]
    assert all(0.9 * b < w <= b + 1e-9 for w, b in zip(largest, bounds)), (largest, bounds)
    largest, _ = _initial_weights(hidden_layer_sizes=(20, 20), weight_init="he_uniform")
    bounds = [np.sqrt(6 / 4), np.sqrt(6 / 20), np.sqrt(6 / 20)]
    assert all(0.8 * b < w <= b + 1e-9 for w, b in zip(largest, bounds)), (largest, bounds)


# ---------------------------------------------------------------------------
# scikit-learn's callbacks, and interrupting a fit
# ---------------------------------------------------------------------------
class TaskRecorder:
    """A minimal callback (sklearn.callback's protocol) recording finished tasks."""

    def __init__(self, interrupt_at_epoch=None, stop_at_epoch=None):
        self.ended = []
        self.interrupt_at_epoch = interrupt_at_epoch
        self.stop_at_epoch = stop_at_epoch

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        assert fitted_estimator.predict(X_iris[:2]).shape == (2,)
        self.ended.append(context.task_name)
        if self.ended.count("epoch") == self.interrupt_at_epoch:
            raise KeyboardInterrupt
        return self.ended.count("epoch") == self.stop_at_epoch

    def teardown(self, estimator, context):
        pass


ENDLESS = dict(FAST, max_iter=6, n_iter_no_change=np.inf)


def test_callbacks_see_one_task_per_epoch_inside_a_grid_search():
    recorder = TaskRecorder()
    mlp = MLPClassifier(**ENDLESS).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GridSearchCV(mlp, {"alpha": [1e-4, 1e-2]}, cv=2).fit(X_iris, y_iris)
    # 2 candidates x 2 folds, and the refit: 5 fits of 6 epochs.
    assert Counter(recorder.ended) == {"epoch": 30, "fit": 5}


def test_callback_tasks_of_restarts_and_lbfgs():
    recorder = TaskRecorder()
    _quiet(MLPClassifier(n_init=2, **ENDLESS).set_callbacks(recorder), X_iris, y_iris)
    assert Counter(recorder.ended) == {"epoch": 12, "restart": 2, "fit": 1}
    recorder.ended.clear()
    _quiet(MLPClassifier(solver="lbfgs", **ENDLESS).set_callbacks(recorder), X_iris, y_iris)
    assert recorder.ended == ["fit"]


def test_a_callback_can_stop_training():
    clf = MLPClassifier(**ENDLESS).set_callbacks(TaskRecorder(stop_at_epoch=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither max_iter nor an interrupt
        clf.fit(X_iris, y_iris)
    assert clf.n_iter_ == 3


def test_a_scoring_monitor_scores_every_epoch_of_every_restart_across_processes():
    monitor = ScoringMonitor(scoring="accuracy")
    clf = _quiet(MLPClassifier(n_init=2, n_jobs=2, **ENDLESS).set_callbacks(monitor),
                 X_iris, y_iris)
    rows = monitor.get_logs().data
    assert Counter(row["task_name"] for row in rows) == {"epoch": 12, "restart": 2, "fit": 1}
    assert [row["accuracy"] for row in rows if row["task_name"] == "fit"] == [clf.score(X_iris, y_iris)]


def test_a_keyboard_interrupt_from_a_callback_keeps_the_best_weights():
    recorder = TaskRecorder(interrupt_at_epoch=8)
    clf = MLPClassifier(**dict(STOPPING, n_iter_no_change=100, scoring="loss"))
    with pytest.warns(UserWarning, match="interrupted by user after 8 epochs; the best validated"):
        clf.set_callbacks(recorder).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert clf.n_iter_ == len(clf.loss_curve_) == 8 and recorder.ended[-1] == "fit"
    restored = log_loss(y_val, clf.predict_proba(X_val))
    assert restored == pytest.approx(min(clf.validation_loss_curve_), rel=1e-10)


def test_an_interrupt_during_restarts_ends_each_remaining_one_after_a_mini_batch():
    recorder = TaskRecorder(interrupt_at_epoch=4)
    clf = MLPClassifier(n_init=3, **ENDLESS).set_callbacks(recorder)
    with pytest.warns(UserWarning, match="interrupted by user") as caught:
        clf.fit(X_iris, y_iris)
    # Restart 1 stops after 4 epochs, the others after their first mini-batch
    # (the same warning from both, raised once).
    interrupts = sorted(re.search(r"after \d+ epochs?;", str(w.message)).group()
                        for w in caught if "interrupted" in str(w.message))
    assert interrupts == ["after 1 epoch;", "after 4 epochs;"]
    assert Counter(recorder.ended) == {"epoch": 4 + 1 + 1, "restart": 3, "fit": 1}
    assert clf.restart_scores_.shape == (3,) and np.isfinite(clf.predict_proba(X_iris)).all()


def test_ctrl_c_stops_at_the_end_of_the_mini_batch(monkeypatch):
    # Ctrl-C arrives while the 2nd mini-batch of the 3rd epoch is gathered
    # (rows of X, then of y: 2 calls per mini-batch, 3 mini-batches per epoch).
    calls = {"n": 0}
    gather_rows = loop.gather_rows

    def gather_with_ctrl_c(X, idx, out):
        calls["n"] += 1
        if calls["n"] == 2 * 3 * 2 + 2 + 1:
            signal.raise_signal(signal.SIGINT)
        return gather_rows(X, idx, out)

    monkeypatch.setattr(loop, "gather_rows", gather_with_ctrl_c)
    clf = MLPClassifier(**dict(ENDLESS, batch_size=50, shuffle=False))
    with pytest.warns(UserWarning, match="interrupted by user after 3 epochs; the current"):
        clf.fit(X_iris, y_iris)
    assert calls["n"] == 2 * 3 * 2 + 2 + 2  # that mini-batch ran to its end; no more
    assert clf.n_iter_ == 3 and np.isfinite(clf.predict_proba(X_iris)).all()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_aborts_the_fit_and_leaves_the_model_as_it_was(monkeypatch):
    clf = _quiet(MLPClassifier(**dict(ENDLESS, warm_start=True)), X_iris, y_iris)
    before = clf.predict_proba(X_iris)
    gather_rows = loop.gather_rows

    def gather_with_two_ctrl_c(X, idx, out):
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        return gather_rows(X, idx, out)

    monkeypatch.setattr(loop, "gather_rows", gather_with_two_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X_iris, y_iris)
    np.testing.assert_array_equal(clf.predict_proba(X_iris), before)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
