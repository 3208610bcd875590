"""The step options that cite PyTorch, against PyTorch itself (float64).

Every option whose documentation names a PyTorch counterpart is checked
here against it: the schedules (``CosineAnnealingLR``, ``OneCycleLR``),
SGD's momentum under a schedule (``torch.optim.SGD``), AdamW
(``torch.optim.AdamW``), gradient clipping (``clip_grad_norm_``) and label
smoothing (``cross_entropy``). Skipped where torch is not installed
(``pip install torch``: not a dependency of skmlp nor of its ``test``
extra); the closed forms these follow are checked without torch in
``tests/nn/test_schedules_decay_clipping.py``.
"""

import math

import numpy as np
import pytest

from skmlp import MLPRegressor
from skmlp.nn import SGD, Adam, CosineAnnealing, MultinomialLogLoss, OneCycle, clip_grad_norm

torch = pytest.importorskip("torch", reason="compares with PyTorch (pip install torch)")


def _rates(schedule, n):
    return np.array([schedule.next_rate() for _ in range(n)])


def _torch_scheduler(name, optimizer, T, fraction):
    """PyTorch's scheduler for skmlp's 'cosine' (no warm-up) or 'one_cycle'."""
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=T)
    lr = optimizer.param_groups[0]["lr"]
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=T, pct_start=fraction, cycle_momentum=False
    )


def _torch_rates(name, T, fraction, lr=0.1):
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = _torch_scheduler(name, optimizer, T, fraction)
    rates = []
    for step in range(T):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if step < T - 1:  # OneCycleLR refuses a step past total_steps
            scheduler.step()
    return rates


# ---------------------------------------------------------------- schedules
@pytest.mark.parametrize("T, pct", [(100, 0.3), (37, 0.25), (12, 0.0)])
def test_one_cycle_matches_pytorch(T, pct):
    np.testing.assert_allclose(
        _rates(OneCycle(0.1, T, pct), T), _torch_rates("one_cycle", T, pct), rtol=1e-12
    )


def test_cosine_matches_pytorch():
    np.testing.assert_allclose(
        _rates(CosineAnnealing(0.1, 40), 40), _torch_rates("cosine", 40, 0.0), atol=1e-15
    )


# ------------------------------------------------- SGD momentum with a schedule
@pytest.mark.parametrize("nesterov", [True, False])
@pytest.mark.parametrize("schedule", ["cosine", "one_cycle"])
def test_sgd_momentum_with_a_schedule_matches_pytorch(nesterov, schedule):
    # 12 steps: before PyTorch's form was used with a schedule, the
    # parameters were 20-60% of their change apart (issue 22, item 6).
    T, lr = 12, 0.1
    rng = np.random.RandomState(0)
    start, grads = rng.randn(7), rng.randn(T, 7)
    skmlp_schedule = (CosineAnnealing if schedule == "cosine" else OneCycle)(lr, T, 0.3 * (
        schedule == "one_cycle"))
    optimizer = SGD(lr, momentum=0.9, nesterov=nesterov, schedule=skmlp_schedule)
    params = start.copy()
    for g in grads:
        optimizer.update(params, g.copy())

    param = torch.nn.Parameter(torch.tensor(start))
    reference = torch.optim.SGD([param], lr=lr, momentum=0.9, nesterov=nesterov)
    scheduler = _torch_scheduler(schedule, reference, T, 0.3)
    for step, g in enumerate(grads):
        param.grad = torch.tensor(g)
        reference.step()
        if step < T - 1:
            scheduler.step()
    expected = param.detach().numpy()
    np.testing.assert_allclose(params - start, expected - start, rtol=1e-12, atol=1e-15)


def _scikit_learn_initial_weights(sizes, random_state):
    """scikit-learn's Glorot-uniform start (relu units), drawn in its order."""
    rng = np.random.RandomState(random_state)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        weights.append((rng.uniform(-bound, bound, (fan_in, fan_out)),
                        rng.uniform(-bound, bound, fan_out)))
    return weights


