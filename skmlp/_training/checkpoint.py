"""The saved state of a stochastic fit: what it holds, its key, its file.

A `TrainingState` is everything a stochastic fit needs to go on from the
end of an epoch; `fit_key` names the fit it belongs to; `write_state` and
`read_state` put it in a file and take it back (the public callback,
`skmlp.callback.Checkpoint`, calls them); `resume` puts a saved state back
into a fit's network and epochs. Files written by earlier releases, whose
pickles name the classes where those releases defined them, load too.
"""

import os
import pickle
import tempfile
from dataclasses import dataclass

import joblib

#: Written into every checkpoint; a file without it is not one of ours.
FORMAT = "skmlp-checkpoint-1"

#: Where earlier releases defined the classes a checkpoint pickles.
_MOVED = {
    ("skmlp._train", "TrainingRecord"): ("skmlp._training.record", "TrainingRecord"),
    ("skmlp.callback", "TrainingState"): ("skmlp._training.checkpoint", "TrainingState"),
}


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


def fit_key(params, data, validation, start):
    """A digest that names one fit: what a resumed fit must share with it.

    Parameters
    ----------
    params : list of (str, object)
        The estimator's ``get_params(deep=False)`` items, sorted by name.
    data : tuple (X, y, sample_weight)
        The training data as training sees it.
    validation : object with ``X``, ``y_encoded``, ``sample_weight`` or None
        Explicit validation data.
    start : object
        What the fit starts from: None for a new network, else the state of
        the network it continues (warm start, ``partial_fit``).
    """
    given = None if validation is None else (
        validation.X, validation.y_encoded, validation.sample_weight
    )
    return joblib.hash((list(params), data, given, start))


def resume(checkpoint, key, network, epochs):
    """The record saved by ``checkpoint`` for the fit ``key``, put back; or None.

    The network and the epochs get the saved state; the record carries the
    optimiser.
    """
    saved = checkpoint.load(key)
    return None if saved is None else saved.restore(network, epochs)


def write_state(path, state):
    """Write ``state`` to ``path`` atomically (write, flush, rename)."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".checkpoint-")
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


class _Unpickler(pickle.Unpickler):
    """Finds the classes of earlier releases where they are now."""

    def find_class(self, module, name):
        return super().find_class(*_MOVED.get((module, name), (module, name)))


def read_state(path, key):
    """The saved state of the fit named ``key``; None without a file.

    Raises
    ------
    ValueError
        If ``path`` holds something else, a checkpoint of another format
        version (named), or the checkpoint of another fit.
    """
    if not os.path.exists(path):
        return None
    with open(path, "rb") as file:
        try:
            saved = _Unpickler(file).load()
        except Exception as error:
            raise ValueError(f"{path!r} is not a readable skmlp checkpoint.") from error
    found = saved.get("format") if isinstance(saved, dict) else None
    if isinstance(found, str) and found.startswith("skmlp-checkpoint-") and found != FORMAT:
        raise ValueError(
            f"{path!r} is a checkpoint of format {found!r}; this version of skmlp "
            f"reads {FORMAT!r}. Delete it to train from scratch."
        )
    if found != FORMAT:
        raise ValueError(f"{path!r} is not an skmlp checkpoint.")
    if saved["state"].key != key:
        raise ValueError(
            f"The checkpoint {path!r} was written by another fit (other data, "
            "parameters or starting network) and cannot be resumed by this one. "
            "Delete it, or give Checkpoint another path."
        )
    return saved["state"]
