"""skmlp.callback.Checkpoint: atomic per-fit files, and a killed or interrupted fit resumed bit for bit.

The contract (whose file, when it is kept) is tested in test_checkpoint_contract.py.
"""

import os
import pickle
import random
import signal
import warnings
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skmlp import MLPClassifier
import skmlp._training.checkpoint as checkpoint_module
from skmlp.callback import Checkpoint
from test_checkpoint_contract import StopAt  # a callback that stops at an epoch

ROOT = Path(__file__).resolve().parents[1]

# The fit of the kill-and-resume test: dropout, batch norm and early
# stopping on, so that every piece of training state matters.
SCRIPT = textwrap.dedent(
    """
    import pickle, sys, warnings
    from sklearn.datasets import load_digits
    from skmlp import MLPClassifier
    from skmlp.callback import Checkpoint

    solver, folder, out = sys.argv[1:4]

    class PrintEpochs:
        def setup(self, estimator, context): pass
        def teardown(self, estimator, context): pass
        def on_fit_task_begin(self, estimator, context): pass
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name == "epoch" and fitted_estimator is not None:
                print("epoch", fitted_estimator.n_iter_, flush=True)

    X, y = load_digits(return_X_y=True)
    solver, _, steps = solver.partition("+")
    # "+steps": a schedule, weight decay, clipping and label smoothing too.
    extra = dict(learning_rate="one_cycle", learning_rate_init=0.05, weight_decay=1e-3,
                 max_grad_norm=2.0, label_smoothing=0.1) if steps else {}
    clf = MLPClassifier(
        (32,), solver=solver, dropout=0.2, normalization="batch", early_stopping=True,
        n_iter_no_change=40, max_iter=14, batch_size=64, random_state=0, **extra,
    )
    callbacks = [PrintEpochs()] if folder == "-" else [Checkpoint(folder), PrintEpochs()]
    clf.set_callbacks(*callbacks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        clf.fit(X / 16.0, y)
    fitted = {name: getattr(clf, name) for name in (
        "coefs_", "intercepts_", "running_means_", "running_vars_", "loss_curve_",
        "validation_scores_", "best_validation_score_", "n_iter_", "t_", "loss_",
    )}
    fitted["proba"] = clf.predict_proba(X / 16.0)
    for name in ("learning_rate_curve_", "clipped_fraction_"):
        if hasattr(clf, name):
            fitted[name] = getattr(clf, name)
    with open(out, "wb") as file:
        pickle.dump(fitted, file)
    """
)


