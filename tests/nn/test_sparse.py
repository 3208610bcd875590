"""The in-place sparse product of the first layer's weight gradient."""

import numpy as np
import pytest
import scipy.sparse as sp

from skmlp.nn._sparse import sparse_transpose_dot


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_matches_the_dense_product(dtype, index_dtype):
    X = sp.random(30, 200, density=0.05, format="csr", random_state=0).astype(dtype)
    X.indices = X.indices.astype(index_dtype)
    X.indptr = X.indptr.astype(index_dtype)
    dY = np.random.RandomState(1).standard_normal((30, 7)).astype(dtype)
    out = np.full((200, 7), np.nan, dtype=dtype)
    sparse_transpose_dot(X, dY, out)
    np.testing.assert_allclose(out, X.toarray().T @ dY, rtol=1e-5, atol=1e-6)


def test_duplicate_entries_and_other_formats():
    # Row 0 stores column 3 twice (a non-canonical CSR matrix): the entries add.
    X = sp.csr_matrix(
        (np.array([1.0, 2.0, 4.0, 5.0]), np.array([3, 3, 1, 0]), np.array([0, 2, 3, 4])),
        shape=(3, 4),
    )
    assert not X.has_canonical_format
    dY = np.arange(6.0).reshape(3, 2)
    expected = X.toarray().T @ dY
    for matrix in (X, X.tocsc(), sp.csr_array(X)):
        out = np.zeros((4, 2))
        np.testing.assert_allclose(sparse_transpose_dot(matrix, dY, out), expected)
