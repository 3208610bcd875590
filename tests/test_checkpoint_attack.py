"""Attacks on the checkpoint contract (issue 22) as a hostile user would make them.

Each test is a case the contract tests do not cover: the data in another
container, streams and warm starts, validation data and weights, a damaged
file, a folder that cannot be made, a changed ``max_iter``.
"""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

from skmlp import MLPClassifier
from skmlp._training import checkpoint as module
from skmlp.callback import Checkpoint

# tests/ is on sys.path (pytest's rootdir insertion)
from test_checkpoint_contract import StopAt, _same_fit
from test_checkpoint_contract import _checkpoints as _files


def _digits():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16.0, y[:200]


def _model(**params):
    return MLPClassifier((8,), **{"max_iter": 4, "random_state": 0, **params})


def _fit(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **fit_params)


@pytest.mark.parametrize("container", ["list", "fortran", "dataframe"])
def test_the_same_data_in_another_container_resumes_the_same_fit(tmp_path, container):
    # A script that moves from numpy to pandas (or gets F-ordered data) and
    # is rerun after a crash must find its checkpoint: the training is the
    # same bit for bit, so the key must be too (it was not for a DataFrame:
    # the key hashed the memory layout).
    X, y = _digits()
    stopped = _model().set_callbacks(Checkpoint(tmp_path), StopAt(2, "stop"))
    _fit(stopped, X, y)
    other = {"list": X.tolist(), "fortran": np.asfortranarray(X),
             "dataframe": pd.DataFrame(X)}[container]
    resumed = _fit(_model().set_callbacks(Checkpoint(tmp_path)), other, y)
    assert _files(tmp_path) == []  # it found the checkpoint and finished it
    _same_fit(resumed, _fit(_model(), X, y))


@pytest.mark.parametrize("fit_params", [
    {"sample_weight": np.linspace(0.1, 2.0, 200)},
    {"X_val": "head", "y_val": "head"},
    {"X_val": "head", "y_val": "head", "sample_weight_val": np.linspace(1, 2, 50)},
])
def test_a_fit_with_weights_or_validation_data_resumes_bit_identical(tmp_path, fit_params):
    X, y = _digits()
    fit_params = {**fit_params}
    if "X_val" in fit_params:
        fit_params.update(X_val=X[:50], y_val=y[:50])
    early = "X_val" in fit_params
    reference = _fit(_model(early_stopping=early), X, y, **fit_params)
    _fit(_model(early_stopping=early).set_callbacks(Checkpoint(tmp_path), StopAt(2, "stop")),
         X, y, **fit_params)
    assert len(_files(tmp_path)) == 1
    resumed = _fit(_model(early_stopping=early).set_callbacks(Checkpoint(tmp_path)),
                   X, y, **fit_params)
    _same_fit(resumed, reference)
    assert resumed.validation_scores_ == reference.validation_scores_


def test_early_stopping_stopped_by_a_callback_resumes_its_best_epoch(tmp_path):
    X, y = _digits()
    params = dict(early_stopping=True, max_iter=10, n_iter_no_change=2)
    reference = _fit(_model(**params), X, y)
    _fit(_model(**params).set_callbacks(Checkpoint(tmp_path), StopAt(2, "stop")), X, y)
    resumed = _fit(_model(**params).set_callbacks(Checkpoint(tmp_path)), X, y)
    _same_fit(resumed, reference)
    assert resumed.best_validation_score_ == reference.best_validation_score_
    assert _files(tmp_path) == []


def test_a_partial_fit_stream_keeps_one_file_per_call_and_reruns_without_training(tmp_path):
    X, y = _digits()
    chunks = [slice(0, 100), slice(100, 200)]

    def stream(**checkpoint):
        model = MLPClassifier((8,), random_state=0)
        if checkpoint:
            model.set_callbacks(Checkpoint(tmp_path, **checkpoint))
        for rows in chunks:
            model.partial_fit(X[rows], y[rows], classes=np.arange(10))
        return model

    reference = stream()
    kept = stream(delete_checkpoint=False)
    assert len(_files(tmp_path)) == 2  # each call is a fit of its own start
    again = stream(delete_checkpoint=False)  # every call finds its finished state
    _same_fit(again, reference)
    _same_fit(kept, reference)
    stream()  # without a checkpoint: the files stay
    stream(delete_checkpoint=True)
    assert _files(tmp_path) == []