@pytest.mark.parametrize("params", [
    dict(learning_rate="cosine", nesterovs_momentum=True),
    dict(learning_rate="one_cycle", nesterovs_momentum=False, max_grad_norm=0.5),
    dict(learning_rate="cosine", warmup_fraction=0.2, nesterovs_momentum=True,
         max_grad_norm=0.3),
])
def test_scheduled_sgd_fit_trains_as_pytorch(params):
    # The whole fit: the same start, the same mini-batches in order (no
    # shuffling), 3 epochs of 4 steps with PyTorch's optimiser, scheduler
    # and clipping on scikit-learn's squared error (half the mean square).
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5), rng.randn(40)
    model = MLPRegressor(
        (8,), solver="sgd", learning_rate_init=0.05, momentum=0.9, alpha=0.0, batch_size=10,
        shuffle=False, max_iter=3, random_state=0, **params,
    ).fit(X, y)

    (W1, b1), (W2, b2) = _scikit_learn_initial_weights([5, 8, 1], 0)
    network = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1)
    ).double()
    with torch.no_grad():
        for layer, (W, b) in zip((network[0], network[2]), ((W1, b1), (W2, b2))):
            layer.weight.copy_(torch.tensor(W.T))
            layer.bias.copy_(torch.tensor(b))
    optimizer = torch.optim.SGD(
        network.parameters(), lr=0.05, momentum=0.9, nesterov=params["nesterovs_momentum"]
    )
    T, W = 12, round(params.get("warmup_fraction", 0) * 12)
    if params["learning_rate"] == "one_cycle":
        scheduler = _torch_scheduler("one_cycle", optimizer, T, 0.3)
    else:  # Hugging Face's cosine with warm-up, as a LambdaLR
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda s: s / W if s < W else (1 + math.cos(math.pi * (s - W) / (T - W))) / 2,
        )
    Xt, yt = torch.tensor(X), torch.tensor(y[:, None])
    for step in range(T):
        rows = slice(10 * (step % 4), 10 * (step % 4) + 10)
        optimizer.zero_grad()
        loss = ((network(Xt[rows]) - yt[rows]) ** 2).mean() / 2
        loss.backward()
        if params.get("max_grad_norm"):
            torch.nn.utils.clip_grad_norm_(network.parameters(), params["max_grad_norm"])
        optimizer.step()
        if step < T - 1:
            scheduler.step()
    np.testing.assert_allclose(model.coefs_[0], network[0].weight.detach().numpy().T, rtol=1e-10)
    np.testing.assert_allclose(model.coefs_[1], network[2].weight.detach().numpy().T, rtol=1e-10)
    np.testing.assert_allclose(model.intercepts_[1], network[2].bias.detach().numpy(), rtol=1e-10)


# ---------------------------------------------------------------- AdamW
def test_adamw_with_a_schedule_matches_pytorch():
    # epsilon is negligible: scikit-learn adds it to sqrt(v) before the bias
    # correction, PyTorch after.
    T, lr = 10, 0.01
    rng = np.random.RandomState(0)
    start, grads = rng.randn(6), rng.randn(T, 6)
    optimizer = Adam(lr, epsilon=1e-300, weight_decay=0.3, schedule=CosineAnnealing(lr, T))
    params = start.copy()
    for g in grads:
        optimizer.update(params, g.copy())

    param = torch.nn.Parameter(torch.tensor(start))
    reference = torch.optim.AdamW([param], lr=lr, eps=1e-300, weight_decay=0.3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(reference, T_max=T)
    for g in grads:
        param.grad = torch.tensor(g)
        reference.step()
        scheduler.step()
    np.testing.assert_allclose(params, param.detach().numpy(), rtol=1e-13)


# ---------------------------------------------------------------- clipping
@pytest.mark.parametrize("excess", [1e-3, 1e-7, 0.0, -1e-7, -9e-7, -2e-6, -0.5])
def test_clip_grad_norm_matches_pytorch(excess):
    # Including the band within 1e-6 below the bound, where PyTorch still
    # scales by max_norm / (norm + 1e-6) < 1 (issue 22, item 7).
    rng = np.random.RandomState(0)
    direction = rng.randn(30)
    grads = direction * (2.0 + excess) / np.linalg.norm(direction)
    clipped = grads.copy()
    norm = clip_grad_norm(clipped, 2.0)

    param = torch.nn.Parameter(torch.zeros(30, dtype=torch.float64))
    param.grad = torch.tensor(grads)
    expected_norm = torch.nn.utils.clip_grad_norm_([param], 2.0)
    assert norm == pytest.approx(float(expected_norm), rel=1e-15)
    np.testing.assert_allclose(clipped, param.grad.numpy(), rtol=1e-15)
    assert (clipped != grads).any() == (excess > -1e-6)


# ---------------------------------------------------------------- label smoothing
@pytest.mark.parametrize("weighted", [False, True])
def test_label_smoothing_matches_pytorch_cross_entropy(weighted):
    rng = np.random.RandomState(0)
    Z, labels = rng.randn(9, 4) * 2, rng.randint(4, size=9)
    sample_weight = rng.rand(9) if weighted else None
    value, dZ = MultinomialLogLoss(label_smoothing=0.2).loss_gradient(
        Z, np.eye(4)[labels], sample_weight
    )

    logits = torch.tensor(Z, requires_grad=True)
    per_sample = torch.nn.functional.cross_entropy(
        logits, torch.tensor(labels), label_smoothing=0.2, reduction="none"
    )
    weights = torch.ones(9, dtype=torch.float64) if sample_weight is None else torch.tensor(
        sample_weight)
    expected = (per_sample * weights).sum() / weights.sum()
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-13)
    np.testing.assert_allclose(dZ, logits.grad.numpy(), rtol=1e-12, atol=1e-16)