def _run(script, *args, signal_after=None, signum=signal.SIGKILL):
    """Run the fit in a fresh process; with ``signal_after``, send it ``signum`` after that epoch.

    Returns the epochs it printed.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, str(script), *map(str, args)], stdout=subprocess.PIPE, text=True, env=env
    )
    epochs = []
    for line in process.stdout:
        epochs.append(int(line.split()[1]))
        if signal_after is not None and epochs[-1] == signal_after:
            process.send_signal(signum)  # somewhere in the next epoch
            if signum == signal.SIGKILL:
                break
    process.stdout.close()
    returncode = process.wait()
    # Ctrl-C stops the fit, which returns (with a warning).
    assert returncode == (-signal.SIGKILL if signum == signal.SIGKILL and signal_after else 0)
    return epochs


def _files(folder):
    return sorted(name for name in os.listdir(folder))


@pytest.mark.slow
@pytest.mark.parametrize("solver, signum", [
    ("adam", signal.SIGKILL), ("sgd", signal.SIGKILL), ("sgd+steps", signal.SIGKILL),
    ("adam", signal.SIGINT),
])
def test_a_killed_or_interrupted_fit_resumes_bit_identical(tmp_path, solver, signum):
    script = tmp_path / "fit.py"
    script.write_text(SCRIPT)
    folder = tmp_path / "checkpoints"
    stop_after = random.Random().randint(2, 10)  # a random epoch of the 14

    reference = _run(script, solver, "-", tmp_path / "reference.pkl")
    assert reference == list(range(1, 15))
    stopped = _run(script, solver, folder, tmp_path / "stopped.pkl", signal_after=stop_after,
                   signum=signum)
    # One checkpoint, and maybe the temporary file of a write SIGKILL cut.
    assert len([name for name in _files(folder) if not name.startswith(".")]) == 1
    # SIGKILL: in the epoch after the one printed last; Ctrl-C lets that
    # epoch finish (and be saved), so the rerun goes on after it.
    assert (tmp_path / "stopped.pkl").exists() == (signum == signal.SIGINT)
    resumed = _run(script, solver, folder, tmp_path / "resumed.pkl")
    # It went on after the last checkpoint, not from scratch: SIGKILL comes
    # before or after the save of the epoch printed last (an epoch is saved
    # after its callbacks ran); Ctrl-C stops after that epoch or the next.
    if signum == signal.SIGINT:
        assert stopped[-1] in (stop_after, stop_after + 1), (stop_after, stopped)
        assert resumed[0] == stopped[-1] + 1, (stopped, resumed)
    else:
        assert resumed[0] in (stop_after, stop_after + 1), (stop_after, resumed)
    assert resumed[-1] == 14
    assert _files(folder) == []  # deleted when the fit ended, and any temporary file

    expected = pickle.loads((tmp_path / "reference.pkl").read_bytes())
    got = pickle.loads((tmp_path / "resumed.pkl").read_bytes())
    assert expected.keys() == got.keys()
    assert ("learning_rate_curve_" in expected) == solver.endswith("+steps")
    for name, value in expected.items():
        if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            assert all(np.array_equal(a, b) for a, b in zip(value, got[name])), name
        else:
            assert np.array_equal(value, got[name]), (name, stop_after)


def _digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


@pytest.fixture
def saves(monkeypatch):
    """The epochs whose state was written (the ``n_iter`` of each write)."""
    written = []

    def spy(path, state):
        written.append(state.record.n_iter)
        write_state(path, state)

    write_state = checkpoint_module.write_state
    monkeypatch.setattr(checkpoint_module, "write_state", spy)
    return written


def _fit(clf, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clf.fit(X, y)


def test_checkpoint_written_every_few_epochs_and_deleted_at_the_end(tmp_path, saves):
    X, y = _digits()
    folder = tmp_path / "made"  # made if missing
    clf = MLPClassifier((8,), max_iter=4, random_state=0).set_callbacks(Checkpoint(folder, every=2))
    _fit(clf, X, y)
    assert saves == [2] and _files(folder) == []  # the end is not saved, to be deleted
    saves.clear()
    clf.set_callbacks(Checkpoint(folder, every=3, delete_checkpoint=False))
    _fit(clf, X, y)
    assert saves == [3, 4]  # the last epoch too
    (name,) = _files(folder)
    state = pickle.loads((folder / name).read_bytes())["state"]
    assert name == f"{state.key}.ckpt" and state.record.stop_reason == "max_iter"


def test_the_epoch_where_training_stopped_is_saved_whatever_every(tmp_path, saves):
    X, y = _digits()
    reference = _fit(MLPClassifier((8,), max_iter=7, random_state=0), X, y)
    stopped = MLPClassifier((8,), max_iter=7, random_state=0)
    _fit(stopped.set_callbacks(Checkpoint(tmp_path, every=4), StopAt(3, "stop")), X, y)
    assert saves == [3] and stopped.n_iter_ == 3
    saves.clear()
    resumed = MLPClassifier((8,), max_iter=7, random_state=0)
    _fit(resumed.set_callbacks(Checkpoint(tmp_path, every=4)), X, y)
    assert saves == [4]  # went on after epoch 3: its 4th epoch is the 1st it trains
    assert resumed.loss_curve_ == reference.loss_curve_ and _files(tmp_path) == []
    for got, expected in zip(resumed.coefs_, reference.coefs_):
        np.testing.assert_array_equal(got, expected)


def test_a_failed_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "key.ckpt"
    path.write_bytes(b"previous")
    state = checkpoint_module.TrainingState("key", None, None, None)

    def broken_dump(obj, file, protocol=None):
        file.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(pickle, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        checkpoint_module.write_state(path, state)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["key.ckpt"]  # no temporary file left


def test_a_file_that_is_not_the_fits_checkpoint_is_refused(tmp_path):
    X, y = _digits()
    clf = MLPClassifier((8,), max_iter=3, random_state=0)
    _fit(clf.set_callbacks(Checkpoint(tmp_path, delete_checkpoint=False)), X, y)
    (name,) = _files(tmp_path)
    (tmp_path / name).write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="is not a readable skmlp checkpoint"):
        clf.fit(X, y)
    # Another format version is named, read before unpickling (a later
    # release's classes need not load here).
    (tmp_path / name).write_bytes(pickle.dumps({"format": "skmlp-checkpoint-3"})[:-2])
    with pytest.raises(ValueError, match="of format 'skmlp-checkpoint-3'; this version of "
                       "skmlp reads 'skmlp-checkpoint-2'"):
        clf.fit(X, y)
    (tmp_path / "other.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match="Checkpoint takes a folder; .* is a file"):
        clf.set_callbacks(Checkpoint(tmp_path / "other.ckpt")).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"solver": "lbfgs"}, "needs a stochastic solver"),
        ({"n_init": 2}, "needs n_init=1 to train a new network"),
        ({"random_state": None}, "needs an int random_state"),
    ],
)
def test_fits_that_cannot_resume_exactly_are_refused(tmp_path, params, message):
    X, y = _digits()
    clf = MLPClassifier((8,), max_iter=3, **{"random_state": 0, **params})
    clf.set_callbacks(Checkpoint(tmp_path / "checkpoints"))
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_") and not (tmp_path / "checkpoints").exists()


@pytest.mark.parametrize("params, method, reason", [
    ({"tol": 10.0, "n_iter_no_change": 1, "max_iter": 50}, "fit", "converged"),
    ({"early_stopping": True, "n_iter_no_change": 1, "max_iter": 50}, "fit", "converged"),
    ({}, "partial_fit", "one_pass"),
])
def test_a_fit_that_reached_its_own_end_deletes_its_checkpoint(tmp_path, saves, params, method,
                                                                reason):
    X, y = _digits()
    clf = MLPClassifier((8,), random_state=0, **params)
    kwargs = {"classes": np.unique(y)} if method == "partial_fit" else {}
    getattr(clf.set_callbacks(Checkpoint(tmp_path)), method)(X, y, **kwargs)
    assert clf.n_iter_ < 50 and _files(tmp_path) == []
    # Kept with delete_checkpoint=False, finished: a rerun does not train.
    def kept():
        clf = MLPClassifier((8,), random_state=0, **params)
        clf.set_callbacks(Checkpoint(tmp_path, delete_checkpoint=False))
        return getattr(clf, method)(X, y, **kwargs)

    first = kept()
    (name,) = _files(tmp_path)
    assert pickle.loads((tmp_path / name).read_bytes())["state"].record.stop_reason == reason
    saves.clear()
    assert kept().loss_curve_ == first.loss_curve_ and saves == []