def test_two_estimators_streaming_interleaved_on_one_folder(tmp_path):
    # Two streams of different data in one process, their calls alternating:
    # neither reads, overwrites or deletes the other's state.
    X, y = _digits()
    a = MLPClassifier((8,), random_state=0).set_callbacks(Checkpoint(tmp_path))
    b = MLPClassifier((8,), random_state=0).set_callbacks(Checkpoint(tmp_path))
    ref_a, ref_b = MLPClassifier((8,), random_state=0), MLPClassifier((8,), random_state=0)
    for start in (0, 50, 100):
        rows_a, rows_b = slice(start, start + 50), slice(start + 50, start + 100)
        for model, ref, rows in ((a, ref_a, rows_a), (b, ref_b, rows_b), ):
            model.partial_fit(X[rows], y[rows], classes=np.arange(10))
            ref.partial_fit(X[rows], y[rows], classes=np.arange(10))
    _same_fit(a, ref_a)
    _same_fit(b, ref_b)
    assert _files(tmp_path) == []


@pytest.mark.parametrize("damage", ["truncated", "empty", "zeroed tail"])
def test_a_damaged_checkpoint_is_refused_with_its_path_and_the_remedy(tmp_path, damage):
    X, y = _digits()
    _fit(_model().set_callbacks(Checkpoint(tmp_path), StopAt(2, "stop")), X, y)
    (name,) = _files(tmp_path)
    path = tmp_path / name
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "empty": b"",
                      "zeroed tail": data[:200] + bytes(len(data) - 200)}[damage])
    with pytest.raises(ValueError, match=r"(?s)not a readable skmlp checkpoint.*[Dd]elete it"):
        _fit(_model().set_callbacks(Checkpoint(tmp_path)), X, y)
    path.unlink()  # the remedy the message gives: the rerun trains from scratch
    _same_fit(_fit(_model().set_callbacks(Checkpoint(tmp_path)), X, y), _fit(_model(), X, y))


