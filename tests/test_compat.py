"""The package's boundaries: the numpy core loads no scikit-learn, and private
scikit-learn and SciPy API is reached through one compatibility module each."""

import ast
import os
import pickle
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

import skmlp

ROOT = Path(skmlp.__file__).resolve().parent.parent
#: Every Python file of the repository that imports anything: the package,
#: its tests, examples, benchmarks and the docs' configuration.
SOURCES = sorted(
    path
    for folder in ("skmlp", "tests", "examples", "benchmarks", "docs")
    for path in (ROOT / folder).rglob("*.py")
    if "_build" not in path.parts and "auto_examples" not in path.parts
)

#: Private scikit-learn attributes the estimators need (see ``skmlp._compat``).
PRIVATE_SKLEARN_ATTRIBUTES = {"_init_callback_context", "_skl_callbacks"}


def _fresh_modules(code):
    """The modules a fresh interpreter has loaded after running ``code``."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


@pytest.mark.parametrize("imported", ["skmlp.nn", "skmlp", "skmlp.utils", "skmlp.datasets"])
def test_the_core_loads_no_scikit_learn(imported):
    modules = _fresh_modules(f"import {imported}")
    assert imported in modules
    assert [name for name in modules if name.split(".")[0] == "sklearn"] == []


def test_the_estimators_load_on_first_use():
    modules = _fresh_modules("import skmlp; skmlp.MLPClassifier")
    assert "skmlp._classifier" in modules and "sklearn.base" in modules
    assert "skmlp._regressor" not in modules


def test_lazy_names_are_the_modules_classes():
    from skmlp._classifier import MLPClassifier
    from skmlp._display import TrainingCurveDisplay
    from skmlp._regressor import MLPRegressor

    assert skmlp.MLPClassifier is MLPClassifier
    assert skmlp.MLPRegressor is MLPRegressor
    assert skmlp.TrainingCurveDisplay is TrainingCurveDisplay
    assert set(skmlp.__all__) <= set(dir(skmlp))
    namespace = {}
    exec("from skmlp import *", namespace)
    assert {name for name in namespace if not name.startswith("__")} | {"__version__"} == set(
        skmlp.__all__
    )
    with pytest.raises(AttributeError, match="^module 'skmlp' has no attribute 'MLP'$"):
        skmlp.MLP  # noqa: B018


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dump", [joblib.dump, pickle.dump], ids=["joblib", "pickle"])
def test_fitted_estimators_unpickle_in_a_fresh_interpreter(dump, tmp_path):
    X = np.random.RandomState(0).standard_normal((30, 3))
    y = (X[:, 0] > 0).astype(int)
    model = skmlp.MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0).fit(X, y)
    with open(tmp_path / "model.bin", "wb") as file:
        dump(model, file)
    np.save(tmp_path / "X.npy", X)
    code = (
        "import joblib, numpy as np\n"
        "model = joblib.load('model.bin')\n"
        "np.save('P.npy', model.predict_proba(np.load('X.npy')))"
    )
    # Run in tmp_path, with the checkout on the path (skmlp is not installed).
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "P.npy"), model.predict_proba(X))


def _private_imports(tree, package):
    """Names of private API of ``package`` that a module imports."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in modules:
            if module.split(".")[0] != package:
                continue
            parts = module.split(".") + ([name] if name else [])
            if any(part.startswith("_") for part in parts):
                found.append(f"{module}:{name}" if name else module)
    return found


@pytest.mark.parametrize(
    "package, compat", [("sklearn", "skmlp/_compat.py"), ("scipy", "skmlp/nn/_scipy_compat.py")]
)
def test_private_api_is_imported_by_its_compat_module_only(package, compat):
    offenders = {}
    for path in SOURCES:
        name = path.relative_to(ROOT).as_posix()
        if name != compat:
            found = _private_imports(ast.parse(path.read_text()), package)
            if found:
                offenders[name] = found
    assert offenders == {}
    assert _private_imports(ast.parse((ROOT / compat).read_text()), package)


def test_private_scikit_learn_attributes_are_used_by_compat_only():
    offenders = []
    for path in SOURCES:
        name = path.relative_to(ROOT).as_posix()
        if name in ("skmlp/_compat.py", "tests/test_compat.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            used = (
                node.attr if isinstance(node, ast.Attribute)
                else node.value if isinstance(node, ast.Constant) else None
            )
            if used in PRIVATE_SKLEARN_ATTRIBUTES:
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_the_checks_catch_a_private_import():
    tree = ast.parse(
        "import sklearn.utils._testing\n"
        "from sklearn.utils._param_validation import Interval\n"
        "from sklearn.base import _fit_context\n"
        "from sklearn.base import clone\n"
        "from scipy.sparse import csr_matrix\n"
        "from scipy.sparse._sparsetools import csr_matvecs\n"
    )
    assert _private_imports(tree, "sklearn") == [
        "sklearn.utils._testing",
        "sklearn.utils._param_validation:Interval",
        "sklearn.base:_fit_context",
    ]
    assert _private_imports(tree, "scipy") == ["scipy.sparse._sparsetools:csr_matvecs"]


@pytest.mark.parametrize("submodule", ["callback", "datasets", "nn", "utils"])
def test_submodules_are_attributes_of_a_freshly_imported_skmlp(submodule):
    # As scikit-learn's are: `import skmlp; skmlp.callback.Checkpoint` works
    # before anything else of skmlp was imported.
    code = f"import skmlp; print(skmlp.{submodule}.__name__, '{submodule}' in dir(skmlp))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"skmlp.{submodule}", "True"]
