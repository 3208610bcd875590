"""Sparse products of the first layer without dense temporaries."""

import numpy as np
import scipy.sparse as sp

try:  # SciPy's compiled kernels; stable for years, but private.
    from scipy.sparse._sparsetools import csc_matvecs as _csc_matvecs
except ImportError:  # pragma: no cover - a SciPy that moved them
    _csc_matvecs = None


def sparse_transpose_dot(X, dY, out):
    """``out[...] = X.T @ dY`` for a sparse ``X``, written in place.

    ``X.T @ dY`` through the public API builds a new dense array of the
    weight matrix's size for every mini-batch (50,000 x 256 for a tf-idf
    vocabulary), then copies it. The CSR arrays of ``X`` are the CSC arrays
    of ``X.T``, so SciPy's kernel accumulates straight into ``out``.

    Parameters
    ----------
    X : sparse matrix of shape (n_samples, n_features)
    dY : ndarray of shape (n_samples, n_units), C-contiguous
    out : ndarray of shape (n_features, n_units), C-contiguous
    """
    if _csc_matvecs is None or X.format != "csr":
        out[...] = X.T @ dY
        return out
    data = X.data if X.data.dtype == out.dtype else X.data.astype(out.dtype)
    out.fill(0)
    n_samples, n_features = X.shape
    _csc_matvecs(
        n_features, n_samples, dY.shape[1], X.indptr, X.indices, data,
        np.ascontiguousarray(dY, dtype=out.dtype).ravel(), out.ravel(),
    )
    return out
