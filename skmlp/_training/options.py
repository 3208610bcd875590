"""The estimator's parameters and the facts of the fit, resolved once.

`resolve_options` turns the parameters (as ``get_params`` gives them) and
the facts of the fit (continued or new, ``partial_fit``, validation data,
checkpoints) into one frozen `Options`; training reads it, never the
estimator. Every check that involves more than one parameter lives here,
its error naming them. Two that need the checked data come after its own
checks, as in scikit-learn: the rows a mini-batch needs (2 with batch
normalisation: ``BatchOptions.min_size``, checked with the weights, by
`~skmlp._training.weights.training_weights`) and early stopping in
``partial_fit`` (refused by the split, `~skmlp._training.data.TrainingData.split`).
"""

import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import NamedTuple

import numpy as np

from ..nn import ACTIVATIONS, SCHEDULES
from .checkpoint import key_params
from .loop import Stopping
from .progress import caller_stacklevel

STOCHASTIC_SOLVERS = ("sgd", "adam")


@dataclass(frozen=True)
class NetworkOptions:
    """The layers: ``hidden_layer_sizes``, ``activations`` and
    ``dropout_rates`` have one entry per hidden layer (a rate of 0: no
    dropout layer); ``output_init`` is the activation whose initialisation
    the output layer takes (scikit-learn's: the last hidden layer's). The
    rest are the parameters of the same name."""

    hidden_layer_sizes: tuple
    activations: tuple
    dropout_rates: tuple
    output_init: object
    input_dropout: float
    normalization: object
    normalization_epsilon: float
    batch_norm_momentum: float
    weight_init: str


@dataclass(frozen=True)
class OptimizerOptions:
    """The solver and its settings (the parameters of the same names).

    ``warmup_fraction`` is resolved (see `warmup_fraction`); ``max_iter``
    is the span of a learning-rate schedule, in epochs.
    """

    solver: str
    learning_rate_init: float
    learning_rate: str
    momentum: float
    nesterovs_momentum: bool
    power_t: float
    beta_1: float
    beta_2: float
    epsilon: float
    warmup_fraction: float
    weight_decay: float
    max_grad_norm: object
    max_iter: int
    max_fun: int
    tol: float


@dataclass(frozen=True)
class BatchOptions:
    """How the training rows are batched: ``batch_size`` ('auto' or int),
    ``shuffle``, and ``min_size``, the smallest batch in rows of positive
    weight (2 for batch normalisation)."""

    batch_size: object
    shuffle: bool
    min_size: int


class CheckpointOptions(NamedTuple):
    """The `skmlp.callback.Checkpoint` and the parameters that name the fit."""

    callback: object
    params: tuple  # get_params' items, sorted by name: part of the fit's key


@dataclass(frozen=True)
class Options:
    """Everything a fit does: the network, optimiser, batches, stopping
    rule, L2 penalty ``alpha``, validation (``early_stopping``, only with a
    stochastic solver; ``scoring``), restarts (``n_init``, ``n_jobs``; ``restarts``:
    this fit trains ``n_init > 1`` new networks), the checkpoint or None,
    ``verbose``, ``class_weight``; ``stochastic``: the solver trains in
    mini-batches; ``incremental``: a ``partial_fit`` call; ``continued``:
    the fit continues the fitted network (warm start, ``partial_fit``)."""

    network: NetworkOptions
    optimizer: OptimizerOptions
    batches: BatchOptions
    stopping: Stopping
    alpha: float
    early_stopping: bool
    scoring: object
    validation_fraction: float
    n_init: int
    n_jobs: object
    checkpoint: object
    verbose: bool
    class_weight: object
    stochastic: bool
    incremental: bool
    continued: bool
    restarts: bool

    @property
    def n_epoch_tasks(self):
        """Epoch tasks of one training run for callbacks (none for L-BFGS)."""
        return self.stopping.n_epochs if self.stochastic else 0

    @property
    def n_subtasks(self):
        """The fit's subtasks for callbacks: restarts, or a run's epochs."""
        return self.n_init if self.restarts else self.n_epoch_tasks


