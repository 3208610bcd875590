"""A fitted network as ONNX operators, added through skl2onnx's container.

The walk follows ``estimator._network.layers`` in order and writes each layer
as the formula its inference ``forward`` computes:

=================  ==========================================================
layer              ONNX operators
=================  ==========================================================
Dense              ``MatMul(X, W) + b``
Dense, BatchNorm   one ``MatMul`` and ``Add``: the running statistics are
                   folded into the weights, ``W s`` and ``(b - mean) s + beta``
                   with ``s = gamma / sqrt(running_var + epsilon)``
LayerNorm          ``LayerNormalization`` over the last axis (opset 17)
Dropout            nothing (the identity at inference)
identity           nothing
logistic           ``Sigmoid``
tanh               ``Tanh``
relu               ``Relu``
leaky_relu         ``Max(X, a X)``
elu                ``Max(X, Exp(Min(X, 0)) - 1)``
gelu               ``X (1 + Erf(X / sqrt(2))) / 2``
softplus           ``Relu(X) + Log(1 + Exp(-|X|))``
=================  ==========================================================

Leaky relu, elu and softplus are written out, not ONNX's ``LeakyRelu``,
``Elu`` and ``Softplus``, because onnxruntime has no float64 kernels for
those; the forms above are the ones the layers compute and run in both
dtypes. The output function of the loss follows: ``Softmax``, ``Sigmoid``,
nothing (identity) or ``Exp`` of the output capped as ``PoissonDeviance``
caps it. A layer or output function not in these tables is refused with an
error that names it, so no graph is ever a guess.
"""

import math

import numpy as np
from onnx import TensorProto, numpy_helper
from skl2onnx.common.data_types import guess_proto_type

from ..nn import (
    ELU,
    GELU,
    BatchNorm,
    Dense,
    Dropout,
    Identity,
    LayerNorm,
    LeakyReLU,
    Logistic,
    ReLU,
    Softplus,
    Tanh,
)

#: The first opset with ``LayerNormalization``.
LAYER_NORM_OPSET = 17


class Graph:
    """Nodes and constants of one floating point type, in a skl2onnx container.

    Parameters
    ----------
    scope : skl2onnx Scope
        Gives unique names.
    container : skl2onnx ModelComponentContainer
        Receives the nodes and initialisers.
    dtype : {numpy.float32, numpy.float64}
        Type of every tensor the network computes.
    predict_dtype : numpy dtype, default=None
        Type that ``predict`` computes in for the same input: numpy's
        promotion of the input's type and the network's (a float64 network
        computes float32 rows in float64). Where it differs from ``dtype``,
        only the caps that depend on it follow it. None means ``dtype``.
    """

    def __init__(self, scope, container, dtype, predict_dtype=None):
        self.scope = scope
        self.container = container
        self.dtype = np.dtype(dtype)
        self.predict_dtype = self.dtype if predict_dtype is None else np.dtype(predict_dtype)
        self.proto_type = TensorProto.DOUBLE if self.dtype == np.float64 else TensorProto.FLOAT

    @property
    def opset(self):
        """The opset of the main domain that the model targets."""
        return self.container.target_opset

    def constant(self, value, name="constant", dtype=None):
        """The name of a new initialiser holding ``value`` (the graph's dtype)."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(name, None, None, numpy_helper.from_array(array, name))
        return name

    def strings(self, values, name="classes"):
        """The name of a new 1-D string initialiser."""
        name = self.scope.get_unique_variable_name(name)
        encoded = [str(value).encode("utf-8") for value in values]
        self.container.add_initializer(name, TensorProto.STRING, [len(encoded)], encoded)
        return name

    def node(self, op_type, inputs, *, output=None, **attributes):
        """Add one node; returns the name of its output.

        ``output`` names it (an output of the converted operator); by
        default it gets a new unique name.
        """
        if output is None:
            output = self.scope.get_unique_variable_name(op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, list(inputs), output, name=name, **attributes)
        return output

    def cast_input(self, variable):
        """The input as a tensor of the graph's dtype (cast unless it is one)."""
        if guess_proto_type(variable.type) == self.proto_type:
            return variable.full_name
        return self.node("Cast", [variable.full_name], to=self.proto_type)


def _dense(graph, X, layer, batch_norm=None):
    W = np.asarray(layer.W, dtype=np.float64)
    b = np.asarray(layer.b, dtype=np.float64)
    if batch_norm is not None:
        scale, shift = _batch_norm_affine(batch_norm)
        W, b = W * scale, b * scale + shift
    product = graph.node("MatMul", [X, graph.constant(W, "coefficients")])
    return graph.node("Add", [product, graph.constant(b, "intercepts")])


def _batch_norm_affine(layer):
    """Batch norm at inference as ``X s + t``, in float64."""
    running_var = np.asarray(layer.running_var, dtype=np.float64)
    scale = np.asarray(layer.gamma, dtype=np.float64) / np.sqrt(running_var + layer.epsilon_)
    shift = layer.beta - np.asarray(layer.running_mean, dtype=np.float64) * scale
    return scale, shift


