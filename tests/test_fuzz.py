"""Property-based fuzzing of the estimators' public methods with hypothesis.

Generated inputs are thrown at ``fit``, ``partial_fit``, ``predict``,
``predict_proba``, ``predict_log_proba``, ``decision_function`` and ``score``
of both estimators under every option (solvers, early stopping, dropout,
input dropout, batch and layer normalisation, warm start, the Poisson loss,
float32 and float64):
empty, one-sample and one-feature data, NaN and infinity, huge (1e300) and
tiny (1e-300) magnitudes, constant columns and identical rows, labels of one
class or of mixed types, object arrays, every scipy sparse format (matrices
and arrays), non-contiguous, Fortran-ordered and read-only arrays, lists and
DataFrames, mismatched lengths of X, y and sample_weight, wrong feature
counts at predict, invalid sample weights and invalid hyperparameters.

The property, for every call:

- it succeeds with finite results: fitted weights and normalisation
  statistics, predictions among ``classes_`` or finite, probabilities in
  [0, 1] with one column per class summing to 1, log-probabilities that are
  their logarithms, finite decision values and a finite score; or
- it raises ValueError or TypeError (NotFittedError and
  InvalidParameterError are both) with a non-empty message, from a ``raise``
  statement of skmlp or from scikit-learn's own validation, never a numpy
  error escaping from a computation in skmlp. When the input is known to be
  invalid the call must raise, with a message naming the problem.

Anything else fails the test: another exception (IndexError,
ZeroDivisionError, AttributeError, FloatingPointError, ...) or a numpy
RuntimeWarning (overflow, division by zero, invalid value), which is turned
into an error inside the calls. ConvergenceWarning and other UserWarnings
are expected and ignored. After a failed first fit, predicting must still
raise cleanly (not fitted), and after a failed refit the previous model must
still work.

``test_found_cases`` replays the smallest failing inputs found by this
search, so that they are checked on every run whatever hypothesis draws.

Networks are tiny (at most two hidden layers of 3 units, ``max_iter`` at
most 3) and data sets small, so an example takes milliseconds. The default
run is derandomized, so CI tests the same examples every time. For a longer
search set the environment variable ``SKMLP_FUZZ_EXAMPLES`` to a factor by
which every test's number of examples is multiplied, for example::

    SKMLP_FUZZ_EXAMPLES=20 python -m pytest tests/test_fuzz.py
"""

import dis
import linecache
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import skmlp
from skmlp import MLPClassifier, MLPRegressor

# --------------------------------------------------------------------------- #
# Budget
# --------------------------------------------------------------------------- #
EXAMPLES_FACTOR = float(os.environ.get("SKMLP_FUZZ_EXAMPLES", "1"))

