"""Data-dependent initialisation of a network, layer by layer."""


def initialize_from_data(network, X, random_state):
    """Let every layer that can adapt its parameters to the data do so.

    ``X`` goes through the layers in inference mode; each layer that has an
    ``initialize_from_data(A, random_state)`` method (see
    :class:`~skmlp.nn.NTKDense`) is given its input ``A`` first, so that a
    layer sees the outputs of the layers below as already adapted.

    Parameters
    ----------
    network : Sequential
        Built and initialised.
    X : ndarray of shape (n_samples, n_inputs)
        Training rows (a few hundred to a few thousand are enough).
    random_state : numpy.random.RandomState
        Passed to each layer's ``initialize_from_data``.

    Returns
    -------
    network : Sequential
        The same network.
    """
    A = X
    for layer in network.layers:
        adapt = getattr(layer, "initialize_from_data", None)
        if adapt is not None:
            adapt(A, random_state)
        A = layer.forward(A, training=False)
    return network
