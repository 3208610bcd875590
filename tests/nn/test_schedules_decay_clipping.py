"""Schedules, decoupled weight decay, gradient clipping and label smoothing
in the core, against closed forms and finite differences (against PyTorch
in tests/test_pytorch_fidelity.py)."""

import math
import pickle

import numpy as np
import pytest

from skmlp._training.loop import run_epoch
from skmlp.nn import (
    LOSSES,
    SGD,
    Adam,
    BatchNorm,
    BinaryLogLoss,
    CosineAnnealing,
    Dense,
    MultinomialLogLoss,
    Objective,
    OneCycle,
    ReLU,
    Schedule,
    Sequential,
    clip_grad_norm,
)
from skmlp.utils import check_network_gradient, numerical_gradient, relative_error


# ---------------------------------------------------------------- schedules
def _cosine_closed_form(max_lr, T, W):
    return [
        max_lr * s / W if s < W else max_lr * (1 + math.cos(math.pi * (s - W) / (T - W))) / 2
        for s in range(T)
    ]


def _one_cycle_closed_form(max_lr, T, pct):
    initial, peak_step = max_lr / 25, pct * T - 1
    final = initial / 1e4

    def anneal(a, b, f):
        return b + (a - b) * (1 + math.cos(math.pi * f)) / 2

    return [
        anneal(initial, max_lr, s / peak_step)
        if s <= peak_step
        else anneal(max_lr, final, (s - peak_step) / (T - 1 - peak_step))
        for s in range(T)
    ]


def _rates(schedule, n):
    return np.array([schedule.next_rate() for _ in range(n)])


@pytest.mark.parametrize("T, fraction", [(50, 0.0), (50, 0.2), (7, 0.5), (1, 0.0)])
def test_cosine_schedule_closed_form(T, fraction):
    schedule = CosineAnnealing(0.02, T, fraction)
    expected = _cosine_closed_form(0.02, T, round(fraction * T))
    np.testing.assert_allclose(_rates(schedule, T), expected, rtol=1e-12)
    assert list(schedule.rates) == list(_rates(CosineAnnealing(0.02, T, fraction), T))
    assert schedule.n_steps == T


def _hugging_face_cosine_with_warmup(max_lr, T, W):
    """transformers' get_cosine_schedule_with_warmup (num_cycles=0.5) as written there."""

    def lr_lambda(step):
        if step < W:
            return float(step) / float(max(1, W))
        progress = float(step - W) / float(max(1, T - W))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))

    return [max_lr * lr_lambda(s) for s in range(T)]


@pytest.mark.parametrize("T, fraction", [(7, 0.95), (3, 0.9), (1, 0.6), (10, 0.96),
                                         (10, 0.94), (50, 0.2), (5, 0.0)])
