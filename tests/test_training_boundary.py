"""The training package's boundary: it imports the core, never the estimators.

``skmlp._training`` takes checked data and resolved options and returns a
fitted model; the estimators call it, it never calls them back (issue 20).
Proved three ways: by its imports, by what importing it loads, and by a
profiled fit (``benchmarks/profile_fit_path.py``), which counts the calls
from other modules into estimator methods and the estimator parameters
read off ``self`` while training.
"""

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import skmlp

PACKAGE = Path(skmlp.__file__).parent
#: What the training package may import of skmlp: the core and the one
#: importer of private scikit-learn API.
ALLOWED = {"skmlp.nn", "skmlp._compat"}


def _skmlp_imports(path):
    """The skmlp modules a file of skmlp/_training imports, absolute."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ["skmlp", "_training"][: 2 - (node.level - 1)]
            found.add(".".join(base + ([node.module] if node.module else [])))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skmlp"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("skmlp"))
    return found


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "_training").glob("*.py")), ids=lambda path: path.name
)
def test_the_training_package_imports_only_the_core_and_itself(path):
    for module in _skmlp_imports(path):
        assert module.startswith("skmlp._training") or module in ALLOWED, (path.name, module)


def test_importing_the_training_package_loads_no_estimator():
    code = (
        "import sys, skmlp._training\n"
        "print(sorted(m for m in sys.modules if m.startswith('skmlp')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(PACKAGE.parent)},
    ).stdout
    for estimator_module in ("skmlp._base", "skmlp._classifier", "skmlp._regressor",
                             "skmlp.callback", "skmlp._early_stopping", "skmlp._targets"):
        assert f"'{estimator_module}'" not in loaded


def _profiler():
    path = PACKAGE.parent / "benchmarks" / "profile_fit_path.py"
    if not path.exists():
        pytest.skip("the profiler is not installed with the package")
    spec = importlib.util.spec_from_file_location("profile_fit_path", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("params", [{}, {"early_stopping": True}, {"n_init": 2},
                                    {"early_stopping": True, "scoring": "accuracy"}])
def test_training_calls_no_estimator_method_and_reads_no_parameter(params):
    profiler = _profiler()
    trace = profiler.profile_fit(profiler._skmlp(), **params)
    assert dict(trace.callbacks_up) == {}
    assert dict(trace.params_read) == {}
    assert trace.first_step is not None  # the trace did follow the fit
