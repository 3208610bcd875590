"""The estimator's parameters and the facts of the data, resolved once.

`resolve_options` turns the parameters (as ``get_params`` gives them) into
one frozen `Options`: the network per layer and the settings of training.
Every check that involves more than one parameter lives here, each error
naming the parameters involved; `check_partial_fit` and `check_batch_rows`
make those that come after the data's checks (as scikit-learn orders its
errors) or need the checked data.
"""

import inspect
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ._solvers import STOCHASTIC_SOLVERS
from .nn import ACTIVATIONS, SCHEDULES


@dataclass(frozen=True)
class Options:
    """The network and its training, as the parameters describe them.

    Attributes
    ----------
    hidden_layer_sizes : tuple of int, length n_hidden
        Units per hidden layer.
    activations : tuple of str, length n_hidden
        Activation name per hidden layer.
    dropout_rates : tuple of float, length n_hidden
        Dropout rate after each hidden layer (0: no dropout layer).
    output_init : str or None
        The activation whose initialisation the output layer takes
        (scikit-learn initialises it as the last hidden layer).
    input_dropout, normalization, normalization_epsilon, \
batch_norm_momentum, weight_init, solver, batch_size, shuffle, \
early_stopping
        The parameters of the same name.
    """

    hidden_layer_sizes: tuple
    activations: tuple
    dropout_rates: tuple
    output_init: object
    input_dropout: float
    normalization: object
    normalization_epsilon: float
    batch_norm_momentum: float
    weight_init: str
    solver: str
    batch_size: object
    shuffle: bool
    early_stopping: bool

    @property
    def stochastic(self):
        """Whether the solver trains in mini-batches (sgd, adam)."""
        return self.solver in STOCHASTIC_SOLVERS


# The parameters that Options holds as they are.
_PLAIN = (
    "input_dropout", "normalization", "normalization_epsilon", "batch_norm_momentum",
    "weight_init", "solver", "batch_size", "shuffle", "early_stopping",
)


def resolve_options(params, *, has_validation_data):
    """One frozen description of the network and training.

    Parameters
    ----------
    params : dict
        The estimator's parameters, as ``get_params()`` returns them.
    has_validation_data : bool
        Whether ``X_val`` and ``y_val`` are passed to ``fit``.

    Returns
    -------
    options : Options

    Raises
    ------
    TypeError
        If ``hidden_layer_sizes`` is not an int or a sequence of ints.
    ValueError
        Naming the parameters that do not go together.
    """
    sizes = _hidden_layer_sizes(params["hidden_layer_sizes"])
    activations = _activation_names(params, len(sizes))
    rates = _dropout_rates(params, len(sizes))
    _check_validation_data(params, has_validation_data)
    _check_solver(params, rates)
    _check_step_options(params)
    _warn_constant_layer(params, sizes)
    return Options(
        hidden_layer_sizes=tuple(sizes),
        activations=tuple(activations),
        dropout_rates=tuple(rates),
        output_init=activations[-1] if activations else _name_or_none(params["activation"]),
        **{name: params[name] for name in _PLAIN},
    )


def check_partial_fit(options, *, incremental):
    """Refuse ``partial_fit`` with early stopping (after the data's checks).

    Raises
    ------
    ValueError
        Scikit-learn's, for ``early_stopping`` with a stochastic solver.
    """
    if incremental and options.early_stopping and options.stochastic:
        # scikit-learn's error, after its checks of the data: one batch
        # has no held-out part. (Its regressor's partial_fit with
        # 'lbfgs' runs L-BFGS, which ignores early_stopping.)
        raise ValueError("partial_fit does not support early_stopping=True")


def check_batch_rows(options, *, n_rows, weighted):
    """Refuse batch normalisation over fewer than 2 training samples.

    Parameters
    ----------
    options : Options
    n_rows : int
        The training rows; those of positive weight when ``weighted``
        (rows of weight 0 are no samples to batch statistics).
    weighted : bool
        Whether ``sample_weight`` is given.

    Raises
    ------
    ValueError
        Naming ``normalization`` and the number of samples.
    """
    if options.normalization == "batch" and options.stochastic and n_rows < 2:
        of_weight = " of positive sample_weight" if weighted else ""
        raise ValueError(
            "normalization='batch' needs at least 2 samples per mini-batch; "
            f"got {n_rows} sample{of_weight} in total."
        )


def _name_or_none(activation):
    return activation if isinstance(activation, str) else None


def _hidden_layer_sizes(sizes):
    """One checked number of units per hidden layer."""
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    if not all(isinstance(size, Integral) and not isinstance(size, bool) for size in sizes):
        # A TypeError, as scikit-learn's MLP raises (from numpy) for them.
        raise TypeError(f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes}.")
    if np.any(np.array(sizes) <= 0):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return [int(size) for size in sizes]


def _activation_names(params, n_hidden):
    """One activation name per hidden layer, checked."""
    activation = params["activation"]
    if isinstance(activation, str):
        return [activation] * n_hidden
    names = list(activation)
    if len(names) != n_hidden or not all(
        isinstance(name, str) and name in ACTIVATIONS for name in names
    ):
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)} or a list of them, "
            f"one per hidden layer ({n_hidden} for hidden_layer_sizes="
            f"{params['hidden_layer_sizes']!r}); got {activation!r}."
        )
    return names


