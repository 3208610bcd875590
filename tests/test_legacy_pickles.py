"""Files written by an older skmlp keep loading: pickled models and checkpoints.

The fixtures in ``tests/data`` were written by skmlp at fef606f (before the
training code moved to ``skmlp._training``) with
``tests/data/make_legacy_fixtures.py``; their pickles name the classes where
that release defined them.
"""

import importlib.util
import pickle
import shutil
import warnings
from pathlib import Path

import numpy as np

from skmlp import MLPClassifier
from skmlp.callback import Checkpoint

DATA = Path(__file__).parent / "data"


def _fixtures():
    spec = importlib.util.spec_from_file_location(
        "make_legacy_fixtures", DATA / "make_legacy_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name):
    with open(DATA / name, "rb") as file:
        return pickle.load(file)


def test_models_pickled_by_the_older_release_load_and_predict_the_same():
    X, _ = _fixtures().data()
    saved = _load("legacy_models.pkl")
    np.testing.assert_array_equal(saved["classifier"].predict_proba(X), saved["classifier_proba"])
    np.testing.assert_array_equal(saved["regressor"].predict(X), saved["regressor_predict"])


class _Epochs:
    """Records the epochs that ran."""

    def __init__(self):
        self.seen = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch" and fitted_estimator is not None:
            self.seen.append(fitted_estimator.n_iter_)


def test_a_checkpoint_of_the_older_release_resumes_bit_identical(tmp_path):
    fixtures = _fixtures()
    X, y = fixtures.data()
    path = tmp_path / "fit.ckpt"
    shutil.copy(DATA / "legacy_checkpoint.pkl", path)
    epochs = _Epochs()
    clf = MLPClassifier(**fixtures.CHECKPOINTED).set_callbacks(Checkpoint(path), epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        clf.fit(X, y)
    assert epochs.seen == [3, 4]  # resumed after the second epoch
    expected = _load("legacy_checkpoint_expected.pkl")
    for name, value in expected.items():
        for got, want in zip(getattr(clf, name), value):
            np.testing.assert_array_equal(got, want)
    assert not path.exists()
