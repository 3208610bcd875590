"""Restarts: several networks from different initial weights, the best kept.

Backpropagation can end in a poor local optimum; the classic remedy is to
train from several initial weights and keep the network that does best on
validation data. Each restart gets its own seed, drawn once from the fit's
random generator, and returns its fitted model (``fit_one``, passed in,
trains it: no estimator is called), so restarts can run in any order, in
threads or in processes, with the same results.
Warnings are recorded where a restart runs and raised again by the caller,
so they too are the same for any ``n_jobs``; the restarts that did not
converge are summarised in one warning.
"""

import contextlib
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.parallel import Parallel, delayed

from .progress import verbose_log
from .record import restart_score


def draw_seeds(random_state, n_init):
    """One seed per restart, drawn from the fit's random generator."""
    return random_state.randint(np.iinfo(np.int32).max, size=n_init)


def _train_from_seed(fit_one, seed, progress, label, options, data, loss, score, split):
    """One restart: a new network from ``seed``; the `Fitted` model.

    Its verbose lines start with ``[label]`` (restarts may run at once).
    """
    with progress.open() as task:
        fitted = fit_one(
            options, data, loss, score=score, progress=progress,
            random_state=np.random.RandomState(seed), split=split, label=label,
        )
        task.end_fitted(fitted.attributes())
    return fitted


def _train_one(fit_one, own_args, shared_args):
    """Train one restart; its fitted model and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = _train_from_seed(fit_one, *own_args, *shared_args)
    return fitted, [record.message for record in caught]


def train_restarts(fit_one, restarts, n_jobs, *shared_args):
    """Train one network per restart, in parallel with joblib.

    Parameters
    ----------
    fit_one : callable
        `skmlp._training.fit.fit_one`, which trains one network.
    restarts : list of tuple
        Each restart's own arguments (its seed first).
    n_jobs : int or None
    *shared_args
        Each restart trains with ``_train_from_seed(fit_one, *own_args, *shared_args)``.

    Returns
    -------
    runs : list of Fitted
        The fitted model of each restart, in the order of ``restarts``.
    warned : list of list of Warning
        The warnings each restart raised, for `reraise_warnings`.
    """
    results = Parallel(n_jobs=n_jobs)(
        delayed(_train_one)(fit_one, own_args, shared_args) for own_args in restarts
    )
    return [fitted for fitted, _ in results], [messages for _, messages in results]


def reraise_warnings(warned, kept):
    """Raise the restarts' warnings again: one summary of non-convergence.

    Restarts that stop at ``max_iter`` all say so; one ConvergenceWarning
    says how many did, whether the kept restart is one of them, and its
    message (or the first restart's). Any other warning is raised once.

    Parameters
    ----------
    warned : list of list of Warning
        The warnings of each restart, as `train_restarts` returns them.
    kept : int
        Index of the restart whose network is kept.
    """
    unconverged = [i for i, messages in enumerate(warned) if _convergence(messages)]
    if unconverged:
        shown = kept if kept in unconverged else unconverged[0]
        kept_too = "the kept restart among them" if kept in unconverged else "the kept one did"
        warnings.warn(
            f"{len(unconverged)} of {len(warned)} restarts (n_init) did not converge, "
            f"{kept_too} (restart {kept + 1}). Restart {shown + 1}: "
            f"{_convergence(warned[shown])[0]}",
            ConvergenceWarning,
            stacklevel=3,
        )
    seen = set()
    for message in (m for messages in warned for m in messages):
        key = (type(message), str(message))
        if not isinstance(message, ConvergenceWarning) and key not in seen:
            seen.add(key)
            warnings.warn(message, stacklevel=3)


def _convergence(messages):
    return [message for message in messages if isinstance(message, ConvergenceWarning)]


def best_restart(scores, *, higher_is_better):
    """Index of the best score (the first of ties); NaN counts as the worst."""
    scores = np.asarray(scores, dtype=float)
    worst = -np.inf if higher_is_better else np.inf
    scores = np.where(np.isnan(scores), worst, scores)
    return int(np.argmax(scores) if higher_is_better else np.argmin(scores))


def fit_restarts(fit_one, options, data, loss, score, progress, random_state):
    """Train ``n_init`` networks from their own seeds; the best one, `Fitted`.

    The seeds come first from ``random_state``, then the validation
    split, which every restart shares so that their scores compare.
    Each restart is a task for the callbacks, with its epochs under it.
    A stochastic restart stops at the end of its mini-batch on Ctrl-C,
    also in a worker process, and the best of all so far is kept. The
    first ``partial_fit`` trains each restart for one pass.
    """
    seeds = draw_seeds(random_state, options.n_init)
    split, deferred = None, contextlib.nullcontext()
    if options.stochastic:
        split = data.split(options, random_state)
        deferred = progress.interrupt
    n_epochs = options.n_epoch_tasks
    restarts = [
        (seed, progress.subtask("restart", n_epochs), f"restart {k + 1}/{options.n_init}")
        for k, seed in enumerate(seeds)
    ]
    with deferred:
        runs, warned = train_restarts(
            fit_one, restarts, options.n_jobs, options, data, loss, score, split
        )
    scores = [restart_score(run.record) for run in runs]
    higher_is_better = options.early_stopping
    best = best_restart(scores, higher_is_better=higher_is_better)
    reraise_warnings(warned, best)
    if options.verbose:
        criterion = "best validation score" if higher_is_better else "loss"
        verbose_log()(f"Kept restart {best + 1}/{options.n_init}: {criterion} {scores[best]:.8f}")
    return runs[best]._replace(restart_scores=np.array(scores))
