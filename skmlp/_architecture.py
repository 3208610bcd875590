"""From the estimator's parameters to the layers of its network.

The per-layer options (sizes, activations, dropout rates) are read and
checked here, together with the other cross-parameter checks so that they
stay in one place; then the layer stack is built, and a network that
warm_start or partial_fit continues is compared with it.
"""

import copy
import inspect
import warnings
from numbers import Integral

import numpy as np

from .nn import ACTIVATIONS, BatchNorm, Dense, Dropout, LayerNorm

_NORMALIZATIONS = {BatchNorm: "batch", LayerNorm: "layer"}

_CONTINUE = (
    "warm_start and partial_fit continue the fitted network, whose {name} is "
    "{fitted!r}; got {name}={requested!r}. A network with another {name} must "
    "be fitted anew: use fit with warm_start=False."
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


class NetworkBuilderMixin:
    """The layers that the parameters of a multi-layer perceptron describe.

    Used by `BaseMultilayerPerceptron`, whose parameters it reads.
    """

    def _hidden_layer_sizes(self):
        """One checked number of units per hidden layer."""
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(size, Integral) and not isinstance(size, bool) for size in sizes):
            # A TypeError, as scikit-learn's MLP raises (from numpy) for them.
            raise TypeError(
                f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes}."
            )
        if np.any(np.array(sizes) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(size) for size in sizes]

    def _continue_network(self, layers, n_outputs):
        """The fitted network, with the settings of ``layers`` that it can take.

        warm_start and partial_fit continue the fitted network. The layers
        the current options describe (``layers``, unbuilt) are compared with
        it by type and :meth:`~skmlp.nn.Layer.get_config`: a setting without
        weights of its own (normalisation epsilon, batch-norm momentum, a
        dropout rate, a hidden activation) is applied, on a copy, so that a
        failed fit leaves the fitted network as it was; a setting that
        changes the weights' shapes or adds a layer is refused. How the
        weights were initialised (``weight_init``) only matters to a new
        network.

        Raises
        ------
        ValueError
            Naming the parameter that the fitted network cannot take.
        """
        fitted = self._network.layers
        _check_same_shape(_describe(fitted), _describe(layers), n_outputs)
        network = None
        for index, (old, new) in enumerate(_pair_layers(fitted, layers)):
            if _computes_alike(old, new):
                continue
            if network is None:
                network = copy.deepcopy(self._network)
            network.replace_layer(index, new)
        return self._network if network is None else network

    def _dropout_rates(self, n_hidden):
        """One dropout rate per hidden layer, checked."""
        rates = self.dropout
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
                f"{self.hidden_layer_sizes!r}); got {self.dropout!r}."
            )
        return rates

    def _activation_names(self, n_hidden):
        """One activation name per hidden layer, checked."""
        if isinstance(self.activation, str):
            return [self.activation] * n_hidden
        names = list(self.activation)
        if len(names) != n_hidden or not all(
            isinstance(name, str) and name in ACTIVATIONS for name in names
        ):
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)} or a list of them, "
                f"one per hidden layer ({n_hidden} for hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}); got {self.activation!r}."
            )
        return names

    def _check_options(self, hidden_sizes, has_validation_data):
        """Cross-parameter checks, in one place; returns the dropout rates."""
        self._activation_names(len(hidden_sizes))
        rates = self._dropout_rates(len(hidden_sizes))
        if has_validation_data and not self.early_stopping:
            raise ValueError(
                "X_val and y_val are passed to fit while at the same time "
                "early_stopping is False. When passing X_val and y_val to fit, "
                "early_stopping should be set to True."
            )
        if has_validation_data and self.solver == "lbfgs":
            raise ValueError(
                "X_val and y_val are used for early stopping, which needs "
                "solver='sgd' or 'adam'; got solver='lbfgs'."
            )
        if self.solver == "lbfgs" and (any(rates) or self.input_dropout):
            raise ValueError(
                "dropout and input_dropout need a stochastic solver: with "
                "solver='lbfgs' the line search needs a deterministic objective. "
                f"Got dropout={self.dropout!r}, input_dropout={self.input_dropout!r}; "
                "use solver='adam' or 'sgd', or set both rates to 0."
            )
        if self.normalization == "batch" and self.solver == "lbfgs":
            raise ValueError(
                "normalization='batch' needs a stochastic solver: with solver='lbfgs' "
                "the running statistics would follow the line search's trial points. "
                "Use solver='adam' or 'sgd', or normalization='layer'."
            )
        if self.normalization == "batch" and self.batch_size == 1:
            raise ValueError(
                "normalization='batch' needs mini-batches of at least 2 samples; "
                "got batch_size=1. Use a larger batch_size or normalization='layer'."
            )
        if self.normalization == "layer" and 1 in hidden_sizes:
            # x_hat of a single unit is (x - x) / sqrt(0 + epsilon) = 0 for
            # every sample: the layer outputs its offset whatever the input.
            warnings.warn(
                "normalization='layer' over a hidden layer of 1 unit (hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}) makes that layer's output constant: the "
                "network cannot learn from its input. Use more units or "
                "normalization='batch' or None.",
                UserWarning,
                stacklevel=_caller_stacklevel(),
            )
        return rates

    def _build_layers(self, hidden_sizes, n_outputs, dropout_rates):
        """The layer stack.

        Per hidden layer: Dense -> normalisation (if any) -> activation ->
        dropout (if its rate is positive); then the output Dense. Input
        dropout comes first. With the default options this is exactly the
        plain network of scikit-learn.
        """
        activations = self._activation_names(len(hidden_sizes))
        layers = [Dropout(self.input_dropout)] if self.input_dropout else []
        for n_units, rate, activation in zip(hidden_sizes, dropout_rates, activations):
            layers.append(self._dense(n_units, activation))
            if self.normalization == "batch":
                layers.append(
                    BatchNorm(momentum=self.batch_norm_momentum, epsilon=self.normalization_epsilon)
                )
            elif self.normalization == "layer":
                layers.append(LayerNorm(epsilon=self.normalization_epsilon))
            layers.append(ACTIVATIONS[activation]())
            if rate:
                layers.append(Dropout(rate))
        # scikit-learn initialises the output layer as the hidden ones.
        layers.append(self._dense(n_outputs, activations[-1] if activations else self.activation))
        return layers

    def _dense(self, n_units, activation):
        """A dense layer initialised for the activation that follows it."""
        if self.weight_init == "he_uniform":
            return Dense(n_units, init_factor=6.0, fan="in")
        # scikit-learn's Glorot factor: 2 for logistic units, 6 otherwise.
        return Dense(n_units, init_factor=2.0 if activation == "logistic" else 6.0)


