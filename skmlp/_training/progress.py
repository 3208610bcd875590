"""A fit's progress as seen from outside: scikit-learn's callbacks and Ctrl-C.

scikit-learn's callbacks (:mod:`sklearn.callback`, 1.9) see a fit as a tree
of tasks. Here it is the fit; under it, one task per restart when
``n_init > 1``; under the fit or each restart, one task per epoch of a
stochastic solver (L-BFGS has no epoch tasks). Without callbacks there
are no tasks but the fit's (`open_progress` returns `Silent`, which only
watches for Ctrl-C), as scikit-learn's own estimators skip theirs. A
`Progress` opens the tasks and calls the callbacks' hooks, with the estimator the
callbacks were set on and, as its ready-to-predict copy, a snapshot of the
network being trained and its training record, and tells the training loop
when to stop: when a callback asks for it, or when the user interrupts.

An interrupt never leaves a mini-batch half done. During stochastic
training the first Ctrl-C only sets a flag, read at the end of the current
mini-batch (of the current epoch with a Checkpoint, whose state is then
saved: `train`); training then stops as if it had converged, with a warning,
and the best weights so far are kept. A second Ctrl-C raises KeyboardInterrupt
at once (and the fit leaves the estimator as it was). A KeyboardInterrupt
raised by a callback between epochs stops training the first way.

`caller_stacklevel` points a warning of the fit at the user's line.
`warn_as_scikit_learn` issues the warnings scikit-learn's MLP issues too
under its module's name, `SKLEARN_MLP_MODULE` (the drop-in rule: code that
filters them by module, as scikit-learn's gallery does, silences them after
the import swap).
"""

import contextlib
import copy
import functools
import inspect
import signal
import sys
import threading
import warnings

#: Where scikit-learn's MLP warns from: warnings it issues too are issued
#: under this module name (``warnings.warn_explicit``, the file and line
#: shown being skmlp's), so ``filterwarnings(..., module="sklearn")`` applies.
SKLEARN_MLP_MODULE = "sklearn.neural_network._multilayer_perceptron"


def warn_as_scikit_learn(message, category):
    """Warn as scikit-learn's MLP does, under its module's name.

    ``filterwarnings(..., module="sklearn")`` applies to the warning as to
    scikit-learn's; the file and line shown are the caller's, the call's
    first line, and "once" and "default" filters count it per caller.
    """
    caller = sys._getframe(1)
    warnings.warn_explicit(
        message, category, caller.f_code.co_filename, caller.f_lineno,
        module=SKLEARN_MLP_MODULE,
        registry=caller.f_globals.setdefault("__warningregistry__", {}),
    )


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


def verbose_log(label=None):
    """The function that prints the lines of ``verbose`` output.

    ``label`` (a restart's, as restarts may run at once) starts its lines.
    """
    return functools.partial(_print_line, label=label)


def _print_line(line, label=None):
    print(line if label is None else f"[{label}] {line}")


#: Packages whose frames a warning's stacklevel skips.
_OURS = ("skmlp", "sklearn")


def caller_stacklevel():
    """``stacklevel`` for a warning of the calling function: the user's line.

    The first frame outside skmlp and scikit-learn (whose ``_fit_context``
    wraps ``fit``), however deep the fit's calls go.
    """
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _OURS:
        frame, level = frame.f_back, level + 1
    return level


@contextlib.contextmanager
def open_progress(estimator, context, callbacks, X, y, sample_weight):
    """The progress of a fit: its task for the callbacks, or `Silent`.

    The task is begun on entering and ended on any way out: with the
    attributes the fit sets in ``progress.fitted`` if it succeeded.

    Parameters
    ----------
    estimator : estimator
        The estimator whose ``fit`` runs: the callbacks' ``estimator``.
    context : sklearn.callback.CallbackContext
        The fit's task, opened by the estimator.
    callbacks : list
        The estimator's callbacks; none: `Silent`.
    X, y, sample_weight
        As passed to ``fit``, for the callbacks (a scoring monitor scores
        on them).
    """
    if not callbacks:
        yield Silent()
        return
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    progress = Progress(
        estimator, context, dict(X=X, y=y, metadata=metadata), DeferredInterrupt()
    )
    with progress.open() as task:
        yield progress
        task.end_fitted(progress.fitted)