settings.register_profile(
    "skmlp-fuzz",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    # One minimal failing example per test and no "explain" phase: shrinking
    # and explaining several distinct failures of one test takes minutes.
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


def fuzz(max_examples):
    """The fuzz profile with ``max_examples`` scaled by SKMLP_FUZZ_EXAMPLES."""
    n = max(1, round(max_examples * EXAMPLES_FACTOR))
    return settings(settings.get_profile("skmlp-fuzz"), max_examples=n)


# --------------------------------------------------------------------------- #
# The property
# --------------------------------------------------------------------------- #
RAISED = object()  # what `attempt` returns when the call raised an accepted error

_SKMLP_DIR = str(Path(skmlp.__file__).parent)
_SKLEARN_DIR = str(Path(sklearn.__file__).parent)

# Regular expressions a message must match when the input has that problem.
NAN_INF = r"NaN|infinity|inf\b"
N_FEATURES = r"feature"
N_SAMPLES = r"sample"
SAMPLE_WEIGHT = r"sample.?weight"


def _raising_library_frame(exc):
    """Innermost traceback entry in skmlp or scikit-learn, or None."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith((_SKMLP_DIR, _SKLEARN_DIR)):
            found = tb
        tb = tb.tb_next
    return found


def _is_raise_statement(tb):
    """Whether the frame was stopped at a ``raise``, not inside a call or an operator."""
    instructions = dis.get_instructions(tb.tb_frame.f_code)
    current = next((i for i in instructions if i.offset == tb.tb_lasti), None)
    return current is not None and current.opname in ("RAISE_VARARGS", "RERAISE")


def _check_error(exc, expect):
    """An accepted error must be deliberate and, for known problems, name them."""
    message = str(exc).strip()
    assert message, f"{type(exc).__name__} with an empty message"
    tb = _raising_library_frame(exc)
    converting = message.startswith("could not convert")  # numpy's, and it says what
    in_skmlp = tb is not None and tb.tb_frame.f_code.co_filename.startswith(_SKMLP_DIR)
    if in_skmlp and not converting:
        filename, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        assert _is_raise_statement(tb), (
            f"{type(exc).__name__}({message!r}) escaped from a computation at {filename}:{lineno} "
            f"`{linecache.getline(filename, lineno).strip()}` instead of a check naming the problem"
        )
    if expect:
        pattern = "|".join(expect)
        assert re.search(pattern, message, re.IGNORECASE), (
            f"message {message!r} does not name the problem ({pattern})"
        )


def attempt(call, *args, expect=(), **kwargs):
    """Call a public method under the property.

    Returns its result, or RAISED when it raised an accepted error. ``expect``
    lists regular expressions of known problems with the input: then the
    call must raise, with a message matching one of them.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ConvergenceWarning among them
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = call(*args, **kwargs)
        except (ValueError, TypeError) as exc:  # NotFittedError, InvalidParameterError
            _check_error(exc, expect)
            return RAISED
    assert not expect, f"{call.__name__} accepted an invalid input ({' | '.join(expect)})"
    return result


def _rtol(estimator):
    return 1e-5 if estimator.coefs_[0].dtype == np.float32 else 1e-12


def check_fitted(estimator):
    """After a successful fit: finite weights and normalisation statistics."""
    learned = {  # the normalisation attributes exist only with their option
        name: getattr(estimator, name, [])
        for name in ("coefs_", "intercepts_", "normalization_scales_", "normalization_offsets_",
                     "running_means_", "running_vars_")
    }
    for name, arrays in learned.items():
        for array in arrays:
            assert np.isfinite(array).all(), f"non-finite {name} after a successful fit: {array}"
    if isinstance(estimator, MLPClassifier):
        assert len(estimator.classes_) >= 1


def check_methods(estimator, X, y=None, *, expect=()):
    """Every prediction method on X (score too when y is given) under the property."""
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    y_pred = attempt(estimator.predict, X, expect=expect)
    if y_pred is not RAISED:
        _check_predictions(estimator, n, y_pred)
    if isinstance(estimator, MLPClassifier):
        proba = attempt(estimator.predict_proba, X, expect=expect)
        if proba is not RAISED:
            _check_proba(estimator, n, proba)
        log_proba = attempt(estimator.predict_log_proba, X, expect=expect)
        if log_proba is not RAISED:
            _check_log_proba(estimator, log_proba, proba)
    if hasattr(estimator, "decision_function"):
        scores = attempt(estimator.decision_function, X, expect=expect)
        if scores is not RAISED:
            assert np.isfinite(scores).all(), f"non-finite decision_function {scores}"
            n_outputs = estimator.n_outputs_
            assert scores.shape == ((n,) if n_outputs == 1 else (n, n_outputs))
    if y is not None:
        if isinstance(estimator, MLPRegressor) and (
            _beyond_squaring(y, y_pred) or _r2_ratio_overflows(y, y_pred)
        ):
            # scikit-learn's r2_score squares residuals: past 1e154 they
            # overflow inside scikit-learn (a warning, and R^2 = -inf or nan),
            # and so does their ratio to the squared spread of targets below
            # 1e-150. Not skmlp's computation; the predictions were checked above.
            return
        score = attempt(estimator.score, X, y, expect=expect)
        if score is not RAISED and (isinstance(estimator, MLPClassifier) or n >= 2):
            assert np.isfinite(score), f"score is {score}"  # R^2 of one sample is nan
            if isinstance(estimator, MLPClassifier):
                assert 0.0 <= score <= 1.0


def _r2_ratio_overflows(y, y_pred):
    """Whether r2_score's residual-to-spread ratio overflows for these values."""
    try:
        y, y_pred = np.asarray(y, dtype=float), np.asarray(y_pred, dtype=float)
    except (TypeError, ValueError):
        return False
    with np.errstate(all="ignore"):
        ratio = ((y - y_pred) ** 2).sum(axis=0) / ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    return bool(np.isinf(ratio).any())


def _beyond_squaring(y, y_pred):
    """Whether a residual of these targets and predictions can overflow when squared."""
    largest = 0.0
    for values in (y, y_pred):
        if values is RAISED:
            continue
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            continue
        if array.size and np.isfinite(array).all():
            largest = max(largest, float(np.abs(array).max()))
    return largest > 1e150


def _check_predictions(estimator, n, y_pred):
    assert y_pred.shape[0] == n
    if isinstance(estimator, MLPRegressor):
        assert np.isfinite(y_pred).all(), f"non-finite predictions {y_pred}"
    elif y_pred.ndim == 2:  # multilabel indicators
        assert np.isin(y_pred, [0, 1]).all()
    else:
        known = set(np.asarray(estimator.classes_).tolist())
        assert set(y_pred.tolist()) <= known, f"predicted {set(y_pred.tolist()) - known}"


def _check_proba(estimator, n, proba):
    assert np.isfinite(proba).all(), f"non-finite probabilities {proba}"
    assert ((proba >= 0) & (proba <= 1)).all(), f"probabilities outside [0, 1]: {proba}"
    if estimator.out_activation_ == "softmax" or estimator.n_outputs_ == 1:
        # Single-label targets: one column per class, rows summing to 1; one
        # class has two columns, as in scikit-learn (its one output's sigmoid).
        assert proba.shape == (n, max(2, len(estimator.classes_))), (
            f"predict_proba has shape {proba.shape} for classes_={estimator.classes_!r}"
        )
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=_rtol(estimator))
    else:  # multilabel: one independent probability per label
        assert proba.shape == (n, estimator.n_outputs_)


def _check_log_proba(estimator, log_proba, proba):
    # -inf is the log of a probability that rounds to 0 (scikit-learn's
    # checks require log_proba == log(predict_proba)); nan or +inf never.
    assert not np.isnan(log_proba).any(), f"nan log-probabilities {log_proba}"
    assert (log_proba <= 0).all()
    if proba is not RAISED:
        np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-3, atol=1e-6)


