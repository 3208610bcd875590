"""The saved state of a stochastic fit: what it holds, its key, its file.

A `TrainingState` is everything a stochastic fit needs to go on from the
end of an epoch; `fit_key` names the fit it belongs to (`validation_key`
its validation data, which a warm start compares); a `CheckpointFile` is
that fit's own file in the folder of a `skmlp.callback.Checkpoint`. It
resumes the fit, saves its state after epochs (`write_state`: atomically,
through a temporary file named after the key) and is deleted only when the
fit reached its own end (`OWN_ENDS`): never after Ctrl-C, a callback's stop
or an error. A file of another format version, such as the first (one file
at the given path), is named as such, from its first bytes, without
unpickling it.
"""

import contextlib
import dataclasses
import os
import pickle
import re
import tempfile
from dataclasses import dataclass

import joblib
import numpy as np

#: Written into every checkpoint; a file without it is not one of ours.
FORMAT = "skmlp-checkpoint-2"
#: The first format: one file at the path given to Checkpoint, for any fit.
FIRST_FORMAT = "skmlp-checkpoint-1"

#: Stops by the fit's own rule (its `TrainingRecord.stop_reason`): the fit
#: is done, and its checkpoint with it. 'callback' and 'interrupted' are
#: not: the state saved there is one to go on from.
OWN_ENDS = frozenset({"converged", "max_iter", "one_pass", "diverged"})

@dataclass
class TrainingState:
    """Everything a stochastic fit needs to go on from the end of an epoch.

    Attributes
    ----------
    key : str
        `fit_key` of the fit that wrote it.
    record : skmlp._training.record.TrainingRecord
        Curves, counters, best validated weights and the optimiser.
    network : tuple
        ``Sequential.get_state()``: parameters and buffers (batch-norm
        statistics, dropout's generator counters).
    epochs : tuple
        ``Epochs.get_state()``: the order of the training rows and the
        state of the shuffling generator.
    """

    key: str
    record: object
    network: tuple
    epochs: tuple

    def restore(self, network, epochs):
        """Put the state back into ``network`` and ``epochs``; the record."""
        network.set_state(self.network)
        epochs.set_state(self.epochs)
        return self.record


#: Parameters that only show or schedule the work and leave the result as it
#: is: they do not name the fit (a rerun with verbose on to watch it resumes).
_NOT_IN_KEY = ("verbose", "n_jobs")


def key_params(params):
    """The parameters that name a fit, for `fit_key`: sorted ``(name, value)`` items.

    Raises
    ------
    ValueError
        If one of them cannot be pickled, naming it.
    """
    items = tuple(
        sorted((k, _canonical(k, v)) for k, v in params.items() if k not in _NOT_IN_KEY)
    )
    for name, value in items:
        try:
            pickle.dumps(value)
        except Exception as error:
            raise ValueError(
                f"Checkpoint names each fit by its parameters, and {name}={value!r} cannot "
                "be pickled (a lambda or a local function?): define it at the top level of "
                "a module."
            ) from error
    return items


def _canonical(name, value):
    """One spelling of a parameter value for the key: values that train alike key alike.

    ``hidden_layer_sizes=8``, ``(8,)`` and ``[8]``, or ``random_state=0`` and
    ``np.int64(0)``, are one fit: numpy scalars become Python's, sequences
    tuples, and a single layer size a one-element tuple.
    """
    if name == "hidden_layer_sizes" and not hasattr(value, "__iter__"):
        value = (value,)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_canonical("", item) for item in value)
    return value


def fit_key(params, data, validation, start):
    """A digest that names one fit: what a resumed fit must share with it.

    Parameters
    ----------
    params : tuple of (str, object)
        The items of `key_params`: the estimator's parameters that name
        the fit, sorted by name, each of them picklable.
    data : tuple (X, y, sample_weight)
        The training data as training sees it.
    validation : object with ``X``, ``y_encoded``, ``sample_weight`` or None
        Explicit validation data.
    start : object
        What the fit starts from: None for a new network, else the state of
        the network it continues (warm start, ``partial_fit``).

    Returns
    -------
    key : str
        32 hexadecimal digits (joblib's hash).
    """
    return joblib.hash((list(params), _by_value(data), _by_value(_given(validation)), start))


#: The `validation_key` of rows split off the training data.
SPLIT_KEY = "validation_fraction"


def validation_key(validation):
    """The key of a fit's validation data: a warm start compares it (`record.starting`).

    Data given to ``fit`` (``X_val``, ``y_val`` encoded, the weights) is
    named by its values, hashed as `fit_key` hashes it; rows split off the
    training data (``validation_fraction``) by `SPLIT_KEY`, whatever rows
    the split drew: scikit-learn's warm start keeps its best score there.

    Parameters
    ----------
    validation : skmlp._training.data.Validation

    Returns
    -------
    key : str
    """
    if validation.split_off:
        return SPLIT_KEY
    return joblib.hash(_by_value(_given(validation)))


def _given(validation):
    """The arrays of explicit validation data that name it; None without any."""
    if validation is None:
        return None
    return validation.X, validation.y_encoded, validation.sample_weight


