"""scikit-learn's own MLP tests, run against skmlp.

The installed scikit-learn's ``sklearn/neural_network/tests/test_mlp.py`` is
read from disk, its import of scikit-learn's estimators is replaced by an
import of skmlp's, and the result runs as a module whose tests are
collected here: the drop-in promise checked by scikit-learn's own
assertions, for whichever version is installed. Only the one import line is
rewritten; if a future version spells it differently the rewrite fails
loudly rather than testing scikit-learn against itself.

Tests that reach into scikit-learn's private internals (attributes and
methods its estimators keep for themselves) are skipped by name in
``_PRIVATE``, and the one that asserts a deliberate difference is an
expected failure in ``_DIFFERENCES``, each with the reason; the rest must
pass. Some passing tests read private attributes that skmlp happens to
share (``_optimizer.learning_rate``, ``_no_improvement_count``).
"""

import importlib.util
import re
import types

import pytest

_SKLEARN_IMPORT = re.compile(
    r"^from sklearn\.neural_network import MLPClassifier, MLPRegressor$", re.MULTILINE
)

# Each skipped test, and what of scikit-learn's it reaches into.
_PRIVATE = {
    "test_fit": "sets and reads the private weight-gradient and velocity lists "
    "(_coef_grads, _intercept_velocity) of scikit-learn's solver",
    "test_gradient": "calls scikit-learn's private _loss_grad_lbfgs and _unpack",
}

# Each test that asserts something skmlp does differently on purpose (README,
# "Differences from scikit-learn"), and why. Strict: if scikit-learn changes,
# the test passes and this list must be updated.
_DIFFERENCES = {
    "test_early_stopping_stratified": "expects the too-rare class named 'True', "
    "scikit-learn's internal encoding of the label 1; skmlp names the user's label "
    "([1]), as test_drop_in.py checks",
}


def _load_sklearn_tests():
    """scikit-learn's test_mlp module, importing skmlp's estimators."""
    spec = importlib.util.find_spec("sklearn.neural_network.tests.test_mlp")
    with open(spec.origin, encoding="utf-8") as file:
        source = file.read()
    source, n_replaced = _SKLEARN_IMPORT.subn(
        "from skmlp import MLPClassifier, MLPRegressor", source
    )
    if n_replaced != 1:
        raise RuntimeError(
            f"{spec.origin} no longer imports MLPClassifier and MLPRegressor in one line: "
            "update _SKLEARN_IMPORT."
        )
    module = types.ModuleType("sklearn_test_mlp_on_skmlp")
    module.__file__ = spec.origin
    exec(compile(source, spec.origin, "exec"), module.__dict__)
    return module


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture at its default: the seed 42."""
    return 42


def _export(module):
    """Module-level names for pytest: the tests (some skipped) and their helpers."""
    tests = {}
    for name, value in vars(module).items():
        if not (name.startswith("test_") and callable(value)):
            continue
        if name in _PRIVATE:
            value = pytest.mark.skip(reason=f"scikit-learn internals: {_PRIVATE[name]}")(value)
        if name in _DIFFERENCES:
            value = pytest.mark.xfail(
                strict=True, raises=AssertionError, reason=_DIFFERENCES[name]
            )(value)
        tests[name] = value
    missing = (set(_PRIVATE) | set(_DIFFERENCES)) - set(tests)
    if missing:
        raise RuntimeError(f"skipped tests no longer in scikit-learn's module: {sorted(missing)}")
    return tests


globals().update(_export(_load_sklearn_tests()))