# --------------------------------------------------------------------------- #
# Estimators
# --------------------------------------------------------------------------- #
@st.composite
def estimators(draw, Estimator=None):
    """A tiny estimator with a valid combination of every option."""
    if Estimator is None:
        Estimator = draw(st.sampled_from([MLPClassifier, MLPRegressor]))
    solver = draw(st.sampled_from(["adam", "sgd", "lbfgs"]))
    stochastic = solver != "lbfgs"
    hidden = draw(st.sampled_from([(3,), (2, 3), 3, (1,)]))
    n_hidden = 1 if isinstance(hidden, int) else len(hidden)
    # Batch norm with L-BFGS is refused (test_hyperparameters).
    normalization = draw(st.sampled_from([None, "batch", "layer"] if stochastic else [None, "layer"]))
    params = dict(
        hidden_layer_sizes=hidden,
        solver=solver,
        activation=draw(st.sampled_from(["relu", "tanh", "logistic", "identity"])),
        max_iter=draw(st.integers(1, 3)),
        random_state=draw(st.integers(0, 3)),
        warm_start=draw(st.booleans()),
        alpha=draw(st.sampled_from([1e-4, 0.0, 10.0])),
        tol=draw(st.sampled_from([1e-4, 0.0, 10.0])),
        normalization=normalization,
        normalization_epsilon=draw(st.sampled_from([1e-5, 1e-50, 1e-300])),
        batch_norm_momentum=draw(st.sampled_from([0.9, 0.0])),
    )
    if stochastic:
        rate = st.sampled_from([0.0, 0.5, 0.9])
        params.update(
            early_stopping=draw(st.booleans()),
            validation_fraction=draw(st.sampled_from([0.1, 0.5, 0.0])),
            n_iter_no_change=draw(st.sampled_from([10, 1])),
            dropout=draw(st.one_of(rate, st.lists(rate, min_size=n_hidden, max_size=n_hidden))),
            input_dropout=draw(rate),
            # batch_size=1 with batch normalisation is refused: test_hyperparameters
            batch_size=draw(st.sampled_from(["auto", 2, 3, 1000, 1][: 4 if normalization == "batch" else 5])),
            learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
            learning_rate_init=draw(st.sampled_from([1e-3, 0.5, 1e6])),
            momentum=draw(st.sampled_from([0.9, 0.0, 1.0])),
            nesterovs_momentum=draw(st.booleans()),
        )
        if params["early_stopping"] and params["validation_fraction"] == 0.0:
            params["validation_fraction"] = 0.5
    if Estimator is MLPRegressor:
        params["loss"] = draw(st.sampled_from(["squared_error", "poisson"]))
    return Estimator(**params)


# --------------------------------------------------------------------------- #
# Input data
# --------------------------------------------------------------------------- #
SPECIAL_VALUES = {
    "nan": np.nan,
    "inf": np.inf,
    "-inf": -np.inf,
    "huge": 1e300,
    "-huge": -1e300,
    "tiny": 1e-300,
    "subnormal": 5e-324,
    "max": np.finfo(np.float64).max,
    "float32 max": float(np.finfo(np.float32).max) * 2,
}
SCALES = [1.0, 1e300, 1e-300, 1e150, 1e-150, 1e30, 1e-30]
DENSE_KINDS = ["ndarray", "fortran", "strided", "readonly", "list", "object", "dataframe"]
SPARSE_KINDS = [
    f"{fmt}_{flavour}"
    for fmt in ["csr", "csc", "coo", "lil", "dok", "bsr", "dia"]
    for flavour in ["matrix", "array"]
] + ["csr_int64", "csr_noncanonical"]
DTYPES = ["float64", "float32", "int64", "float16", "bool", "uint8", "complex128"]
SPARSE_DTYPES = [dtype for dtype in DTYPES if dtype != "float16"]  # scipy.sparse has no float16


@st.composite
def values(draw, n_samples, n_features):
    """A float64 matrix, possibly scaled, constant in places, with special cells."""
    seed = draw(st.integers(0, 2**16 - 1))
    rows = draw(st.sampled_from(["random", "identical", "small integers"]))
    rng = np.random.RandomState(seed)
    if rows == "random":
        X = rng.standard_normal((n_samples, n_features))
    elif rows == "identical":
        X = np.tile(rng.standard_normal(n_features), (n_samples, 1))
    else:
        X = rng.randint(-2, 3, size=(n_samples, n_features)).astype(float)
    X *= draw(st.sampled_from(SCALES))
    if n_samples and n_features:
        for _ in range(draw(st.integers(0, 2))):
            constant = draw(st.sampled_from([0.0, 1.0, 1e300, 1e-300]))
            X[:, draw(st.integers(0, n_features - 1))] = constant
        for name in draw(st.lists(st.sampled_from(sorted(SPECIAL_VALUES)), max_size=2)):
            i, j = draw(st.integers(0, n_samples - 1)), draw(st.integers(0, n_features - 1))
            X[i, j] = SPECIAL_VALUES[name]
    return X


def _cast(X, dtype):
    with np.errstate(all="ignore"):
        return X.astype(dtype)


def _problems_of(X):
    """The expected-error patterns of an input matrix (already cast)."""
    problems = []
    if X.shape[0] == 0:
        problems.append(r"0 sample|2D array")
    elif X.shape[1] == 0:
        problems.append(r"0 feature")
    if np.iscomplexobj(X):
        problems.append(r"complex")
    elif X.size and not np.isfinite(X.astype(np.float64)).all():
        problems.append(NAN_INF)
    return problems


