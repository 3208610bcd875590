"""Checked data and resolved options in, a fitted model out.

`fit_model` trains one network, new or continued, or ``n_init`` new ones
(`restarts`); `fit_one` is one training run: the network, the validation
split, the batches, the optimiser, the record, a checkpoint to resume
from, and L-BFGS or stochastic training (`train`). Nothing here reads an
estimator: the estimator passes its options, its data, its loss, what a
continued fit starts from and how to score validation data, and commits
the `Fitted` model it gets back.
"""

from functools import partial
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..nn import Objective
from .batches import Epochs
from .checkpoint import CheckpointFile, fit_key, validation_key
from .lbfgs import fit_lbfgs
from .loop import non_finite_weights_error, train
from .model import make_optimizer, model_attributes, new_network
from .progress import verbose_log
from .record import restart_score, starting
from .restarts import fit_restarts


class Fitted(NamedTuple):
    """A fitted model: the network, its loss, the training record and,
    with ``n_init > 1``, the score of each restart."""

    network: Any
    loss: Any
    record: Any
    restart_scores: Any = None

    def attributes(self):
        """The fitted attributes of the model, as the estimators name them."""
        attributes = model_attributes(self.network, self.loss)
        attributes.update(self.record.fitted_attributes())
        if self.restart_scores is not None:
            attributes["restart_scores_"] = self.restart_scores
        return attributes


def fit_model(options, data, loss, *, start=None, network=None, score=None, progress,
              random_state):
    """Train the model of ``options`` on ``data``; the `Fitted` model.

    Parameters
    ----------
    options : Options
    data : TrainingData
    loss : skmlp.nn.Loss
    start : Start, default=None
        The fitted model a continued fit starts from (its network already
        the copy to train); None for a new network.
    network : callable, default=None
        ``network(random_state)`` returns a new, built network to train in
        place of the one ``options.network`` describes (the tabular
        estimators build theirs from the columns): called once per run, each
        restart with its own generator. Needs ``start=None``.
    score : object with ``bind(validation, network, loss) -> score(raw)``, default=None
        How early stopping scores the validation data; None: minus the loss.
    progress : Progress or Silent
    random_state : numpy.random.RandomState
        The fit's generator: weights, the validation split, shuffling.

    Raises
    ------
    ValueError
        If the fitted weights are not finite.
    """
    if network is not None and start is not None:
        raise ValueError("A continued fit trains its start's network, not a new one.")
    if options.stochastic and sp.issparse(data.X):
        data = data._replace(X=data.X.tocsr())  # batches are rows: gathered, never densified
    if options.restarts:
        train = fit_one if network is None else partial(fit_one, network=network)
        fitted = fit_restarts(train, options, data, loss, score, progress, random_state)
    else:
        fitted = fit_one(
            options, data, loss, start=start, network=network, score=score, progress=progress,
            random_state=random_state,
        )
        if options.n_init > 1:  # one score when a fitted network was continued
            fitted = fitted._replace(restart_scores=np.array([restart_score(fitted.record)]))
    if not fitted.network.is_finite():
        raise non_finite_weights_error()
    return fitted


def fit_one(options, data, loss, *, start=None, network=None, score=None, progress, random_state,
            split=None, label=None):
    """One training run; see `fit_model`.

    ``split`` (restarts share the split of their fit) are the training row
    indices and the validation data; without it, the split is drawn here,
    after the weights. ``label`` starts the verbose lines.
    """
    if start is not None:
        network = start.network
    elif network is not None:
        network = network(random_state)
    else:
        network = new_network(
            options.network, data.X.shape[1], data.y.shape[1], data.X.dtype, random_state
        )
    if not options.stochastic:
        record = fit_lbfgs(network, loss, data, options, None if start is None else start.record)
    else:
        record = _train_stochastic(
            options, data, loss, network, start, score, progress, random_state,
            split, label,
        )
    return Fitted(network, loss, record)


def _train_stochastic(options, data, loss, network, start, score, progress, random_state, split,
                      label):
    """Epochs of Adam or SGD (see `train`): the record."""
    train_idx, validation = split or data.split(options, random_state)
    if score is not None and validation is not None:
        score = score.bind(validation, network, loss)  # may refuse before training
    epochs = Epochs(
        (data.X, data.y, data.sample_weight),
        train_idx,
        options.batches.batch_size,
        random_state if options.batches.shuffle else None,
        min_size=options.batches.min_size,
    )
    optimizer = make_optimizer(
        options.optimizer, None if start is None else start.record.optimizer,
        epochs=epochs, incremental=options.incremental,
    )
    key = None if validation is None else validation_key(validation)
    record = None  # a new network: train starts a fresh record
    if start is not None:
        record = starting(start.record, options.early_stopping, same_loss=start.loss is loss,
                          validation_key=key)
    checkpoint = None
    if options.checkpoint is not None:
        checkpoint = _checkpoint_file(options, data, network, start, epochs)
        resumed = checkpoint.resume(network, epochs)
        if resumed is not None:
            record, optimizer = resumed, resumed.optimizer  # freshly unpickled
    if progress.watched:
        progress = progress.training(model_attributes(network, loss))
    record = train(
        network, Objective(loss, options.alpha, network.n_penalized), optimizer, epochs,
        stopping=options.stopping, record=record, validation=validation,
        score=score if validation is not None else None, progress=progress,
        log=verbose_log(label) if options.verbose else None, checkpoint=checkpoint,
    )
    record.validation_key = key  # what the next warm start compares its own with
    return record


def _checkpoint_file(options, data, network, start, epochs):
    """The `CheckpointFile` of this fit, named by its key."""
    key = fit_key(
        options.checkpoint.params, epochs.data, data.validation,
        None if start is None else network.get_state(),
    )
    return CheckpointFile.open(options.checkpoint.callback, key)
