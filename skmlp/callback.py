"""Callbacks of skmlp's own, in scikit-learn's callback protocol.

`Checkpoint` saves the whole state of a stochastic fit in a folder, one
file per fit, and lets the same fit, run again after its process died or
was stopped, resume from it with the result it would have had. It only
configures: training finds it among the callbacks and decides when to save
and when to delete (`skmlp._training.checkpoint`).
"""


class Checkpoint:
    """Save a stochastic fit every ``every`` epochs; resume it after a crash.

    Set it with ``set_callbacks`` (:mod:`sklearn.callback`). Each fit keeps
    its own file in ``directory``, named by its key (a digest of the
    estimator's parameters, the training and validation data and the
    network it continues, if any), so fits never overwrite or delete each
    other's files: the fits of a cross-validation or of a search can share
    one folder, also in parallel. The file holds the whole training state:
    the training record (curves, counters, the best validated weights), the
    network (weights, batch-norm statistics, dropout's generator counters),
    the optimiser (moments, velocity, step count) and the shuffling
    generator with the order of the rows. It is written at the end of every
    ``every``-th epoch and of the epoch where training stops, to a
    temporary file named after the key that is then renamed onto it.

    To resume, run the same fit again (the same data, parameters and
    folder): training goes on after the saved epoch and ends with the
    weights, curves and fitted attributes of the fit never stopped, bit for
    bit. A fit whose saved state is its end does not train again.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder of the checkpoints; made if missing.
    every : int, default=1
        Epochs between two saves.
    delete_checkpoint : bool, default=True
        Delete a fit's file when the fit reached its own end: it converged,
        ran ``max_iter`` epochs, stopped early on its validation score,
        diverged with validated weights to keep, or a ``partial_fit`` call
        made its pass. It is kept when training stopped otherwise: Ctrl-C,
        a callback asking to stop, an error.

    See Also
    --------
    MLPClassifier.set_callbacks : Set the callbacks of a fit.

    Notes
    -----
    This is the contract of Keras' ``BackupAndRestore``. ``fit`` raises
    ValueError, before training, for a fit that cannot resume exactly: the
    'lbfgs' solver (no epochs), ``n_init > 1`` restarts of a new network,
    a ``random_state`` that is not an int (a resumed fit draws the
    validation split again), a parameter that cannot be pickled and so
    cannot name the fit (a lambda as ``scoring``), and a ``directory`` that
    is a file (a checkpoint of the first format, 'skmlp-checkpoint-1', is
    named as such). With a checkpoint, the first Ctrl-C lets the current
    epoch finish, so that the state where training stopped is one the fit
    goes through (without, it stops after the current mini-batch).

    A temporary file left by a process killed mid-write is removed by the
    next fit of the same key. Two fits of the same key running at once
    share one file: do not run them at once. The files are pickles: load
    only checkpoints you wrote.

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
    >>> folder = tempfile.mkdtemp()
    >>> clf = MLPClassifier(early_stopping=True, random_state=0)
    >>> clf = clf.set_callbacks(Checkpoint(folder))
    >>> clf.fit(X, y).n_iter_, os.listdir(folder)  # stopped early: its file deleted
    (19, [])
    """

    def __init__(self, directory, *, every=1, delete_checkpoint=True):
        self.directory = directory
        self.every = every
        self.delete_checkpoint = delete_checkpoint

    # The callback protocol's hooks: training does the saving (see the module).
    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, fitted_estimator=None):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        return False