def resolve_options(
    params, *, fitted=False, incremental=False, validation_given=(False,) * 3, checkpoints=()
):
    """One frozen description of the fit.

    Parameters
    ----------
    params : dict
        The estimator's parameters, as ``get_params()`` returns them.
    fitted, incremental : bool, default=False
        A fitted network exists; a ``partial_fit`` call.
    validation_given : tuple of 3 bool, default=(False, False, False)
        Whether ``X_val``, ``y_val`` and ``sample_weight_val`` were given.
    checkpoints : sequence of skmlp.callback.Checkpoint, default=()
        The checkpoints among the estimator's callbacks.

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
    network = _network_options(params)
    _check_params(params, network, validation_given)
    continued = fitted and (params["warm_start"] or incremental)
    stochastic = params["solver"] in STOCHASTIC_SOLVERS
    restarts = params["n_init"] > 1 and not continued
    return Options(
        network=network,
        optimizer=_optimizer_options(params),
        batches=_batch_options(params),
        stopping=_stopping(params, incremental),
        early_stopping=params["early_stopping"] and stochastic,
        checkpoint=_checkpoint(params, checkpoints, stochastic, restarts) if checkpoints else None,
        verbose=bool(params["verbose"]),
        class_weight=params.get("class_weight"),  # the classifier's
        stochastic=stochastic, incremental=incremental, continued=continued, restarts=restarts,
        **{name: params[name]
           for name in ("alpha", "scoring", "validation_fraction", "n_init", "n_jobs")},
    )


def _check_params(params, network, validation_given):
    """The checks of parameters that do not go together (and a warning)."""
    _check_validation_data(params, *validation_given)
    _check_solver(params, network.dropout_rates)
    _check_step_options(params)
    if params["normalization"] == "layer" and 1 in network.hidden_layer_sizes:
        _warn_constant_layer(params)


def _batch_options(params):
    """Batches of ``batch_size``; batch statistics need 2 rows (of positive weight)."""
    min_size = 2 if params["normalization"] == "batch" else 1
    return BatchOptions(params["batch_size"], params["shuffle"], min_size)


def _stopping(params, incremental):
    """scikit-learn's stopping rule; one pass for ``partial_fit``."""
    return Stopping(
        params["max_iter"], params["tol"], params["n_iter_no_change"],
        one_pass=incremental,
        adaptive=params["learning_rate"] == "adaptive",
        scheduled=params["learning_rate"] in SCHEDULES,
    )


def _network_options(params):
    sizes = _hidden_layer_sizes(params["hidden_layer_sizes"])
    activations = _activation_names(params, len(sizes))
    return NetworkOptions(
        hidden_layer_sizes=tuple(sizes),
        activations=tuple(activations),
        dropout_rates=tuple(_dropout_rates(params, len(sizes))),
        output_init=activations[-1] if activations else (
            params["activation"] if isinstance(params["activation"], str) else None
        ),
        **{name: params[name] for name in (
            "input_dropout", "normalization", "normalization_epsilon",
            "batch_norm_momentum", "weight_init",
        )},
    )


def _optimizer_options(params):
    # warmup_fraction None: 0 for 'cosine', 0.3 (PyTorch's OneCycleLR) for 'one_cycle'.
    warmup = params["warmup_fraction"]
    if warmup is None:
        warmup = 0.3 if params["learning_rate"] == "one_cycle" else 0.0
    return OptimizerOptions(
        warmup_fraction=warmup,
        **{name: params[name] for name in (
            "solver", "learning_rate_init", "learning_rate", "momentum", "nesterovs_momentum",
            "power_t", "beta_1", "beta_2", "epsilon", "weight_decay", "max_grad_norm",
            "max_iter", "max_fun", "tol",
        )},
    )


