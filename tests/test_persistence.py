"""Secure persistence: skops with skmlp.trusted_types(), and MLflow on top of it."""

import importlib
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from test_common import _configurations

from skmlp import MLPClassifier, trusted_types

sio = pytest.importorskip("skops.io", reason="needs skops (the 'test' extra)")


def _fitted(estimator):
    X, y = load_iris(return_X_y=True)
    if not isinstance(estimator, MLPClassifier):
        y = X[:, 3]
        X = X[:, :3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.set_params(max_iter=20).fit(X, y), X


def _predictions(model, X):
    outputs = [model.predict(X)]
    if hasattr(model, "predict_proba"):
        outputs.append(model.predict_proba(X))
    return outputs


@pytest.mark.parametrize("estimator", _configurations(), ids=lambda e: " ".join(repr(e).split()))
def test_skops_round_trip_with_trusted_types(estimator):
    model, X = _fitted(estimator)
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    # Only skmlp's own types need trusting: dtypes are kept by name.
    assert untrusted and set(untrusted) <= set(trusted_types())
    loaded = sio.loads(data, trusted=trusted_types())
    for expected, got in zip(_predictions(model, X), _predictions(loaded, X)):
        np.testing.assert_array_equal(got, expected)


def test_trusted_types_name_classes():
    for name in trusted_types():
        module, _, qualname = name.rpartition(".")
        assert getattr(importlib.import_module(module), qualname).__qualname__ == qualname


def test_trusted_types_are_needed():
    model, _ = _fitted(MLPClassifier(hidden_layer_sizes=(4,), random_state=0))
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(sio.dumps(model))


@pytest.mark.slow  # importing mlflow takes most of its ~8 s
def test_mlflow_recipe(tmp_path, monkeypatch):
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn", reason="needs mlflow-skinny")
    model, X = _fitted(MLPClassifier(hidden_layer_sizes=(4,), normalization="batch", random_state=0))
    path = str(tmp_path / "model")
    mlflow_sklearn.save_model(model, path, skops_trusted_types=trusted_types())
    # MLflow refuses to deserialise any model format unless told to.
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    loaded = mlflow_sklearn.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
