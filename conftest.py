"""Settings shared by the whole suite."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def single_blas_thread():
    # The suite's matrices are tiny: extra BLAS threads only oversubscribe a
    # 2-core machine (several times slower), for skmlp and scikit-learn alike.
    with threadpool_limits(limits=1, user_api="blas"):
        yield
