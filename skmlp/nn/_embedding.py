"""Embedding tables for integer-coded categorical columns."""

import numpy as np

from ._base import Layer, ParamSpec


class Embedding(Layer):
    """Replace integer-coded columns by rows of learned tables.

    Column ``columns[j]`` holds codes ``0 .. n_categories[j] - 1`` (as
    floats, the network's dtype); each code selects a row of ``n_dims``
    learned values from that column's table, like ``torch.nn.Embedding``.
    The tables of all columns are stacked in one parameter ``E`` of shape
    ``(sum(n_categories), n_dims)``; column ``j``'s rows start at
    ``offsets_[j]``. The output is the other columns, in order, followed by
    the embedded ones::

        Y = [X[:, other columns], E[offsets_[0] + code_0], ..., E[offsets_[k-1] + code_k-1]]

    Backward, for ``dY = [dX_other, dE_1, ..., dE_k]``: ``dE`` is the sum of
    the gradients of the rows that selected each table row (rows never
    selected get 0) and the gradient of the other columns passes through.
    Codes are not differentiable: their columns of ``dX`` are 0.

    Cached: the row index into ``E`` of every (sample, column).

    Parameters
    ----------
    columns : array-like of int
        Indices of the code columns.
    n_categories : array-like of int
        Size of each column's table: its number of codes (reserve one for
        missing or unknown categories, as the tabular preprocessing does).
    n_dims : int, default=8
        Width of each table (RealMLP's default).

    Raises
    ------
    ValueError
        In ``forward``, if a code is not an integer in ``[0, n_categories[j])``.
    """

    def __init__(self, columns, n_categories, *, n_dims=8):
        self.columns = columns
        self.n_categories = n_categories
        self.n_dims = n_dims

    def get_config(self):
        return {"columns": [int(j) for j in self.columns],
                "n_categories": [int(k) for k in self.n_categories], "n_dims": self.n_dims}

    def build(self, n_inputs, dtype):
        super().build(n_inputs, dtype)
        self.columns_ = np.asarray(self.columns, dtype=np.intp).reshape(-1)
        sizes = np.asarray(self.n_categories, dtype=np.intp).reshape(-1)
        if sizes.shape != self.columns_.shape or (sizes.size and sizes.min() < 1):
            raise ValueError("n_categories must give a positive table size for each column.")
        if np.unique(self.columns_).size != self.columns_.size or (
            self.columns_.size and not (0 <= self.columns_.min() and self.columns_.max() < n_inputs)
        ):
            raise ValueError(f"columns must be distinct indices below n_inputs={n_inputs}.")
        self.offsets_ = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        self.sizes_ = sizes
        self.others_ = np.setdiff1d(np.arange(n_inputs), self.columns_)
        return self.others_.size + self.columns_.size * self.n_dims

    def param_specs(self):
        return [ParamSpec("E", (int(self.sizes_.sum()), self.n_dims))]

    def initialize(self, random_state):
        # N(0, 1), as torch.nn.Embedding and RealMLP.
        self.E[...] = random_state.standard_normal(self.E.shape)

    def _rows(self, X):
        """Row of ``E`` for every (sample, code column), checked."""
        codes = X[:, self.columns_]
        # Checked before the cast, which is undefined for NaN and huge values.
        bad = ~((codes >= 0) & (codes < self.sizes_) & (codes == np.floor(codes)))
        if bad.any():
            sample, column = np.argwhere(bad)[0]
            raise ValueError(
                f"Column {self.columns_[column]} holds {float(codes[sample, column])!r} in row "
                f"{sample}: codes must be integers in [0, {self.sizes_[column]})."
            )
        return codes.astype(np.intp) + self.offsets_

    def forward(self, X, *, training, sample_weight=None):
        rows = self._rows(X)
        n, n_others = X.shape[0], self.others_.size
        Y = np.empty((n, n_others + rows.shape[1] * self.n_dims),
                     dtype=np.result_type(X, self._dtype))
        Y[:, :n_others] = X[:, self.others_]
        Y[:, n_others:] = self.E[rows].reshape(n, -1)
        if training:
            self._cache = rows
        return Y

    def backward(self, dY):
        rows = self._cache
        n, n_others = dY.shape[0], self.others_.size
        dE = dY[:, n_others:].reshape(-1, self.n_dims)
        self.dE[...] = 0.0
        np.add.at(self.dE, rows.reshape(-1), dE)
        if not self.needs_input_grad:
            return None
        dX = np.zeros((n, self.n_inputs_), dtype=dY.dtype)
        dX[:, self.others_] = dY[:, :n_others]
        return dX

    def __repr__(self):
        return f"Embedding(n_categories={[int(k) for k in self.n_categories]}, n_dims={self.n_dims})"
