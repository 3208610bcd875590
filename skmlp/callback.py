"""Callbacks of skmlp's own, in scikit-learn's callback protocol.

`Checkpoint` writes the whole state of a stochastic fit (training record,
network, optimiser, the order of the rows and the random generator) to a
file every few epochs, atomically, and lets the same fit, run again after
its process died, resume from it with the result it would have had.
"""

import os

from ._training.checkpoint import read_state, write_state


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
        write_state(self.path, state)

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
            If ``path`` holds something else, a checkpoint of another format
            version, or the checkpoint of another fit.
        """
        return read_state(self.path, key)
