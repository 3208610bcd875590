"""What warm_start and partial_fit continue: the fitted network, compared by
configuration; and the layer state a failed fit must give back."""

import copy
import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from skmlp import MLPClassifier, MLPRegressor
from skmlp._training.batches import Epochs, epoch_batches
from skmlp.nn import BatchNorm, Dense

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)

FAST = dict(hidden_layer_sizes=(8,), max_iter=5, learning_rate_init=0.01, random_state=0)


def _fit(estimator, X=X_iris, y=y_iris, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


class RaiseAtEpoch:
    """A callback (sklearn.callback's protocol) that fails at the end of an epoch."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.n_epochs = 0

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.n_epochs += 1
            if self.n_epochs == self.epoch:
                raise RuntimeError("the callback failed")

    def teardown(self, estimator, context):
        pass


# ---------------------------------------------------------------------------
# Settings without weights are applied
# ---------------------------------------------------------------------------
APPLIED = [
    (dict(normalization="layer"), dict(normalization_epsilon=10.0)),
    (dict(normalization="batch"), dict(normalization_epsilon=10.0)),
    (dict(normalization="batch"), dict(batch_norm_momentum=0.5)),
    (dict(dropout=0.2, input_dropout=0.1), dict(dropout=0.5, input_dropout=0.3)),
    (dict(hidden_layer_sizes=(8, 6)), dict(activation=["tanh", "gelu"])),
    (dict(activation="logistic"), dict(activation="leaky_relu")),
]


def _config(layer):
    return None if isinstance(layer, Dense) else layer.get_config()


@pytest.mark.parametrize("before, change", APPLIED, ids=lambda p: ",".join(p))
@pytest.mark.parametrize("continue_with", ["warm_start", "partial_fit"])
def test_a_changed_setting_without_weights_is_applied(before, change, continue_with):
    # The twin: a network built with the new setting, given the fitted
    # network's parameters and buffers, and the same optimiser.
    options = dict(FAST, **before)
    continued = _fit(MLPClassifier(warm_start=True, **options))
    twin = copy.deepcopy(continued)
    built = _fit(MLPClassifier(**dict(options, **change)))
    built._network.set_state(continued._network.get_state())
    twin._network = built._network
    if continue_with == "warm_start":
        _fit(continued.set_params(**change))
        _fit(twin.set_params(**change))
    else:
        continued.set_params(**change).partial_fit(X_iris, y_iris)
        twin.set_params(**change).partial_fit(X_iris, y_iris)
    assert repr(continued._network) == repr(built._network)
    # (Dense layers keep their initialisation settings: they are initialised.)
    assert [_config(layer) for layer in continued._network.layers] == [
        _config(layer) for layer in built._network.layers
    ]
    np.testing.assert_array_equal(continued.predict_proba(X_iris), twin.predict_proba(X_iris))
    np.testing.assert_array_equal(continued.loss_curve_, twin.loss_curve_)


def test_applied_epsilon_changes_predictions_as_a_network_built_with_it():
    # The figure: epsilon 10 moves predict_proba by 0.34 from epsilon
    # 1e-5; a warm start that kept 1e-5 was that far from the twin.
    options = dict(FAST, normalization="layer", max_iter=20)
    clf = _fit(MLPClassifier(warm_start=True, **options))
    twin = _fit(MLPClassifier(normalization_epsilon=10.0, **dict(options, max_iter=1)))
    twin._network.set_state(clf._network.get_state())
    gap = np.abs(clf.predict_proba(X_iris) - twin.predict_proba(X_iris)).max()
    assert gap > 0.1
    # A step too small to change a weight: only the epsilon moves.
    _fit(clf.set_params(normalization_epsilon=10.0, max_iter=1, learning_rate_init=1e-300))
    np.testing.assert_array_equal(clf.predict_proba(X_iris), twin.predict_proba(X_iris))


def test_a_dropout_set_to_zero_keeps_its_layer_as_the_identity():
    options = dict(FAST, dropout=0.3)
    clf = _fit(MLPClassifier(warm_start=True, **options))
    without = _fit(MLPClassifier(warm_start=True, **dict(options, dropout=0.0)))
    without._network.set_state((clf._network.get_state()[0], [{}] * 3))
    without._optimizer = copy.deepcopy(clf._optimizer)
    seed = clf._network.layers[2].seed.copy()
    _fit(clf.set_params(dropout=0.0))
    _fit(without)
    assert repr(clf._network.layers[2]) == "Dropout(0.0)"
    np.testing.assert_array_equal(clf.predict_proba(X_iris), without.predict_proba(X_iris))
    # Its seed is kept for a later rate, as if it had never been switched off.
    _fit(clf.set_params(dropout=0.3))
    assert clf._network.layers[2].seed == seed


def test_options_of_parts_the_network_lacks_and_initialisation_are_not_used():
    # As on a new fit (and as scikit-learn's momentum under solver='adam'):
    # batch_norm_momentum without batch norm, weight_init once initialised.
    clf = _fit(MLPClassifier(warm_start=True, normalization="layer", **FAST))
    same = copy.deepcopy(clf)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _fit(clf.set_params(batch_norm_momentum=0.5, weight_init="he_uniform"))
    _fit(same)
    np.testing.assert_array_equal(clf.predict_proba(X_iris), same.predict_proba(X_iris))


def test_a_failed_fit_gives_back_the_settings_it_applied():
    clf = _fit(MLPClassifier(warm_start=True, normalization="layer", dropout=0.2, **FAST))
    before = clf.predict_proba(X_iris)
    clf.set_params(normalization_epsilon=10.0, dropout=0.4).set_callbacks(RaiseAtEpoch(2))
    with pytest.raises(RuntimeError, match="the callback failed"):
        clf.fit(X_iris, y_iris)
    assert [layer.get_config() for layer in clf._network.layers][1:4:2] == [
        {"epsilon": 1e-5},
        {"rate": 0.2},
    ]
    np.testing.assert_array_equal(clf.predict_proba(X_iris), before)


# ---------------------------------------------------------------------------
# Settings that change the weights are refused, naming the parameter
# ---------------------------------------------------------------------------
def _refusal(name, fitted, requested):
    return re.escape(
        f"warm_start and partial_fit continue the fitted network, whose {name} is "
        f"{fitted!r}; got {name}={requested!r}. A network with another {name} must "
        "be fitted anew: use fit with warm_start=False."
    )


REFUSED = [
    (dict(), dict(hidden_layer_sizes=(9,)), _refusal("hidden_layer_sizes", (8,), (9,))),
    (dict(), dict(hidden_layer_sizes=(8, 8)), _refusal("hidden_layer_sizes", (8,), (8, 8))),
    (dict(), dict(normalization="layer"), _refusal("normalization", None, "layer")),
    (dict(normalization="batch"), dict(normalization="layer"),
     _refusal("normalization", "batch", "layer")),
    (dict(), dict(dropout=0.2), re.escape(
        "warm_start and partial_fit continue the fitted network, which has no dropout on "
        "hidden layer 1; dropout cannot add it. Set dropout to 0 there, or use fit with "
        "warm_start=False to fit a new network.")),
    (dict(), dict(input_dropout=0.2), re.escape(
        "which has no dropout on its input; input_dropout cannot add it. Set "
        "input_dropout to 0 there")),
]


@pytest.mark.parametrize("before, change, message", REFUSED)
@pytest.mark.parametrize("continue_with", ["warm_start", "partial_fit"])
def test_a_changed_setting_with_weights_is_refused(before, change, message, continue_with):
    clf = _fit(MLPClassifier(warm_start=continue_with == "warm_start", **FAST, **before))
    state = clf._network.get_state()
    proba = clf.predict_proba(X_iris)
    clf.set_params(**change)
    with pytest.raises(ValueError, match=message):
        if continue_with == "warm_start":
            clf.fit(X_iris, y_iris)
        else:
            clf.partial_fit(X_iris, y_iris)
    np.testing.assert_array_equal(clf._network.get_state()[0], state[0])
    np.testing.assert_array_equal(clf.predict_proba(X_iris), proba)


def test_another_number_of_outputs_is_refused():
    y = np.c_[X_iris[:, 0], X_iris[:, 1]]
    reg = _fit(MLPRegressor(warm_start=True, **FAST), y=y)
    with pytest.raises(ValueError, match=re.escape(
        "continue the fitted network, which has 2 outputs; the target now needs 1.")):
        reg.fit(X_iris, y[:, 0])


# ---------------------------------------------------------------------------
# Layer state: dropout's step count is saved, and given back by a failed fit
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("options", [dict(dropout=0.3), dict(input_dropout=0.2,
                                                               normalization="batch")])
def test_a_failed_warm_fit_then_a_warm_fit_equals_one_that_never_failed(options):
    # Before dropout's step count was saved: 2e-3 apart in the weights.
    failed = _fit(MLPClassifier(warm_start=True, **FAST, **options))
    twin = copy.deepcopy(failed)
    failed.set_callbacks(RaiseAtEpoch(2))
    with pytest.raises(RuntimeError, match="the callback failed"):
        failed.fit(X_iris, y_iris)
    failed.set_callbacks(RaiseAtEpoch(0))
    twin.set_callbacks(RaiseAtEpoch(0))
    _fit(failed)
    _fit(twin)
    for ours, theirs in zip(failed.coefs_ + failed.intercepts_, twin.coefs_ + twin.intercepts_):
        np.testing.assert_array_equal(ours, theirs)
    # The last fit's epochs (the failed fit's two stay in loss_curve_: the
    # training record's part of issue 13).
    np.testing.assert_array_equal(failed.loss_curve_[-5:], twin.loss_curve_[-5:])


# ---------------------------------------------------------------------------
# Batch statistics over the rows of positive weight
# ---------------------------------------------------------------------------
def test_batch_norm_one_positive_weight_in_a_batch_is_merged():
    # The first case: the second batch's weight sits on one row,
    # whose variance is 0; now it is merged into the first batch.
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10)
    weight = np.array([1.0] * 5 + [1, 0, 0, 0, 0])
    options = dict(hidden_layer_sizes=(3,), normalization="batch", batch_size=5,
                   shuffle=False, random_state=0, max_iter=50)
    weighted = _fit(MLPRegressor(**options), X, y, sample_weight=weight)
    # One batch of the six rows of positive weight trains the same way.
    alone = _fit(MLPRegressor(**dict(options, batch_size=6)), X[:6], y[:6])
    np.testing.assert_allclose(weighted.running_vars_[0], alone.running_vars_[0], rtol=1e-12)
    np.testing.assert_allclose(weighted.predict(X), alone.predict(X), rtol=1e-8)
    assert (weighted.running_vars_[0] > 1e-3).all()


def test_batch_norm_with_mostly_zero_weights_learns_as_without_those_rows():
    # The second case: 90% zero weights and batch_size=2; R^2 was
    # -178 here (-77 in the issue) against 0.75 without those rows.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((1000, 5))
    y = X @ rng.standard_normal(5) + 0.5 * rng.standard_normal(1000)
    weight = (rng.rand(1000) < 0.1).astype(float)
    keep = weight > 0
    options = dict(hidden_layer_sizes=(16,), normalization="batch", batch_size=2,
                   random_state=0, max_iter=30)
    weighted = _fit(MLPRegressor(**options), X, y, sample_weight=weight)
    without = _fit(MLPRegressor(**options), X[keep], y[keep])
    r2_weighted = r2_score(y[keep], weighted.predict(X[keep]))
    r2_without = r2_score(y[keep], without.predict(X[keep]))
    assert r2_without > 0.7
    assert r2_weighted > r2_without - 0.1


def test_batch_norm_needs_two_rows_of_positive_weight():
    reg = MLPRegressor((3,), normalization="batch")
    with pytest.raises(ValueError, match=re.escape(
        "normalization='batch' needs at least 2 samples per mini-batch; got 1 sample "
        "of positive sample_weight in total.")):
        reg.fit(X_iris, X_iris[:, 0], sample_weight=np.r_[1.0, np.zeros(149)])
    layer = BatchNorm()
    layer.build(2, np.float64)
    with pytest.raises(ValueError, match=re.escape(
        "at least 2 samples (of positive sample_weight, when given) per mini-batch in "
        "training; got 1.")):
        layer.forward(np.ones((3, 2)), training=True, sample_weight=np.array([0.0, 2.0, 0.0]))


# ---------------------------------------------------------------------------
# A configuration that trains but cannot learn
# ---------------------------------------------------------------------------
def test_layer_norm_over_one_unit_warns_naming_the_parameters():
    message = re.escape(
        "normalization='layer' over a hidden layer of 1 unit (hidden_layer_sizes=(4, 1)) "
        "makes that layer's output constant")
    with pytest.warns(UserWarning, match=message) as record, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor((4, 1), normalization="layer", max_iter=20, random_state=0)
        reg.fit(X_iris, X_iris[:, 0])
    assert [w.filename for w in record if w.category is UserWarning] == [__file__]
    assert np.ptp(reg.predict(X_iris)) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _fit(MLPRegressor(normalization="batch", hidden_layer_sizes=(4, 1), max_iter=2,
                          random_state=0), y=X_iris[:, 0])


@pytest.mark.parametrize("min_size", [1, 2])
def test_epochs_count_their_steps_without_drawing(min_size):
    # The steps of the next epochs, counted from a copy of the generator:
    # the same as the epochs then give, the generator left as it was.
    rng = np.random.RandomState(0)
    weight = (rng.rand(200) < 0.1).astype(float)
    data = (np.zeros((200, 1)), np.zeros((200, 1)), weight)
    epochs = Epochs(data, np.arange(200), 8, np.random.RandomState(1), min_size)
    state = epochs.get_state()
    n_steps = epochs.n_steps(5)
    np.testing.assert_array_equal(epochs.get_state()[0], state[0])
    assert epochs.random_state.get_state()[1].tolist() == state[1][1].tolist()
    counts = [len(epochs.next_batches()) for _ in range(5)]
    assert n_steps == sum(counts) and len(set(counts)) > 1  # epochs differ
    unweighted = Epochs(data[:2] + (None,), np.arange(200), 8, rng, min_size)
    assert unweighted.n_steps(5) == 5 * 25


def test_epoch_batches_count_the_rows_of_positive_weight():
    order = np.arange(10)
    # Unweighted, only a last batch of one row is merged, as before.
    assert [len(b) for b in epoch_batches(order, 3, min_size=2)] == [3, 3, 4]
    weight = np.array([1.0, 0, 0, 0, 0, 1, 0, 0, 1, 1])
    batches = epoch_batches(order, 2, min_size=2, sample_weight=weight)
    # 1 positive row in [0, 1] takes the next batches up to a second one;
    # [6, 7] has none (no step: left out); [8, 9] has two.
    assert [b.tolist() for b in batches] == [[0, 1, 2, 3, 4, 5], [8, 9]]
    # A last batch with one goes back as far as the last batch with any.
    weight = np.array([1.0, 1, 0, 0, 1, 1, 0, 0, 0, 1])
    batches = epoch_batches(order, 2, min_size=2, sample_weight=weight)
    assert [b.tolist() for b in batches] == [[0, 1], list(range(4, 10))]


def test_estimators_share_the_default_losses_and_never_change_them():
    # Every fit with a loss's default settings trains on one shared instance
    # (DEFAULT_LOSSES): a change of label_smoothing, a warm start or a
    # partial_fit of one estimator must reach neither that instance nor the
    # other estimators fitted on it.
    from skmlp._targets import DEFAULT_LOSSES

    settings = {name: dict(vars(loss)) for name, loss in DEFAULT_LOSSES.items()}
    first = _fit(MLPClassifier(**FAST, warm_start=True))
    second = _fit(MLPClassifier(**FAST))
    assert first._loss is second._loss is DEFAULT_LOSSES["log_loss"]
    _fit(first.set_params(label_smoothing=0.2))
    first.partial_fit(X_iris, y_iris)
    assert first._loss.label_smoothing == 0.2 and second._loss.label_smoothing == 0.0
    _fit(first.set_params(label_smoothing=0.0))
    assert first._loss is DEFAULT_LOSSES["log_loss"]
    _fit(MLPRegressor(**FAST, solver="lbfgs"), y=X_iris[:, :2])  # consistent(): a new loss
    _fit(MLPClassifier(**FAST), y=y_iris == 2)
    assert {name: vars(loss) for name, loss in DEFAULT_LOSSES.items()} == settings
