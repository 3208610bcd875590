"""Restarts: several networks from different initial weights, the best kept.

Backpropagation can end in a poor local optimum; the classic remedy is to
train from several initial weights and keep the network that does best on
validation data. Each restart gets its own seed, drawn once from the fit's
random generator, and returns the fitted attributes of its training
without changing the estimator, so restarts can run in any order, in
threads or in processes, with the same results.
Warnings are recorded where a restart runs and raised again by the caller,
so they too are the same for any ``n_jobs``; the restarts that did not
converge are summarised in one warning.
"""

import contextlib
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.parallel import Parallel, delayed


def draw_seeds(random_state, n_init):
    """One seed per restart, drawn from the fit's random generator."""
    return random_state.randint(np.iinfo(np.int32).max, size=n_init)


def _train_from_seed(
    estimator, seed, progress, label, options, X, y, sample_weight, validation, train_idx,
    incremental,
):
    """One restart: a new network from ``seed``; its fitted attributes.

    Its verbose lines start with ``[label]`` (restarts may run at once).
    ``estimator`` is not changed.
    """
    with progress.open() as task:
        random_state = np.random.RandomState(seed)
        model = estimator._new_model(options, X, y, random_state)
        train_idx = None if train_idx is None else train_idx.copy()  # shuffled in place
        fitted = estimator._train(
            options, model, None, X, y, sample_weight, random_state, incremental, validation,
            progress, train_idx, label,
        )
        task.end_fitted(fitted)
    return fitted


def _train_one(estimator, own_args, shared_args):
    """Train one restart; its fitted attributes and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = _train_from_seed(estimator, *own_args, *shared_args)
    return fitted, [record.message for record in caught]


def train_restarts(estimator, restarts, n_jobs, *shared_args):
    """Train one network per restart, in parallel with joblib.

    Parameters
    ----------
    estimator : BaseMultilayerPerceptron
        Validated for the data (classes, features), not yet trained.
    restarts : list of tuple
        Each restart's own arguments (its seed first).
    n_jobs : int or None
    *shared_args
        Each restart trains with ``_train_from_seed(estimator, *own_args, *shared_args)``.

    Returns
    -------
    runs : list of dict
        The fitted attributes of each restart, in the order of ``restarts``.
    warned : list of list of Warning
        The warnings each restart raised, for `reraise_warnings`.
    """
    results = Parallel(n_jobs=n_jobs)(
        delayed(_train_one)(estimator, own_args, shared_args) for own_args in restarts
    )
    return [attributes for attributes, _ in results], [messages for _, messages in results]


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


def restart_score(attributes):
    """The best validation score if there was validation data, else the loss."""
    if attributes.get("validation_scores_") is not None:
        return attributes["best_validation_score_"]
    return attributes["loss_"]


def best_restart(scores, *, higher_is_better):
    """Index of the best score (the first of ties); NaN counts as the worst."""
    scores = np.asarray(scores, dtype=float)
    worst = -np.inf if higher_is_better else np.inf
    scores = np.where(np.isnan(scores), worst, scores)
    return int(np.argmax(scores) if higher_is_better else np.argmin(scores))


def fit_restarts(
    estimator, options, X, y, sample_weight, validation, random_state, progress, incremental
):
    """Train ``n_init`` networks from their own seeds; the best one's attributes.

    The seeds come first from ``random_state``, then the validation
    split, which every restart shares so that their scores compare.
    Each restart is a task for the callbacks, with its epochs under it.
    A stochastic restart stops at the end of its mini-batch on Ctrl-C,
    also in a worker process, and the best of all so far is kept. The
    first ``partial_fit`` trains each restart for one pass.
    """
    seeds = draw_seeds(random_state, estimator.n_init)
    stochastic = options.stochastic
    train_idx, deferred = None, contextlib.nullcontext()
    if stochastic:
        X = X.tocsr() if sp.issparse(X) else X
        train_idx, validation = estimator._split_validation(
            X, y, sample_weight, random_state, validation
        )
        deferred = progress.interrupt
    n_epochs = (1 if incremental else estimator.max_iter) if stochastic else 0
    restarts = [
        (seed, progress.subtask("restart", n_epochs), f"restart {k + 1}/{estimator.n_init}")
        for k, seed in enumerate(seeds)
    ]
    with deferred:
        runs, warned = train_restarts(
            estimator, restarts, estimator.n_jobs, options, X, y, sample_weight, validation,
            train_idx, incremental,
        )
    scores = [restart_score(run) for run in runs]
    higher_is_better = stochastic and estimator.early_stopping
    best = best_restart(scores, higher_is_better=higher_is_better)
    reraise_warnings(warned, best)
    if estimator.verbose:
        criterion = "best validation score" if higher_is_better else "loss"
        print(f"Kept restart {best + 1}/{estimator.n_init}: {criterion} {scores[best]:.8f}")
    return {**runs[best], "restart_scores_": np.array(scores)}
