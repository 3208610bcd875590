"""The checkpoint contract (issue 22): when a checkpoint is kept, whose it is, what it never does.

A checkpoint is removed only when its fit reached its own end; a fit never
overwrites or deletes another fit's checkpoint, so a search or a
cross-validation resumes each candidate from its own state and its result
never changes; no temporary file outlives a crash; what cannot name a fit
is refused before training.
"""

import os
import pickle
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score

from skmlp import MLPClassifier
from skmlp.callback import Checkpoint

ROOT = Path(__file__).resolve().parents[1]


def _digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


class StopAt:
    """A callback that, at the end of epoch ``epoch``, does ``action``."""

    def __init__(self, epoch, action):
        self.epoch, self.action = epoch, action

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        if fitted_estimator.n_iter_ != self.epoch:
            return False
        if self.action == "interrupt":
            raise KeyboardInterrupt  # as Ctrl-C between epochs
        if self.action == "error":
            raise RuntimeError("the callback failed")
        return True  # "stop": the callback asks training to stop


def _model(**params):
    return MLPClassifier((8,), **{"max_iter": 6, "random_state": 0, **params})


def _fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _checkpoints(directory):
    return sorted(name for name in os.listdir(directory) if not name.startswith("."))


def _same_fit(a, b):
    assert a.n_iter_ == b.n_iter_
    assert a.loss_curve_ == b.loss_curve_
    for got, expected in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("action", ["interrupt", "stop", "error"])
def test_a_fit_that_did_not_reach_its_end_keeps_its_checkpoint(tmp_path, action):
    X, y = _digits()
    reference = _fit_quietly(_model(), X, y)
    model = _model().set_callbacks(Checkpoint(tmp_path), StopAt(3, action))
    if action == "error":
        with pytest.raises(RuntimeError, match="the callback failed"):
            _fit_quietly(model, X, y)
    else:
        _fit_quietly(model, X, y)
        assert model.n_iter_ == 3
    assert len(_checkpoints(tmp_path)) == 1  # kept for the rerun
    # The rerun goes on from epoch 3 and ends as the fit never stopped.
    resumed = _fit_quietly(_model().set_callbacks(Checkpoint(tmp_path)), X, y)
    _same_fit(resumed, reference)
    assert _checkpoints(tmp_path) == []  # this one reached its end


def test_fits_on_one_directory_keep_their_own_checkpoints(tmp_path):
    X, y = _digits()
    first = _model(alpha=1e-4).set_callbacks(Checkpoint(tmp_path, delete_checkpoint=False))
    second = _model(alpha=1.0).set_callbacks(Checkpoint(tmp_path, delete_checkpoint=False))
    _fit_quietly(first, X, y)
    _fit_quietly(second, X, y)
    assert len(_checkpoints(tmp_path)) == 2
    # Each rerun finds its own, finished, checkpoint: the same model, no training.
    again = _fit_quietly(
        _model(alpha=1e-4).set_callbacks(Checkpoint(tmp_path, delete_checkpoint=False)), X, y
    )
    _same_fit(again, first)
    # A fit that reaches its end deletes its own checkpoint only.
    _fit_quietly(_model(alpha=1.0).set_callbacks(Checkpoint(tmp_path)), X, y)
    assert len(_checkpoints(tmp_path)) == 1


