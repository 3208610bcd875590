"""What a fit needs from its solver: the optimiser, the record, L-BFGS.

Small functions of the estimators' parameters, called by their ``fit``:
the optimiser of a stochastic fit, carrying on from the fitted one; the
training record a fit continues; a fit with L-BFGS, which has no epochs
and returns its counters directly; and whether ``partial_fit`` exists.
"""

import numpy as np

from ._compat import _check_optimize_result
from ._train import TrainingRecord
from .nn import SCHEDULES, SGD, Adam, L2Penalty, minimize_lbfgs

STOCHASTIC_SOLVERS = ("sgd", "adam")


def make_optimizer(params, previous, *, epochs, incremental=False):
    """The optimiser for a fit, carrying on from ``previous``'s state.

    A fresh network has none; otherwise warm_start and partial_fit
    continue its moments, velocity and step count with the current
    settings. scikit-learn restarts the optimiser at every warm start (but
    not in partial_fit, where it ignores changed settings).

    A learning-rate schedule ('cosine', 'one_cycle') spans the steps of
    ``max_iter`` epochs (the mini-batches with some weight). Each fit (a
    warm start too) starts one; ``partial_fit`` goes on along the schedule
    of the calls before it, one epoch per call, while its settings (and
    ``max_iter``) stay the same and it has steps left, and otherwise
    starts a new one, of ``max_iter`` times the steps of its call.

    Parameters
    ----------
    params : BaseMultilayerPerceptron
        Read for its parameters only (``solver``, ``learning_rate_init``...).
    previous : skmlp.nn.SGD or skmlp.nn.Adam or None
        The fitted optimiser; left unchanged except for the state arrays
        (and, in ``partial_fit``, the schedule) it shares with the returned
        one, which the steps update in place.
    epochs : skmlp._training.Epochs
        The mini-batches of the fit, whose steps a schedule counts
        (``Epochs.n_steps``).
    incremental : bool, default=False
        Whether the optimiser is for ``partial_fit``.

    Returns
    -------
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam
    """
    options = {
        "schedule": _schedule(params, epochs, incremental),
        "weight_decay": params.weight_decay,
        "max_grad_norm": params.max_grad_norm,
    }
    if params.solver == "sgd":
        optimizer = SGD(
            params.learning_rate_init,
            lr_schedule=params.learning_rate,
            momentum=params.momentum,
            nesterov=params.nesterovs_momentum,
            power_t=params.power_t,
            **options,
        )
    else:
        optimizer = Adam(
            params.learning_rate_init,
            beta_1=params.beta_1,
            beta_2=params.beta_2,
            epsilon=params.epsilon,
            **options,
        )
    if previous is not None and type(previous) is type(optimizer):
        optimizer.continue_from(previous)
        if incremental:
            optimizer.continue_schedule(previous)
    return optimizer


def _schedule(params, epochs, incremental):
    """The learning-rate schedule of ``params.learning_rate``, or None."""
    if params.learning_rate not in SCHEDULES:
        return None
    if incremental:  # one epoch per call
        n_steps = params.max_iter * epochs.n_steps(1)
    else:
        n_steps = epochs.n_steps(params.max_iter)
    return SCHEDULES[params.learning_rate](
        params.learning_rate_init,
        max(n_steps, 1),
        warmup_fraction(params.learning_rate, params.warmup_fraction),
        n_epochs=params.max_iter,
    )


def warmup_fraction(learning_rate, fraction):
    """``warmup_fraction`` resolved: None is 0 for 'cosine', 0.3 for 'one_cycle'.

    0.3 is PyTorch's ``OneCycleLR`` default ``pct_start``.
    """
    if fraction is not None:
        return fraction
    return 0.3 if learning_rate == "one_cycle" else 0.0


def starting_record(previous, early_stopping, *, same_loss=True):
    """The training record a fit continues: the fitted one if it applies.

    A warm start may switch solver or early stopping between fits, or the
    loss (another ``label_smoothing``): the curves then start again, the
    count of rows seen goes on. Losses of two objectives are not compared
    (the smoothed one cannot reach the best unsmoothed loss: ``tol`` would
    stop the fit after ``n_iter_no_change`` epochs).

    Parameters
    ----------
    previous : dict or None
        The fitted attributes; None for a new network.
    early_stopping : bool
    same_loss : bool, default=True
        Whether the fit trains on the loss of the fitted attributes.

    Returns
    -------
    record : TrainingRecord
    """
    if previous is None:
        return TrainingRecord.fresh(early_stopping)
    if same_loss and "loss_curve_" in previous and (
        (previous["validation_scores_"] is not None) == early_stopping
    ):
        return TrainingRecord.continued(previous)
    return TrainingRecord.fresh(early_stopping, t=previous["t_"])


def fit_lbfgs(model, X, y, sample_weight, *, alpha, max_iter, max_fun, tol):
    """Minimise the objective consistent with its gradient (``consistent``).

    For the squared error of several outputs that is the sum over outputs;
    ``loss_`` is then reported at the final weights as scikit-learn defines
    it (the mean over outputs, plus the penalty). The curves of an earlier
    stochastic fit are kept (as in scikit-learn) but no longer describe
    the weights: ``_curves_current`` says so.

    Parameters
    ----------
    model : dict
        ``_network`` (trained in place) and ``_loss``.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    alpha, max_iter, max_fun, tol
        The estimator's parameters.

    Returns
    -------
    attributes : dict
        ``n_iter_``, ``loss_`` and ``_curves_current``.
    """
    network, loss = model["_network"], model["_loss"].consistent()

    def data_loss():
        return network.loss_gradient(X, y, loss, sample_weight=sample_weight)

    penalty = L2Penalty(alpha, network.n_penalized, X.shape[0], sample_weight)
    result = minimize_lbfgs(
        data_loss,
        network.params,
        network.grads,
        penalty=penalty,
        max_iter=max_iter,
        max_fun=max_fun,
        tol=tol,
    )
    n_iter = _check_optimize_result("lbfgs", result, max_iter)
    network.params[...] = result.x
    value = float(result.fun)
    if loss is not model["_loss"]:
        with np.errstate(over="ignore", invalid="ignore"):  # as in the objective
            value = network.loss_gradient(X, y, model["_loss"], sample_weight=sample_weight)
            value = value + penalty.value(network.params)
    return {"n_iter_": n_iter, "loss_": np.float64(value), "_curves_current": False}


def supports_partial_fit(estimator):
    """``partial_fit`` exists for a classifier with a stochastic solver.

    The check of scikit-learn's MLPClassifier; with ``early_stopping=True``
    the method exists and raises scikit-learn's ValueError (in
    ``_fit_unsafe``). 'balanced' class weights, an option scikit-learn's
    MLP lacks, need all the labels at once and hide it, with the message of
    scikit-learn's ``SGDClassifier``. scikit-learn's MLPRegressor always has
    ``partial_fit`` (its check is never called), and so does ours: with
    'lbfgs' it runs L-BFGS from the current weights, as there.
    """
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic"
            f" optimizers. {estimator.solver} is not stochastic."
        )
    if getattr(estimator, "class_weight", None) == "balanced":
        raise AttributeError(
            "class_weight 'balanced' is not supported for partial_fit. In order "
            "to use 'balanced' weights, use compute_class_weight('balanced', "
            "classes=classes, y=y). In place of y you can use a large enough "
            "sample of the full training set target to properly estimate the "
            "class frequency distributions. Pass the resulting weights as the "
            "class_weight parameter."
        )
    return True
