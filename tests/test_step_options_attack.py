"""Attacks on the step options of issue 15 (schedules, weight decay, gradient
clipping, label smoothing): each test is a defect found, or a doubt on the
promised semantics, written as the behaviour the documentation promises."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier, MLPRegressor
from test_checkpoint import saves  # noqa: F401 (a fixture: the epochs a Checkpoint saved)
from test_checkpoint_contract import StopAt  # a callback that stops at an epoch


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


def _torch_network(torch, n_in, n_hidden, n_out):
    """A float64 relu network with scikit-learn's Glorot-uniform start (random_state=0).

    Drawn in scikit-learn's order (each layer's weights, then its biases), with
    its bound for a softmax or identity output.
    """
    import math

    start = np.random.RandomState(0)
    network = torch.nn.Sequential(
        torch.nn.Linear(n_in, n_hidden), torch.nn.ReLU(), torch.nn.Linear(n_hidden, n_out)
    ).double()
    with torch.no_grad():
        for layer in (network[0], network[2]):
            fan_in, fan_out = layer.in_features, layer.out_features
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            layer.weight.copy_(torch.tensor(start.uniform(-bound, bound, (fan_in, fan_out)).T))
            layer.bias.copy_(torch.tensor(start.uniform(-bound, bound, fan_out)))
    return network


def _torch_schedule(torch, name, optimizer, lr, total_steps):
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=total_steps, pct_start=0.3, cycle_momentum=False
    )


# Held: a classifier (cross-entropy, alpha's penalty divided by the rows of
# each batch, a short last batch) warm-started between a constant rate
# (scikit-learn's velocity) and a schedule (PyTorch's) trains as torch.optim.SGD
# keeping its momentum buffer across the two runs, with the new scheduler
# (tests/test_pytorch_fidelity.py covers single scheduled regressor fits).
@pytest.mark.parametrize("first, second", [("constant", "one_cycle"), ("cosine", "constant")])
def test_warm_start_between_forms_trains_as_pytorch(first, second):
    import math

    torch = pytest.importorskip("torch", reason="compares with PyTorch")
    rng = np.random.RandomState(0)
    X, y = rng.randn(45, 5), rng.randint(0, 3, 45)
    alpha, lr, n_epochs, batch = 1e-3, 0.05, 2, 10
    model = MLPClassifier((8,), solver="sgd", learning_rate=first, learning_rate_init=lr,
                          momentum=0.9, nesterovs_momentum=False, alpha=alpha, batch_size=batch,
                          shuffle=False, max_iter=n_epochs, warm_start=True, random_state=0)
    _quiet(model, "fit", X, y)
    _quiet(model.set_params(learning_rate=second), "fit", X, y)

    network = _torch_network(torch, 5, 8, 3)
    optimizer = torch.optim.SGD(network.parameters(), lr=lr, momentum=0.9)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for name in (first, second):
        optimizer.param_groups[0]["lr"] = lr
        steps_per_epoch = math.ceil(len(X) / batch)  # the last batch has 5 rows
        n_steps = n_epochs * steps_per_epoch
        scheduler = None if name == "constant" else _torch_schedule(
            torch, name, optimizer, lr, n_steps)
        for step in range(n_steps):
            rows = slice(batch * (step % steps_per_epoch), batch * (step % steps_per_epoch + 1))
            optimizer.zero_grad()
            penalty = network[0].weight.square().sum() + network[2].weight.square().sum()
            loss = torch.nn.functional.cross_entropy(network(Xt[rows]), yt[rows])
            (loss + 0.5 * alpha * penalty / len(yt[rows])).backward()
            optimizer.step()
            if scheduler is not None and step < n_steps - 1:
                scheduler.step()
    for ours, layer in zip(model.coefs_, (network[0], network[2])):
        np.testing.assert_allclose(ours, layer.weight.detach().numpy().T, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(model.intercepts_[1], network[2].bias.detach().numpy(), rtol=1e-10)


# Held: a crashed scheduled SGD fit (Nesterov's momentum in PyTorch's form,
# warm-up, zero weights shuffled in, early stopping) resumed from its
# Checkpoint ends bit-identical to the fit that never stopped, also when it
# continues a constant-rate fit (the converted velocity is in the checkpoint).
@pytest.mark.parametrize("warm", [False, True])
def test_a_crashed_scheduled_sgd_fit_resumes_bit_identical(digits, tmp_path, warm, saves):
    import pickle

    from skmlp.callback import Checkpoint

    X, y = digits
    weights = np.random.RandomState(1).rand(len(X))
    weights[::2] = 0.0

    def model():
        model = MLPClassifier((6,), solver="sgd", learning_rate="constant", batch_size=7,
                              max_iter=2, warm_start=True, early_stopping=True,
                              n_iter_no_change=50, random_state=0)
        if warm:
            _quiet(model, "fit", X, y, sample_weight=weights)
        return model.set_params(learning_rate="cosine", warmup_fraction=0.2, max_iter=4)

    reference = _quiet(model(), "fit", X, y, sample_weight=weights)
    crashed = model().set_callbacks(Checkpoint(tmp_path), StopAt(3, "error"))
    with pytest.raises(RuntimeError, match="the callback failed"):
        _quiet(crashed, "fit", X, y, sample_weight=weights)
    (path,) = tmp_path.iterdir()
    saved = pickle.loads(path.read_bytes())["state"].record
    assert saves == [1, 2] and saved.n_iter == 2
    assert saved.optimizer.velocity_form == "pytorch" and saved.optimizer.schedule.n_steps > 0
    saves.clear()
    resumed = _quiet(model().set_callbacks(Checkpoint(tmp_path)), "fit", X, y,
                     sample_weight=weights)
    # It went on from the checkpoint (epoch 4, the end, is deleted, not saved).
    assert saves == [3] and not path.exists()
    for name in ("coefs_", "intercepts_", "loss_curve_", "validation_scores_",
                 "learning_rate_curve_"):
        for ours, theirs in zip(getattr(resumed, name), getattr(reference, name)):
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
    np.testing.assert_array_equal(resumed._optimizer.velocity, reference._optimizer.velocity)
    assert reference._optimizer.schedule.ended


# Held: n_init restarts of scheduled Nesterov SGD with zero weights shuffled
# in (each restart counts its steps from a copy of its own generator) are the
# same for any n_jobs, and every restart's schedule ran to its end.
def test_scheduled_sgd_restarts_with_zero_weights_are_the_same_for_any_n_jobs(digits):
    X, y = digits
    weights = np.random.RandomState(3).rand(len(X))
    weights[np.random.RandomState(4).rand(len(X)) < 0.7] = 0.0
    params = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate="cosine",
                  warmup_fraction=0.1, batch_size=5, max_iter=3, n_init=2, random_state=0)
    one = _quiet(MLPClassifier(**params, n_jobs=1), "fit", X, y, sample_weight=weights)
    two = _quiet(MLPClassifier(**params, n_jobs=2), "fit", X, y, sample_weight=weights)
    np.testing.assert_array_equal(one._network.params, two._network.params)
    np.testing.assert_array_equal(one.learning_rate_curve_, two.learning_rate_curve_)
    assert one._optimizer.schedule.n_steps == one._optimizer.schedule.total_steps
    assert len(one.learning_rate_curve_) < 3 * -(-len(X) // 5)  # batches were left out


# Held: a partial_fit stream of uneven chunks, some with mini-batches whose
# rows all weigh 0 (shuffle=False: batches of consecutive rows), takes one step
# per batch with some weight, and its rates follow the one schedule planned
# from the first call (max_iter times its steps).
def test_partial_fit_stream_with_zero_weight_batches_counts_only_steps():
    from skmlp.nn import CosineAnnealing

    rng = np.random.RandomState(0)
    X, y = rng.randn(120, 4), rng.randn(120)
    weights = rng.rand(120)
    weights[8:16] = weights[50:58] = 0.0
    chunks = [slice(0, 37), slice(37, 42), slice(42, 120)]
    model = MLPRegressor((5,), solver="sgd", learning_rate="cosine", batch_size=4,
                         shuffle=False, max_iter=10, random_state=0)
    counted = []
    for chunk in chunks:
        model.partial_fit(X[chunk], y[chunk], sample_weight=weights[chunk])
        w = weights[chunk]
        counted.append(sum(w[start:start + 4].any() for start in range(0, len(w), 4)))
    assert counted == [8, 2, 18]  # 2 of the first chunk's batches weigh 0, 2 of the last's
    schedule = CosineAnnealing(model.learning_rate_init, 10 * counted[0])
    expected = [schedule.next_rate() for _ in range(sum(counted))]
    np.testing.assert_array_equal(model.learning_rate_curve_, expected)


# Held: boolean input reaches skmlp's converter inside a Pipeline as it
# reaches scikit-learn's (skl2onnx's own converters of preceding steps, such
# as StandardScaler's, refuse it for both alike).
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_onnx_export_of_a_pipeline_with_boolean_input(Estimator):
    pytest.importorskip("skl2onnx", reason="needs the 'onnx' extra")
    import onnxruntime
    from skl2onnx import to_onnx
    from sklearn.pipeline import Pipeline

    import skmlp.onnx  # noqa: F401  (registers the converters)

    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 6) > 0.5, rng.randint(0, 3, 60)
    pipe = _quiet(Pipeline([("mlp", Estimator((5,), max_iter=30, random_state=0))]), "fit", X, y)
    onx = to_onnx(pipe, X[:1], options={"zipmap": False} if Estimator is MLPClassifier else None)
    session = onnxruntime.InferenceSession(onx.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(bool)"
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    if Estimator is MLPClassifier:
        np.testing.assert_array_equal(outputs[0], pipe.predict(X))
        np.testing.assert_allclose(outputs[1], pipe.predict_proba(X), atol=1e-6)
    else:
        np.testing.assert_allclose(outputs[0].ravel(), pipe.predict(X), rtol=1e-5, atol=1e-6)


# A velocity converted to scikit-learn's form holds the rate it was converted
# by: converted back before any step, it is the velocity it was.
def test_velocity_converted_there_and_back_without_a_step_is_unchanged():
    from skmlp.nn import SGD, CosineAnnealing

    rng = np.random.RandomState(0)
    params = rng.randn(6)
    scheduled = SGD(0.1, lr_schedule="cosine", schedule=CosineAnnealing(0.1, 4))
    for _ in range(3):
        scheduled.update(params, rng.randn(6))
    constant = SGD(0.1).continue_from(scheduled)
    back = SGD(0.1, lr_schedule="cosine", schedule=CosineAnnealing(0.1, 4)).continue_from(constant)
    np.testing.assert_allclose(constant.velocity, -0.1 * scheduled.velocity, rtol=1e-15)
    np.testing.assert_allclose(back.velocity, scheduled.velocity, rtol=1e-15)


# Held: learning_rate_curve_ is a read-only view of the schedule's cache after a
# fit; copies (deepcopy, pickle, joblib) hold their own array, and a copy that
# goes on along the schedule gives the same curve as the original.
def test_learning_rate_curve_is_read_only_and_copies_go_on_alike(digits):
    import copy
    import io
    import pickle

    import joblib
    from sklearn.base import clone

    X, y = digits
    model = MLPClassifier((5,), solver="sgd", learning_rate="cosine", max_iter=4, batch_size=100,
                          random_state=0)
    model.partial_fit(X, y, classes=np.unique(y))
    curve = model.learning_rate_curve_
    with pytest.raises(ValueError, match="read-only"):
        curve[0] = 1.0
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    copies = [copy.deepcopy(model), pickle.loads(pickle.dumps(model)),
              joblib.load(io.BytesIO(buffer.getvalue()))]
    assert not hasattr(clone(model), "learning_rate_curve_")
    for other in copies:
        np.testing.assert_array_equal(other.learning_rate_curve_, curve)
        assert not np.shares_memory(other.learning_rate_curve_, curve)
    model.partial_fit(X, y)
    for other in copies:
        other.partial_fit(X, y)
        np.testing.assert_array_equal(other.learning_rate_curve_, model.learning_rate_curve_)
    np.testing.assert_array_equal(curve, model.learning_rate_curve_[: len(curve)])


# Held: with mini-batches whose rows all weigh 0 (shuffle=False), a weighted
# Nesterov SGD fit under a cosine schedule with warm-up trains as torch.optim.SGD
# stepping only on the batches with weight, under Hugging Face's cosine-with-
# warm-up lambda over those steps (T = 12 steps of 2 epochs, not 16 batches).
def test_weighted_fit_with_zero_weight_batches_trains_as_pytorch():
    import math

    torch = pytest.importorskip("torch", reason="compares with PyTorch")
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5), rng.randn(40)
    weights = rng.rand(40) + 0.1
    weights[10:20] = 0.0  # batches 2 and 3 of each epoch
    lr, batch, n_epochs = 0.05, 5, 2
    model = MLPRegressor((6,), solver="sgd", learning_rate="cosine", warmup_fraction=0.25,
                         learning_rate_init=lr, momentum=0.9, nesterovs_momentum=True,
                         alpha=0.0, batch_size=batch, shuffle=False, max_iter=n_epochs,
                         random_state=0)
    model.fit(X, y, sample_weight=weights)
    assert len(model.learning_rate_curve_) == 12

    network = _torch_network(torch, 5, 6, 1)
    optimizer = torch.optim.SGD(network.parameters(), lr=lr, momentum=0.9, nesterov=True)
    T, W = 12, 3
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / W if s < W else (1 + math.cos(math.pi * (s - W) / (T - W))) / 2
    )
    Xt, yt, wt = torch.tensor(X), torch.tensor(y[:, None]), torch.tensor(weights[:, None])
    batches = [slice(s, s + batch) for s in range(0, len(X), batch) if weights[s:s + batch].any()]
    for step in range(T):
        rows = batches[step % len(batches)]
        optimizer.zero_grad()
        squared = (network(Xt[rows]) - yt[rows]) ** 2
        ((wt[rows] * squared).sum() / wt[rows].sum() / 2).backward()
        optimizer.step()
        if step < T - 1:
            scheduler.step()
    for ours, layer in zip(model.coefs_, (network[0], network[2])):
        np.testing.assert_allclose(ours, layer.weight.detach().numpy().T, rtol=1e-10, atol=1e-14)
