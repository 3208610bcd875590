"""A fit's progress as seen from outside: scikit-learn's callbacks and Ctrl-C.

scikit-learn's callbacks (:mod:`sklearn.callback`, 1.9) see a fit as a tree
of tasks. Here it is the fit; under it, one task per restart when
``n_init > 1``; under the fit or each restart, one task per epoch of a
stochastic solver (L-BFGS has no epoch tasks). A `Progress`
opens the tasks and calls the callbacks' hooks, with the estimator the
callbacks were set on and a ready-to-predict copy of the network being
trained, and tells the training loop when to stop: when a callback asks
for it, or when the user interrupts.

An interrupt never leaves a mini-batch half done. During stochastic
training the first Ctrl-C only sets a flag, read at the end of the current
mini-batch; training then stops as if it had converged, with a warning, and
the best weights so far are kept. A second Ctrl-C raises KeyboardInterrupt
at once (and the fit leaves the estimator as it was). A KeyboardInterrupt
raised by a callback between epochs stops training the first way.
"""

import signal
import threading

from ._compat import has_callbacks


class DeferredInterrupt:
    """While entered (in the main thread), the first SIGINT sets ``requested``.

    Re-entering the same object (a restart inside a fit) is a no-op; in a
    worker process a copy installs its own handler.
    """

    def __init__(self):
        self.requested = False
        self._depth = 0
        self._previous = None

    def __enter__(self):
        self._depth += 1
        if self._depth == 1 and threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        self._depth -= 1
        if self._depth == 0 and self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum, frame):
        if self.requested:  # asked twice: stop now
            raise KeyboardInterrupt
        self.requested = True

    def __getstate__(self):
        # A copy sent to another process starts there with no handler.
        return {"requested": self.requested, "_depth": 0, "_previous": None}


class Progress:
    """A task of a fit for the callbacks (the fit, a restart, an epoch).

    Parameters
    ----------
    estimator : BaseMultilayerPerceptron
        The estimator whose ``fit`` runs: the callbacks' ``estimator``.
    context : sklearn.callback.CallbackContext
        The task.
    data : dict
        ``X``, ``y`` and ``metadata`` (sample weights) as passed to ``fit``,
        for the callbacks: a scoring monitor scores on them.
    interrupt : DeferredInterrupt
        Shared by all the tasks of a fit.
    """

    def __init__(self, estimator, context, data, interrupt):
        self.estimator = estimator
        self.context = context
        self.interrupt = interrupt
        self._data = data

    @classmethod
    def of_fit(cls, estimator, context, X, y, sample_weight):
        """The root task of a fit, with a new interrupt flag.

        The data is kept for the callbacks only if there are any, so that
        restarts sent to other processes do not carry it for nothing.
        """
        data = dict(X=None, y=None, metadata=None)
        if has_callbacks(estimator):
            metadata = None if sample_weight is None else {"sample_weight": sample_weight}
            data = dict(X=X, y=y, metadata=metadata)
        return cls(estimator, context, data, DeferredInterrupt())

    @property
    def stopping(self):
        """Whether the user asked training to stop."""
        return self.interrupt.requested

    def subtask(self, task_name, max_subtasks=0):
        """A new subtask of this task (a restart, an epoch)."""
        context = self.context.subcontext(task_name=task_name, max_subtasks=max_subtasks)
        return Progress(self.estimator, context, self._data, self.interrupt)

    def begin(self, run=None):
        """Call the hooks for the start of the task; ``run`` is being trained."""
        self._call(self.context.call_on_fit_task_begin, run)

    def end(self, run):
        """Call the hooks for the end of the task; True if one asks to stop."""
        return self._call(self.context.call_on_fit_task_end, run)

    def _call(self, hook, run):
        """A hook call; a KeyboardInterrupt in a callback stops training."""
        # The callbacks get a ready-to-predict copy of the network's estimator.
        attributes = None if run is None else (lambda: vars(run))
        try:
            return bool(
                hook(estimator=self.estimator, reconstruction_attributes=attributes, **self._data)
            )
        except KeyboardInterrupt:
            self.interrupt.requested = True
            return True
