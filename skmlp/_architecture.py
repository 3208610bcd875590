"""From the resolved options to the layers of a network.

`build_layers` builds the layer stack that an `~skmlp._options.Options`
describes (the parameters are read and checked in ``_options``);
`continue_network` compares a network that warm_start or partial_fit
continues with it.
"""

import copy

from .nn import ACTIVATIONS, BatchNorm, Dense, Dropout, LayerNorm

_NORMALIZATIONS = {BatchNorm: "batch", LayerNorm: "layer"}

_CONTINUE = (
    "warm_start and partial_fit continue the fitted network, whose {name} is "
    "{fitted!r}; got {name}={requested!r}. A network with another {name} must "
    "be fitted anew: use fit with warm_start=False."
)


def build_layers(options, n_outputs):
    """The layer stack of ``options`` (an `~skmlp._options.Options`), unbuilt.

    Per hidden layer: Dense -> normalisation (if any) -> activation ->
    dropout (if its rate is positive); then the output Dense of
    ``n_outputs`` units. Input dropout comes first. With the default
    options this is exactly the plain network of scikit-learn.
    """
    layers = [Dropout(options.input_dropout)] if options.input_dropout else []
    for n_units, rate, activation in zip(
        options.hidden_layer_sizes, options.dropout_rates, options.activations
    ):
        layers.append(_dense(options, n_units, activation))
        layers.extend(_normalization(options))
        layers.append(ACTIVATIONS[activation]())
        if rate:
            layers.append(Dropout(rate))
    # scikit-learn initialises the output layer as the hidden ones.
    layers.append(_dense(options, n_outputs, options.output_init))
    return layers


def _normalization(options):
    """The normalisation layer after each hidden Dense: none or one."""
    if options.normalization == "batch":
        return [BatchNorm(momentum=options.batch_norm_momentum,
                          epsilon=options.normalization_epsilon)]
    if options.normalization == "layer":
        return [LayerNorm(epsilon=options.normalization_epsilon)]
    return []


def _dense(options, n_units, activation):
    """A dense layer initialised for the activation that follows it."""
    if options.weight_init == "he_uniform":
        return Dense(n_units, init_factor=6.0, fan="in")
    # scikit-learn's Glorot factor: 2 for logistic units, 6 otherwise.
    return Dense(n_units, init_factor=2.0 if activation == "logistic" else 6.0)


def continue_network(network, options, n_outputs):
    """The fitted ``network``, with the settings of ``options`` that it can take.

    warm_start and partial_fit continue the fitted network. The layers
    the current options describe are compared with it by type and
    :meth:`~skmlp.nn.Layer.get_config`: a setting without weights of its
    own (normalisation epsilon, batch-norm momentum, a dropout rate, a
    hidden activation) is applied, on a copy, so that a failed fit leaves
    the fitted network as it was; a setting that changes the weights'
    shapes or adds a layer is refused. How the weights were initialised
    (``weight_init``) only matters to a new network.

    Raises
    ------
    ValueError
        Naming the parameter that the fitted network cannot take.
    """
    layers = build_layers(options, n_outputs)
    fitted = network.layers
    _check_same_shape(_describe(fitted), _describe(layers), n_outputs)
    continued = None
    for index, (old, new) in enumerate(_pair_layers(fitted, layers)):
        if _computes_alike(old, new):
            continue
        if continued is None:
            continued = copy.deepcopy(network)
        continued.replace_layer(index, new)
    return network if continued is None else continued


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
