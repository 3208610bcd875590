"""Periodic embeddings of numeric columns (PBLD)."""

import math

import numpy as np

from ._base import Layer, ParamSpec

_TWO_PI = 2.0 * math.pi


class PeriodicEmbedding(Layer):
    """Per numeric column, ``cos(2 pi w x + b)`` then a small linear map (PBLD).

    Each of the ``k`` embedded columns ``x_j`` gets ``n_frequencies`` learned
    frequencies ``w_j`` (drawn from N(0, sigma**2)) and phases ``b_j``
    (uniform in [-pi, pi]), and its own linear map ``V_j, c_j`` to
    ``n_embedding`` values::

        H_j = cos(2 pi x_j w_j + b_j)                  # (n, n_frequencies)
        Z_j = H_j @ V_j + c_j                          # (n, n_embedding)
        Y = [Z_1, ..., Z_k, X]                         # (n, k * n_embedding + n_inputs)

    The whole input ``X`` follows the embeddings ("densenet": each value
    next to its embedding; columns not embedded, one-hot or already
    embedded categories, pass through). This is RealMLP's "PBLD":
    periodic, bias, linear, densenet.

    Backward, for ``dY = [dZ, dX_direct]``, with ``S_j = sin(2 pi x_j w_j + b_j)``::

        dV_j = H_j.T @ dZ_j          dc_j = dZ_j.sum(axis=0)
        dA_j = -S_j * (dZ_j @ V_j.T)
        dw_j = 2 pi x_j @ dA_j       db_j = dA_j.sum(axis=0)
        dX = dX_direct,  plus 2 pi dA_j @ w_j in column j

    Cached: the embedded columns, ``H`` and ``S``, of shape
    ``(k, n, n_frequencies)``.

    Parameters
    ----------
    columns : array-like of int or None, default=None
        Indices of the numeric columns to embed; None embeds every column.
    n_frequencies : int, default=16
        Learned frequencies per embedded column: the width of ``H_j``.
    n_embedding : int, default=3
        Width of each column's linear map; with the value itself, each
        embedded column becomes ``n_embedding + 1`` features.
    sigma : float, default=0.1
        Standard deviation of the initial frequencies. Inputs are expected
        on a unit scale (robust scaling with smooth clipping bounds them by
        3 in absolute value).

    Attributes
    ----------
    columns_ : ndarray of shape (k,)
        Indices of the embedded columns.

    References
    ----------
    Gorishniy, Rubachev and Babenko, "On Embeddings for Numerical Features
    in Tabular Deep Learning", NeurIPS 2022. Holzmüller, Grinsztajn and
    Steinwart, "Better by Default", NeurIPS 2024.
    """

    def __init__(self, columns=None, *, n_frequencies=16, n_embedding=3, sigma=0.1):
        self.columns = columns
        self.n_frequencies = n_frequencies
        self.n_embedding = n_embedding
        self.sigma = sigma

    def get_config(self):
        columns = None if self.columns is None else [int(j) for j in self.columns]
        return {"columns": columns, "n_frequencies": self.n_frequencies,
                "n_embedding": self.n_embedding, "sigma": self.sigma}

    def build(self, n_inputs, dtype):
        super().build(n_inputs, dtype)
        columns = np.arange(n_inputs) if self.columns is None else self.columns
        self.columns_ = np.asarray(columns, dtype=np.intp).reshape(-1)
        if self.columns_.size and not (
            0 <= self.columns_.min() and self.columns_.max() < n_inputs
            and np.unique(self.columns_).size == self.columns_.size
        ):
            raise ValueError(
                f"columns must be distinct indices below n_inputs={n_inputs}; got {columns}."
            )
        return self.columns_.size * self.n_embedding + self.n_inputs_

    def param_specs(self):
        k, f, m = self.columns_.size, self.n_frequencies, self.n_embedding
        return [
            ParamSpec("frequencies", (k, f)),
            ParamSpec("phases", (k, f)),
            ParamSpec("V", (k, f, m), penalized=True),
            ParamSpec("c", (k, m)),
        ]

    def initialize(self, random_state):
        # The linear map as torch.nn.Linear's default: uniform, bound 1/sqrt(fan_in).
        bound = 1.0 / math.sqrt(self.n_frequencies)
        self.frequencies[...] = self.sigma * random_state.standard_normal(self.frequencies.shape)
        self.phases[...] = random_state.uniform(-math.pi, math.pi, self.phases.shape)
        self.V[...] = random_state.uniform(-bound, bound, self.V.shape)
        self.c[...] = random_state.uniform(-bound, bound, self.c.shape)

    def forward(self, X, *, training, sample_weight=None):
        # Columns first, (k, n, 1): the per-column products are one batched matmul.
        Xk = X[:, self.columns_].T[:, :, np.newaxis]
        angle = Xk * (_TWO_PI * self.frequencies[:, np.newaxis, :])
        angle += self.phases[:, np.newaxis, :]
        H = np.cos(angle)
        Z = np.matmul(H, self.V)
        Z += self.c[:, np.newaxis, :]
        if training:
            self._cache = (Xk, H, np.sin(angle, out=angle))
        n, width = X.shape[0], self.columns_.size * self.n_embedding
        Y = np.empty((n, width + self.n_inputs_), dtype=np.result_type(X, self._dtype))
        Y[:, :width] = Z.transpose(1, 0, 2).reshape(n, width)
        Y[:, width:] = X
        return Y

    def backward(self, dY):
        Xk, H, S = self._cache
        k, n, width = self.columns_.size, dY.shape[0], self.columns_.size * self.n_embedding
        dZ = dY[:, :width].reshape(n, k, self.n_embedding).transpose(1, 0, 2)
        np.matmul(H.transpose(0, 2, 1), dZ, out=self.dV)
        np.sum(dZ, axis=1, out=self.dc)
        dA = np.matmul(dZ, self.V.transpose(0, 2, 1))
        dA *= S
        np.negative(dA, out=dA)
        np.sum(dA, axis=1, out=self.dphases)
        # dw_j = 2 pi sum_n x_nj dA_nj: (k, 1, n) @ (k, n, f)
        np.matmul(Xk.transpose(0, 2, 1), dA, out=self.dfrequencies[:, np.newaxis, :])
        self.dfrequencies *= _TWO_PI
        if not self.needs_input_grad:
            return None
        dX = dY[:, width:].copy()
        dX[:, self.columns_] += _TWO_PI * np.matmul(dA, self.frequencies[:, :, np.newaxis])[:, :, 0].T
        return dX

    def __repr__(self):
        return f"PeriodicEmbedding(n_frequencies={self.n_frequencies}, n_embedding={self.n_embedding})"
