"""The model a fit trains: its network and its optimiser, new or continued.

`new_network` builds the network that the options describe
(`build_layers`; the parameters are read and checked in ``options``);
`continue_network` takes a copy of the fitted network that warm_start or
partial_fit continues, with the settings it can take; `make_optimizer`
makes the optimiser, carrying on from the fitted one. A fit that
continues trains copies, so a failed fit leaves the fitted model as it
was. `Start` is what a continued fit starts from.
"""

from typing import Any, NamedTuple

from ..nn import (
    ACTIVATIONS,
    SCHEDULES,
    SGD,
    Adam,
    BatchNorm,
    Dense,
    Dropout,
    LayerNorm,
    NTKDense,
    Sequential,
)


class Start(NamedTuple):
    """What a continued fit starts from: the fitted model.

    ``network`` is the copy of the fitted network to train
    (`continue_network`), ``record`` the fitted
    `~skmlp._training.record.TrainingRecord` (with the fitted optimiser,
    or None), ``loss`` the fitted loss.
    """

    network: Any
    record: Any
    loss: Any


def new_network(options, n_inputs, n_outputs, dtype, random_state):
    """A new network of ``options`` (`NetworkOptions`), initialised from ``random_state``."""
    return Sequential(
        build_layers(options, n_outputs), n_inputs=n_inputs, dtype=dtype, random_state=random_state
    )


def model_attributes(network, loss):
    """The fitted attributes that describe the model, as scikit-learn names them."""
    return {
        "_network": network,
        "_loss": loss,
        "n_outputs_": network.layers[-1].n_units,
        "n_layers_": sum(isinstance(layer, (Dense, NTKDense)) for layer in network.layers) + 1,
        "out_activation_": loss.output_name,
    }

_NORMALIZATIONS = {BatchNorm: "batch", LayerNorm: "layer"}

_CONTINUE = (
    "warm_start and partial_fit continue the fitted network, whose {name} is "
    "{fitted!r}; got {name}={requested!r}. A network with another {name} must "
    "be fitted anew: use fit with warm_start=False."
)


def build_layers(options, n_outputs):
    """The layer stack of ``options`` (a `NetworkOptions`), as ``(class, kwargs)``.

    Per hidden layer: Dense -> normalisation (if any) -> activation ->
    dropout (if its rate is positive); then the output Dense of
    ``n_outputs`` units. Input dropout comes first. With the default
    options this is exactly the plain network of scikit-learn.
    `skmlp.nn.Sequential` builds the layers of this description.
    """
    normalization = []
    if options.normalization == "batch":
        normalization = [(BatchNorm, {"momentum": options.batch_norm_momentum,
                                      "epsilon": options.normalization_epsilon})]
    elif options.normalization == "layer":
        normalization = [(LayerNorm, {"epsilon": options.normalization_epsilon})]
    layers = [(Dropout, {"rate": options.input_dropout})] if options.input_dropout else []
    for n_units, rate, activation in zip(
        options.hidden_layer_sizes, options.dropout_rates, options.activations
    ):
        layers.append(_dense(options, n_units, activation))
        layers += [*normalization, (ACTIVATIONS[activation], {})]
        if rate:
            layers.append((Dropout, {"rate": rate}))
    # scikit-learn initialises the output layer as the hidden ones.
    layers.append(_dense(options, n_outputs, options.output_init))
    return layers


def _dense(options, n_units, activation):
    """A dense layer initialised for the activation that follows it."""
    if options.weight_init == "he_uniform":
        return Dense, {"n_units": n_units, "init_factor": 6.0, "fan": "in"}
    # scikit-learn's Glorot factor: 2 for logistic units, 6 otherwise.
    return Dense, {"n_units": n_units, "init_factor": 2.0 if activation == "logistic" else 6.0}


def continue_network(network, options, n_outputs):
    """A copy of the fitted ``network``, with the settings of ``options`` it can take.

    warm_start and partial_fit continue the fitted network; they train a
    copy, so that a failed fit leaves the fitted network as it was. The
    layers the current options describe are compared with it by type and
    :meth:`~skmlp.nn.Layer.get_config`: a setting without weights of its
    own (normalisation epsilon, batch-norm momentum, a dropout rate, a
    hidden activation) is applied; a setting that changes the weights'
    shapes or adds a layer is refused. How the weights were initialised
    (``weight_init``) only matters to a new network.

    Raises
    ------
    ValueError
        Naming the parameter that the fitted network cannot take.
    """
    layers = [kind(**kwargs) for kind, kwargs in build_layers(options, n_outputs)]
    fitted = network.layers
    _check_same_shape(_describe(fitted), _describe(layers), n_outputs)
    pairs = _pair_layers(fitted, layers)
    continued = network.copy()
    for index, (old, new) in enumerate(pairs):
        if not _computes_alike(old, new):
            continued.replace_layer(index, new)
    return continued


def make_optimizer(options, previous, *, epochs, incremental=False):
    """The optimiser for a fit, carrying on from ``previous``'s state.

    A fresh network has none; otherwise warm_start and partial_fit
    continue its moments, velocity and step count (copied) with the
    current settings. scikit-learn restarts the optimiser at every warm
    start (but not in partial_fit, where it ignores changed settings).

    A learning-rate schedule ('cosine', 'one_cycle') spans the steps of
    ``max_iter`` epochs (the mini-batches with some weight). Each fit (a
    warm start too) starts one; ``partial_fit`` goes on along the schedule
    of the calls before it, one epoch per call, while its settings (and
    ``max_iter``) stay the same and it has steps left, and otherwise
    starts a new one, of ``max_iter`` times the steps of its call.

    Parameters
    ----------
    options : OptimizerOptions
    previous : skmlp.nn.SGD or skmlp.nn.Adam or None
        The fitted optimiser; left as it was.
    epochs : Epochs
        The mini-batches of the fit, whose steps a schedule counts
        (``Epochs.n_steps``).
    incremental : bool, default=False
        Whether the optimiser is for ``partial_fit``.

    Returns
    -------
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam
    """
    schedule = None
    if options.learning_rate in SCHEDULES:
        schedule = _schedule(options, epochs, incremental)
    optimizer = _new_optimizer(options, schedule)
    if previous is not None and type(previous) is type(optimizer):
        optimizer.continue_from(previous)
        if incremental:
            optimizer.continue_schedule(previous)
    return optimizer


def _new_optimizer(options, schedule):
    """SGD or Adam with the settings of ``options`` (`OptimizerOptions`)."""
    settings = {
        "schedule": schedule,
        "weight_decay": options.weight_decay,
        "max_grad_norm": options.max_grad_norm,
    }
    if options.solver == "sgd":
        return SGD(
            options.learning_rate_init,
            lr_schedule=options.learning_rate,
            momentum=options.momentum,
            nesterov=options.nesterovs_momentum,
            power_t=options.power_t,
            **settings,
        )
    return Adam(
        options.learning_rate_init,
        beta_1=options.beta_1,
        beta_2=options.beta_2,
        epsilon=options.epsilon,
        **settings,
    )


def _schedule(options, epochs, incremental):
    """The learning-rate schedule of ``options.learning_rate`` (one of SCHEDULES)."""
    if incremental:  # one epoch per call
        n_steps = options.max_iter * epochs.n_steps(1)
    else:
        n_steps = epochs.n_steps(options.max_iter)
    return SCHEDULES[options.learning_rate](
        options.learning_rate_init,
        max(n_steps, 1),
        options.warmup_fraction,
        n_epochs=options.max_iter,
    )


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
