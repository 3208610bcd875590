"""The one record of training: curves, counters, best state, why it stopped.

Stochastic training and L-BFGS return a `TrainingRecord`; the estimators
write it to their fitted attributes (`TrainingRecord.fitted_attributes`)
when the fit has succeeded, and read it back from them
(`TrainingRecord.from_fitted`) when a fit continues.
"""

from dataclasses import dataclass, field

import numpy as np

# The record's fields under the names of the estimators' fitted attributes.
_FITTED_NAMES = {
    "loss_curve": "loss_curve_",
    "validation_scores": "validation_scores_",
    "validation_loss_curve": "validation_loss_curve_",
    "best_validation_score": "best_validation_score_",
    "best_loss": "best_loss_",
    "no_improvement_count": "_no_improvement_count",
    "n_iter": "n_iter_",
    "t": "t_",
    "loss": "loss_",
    "optimizer": "_optimizer",
    "validation_key": "_validation_key",
}


@dataclass
class TrainingRecord:
    """Everything stochastic training produced, apart from the weights.

    Attributes
    ----------
    loss_curve : list of float
        Training loss of each epoch, of this fit and the ones it continues.
    validation_scores, validation_loss_curve : list of float or None
        Score and loss on the validation data of each epoch; None without
        validation data.
    best_validation_score : float or None
        Best validation score (None without validation data).
    best_loss : float or None
        Lowest training loss (None with validation data).
    no_improvement_count : int
        Epochs in a row without an improvement by more than ``tol``.
    n_iter : int
        Epochs of this fit.
    t : int
        Training rows seen, over this fit and the ones it continues.
    loss : float or None
        Training loss of the last epoch.
    optimizer : skmlp.nn.SGD or skmlp.nn.Adam or None
        The optimiser, with its state after the last step (L-BFGS keeps the
        one of the fit it continues).
    best_state : tuple or None
        ``Sequential.get_state()`` of the best validation epoch.
    stop_reason : str or None
        Why training stopped: 'converged', 'max_iter', 'one_pass',
        'diverged', 'callback' or 'interrupted' (L-BFGS: 'lbfgs').
    validation_key : str or None
        `skmlp._training.checkpoint.validation_key` of the data the scores
        were measured on; None without validation data, or when it is not
        known (a model or checkpoint saved before the key was recorded).
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    validation_loss_curve: list = None
    best_validation_score: float = None
    best_loss: float = np.inf
    no_improvement_count: int = 0
    n_iter: int = 0
    t: int = 0
    loss: float = None
    optimizer: object = None
    best_state: tuple = None
    stop_reason: str = None
    validation_key: str = None

    @classmethod
    def fresh(cls, validated, *, t=0):
        """An empty record; ``validated``: with validation data (early stopping)."""
        if not validated:
            return cls(t=t)
        return cls(
            validation_scores=[],
            validation_loss_curve=[],
            best_validation_score=-np.inf,
            best_loss=None,
            t=t,
        )

    @classmethod
    def from_fitted(cls, attributes):
        """The record of a fitted estimator, from its fitted attributes.

        The curves are None if the fit that produced them had none
        (L-BFGS); they are copied when a fit continues them (`starting`).
        """
        return cls(**{name: attributes.get(fitted) for name, fitted in _FITTED_NAMES.items()})

    def continued(self):
        """The record that a fit continuing this one starts from (copied).

        The curves go on; the epoch count starts again at 0.
        """
        values = {name: getattr(self, name) for name in _FITTED_NAMES}
        for name in ("loss_curve", "validation_scores", "validation_loss_curve"):
            values[name] = None if values[name] is None else list(values[name])
        return type(self)(**{**values, "n_iter": 0})

    def fitted_attributes(self):
        """The record as the estimators' fitted attributes (curves copied).

        ``validation_loss_curve_`` (skmlp's own) only with validation data;
        ``validation_scores_`` is then None, as in scikit-learn. The
        optimiser's options add skmlp's ``learning_rate_curve_`` (the rate
        of every step of its schedule) and ``clipped_fraction_`` (of its
        steps whose gradient was clipped). A record of L-BFGS (no curves)
        has its counters only: the curves of an earlier stochastic fit are
        kept (as in scikit-learn), but no longer describe the weights
        (``_curves_current``).
        """
        if self.loss_curve is None:
            return {
                "n_iter_": self.n_iter, "t_": self.t, "loss_": self.loss,
                "_optimizer": self.optimizer, "_curves_current": False,
            }
        attributes = {fitted: getattr(self, name) for name, fitted in _FITTED_NAMES.items()}
        for name in ("loss_curve_", "validation_scores_", "validation_loss_curve_"):
            if attributes[name] is not None:
                attributes[name] = list(attributes[name])
        if attributes["validation_loss_curve_"] is None:
            del attributes["validation_loss_curve_"]
        optimizer = self.optimizer
        if optimizer is not None and optimizer.schedule is not None:
            attributes["learning_rate_curve_"] = optimizer.schedule.rates
        if optimizer is not None and optimizer.max_grad_norm is not None:
            attributes["clipped_fraction_"] = optimizer.n_clipped / max(optimizer.n_steps, 1)
        attributes["_curves_current"] = True
        return attributes


def starting(previous, validated, *, same_loss=True, validation_key=None):
    """The record a continued fit starts from: the fitted one if it applies.

    A warm start may switch solver or early stopping between fits, or the
    loss (another ``label_smoothing``): the curves then start again, the
    count of rows seen goes on. Losses of two objectives are not compared
    (the smoothed one cannot reach the best unsmoothed loss: ``tol`` would
    stop the fit after ``n_iter_no_change`` epochs). Scores on other
    validation data are not compared either: the curves go on, the best
    score starts again (-inf, no epoch without improvement; the best state
    is then the network the fit starts from). Two splits
    (``validation_fraction``) keep the best, as scikit-learn's warm start
    does, and so does a fitted record whose key is not known.

    Parameters
    ----------
    previous : TrainingRecord
        The fitted record. (A new network has none: `train` starts a fresh
        one.)
    validated : bool
        Whether training is scored on validation data (early stopping).
    same_loss : bool, default=True
        Whether the fit trains on the loss of the fitted record.
    validation_key : str or None, default=None
        `skmlp._training.checkpoint.validation_key` of the fit's
        validation data.

    Returns
    -------
    record : TrainingRecord
    """
    if not same_loss or previous.loss_curve is None or (
        (previous.validation_scores is not None) != validated
    ):
        return TrainingRecord.fresh(validated, t=previous.t)
    record = previous.continued()  # its best_state is None: `train` takes the start's
    if validated and previous.validation_key not in (None, validation_key):
        record.best_validation_score, record.no_improvement_count = -np.inf, 0
    return record


def restart_score(record):
    """The best validation score if there was validation data, else the loss."""
    if record.validation_scores is not None:
        return record.best_validation_score
    return record.loss
