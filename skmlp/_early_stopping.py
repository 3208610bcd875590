"""What the estimators give early stopping: checked validation data, the score.

`check_validation_data` checks an ``X_val``, ``y_val`` given to ``fit`` as the
training data is checked (`validation_of`, the part after ``X_val``, is
the tabular estimators' too: they check and preprocess their ``X_val``
themselves). The estimator makes an `EarlyStoppingScore`
(`early_stopping_score`) and passes it down to training,
which binds it to the validation data and the network it trains
(``bind``) and calls the result with the network's raw outputs on the
validation rows. Training calls no estimator method: the estimator's
``score`` is computed from the targets' decoding and metric, and a
``scoring`` scorer, which needs an estimator, gets a copy of this one whose
model is the network being trained.
"""

import copy
import warnings

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import check_scoring, r2_score
from sklearn.utils.validation import check_array, validate_data

from ._targets import as_float
from ._training.data import Validation, check_validation_target, missing_classes_error
from ._training.model import model_attributes
from ._training.weights import check_weights


def check_validation_data(estimator, X_val, y_val, sample_weight_val, dtype, y, targets):
    """Explicit validation data, checked as the training data ``y`` is.

    Parameters
    ----------
    estimator : BaseMultilayerPerceptron
        Validated for the training data (``n_features_in_``, feature names).
    X_val, y_val, sample_weight_val
        As passed to ``fit``.
    dtype : numpy dtype
        The training dtype.
    y : ndarray
        The checked training targets.
    targets : Targets

    Returns
    -------
    validation : skmlp._training.data.Validation
    """
    X_val = _check_X_val(estimator, X_val, dtype)
    return validation_of(
        X_val, y_val, sample_weight_val, y, targets, numeric=not is_classifier(estimator)
    )


def validation_of(X_val, y_val, sample_weight_val, y, targets, *, numeric):
    """The `Validation` of a checked ``X_val``: ``y_val`` and its weights checked.

    Parameters
    ----------
    X_val : {ndarray, sparse matrix} of shape (n_val, n_inputs)
        Checked (and for a table, preprocessed): the network's inputs, in
        the training dtype.
    y_val, sample_weight_val
        As passed to ``fit``.
    y : ndarray
        The checked training targets.
    targets : Targets
        Encode ``y_val`` as ``y`` and know its classes.
    numeric : bool
        Whether targets are numbers (regression).

    Returns
    -------
    validation : skmlp._training.data.Validation

    Raises
    ------
    ValueError
        For ``y_val`` not like ``y`` (`check_validation_target`), with
        labels not in ``y``, or ``sample_weight_val`` not one finite,
        non-negative weight per row of ``X_val``.
    """
    y_val = check_validation_target(y_val, y, X_val.shape[0], numeric=numeric)
    targets.check(y_val, name="y_val")
    targets.check_known(y_val)
    sample_weight_val = check_weights(sample_weight_val, X_val, "sample_weight_val")
    return Validation(
        X_val, y_val, as_float(targets.encode(y_val), X_val.dtype, "y_val"), sample_weight_val
    )


def _check_X_val(estimator, X_val, dtype):
    """``X_val`` checked as ``predict`` checks X, with errors naming X_val."""
    with np.errstate(over="ignore", invalid="ignore"):  # as X in fit
        checked = check_array(
            X_val,
            accept_sparse=["csr", "csc"],
            dtype=dtype,
            input_name="X_val",
            estimator=estimator,
        )
    if checked.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X_val has {checked.shape[1]} features, but {type(estimator).__name__} "
            f"is expecting {estimator.n_features_in_} features as input."
        )
    # The feature names (of a DataFrame) against those of X.
    validate_data(estimator, X_val, skip_check_array=True, reset=False)
    return checked


def early_stopping_score(estimator, targets, options):
    """How early stopping scores validation data (``options.scoring``); None: the loss."""
    scoring = options.scoring
    if scoring == "loss":
        return None
    scorer = None if scoring is None else check_scoring(estimator, scoring=scoring)
    copied = copy.copy(estimator)
    copied.__dict__.update(targets.attributes)
    return EarlyStoppingScore(copied, scorer, targets, scoring)