def test_a_folder_that_cannot_be_made_fails_before_training(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    model = _model().set_callbacks(Checkpoint(tmp_path / "file" / "sub"))
    with pytest.raises(OSError):
        _fit(model, *_digits())
    assert not hasattr(model, "coefs_")


def test_missing_parent_folders_are_made(tmp_path):
    X, y = _digits()
    folder = tmp_path / "a" / "b"
    _fit(_model().set_callbacks(Checkpoint(folder), StopAt(2, "stop")), X, y)
    assert len(_files(folder)) == 1


def test_a_rerun_with_another_max_iter_is_another_fit(tmp_path):
    # max_iter names the fit (a schedule's length depends on it), so a rerun
    # with more epochs trains from scratch, as a fresh fit with that
    # max_iter would; the interrupted fit's file is left for its own rerun.
    X, y = _digits()
    _fit(_model(max_iter=4).set_callbacks(Checkpoint(tmp_path), StopAt(2, "stop")), X, y)
    longer = _fit(_model(max_iter=6).set_callbacks(Checkpoint(tmp_path)), X, y)
    _same_fit(longer, _fit(_model(max_iter=6), X, y))
    assert len(_files(tmp_path)) == 1  # the max_iter=4 fit's, kept


@pytest.mark.filterwarnings("ignore:Training interrupted by user:UserWarning")  # the Ctrl-C
@pytest.mark.parametrize("action", ["interrupt", "stop", "error"])
def test_a_stream_stopped_in_one_call_reruns_to_the_same_model(tmp_path, action):
    # A partial_fit call stopped by Ctrl-C, a callback or an error keeps its
    # state; rerunning the whole stream goes through that call's saved state
    # without a second pass and ends as the stream never stopped.
    X, y = _digits()
    chunks = [slice(0, 100), slice(100, 200), slice(0, 100)]
    reference = MLPClassifier((8,), random_state=0)
    for rows in chunks:
        reference.partial_fit(X[rows], y[rows], classes=np.arange(10))

    def stream(stopped_call=None):
        model = MLPClassifier((8,), random_state=0)
        for call, rows in enumerate(chunks):
            extra = [StopAt(1, action)] if call == stopped_call else []
            model.set_callbacks(Checkpoint(tmp_path), *extra)
            try:
                model.partial_fit(X[rows], y[rows], classes=np.arange(10))
            except RuntimeError:
                return model
        return model

    stream(stopped_call=1)
    # The stopped call's state, saved after its pass; an error in the
    # callback comes before that save, and the call had no earlier epoch.
    assert len(_files(tmp_path)) == (0 if action == "error" else 1)
    _same_fit(stream(), reference)
    assert _files(tmp_path) == []


def test_a_warm_start_fit_trains_on_and_reruns_to_the_same_model_when_stopped(tmp_path):
    X, y = _digits()
    reference = _model(warm_start=True)
    _fit(reference, X, y)
    _fit(reference, X, y)

    def script(*extra):
        model = _model(warm_start=True).set_callbacks(Checkpoint(tmp_path))
        _fit(model, X, y)
        _fit(model.set_callbacks(Checkpoint(tmp_path), *extra), X, y)
        return model

    # The second fit continues its own network: another key, not the first fit's end.
    _same_fit(script(), reference)
    assert _files(tmp_path) == []
    assert script(StopAt(2, "stop")).n_iter_ == 2
    assert len(_files(tmp_path)) == 1
    _same_fit(script(), reference)
    assert _files(tmp_path) == []


# Two fits of one key at once: a search with a candidate twice, or two
# processes of one script, on one folder (n_jobs=2). They train alike, so
# sharing a file is right; but the file and the temporary files can vanish
# under a fit between its look and its act. Made deterministic here by
# doing the other fit's act inside this fit's window.

def test_a_file_deleted_by_the_other_fit_of_its_key_at_the_end(tmp_path, monkeypatch):
    mine = module.CheckpointFile.open(Checkpoint(tmp_path), "k" * 32)
    mine_path = mine.path
    with open(mine_path, "wb") as file:
        file.write(b"its state")
    real_exists = module.os.path.exists

    def exists_then_the_other_fit_deletes(path):
        found = real_exists(path)
        if path == mine_path and found:
            os.remove(path)  # the other fit reached its end first
        return found

    monkeypatch.setattr(module.os.path, "exists", exists_then_the_other_fit_deletes)

    class Ended:
        stop_reason = "max_iter"

    mine.end(Ended())  # was FileNotFoundError at the end of a finished fit


def test_a_fit_starting_while_the_other_fit_of_its_key_writes(tmp_path, monkeypatch):
    # The starting fit removes the temporary files of its key, taking them
    # for a crash's; one may be the other fit's, between write and rename.
    callback, key = Checkpoint(tmp_path), "k" * 32
    writer = module.CheckpointFile.open(callback, key)
    real_replace = module.os.replace
    starts = []

    def the_other_fit_starts_then_replace(source, target):
        if not starts:
            starts.append(module.CheckpointFile.open(callback, key))
        real_replace(source, target)

    monkeypatch.setattr(module.os, "replace", the_other_fit_starts_then_replace)
    state = module.TrainingState(key, record=None, network=(), epochs=())
    module.write_state(writer.path, state)  # was FileNotFoundError in mid-training
    assert module.read_state(writer.path, key).key == key
    assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []


@pytest.mark.parametrize("spelling", [
    {"hidden_layer_sizes": 8},
    {"hidden_layer_sizes": [8]},
    {"hidden_layer_sizes": np.array([8])},
    {"random_state": np.int64(0)},
])
def test_parameters_spelled_another_way_resume_the_same_fit(tmp_path, spelling):
    # hidden_layer_sizes=8, [8] and (8,), or random_state 0 and np.int64(0),
    # train bit for bit alike, so they name one fit (they named two).
    X, y = _digits()
    _fit(_model().set_callbacks(Checkpoint(tmp_path), StopAt(2, "stop")), X, y)
    spelled = MLPClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 4, "random_state": 0,
                               **spelling})
    resumed = _fit(spelled.set_callbacks(Checkpoint(tmp_path)), X, y)
    assert _files(tmp_path) == []  # it found the checkpoint and finished it
    _same_fit(resumed, _fit(_model(), X, y))