def _dense_container(X, kind):
    if kind == "fortran":
        return np.asfortranarray(X)
    if kind == "strided":
        big = np.zeros((2 * X.shape[0], 3 * X.shape[1]), dtype=X.dtype)
        big[::2, ::3] = X
        return big[::2, ::3]
    if kind == "readonly":
        X = X.copy()
        X.flags.writeable = False
        return X
    if kind == "list":
        return X.tolist()
    if kind == "object":
        return X.astype(object)
    if kind == "dataframe" and X.shape[1]:  # scikit-learn cannot validate 0 columns
        return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    return X


def _sparse_container(X, kind):
    if kind == "csr_int64":
        S = sp.csr_matrix(X)
        S.indices, S.indptr = S.indices.astype(np.int64), S.indptr.astype(np.int64)
        return S
    if kind == "csr_noncanonical":
        # Every stored value split in two duplicate entries, rows in reverse column order.
        coo = sp.coo_matrix(X)
        rows, cols = np.r_[coo.row, coo.row], np.r_[coo.col, coo.col]
        with np.errstate(all="ignore"):
            data = np.r_[coo.data, coo.data] / 2
        order = np.lexsort((-cols, rows))
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=X.shape[0]))]
        return sp.csr_matrix((data[order], cols[order], indptr), shape=X.shape)
    fmt, flavour = kind.split("_")
    return getattr(sp, f"{fmt}_{flavour}")(X)


@st.composite
def matrices(draw, n_samples=None, n_features=None, sparse=None):
    """(X in some container, expected-error patterns, n_samples)."""
    if n_samples is None:
        n_samples = draw(st.sampled_from([8, 1, 2, 5, 20, 0]))
    if n_features is None:
        n_features = draw(st.sampled_from([2, 1, 3, 0]))
    if sparse is None:
        sparse = draw(st.booleans())
    dtype = draw(st.sampled_from(SPARSE_DTYPES if sparse else DTYPES))
    X = _cast(draw(values(n_samples, n_features)), dtype)
    problems = _problems_of(X)
    if sparse:
        X = _sparse_container(X, draw(st.sampled_from(SPARSE_KINDS)))
    else:
        X = _dense_container(X, draw(st.sampled_from(DENSE_KINDS)))
    return X, problems, n_samples


# --------------------------------------------------------------------------- #
# Targets and weights
# --------------------------------------------------------------------------- #
LABEL_POOLS = {
    "int": [0, 1, 2],
    "binary": [0, 1],
    "negative int": [-1, 7],
    "str": ["a", "b", "c"],
    "bool": [False, True],
    "float integral": [0.0, 1.0, 2.0],
    "beyond int64": [0, 1, 10**20],
    "float fraction": [0.5, 1.5, 2.25],
    "mixed str int": [0, "a"],
    "mixed str float": [1.5, "b"],
    "none and str": [None, "a"],
    "nan": [0.0, np.nan],
    "inf": [0.0, np.inf],
}


def _label_problems(labels, as_object):
    """Expected-error patterns of class labels, kept as objects or coerced by numpy."""
    problems = []
    kinds = {type(label) for label in labels}
    if any(isinstance(label, int) and abs(label) > 2**62 for label in labels):
        as_object = True  # numpy keeps ints beyond int64 as objects
    if as_object and labels and not isinstance(labels[0], str):
        problems.append(r"label type")  # scikit-learn: type "unknown"
    if any(label is None for label in labels):
        problems += [r"mix|type|supported", NAN_INF]
    elif as_object and str in kinds and len(kinds) > 1:  # numpy makes them all strings
        problems.append(r"mix|type|supported")
    numbers = [label for label in labels if isinstance(label, float)]
    if not np.isfinite(numbers).all():
        problems += [NAN_INF, r"label type"]
    elif any(label != int(label) for label in numbers) and str not in kinds:
        problems.append(r"label type")
    return problems


@st.composite
def class_labels(draw, n_samples):
    """(y, expected-error patterns): labels of one kind, maybe one class, maybe 2-D."""
    container = draw(st.sampled_from(["ndarray", "list", "object", "column", "series", "multilabel"]))
    if container == "multilabel":
        cells = draw(st.lists(st.sampled_from([0, 1]), min_size=3 * n_samples, max_size=3 * n_samples))
        return np.reshape(cells, (n_samples, 3)), ()
    pool = LABEL_POOLS[draw(st.sampled_from(list(LABEL_POOLS)))]
    labels = draw(st.lists(st.sampled_from(pool), min_size=n_samples, max_size=n_samples))
    if container == "list":
        return labels, _label_problems(labels, as_object=False)
    if container in ("ndarray", "column"):
        y = np.asarray(labels)
        return (y.reshape(-1, 1) if container == "column" else y), _label_problems(labels, False)
    y = np.empty(n_samples, dtype=object)
    y[:] = labels
    return (pd.Series(y) if container == "series" else y), _label_problems(labels, as_object=True)


def _target_problems(y, loss):
    y = np.asarray(y)
    if y.dtype.kind in "US":
        return [r"convert|string|numeric|float"]
    if not np.isfinite(y.astype(np.float64)).all():
        return [NAN_INF]
    if loss == "poisson" and (y < 0).any():
        return [r"negative"]
    return []


