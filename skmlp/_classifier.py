"""MLPClassifier: the multi-layer perceptron trained on the log-loss."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import BaseMultilayerPerceptron
from ._compat import Interval, StrOptions, _check_partial_fit_first_call, _fit_context
from ._docstrings import PARTIAL_FIT, fill, filled_docstring
from ._inference import inverse_binarize
from ._targets import DEFAULT_LOSSES, Targets
from ._training.data import check_known_classes
from ._training.options import check_partial_fit_available
from .nn import LOSSES

_CLASSIFIER_DOC = """Multi-layer Perceptron classifier.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    same parameters, attributes and methods. It optimizes the log-loss with
    L-BFGS or stochastic gradient descent; binary and multilabel targets get
    sigmoid outputs, multiclass targets a softmax.

    Parameters
    ----------
    {shared_parameters}

    class_weight : dict, list of dict or 'balanced', default=None
        Weights of the classes, multiplied into ``sample_weight`` (as in
        scikit-learn's linear models): ``{{label: weight}}``, or for multilabel
        targets one such dict per label column, over its classes 0 and 1.
        'balanced' weighs each class inversely to its (sample-weighted)
        frequency, ``n_samples / (n_classes * class_count)``; None weighs all
        classes 1. The rows that early stopping sets aside keep their class
        weights, so the validation score is weighted the same way; an
        ``X_val`` passed to :meth:`fit` is weighted by ``sample_weight_val``
        only.
        With 'balanced', ``partial_fit`` is not available (it sees one batch
        at a time): pass the weights as a dict.

    logits : bool, default=False
        Whether to provide :meth:`decision_function`, the raw outputs of the
        last layer (log-odds, or the inputs of the softmax). scikit-learn's
        MLP has no such method, and scikit-learn's tools prefer it to
        ``predict_proba`` when it exists (``CalibratedClassifierCV``,
        ``DecisionBoundaryDisplay``, ``OneVsOneClassifier``,
        ``TunedThresholdClassifierCV``): by default it is absent, so they
        give the results they give with scikit-learn's estimator, as
        ``SVC(probability=False)`` has no ``predict_proba``. It does not
        change training, and can be set after fitting.

    label_smoothing : float in [0, 1), default=0.0
        Train on smoothed targets (Szegedy et al., 2016): the one-hot
        targets of a softmax become ``(1 - label_smoothing) y +
        label_smoothing / n_classes`` (PyTorch's ``CrossEntropyLoss``), each
        0/1 target of a sigmoid output ``(1 - label_smoothing) y +
        label_smoothing / 2`` (Keras's). Each sample's loss is smallest
        where its predicted probabilities equal its smoothed targets
        (``1 - label_smoothing + label_smoothing / n_classes`` for its own
        class of a softmax), not at 1, so that training does not reward
        logits without bound. Predictions are not capped there: the network
        is one function of the inputs, and inputs far from the decision
        boundary can be predicted above that value. ``loss_``,
        ``loss_curve_`` and ``validation_loss_curve_`` are then the
        cross-entropy against the smoothed targets, whose minimum is above
        0. A warm start or ``partial_fit`` on another value starts those
        curves and ``best_loss_`` again. 0: scikit-learn's log-loss.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels for each output.

    {shared_attributes}

    See Also
    --------
    MLPRegressor : Multi-layer Perceptron regressor.

    Examples
    --------
    >>> from skmlp import MLPClassifier
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), MLPClassifier(max_iter=500, random_state=0))
    >>> round(clf.fit(X_train, y_train).score(X_test, y_test), 3)
    0.972
    >>> clf.predict_proba(X_test[:1]).shape
    (1, 2)
    """


# The classifier's extra parameter of partial_fit, for PARTIAL_FIT.
_CLASSES_PARAMETER = """
        classes : array of shape (n_classes,), default=None
            Classes across all calls to partial_fit. Can be obtained via
            `np.unique(y_all)`, where y_all is the target vector of the
            entire dataset. This argument is required for the first call to
            partial_fit and can be omitted in the subsequent calls. Note that
            y doesn't need to contain all labels in `classes`.
"""


def _partial_fit_available(estimator):
    """``partial_fit`` exists with a stochastic solver, without 'balanced' class weights."""
    return check_partial_fit_available(
        {"solver": estimator.solver, "class_weight": estimator.class_weight}
    )


class Labels(Targets):
    """The classifier's targets: class labels, trained on as 0/1 indicator columns.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        The training labels.
    dtype : numpy dtype
    binarizer : sklearn.preprocessing.LabelBinarizer
        Fitted on the classes (single-label) or the indicator matrix.
    classes : ndarray or list of ndarray
        ``classes_``.
    label_smoothing : float
    stratified : bool
        Whether the early-stopping split of multiclass targets is
        stratified (with a ``scoring``; see `stratify`).
    fitted_loss : skmlp.nn.Loss or None
        The loss of the fitted network a fit continues, which it keeps
        while ``label_smoothing`` is the same.
    """

    metric = staticmethod(accuracy_score)

    def __init__(self, y, dtype, binarizer, classes, label_smoothing, stratified,
                 fitted_loss=None):
        self.binarizer = binarizer
        self.classes = classes
        self.stratified = stratified
        self.attributes = {"_label_binarizer": binarizer, "classes_": classes}
        # 0/1 indicators: any float dtype holds them.
        self.encoded = np.asarray(self.encode(y), dtype=dtype)
        self.loss = fitted_loss
        if fitted_loss is None or fitted_loss.label_smoothing != label_smoothing:
            name = "log_loss" if binarizer.y_type_ == "multiclass" else "binary_log_loss"
            self.loss = DEFAULT_LOSSES[name]
            if label_smoothing:
                self.loss = LOSSES[name](label_smoothing=label_smoothing)

    def encode(self, y):
        """0/1 indicator columns of the labels (one for binary targets)."""
        return self.binarizer.transform(y)

    def decode(self, Y):
        """Labels from the 0/1 indicator rows used in training."""
        return decode_labels(self.binarizer, Y)

    def multilabel(self):
        return self.binarizer.y_type_.startswith("multilabel")

    def stratify(self, y_encoded):
        """The user's labels, which the early-stopping split is stratified on.

        Multilabel targets are not stratified. Nor are multiclass ones with
        the default ``scoring``: scikit-learn's MLP stratifies only when
        it has one output unit (binary), so its fits are reproduced; a
        ``scoring`` (skmlp's) may need every class in the validation part.
        Binary labels sort as their 0/1 encoding, so the split is the same.
        """
        if self.multilabel():
            return None
        if not self.stratified and self.binarizer.y_type_ == "multiclass":
            return None
        return self.decode(y_encoded)

    def missing(self, y_val):
        """Classes of ``y`` absent from single-label ``y_val``, as a list."""
        if self.multilabel():
            return []
        return np.setdiff1d(self.classes, y_val).tolist()

    def check_known(self, y_val):
        """Single-label validation labels must be classes seen in training."""
        if not self.multilabel():
            check_known_classes(y_val, self.classes)


def decode_labels(binarizer, Y):
    """Labels from 0/1 indicator rows (or one column of probabilities)."""
    if Y.shape[1] == 1:
        Y = Y.ravel()
    return inverse_binarize(binarizer, Y)


def _provides_logits(estimator):
    """``decision_function`` exists only when asked for (see ``logits``)."""
    if not estimator.logits:
        raise AttributeError(
            "decision_function is only available with logits=True; "
            "scikit-learn's MLPClassifier has none."
        )
    return True


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    __doc__ = fill(_CLASSIFIER_DOC)

    # scikit-learn's classifier stores its loss's name as an attribute (not
    # a parameter); code that reads it finds the same value here.
    loss = "log_loss"

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
        "logits": ["boolean"],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        input_dropout=0.0,
        normalization=None,
        batch_norm_momentum=0.9,
        normalization_epsilon=1e-5,
        weight_init="glorot_uniform",
        scoring=None,
        n_init=1,
        n_jobs=None,
        warmup_fraction=None,
        weight_decay=0.0,
        max_grad_norm=None,
        class_weight=None,
        logits=False,
        label_smoothing=0.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.normalization = normalization
        self.batch_norm_momentum = batch_norm_momentum
        self.normalization_epsilon = normalization_epsilon
        self.weight_init = weight_init
        self.scoring = scoring
        self.n_init = n_init
        self.n_jobs = n_jobs
        self.warmup_fraction = warmup_fraction
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.class_weight = class_weight
        self.logits = logits
        self.label_smoothing = label_smoothing

    def _validate_input(self, X, y, options, checks):
        """X and the labels y checked as scikit-learn's MLPClassifier checks them
        (``validate_data`` with the base's ``checks``), and their `Labels`: a new
        binarizer for a new fit; the fitted one, y's classes checked, when continued."""
        with np.errstate(over="ignore", invalid="ignore"):  # see _training_data
            X, y = validate_data(self, X, y, **checks)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        settings = dict(label_smoothing=self.label_smoothing, stratified=self.scoring is not None,
                        fitted_loss=self._loss if options.continued else None)
        # A partial_fit's first call has set the classes, but has no network yet.
        if not (options.continued or (options.incremental and hasattr(self, "classes_"))):
            binarizer = LabelBinarizer().fit(y)
            return X, y, Labels(y, X.dtype, binarizer, binarizer.classes_, **settings)
        self._check_known_classes(y)
        return X, y, Labels(y, X.dtype, self._label_binarizer, self.classes_, **settings)

    def _check_known_classes(self, y):
        classes = unique_labels(y)
        if self.warm_start:
            if set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same "
                    "classes as in the previous call to fit. Previously "
                    f"got {self.classes_}, `y` has {classes}"
                )
        elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
            raise ValueError(
                "`y` has classes not in `self.classes_`. "
                f"`self.classes_` has {self.classes_}. 'y' has {classes}."
            )

    def _decode_target(self, y_encoded):
        """Labels from the 0/1 indicator rows used in training."""
        return decode_labels(self._label_binarizer, y_encoded)

    def predict(self, X):
        """Predict using the multi-layer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray, shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        return self._predict(X)

    @available_if(_partial_fit_available)
    @_fit_context(prefer_skip_nested_validation=True)
    @filled_docstring(
        PARTIAL_FIT,
        y_type="array-like of shape (n_samples,)",
        more_parameters=_CLASSES_PARAMETER,
        availability="Only available with solver='sgd' or 'adam', and without\n"
        "        ``class_weight='balanced'``.",
    )
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    @available_if(_provides_logits)
    def decision_function(self, X):
        """Raw outputs of the last layer (logits), before sigmoid or softmax.

        Only available with ``logits=True``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            For binary targets, the log-odds of ``classes_[1]`` (positive
            means that class is predicted), as one column flattened to 1-D
            as scikit-learn expects. For multiclass targets, the inputs of
            the softmax (defined up to a constant per row; the largest one
            is the predicted class); for multilabel targets, the log-odds of
            each label.
        """
        check_is_fitted(self)
        scores = self._raw_output(X)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_log_proba(self, X):
        """Return the log of probability estimates.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            The predicted log-probability of the sample for each class in
            the model, where classes are ordered as they are in
            `self.classes_`. Equivalent to `log(predict_proba(X))`.
        """
        y_prob = self.predict_proba(X)
        # A probability that rounds to 0 has log -inf, without a warning;
        # scikit-learn's checks require exactly log(predict_proba(X)).
        with np.errstate(divide="ignore"):
            return np.log(y_prob, out=y_prob)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The predicted probability of the sample for each class in the
            model, where classes are ordered as they are in `self.classes_`.
        """
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
