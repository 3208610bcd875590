"""One optimiser step against its closed form."""

import numpy as np
import pytest

from skmlp.nn import SGD, Adam, L2Penalty

rng = np.random.RandomState(0)
PARAMS = rng.standard_normal(10)
GRADS = [rng.standard_normal(10) for _ in range(3)]


def _run(optimizer, steps, chunk_size=None):
    if chunk_size is not None:
        optimizer.chunk_size = chunk_size
    params = PARAMS.copy()
    for grad in GRADS[:steps]:
        optimizer.update(params, grad)
    return params


@pytest.mark.parametrize("chunk_size", [None, 3])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_two_steps(nesterov, chunk_size):
    lr, mu = 0.1, 0.9
    v1 = -lr * GRADS[0]
    v2 = mu * v1 - lr * GRADS[1]
    if nesterov:
        expected = PARAMS + (mu * v1 - lr * GRADS[0]) + (mu * v2 - lr * GRADS[1])
    else:
        expected = PARAMS + v1 + v2
    got = _run(SGD(lr, momentum=mu, nesterov=nesterov), 2, chunk_size)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("chunk_size", [None, 3])
def test_adam_two_steps(chunk_size):
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    params, m, v = PARAMS.copy(), 0.0, 0.0
    for t, grad in enumerate(GRADS[:2], start=1):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        params = params - step * m / (np.sqrt(v) + eps)
    got = _run(Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps), 2, chunk_size)
    np.testing.assert_allclose(got, params, rtol=1e-12)


def test_invscaling_and_adaptive_schedules():
    sgd = SGD(0.1, lr_schedule="invscaling", power_t=0.5)
    sgd.end_epoch(99)
    assert sgd.learning_rate == pytest.approx(0.1 / 10)
    adaptive = SGD(1e-5, lr_schedule="adaptive")
    assert adaptive.reduce_learning_rate() and adaptive.learning_rate == pytest.approx(2e-6)
    assert adaptive.reduce_learning_rate() and not adaptive.reduce_learning_rate()
    assert not Adam().reduce_learning_rate()


def test_optimizer_step_allocates_no_parameter_sized_array():
    import tracemalloc

    params, grads = np.zeros(200_000), np.ones(200_000)
    for optimizer in (Adam(), SGD(momentum=0.9, nesterov=True)):
        optimizer.update(params, grads)  # allocates its state once
        tracemalloc.start()
        optimizer.update(params, grads)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < params.nbytes / 10, type(optimizer).__name__


@pytest.mark.parametrize(
    "make", [lambda: Adam(0.01), lambda: SGD(0.1, lr_schedule="invscaling", momentum=0.9)]
)
def test_continue_from_carries_the_state_over(make):
    uninterrupted = make()
    expected = PARAMS.copy()
    for t, grad in enumerate(GRADS, start=1):
        uninterrupted.update(expected, grad)
        uninterrupted.end_epoch(10 * t)
    first, params = make(), PARAMS.copy()
    for t, grad in enumerate(GRADS[:2], start=1):
        first.update(params, grad)
        first.end_epoch(10 * t)
    second = make().continue_from(first)
    second.update(params, GRADS[2])
    np.testing.assert_array_equal(params, expected)


def test_continue_from_applies_new_settings():
    first = Adam(0.01)
    first.update(PARAMS.copy(), GRADS[0])
    second = Adam(0.1, beta_1=0.5).continue_from(first)
    assert second.t == 1 and second.beta_1 == 0.5
    # The state is copied: training the second leaves the first as it was.
    np.testing.assert_array_equal(second.m, first.m)
    m = first.m.copy()
    second.update(PARAMS.copy(), GRADS[1])
    np.testing.assert_array_equal(first.m, m)
    sgd = SGD(0.1, lr_schedule="invscaling")
    sgd.end_epoch(99)
    assert SGD(0.1, lr_schedule="invscaling").continue_from(sgd).learning_rate == sgd.learning_rate
    assert SGD(0.2, lr_schedule="invscaling").continue_from(sgd).learning_rate == 0.2


@pytest.mark.parametrize("chunk_size", [None, 3])
@pytest.mark.parametrize("make", [lambda: Adam(0.01), lambda: SGD(0.1, momentum=0.9, nesterov=True)])
def test_l2_added_in_the_step_equals_adding_it_first(make, chunk_size):
    """``update(penalty=p)`` is ``grads[:k] += p.scale * params[:k]``, then a step.

    With chunks of 3, the penalised part (7 parameters) ends inside a chunk.
    """
    penalty = L2Penalty(0.6, 7, 2)
    assert penalty.scale == 0.3
    in_step, first = make(), make()
    if chunk_size is not None:
        in_step.chunk_size = first.chunk_size = chunk_size
    params_in_step, params_first = PARAMS.copy(), PARAMS.copy()
    for grad in GRADS:
        in_step.update(params_in_step, grad.copy(), penalty=penalty)
        grad = grad.copy()
        grad[:7] += 0.3 * params_first[:7]
        first.update(params_first, grad)
    np.testing.assert_array_equal(params_in_step, params_first)
    assert not np.array_equal(params_first, _run(make(), 3, chunk_size))  # the penalty acted