def test_cosine_warm_up_is_hugging_faces_up_to_the_whole_run(T, fraction):
    # round(fraction * T) == T for the first four: the whole run is warm-up
    # (a cap at T - 1 steps made the last step the peak; issue 22, item 8).
    W = round(fraction * T)
    schedule = CosineAnnealing(0.02, T, fraction)
    assert schedule.warmup_steps == W
    rates = _rates(schedule, T)
    np.testing.assert_allclose(rates, _hugging_face_cosine_with_warmup(0.02, T, W),
                               rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(rates, _cosine_closed_form(0.02, T, W), rtol=1e-12, atol=1e-18)
    if W == T:
        assert rates[-1] == pytest.approx(0.02 * (T - 1) / T, rel=1e-12)


@pytest.mark.parametrize("T, fraction", [(100, 0.3), (37, 0.25), (10, 0.0), (3, 0.9)])
def test_one_cycle_schedule_closed_form(T, fraction):
    rates = _rates(OneCycle(3e-3, T, fraction), T)
    np.testing.assert_allclose(rates, _one_cycle_closed_form(3e-3, T, fraction), rtol=1e-12)
    assert rates.max() <= 3e-3 * (1 + 1e-12)
    np.testing.assert_allclose(rates[-1], 3e-3 / 25e4, rtol=1e-9)


class _CountedCosine(CosineAnnealing):
    n_computed = 0

    def _closed_form(self, step):
        type(self).n_computed += 1
        return super()._closed_form(step)


def test_rates_compute_each_step_once_however_often_read():
    # Read after every step (a partial_fit stream, a callback's snapshot):
    # one closed form per step for next_rate and one for rates, not a
    # recomputation of every past step at every read (issue 22, item 10).
    schedule = _CountedCosine(0.1, 300, 0.1)
    for n in range(1, 301):
        schedule.next_rate()
        rates = schedule.rates
        assert rates.shape == (n,)
    assert _CountedCosine.n_computed == 2 * 300
    np.testing.assert_array_equal(rates, _rates(CosineAnnealing(0.1, 300, 0.1), 300))
    with pytest.raises(ValueError, match="read-only"):
        rates[0] = 1.0  # the cache stays true to the closed form


def test_rates_cache_is_not_pickled():
    # A checkpoint or a saved model is the same bytes whether the rates were
    # read or not, and an unpickled schedule computes them again.
    schedule = OneCycle(0.1, 50, 0.3)
    for _ in range(20):
        schedule.next_rate()
    before = pickle.dumps(schedule)
    rates = schedule.rates.copy()
    assert pickle.dumps(schedule) == before
    copy = pickle.loads(before)
    copy.next_rate()
    np.testing.assert_array_equal(copy.rates, _rates(OneCycle(0.1, 50, 0.3), 21))
    np.testing.assert_array_equal(copy.rates[:20], rates)


def test_schedules_stay_at_their_last_rate_past_their_end():
    schedule = OneCycle(0.1, 4)
    rates = _rates(schedule, 6)
    assert rates[4] == rates[5] == rates[3]
    assert schedule.rate(10) == schedule.rate(3) == rates[3]
    assert CosineAnnealing(1.0, 10).rate(11) == CosineAnnealing(1.0, 10).rate(9)


def test_schedules_reject_impossible_lengths():
    with pytest.raises(ValueError, match="total_steps"):
        CosineAnnealing(0.1, 0)
    with pytest.raises(ValueError, match="warmup_fraction"):
        OneCycle(0.1, 10, 1.0)


def test_sgd_steps_at_the_scheduled_rate():
    # Plain gradient descent (no momentum): params -= rate_s * g at step s.
    rng = np.random.RandomState(0)
    params, grads = rng.randn(5), rng.randn(3, 5)
    optimizer = SGD(0.1, momentum=0.0, nesterov=False, schedule=OneCycle(0.1, 3, 0.3))
    expected = params.copy()
    for s, rate in enumerate(_one_cycle_closed_form(0.1, 3, 0.3)):
        expected -= rate * grads[s]
        optimizer.update(params, grads[s].copy())
        assert optimizer.learning_rate == pytest.approx(rate, rel=1e-12)
    np.testing.assert_allclose(params, expected, rtol=1e-12)


class _Constant(Schedule):
    """A schedule of one rate: scikit-learn's and PyTorch's momentum agree on it."""

    def _closed_form(self, step):
        return self.max_lr


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_momentum_with_a_schedule_closed_form(nesterov):
    # PyTorch's form: the velocity sums gradients, the step's rate scales
    # the step (tests/test_pytorch_fidelity.py compares with torch.optim.SGD).
    rng = np.random.RandomState(0)
    start, grads, mu = rng.randn(5), rng.randn(4, 5), 0.9
    rates = _cosine_closed_form(0.1, 4, 1)  # 0, then down from the peak
    optimizer = SGD(0.1, momentum=mu, nesterov=nesterov, schedule=CosineAnnealing(0.1, 4, 0.25))
    params, expected, velocity = start.copy(), start.copy(), np.zeros(5)
    for g, rate in zip(grads, rates):
        optimizer.update(params, g.copy())
        velocity = mu * velocity + g
        expected -= rate * (g + mu * velocity if nesterov else velocity)
    np.testing.assert_allclose(params, expected, rtol=1e-12)
    assert optimizer.velocity_form == "pytorch"
    assert SGD(0.1).velocity_form == "scikit-learn"


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_momentum_forms_agree_at_a_constant_rate_and_convert(nesterov):
    # Two steps in one form, two more in the other (a warm start that turns
    # a schedule on or off): the steps of one form throughout.
    rng = np.random.RandomState(1)
    start, grads = rng.randn(6), rng.randn(4, 6)

    def run(first, second):
        params = start.copy()
        for g in grads[:2]:
            first.update(params, g.copy())
        second.continue_from(first)
        for g in grads[2:]:
            second.update(params, g.copy())
        return params

    def plain():
        return SGD(0.05, momentum=0.8, nesterov=nesterov)

    def scheduled():
        return SGD(0.05, momentum=0.8, nesterov=nesterov, schedule=_Constant(0.05, 10))

    expected = run(plain(), plain())
    for first, second in ((plain(), scheduled()), (scheduled(), plain()),
                          (scheduled(), scheduled())):
        np.testing.assert_allclose(run(first, second), expected, rtol=1e-12)
    # The converted velocity is a new array: the continued optimiser keeps its own.
    first, second = plain(), scheduled()
    run(first, second)
    assert second.velocity is not first.velocity


# ------------------------------------------------------ decoupled weight decay
def _adam_closed_form(params, grads, lr_rates, wd, n_decayed, b1=0.9, b2=0.999, eps=1e-8):
    params, m, v = params.copy(), np.zeros_like(params), np.zeros_like(params)
    for t, (g, lr) in enumerate(zip(grads, lr_rates), start=1):
        params[:n_decayed] *= 1 - lr * wd
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        params -= lr_t * m / (np.sqrt(v) + eps)
    return params


@pytest.mark.parametrize("chunk_size", [None, 3])
def test_adamw_step_closed_form(chunk_size):
    rng = np.random.RandomState(0)
    params, grads = rng.randn(8), rng.randn(4, 8)
    optimizer = Adam(0.01, weight_decay=0.5, schedule=CosineAnnealing(0.01, 4, 0.25))
    if chunk_size is not None:  # decay across chunk boundaries, ending mid-chunk
        optimizer.chunk_size = chunk_size
    trained = params.copy()
    for g in grads:
        optimizer.update(trained, g.copy(), n_decayed=5)
    rates = _cosine_closed_form(0.01, 4, 1)
    np.testing.assert_allclose(trained, _adam_closed_form(params, grads, rates, 0.5, 5), rtol=1e-12)


def test_sgdw_step_closed_form():
    rng = np.random.RandomState(1)
    params, grad = rng.randn(6), rng.randn(6)
    trained = params.copy()
    SGD(0.1, momentum=0.0, nesterov=False, weight_decay=0.2).update(trained, grad.copy(), n_decayed=4)
    expected = params - 0.1 * grad
    expected[:4] -= 0.1 * 0.2 * params[:4]
    np.testing.assert_allclose(trained, expected, rtol=1e-12)


def test_weight_decay_shrinks_dense_weights_only():
    # One epoch of one batch from the same start, with and without decay:
    # the first step's gradients are equal, so the weights differ by
    # exactly lr * wd * w and the biases and batch-norm parameters not at all.
    def network():
        return Sequential([Dense(6), BatchNorm(), ReLU(), Dense(3)]).build(
            4, np.float64, np.random.RandomState(0)
        )

    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 4), np.eye(3)[rng.randint(3, size=20)]
    plain, decayed = network(), network()
    start = plain.params.copy()
    for net, optimizer in ((plain, Adam(0.01)), (decayed, Adam(0.01, weight_decay=0.3))):
        objective = Objective(MultinomialLogLoss(), 1e-4, net.n_penalized)
        run_epoch(net, objective, optimizer, (X, y, None), [np.arange(20)])
    n = plain.n_penalized
    np.testing.assert_allclose(decayed.params[:n], plain.params[:n] - 0.01 * 0.3 * start[:n],
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(decayed.params[n:], plain.params[n:])
    assert n == 4 * 6 + 6 * 3  # the dense weights


# ---------------------------------------------------------------- clipping
def test_clip_grad_norm_caps_the_norm_and_keeps_the_direction():
    rng = np.random.RandomState(0)
    grads = rng.randn(50) * 10
    original = grads.copy()
    norm = clip_grad_norm(grads, 2.0)
    assert norm == pytest.approx(np.linalg.norm(original))
    assert np.linalg.norm(grads) == pytest.approx(2.0, rel=1e-5)
    assert np.linalg.norm(grads) <= 2.0
    cosine = grads @ original / (np.linalg.norm(grads) * np.linalg.norm(original))
    assert cosine == pytest.approx(1.0, abs=1e-12)
    small = rng.randn(5) * 0.01
    kept = small.copy()
    clip_grad_norm(small, 2.0)
    np.testing.assert_array_equal(small, kept)


@pytest.mark.parametrize("excess, scaled", [(1e-3, True), (0.0, True), (-5e-7, True),
                                            (-1.5e-6, False), (-0.5, False)])
def test_clip_grad_norm_scales_from_a_norm_of_max_norm_minus_1e6(excess, scaled):
    # PyTorch's rule: multiply by min(1, max_norm / (norm + 1e-6)), which is
    # below 1 a little below the bound too (issue 22, item 7).
    direction = np.random.RandomState(0).randn(20)
    grads = direction * (2.0 + excess) / np.linalg.norm(direction)
    clipped = grads.copy()
    norm = clip_grad_norm(clipped, 2.0)
    np.testing.assert_allclose(clipped, grads * min(1.0, 2.0 / (norm + 1e-6)), rtol=1e-15)
    assert (clipped != grads).any() == scaled
    optimizer = SGD(1.0, momentum=0.0, max_grad_norm=2.0)
    optimizer.update(np.zeros(20), grads.copy())
    assert optimizer.n_clipped == scaled


def test_optimizer_clips_before_its_step_and_counts():
    # SGD without momentum moves by exactly lr times the clipped gradient.
    params, grads = np.zeros(4), np.array([3.0, 4.0, 0.0, 0.0])  # norm 5
    optimizer = SGD(1.0, momentum=0.0, nesterov=False, max_grad_norm=1.0)
    optimizer.update(params, grads.copy())
    np.testing.assert_allclose(params, -grads / (5 + 1e-6))
    optimizer.update(params, grads * 0.1)  # norm 0.5: not clipped
    assert (optimizer.n_steps, optimizer.n_clipped) == (2, 1)


# ------------------------------------------------------------ label smoothing
def _direct_smoothed_cross_entropy(Z, y, eps, sample_weight, kind):
    if kind == "softmax":
        K = Z.shape[1]
        target = (1 - eps) * y + eps / K
        log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        per_sample = -(target * log_p).sum(axis=1)
    else:
        target = (1 - eps) * y + eps / 2
        p = 1 / (1 + np.exp(-Z))
        per_sample = -(target * np.log(p) + (1 - target) * np.log(1 - p)).sum(axis=1)
    return np.average(per_sample, weights=sample_weight)


@pytest.mark.parametrize("loss_class, kind, n_outputs", [
    (MultinomialLogLoss, "softmax", 4),
    (BinaryLogLoss, "sigmoid", 1),
    (BinaryLogLoss, "sigmoid", 3),  # multilabel
])
@pytest.mark.parametrize("weighted", [False, True])
def test_label_smoothed_loss_value_and_gradient(loss_class, kind, n_outputs, weighted):
    rng = np.random.RandomState(0)
    Z = rng.standard_normal((9, n_outputs)) * 2
    if kind == "softmax":
        y = np.eye(n_outputs)[rng.randint(n_outputs, size=9)]
    else:
        y = (rng.rand(9, n_outputs) < 0.5).astype(float)
    sample_weight = rng.rand(9) if weighted else None
    loss = loss_class(label_smoothing=0.2)
    value, dZ = loss.loss_gradient(Z, y, sample_weight)
    expected = _direct_smoothed_cross_entropy(Z, y, 0.2, sample_weight, kind)
    assert value == pytest.approx(expected, rel=1e-12)
    assert loss.loss(Z, y, sample_weight) == pytest.approx(expected, rel=1e-12)
    numeric = numerical_gradient(lambda: loss.loss(Z, y, sample_weight), Z)
    assert relative_error(dZ, numeric) < 1e-6
    # The targets passed in are not changed, and 0 is the plain log-loss.
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert loss_class(label_smoothing=0.0).loss(Z, y, sample_weight) == loss_class().loss(
        Z, y, sample_weight
    )


@pytest.mark.parametrize("loss_class", [MultinomialLogLoss, BinaryLogLoss])
def test_label_smoothed_loss_is_smallest_at_the_smoothed_targets(loss_class):
    # The gradient h(Z) - y_smoothed vanishes where the outputs' probabilities
    # are the smoothed targets (1 - eps + eps / K for a sample's class), and
    # larger logits for its class raise the loss.
    y = np.eye(4)[[0, 2, 3]]
    eps, K = 0.2, (4 if loss_class is MultinomialLogLoss else 2)
    target = (1 - eps) * y + eps / K
    Z = np.log(target) if K == 4 else np.log(target / (1 - target))
    loss = loss_class(label_smoothing=eps)
    value, dZ = loss.loss_gradient(Z, y, None)
    np.testing.assert_allclose(dZ, 0.0, atol=1e-16)
    assert loss.loss(Z + 0.5 * y, y, None) > value


@pytest.mark.parametrize("loss_name", ["log_loss", "binary_log_loss"])
def test_network_gradient_with_label_smoothing(loss_name):
    network = Sequential([Dense(4), ReLU(), Dense(3)]).build(5, np.float64, np.random.RandomState(0))
    rng = np.random.RandomState(1)
    X = rng.standard_normal((6, 5))
    y = np.eye(3)[rng.randint(3, size=6)]
    loss = LOSSES[loss_name](label_smoothing=0.1)
    error = check_network_gradient(network, loss, X, y, sample_weight=rng.rand(6), alpha=0.3)
    assert error < 1e-6
