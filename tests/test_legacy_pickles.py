"""Files written by an older skmlp: pickled models load, checkpoints are named.

The fixtures in ``tests/data`` were written by skmlp at fef606f (before the
training code moved to ``skmlp._training``) with
``tests/data/make_legacy_fixtures.py``; their pickles name the classes where
that release defined them.
"""

import importlib.util
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

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


def test_a_checkpoint_of_the_older_release_is_refused_naming_its_format(tmp_path):
    # The first format was one file at the path given to Checkpoint; the
    # folder of this format cannot take it, and says what to do.
    fixtures = _fixtures()
    X, y = fixtures.data()
    path = tmp_path / "fit.ckpt"
    shutil.copy(DATA / "legacy_checkpoint.pkl", path)
    clf = MLPClassifier(**fixtures.CHECKPOINTED).set_callbacks(Checkpoint(path))
    with pytest.raises(ValueError, match="'skmlp-checkpoint-1'.*delete the file"):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")
    assert path.read_bytes() == (DATA / "legacy_checkpoint.pkl").read_bytes()
