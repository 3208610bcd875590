"""Sparse products of the first layer without dense temporaries."""

import numpy as np

from ._scipy_compat import csc_matvecs, csr_matvecs


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
    if csc_matvecs is None or X.format != "csr":
        out[...] = X.T @ dY
        return out
    data = X.data if X.data.dtype == out.dtype else X.data.astype(out.dtype)
    out.fill(0)
    n_samples, n_features = X.shape
    csc_matvecs(
        n_features, n_samples, dY.shape[1], X.indptr, X.indices, data,
        np.ascontiguousarray(dY, dtype=out.dtype).ravel(), out.ravel(),
    )
    return out


def sparse_dot(X, W, out):
    """``out[...] = X @ W`` for a CSR ``X``, written in place.

    The kernel and the order of the sums are those of ``X @ W`` (SciPy's
    own product zero-fills its result and runs the same kernel), without
    allocating the result.

    Parameters
    ----------
    X : CSR matrix of shape (n_samples, n_features)
    W : ndarray of shape (n_features, n_units), C-contiguous, of ``X``'s dtype
    out : ndarray of shape (n_samples, n_units), C-contiguous
    """
    if csr_matvecs is None:  # pragma: no cover
        out[...] = X @ W
        return out
    out.fill(0)
    n_samples, n_features = X.shape
    csr_matvecs(
        n_samples, n_features, W.shape[1], X.indptr, X.indices, X.data, W.ravel(), out.ravel()
    )
    return out