@st.composite
def regression_targets(draw, n_samples, loss):
    """(y, expected-error patterns): real targets, maybe 2-D, maybe extreme."""
    n_outputs = draw(st.sampled_from([None, 1, 2]))
    shape = (n_samples,) if n_outputs is None else (n_samples, n_outputs)
    y = np.random.RandomState(draw(st.integers(0, 99))).standard_normal(shape)
    y *= draw(st.sampled_from(SCALES))
    if draw(st.booleans()):
        y = np.abs(y)
    if n_samples and draw(st.booleans()):
        y.flat[draw(st.integers(0, y.size - 1))] = draw(st.sampled_from(list(SPECIAL_VALUES.values())))
    kind = draw(st.sampled_from(["ndarray", "list", "int64", "float32", "strings"]))
    if kind in ("int64", "float32"):
        y = _cast(y, kind)
    elif kind == "strings":
        y = np.full(shape, "x")
    problems = _target_problems(y, loss)
    return (y.tolist() if kind == "list" else y), problems


SAMPLE_WEIGHTS = {
    "none": (None, ()),
    "ones": (lambda n: np.ones(n), ()),
    "random": (lambda n: np.random.RandomState(0).uniform(0.1, 3, n), ()),
    "some zeros": (lambda n: np.r_[np.zeros(n // 2), np.ones(n - n // 2)], ()),
    "zeros first": (lambda n: np.r_[0.0, np.ones(n - 1)] if n else np.ones(0), ()),
    "sum zero": (lambda n: np.resize([1.0, -1.0], n), ()),
    "negative": (lambda n: -np.ones(n), ()),
    "huge": (lambda n: np.full(n, 1e300), ()),
    "tiny": (lambda n: np.full(n, 1e-300), ()),
    "int": (lambda n: np.arange(1, n + 1), ()),
    "list": (lambda n: [1.0] * n, ()),
    "scalar": (lambda n: 2.0, ()),
    "all zero": (lambda n: np.zeros(n), (r"non-zero",)),
    "nan": (lambda n: np.r_[np.nan, np.ones(n - 1)], (NAN_INF, SAMPLE_WEIGHT, N_SAMPLES)),
    "inf": (lambda n: np.r_[np.inf, np.ones(n - 1)], (NAN_INF, SAMPLE_WEIGHT, N_SAMPLES)),
    "too long": (lambda n: np.ones(n + 1), (SAMPLE_WEIGHT, N_SAMPLES)),
    "too short": (lambda n: np.ones(max(n - 1, 0)) if n != 1 else np.ones(2), (SAMPLE_WEIGHT, N_SAMPLES)),
    "2-D": (lambda n: np.ones((n, 1)), (r"1D", SAMPLE_WEIGHT)),
    "strings": (lambda n: np.full(n, "w"), (r"convert|string|numeric|float",)),
}


def sample_weights(n_samples):
    """(sample_weight, expected-error patterns) strategy."""
    def make(name):
        factory, problems = SAMPLE_WEIGHTS[name]
        return (None if factory is None else factory(n_samples)), problems

    return st.sampled_from(list(SAMPLE_WEIGHTS)).map(make)


def _targets(data, estimator, n_samples):
    if isinstance(estimator, MLPClassifier):
        return data.draw(class_labels(n_samples), label="y")
    return data.draw(regression_targets(n_samples, estimator.loss), label="y")


def _fit_problems(X_problems, y_problems, w_problems, n_samples, n_targets):
    problems = list(X_problems) + list(y_problems) + list(w_problems)
    if n_targets != n_samples:
        problems.append(N_SAMPLES)
    return problems


def _n(y):
    return len(y) if not hasattr(y, "shape") else y.shape[0]


def _check_still_unfitted(estimator, X, problems, fitted_before):
    """After a failed first fit, predicting must raise: not fitted, or X is invalid."""
    if not fitted_before:
        for method in ("predict", "predict_proba"):
            if hasattr(estimator, method):
                attempt(getattr(estimator, method), X, expect=[r"not fitted", *problems])


def _fit_and_check(estimator, X, y, sample_weight, problems):
    fitted_before = hasattr(estimator, "n_features_in_")
    result = attempt(estimator.fit, X, y, sample_weight=sample_weight, expect=problems)
    if result is RAISED:
        _check_still_unfitted(estimator, X, problems, fitted_before)
        return False
    assert result is estimator
    check_fitted(estimator)
    return True


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #
@fuzz(max_examples=200)
@given(data=st.data())
def test_fit_and_predict_dense(data):
    estimator = data.draw(estimators(), label="estimator")
    X, X_problems, n = data.draw(matrices(sparse=False), label="X")
    y, y_problems = _targets(data, estimator, n)
    if _fit_and_check(estimator, X, y, None, _fit_problems(X_problems, y_problems, (), n, _n(y))):
        check_methods(estimator, X, y)
        X_new, new_problems, _ = data.draw(matrices(sparse=False), label="X_new")
        n_features = np.shape(X_new)[1] if np.ndim(X_new) == 2 else None
        if n_features is not None and n_features != estimator.n_features_in_:
            new_problems = new_problems + [N_FEATURES]
        check_methods(estimator, X_new, expect=new_problems)


@fuzz(max_examples=150)
@given(data=st.data())
def test_fit_and_predict_sparse(data):
    estimator = data.draw(estimators(), label="estimator")
    X, X_problems, n = data.draw(matrices(n_features=3, sparse=True), label="X")
    y, y_problems = _targets(data, estimator, n)
    if _fit_and_check(estimator, X, y, None, _fit_problems(X_problems, y_problems, (), n, _n(y))):
        check_methods(estimator, X, y)
        X_new, new_problems, _ = data.draw(matrices(n_features=3), label="X_new")
        check_methods(estimator, X_new, expect=new_problems)


@fuzz(max_examples=160)
@given(data=st.data())
def test_sample_weight(data):
    estimator = data.draw(estimators(), label="estimator")
    n = data.draw(st.sampled_from([6, 2, 1, 12, 25]), label="n_samples")
    X, X_problems, _ = data.draw(matrices(n_samples=n, n_features=2), label="X")
    y, y_problems = _targets(data, estimator, n)
    sample_weight, w_problems = data.draw(sample_weights(n), label="sample_weight")
    problems = _fit_problems(X_problems, y_problems, w_problems, n, _n(y))
    fitted = attempt(estimator.fit, X, y, sample_weight=sample_weight, expect=problems)
    if fitted is not RAISED:
        check_fitted(estimator)
        check_methods(estimator, X, y)
        score = attempt(estimator.score, X, y, sample_weight=sample_weight, expect=())
        if score is not RAISED and (isinstance(estimator, MLPClassifier) or n >= 2):
            assert np.isfinite(score), f"score with sample_weight is {score}"


@fuzz(max_examples=100)
@given(data=st.data())
def test_mismatched_shapes(data):
    estimator = data.draw(estimators(), label="estimator")
    n = data.draw(st.sampled_from([5, 1, 2]), label="n_samples")
    X = data.draw(values(n, 2), label="X")
    y_len = data.draw(st.sampled_from([n - 1, n + 1, 0, n]), label="len(y)")
    y_pool = [0, 1] if isinstance(estimator, MLPClassifier) else [0.5, 2.0]
    y = np.resize(np.array(y_pool), max(y_len, 0))
    X_shape = data.draw(st.sampled_from(["2-D", "1-D", "3-D", "scalar"]), label="X shape")
    problems = []
    if y_len != n:
        problems.append(N_SAMPLES)
    if X_shape != "2-D":
        X = {"1-D": np.ravel(X), "3-D": X[..., None], "scalar": np.float64(1.0)}[X_shape]
        problems.append(r"2D|dim|scalar")
    if not np.isfinite(X).all():
        problems.append(NAN_INF)
    if X_shape == "2-D":
        X = _dense_container(X, data.draw(st.sampled_from(DENSE_KINDS), label="container"))
    _fit_and_check(estimator, X, y, None, problems)


@fuzz(max_examples=120)
@given(data=st.data())
def test_partial_fit_sequences(data):
    Estimator = data.draw(st.sampled_from([MLPClassifier, MLPRegressor]), label="Estimator")
    estimator = data.draw(estimators(Estimator), label="estimator")
    if not hasattr(estimator, "partial_fit"):
        return
    n_features = 2
    for step in range(data.draw(st.integers(1, 3), label="n_calls")):
        n_features = data.draw(st.sampled_from([n_features, n_features, 3]), label="n_features")
        X, problems, n = data.draw(matrices(n_features=n_features), label="X")
        y, y_problems = _targets(data, estimator, n)
        problems = _fit_problems(problems, y_problems, (), n, _n(y))
        if hasattr(estimator, "n_features_in_") and n_features != estimator.n_features_in_:
            problems.append(N_FEATURES)
        kwargs = {}
        if Estimator is MLPClassifier:
            kwargs["classes"] = data.draw(
                st.sampled_from([None, [0, 1, 2], ["a", "b", "c"], [0], [], [0, 1, 2, 3, 4, 5, 6, 7]]),
                label="classes",
            )
            if step == 0 and kwargs["classes"] is None:
                problems.append(r"classes")
        # The classes argument is checked first (scikit-learn's LabelBinarizer
        # says "y has 0 samples" of classes=[]), so its complaint is accepted too.
        expect = problems + [r"class", r"y has 0 samples"] if problems else []
        result = attempt(estimator.partial_fit, X, y, expect=expect, **kwargs)
        if result is RAISED:
            continue
        check_fitted(estimator)
        check_methods(estimator, X, y)


@fuzz(max_examples=120)
@given(data=st.data())
def test_warm_start_and_refit(data):
    estimator = data.draw(estimators(), label="estimator")
    estimator.set_params(warm_start=True)
    X, problems, n = data.draw(matrices(n_samples=8, n_features=2), label="X")
    y, y_problems = _targets(data, estimator, n)
    if not _fit_and_check(estimator, X, y, None, _fit_problems(problems, y_problems, (), n, _n(y))):
        return
    changes = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "solver": st.sampled_from(["adam", "sgd", "lbfgs"]),
                "early_stopping": st.booleans(),
                "hidden_layer_sizes": st.sampled_from([(3,), (4,), (2, 3)]),
                "normalization": st.sampled_from([None, "batch", "layer"]),
                "dropout": st.sampled_from([0.0, 0.5]),
                "input_dropout": st.sampled_from([0.0, 0.5]),
                "warm_start": st.booleans(),
                "max_iter": st.integers(1, 3),
            },
        ),
        label="set_params",
    )
    if changes.get("solver", estimator.solver) == "lbfgs":
        changes.update(dropout=0.0, input_dropout=0.0)
        if changes.get("normalization", estimator.normalization) == "batch":
            changes["normalization"] = "layer"
    if "hidden_layer_sizes" in changes and "dropout" not in changes:
        changes["dropout"] = 0.0
    if changes.get("early_stopping") or (estimator.early_stopping and "early_stopping" not in changes):
        changes["validation_fraction"] = 0.5
    estimator.set_params(**changes)
    n_features = data.draw(st.sampled_from([2, 3]), label="n_features")
    X2, problems, n2 = data.draw(matrices(n_samples=8, n_features=n_features), label="X2")
    y2, y_problems = _targets(data, estimator, n2)
    problems = _fit_problems(problems, y_problems, (), n2, _n(y2))
    if estimator.warm_start and np.shape(X2)[1] != estimator.n_features_in_:
        problems.append(N_FEATURES)
    refit = attempt(estimator.fit, X2, y2, expect=problems)
    # Whether or not the refit raised, the estimator must still work.
    if refit is not RAISED:
        check_fitted(estimator)
    check_methods(estimator, X2 if refit is not RAISED else X, y2 if refit is not RAISED else y)


