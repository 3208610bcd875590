"""scikit-learn's estimator checks on the tabular estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import TabularMLPClassifier, TabularMLPRegressor

# Small and quick: the checks fit hundreds of times.
_SMALL = dict(hidden_layer_sizes=(16,), max_iter=20, random_state=0)


@parametrize_with_checks([TabularMLPClassifier(**_SMALL), TabularMLPRegressor(**_SMALL)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