def _dropout_rates(params, n_hidden):
    """One dropout rate per hidden layer, checked."""
    rates = params["dropout"]
    if np.ndim(rates) == 0:
        return [float(rates)] * n_hidden
    try:
        rates = [float(rate) for rate in np.asarray(rates, dtype=float)]
    except (TypeError, ValueError):
        rates = None  # not a flat sequence of numbers
    if rates is None or len(rates) != n_hidden or not all(0 <= r < 1 for r in rates):
        raise ValueError(
            "dropout must be a float in [0, 1) or one such rate per hidden "
            f"layer ({n_hidden} for hidden_layer_sizes="
            f"{params['hidden_layer_sizes']!r}); got {params['dropout']!r}."
        )
    return rates


def _check_validation_data(params, has_validation_data):
    """X_val and y_val need early stopping, which needs a stochastic solver."""
    if has_validation_data and not params["early_stopping"]:
        raise ValueError(
            "X_val and y_val are passed to fit while at the same time "
            "early_stopping is False. When passing X_val and y_val to fit, "
            "early_stopping should be set to True."
        )
    if has_validation_data and params["solver"] == "lbfgs":
        raise ValueError(
            "X_val and y_val are used for early stopping, which needs "
            "solver='sgd' or 'adam'; got solver='lbfgs'."
        )


def _check_solver(params, rates):
    """Dropout and batch statistics need a stochastic solver and batches."""
    lbfgs = params["solver"] == "lbfgs"
    if lbfgs and (any(rates) or params["input_dropout"]):
        raise ValueError(
            "dropout and input_dropout need a stochastic solver: with "
            "solver='lbfgs' the line search needs a deterministic objective. "
            f"Got dropout={params['dropout']!r}, input_dropout={params['input_dropout']!r}; "
            "use solver='adam' or 'sgd', or set both rates to 0."
        )
    if params["normalization"] == "batch" and lbfgs:
        raise ValueError(
            "normalization='batch' needs a stochastic solver: with solver='lbfgs' "
            "the running statistics would follow the line search's trial points. "
            "Use solver='adam' or 'sgd', or normalization='layer'."
        )
    if params["normalization"] == "batch" and params["batch_size"] == 1:
        raise ValueError(
            "normalization='batch' needs mini-batches of at least 2 samples; "
            "got batch_size=1. Use a larger batch_size or normalization='layer'."
        )


def _check_step_options(params):
    """Schedules, weight decay and clipping change the stochastic steps."""
    scheduled = params["learning_rate"] in SCHEDULES
    if params["warmup_fraction"] is not None and not scheduled:
        raise ValueError(
            "warmup_fraction is the warm-up of a learning-rate schedule: it needs "
            f"learning_rate='cosine' or 'one_cycle'; got learning_rate="
            f"{params['learning_rate']!r}, warmup_fraction={params['warmup_fraction']!r}."
        )
    if params["solver"] != "lbfgs":
        _check_weight_decay(params)
        return
    used = [
        f"{name}={params[name]!r}"
        for name, used in (
            ("learning_rate", scheduled),
            ("weight_decay", params["weight_decay"] > 0),
            ("max_grad_norm", params["max_grad_norm"] is not None),
        )
        if used
    ]
    if used:
        verb, them = ("change", "them") if len(used) > 1 else ("changes", "it")
        raise ValueError(
            f"{', '.join(used)} {verb} the mini-batch steps of solver='adam' or 'sgd'; "
            f"solver='lbfgs' takes no such steps. Use solver='adam' or 'sgd', or leave "
            f"{them} at the default."
        )


def _check_weight_decay(params):
    """Every step multiplies the weights by ``1 - lr * weight_decay``, and no
    rate exceeds ``learning_rate_init``: at or above 1, each step would zero
    the weights or flip their sign and blow them up."""
    if not params["weight_decay"]:
        return
    product = params["weight_decay"] * params["learning_rate_init"]
    if product >= 1:
        raise ValueError(
            "weight_decay * learning_rate_init must be below 1: each step multiplies the "
            f"weights by 1 - lr * weight_decay; got weight_decay={params['weight_decay']!r}, "
            f"learning_rate_init={params['learning_rate_init']!r} (product {product:g})."
        )


def _warn_constant_layer(params, sizes):
    """Warn for layer norm over 1 unit: it trains, but cannot learn."""
    if params["normalization"] == "layer" and 1 in sizes:
        # x_hat of a single unit is (x - x) / sqrt(0 + epsilon) = 0 for
        # every sample: the layer outputs its offset whatever the input.
        warnings.warn(
            "normalization='layer' over a hidden layer of 1 unit (hidden_layer_sizes="
            f"{params['hidden_layer_sizes']!r}) makes that layer's output constant: the "
            "network cannot learn from its input. Use more units or "
            "normalization='batch' or None.",
            UserWarning,
            stacklevel=_caller_stacklevel(),
        )


def _caller_stacklevel():
    """``stacklevel`` for a warning of the calling function: the user's line.

    The first frame outside skmlp and scikit-learn (whose ``_fit_context``
    wraps ``fit``), however deep the fit's calls go.
    """
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in (
        "skmlp",
        "sklearn",
    ):
        frame, level = frame.f_back, level + 1
    return level