HYPERPARAMETERS = {
    "hidden_layer_sizes": [
        (), [], (0,), (-1,), (3.5,), ("a",), (3, None), 0, np.array([2]), (np.int64(2),), [[2]], (True,),
    ],
    "activation": ["softmax", None, 1],
    "solver": ["newton", None],
    "alpha": [-1.0, np.nan, np.inf, "0.1", None, np.float32(0.1)],
    "batch_size": [0, -1, 1, 2.5, None, np.int64(2), True],
    "learning_rate": ["fast", None],
    "learning_rate_init": [0.0, -1.0, np.nan, np.inf, 1e300, 1e-300],
    "power_t": [-1.0, np.nan, 1e300],
    "max_iter": [0, -1, 1.5, np.int32(2), True],
    "shuffle": [None, "yes", 0],
    "random_state": [-1, "seed", 2**40, np.random.RandomState(0)],
    "tol": [-1.0, np.nan, np.inf],
    "momentum": [-0.1, 1.5, np.nan],
    "early_stopping": [None, "yes"],
    "validation_fraction": [0.0, 1.0, -0.1, 0.99, np.nan],
    "beta_1": [1.0, -0.1, np.nan],
    "beta_2": [1.0, -0.1, 0.0],
    "epsilon": [0.0, -1.0, 1e-300, np.inf],
    "n_iter_no_change": [0, np.inf, -np.inf, 1.5],
    "max_fun": [0, 1, np.inf],
    "dropout": [
        1.0, -0.1, np.nan, [0.5], [0.5, 0.5, 0.5], [1.0], [[0.5]], (0.5,), np.array([0.5]),
        np.float32(0.5), "0.5", None, [np.nan], 0.999999,
    ],
    "input_dropout": [1.0, -0.1, np.nan, [0.5], None, 0.999999],
    "normalization": ["group", "", "Batch", 1],
    "batch_norm_momentum": [1.0, -0.1, np.nan, 0.0],
    "normalization_epsilon": [0.0, -1.0, np.nan, np.inf, 1e-300, 1e300],
    "loss": ["absolute_error", None, "log_loss"],
}


