"""Which best score a warm start scored on validation data goes on from.

A warm start scored on the validation data of the fit it continues keeps
that fit's best score and weights (scikit-learn's warm start does, with the
``validation_fraction`` split). Scored on other data (another ``X_val``,
``X_val`` after a split or a split after ``X_val``), its epochs are not
compared with a best measured on other rows: the best starts again, the
curves go on.
"""

import warnings

import numpy as np
import pytest
import sklearn.neural_network as sknn
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier, MLPRegressor

X, y = load_iris(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
# 60% of the labels moved to the next class: a model that learned y scores
# far lower on them than on y.
_moved = np.random.RandomState(0).rand(len(y)) < 0.6
y_moved = np.where(_moved, (y + 1) % 3, y)

PARAMS = dict(hidden_layer_sizes=(8,), max_iter=40, learning_rate_init=0.02, random_state=0,
              early_stopping=True, warm_start=True)


def _fit(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def _weights(estimator):
    return [w.copy() for w in estimator.coefs_ + estimator.intercepts_]


def _first_fit(model):
    """What the second fit is compared with: epochs, best score, weights."""
    return model.n_iter_, model.best_validation_score_, _weights(model)


def _same(first, second):
    return all(np.array_equal(a, b) for a, b in zip(first, second))


def _assert_best_of_second_fit(model, n_first, first_best, first_weights, X_val, y_val,
                               sample_weight_val=None):
    """The second fit's best epoch is kept: its score, its weights."""
    second = model.validation_scores_[n_first:]
    assert len(model.validation_scores_) == len(model.loss_curve_)  # the curves go on
    assert max(second) < first_best  # the case where comparing discarded the fit
    assert model.best_validation_score_ == max(second)
    assert model.score(X_val, y_val, sample_weight=sample_weight_val) == pytest.approx(
        model.best_validation_score_)
    assert not _same(_weights(model), first_weights)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_a_warm_start_on_another_x_val_keeps_its_own_best_epoch(Estimator):
    # The breaker's case: the first fit's best (0.93 on y) is out of reach of
    # the scores on other rows (0.41): compared with it, the second fit's
    # training was thrown away and the first fit's weights restored.
    target, other = (y, y_moved) if Estimator is MLPClassifier else (X[:, 0], -X[:, 0])
    model = _fit(Estimator(**PARAMS), X, target, X_val=X, y_val=target)
    n_first, first_best, first_weights = _first_fit(model)
    _fit(model, X, target, X_val=X, y_val=other)
    _assert_best_of_second_fit(model, n_first, first_best, first_weights, X, other)


def test_other_validation_weights_are_other_validation_data():
    model = _fit(MLPClassifier(**PARAMS), X, y, X_val=X, y_val=y)
    weights = np.where(model.predict(X) != y, 10.0, 0.1)  # its mistakes count most
    n_first, first_best, first_weights = _first_fit(model)
    _fit(model, X, y, X_val=X, y_val=y, sample_weight_val=weights)
    _assert_best_of_second_fit(model, n_first, first_best, first_weights, X, y, weights)


def test_the_same_x_val_again_keeps_the_best_and_its_weights():
    # The second fit trains on other targets: it scores lower on the same
    # X_val, and the first fit's best weights are the ones kept.
    model = _fit(MLPClassifier(**PARAMS), X, y, X_val=X, y_val=y)
    n_first, first_best, first_weights = _first_fit(model)
    _fit(model, X, y_moved, X_val=X.copy(order="F"), y_val=list(y))  # the same values
    assert max(model.validation_scores_[n_first:]) <= first_best  # never better
    assert model.best_validation_score_ == first_best
    assert _same(_weights(model), first_weights)


def test_split_then_split_keeps_the_best_as_scikit_learn():
    ours, theirs = MLPClassifier(**PARAMS), sknn.MLPClassifier(**PARAMS)
    _fit(ours, X, y)
    n_first, first_weights = ours.n_iter_, _weights(ours)
    _fit(theirs, X, y)
    for model in (ours, theirs):
        _fit(model, X, y_moved)  # scores lower: scikit-learn keeps the first best
    assert ours.best_validation_score_ == theirs.best_validation_score_
    assert ours.validation_scores_ == theirs.validation_scores_
    assert ours.best_validation_score_ > max(ours.validation_scores_[n_first:])
    # The first fit's best weights are kept. (scikit-learn's are the last
    # epoch's: its first fit leaves coefs_ the very arrays of _best_coefs,
    # which the second fit's steps then update in place.)
    assert _same(_weights(ours), first_weights)


@pytest.mark.parametrize("first, second", [
    (dict(X_val=X, y_val=y), {}),  # X_val, then the split
    ({}, dict(X_val=X, y_val=y_moved)),  # the split, then X_val
])
def test_a_split_and_x_val_are_other_validation_data(first, second):
    model = _fit(MLPClassifier(**PARAMS), X, y, **first)
    n_first, first_best, first_weights = _first_fit(model)
    _fit(model, X, y_moved, **second)
    second_scores = model.validation_scores_[n_first:]
    assert max(second_scores) < first_best
    assert model.best_validation_score_ == max(second_scores)
    assert not _same(_weights(model), first_weights)
    if second:
        assert model.score(X, y_moved) == pytest.approx(model.best_validation_score_)


def test_a_model_fitted_before_the_key_keeps_the_best():
    # A model pickled before skmlp recorded the key has none: it goes on as
    # then, keeping its best.
    model = _fit(MLPClassifier(**PARAMS), X, y, X_val=X, y_val=y)
    model.__dict__.pop("_validation_key", None)
    first_best, first_weights = model.best_validation_score_, _weights(model)
    _fit(model, X, y, X_val=X, y_val=y_moved)
    assert model.best_validation_score_ == first_best
    assert _same(_weights(model), first_weights)


def test_partial_fit_is_not_validated_before_or_after():
    model = _fit(MLPClassifier(**PARAMS), X, y, X_val=X, y_val=y)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        model.partial_fit(X, y)
    model.set_params(early_stopping=False).partial_fit(X, y)  # the curves start again
    assert model.validation_scores_ is None and model.best_validation_score_ is None
    assert len(model.loss_curve_) == 1
    _fit(model.set_params(early_stopping=True), X, y, X_val=X, y_val=y)
    assert len(model.validation_scores_) == len(model.loss_curve_) == model.n_iter_
