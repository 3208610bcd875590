"""skmlp.callback.Checkpoint: atomic checkpoints, and a killed fit resumed bit for bit."""

import os
import pickle
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skmlp import MLPClassifier
from skmlp.callback import Checkpoint

ROOT = Path(__file__).resolve().parents[1]

# The fit of the kill-and-resume test: dropout, batch norm and early
# stopping on, so that every piece of training state matters.
SCRIPT = textwrap.dedent(
    """
    import pickle, sys, warnings
    from sklearn.datasets import load_digits
    from skmlp import MLPClassifier
    from skmlp.callback import Checkpoint

    solver, path, out = sys.argv[1:4]

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
    callbacks = [PrintEpochs()] if path == "-" else [Checkpoint(path), PrintEpochs()]
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


def _run(script, *args, kill_after=None):
    """Run the fit in a fresh process; with ``kill_after``, SIGKILL it after that epoch.

    Returns the epochs it printed.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, str(script), *map(str, args)], stdout=subprocess.PIPE, text=True, env=env
    )
    epochs = []
    for line in process.stdout:
        epochs.append(int(line.split()[1]))
        if kill_after is not None and epochs[-1] == kill_after:
            process.send_signal(signal.SIGKILL)  # somewhere in the next epoch
            break
    process.stdout.close()
    returncode = process.wait()
    if kill_after is None:
        assert returncode == 0
    else:
        assert returncode == -signal.SIGKILL
    return epochs


@pytest.mark.slow
@pytest.mark.parametrize("solver", ["adam", "sgd", "sgd+steps"])
def test_a_killed_fit_resumes_bit_identical(tmp_path, solver):
    script = tmp_path / "fit.py"
    script.write_text(SCRIPT)
    checkpoint = tmp_path / "fit.ckpt"
    kill_after = random.Random().randint(2, 10)  # a random epoch of the 14

    reference = _run(script, solver, "-", tmp_path / "reference.pkl")
    assert reference == list(range(1, 15))
    _run(script, solver, checkpoint, tmp_path / "killed.pkl", kill_after=kill_after)
    assert checkpoint.exists() and not (tmp_path / "killed.pkl").exists()
    resumed = _run(script, solver, checkpoint, tmp_path / "resumed.pkl")
    # It went on after the last checkpoint, not from scratch.
    assert resumed[0] > kill_after and resumed[-1] == 14, (kill_after, resumed)
    assert not checkpoint.exists()  # deleted when the fit ended

    expected = pickle.loads((tmp_path / "reference.pkl").read_bytes())
    got = pickle.loads((tmp_path / "resumed.pkl").read_bytes())
    assert expected.keys() == got.keys()
    assert ("learning_rate_curve_" in expected) == solver.endswith("+steps")
    for name, value in expected.items():
        if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            assert all(np.array_equal(a, b) for a, b in zip(value, got[name])), name
        else:
            assert np.array_equal(value, got[name]), (name, kill_after)


def _digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


def test_checkpoint_written_each_epoch_and_deleted_at_the_end(tmp_path):
    X, y = _digits()
    path = tmp_path / "model.ckpt"
    states = []

    class Spy(Checkpoint):
        def save(self, state):
            super().save(state)
            states.append(pickle.loads(path.read_bytes())["state"].record.n_iter)

    clf = MLPClassifier((8,), max_iter=4, random_state=0).set_callbacks(Spy(path, every=2))
    with pytest.warns(Warning):
        clf.fit(X, y)
    assert states == [2, 4]
    assert not path.exists()
    clf.set_callbacks(Checkpoint(path, delete_checkpoint=False))
    with pytest.warns(Warning):
        clf.fit(X, y)
    assert path.exists()


def test_a_failed_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    checkpoint = Checkpoint(path)
    path.write_bytes(b"previous")

    def broken_dump(obj, file, protocol=None):
        file.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(pickle, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save(object())
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["model.ckpt"]  # no temporary file left


def test_a_checkpoint_of_another_fit_is_refused(tmp_path):
    X, y = _digits()
    path = tmp_path / "model.ckpt"
    clf = MLPClassifier((8,), max_iter=3, random_state=0)
    clf.set_callbacks(Checkpoint(path, delete_checkpoint=False))
    with pytest.warns(Warning):
        clf.fit(X, y)
    clf.set_params(alpha=0.5)
    with pytest.raises(ValueError, match="was written by another fit"):
        clf.fit(X, y)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="is not a readable skmlp checkpoint"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"solver": "lbfgs"}, "needs a stochastic solver"),
        ({"n_init": 2}, "needs n_init=1"),
        ({"random_state": None}, "needs an int random_state"),
    ],
)
def test_fits_that_cannot_resume_exactly_are_refused(tmp_path, params, message):
    X, y = _digits()
    clf = MLPClassifier((8,), max_iter=3, **{"random_state": 0, **params})
    clf.set_callbacks(Checkpoint(tmp_path / "model.ckpt"))
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")