@fuzz(max_examples=200)
@given(data=st.data())
def test_hyperparameters(data):
    """Any hyperparameter values: a clean error or a working estimator."""
    estimator = data.draw(estimators(), label="estimator")
    names = sorted(HYPERPARAMETERS)
    if isinstance(estimator, MLPClassifier):
        names.remove("loss")
    changes = data.draw(
        st.dictionaries(st.sampled_from(names), st.just(None), min_size=1, max_size=2).flatmap(
            lambda keys: st.fixed_dictionaries({k: st.sampled_from(HYPERPARAMETERS[k]) for k in keys})
        ),
        label="set_params",
    )
    # Combinations that cannot work as such: they must be refused with a reason.
    combination = data.draw(
        st.sampled_from([
            {},
            dict(solver="lbfgs", dropout=0.5),
            dict(solver="lbfgs", input_dropout=0.2),
            dict(normalization="batch", batch_size=1),
            dict(solver="lbfgs", early_stopping=True),
            dict(solver="lbfgs", normalization="batch"),
        ]),
        label="combination",
    )
    estimator.set_params(**{**combination, **changes})
    n = data.draw(st.sampled_from([10, 1, 2, 40]), label="n_samples")
    X = np.random.RandomState(n).standard_normal((n, 2))
    y = (X[:, 0] > 0).astype(int) if isinstance(estimator, MLPClassifier) else np.abs(X[:, 1])
    if _fit_and_check(estimator, X, y, None, ()):
        check_methods(estimator, X, y)


@fuzz(max_examples=20)
@given(estimator=estimators(), X=matrices(n_samples=3, n_features=2))
def test_unfitted_estimator_raises_not_fitted(estimator, X):
    X = X[0]
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        if hasattr(estimator, method):
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                try:
                    getattr(estimator, method)(X)
                except NotFittedError as exc:
                    assert "not fitted" in str(exc)
                else:
                    raise AssertionError(f"{method} on an unfitted estimator did not raise")


# --------------------------------------------------------------------------- #
# The smallest failing inputs found so far, run through the same property
# --------------------------------------------------------------------------- #
X6 = np.random.RandomState(0).standard_normal((6, 2))
LABELS6 = np.array([0, 1, 0, 1, 0, 1])
TARGET6 = 2.0 * X6[:, 0]
X20 = np.random.RandomState(0).standard_normal((20, 2))
TARGET20 = np.random.RandomState(1).standard_normal(20)
TINY5 = np.array([[5e-324], [1e-300], [1e-300], [1e-300], [1e-300]])


def _case(estimator, X, y, *, sample_weight=None, refit=None, predict=None, score=None):
    """Fit (and refit after ``set_params(**refit)``), then predict on ``predict`` or X.

    ``score`` is the target to score X with (default y).
    """
    fit = (X, y, sample_weight, refit)
    if predict is not None:
        return (estimator, *fit, predict, None)
    return (estimator, *fit, X, y if score is None else score)


