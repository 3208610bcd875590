"""Seeded synthetic workloads for ``bench_mlp.py``.

Every generator is a pure function of ``(n_rows, seed)``: both implementations
are fitted in separate processes, so they must be able to rebuild exactly the
same data from a handful of JSON-serialisable numbers instead of sharing files.
Random numbers never depend on the requested dtype, and the cast happens at
the end, so the float32 and float64 variants of a workload hold the same values
up to rounding.

Only numpy, scipy and scikit-learn are used.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_classification

# Rows of the image-like workload are drawn in fixed-size chunks to bound the
# temporaries; the chunk size is fixed so the stream of random numbers, hence
# the data, does not depend on anything but the seed.
_CHUNK_ROWS = 8192

# Held-out rows are generated together with the training rows (same process),
# then split off the end.
TEST_FRACTION = 0.2


@dataclass(frozen=True)
class Workload:
    """Shape and training schedule of one benchmark workload.

    Parameters
    ----------
    name : str
        Short identifier used on the command line, e.g. ``"W1"``.
    description : str
        One line for the report.
    task : {'classifier', 'regressor'}
        Which estimator is fitted.
    n_train : int
        Number of training rows in a full run.
    n_train_quick : int
        Number of training rows under ``--quick``.
    hidden_layer_sizes : tuple of int
        Passed to the estimator unchanged.
    batch_size : int
        Mini-batch size.
    epochs : int
        ``max_iter``; early stopping is disabled so exactly this many epochs run.
    sparse : bool
        Whether ``X`` is a CSR matrix.
    n_outputs : int
        Width of the output layer (1 for binary classification and for
        single-target regression, as in scikit-learn).
    """

    name: str
    description: str
    task: str
    n_train: int
    n_train_quick: int
    hidden_layer_sizes: tuple
    batch_size: int
    epochs: int
    sparse: bool
    n_outputs: int
    generator: object = field(repr=False, compare=False)


def _image_like(n_rows, seed):
    """Dense 784-pixel "images" in [0, 1], about 80% zeros, 10 classes.

    Each class has its own per-pixel probability of being lit, mixed with a
    map shared by all classes so that classes overlap and accuracy is not
    trivially 1. Lit pixels take intensities in [0.3, 1].
    """
    n_features, n_classes = 784, 10
    rng = np.random.default_rng(seed)
    # Beta(0.6, 2.4) has mean 0.2, hence ~80% zeros overall.
    shared = rng.beta(0.6, 2.4, size=n_features)
    own = rng.beta(0.6, 2.4, size=(n_classes, n_features))
    lit_probability = 0.85 * shared + 0.15 * own
    lit_probability = lit_probability.astype(np.float32)
    y = rng.integers(0, n_classes, size=n_rows)
    # float32 draws halve the generation time of this, the largest, workload;
    # the float64 variant then holds exactly the same values.
    X = np.empty((n_rows, n_features), dtype=np.float32)
    for start in range(0, n_rows, _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        shape = (len(y[rows]), n_features)
        lit = rng.random(shape, dtype=np.float32) < lit_probability[y[rows]]
        intensity = 0.3 + 0.7 * rng.random(shape, dtype=np.float32)
        X[rows] = np.where(lit, intensity, np.float32(0.0))
    return X, y


def _text_like(n_rows, seed, n_features=50_000, n_classes=20):
    """Sparse tf-idf-like CSR rows, density about 0.002, 20 classes.

    Tokens come from a Zipf-shaped background vocabulary and, 6% of the time,
    from a class-specific topic; repeated tokens in a row become
    term counts. Rows are weighted with sublinear tf and smoothed idf, then
    L2-normalised, as ``TfidfVectorizer`` would.
    """
    rng = np.random.default_rng(seed)
    background = 1.0 / (np.arange(n_features) + 20.0)
    background = rng.permutation(background / background.sum())
    topic_size = 1000
    topics = rng.integers(0, n_features, size=(n_classes, topic_size))
    in_topic = 1.0 / (np.arange(topic_size) + 5.0)
    in_topic /= in_topic.sum()

    y = rng.integers(0, n_classes, size=n_rows)
    # ~104 tokens per row collapse to ~100 distinct terms (density 0.002).
    tokens_per_row = np.maximum(rng.poisson(104, size=n_rows), 1)
    row = np.repeat(np.arange(n_rows), tokens_per_row)
    from_topic = rng.random(row.size) < 0.06
    topic_term = topics[y[row], rng.choice(topic_size, size=row.size, p=in_topic)]
    background_term = rng.choice(n_features, size=row.size, p=background)
    col = np.where(from_topic, topic_term, background_term)

    # COO -> CSR sums the duplicate (row, col) pairs into term counts.
    counts = sp.coo_matrix(
        (np.ones(row.size), (row, col)), shape=(n_rows, n_features)
    ).tocsr()
    counts.sort_indices()
    return _tfidf(counts), y


def _tfidf(counts):
    """Sublinear tf, smoothed idf and row L2 normalisation of a count matrix."""
    X = counts.copy()
    X.data = 1.0 + np.log(X.data)
    document_frequency = np.bincount(X.indices, minlength=X.shape[1])
    idf = np.log((1.0 + X.shape[0]) / (1.0 + document_frequency)) + 1.0
    X.data *= idf[X.indices]
    row_norm = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X.data /= np.repeat(row_norm, np.diff(X.indptr))
    return X


def _small_tabular(n_rows, seed):
    """``make_classification`` with 20 features, 2 classes and 3% label noise.

    Features are standardised, as they would be in front of an MLP.
    """
    X, y = make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        flip_y=0.03,
        random_state=seed,
    )
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _regression(n_rows, seed, n_features=50):
    """Gaussian features and a nonlinear target (sine, square, interaction).

    The target is returned raw; :func:`make_data` standardises it with the
    training rows' statistics.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features))
    # Unit-norm directions keep every projection ~N(0, 1) whatever n_features.
    a, b, c = rng.standard_normal((3, n_features))
    a, b, c = (v / np.linalg.norm(v) for v in (a, b, c))
    y = (
        2.0 * np.sin(X @ a)
        + 0.5 * (X @ b) ** 2
        + X[:, 0] * X[:, 1]
        + np.tanh(X @ c)
        + 0.1 * rng.standard_normal(n_rows)
    )
    return X, y


