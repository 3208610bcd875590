"""MLPRegressor: the multi-layer perceptron for real (or count) targets."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import BaseMultilayerPerceptron
from ._compat import StrOptions, _fit_context
from ._docstrings import PARTIAL_FIT, fill, filled_docstring
from ._targets import DEFAULT_LOSSES, Targets

_REGRESSOR_DOC = """Multi-layer Perceptron regressor.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    same parameters, attributes and methods. It optimizes the squared error
    (identity output) or the Poisson deviance (log link, exponential output)
    with L-BFGS or stochastic gradient descent. ``loss`` is a keyword
    argument here (scikit-learn also accepts it as the first positional one).

    Parameters
    ----------
    {network_parameters}

    loss : {{'squared_error', 'poisson'}}, default='squared_error'
        The loss function to use when training the weights. With several
        outputs the squared error is reported (``loss_``) as their mean, as
        in scikit-learn, and its gradient is that of their sum; 'lbfgs'
        minimises the sum, so that its objective agrees with its gradient.
        'poisson' needs non-negative targets.

    {training_parameters}

    Attributes
    ----------
    {shared_attributes}

    See Also
    --------
    MLPClassifier : Multi-layer Perceptron classifier.

    Examples
    --------
    >>> from skmlp import MLPRegressor
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.compose import TransformedTargetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", alpha=30.0,
    ...                    max_iter=500, random_state=0)
    >>> reg = make_pipeline(StandardScaler(), TransformedTargetRegressor(
    ...     mlp, transformer=StandardScaler()))
    >>> round(reg.fit(X_train, y_train).score(X_test, y_test), 2)
    0.38
    """


class Values(Targets):
    """The regressor's targets: real values (or counts), trained on as they are.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    dtype : numpy dtype
    loss : {'squared_error', 'poisson'}
        The ``loss`` parameter.
    fitted_loss : skmlp.nn.Loss or None
        The loss of the fitted network a fit continues, which it keeps
        (whatever ``loss`` says now).
    """

    metric = staticmethod(r2_score)

    def __init__(self, y, dtype, loss, fitted_loss=None):
        self.loss_name = loss
        self.check(y)
        super().__init__(y, dtype, DEFAULT_LOSSES[loss] if fitted_loss is None else fitted_loss)

    def check(self, y, name="y"):
        """Numbers, and non-negative ones for the Poisson deviance."""
        if y.dtype.kind in "USO":
            raise ValueError(
                f"MLPRegressor needs a numeric target {name}; got values of "
                f"type {y.dtype}. Convert {name} to numbers first."
            )
        if self.loss_name == "poisson" and np.any(y < 0):
            raise ValueError(
                f"Some value(s) of {name} are negative which is not allowed for "
                "Poisson regression."
            )


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    __doc__ = fill(_REGRESSOR_DOC)

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
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
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
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

    def _validate_input(self, X, y, options, checks):
        """X and the numbers y checked as scikit-learn's MLPRegressor checks them
        (``validate_data`` with the base's ``checks``), and their `Values` (a
        continued fit keeps the fitted loss)."""
        with np.errstate(over="ignore", invalid="ignore"):  # see _training_data
            X, y = validate_data(self, X, y, y_numeric=True, **checks)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y, Values(y, X.dtype, self.loss, self._loss if options.continued else None)

    def _decode_target(self, y_encoded):
        return y_encoded.ravel() if y_encoded.shape[1] == 1 else y_encoded

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    def predict(self, X):
        """Predict using the multi-layer perceptron model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        check_is_fitted(self)
        return self._predict(X)

    @_fit_context(prefer_skip_nested_validation=True)
    @filled_docstring(
        PARTIAL_FIT,
        y_type="ndarray of shape (n_samples,) or (n_samples, n_outputs)",
        more_parameters="",
        availability="With solver='lbfgs' it runs L-BFGS from the current weights\n"
        "        (up to ``max_iter`` iterations), as scikit-learn's MLPRegressor does.",
    )
    def partial_fit(self, X, y, sample_weight=None):
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