class Silent:
    """No callbacks: the progress of a training nobody watches (but Ctrl-C).

    ``watched`` is False: training opens no tasks for it.
    """

    watched = False

    def __init__(self):
        self.interrupt = DeferredInterrupt()
        self.fixed = self.fitted = None

    def subtask(self, task_name, max_subtasks=0):
        return self

    def open(self, record=None):
        return OpenTask(self, record)

    def begin(self, record=None):
        pass

    def end(self, record):
        return False

    def end_fitted(self, attributes):
        return False


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
    model : dict, default=None
        The fitted attributes of the network being trained (``_network``,
        ``_loss``, ``n_outputs_``, ``classes_``...), for the callbacks'
        snapshots.
    """

    watched = True

    def __init__(
        self, estimator, context, data, interrupt, model=None, fixed=None
    ):
        self.fitted = None  # the fitted attributes that end a successful fit
        self.estimator = estimator
        self.context = context
        self.interrupt = interrupt
        self.model = model
        self.fixed = {} if fixed is None else fixed
        self._data = data

    def _with(self, **changes):
        values = dict(
            estimator=self.estimator, context=self.context, data=self._data,
            interrupt=self.interrupt, model=self.model, fixed=self.fixed,
        )
        return Progress(**{**values, **changes})

    def subtask(self, task_name, max_subtasks=0):
        """A new subtask of this task (a restart, an epoch)."""
        context = self.context.subcontext(task_name=task_name, max_subtasks=max_subtasks)
        return self._with(context=context)

    def training(self, model):
        """This task, for the training of the network of ``model``."""
        return self._with(model={**self.fixed, **model})

    def open(self, record=None):
        """Begin the task: an `OpenTask` that ends it once, on any exit path.

        ``record`` (the training so far) is what the callbacks see of the
        task if it is left without `OpenTask.end` (divergence, an error).
        """
        self.begin(record)
        return OpenTask(self, record)

    def begin(self, record=None):
        """Call the hooks for the start of the task; ``record``: training so far."""
        self._call(self.context.call_on_fit_task_begin, self._lazy_snapshot(record))

    def end(self, record):
        """Call the hooks for the end of the task; True if one asks to stop."""
        return self._call(self.context.call_on_fit_task_end, self._lazy_snapshot(record))

    def end_fitted(self, attributes):
        """Call the hooks for the end of a fit or restart that produced ``attributes``."""
        return self._call(
            self.context.call_on_fit_task_end, lambda: {**self.fixed, **attributes}
        )

    def _lazy_snapshot(self, record):
        # Taken only if a callback asks for the fitted estimator.
        return None if record is None else (lambda: self.snapshot(record))

    def snapshot(self, record):
        """Fitted attributes of this moment of training, independent of it.

        The network and the optimiser are copied: a callback that keeps
        the estimator of an epoch keeps that epoch's model.
        """
        attributes = {**self.model, **record.fitted_attributes()}
        learned = copy.deepcopy(
            {name: attributes[name] for name in ("_network", "_optimizer")}
        )
        return {**attributes, **learned}

    def _call(self, hook, attributes):
        """A hook call; a KeyboardInterrupt in a callback stops training."""
        try:
            return bool(
                hook(estimator=self.estimator, reconstruction_attributes=attributes, **self._data)
            )
        except KeyboardInterrupt:
            self.interrupt.requested = True
            return True


class OpenTask:
    """A begun task of a fit, ended exactly once: by `end`, or on leaving.

    Leaving it by an exception ends it too (with no fitted estimator if
    nothing was trained), so that every task begun for the callbacks is
    ended; an error of a callback at that point does not hide the first.
    """

    def __init__(self, progress, record=None):
        self.progress = progress
        self.record = record
        self.ended = False

    def __enter__(self):
        return self

    def end(self, record):
        """End the task after ``record``; True if a callback asks to stop."""
        self.ended = True
        return self.progress.end(record)

    def end_fitted(self, attributes):
        """End the task of a fit or restart that produced ``attributes``."""
        self.ended = True
        return self.progress.end_fitted(attributes)

    def __exit__(self, exc_type, exc, traceback):
        if self.ended:
            return False
        self.ended = True
        try:
            self.progress.end(self.record)
        except Exception:
            if exc_type is None:
                raise
        return False