def check_partial_fit_available(params):
    """``partial_fit`` exists for a classifier with a stochastic solver.

    scikit-learn's MLPClassifier's check ('lbfgs' hides it), and its
    ``SGDClassifier``'s for 'balanced' class weights, which need all the
    labels at once. (Early stopping raises when called: `TrainingData.split`.)

    Raises
    ------
    AttributeError
        When ``partial_fit`` is not available.
    """
    if params["solver"] not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic"
            f" optimizers. {params['solver']} is not stochastic."
        )
    if params.get("class_weight") == "balanced":
        raise AttributeError(
            "class_weight 'balanced' is not supported for partial_fit. In order "
            "to use 'balanced' weights, use compute_class_weight('balanced', "
            "classes=classes, y=y). In place of y you can use a large enough "
            "sample of the full training set target to properly estimate the "
            "class frequency distributions. Pass the resulting weights as the "
            "class_weight parameter."
        )
    return True


def _checkpoint(params, checkpoints, stochastic, restarts):
    """The one checkpoint of a fit that can resume exactly, or None.

    Its key names the fit by the parameters (`key_params`, `fit_key`).
    """
    if len(checkpoints) > 1:
        raise ValueError("Give at most one Checkpoint to set_callbacks.")
    every = checkpoints[0].every
    if not isinstance(every, Integral) or isinstance(every, bool) or every < 1:
        raise ValueError(f"Checkpoint's every must be an int >= 1, got every={every!r}.")
    if not stochastic:
        raise ValueError(
            "Checkpoint needs a stochastic solver ('sgd' or 'adam'): lbfgs has no epochs."
        )
    if restarts:  # a continued fit trains one network whatever n_init
        raise ValueError(
            f"Checkpoint needs n_init=1 to train a new network, got n_init={params['n_init']}."
        )
    random_state = params["random_state"]
    if not isinstance(random_state, (int, np.integer)) or isinstance(random_state, bool):
        raise ValueError(
            "Checkpoint needs an int random_state: a resumed fit draws the validation "
            f"split again and must draw the same one; got random_state={random_state!r}."
        )
    return CheckpointOptions(checkpoints[0], key_params(params))


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


def _check_validation_data(params, X_val, y_val, sample_weight_val):
    """Both or neither of X_val and y_val, which need early stopping, which
    needs a stochastic solver."""
    if X_val and not y_val:
        raise ValueError("X_val is provided, but y_val was not provided.")
    if y_val and not X_val:
        raise ValueError("y_val is provided, but X_val was not provided.")
    if sample_weight_val and not X_val:
        raise ValueError(
            "sample_weight_val is provided, but X_val and y_val were not provided."
        )
    has_validation_data = X_val
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
        # Every step multiplies the weights by 1 - lr * weight_decay, and no
        # rate exceeds learning_rate_init: at or above 1, each step would
        # zero the weights or flip their sign and blow them up.
        product = params["weight_decay"] * params["learning_rate_init"]
        if product >= 1:
            raise ValueError(
                "weight_decay * learning_rate_init must be below 1: each step multiplies the "
                f"weights by 1 - lr * weight_decay; got weight_decay="
                f"{params['weight_decay']!r}, learning_rate_init="
                f"{params['learning_rate_init']!r} (product {product:g})."
            )
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


def _warn_constant_layer(params):
    """Warn for layer norm over 1 unit: it trains, but cannot learn."""
    # x_hat of a single unit is (x - x) / sqrt(0 + epsilon) = 0 for every
    # sample: the layer outputs its offset whatever the input.
    warnings.warn(
        "normalization='layer' over a hidden layer of 1 unit (hidden_layer_sizes="
        f"{params['hidden_layer_sizes']!r}) makes that layer's output constant: the "
        "network cannot learn from its input. Use more units or "
        "normalization='batch' or None.",
        UserWarning,
        stacklevel=caller_stacklevel(),
    )

