"""Training control beyond scikit-learn's MLP: raw outputs, class weights,
validation data, optimiser continuation, restarts, callbacks, activations."""

import warnings

import numpy as np
import pytest
from scipy.special import expit, softmax
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)
FAST = dict(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.01, random_state=0)


def _quiet(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


# ---------------------------------------------------------------------------
# decision_function
# ---------------------------------------------------------------------------
def test_decision_function_binary_is_the_log_odds_of_the_second_class():
    labels = np.where(y_iris == 1, "versicolor", "other")
    clf = _quiet(MLPClassifier(**FAST), X_iris, labels)
    scores = clf.decision_function(X_iris)
    assert scores.shape == (150,)
    np.testing.assert_allclose(expit(scores), clf.predict_proba(X_iris)[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[(scores > 0).astype(int)], clf.predict(X_iris))


def test_decision_function_multiclass_gives_the_softmax_inputs():
    clf = _quiet(MLPClassifier(**FAST), X_iris, y_iris)
    scores = clf.decision_function(X_iris)
    assert scores.shape == (150, 3)
    np.testing.assert_allclose(softmax(scores, axis=1), clf.predict_proba(X_iris), rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[scores.argmax(1)], clf.predict(X_iris))


def test_decision_function_multilabel_gives_one_log_odds_per_label():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    clf = _quiet(MLPClassifier(**FAST), X, Y)
    scores = clf.decision_function(X)
    assert scores.shape == Y.shape
    np.testing.assert_allclose(expit(scores), clf.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal((scores > 0).astype(int), clf.predict(X))