def _layer_norm(graph, X, layer):
    if graph.opset < LAYER_NORM_OPSET:
        raise NotImplementedError(
            f"Layer normalisation needs ONNX's LayerNormalization, which opset "
            f"{LAYER_NORM_OPSET} introduced; the target opset is {graph.opset}. "
            f"Convert with target_opset={LAYER_NORM_OPSET} or later."
        )
    # ONNX stores float attributes as float32: a smaller epsilon (legal in a
    # float64 network) would become 0, and a constant row 0 / 0.
    if layer.epsilon_ < np.finfo(np.float32).tiny:
        raise NotImplementedError(
            f"Layer normalisation with epsilon {layer.epsilon_:g}: ONNX's "
            "LayerNormalization holds its epsilon as a float32, whose smallest normal "
            f"value is {np.finfo(np.float32).tiny:g}. Fit with a larger normalization_epsilon."
        )
    scale, offset = graph.constant(layer.gamma, "scale"), graph.constant(layer.beta, "offset")
    return graph.node(
        "LayerNormalization", [X, scale, offset], axis=-1, epsilon=float(layer.epsilon_)
    )


def _identity(graph, X, layer):
    return X


def _operator(op_type):
    """A layer that is one ONNX operator without attributes."""

    def convert(graph, X, layer):
        return graph.node(op_type, [X])

    return convert


def _leaky_relu(graph, X, layer):
    slope = graph.node("Mul", [X, graph.constant(layer.negative_slope, "negative_slope")])
    return graph.node("Max", [X, slope])


def _elu(graph, X, layer):
    negative = graph.node("Min", [X, graph.constant(0.0, "zero")])
    below = graph.node("Sub", [graph.node("Exp", [negative]), graph.constant(1.0, "one")])
    return graph.node("Max", [X, below])


def _gelu(graph, X, layer):
    scaled = graph.node("Mul", [X, graph.constant(1.0 / math.sqrt(2.0), "inv_sqrt2")])
    twice_phi = graph.node("Add", [graph.node("Erf", [scaled]), graph.constant(1.0, "one")])
    half_x = graph.node("Mul", [X, graph.constant(0.5, "half")])
    return graph.node("Mul", [half_x, twice_phi])


def _softplus(graph, X, layer):
    # log(1 + exp(X)) = max(X, 0) + log(1 + exp(-|X|)): no overflow.
    decay = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [X])])])
    log_term = graph.node("Log", [graph.node("Add", [decay, graph.constant(1.0, "one")])])
    return graph.node("Add", [graph.node("Relu", [X]), log_term])


# Exact types: a subclass may compute something else, and is refused.
_LAYERS = {
    Dense: _dense,
    LayerNorm: _layer_norm,
    Identity: _identity,
    Logistic: _operator("Sigmoid"),
    Tanh: _operator("Tanh"),
    ReLU: _operator("Relu"),
    LeakyReLU: _leaky_relu,
    ELU: _elu,
    GELU: _gelu,
    Softplus: _softplus,
}


def _poisson_mean(graph, Z):
    # PoissonDeviance.output caps Z at half the largest exponent of the
    # dtype predict computes in (float64 for a float64 network fed float32
    # rows: a float32 cap there would cut means above 1.8e19 that float32
    # holds).
    cap = 0.5 * np.log(np.finfo(graph.predict_dtype).max)
    return graph.node("Exp", [graph.node("Min", [Z, graph.constant(cap, "cap")])])


_OUTPUTS = {
    "identity": lambda graph, Z: Z,
    "logistic": lambda graph, Z: graph.node("Sigmoid", [Z]),
    "softmax": lambda graph, Z: graph.node("Softmax", [Z], axis=1),
    "exp": _poisson_mean,
}


def _unsupported(estimator, what):
    layers = sorted(kind.__name__ for kind in (*_LAYERS, Dropout, BatchNorm))
    return NotImplementedError(
        f"skmlp.onnx cannot convert {type(estimator).__name__} with {what}: "
        f"it converts the layers {layers} and the output functions {sorted(_OUTPUTS)}."
    )


def _steps(estimator):
    """(layer, batch norm folded into it or None), without the dropout layers."""
    layers = [layer for layer in estimator._network.layers if type(layer) is not Dropout]
    steps = []
    for layer in layers:
        if type(layer) is BatchNorm:
            if not steps or type(steps[-1][0]) is not Dense or steps[-1][1] is not None:
                raise _unsupported(estimator, "a BatchNorm layer that does not follow a Dense one")
            steps[-1] = (steps[-1][0], layer)
        elif type(layer) in _LAYERS:
            steps.append((layer, None))
        else:
            raise _unsupported(estimator, f"a layer {layer!r} of type {type(layer).__qualname__}")
    return steps


def check_convertible(estimator):
    """Raise NotImplementedError unless every layer and the output convert."""
    _steps(estimator)
    if estimator._loss.output_name not in _OUTPUTS:
        raise _unsupported(estimator, f"the output function {estimator._loss.output_name!r}")


def network_output(graph, estimator, X):
    """The name of the network's predictions ``loss.output(Z)`` for input ``X``.

    Parameters
    ----------
    graph : Graph
    estimator : fitted MLPClassifier or MLPRegressor
    X : str
        Name of the input tensor, of the graph's dtype.

    Returns
    -------
    output : str
        Probabilities (classifier) or predicted values (regressor), of
        shape ``(n_samples, n_outputs_)``.

    Raises
    ------
    NotImplementedError
        For a layer or output function that has no ONNX form here, or layer
        normalisation with a target opset below 17.
    """
    check_convertible(estimator)
    for layer, batch_norm in _steps(estimator):
        if batch_norm is None:
            X = _LAYERS[type(layer)](graph, X, layer)
        else:
            X = _dense(graph, X, layer, batch_norm)
    return _OUTPUTS[estimator._loss.output_name](graph, X)