def test_cross_validation_in_parallel_with_a_checkpoint(tmp_path):
    X, y = _digits()
    model = _model().set_callbacks(Checkpoint(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # _model's short fits do not converge
        expected = cross_val_score(_model(), X, y, cv=3)
        got = cross_val_score(model, X, y, cv=3, n_jobs=2, error_score="raise")
    np.testing.assert_array_equal(got, expected)
    assert _checkpoints(tmp_path) == []


def test_a_rerun_search_resumes_each_candidate_and_picks_the_same_model(tmp_path):
    X, y = _digits()
    grid = {"alpha": [1e-4, 30.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = GridSearchCV(_model(), grid, cv=2, error_score="raise").fit(X, y)
        # A search that "crashed" after its fits: every candidate's state is
        # left, and the refit's (2 candidates x 2 folds + 1).
        left = _model().set_callbacks(Checkpoint(tmp_path, delete_checkpoint=False))
        GridSearchCV(left, grid, cv=2, error_score="raise").fit(X, y)
        assert len(_checkpoints(tmp_path)) == 5
        rerun = _model().set_callbacks(Checkpoint(tmp_path))
        got = GridSearchCV(rerun, grid, cv=2, error_score="raise").fit(X, y)
    assert got.best_params_ == expected.best_params_
    np.testing.assert_array_equal(
        got.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )
    assert _checkpoints(tmp_path) == []


# A fit killed while it writes its checkpoint: the process ends inside the write.
KILLED_IN_WRITE = textwrap.dedent(
    """
    import os, pickle, sys, warnings
    from sklearn.datasets import load_digits
    from skmlp import MLPClassifier
    from skmlp.callback import Checkpoint

    def dump_and_die(obj, file, protocol=None):
        file.write(b"half a checkpoint")
        file.flush()
        os._exit(9)

    pickle.dump = dump_and_die  # the checkpoint's write goes through pickle.dump
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier((8,), max_iter=6, random_state=0)
    clf.set_callbacks(Checkpoint(sys.argv[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X[:300] / 16.0, y[:300])
    """
)


def test_no_temporary_file_outlives_a_crash(tmp_path):
    script = tmp_path / "killed.py"
    script.write_text(KILLED_IN_WRITE)
    directory = tmp_path / "checkpoints"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, str(script), str(directory)], env=env)
    assert result.returncode == 9
    assert os.listdir(directory)  # the half-written temporary file
    X, y = _digits()
    _fit_quietly(_model().set_callbacks(Checkpoint(directory)), X, y)
    assert os.listdir(directory) == []  # the new fit of the same key cleaned it


def test_a_scoring_callable_that_cannot_name_the_fit_is_refused_before_training(tmp_path):
    X, y = _digits()
    model = _model(early_stopping=True, scoring=lambda est, X, y: est.score(X, y))
    model.set_callbacks(Checkpoint(tmp_path))
    with pytest.raises(ValueError, match="scoring"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")
    assert os.listdir(tmp_path) == []


def test_a_continued_fit_with_n_init_takes_a_checkpoint(tmp_path):
    X, y = _digits()
    model = _fit_quietly(_model(n_init=3), X, y)
    model.set_params(warm_start=True).set_callbacks(Checkpoint(tmp_path))
    _fit_quietly(model, X, y)  # n_init plays no part when continuing
    model.partial_fit(X, y)


def test_a_checkpoint_of_an_older_format_is_named_as_such(tmp_path):
    X, y = _digits()
    old = tmp_path / "run.ckpt"  # the first format was one file at the given path
    old.write_bytes(pickle.dumps({"format": "skmlp-checkpoint-1", "state": None}))
    model = _model().set_callbacks(Checkpoint(old))
    with pytest.raises(ValueError, match="skmlp-checkpoint-1"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


def test_a_rerun_with_verbose_on_resumes(tmp_path, capsys):
    # verbose (and n_jobs) show or schedule the work but do not change the
    # result, so they do not name the fit: turning on progress output to
    # watch a resume must not make it another fit.
    X, y = _digits()
    reference = _fit_quietly(_model(), X, y)
    _fit_quietly(_model().set_callbacks(Checkpoint(tmp_path), StopAt(3, "stop")), X, y)
    capsys.readouterr()
    resumed = _fit_quietly(_model(verbose=True).set_callbacks(Checkpoint(tmp_path)), X, y)
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Iter")]
    assert printed[0].startswith("Iteration 4,")  # went on after epoch 3
    _same_fit(resumed, reference)
