"""The numpy backprop core of skmlp.

Layers follow one contract (see :class:`Layer`): ``forward(X, *, training)``
returns the output and caches what ``backward(dY)`` needs; ``backward`` fills
the parameter gradients and returns the gradient for the layer below. A
:class:`Sequential` stacks layers over one flat parameter buffer; a
:class:`Loss` fuses the output function with its loss; optimisers update flat
arrays in place and add the :class:`L2Penalty`, following a learning-rate
:class:`Schedule` if given. This package imports numpy and scipy only.
"""

from ._activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    Logistic,
    ReLU,
    Softplus,
    Tanh,
)
from ._base import Layer, ParamSpec, build_layer
from ._dense import Dense
from ._dropout import Dropout
from ._losses import (
    LOSSES,
    BinaryLogLoss,
    Loss,
    MultinomialLogLoss,
    PoissonDeviance,
    SquaredError,
)
from ._normalization import BatchNorm, LayerNorm
from ._objective import Objective
from ._optimizers import SGD, Adam, clip_grad_norm, minimize_lbfgs
from ._penalty import L2Penalty
from ._schedules import SCHEDULES, CosineAnnealing, OneCycle, Schedule
from ._sequential import Sequential

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "SCHEDULES",
    "Adam",
    "BatchNorm",
    "BinaryLogLoss",
    "CosineAnnealing",
    "Dense",
    "Dropout",
    "ELU",
    "GELU",
    "Identity",
    "L2Penalty",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Logistic",
    "Loss",
    "MultinomialLogLoss",
    "Objective",
    "OneCycle",
    "ParamSpec",
    "PoissonDeviance",
    "ReLU",
    "SGD",
    "Schedule",
    "Sequential",
    "Softplus",
    "SquaredError",
    "Tanh",
    "build_layer",
    "clip_grad_norm",
    "minimize_lbfgs",
]
