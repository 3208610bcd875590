"""`skmlp._training.loop.train` on its own: a tiny network, no estimator.

Each stop reason of stochastic training (the tol / n_iter_no_change rule,
max_iter, divergence, early stopping with its best weights restored) and
the continuation of a record, on a small regression problem from the iris
data (petal width from the other three measurements).
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skmlp._training.batches import Epochs
from skmlp._training.data import Validation
from skmlp._training.loop import Stopping, evaluate, train
from skmlp._training.record import TrainingRecord
from skmlp.nn import SGD, Adam, Dense, Objective, ReLU, Sequential, SquaredError

X_all, _ = load_iris(return_X_y=True)
X_all = StandardScaler().fit_transform(X_all)
X, Y = X_all[:120, :3], X_all[:120, 3:]
X_VAL, Y_VAL = X_all[120:, :3], X_all[120:, 3:]


def _network(seed=0):
    layers = [Dense(4), ReLU(), Dense(1)]
    return Sequential(layers).build(3, np.float64, np.random.RandomState(seed))


def _epochs(seed=0, batch_size=20):
    return Epochs((X, Y, None), np.arange(len(X)), batch_size, np.random.RandomState(seed))


def _validation():
    return Validation(X_VAL, Y_VAL, Y_VAL, None)


def _objective(loss, alpha):
    """The loss plus the L2 penalty of the dense weights of `_network`."""
    return Objective(loss, alpha, _network().n_penalized)


def test_stops_when_the_loss_no_longer_improves_by_tol():
    # With a tol larger than any improvement, every epoch after the first
    # (which improves on an infinite best) counts as none: the count
    # exceeds n_iter_no_change=2 at the fourth epoch.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no max_iter warning
        record = train(_network(), _objective(SquaredError(), 1e-4), Adam(0.01), _epochs(),
                       stopping=Stopping(max_iter=50, tol=1e9, n_iter_no_change=2))
    assert record.stop_reason == "converged"
    assert record.n_iter == 4 and len(record.loss_curve) == 4
    assert record.t == 4 * len(X) and record.no_improvement_count == 3
    assert record.best_loss == min(record.loss_curve)
    assert record.validation_scores is None and record.best_state is None


def test_max_iter_warns_and_says_so():
    network = _network()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(4\) reached"):
        record = train(network, _objective(SquaredError(), 0.0), SGD(0.01), _epochs(),
                       stopping=Stopping(max_iter=4, tol=0.0, n_iter_no_change=np.inf))
    assert record.stop_reason == "max_iter" and record.n_iter == 4
    assert record.t == 4 * len(X)
    # The loss is that of a network that learns: it falls epoch after epoch.
    assert all(np.diff(record.loss_curve) < 0)


def test_one_pass_trains_one_epoch_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = train(_network(), _objective(SquaredError(), 1e-4), Adam(0.01), _epochs(),
                       stopping=Stopping(max_iter=1, tol=0.0, n_iter_no_change=10,
                                         one_pass=True))
    assert record.stop_reason == "one_pass" and record.n_iter == 1
    assert record.optimizer.t == 6  # one step per mini-batch of 20 rows


def test_divergence_without_validation_raises():
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        train(_network(), _objective(SquaredError(), 0.0), SGD(1e12, momentum=0.0), _epochs(),
              stopping=Stopping(max_iter=5, tol=1e-4, n_iter_no_change=10))


def test_divergence_with_validation_restores_the_best_weights():
    network, loss = _network(), SquaredError()
    stopping = Stopping(max_iter=2, tol=0.0, n_iter_no_change=10)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        record = train(network, _objective(loss, 0.0), Adam(0.01), _epochs(),
                       stopping=stopping, validation=_validation())
    sound = network.get_state()
    continued = TrainingRecord.from_fitted(
        {"loss_curve_": record.loss_curve, "validation_scores_": record.validation_scores,
         "validation_loss_curve_": record.validation_loss_curve,
         "best_validation_score_": record.best_validation_score,
         "best_loss_": record.best_loss, "_no_improvement_count": record.no_improvement_count,
         "n_iter_": record.n_iter, "t_": record.t, "loss_": record.loss,
         "_optimizer": record.optimizer}).continued()
    with pytest.warns(ConvergenceWarning, match="Training diverged in epoch 1"):
        after = train(network, _objective(loss, 0.0), SGD(1e12, momentum=0.0), _epochs(),
                      stopping=stopping, record=continued, validation=_validation())
    assert after.stop_reason == "diverged" and after.n_iter == 1
    assert len(after.loss_curve) == 3 and not np.isfinite(after.loss_curve[-1])
    assert np.isnan(after.validation_scores[-1]) and np.isnan(after.validation_loss_curve[-1])
    # The continued record is a copy: the first one is as it was.
    assert len(record.loss_curve) == len(record.validation_scores) == 2
    np.testing.assert_array_equal(network.get_state()[0], sound[0])


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    # The scores of the validation epochs are chosen so that the second is
    # the best; the network must end predicting what it predicted then.
    scores = iter([1.0, 3.0, 2.0, 2.5, 1.5, 0.0])
    seen = []

    def score(raw):
        seen.append(raw.copy())
        return next(scores)

    network = _network()
    record = train(network, _objective(SquaredError(), 1e-4), Adam(0.05), _epochs(),
                   stopping=Stopping(max_iter=20, tol=0.0, n_iter_no_change=2),
                   validation=_validation(), score=score)
    assert record.stop_reason == "converged" and record.n_iter == 5
    assert record.validation_scores == [1.0, 3.0, 2.0, 2.5, 1.5]
    assert record.best_validation_score == 3.0 and record.best_loss is None
    np.testing.assert_array_equal(network.forward(X_VAL, training=False), seen[1])
    assert not np.array_equal(seen[1], seen[-1])  # the weights did move on
    # The validation loss curve is the data loss on the validation rows.
    _, loss_now = evaluate(network, SquaredError(), _validation(), None)
    assert record.validation_loss_curve[1] == loss_now


def test_fitted_attributes_are_copies():
    record = train(_network(), _objective(SquaredError(), 1e-4), Adam(0.01), _epochs(),
                   stopping=Stopping(max_iter=2, tol=0.0, n_iter_no_change=np.inf,
                                     one_pass=True))
    attributes = record.fitted_attributes()
    attributes["loss_curve_"].append(0.0)
    assert len(record.loss_curve) == 1
    assert attributes["n_iter_"] == 1 and attributes["_optimizer"] is record.optimizer
