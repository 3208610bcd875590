"""The only module that imports private SciPy API.

SciPy's compiled sparse kernels ``csr_matvecs`` and ``csc_matvecs``
(``scipy.sparse._sparsetools``) accumulate a sparse-times-dense product
into an existing array, which the public API cannot do (see ``_sparse``).
They have been stable for years, but they are private: a SciPy that moves
them gives None here, and the callers fall back to the public products.
"""

try:
    from scipy.sparse._sparsetools import csc_matvecs, csr_matvecs
except ImportError:  # pragma: no cover - a SciPy that moved them
    csc_matvecs = csr_matvecs = None

__all__ = ["csc_matvecs", "csr_matvecs"]