def _describe(layers):
    """What fixes the weights' shapes, as the estimator's parameters name it."""
    blocks = []  # per Dense layer, the layers after it up to the next one
    for layer in layers:
        if isinstance(layer, Dense):
            blocks.append([])
        elif blocks:
            blocks[-1].append(layer)
    sizes = [layer.n_units for layer in layers if isinstance(layer, Dense)]
    kinds = [_NORMALIZATIONS[type(layer)] for block in blocks for layer in block
             if type(layer) in _NORMALIZATIONS]
    return {
        "hidden_layer_sizes": tuple(sizes[:-1]),
        "n_outputs": sizes[-1],
        "normalization": kinds[0] if kinds else None,
    }


def _check_same_shape(fitted, requested, n_outputs):
    """Refuse options whose network has other weights than the fitted one."""
    if fitted["n_outputs"] != requested["n_outputs"]:
        raise ValueError(
            "warm_start and partial_fit continue the fitted network, which has "
            f"{fitted['n_outputs']} outputs; the target now needs {n_outputs}. "
            "Use fit with warm_start=False to fit a new network."
        )
    for name in ("hidden_layer_sizes", "normalization"):
        if fitted[name] != requested[name]:
            raise ValueError(
                _CONTINUE.format(name=name, fitted=fitted[name], requested=requested[name])
            )


def _pair_layers(fitted, requested):
    """Each fitted layer with the layer the current options put in its place.

    The stacks differ by dropout layers at most (`_check_same_shape` has
    compared the rest): a fitted dropout that the options no longer have
    is paired with a rate of 0, which keeps its seed and step count for a
    later rate; a dropout the fitted network lacks is refused, as it would
    draw a seed of its own that no fit of these options draws.
    """
    pairs = []
    rest = list(requested)
    n_dense = 0
    for old in fitted:
        if isinstance(old, Dropout) and not isinstance(rest[0], Dropout):
            pairs.append((old, Dropout(0.0)))
            continue
        if isinstance(rest[0], Dropout) and not isinstance(old, Dropout):
            name = "input_dropout" if n_dense == 0 else "dropout"
            where = "its input" if n_dense == 0 else f"hidden layer {n_dense}"
            raise ValueError(
                f"warm_start and partial_fit continue the fitted network, which has "
                f"no dropout on {where}; {name} cannot add it. Set {name} to 0 there, "
                "or use fit with warm_start=False to fit a new network."
            )
        n_dense += isinstance(old, Dense)
        pairs.append((old, rest.pop(0)))
    return pairs


def _computes_alike(old, new):
    """Whether a fitted layer computes as the requested one would.

    Dense layers only differ in their initialisation then, which a
    continued network has had.
    """
    if isinstance(old, Dense):
        return True
    return type(old) is type(new) and old.get_config() == new.get_config()
