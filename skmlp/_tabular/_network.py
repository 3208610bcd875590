"""The network of the tabular estimators, built from the columns of a table."""

from typing import Any, NamedTuple

from ..nn import (
    Dropout,
    Embedding,
    NTKDense,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
    Sequential,
    initialize_from_data,
)

#: Rows that data-dependent initialisation looks at (RealMLP-TD: a batch).
N_INIT_ROWS = 1024
#: How many times faster than the other parameters the input scale trains
#: (`Scale`'s multiplier; RealMLP-TD's ``scale_lr_factor``): +0.14 points on
#: the development suite over three seeds, loans, churn and crx up on each
#: (benchmarks/README.md).
SCALE_RATE_FACTOR = 6.0


def tabular_layers(preprocessor, n_outputs, *, hidden_layer_sizes, activation, dropout,
                   periodic_embeddings, feature_scaling):
    """The layer stack for the columns of a fitted `TabularPreprocessor`.

    ``[Embedding] -> [PeriodicEmbedding] -> [Scale] -> per hidden layer
    NTKDense -> ParametricActivation -> [Dropout]``, then an `NTKDense` of
    ``n_outputs`` units with zero biases. The embedding table covers the
    code columns of high-cardinality categoricals (if any); the numeric
    columns come first and stay first after it, where the periodic
    embedding takes them.

    Parameters
    ----------
    preprocessor : TabularPreprocessor
        Fitted: ``numeric_columns_``, ``code_columns_``, ``n_codes_``.
    n_outputs : int
    hidden_layer_sizes : tuple of int
    activation : str
        A name `ParametricActivation` mixes with the identity.
    dropout : float
        Rate after each hidden activation; 0: no dropout layers.
    periodic_embeddings, feature_scaling : bool
        Whether to add the `PeriodicEmbedding` and the `Scale` layer.

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
    for n_units in hidden_layer_sizes:
        layers += [NTKDense(n_units), ParametricActivation(activation)]
        if dropout:
            layers.append(Dropout(dropout))
    return layers + [NTKDense(n_outputs, bias_init="zeros")]


def new_tabular_network(layers, X, random_state):
    """The built network of ``layers``, initialised on a sample of the rows ``X``.

    Parameters
    ----------
    layers : list of skmlp.nn.Layer
    X : ndarray of shape (n_samples, n_inputs)
        The preprocessed training rows.
    random_state : numpy.random.RandomState
        The fit's generator: the weights, then the rows sampled for the
        data-dependent initialisation (`skmlp.nn.initialize_from_data`).

    Returns
    -------
    network : skmlp.nn.Sequential
    """
    network = Sequential(layers).build(X.shape[1], X.dtype, random_state)
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
