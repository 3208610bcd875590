"""Restarts: several networks from different initial weights, the best kept.

Backpropagation can end in a poor local optimum; the classic remedy is to
train from several initial weights and keep the network that does best on
validation data. Each restart gets its own seed, drawn once from the fit's
random generator, and trains a shallow copy of the estimator, so restarts
can run in any order, in threads or in processes, with the same results.
Warnings are recorded where a restart runs and raised again by the caller,
so they too are the same for any ``n_jobs``.
"""

import copy
import warnings

import numpy as np
from sklearn.utils.parallel import Parallel, delayed


def draw_seeds(random_state, n_init):
    """One seed per restart, drawn from the fit's random generator."""
    return random_state.randint(np.iinfo(np.int32).max, size=n_init)


def _changed_attributes(before, after):
    """The attributes ``after`` set or replaced: what training produced."""
    original = vars(before)
    return {
        name: value
        for name, value in vars(after).items()
        if name not in original or original[name] is not value
    }


def _train_one(estimator, own_args, shared_args):
    """Train a copy of ``estimator``; its new attributes and its warnings."""
    run = copy.copy(estimator)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run._train_from_seed(*own_args, *shared_args)
    return _changed_attributes(estimator, run), [record.message for record in caught]


def train_restarts(estimator, restarts, n_jobs, *shared_args):
    """Train one copy of ``estimator`` per restart, in parallel with joblib.

    Parameters
    ----------
    estimator : BaseMultilayerPerceptron
        Validated for the data (classes, features), not yet trained.
    restarts : list of tuple
        Each restart's own arguments (its seed first).
    n_jobs : int or None
    *shared_args
        Each copy trains with ``_train_from_seed(*own_args, *shared_args)``.

    Returns
    -------
    runs : list of dict
        The attributes each restart set, in the order of ``restarts``.
    """
    results = Parallel(n_jobs=n_jobs)(
        delayed(_train_one)(estimator, own_args, shared_args) for own_args in restarts
    )
    reraise_warnings(message for _, messages in results for message in messages)
    return [attributes for attributes, _ in results]


def reraise_warnings(messages):
    """Raise recorded warnings again, each distinct one once."""
    seen = set()
    for message in messages:
        key = (type(message), str(message))
        if key not in seen:
            seen.add(key)
            warnings.warn(message, stacklevel=2)


def best_restart(scores, *, higher_is_better):
    """Index of the best score (the first of ties); NaN counts as the worst."""
    scores = np.asarray(scores, dtype=float)
    worst = -np.inf if higher_is_better else np.inf
    scores = np.where(np.isnan(scores), worst, scores)
    return int(np.argmax(scores) if higher_is_better else np.argmin(scores))