def _by_value(arrays):
    """``arrays`` with each ndarray C-ordered: joblib's hash sees the strides.

    The same values from a DataFrame (F-ordered) or a list train bit for
    bit alike, so they must name the same fit.
    """
    if arrays is None:
        return None
    return tuple(
        np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in arrays
    )


class CheckpointFile:
    """The checkpoint of one fit: ``<folder>/<key>.ckpt``, and when to keep it.

    Parameters
    ----------
    folder : str
        The folder of the `skmlp.callback.Checkpoint`.
    key : str
        The fit's `fit_key`.
    every : int
        Epochs between two saves.
    delete : bool
        Delete the file when the fit reached its own end.
    """

    def __init__(self, folder, key, *, every, delete):
        self.key = key
        self.path = os.path.join(folder, f"{key}.ckpt")
        self.every = every
        self.delete = delete

    @classmethod
    def open(cls, checkpoint, key):
        """The file of the fit ``key`` in the folder of ``checkpoint``.

        The folder is made if missing; temporary files of this key that a
        crash left are removed (a fit of another key never touches them).

        Raises
        ------
        ValueError
            If the folder is a file: a checkpoint of the first format
            (named), or anything else.
        """
        folder = os.fspath(checkpoint.directory)
        if os.path.isfile(folder):
            raise _not_a_folder(folder)
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.startswith(f".{key}-") and name.endswith(".tmp"):
                # Another fit of this key, starting too, may remove it first.
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, name))
        return cls(folder, key, every=checkpoint.every, delete=checkpoint.delete_checkpoint)

    def resume(self, network, epochs):
        """The saved record of this fit, its state put back; None without one.

        The network and the epochs get the saved state; the record carries
        the optimiser.
        """
        saved = read_state(self.path, self.key)
        return None if saved is None else saved.restore(network, epochs)

    def epoch_end(self, record, network, epochs):
        """After a whole epoch: save every ``every`` epochs and where training stopped.

        A fit that reached its own end with ``delete`` is not saved (`end`
        deletes its file). A stop by a callback or Ctrl-C is saved without
        its stop reason: a rerun goes on from there.
        """
        stop = record.stop_reason
        if (stop is None and record.n_iter % self.every) or (stop in OWN_ENDS and self.delete):
            return
        if stop is not None and stop not in OWN_ENDS:
            record = dataclasses.replace(record, stop_reason=None)
        write_state(self.path, TrainingState(
            self.key, record, network.get_state(), epochs.get_state()
        ))

    def end(self, record):
        """After training: delete the file if the fit reached its own end."""
        if self.delete and record.stop_reason in OWN_ENDS:
            # Absent if never written (every > the epochs run), or if another
            # fit of this key (a search with a candidate twice) deleted it first.
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)


def write_state(path, state):
    """Write ``state`` to ``path`` atomically (write, flush, rename).

    The temporary file is ``.<key>-<random>.tmp`` beside ``path``, so that
    the next fit of the same key removes it if a crash left it. Another fit
    of this key starting meanwhile may take it for a crash's and remove it
    before the rename: then it is written once more.
    """
    try:
        _write_through_temporary(path, state)
    except FileNotFoundError:
        _write_through_temporary(path, state)


def _write_through_temporary(path, state):
    handle, temporary = tempfile.mkstemp(
        dir=os.path.dirname(os.path.abspath(path)), prefix=f".{state.key}-", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump({"format": FORMAT, "state": state}, file, protocol=5)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def read_state(path, key):
    """The saved state of the fit named ``key``; None without a file.

    Raises
    ------
    ValueError
        If ``path`` holds something else, a checkpoint of another format
        version (named), or the state of another fit.
    """
    if not os.path.exists(path):
        return None
    found = _format_of(path)
    if found is not None and found != FORMAT:
        raise ValueError(
            f"{path!r} is a checkpoint of format {found!r}; this version of skmlp "
            f"reads {FORMAT!r}. Delete it to train this fit from scratch."
        )
    with open(path, "rb") as file:
        try:
            saved = pickle.load(file)
        except Exception as error:
            raise ValueError(
                f"{path!r} is not a readable skmlp checkpoint (damaged or cut short?). "
                "Delete it to train this fit from scratch."
            ) from error
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not an skmlp checkpoint.")
    if saved["state"].key != key:
        raise ValueError(
            f"{path!r} holds the state of another fit than its name says; delete it."
        )
    return saved["state"]


def _format_of(path):
    """The format a checkpoint names, read without unpickling it; None if none.

    Every format pickles ``{"format": ..., "state": ...}``: the name is in
    the first bytes.
    """
    with open(path, "rb") as file:
        found = re.search(rb"skmlp-checkpoint-[0-9]+", file.read(256))
    return None if found is None else found.group().decode()


def _not_a_folder(path):
    """The error for a Checkpoint given a file: the first format's, named, or any."""
    if _format_of(path) != FIRST_FORMAT:
        return ValueError(f"Checkpoint takes a folder; {path!r} is a file.")
    return ValueError(
        f"{path!r} is a checkpoint of format {FIRST_FORMAT!r} (one file at the path given "
        f"to Checkpoint), written by an earlier skmlp; this version writes {FORMAT!r}: "
        "Checkpoint takes a folder, where each fit keeps a file of its own. Finish that "
        "fit with the skmlp that wrote the file, or delete the file to train from "
        "scratch; then give Checkpoint a folder."
    )
