"""Settings shared by the whole suite."""

import importlib.util

import pytest
from threadpoolctl import threadpool_limits

# skmlp.onnx needs the onnx extra; without skl2onnx its doctests are not
# collected (tests/test_onnx.py skips, naming the extra).
collect_ignore = [] if importlib.util.find_spec("skl2onnx") else ["skmlp/onnx"]


@pytest.fixture(autouse=True, scope="session")
def single_blas_thread():
    # The suite's matrices are tiny: extra BLAS threads only oversubscribe a
    # 2-core machine (several times slower), for skmlp and scikit-learn alike.
    with threadpool_limits(limits=1, user_api="blas"):
        yield
