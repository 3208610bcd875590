"""resolve_options on its own: parameters in, one frozen description out."""

import dataclasses
import re
import warnings

import numpy as np
import pytest

from skmlp import MLPClassifier, MLPRegressor
from skmlp._training.data import TrainingData
from skmlp._training.options import resolve_options
from skmlp._training.weights import training_weights

# The parameters resolve_options reads, at the estimators' defaults.
DEFAULTS = {
    "hidden_layer_sizes": (100,), "activation": "relu", "dropout": 0.0,
    "input_dropout": 0.0, "normalization": None, "normalization_epsilon": 1e-05,
    "batch_norm_momentum": 0.9, "weight_init": "glorot_uniform", "solver": "adam",
    "batch_size": "auto", "shuffle": True, "early_stopping": False,
    "learning_rate": "constant", "warmup_fraction": None, "weight_decay": 0.0,
    "max_grad_norm": None,
}


def _resolve(has_validation_data=False, incremental=False, **params):
    return resolve_options(
        {**MLPClassifier().get_params(), **DEFAULTS, **params},
        validation_given=(has_validation_data,) * 2 + (False,), incremental=incremental,
    )


@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_defaults_are_the_estimators(estimator_class):
    params = estimator_class().get_params()
    assert {name: params[name] for name in DEFAULTS} == DEFAULTS


def test_a_valid_configuration_is_described_per_layer():
    options = _resolve(
        hidden_layer_sizes=[8, 4, 2], activation=["tanh", "relu", "logistic"],
        dropout=[0.5, 0, 0.25], normalization="batch", batch_size=16, solver="sgd",
    )
    network = options.network
    assert network.hidden_layer_sizes == (8, 4, 2)
    assert network.activations == ("tanh", "relu", "logistic")
    assert network.dropout_rates == (0.5, 0.0, 0.25)
    assert network.output_init == "logistic"
    assert network.normalization == "batch" and options.batches.batch_size == 16
    assert options.optimizer.solver == "sgd" and options.batches.min_size == 2
    assert options.stochastic
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.optimizer.solver = "lbfgs"
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.alpha = 1.0


def test_scalars_are_repeated_per_layer_and_no_hidden_layer_keeps_the_activation():
    options = _resolve(hidden_layer_sizes=(3, 5), activation="tanh", dropout=0.1)
    assert options.network.activations == ("tanh", "tanh")
    assert options.network.dropout_rates == (0.1, 0.1)
    options = _resolve(hidden_layer_sizes=(), activation="logistic", solver="lbfgs")
    network = options.network
    assert network.hidden_layer_sizes == () and network.output_init == "logistic"
    assert not options.stochastic


REFUSALS = [
    (TypeError, {"hidden_layer_sizes": (3, 2.5)},
     "hidden_layer_sizes must be an int or a sequence of ints, got [3, 2.5]."),
    (ValueError, {"hidden_layer_sizes": (3, 0)}, "hidden_layer_sizes must be > 0, got [3, 0]."),
    (ValueError, {"hidden_layer_sizes": (3, 2), "activation": ["relu"]},
     "activation must be one of ['elu', 'gelu', 'identity', 'leaky_relu', 'logistic', 'relu', "
     "'softplus', 'tanh'] or a list of them, one per hidden layer (2 for "
     "hidden_layer_sizes=(3, 2)); got ['relu']."),
    (ValueError, {"hidden_layer_sizes": (3,), "dropout": [0.5, 0.5]},
     "dropout must be a float in [0, 1) or one such rate per hidden layer (1 for "
     "hidden_layer_sizes=(3,)); got [0.5, 0.5]."),
    (ValueError, {"dropout": 0.2, "solver": "lbfgs"},
     "dropout and input_dropout need a stochastic solver: with solver='lbfgs' the line "
     "search needs a deterministic objective. Got dropout=0.2, input_dropout=0.0; use "
     "solver='adam' or 'sgd', or set both rates to 0."),
    (ValueError, {"normalization": "batch", "solver": "lbfgs"},
     "normalization='batch' needs a stochastic solver: with solver='lbfgs' the running "
     "statistics would follow the line search's trial points. Use solver='adam' or 'sgd', "
     "or normalization='layer'."),
    (ValueError, {"normalization": "batch", "batch_size": 1},
     "normalization='batch' needs mini-batches of at least 2 samples; got batch_size=1. "
     "Use a larger batch_size or normalization='layer'."),
]


@pytest.mark.parametrize("error, params, message", REFUSALS)
def test_each_refusal_names_the_parameters(error, params, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        _resolve(**params)


def test_validation_data_needs_early_stopping_and_a_stochastic_solver():
    with pytest.raises(ValueError, match="^X_val and y_val are passed to fit while at the "
                       "same time early_stopping is False."):
        _resolve(has_validation_data=True)
    with pytest.raises(ValueError, match=re.escape(
            "X_val and y_val are used for early stopping, which needs solver='sgd' or "
            "'adam'; got solver='lbfgs'.")):
        _resolve(has_validation_data=True, early_stopping=True, solver="lbfgs")
    assert _resolve(has_validation_data=True, early_stopping=True).early_stopping


def test_layer_norm_over_one_unit_warns_at_the_callers_line():
    with pytest.warns(UserWarning, match=re.escape(
            "normalization='layer' over a hidden layer of 1 unit (hidden_layer_sizes=(4, 1)) "
            "makes that layer's output constant")) as record:
        _resolve(hidden_layer_sizes=(4, 1), normalization="layer")
    assert [w.filename for w in record] == [__file__]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _resolve(hidden_layer_sizes=(4, 1), normalization="batch")


def test_the_checks_after_the_data():
    # They need the checked data: the split refuses early stopping in
    # partial_fit, the weights leave the rows a mini-batch needs.
    X, y = np.ones((9, 2)), np.zeros((9, 1))
    TrainingData(X, y).split(_resolve(early_stopping=True, solver="lbfgs", incremental=True), None)
    TrainingData(X, y).split(_resolve(early_stopping=True, validation_fraction=0.4), 0)
    with pytest.raises(ValueError, match="^partial_fit does not support early_stopping=True$"):
        TrainingData(X, y).split(_resolve(early_stopping=True, incremental=True), 0)
    batch = _resolve(normalization="batch").batches.min_size
    assert batch == 2 and _resolve().batches.min_size == 1
    training_weights(None, X[:2], y[:2], min_rows=batch)
    training_weights(None, X[:1], y[:1], min_rows=1)
    with pytest.raises(ValueError, match=re.escape(
            "normalization='batch' needs at least 2 samples per mini-batch; got 1 sample "
            "of positive sample_weight in total.")):
        training_weights(np.array([0.0, 1.0]), X[:2], y[:2], min_rows=batch)
    with pytest.raises(ValueError, match=re.escape("got 1 sample in total.")):
        training_weights(None, X[:1], y[:1], min_rows=batch)
