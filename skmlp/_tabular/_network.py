"""The network of the tabular estimators, built from the columns of a table."""

from typing import Any, NamedTuple

from ..nn import (
    Dense,
    Dropout,
    Embedding,
    NTKDense,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
    Sequential,
    initialize_from_data,
)
from ..nn._parametric_activation import MIXABLE

#: Rows that data-dependent initialisation looks at (RealMLP-TD: a batch).
N_INIT_ROWS = 1024
#: How many times faster than the other parameters the input scale trains
#: (`Scale`'s multiplier; RealMLP-TD's ``scale_lr_factor``): +0.14 points on
#: the development suite over three seeds, loans, churn and crx up on each
#: (benchmarks/README.md).
SCALE_RATE_FACTOR = 6.0


def tabular_layers(preprocessor, n_outputs, *, hidden_layer_sizes, activation, dropout,
                   periodic_embeddings, feature_scaling, ntk_parametrization=True,
                   parametric_activation=True):
    """The layer stack for the columns of a fitted `TabularPreprocessor`.

    ``[Embedding] -> [PeriodicEmbedding] -> [Scale] -> per hidden layer
    NTKDense -> ParametricActivation -> [Dropout]``, then an `NTKDense` of
    ``n_outputs`` units with zero biases. The embedding table covers the
    code columns of high-cardinality categoricals (if any); the numeric
    columns come first and stay first after it, where the periodic
    embedding takes them. For ablations, `Dense` layers (Glorot's
    initialisation, as scikit-learn's MLP) can stand for the `NTKDense`
    ones and the plain activation for the `ParametricActivation`.

    Parameters
    ----------
    preprocessor : TabularPreprocessor
        Fitted: ``numeric_columns_``, ``code_columns_``, ``n_codes_``.
    n_outputs : int
    hidden_layer_sizes : tuple of int
    activation : str
        A name of ``MIXABLE`` (`skmlp.nn.ParametricActivation`'s).
    dropout : float
        Rate after each hidden activation; 0: no dropout layers.
    periodic_embeddings, feature_scaling : bool
        Whether to add the `PeriodicEmbedding` and the `Scale` layer.
    ntk_parametrization : bool, default=True
        `NTKDense` layers; False: `Dense` ones.
    parametric_activation : bool, default=True
        `ParametricActivation` of ``activation``; False: the plain one.

    Returns
    -------
    layers : list of skmlp.nn.Layer
    """
    layers = []
    if preprocessor.code_columns_.size:
        layers.append(Embedding(preprocessor.code_columns_, preprocessor.n_codes_))
    if periodic_embeddings and preprocessor.numeric_columns_.size:
        layers.append(PeriodicEmbedding(preprocessor.numeric_columns_))
    if feature_scaling:
        layers.append(Scale(multiplier=SCALE_RATE_FACTOR))
    return layers + _dense_layers(hidden_layer_sizes, n_outputs, activation, dropout,
                                  ntk_parametrization, parametric_activation)


def _dense_layers(hidden_layer_sizes, n_outputs, activation, dropout, ntk_parametrization,
                  parametric_activation):
    """The hidden layers (dense, activation, dropout) and the output layer of `tabular_layers`."""
    layers = []
    for n_units in hidden_layer_sizes:
        layers += [
            NTKDense(n_units) if ntk_parametrization else Dense(n_units),
            ParametricActivation(activation) if parametric_activation else MIXABLE[activation](),
        ]
        if dropout:
            layers.append(Dropout(dropout))
    if ntk_parametrization:
        return layers + [NTKDense(n_outputs, bias_init="zeros")]
    return layers + [Dense(n_outputs)]


def layer_settings(settings):
    """The keyword arguments of `tabular_layers` among a network's settings.

    The others shape the inputs: the preprocessor takes them.
    """
    inputs = ("robust_scaling", "max_one_hot_categories")
    return {name: value for name, value in settings.items() if name not in inputs}


def new_tabular_network(layers, X, random_state):
    """The built network of ``layers``, initialised on a sample of the rows ``X``.

    Parameters
    ----------
    layers : list of skmlp.nn.Layer
    X : ndarray of shape (n_samples, n_inputs)
        The preprocessed training rows.
    random_state : numpy.random.RandomState
        The fit's generator: the weights, then the rows sampled for the
        data-dependent initialisation (`skmlp.nn.initialize_from_data`),
        which is skipped (no rows drawn) without a layer that adapts to the
        data: it belongs to the NTK parametrisation (RealMLP-TD).

    Returns
    -------
    network : skmlp.nn.Sequential
    """
    network = Sequential(layers).build(X.shape[1], X.dtype, random_state)
    if not any(hasattr(layer, "initialize_from_data") for layer in network.layers):
        return network
    rows = random_state.permutation(X.shape[0])[:N_INIT_ROWS]
    return initialize_from_data(network, X[rows], random_state)


class NewTabularNetwork(NamedTuple):
    """A new network for the columns of a fitted preprocessor, at each call.

    What `skmlp._training.fit_model` takes as ``network``: it calls it with
    a run's generator, once per restart (``n_init``). Picklable, so that
    restarts can run in other processes.

    Attributes
    ----------
    preprocessor : TabularPreprocessor
        Fitted.
    n_outputs : int
    settings : dict
        The keyword arguments of `tabular_layers` after ``n_outputs``.
    X : ndarray of shape (n_samples, n_inputs)
        The preprocessed training rows, for the data-dependent initialisation.
    """

    preprocessor: Any
    n_outputs: int
    settings: dict
    X: Any

    def __call__(self, random_state):
        """A built network of new layers, initialised from ``random_state`` on ``X``."""
        layers = tabular_layers(self.preprocessor, self.n_outputs, **self.settings)
        return new_tabular_network(layers, self.X, random_state)
