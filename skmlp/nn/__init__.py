"""The numpy backprop core of skmlp.

Layers follow one contract (see :class:`Layer`): ``forward(X, *, training)``
returns the output and caches what ``backward(dY)`` needs; ``backward`` fills
the parameter gradients and returns the gradient for the layer below. A
:class:`Sequential` stacks layers over one flat parameter buffer; a
:class:`Loss` fuses the output function with its loss; optimisers update flat
arrays in place and add the :class:`L2Penalty`, following a learning-rate
:class:`Schedule` if given. The layers for tables (periodic and categorical
embeddings, a feature scale, parametric activations, an NTK-parametrised
dense layer) follow the same contract. This package imports numpy and scipy only.
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
from ._data_init import initialize_from_data
from ._dense import Dense
from ._dropout import Dropout
from ._embedding import Embedding
from ._losses import (
    LOSSES,
    BinaryLogLoss,
    Loss,
    MultinomialLogLoss,
    PoissonDeviance,
    SquaredError,
)
from ._normalization import BatchNorm, LayerNorm
from ._ntk_dense import NTKDense
from ._objective import Objective
from ._optimizers import SGD, Adam, clip_grad_norm, minimize_lbfgs
from ._parametric_activation import ParametricActivation
from ._penalty import L2Penalty
from ._periodic_embedding import PeriodicEmbedding
from ._scale import Scale
from ._schedules import SCHEDULES, CosineAnnealing, OneCycle, Schedule
from ._sequential import Sequential
from ._smooth_activations import SELU, Mish

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
    "Embedding",
    "GELU",
    "Identity",
    "L2Penalty",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Logistic",
    "Mish",
    "Loss",
    "MultinomialLogLoss",
    "NTKDense",
    "Objective",
    "OneCycle",
    "ParamSpec",
    "ParametricActivation",
    "PeriodicEmbedding",
    "PoissonDeviance",
    "ReLU",
    "SELU",
    "SGD",
    "Scale",
    "Schedule",
    "Sequential",
    "Softplus",
    "SquaredError",
    "Tanh",
    "build_layer",
    "clip_grad_norm",
    "initialize_from_data",
    "minimize_lbfgs",
]
