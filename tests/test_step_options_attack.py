"""Attacks on the step options of issue 15 (schedules, weight decay, gradient
clipping, label smoothing): each test is a defect found, or a doubt on the
promised semantics, written as the behaviour the documentation promises."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


def _quiet(model, method, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(model, method)(*args, **kwargs)


# ---------------------------------------------------------------------------
# weight_decay * learning_rate_init >= 1: the "shrink" factor 1 - lr * wd of
# every step is <= 0, so each step zeroes the weights or flips their sign and
# scales them up. At c355888 such a fit runs to a loss of ~1e20 without any
# error or warning.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("weight_decay, learning_rate_init", [(1e4, 1e-3), (1000.0, 1e-3), (20.0, 0.1)])
def test_weight_decay_that_flips_the_weights_is_a_clear_error(
    digits, Estimator, solver, weight_decay, learning_rate_init
):
    X, y = digits
    model = Estimator(
        (5,), solver=solver, weight_decay=weight_decay, learning_rate_init=learning_rate_init,
        max_iter=5, random_state=0,
    )
    with pytest.raises(ValueError, match=r"weight_decay \* learning_rate_init must be below 1"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


def test_weight_decay_error_leaves_a_fitted_model_as_it_was(digits):
    X, y = digits
    model = _quiet(MLPClassifier((5,), max_iter=3, random_state=0), "fit", X, y)
    proba, params = model.predict_proba(X), model._network.params.copy()
    attributes = set(vars(model))
    model.set_params(warm_start=True, weight_decay=1e4)
    for method in ("fit", "partial_fit"):
        with pytest.raises(ValueError, match="weight_decay"):
            getattr(model, method)(X, y)
        np.testing.assert_array_equal(model._network.params, params)
        np.testing.assert_array_equal(model.predict_proba(X), proba)
        assert set(vars(model)) == attributes


def test_weight_decay_just_below_the_limit_still_fits(digits):
    X, y = digits
    model = _quiet(MLPClassifier((5,), weight_decay=999.0, max_iter=2, random_state=0), "fit", X, y)
    assert np.isfinite(model.loss_)


# ---------------------------------------------------------------------------
# partial_fit and max_iter: the schedule of partial_fit spans max_iter calls,
# and a changed learning_rate_init, warmup_fraction or max_iter starts a new
# one (at c355888 a changed max_iter was ignored: the calls beyond the old
# max_iter stayed at the final rate, 1/25e4 of the peak for one_cycle).
# ---------------------------------------------------------------------------
def test_partial_fit_follows_a_changed_max_iter(digits):
    X, y = digits
    model = MLPClassifier((5,), learning_rate="one_cycle", max_iter=2, random_state=0)
    for _ in range(2):
        model.partial_fit(X, y, classes=np.unique(y))
    final = model.learning_rate_curve_[-1]
    model.set_params(max_iter=10)
    model.partial_fit(X, y)
    # A schedule over the new 10 calls (anew or extended) is far above the
    # final rate of the 2-call one.
    assert model.learning_rate_curve_[-1] > 100 * final


# ---------------------------------------------------------------------------
# fit, then partial_fit: at c355888 partial_fit went on along the fit's
# schedule, which had ended at max_iter, so every later call trained at its
# last rate (cosine: ~1e-5 of the peak). A schedule that has run its steps
# is now followed by a new one (a warm restart).
# ---------------------------------------------------------------------------
def test_partial_fit_after_a_scheduled_fit_still_trains(digits):
    X, y = digits
    model = _quiet(
        MLPClassifier((5,), learning_rate="cosine", max_iter=3, random_state=0), "fit", X, y
    )
    n_fit_steps = len(model.learning_rate_curve_)
    model.partial_fit(X, y)
    rates = model.learning_rate_curve_
    assert len(rates) == n_fit_steps // 3  # the new schedule's first epoch
    assert rates.max() > 0.1 * model.learning_rate_init


# ---------------------------------------------------------------------------
# Attacks that held up (kept as regression tests)
# ---------------------------------------------------------------------------
def test_a_failed_partial_fit_leaves_the_schedule_and_clip_count_as_they_were(digits, monkeypatch):
    from skmlp.nn import Sequential

    X, y = digits
    model = MLPClassifier((5,), learning_rate="cosine", max_iter=5, batch_size=50,
                          max_grad_norm=0.1, random_state=0)
    model.partial_fit(X, y, classes=np.unique(y))
    curve, n_steps = model.learning_rate_curve_.copy(), model._optimizer.schedule.n_steps
    fraction, params = model.clipped_fraction_, model._network.params.copy()
    original, calls = Sequential.loss_gradient, {"n": 0}

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("failure in the third mini-batch")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Sequential, "loss_gradient", failing)
    with pytest.raises(RuntimeError, match="third mini-batch"):
        model.partial_fit(X, y)
    monkeypatch.setattr(Sequential, "loss_gradient", original)
    np.testing.assert_array_equal(model.learning_rate_curve_, curve)
    assert model._optimizer.schedule.n_steps == n_steps
    assert model.clipped_fraction_ == fraction
    np.testing.assert_array_equal(model._network.params, params)
    model.partial_fit(X, y)  # goes on along the schedule from where it was
    assert len(model.learning_rate_curve_) == 2 * len(curve)


def test_schedule_spans_the_training_rows_of_early_stopping(digits):
    from skmlp.nn import CosineAnnealing

    X, y = digits
    model = _quiet(MLPClassifier((5,), learning_rate="cosine", early_stopping=True, batch_size=16,
                                 max_iter=4, n_iter_no_change=100, random_state=0), "fit", X, y)
    n_batches = -(-(len(X) - int(np.ceil(0.1 * len(X)))) // 16)
    schedule = CosineAnnealing(model.learning_rate_init, 4 * n_batches)
    expected = [schedule.next_rate() for _ in range(4 * n_batches)]
    np.testing.assert_allclose(model.learning_rate_curve_, expected, rtol=0, atol=0)


def test_restarts_with_every_option_are_the_same_for_any_n_jobs(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(5,), learning_rate="one_cycle", weight_decay=0.05,
                  max_grad_norm=0.5, label_smoothing=0.1, max_iter=4, n_init=3,
                  early_stopping=True, random_state=0)
    one = _quiet(MLPClassifier(**params, n_jobs=1), "fit", X, y)
    two = _quiet(MLPClassifier(**params, n_jobs=2), "fit", X, y)
    np.testing.assert_array_equal(one._network.params, two._network.params)
    np.testing.assert_array_equal(one.learning_rate_curve_, two.learning_rate_curve_)
    assert one.clipped_fraction_ == two.clipped_fraction_


# ---------------------------------------------------------------------------
# warm_start with a changed label_smoothing: the loss the record's best_loss_
# was the minimum of (unsmoothed cross-entropy, ~0.05) can never be reached by
# the smoothed one (whose minimum is above 0.5 here), so the tol rule counts
# every epoch as "no improvement" and the fit stops after n_iter_no_change + 1
# epochs, far from converged, reporting the old objective's best_loss_.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("smoothing", [(0.0, 0.2), (0.3, 0.0)])
def test_warm_start_with_a_changed_label_smoothing_compares_losses_of_one_objective(
    digits, smoothing
):
    X, y = digits
    model = _quiet(MLPClassifier((20,), max_iter=150, random_state=0, warm_start=True,
                                 label_smoothing=smoothing[0]), "fit", X, y)
    model.set_params(label_smoothing=smoothing[1], max_iter=30)
    _quiet(model, "fit", X, y)
    this_fit = model.loss_curve_[-model.n_iter_:]
    assert model.best_loss_ == min(this_fit)
    if smoothing[1] > smoothing[0]:
        assert model.n_iter_ > model.n_iter_no_change + 1


# ---------------------------------------------------------------------------
# skops: a model with a schedule could not be saved (its rates were an
# array.array, which skops cannot persist: "cannot pickle 'array' object"),
# and the schedules were not among trusted_types(). test_persistence's
# round trip over test_common's configurations fails at c355888.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("learning_rate", ["cosine", "one_cycle"])
def test_a_scheduled_model_round_trips_through_skops_and_goes_on_along_its_schedule(
    digits, learning_rate
):
    sio = pytest.importorskip("skops.io", reason="needs skops (the 'test' extra)")
    from skmlp import trusted_types

    X, y = digits
    model = MLPClassifier((5,), learning_rate=learning_rate, max_iter=4, batch_size=100,
                          random_state=0)
    model.partial_fit(X, y, classes=np.unique(y))
    data = sio.dumps(model)
    assert set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    loaded = sio.loads(data, trusted=trusted_types())
    np.testing.assert_array_equal(loaded.learning_rate_curve_, model.learning_rate_curve_)
    for continued in (model, loaded):
        continued.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.learning_rate_curve_, model.learning_rate_curve_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


# ---------------------------------------------------------------------------
# Issue 22 items 6-13 (PyTorch's momentum form under a schedule, clipping
# band, warm-up, steps counted, cached rates, bool ONNX input).
# ---------------------------------------------------------------------------
def _regression_data():
    rng = np.random.RandomState(0)
    return rng.randn(60, 4), rng.randn(60)


# A warm start from unscheduled SGD (scikit-learn's velocity, rate inside)
# into a schedule (PyTorch's, a sum of gradients) divides the velocity by
# "the rate it holds". 'invscaling' and 'adaptive' change learning_rate at
# the end of the epoch, after the last step: at 537514a the velocity was
# divided by that next rate (1/sqrt(t + 1) of the rate it holds after one
# invscaling epoch of 60 rows, 1/5 after an adaptive reduction), so it came
# out 7.8 or 5 times too large. Here the velocities before the warm start are
# equal to those of a constant-rate fit, as are the rates they hold, so the
# scheduled fits that continue them must be the same.
@pytest.mark.parametrize("first, settings", [
    ("invscaling", dict(max_iter=1)),
    ("adaptive", dict(max_iter=3, tol=1e9, n_iter_no_change=1)),
])
def test_velocity_is_converted_by_the_rate_of_the_last_step(first, settings):
    X, y = _regression_data()

    def continued(learning_rate):
        model = MLPRegressor((6,), solver="sgd", learning_rate=learning_rate,
                             learning_rate_init=0.05, batch_size=60, shuffle=False,
                             warm_start=True, random_state=0, **settings)
        _quiet(model, "fit", X, y)
        velocity = model._optimizer.velocity.copy()
        model.set_params(learning_rate="cosine", max_iter=2, tol=1e-4, n_iter_no_change=10)
        return velocity, _quiet(model, "fit", X, y)

    velocity, scheduled = continued(first)
    reference_velocity, reference = continued("constant")
    np.testing.assert_array_equal(velocity, reference_velocity)
    for ours, theirs in zip(scheduled.coefs_, reference.coefs_):
        np.testing.assert_array_equal(ours, theirs)
