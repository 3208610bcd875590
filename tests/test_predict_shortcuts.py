"""Prediction's shortcuts: the same result, warning or error as scikit-learn's checks."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.validation import validate_data

from skmlp import MLPClassifier
from skmlp._inference import check_predict_input, inverse_binarize


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged
        return MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)


def _outcome(function, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args)
        except Exception as error:  # noqa: BLE001 - compared below
            result = (type(error), str(error))
    return result, [(w.category, str(w.message)) for w in caught]


def _reference(estimator, X):
    with np.errstate(over="ignore", invalid="ignore"):
        return validate_data(estimator, X, accept_sparse=["csr", "csc"], reset=False)


INPUTS = {
    "float64": np.arange(6.0).reshape(2, 3),
    "float32": np.arange(6, dtype=np.float32).reshape(2, 3),
    "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    "int": np.arange(6).reshape(2, 3),
    "list": [[0.0, 1.0, 2.0]],
    "1-D": np.arange(3.0),
    "no rows": np.zeros((0, 3)),
    "2 features": np.zeros((2, 2)),
    "nan": np.array([[0.0, np.nan, 1.0]]),
    "inf": np.array([[np.inf, -np.inf, 1.0]]),
    "sum overflows": np.full((2, 3), np.finfo(np.float32).max, dtype=np.float32),
    "csr": sp.csr_matrix(np.eye(3)),
    "csr nan": sp.csr_matrix(np.array([[np.nan, 0, 1.0]])),
    "csc": sp.csc_matrix(np.eye(3)),
    "coo": sp.coo_matrix(np.eye(3)),
    "matrix": np.asmatrix(np.eye(3)),
}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_check_predict_input_is_validate_data(fitted, name):
    X = INPUTS[name]
    (got, got_warnings), (expected, expected_warnings) = (
        _outcome(check_predict_input, fitted, X), _outcome(_reference, fitted, X)
    )
    assert got_warnings == expected_warnings
    if isinstance(expected, tuple):
        assert got == expected
    else:
        assert type(got) is type(expected) and got.dtype == expected.dtype
        np.testing.assert_array_equal(
            got.toarray() if sp.issparse(got) else got,
            expected.toarray() if sp.issparse(expected) else expected,
        )


def test_check_predict_input_with_feature_names(fitted):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.eye(3), columns=["a", "b", "c"])
    named = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        named.fit(X, [0, 1, 0])
    for estimator, rows in ((named, np.eye(3)), (named, X), (fitted, X)):
        assert _outcome(check_predict_input, estimator, rows)[1] == _outcome(
            _reference, estimator, rows)[1]


@pytest.mark.parametrize("labels", [
    ["a", "b"], [3, 7], ["x", "y", "z"], [0, 1, 2, 3], [[1, 0], [1, 1], [0, 1]],
])
def test_inverse_binarize_is_inverse_transform(labels):
    binarizer = LabelBinarizer().fit(labels)
    n_columns = 1 if binarizer.y_type_ == "binary" else len(binarizer.classes_)
    Y = np.random.RandomState(0).uniform(size=(50, n_columns))
    Y[:5] = 0.5  # ties and the threshold itself
    if n_columns == 1:
        Y = Y.ravel()
    got, expected = inverse_binarize(binarizer, Y), binarizer.inverse_transform(Y)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
