"""Fully connected (affine) layer."""

import numpy as np

from ._base import Layer, ParamSpec
from ._sparse import sparse_dot, sparse_transpose_dot


class Dense(Layer):
    """Affine map ``Y = X @ W + b``.

    Shapes: ``X`` is ``(n, n_inputs)`` (dense, or a scipy sparse matrix used
    as-is in the products), ``W`` is ``(n_inputs, n_units)``, ``b`` is
    ``(n_units,)`` and ``Y`` is ``(n, n_units)``.

    Backward, for the incoming gradient ``dY``::

        dW = X.T @ dY        db = dY.sum(axis=0)        dX = dY @ W.T

    Cached: a reference to ``X`` (no copy).

    Parameters
    ----------
    n_units : int
        Number of output units.
    init_factor : float, default=6.0
        Weights and biases start uniform in ``[-a, a]`` with
        ``a = sqrt(init_factor / fan)``.
    fan : {'sum', 'in'}, default='sum'
        ``fan`` is ``n_inputs + n_units`` ('sum') or ``n_inputs`` ('in').
        With ``init_factor=6``, 'sum' is Glorot and Bengio's uniform
        initialisation (scikit-learn uses 2 for logistic hidden units) and
        'in' is He et al.'s, which suits relu-family activations.
    """

    def __init__(self, n_units, *, init_factor=6.0, fan="sum"):
        self.n_units = n_units
        self.init_factor = init_factor
        self.fan = fan

    def build(self, n_inputs, dtype):
        super().build(n_inputs, dtype)
        return self.n_units

    def get_config(self):
        return {"n_units": self.n_units, "init_factor": self.init_factor, "fan": self.fan}

    def param_specs(self):
        return [
            ParamSpec("W", (self.n_inputs_, self.n_units), penalized=True),
            ParamSpec("b", (self.n_units,)),
        ]

    def initialize(self, random_state):
        fan = self.n_inputs_ + self.n_units if self.fan == "sum" else self.n_inputs_
        bound = np.sqrt(self.init_factor / fan)
        # Drawn in float64 then cast, weights before biases: the same stream
        # of random numbers as scikit-learn's MLP for the same random_state.
        self.W[...] = random_state.uniform(-bound, bound, self.W.shape)
        self.b[...] = random_state.uniform(-bound, bound, self.b.shape)

    def forward(self, X, *, training, sample_weight=None):
        if training and isinstance(X, np.ndarray):
            Y = self._workspace("Y", (X.shape[0], self.n_units))
            np.matmul(X, self.W, out=Y)
        else:
            # Inference returns a new array, with numpy's type promotion
            # (float64 rows through a float32 network are not downcast);
            # sparse X uses its own product, as-is.
            Y = X @ self.W
        Y += self.b
        if training:
            self._cache = X
        return Y

    def forward_into(self, X, out):
        """``X @ W + b`` written into ``out``, with the sums of :meth:`forward`.

        A CSR ``X`` of the layer's dtype goes through SciPy's kernel straight
        into ``out`` (the kernel and order of sums of ``X @ W``).

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            Of the layer's dtype.
        out : ndarray of shape (n_samples, n_outputs)
            Of the layer's dtype, free to overwrite (see
            :meth:`Layer.forward_into`).

        Returns
        -------
        Y : ndarray of shape (n_samples, n_outputs)
            ``out``, or a new array when ``out`` is ``X``.
        """
        if out is X:  # a product cannot overwrite its own input
            return self.forward(X, training=False)
        if isinstance(X, np.ndarray):
            np.matmul(X, self.W, out=out)
        elif X.format == "csr" and X.dtype == self.W.dtype:
            sparse_dot(X, self.W, out)
        else:
            return self.forward(X, training=False)
        out += self.b
        return out

    def backward(self, dY):
        X = self._cache
        if isinstance(X, np.ndarray):
            # X.T is a transposed view: BLAS reads it without a copy.
            np.matmul(X.T, dY, out=self.dW)
        else:
            sparse_transpose_dot(X, dY, out=self.dW)
        np.add.reduce(dY, axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        dX = self._workspace("dX", (dY.shape[0], self.n_inputs_))
        if self.n_units == 1:
            # One output (binary classification, one regression target):
            # each entry is one product dY[i, 0] * W[j, 0], which a broadcast
            # multiply computes as GEMM does (GEMM adds it to a zero: the same
            # number, a zero's sign apart) in 4 us instead of OpenBLAS's 25
            # (256 x 1 times 1 x 64 float32).
            return np.multiply(dY, self.W.T, out=dX)
        return np.matmul(dY, self.W.T, out=dX)

    def __repr__(self):
        return f"Dense({self.n_units})"