class EarlyStoppingScore:
    """The score of early stopping, before it is bound to data and a network.

    Parameters
    ----------
    estimator : BaseMultilayerPerceptron
        A copy of the estimator, with the targets' fitted attributes
        (``classes_``...), for a ``scoring`` scorer.
    scorer : callable or None
        A scikit-learn scorer; None scores with the targets' ``metric``
        (the estimator's ``score``: accuracy, R^2).
    targets : Targets
        Decodes the network's outputs; knows the classes.
    scoring : str, callable or None
        The parameter, for error messages.
    """

    def __init__(self, estimator, scorer, targets, scoring):
        self.estimator = estimator
        self.scorer = scorer
        self.targets = targets
        self.scoring = scoring

    def bind(self, validation, network, loss):
        """``score(raw) -> float`` of ``network`` (with ``loss``) on ``validation``.

        Raises
        ------
        ValueError
            Before training, if the scorer cannot score validation data
            that lacks some classes (``neg_log_loss``, ``roc_auc_ovr``...),
            or the score of a single validation sample is not a number
            (R^2); or for a ``y_val`` of one value, scored by R^2.
        """
        if validation.y is None:  # split off: labels from the encoded rows
            validation = validation._replace(y=self.targets.decode(validation.y_encoded))
        if self.scorer is None:
            score = MetricScore(self.targets, loss, validation)
        else:
            estimator = copy.copy(self.estimator)
            estimator.__dict__.update(model_attributes(network, loss))
            score = ScorerScore(estimator, self.scorer, validation)
            self._check_classes(validation, score)
        self._check_one_sample(validation, score, network)
        self._check_targets_vary(validation)
        return score

    def _check_one_sample(self, validation, score, network):
        """Fail before training if the one validation sample has no score.

        R^2 of one sample is nan (scikit-learn warns): no epoch would beat
        the untrained network, which early stopping would keep. Only an
        ``X_val`` can have one row (a split keeps 2). The score is tried
        once, on the untrained network: R^2 is nan whatever the weights.
        """
        if validation.X.shape[0] != 1:
            return
        with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            value = score(network.forward(validation.X, training=False))
        if np.isfinite(value):
            return
        raise ValueError(
            "Early stopping cannot score the validation data (X_val, y_val): "
            f"{self._name()} of its one sample is {value}, so no epoch would be better "
            "than the untrained network. Pass X_val and y_val with at least 2 "
            f"samples{self._advice('scores one sample')}."
        )

    def _check_targets_vary(self, validation):
        """Fail before training if R^2, the estimator's score, is undefined on ``y_val``.

        On targets of one value (counting the samples of positive weight)
        scikit-learn scores any imperfect prediction 0.0: every epoch ties,
        and early stopping would keep the first. A split is scored as
        scikit-learn's MLP scores it.
        """
        if self.scorer is not None or self.targets.metric is not r2_score or validation.split_off:
            return
        y = np.asarray(validation.y, dtype=float).reshape(validation.X.shape[0], -1)
        if validation.sample_weight is not None:
            y = y[np.asarray(validation.sample_weight) > 0]
        if np.all(y == y[0]):
            raise ValueError(
                "Early stopping cannot score the validation data (X_val, y_val): "
                f"{self._name()} is not defined for a y_val whose samples of positive "
                "weight all have the same value: every epoch would score 0.0 and the first "
                "one be kept. Pass X_val and y_val whose targets vary"
                f"{self._advice('does not need them to vary')}."
            )

    def _name(self):
        """The score, as an error names it."""
        if self.scorer is None:
            return f"the estimator's score ({self.targets.metric.__name__})"
        return f"scoring={self.scoring!r}"

    def _advice(self, what):
        """Advise another scoring, to an estimator that takes one."""
        return f", or choose a scoring that {what}" if hasattr(self.estimator, "scoring") else ""

    def _check_classes(self, validation, score):
        """Fail before training if the scorer cannot score the missing classes.

        The scorer is tried once, on the untrained network, and only when a
        class is missing: whether it can score does not depend on the
        weights.
        """
        missing = self.targets.missing(validation.y)
        if not missing:
            return
        try:
            with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
                # A scorer that cannot score says so with nan and a warning
                # (roc_auc on one class): the error below says it instead.
                warnings.simplefilter("ignore", UndefinedMetricWarning)
                value = score(None)
        except ValueError as error:
            reason = f"it raised {type(error).__name__}({str(error)!r})"
            raise missing_classes_error(
                missing, self.scoring, reason, split=validation.split_off
            ) from error
        if not np.isfinite(value):
            raise missing_classes_error(
                missing, self.scoring, f"it scores {value}", split=validation.split_off
            )


class MetricScore:
    """The estimator's ``score`` (the targets' metric) of the raw outputs."""

    def __init__(self, targets, loss, validation):
        self.targets = targets
        self.loss = loss
        self.validation = validation

    def __call__(self, raw):
        validation = self.validation
        y_pred = self.targets.decode(self.loss.output(raw))
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self.targets.metric(validation.y, y_pred, sample_weight=validation.sample_weight)


class ScorerScore:
    """A scorer's value for an estimator that predicts with the trained network.

    The validated rows have lost any feature names, which the scorer's
    call to ``predict`` would warn about at every epoch.
    """

    def __init__(self, estimator, scorer, validation):
        self.estimator = estimator
        self.scorer = scorer
        self.validation = validation

    def __call__(self, raw):
        validation = self.validation
        weight = {} if validation.sample_weight is None else {
            "sample_weight": validation.sample_weight
        }
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            return self.scorer(self.estimator, validation.X, validation.y, **weight)
