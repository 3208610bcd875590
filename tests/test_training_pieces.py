"""Pieces of the training package on their own: options, epochs, objective, checkpoint file."""

import pickle
import re

import numpy as np
import pytest

from skmlp import MLPClassifier
from skmlp._training.batches import Epochs, epoch_batches
from skmlp._training.checkpoint import read_state
from skmlp._training.options import resolve_options
from skmlp.callback import Checkpoint
from skmlp.nn import (
    Adam,
    Dense,
    L2Penalty,
    MultinomialLogLoss,
    Objective,
    ReLU,
    Sequential,
)


def _options(fitted=False, incremental=False, checkpoints=(), **params):
    return resolve_options(
        {**MLPClassifier().get_params(), **params}, fitted=fitted, incremental=incremental,
        checkpoints=checkpoints,
    )


def test_the_facts_of_the_fit_are_resolved_once():
    new = _options(n_init=3, max_iter=7)
    assert (new.continued, new.restarts, new.n_subtasks, new.stochastic) == (False, True, 3, True)
    warm = _options(fitted=True, warm_start=True, n_init=3, max_iter=7)
    assert (warm.continued, warm.restarts, warm.n_subtasks) == (True, False, 7)
    assert _options(fitted=True, incremental=True).n_subtasks == 1  # one epoch
    assert _options(fitted=True, incremental=True).stopping.one_pass
    assert _options(fitted=True, max_iter=7).continued is False  # a cold refit
    lbfgs = _options(solver="lbfgs", early_stopping=True)
    assert (lbfgs.stochastic, lbfgs.early_stopping, lbfgs.n_subtasks) == (False, False, 0)
    assert _options(learning_rate="one_cycle").optimizer.warmup_fraction == 0.3
    assert _options(learning_rate="cosine").optimizer.warmup_fraction == 0.0


@pytest.mark.parametrize("params, message", [
    ({"solver": "lbfgs"}, "Checkpoint needs a stochastic solver ('sgd' or 'adam')"),
    ({"n_init": 2, "random_state": 0},
     "Checkpoint needs n_init=1 to train a new network, got n_init=2."),
    ({"random_state": None}, "Checkpoint needs an int random_state"),
])
def test_a_checkpoint_is_refused_where_a_fit_cannot_resume(tmp_path, params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _options(checkpoints=[Checkpoint(tmp_path / "c")], **params)
    with pytest.raises(ValueError, match="at most one Checkpoint"):
        _options(checkpoints=[Checkpoint(tmp_path / "a"), Checkpoint(tmp_path / "b")],
                 random_state=0)
    resolved = _options(checkpoints=[Checkpoint(tmp_path / "c")], random_state=0)
    assert dict(resolved.checkpoint.params)["random_state"] == 0


def test_a_checkpoint_is_checked_before_training(tmp_path):
    with pytest.raises(ValueError, match=re.escape("every must be an int >= 1, got every=0")):
        _options(checkpoints=[Checkpoint(tmp_path, every=0)], random_state=0)
    with pytest.raises(ValueError, match="scoring=<function .* cannot be pickled"):
        _options(checkpoints=[Checkpoint(tmp_path)], random_state=0, scoring=lambda *a: 0.0)
    # n_init plays no part when a fitted network is continued.
    for continued in ({"warm_start": True}, {"incremental": True}):
        _options(fitted=True, n_init=3, random_state=0, checkpoints=[Checkpoint(tmp_path)],
                 **continued)


@pytest.mark.parametrize("n_rows, batch_size, min_size, weighted", [
    (10, 3, 1, False), (10, 3, 2, False), (9, 3, 2, False), (7, 3, 2, True),
    (1, 1, 1, False), (10, 1, 1, True),
])
def test_epochs_count_their_steps_and_leave_the_callers_rows(n_rows, batch_size, min_size,
                                                             weighted):
    rng = np.random.RandomState(0)
    weight = (rng.rand(n_rows) > 0.3).astype(float) if weighted else None
    rows = np.arange(n_rows)
    epochs = Epochs((None, None, weight), rows, batch_size, np.random.RandomState(1), min_size)
    n_steps = epochs.n_steps(2)  # from a copy of the generator
    first = np.concatenate(epochs.next_batches())  # (views of the order, shuffled next)
    kept = rows if weight is None else rows[weight > 0]
    assert set(kept) <= set(first.tolist()) and len(set(first.tolist())) == len(first)
    n_first = len(epochs._batches(epochs.train_idx))
    assert n_steps == n_first + len(epochs.next_batches())
    np.testing.assert_array_equal(rows, np.arange(n_rows))  # shuffled its own copy
    if not weighted:
        assert n_steps == 2 * len(epoch_batches(rows, batch_size, min_size=min_size))


def test_epochs_resolve_auto_and_clip_the_batch_size():
    assert Epochs((None, None, None), np.arange(500), "auto", None).batch_size == 200
    with pytest.warns(UserWarning, match="It is going to be clipped"):
        assert Epochs((None, None, None), np.arange(5), 10, None).batch_size == 5


def test_one_objective_rescaled_per_batch_is_a_new_penalty_per_batch():
    rng = np.random.RandomState(0)
    net = Sequential([Dense(5), ReLU(), Dense(3)]).build(4, np.float64, rng)
    X, y = rng.randn(12, 4), np.eye(3)[rng.randint(3, size=12)]
    weight = rng.rand(12)
    objective = Objective(MultinomialLogLoss(), 0.3, net.n_penalized)
    for rows, w in ((slice(0, 5), None), (slice(5, 12), weight[5:12])):
        value = objective.loss_gradient(net, X[rows], y[rows], sample_weight=w)
        penalty = L2Penalty(0.3, net.n_penalized, len(X[rows]), w)
        expected = net.loss_gradient(X[rows], y[rows], MultinomialLogLoss(), sample_weight=w)
        assert value == expected + penalty.value(net.params)
        assert objective.penalty.scale == penalty.scale
        stepped, reference = net.params.copy(), net.params.copy()
        Adam(0.01).update(stepped, net.grads.copy(), penalty=objective.penalty)
        Adam(0.01).update(reference, net.grads.copy(), penalty=penalty)
        np.testing.assert_array_equal(stepped, reference)


def test_a_checkpoint_of_another_format_version_is_refused_by_name(tmp_path):
    path = tmp_path / "fit.ckpt"
    with open(path, "wb") as file:
        pickle.dump({"format": "skmlp-checkpoint-0", "state": None}, file)
    with pytest.raises(ValueError, match="checkpoint of format 'skmlp-checkpoint-0'; this "
                       "version of skmlp reads 'skmlp-checkpoint-2'"):
        read_state(path, "key")
    with open(path, "wb") as file:
        pickle.dump({"something": "else"}, file)
    with pytest.raises(ValueError, match="is not an skmlp checkpoint"):
        read_state(path, "key")
