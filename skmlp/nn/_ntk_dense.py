"""Affine layer in the neural tangent kernel parametrisation."""

import math

import numpy as np

from ._base import Layer, ParamSpec

#: Rows whose pre-activations are mixed into each unit's data-dependent bias.
_BIAS_ROWS = 5


class NTKDense(Layer):
    """``Y = X @ W / sqrt(n_inputs) + b`` with ``W`` drawn from N(0, 1).

    The factor ``1 / sqrt(n_inputs)`` sits in the forward pass rather than
    in the initial weights (Jacot et al.'s parametrisation): the outputs
    start with the variance of a standard initialisation, but the step an
    optimiser takes on ``W`` acts on the output scaled down by the fan-in,
    so one learning rate suits layers of any width. Shapes: ``X`` is
    ``(n, n_inputs)``, ``W`` is ``(n_inputs, n_units)``, ``b`` is
    ``(n_units,)``, ``Y`` is ``(n, n_units)``.

    Backward, for the incoming gradient ``dY``, with ``c = 1 / sqrt(n_inputs)``::

        dW = c X.T @ dY        db = dY.sum(axis=0)        dX = c dY @ W.T

    Cached: a reference to ``X``.

    :meth:`initialize` draws ``W`` from N(0, 1) and ``b`` from N(0, 1)
    (``bias_init='normal'``, RealMLP-TD-S) or sets it to 0 ('zeros').
    :meth:`initialize_from_data` then adapts both to a batch of inputs
    (RealMLP-TD's ``'std'`` weights and ``'he+5'`` biases).

    Parameters
    ----------
    n_units : int
        Number of output units.
    bias_init : {'normal', 'zeros'}, default='normal'

    References
    ----------
    Jacot, Gabriel and Hongler, "Neural Tangent Kernel: Convergence and
    Generalization in Neural Networks", NeurIPS 2018. Holzmüller,
    Grinsztajn and Steinwart, "Better by Default", NeurIPS 2024.
    """

    def __init__(self, n_units, *, bias_init="normal"):
        self.n_units = n_units
        self.bias_init = bias_init

    def build(self, n_inputs, dtype):
        if self.bias_init not in ("normal", "zeros"):
            raise ValueError(f"bias_init must be 'normal' or 'zeros'; got {self.bias_init!r}.")
        super().build(n_inputs, dtype)
        self.factor_ = 1.0 / math.sqrt(self.n_inputs_)
        return self.n_units

    def get_config(self):
        return {"n_units": self.n_units, "bias_init": self.bias_init}

    def param_specs(self):
        return [
            ParamSpec("W", (self.n_inputs_, self.n_units), penalized=True),
            ParamSpec("b", (self.n_units,)),
        ]

    def initialize(self, random_state):
        self.W[...] = random_state.standard_normal(self.W.shape)
        if self.bias_init == "normal":
            self.b[...] = random_state.standard_normal(self.b.shape)
        else:
            self.b[...] = 0.0

    def initialize_from_data(self, X, random_state):
        """Scale ``W`` and set ``b`` from a batch of inputs ``X``, in place.

        Each unit's weights are divided by the standard deviation of its
        output ``X @ W / sqrt(n_inputs)`` over the rows, so that every unit
        starts with unit variance on the data. Its bias is then minus a
        random convex combination (weights from a flat Dirichlet) of that
        output at 5 random rows, so that each unit's kink starts inside the
        data ("he+5" in pytabkit).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs)
            The layer's inputs for a batch of training rows.
        random_state : numpy.random.RandomState
            Draws the rows and the convex weights of the bias.
        """
        out = (X @ self.W) * self.factor_
        std = out.std(axis=0)
        std[std == 0] = 1.0  # a unit that sees constant input keeps its weights
        self.W /= std
        out /= std
        rows = random_state.randint(X.shape[0], size=(self.n_units, _BIAS_ROWS))
        mix = random_state.exponential(size=(self.n_units, _BIAS_ROWS))
        mix /= mix.sum(axis=1, keepdims=True)
        self.b[...] = -np.sum(out[rows, np.arange(self.n_units)[:, None]] * mix, axis=1)

    def forward(self, X, *, training, sample_weight=None):
        Y = X @ self.W
        Y *= self.factor_
        Y += self.b
        if training:
            self._cache = X
        return Y

    def backward(self, dY):
        X = self._cache
        np.matmul(X.T, dY, out=self.dW)
        self.dW *= self.factor_
        np.add.reduce(dY, axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        dX = dY @ self.W.T
        dX *= self.factor_
        return dX

    def __repr__(self):
        return f"NTKDense({self.n_units})"