FOUND = {
    "mini-batch with zero total weight": _case(
        MLPClassifier((3,), batch_size=2, shuffle=False, max_iter=1), X6, LABELS6,
        sample_weight=[0, 0, 1, 1, 1, 1]),
    "sample weights summing to zero": _case(
        MLPRegressor((3,), solver="lbfgs", max_iter=1), X6, TARGET6, sample_weight=[1, -1] * 3),
    "zero-weight mini-batch under batch norm": _case(
        MLPClassifier((3,), batch_size=2, shuffle=False, max_iter=1, normalization="batch"), X6, LABELS6,
        sample_weight=[0, 0, 1, 1, 1, 1]),
    "log-probability of a saturated output": _case(
        MLPClassifier((3,), max_iter=50, random_state=0), X6, LABELS6, predict=100 * X6),
    "one class": _case(MLPClassifier((3,), max_iter=3), X6, np.zeros(6)),
    "failed fit then predict: batch norm on one row": _case(
        MLPClassifier((3,), normalization="batch"), X6[:1], LABELS6[:1]),
    "failed fit then predict: negative Poisson target": _case(
        MLPRegressor((3,), loss="poisson"), X6, -np.ones(6)),
    "failed fit then predict: validation split too small": _case(
        MLPClassifier((3,), early_stopping=True), X6[:4], LABELS6[:4]),
    "float32 X with targets beyond float32": _case(
        MLPRegressor((3,), max_iter=1), X6.astype(np.float32), np.full(6, 1e39)),
    "Poisson loss with string targets": _case(
        MLPRegressor((3,), loss="poisson", max_iter=1), X6, np.array(["1", "2", "3"] * 2)),
    "layer norm of one unit, float32, tiny epsilon": _case(
        MLPRegressor((1,), normalization="layer", normalization_epsilon=1e-50, max_iter=1),
        X6.astype(np.float32), TARGET6),
    "adam on targets of 1e200": _case(MLPRegressor((3,), max_iter=3, random_state=0), X6, 1e200 * TARGET6),
    "layer norm on X of 1e300": _case(
        MLPRegressor((3,), normalization="layer", max_iter=1, random_state=0), 1e300 * X6, TARGET6),
    "lbfgs on X of 1e300": _case(
        MLPRegressor((3,), solver="lbfgs", max_iter=3, random_state=0), 1e300 * X6, TARGET6),
    "lbfgs with batch norm on targets of 1e200": _case(
        MLPRegressor((3,), solver="lbfgs", normalization="batch", max_iter=5, random_state=0),
        X20, 1e200 * TARGET20),
    "adam with batch norm on X of 1e300": _case(
        MLPClassifier((3,), normalization="batch", max_iter=2, random_state=0), 1e300 * X6, LABELS6),
    "lbfgs with batch norm on tiny X and epsilon": _case(
        MLPRegressor((2, 3), activation="identity", alpha=0.0, solver="lbfgs", normalization="batch",
                     normalization_epsilon=1e-300, max_iter=1, tol=0.0, random_state=0),
        TINY5, TARGET6[:5]),
    "X with +inf and -inf": _case(MLPRegressor((3,)), np.array([[np.inf, -np.inf], [0.0, 0.0]]), [1.0, 2.0]),
    "warm start: early_stopping switched off": _case(
        MLPClassifier((3,), max_iter=2, warm_start=True, early_stopping=True, random_state=0), X20,
        (X20[:, 0] > 0).astype(int), refit=dict(early_stopping=False)),
    "warm start: early_stopping switched on": _case(
        MLPClassifier((3,), max_iter=2, warm_start=True, random_state=0), X20,
        (X20[:, 0] > 0).astype(int), refit=dict(early_stopping=True)),
    "warm start: lbfgs then adam": _case(
        MLPClassifier((3,), max_iter=2, warm_start=True, solver="lbfgs", random_state=0), X20,
        (X20[:, 0] > 0).astype(int), refit=dict(solver="adam")),
    "hidden_layer_sizes=(3.5,)": _case(MLPClassifier((3.5,), max_iter=1), X6, LABELS6),
    "hidden_layer_sizes=('a',)": _case(MLPClassifier(("a",), max_iter=1), X6, LABELS6),
    "dropout=[[0.5]]": _case(MLPClassifier((3,), dropout=[[0.5]], max_iter=1), X6, LABELS6),
    "float32 model predicting on 1e300": _case(
        MLPRegressor((3,), max_iter=20, random_state=0), X20.astype(np.float32), TARGET20,
        predict=1e300 * X20),
    "layer norm model predicting on 1e300": _case(
        MLPRegressor((3,), normalization="layer", max_iter=20, random_state=0), X20, TARGET20,
        predict=1e300 * X20),
    "score on targets of 1e300": _case(
        MLPRegressor((3,), max_iter=20, random_state=0), X20, TARGET20, score=1e300 * TARGET20),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_found_cases(name):
    estimator, X, y, sample_weight, refit, X_new, y_score = FOUND[name]
    estimator = clone(estimator)
    problems = _problems_of(np.asarray(X))
    if isinstance(estimator, MLPRegressor):
        problems += _target_problems(y, estimator.loss)
    if not _fit_and_check(estimator, X, y, sample_weight, problems):
        return
    if refit is not None:
        estimator.set_params(**refit)
        if attempt(estimator.fit, X, y) is not RAISED:
            check_fitted(estimator)
    check_methods(estimator, X_new, y_score)
