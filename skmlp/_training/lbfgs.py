"""Training with L-BFGS: no epochs, the same record type.

`fit_lbfgs` minimises the objective of all the training data with SciPy's
L-BFGS-B (`skmlp.nn.minimize_lbfgs`) and returns a `TrainingRecord` with
the counters it has (iterations, the loss); the curves of an earlier
stochastic fit are not its own.
"""

import numpy as np

from .._compat import _check_optimize_result
from ..nn import Objective, minimize_lbfgs
from .record import TrainingRecord


def fit_lbfgs(network, loss, data, options, start=None):
    """Minimise the objective consistent with its gradient (``consistent``).

    For the squared error of several outputs that is the sum over outputs;
    ``loss_`` is then reported at the final weights as scikit-learn defines
    it (the mean over outputs, plus the penalty).

    Parameters
    ----------
    network : skmlp.nn.Sequential
        Trained in place.
    loss : skmlp.nn.Loss
    data : TrainingData
    options : Options
        ``alpha`` and the optimiser's ``max_iter``, ``max_fun``, ``tol``.
    start : TrainingRecord, default=None
        The record of the fit this one continues: its step count and
        optimiser go on unchanged.

    Returns
    -------
    record : TrainingRecord
        ``n_iter``, ``loss``, ``t`` and ``optimizer``, without curves.
    """
    objective = Objective(loss.consistent(), options.alpha, network.n_penalized)
    result = _minimize(network, objective, data, options.optimizer)
    n_iter = _check_optimize_result("lbfgs", result, options.optimizer.max_iter)
    return TrainingRecord(
        loss_curve=None,
        n_iter=n_iter,
        t=0 if start is None else start.t,
        loss=_reported_loss(network, loss, objective, data, result.fun),
        optimizer=None if start is None else start.optimizer,
        stop_reason="lbfgs",
    )


def _minimize(network, objective, data, solver):
    """SciPy's L-BFGS-B on all the rows at once; its result, whose weights
    the network then has. ``solver`` gives ``max_iter``, ``max_fun``, ``tol``."""
    X, y, sample_weight = data.X, data.y, data.sample_weight
    objective.penalty.rescale(X.shape[0], sample_weight)  # all the rows: one batch

    def data_loss():
        return network.loss_gradient(X, y, objective.loss, sample_weight=sample_weight)

    result = minimize_lbfgs(
        data_loss,
        network.params,
        network.grads,
        penalty=objective.penalty,
        max_iter=solver.max_iter,
        max_fun=solver.max_fun,
        tol=solver.tol,
    )
    network.params[...] = result.x
    return result


def _reported_loss(network, loss, objective, data, value):
    """``loss_`` at the final weights: ``value``, the objective's, when it is
    ``loss``'s; else ``loss`` plus the penalty, computed there (`consistent`)."""
    if objective.loss is not loss:
        with np.errstate(over="ignore", invalid="ignore"):  # as in the objective
            value = network.loss_gradient(
                data.X, data.y, loss, sample_weight=data.sample_weight
            )
            value = value + objective.penalty.value(network.params)
    return np.float64(value)
