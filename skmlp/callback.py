"""Callbacks of skmlp's own, in scikit-learn's callback protocol.

`Checkpoint` writes the whole state of a stochastic fit (training record,
network, optimiser, the order of the rows and the random generator) to a
file every few epochs, atomically, and lets the same fit, run again after
its process died, resume from it with the result it would have had.
"""

import os
import pickle
import tempfile
from dataclasses import dataclass

import joblib
import numpy as np

from ._compat import callbacks_of

#: Written into every checkpoint; a file without it is not one of ours.
_FORMAT = "skmlp-checkpoint-1"


@dataclass
class TrainingState:
    """Everything a stochastic fit needs to go on from the end of an epoch.

    Attributes
    ----------
    key : str
        `fit_key` of the fit that wrote it.
    record : skmlp._train.TrainingRecord
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
    params : dict
        The estimator's ``get_params(deep=False)``.
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
    return joblib.hash((sorted(params.items(), key=lambda item: item[0]), data, given, start))


class Checkpoint:
    """Save a stochastic fit every ``every`` epochs; resume it after a crash.

    Set it with ``set_callbacks`` (:mod:`sklearn.callback`). At the end of
    every ``every``-th epoch (and of the epoch where training stops) it
    writes the whole training state to ``path``: the training record
    (curves, counters, the best validated weights), the network (weights,
    batch-norm statistics, dropout's generator counters), the optimiser
    (moments, velocity, step count) and the shuffling generator with the
    order of the rows. The file is written beside ``path`` and renamed onto
    it, so a process killed mid-write leaves the previous checkpoint intact.

    To resume, run the same fit again, with the same data, parameters and
    checkpoint path: if ``path`` holds a checkpoint of that fit, training
    goes on after its epoch, and ends with the weights, curves and fitted
    attributes of the same fit never interrupted, bit for bit. When the fit
    ends successfully the checkpoint is deleted (``delete_checkpoint``), so
    the next run trains from scratch. This is the contract of Keras'
    ``BackupAndRestore``.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file.
    every : int, default=1
        Epochs between two checkpoints.
    delete_checkpoint : bool, default=True
        Delete the file when the fit ends successfully.

    See Also
    --------
    MLPClassifier.set_callbacks : Set the callbacks of a fit.

    Notes
    -----
    A checkpoint needs a stochastic solver, ``n_init=1`` and an int
    ``random_state`` (a resumed fit draws the validation split again and
    must draw the same one); otherwise ``fit`` raises ValueError. A fit of
    other data, other parameters or from another starting network finds a
    checkpoint it cannot resume and raises ValueError rather than
    overwrite it. The file is a pickle: load only checkpoints you wrote.

    References
    ----------
    Keras, ``keras.callbacks.BackupAndRestore``;
    skorch, ``skorch.callbacks.Checkpoint``.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from skmlp import MLPClassifier
    >>> from skmlp.callback import Checkpoint
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.ckpt")
    >>> clf = MLPClassifier(max_iter=20, random_state=0).set_callbacks(Checkpoint(path))
    >>> clf.fit(X, y).n_iter_, os.path.exists(path)  # doctest: +SKIP
    (20, False)
    """

    def __init__(self, path, *, every=1, delete_checkpoint=True):
        self.path = path
        self.every = every
        self.delete_checkpoint = delete_checkpoint

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, fitted_estimator=None):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        """Write at the end of an epoch; delete at the end of a successful fit."""
        if fitted_estimator is None:  # a task left by an error: nothing sound
            return False
        if context.task_name == "epoch":
            state = getattr(fitted_estimator, "_training_state", None)
            record = None if state is None else state.record
            if record is not None and (
                record.n_iter % self.every == 0 or record.stop_reason is not None
            ):
                self.save(state)
        elif context.task_name == "fit" and self.delete_checkpoint and os.path.exists(self.path):
            os.remove(self.path)
        return False

    def save(self, state):
        """Write ``state`` to ``path`` atomically (write, flush, rename).

        Parameters
        ----------
        state : TrainingState
            The training state of the fit.
        """
        folder = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".checkpoint-")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump({"format": _FORMAT, "state": state}, file, protocol=5)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def load(self, key):
        """The saved state of the fit named ``key``; None without a checkpoint.

        Parameters
        ----------
        key : str
            The fit's key (`fit_key`).

        Returns
        -------
        state : TrainingState or None
            The saved state, or None when ``path`` does not exist.

        Raises
        ------
        ValueError
            If ``path`` holds something else, or the checkpoint of another fit.
        """
        if not os.path.exists(self.path):
            return None
        with open(self.path, "rb") as file:
            try:
                saved = pickle.load(file)
            except Exception as error:
                raise ValueError(f"{self.path!r} is not a readable skmlp checkpoint.") from error
        if not isinstance(saved, dict) or saved.get("format") != _FORMAT:
            raise ValueError(f"{self.path!r} is not an skmlp checkpoint.")
        if saved["state"].key != key:
            raise ValueError(
                f"The checkpoint {self.path!r} was written by another fit (other data, "
                "parameters or starting network) and cannot be resumed by this one. "
                "Delete it, or give Checkpoint another path."
            )
        return saved["state"]


def checkpoint_of(estimator, n_init, stochastic, random_state):
    """The `Checkpoint` among the estimator's callbacks, or None.

    Raises
    ------
    ValueError
        If there are several, or the fit cannot be resumed exactly.
    """
    found = [callback for callback in callbacks_of(estimator) if isinstance(callback, Checkpoint)]
    if not found:
        return None
    if len(found) > 1:
        raise ValueError("Give at most one Checkpoint to set_callbacks.")
    if not stochastic:
        raise ValueError("Checkpoint needs a stochastic solver ('sgd' or 'adam'): lbfgs has no epochs.")
    if n_init != 1:
        raise ValueError(f"Checkpoint needs n_init=1, got n_init={n_init}.")
    if not isinstance(random_state, (int, np.integer)) or isinstance(random_state, bool):
        raise ValueError(
            "Checkpoint needs an int random_state: a resumed fit draws the validation "
            f"split again and must draw the same one; got random_state={random_state!r}."
        )
    return found[0]
