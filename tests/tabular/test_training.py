"""How the tabular estimators train: on which rows, with which weights, continued or restarted."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from skmlp import TabularMLPClassifier, TabularMLPRegressor

SMALL = dict(hidden_layer_sizes=(16,), max_iter=6, random_state=0)
ESTIMATORS = [TabularMLPClassifier, TabularMLPRegressor]


def _table(n=300, seed=0):
    """Two numeric columns (one with missing values), a 3-level and a 20-level categorical."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(rng.randn(n, 2) * [1.0, 1000.0], columns=["x", "z"])
    X["colour"] = pd.Categorical.from_codes(rng.randint(3, size=n), ["red", "green", "blue"])
    X["city"] = pd.Categorical.from_codes(rng.randint(20, size=n), [f"c{i}" for i in range(20)])
    X.loc[::9, "x"] = np.nan
    return X


def _target(Estimator, X):
    if (Estimator is TabularMLPClassifier):
        return np.where(X["x"].fillna(0) + (X["colour"] == "red") > 0.5, "yes", "no")
    return X["z"].to_numpy() / 1000.0 + 2.0 * (X["colour"] == "red")


def _validation_rows(y, classifier, fraction=0.2, seed=0):
    """The rows a fit with ``random_state=seed`` sets aside: its generator's first draw."""
    _, rows = train_test_split(
        np.arange(len(y)), test_size=fraction, random_state=np.random.RandomState(seed),
        stratify=y if classifier else None,
    )
    return rows


def _statistics(preprocessor):
    """The fitted statistics of a TabularPreprocessor: scaling and categories."""
    fitted = preprocessor.column_transformer_.named_transformers_
    scaler = fitted["numeric"][0]
    return [scaler.center_, scaler.scale_, *fitted["one_hot"][0].categories_,
            *fitted["codes"][0].categories_]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_the_validation_rows_change_nothing_fitted_before_training(Estimator):
    X = _table(n=1000)  # early_stopping='auto' sets 200 rows aside
    y = _target(Estimator, X)
    rows = _validation_rows(y, (Estimator is TabularMLPClassifier))
    changed = X.copy()
    changed.loc[rows, "x"] *= 1e3
    changed.loc[rows, "z"] += 1e5
    changed["city"] = changed["city"].cat.add_categories(["elsewhere"])
    changed.loc[rows, "city"] = "elsewhere"
    y_changed = y.copy()
    if not (Estimator is TabularMLPClassifier):
        y_changed[rows] *= 100.0
    model = Estimator(**SMALL).fit(X, y)
    other = Estimator(**SMALL).fit(changed, y_changed)
    for fitted, refitted in zip(_statistics(model.preprocessor_),
                                _statistics(other.preprocessor_), strict=True):
        np.testing.assert_array_equal(fitted, refitted)
    # Initialised, standardised and trained alike: only the validation differs.
    assert model.loss_curve_ == other.loss_curve_
    assert model.validation_scores_ != other.validation_scores_
    if not (Estimator is TabularMLPClassifier):
        assert (model._y_mean, model._y_scale) == (other._y_mean, other._y_scale)
