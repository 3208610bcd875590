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


@pytest.mark.parametrize("options, continue_", [
    ({}, "partial_fit"),
    ({"solver": "sgd", "learning_rate": "adaptive"}, "partial_fit"),
    ({"normalization": "batch", "dropout": 0.2}, "partial_fit"),
    ({"early_stopping": True, "scoring": "neg_log_loss"}, "warm_start"),
    ({"solver": "lbfgs"}, "warm_start"),
    ({"n_init": 2}, "partial_fit"),
    # The schedule's position goes on too.
    ({"learning_rate": "one_cycle", "weight_decay": 1e-3, "max_grad_norm": 1.0,
      "label_smoothing": 0.1}, "partial_fit"),
])
def test_a_loaded_model_continues_as_the_original(options, continue_):
    # The optimiser's state (Adam's moments, SGD's velocity and step size)
    # and the early-stopping records are saved: training on continues alike.
    estimator = MLPClassifier(hidden_layer_sizes=(4,), random_state=0, **options)
    model, X = _fitted(estimator)
    _, y = load_iris(return_X_y=True)
    loaded = sio.loads(sio.dumps(model), trusted=trusted_types())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for m in (model, loaded):
            if continue_ == "partial_fit":
                m.partial_fit(X, y)
            else:
                m.set_params(warm_start=True).fit(X, y)
    assert set(sio.get_untrusted_types(data=sio.dumps(model))) <= set(trusted_types())
    assert loaded.n_iter_ == model.n_iter_
    assert getattr(loaded, "loss_curve_", None) == getattr(model, "loss_curve_", None)
    np.testing.assert_array_equal(
        getattr(loaded, "learning_rate_curve_", []), getattr(model, "learning_rate_curve_", [])
    )
    for expected, got in zip(model.coefs_, loaded.coefs_):
        np.testing.assert_array_equal(got, expected)


def test_callbacks_are_the_only_types_beyond_trusted_types():
    from sklearn.callback import ScoringMonitor

    model = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    model, X = _fitted(model.set_callbacks(ScoringMonitor(scoring="accuracy")))
    untrusted = set(sio.get_untrusted_types(data=sio.dumps(model))) - set(trusted_types())
    assert untrusted and all(
        name.startswith("sklearn.callback.") or name == "uuid.UUID" for name in untrusted
    )
    model.set_callbacks()
    assert set(sio.get_untrusted_types(data=sio.dumps(model))) <= set(trusted_types())


@pytest.mark.slow  # importing mlflow takes most of its ~8 s
def test_mlflow_recipe(tmp_path, monkeypatch):
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn", reason="needs mlflow-skinny")
    model, X = _fitted(MLPClassifier(hidden_layer_sizes=(4,), normalization="batch", random_state=0))
    path = str(tmp_path / "model")
    mlflow_sklearn.save_model(model, path, skops_trusted_types=trusted_types())
    # MLflow refuses to deserialise any model format unless told to (its
    # default allows it; the variable's older name is deprecated and warns).
    monkeypatch.delenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", raising=False)
    monkeypatch.setenv("MLFLOW_ALLOW_MODEL_CODE_EXECUTION", "true")
    loaded = mlflow_sklearn.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