WORKLOADS = {
    w.name: w
    for w in (
        Workload(
            "W1", "image-like dense 784 features, 80% zeros, 10 classes",
            "classifier", 60_000, 10_000, (256, 128), 256, 3, False, 10,
            _image_like,
        ),
        Workload(
            "W2", "text-like CSR 50000 features, density 0.002, 20 classes",
            "classifier", 20_000, 2_000, (256,), 256, 3, True, 20,
            _text_like,
        ),
        Workload(
            "W3", "small tabular 20 features, 2 classes",
            "classifier", 2_000, 2_000, (100,), 200, 50, False, 1,
            _small_tabular,
        ),
        Workload(
            "W4", "regression 50 features, nonlinear standardised target",
            "regressor", 20_000, 5_000, (128, 64), 256, 10, False, 1,
            _regression,
        ),
    )
}


def make_data(workload, n_train, dtype, seed):
    """Generate the training and held-out rows of a workload.

    Parameters
    ----------
    workload : Workload
        Which data to generate.
    n_train : int
        Number of training rows; ``TEST_FRACTION * n_train`` held-out rows are
        generated with them.
    dtype : {'float32', 'float64'}
        dtype of ``X`` (and of ``y`` for regression).
    seed : int
        Seed of the generator.

    Returns
    -------
    X_train, X_test : ndarray or csr_matrix of shape (n_rows, n_features)
    y_train, y_test : ndarray of shape (n_rows,)
    """
    n_test = int(round(TEST_FRACTION * n_train))
    X, y = workload.generator(n_train + n_test, seed)
    X = X.astype(dtype)
    if workload.task == "regressor":
        y = (y - y[:n_train].mean()) / y[:n_train].std()
        y = y.astype(dtype)
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
