"""The docstring of the tabular estimators, written once for both.

``ESTIMATOR_DOC.format(summary=..., hgbt=..., auto_activation=..., metric=...,
extra_parameters=..., extra_attributes=..., example=...)`` is each estimator's ``__doc__``.
"""

#: numpydoc text of `TabularMLPClassifier` and `TabularMLPRegressor`.
ESTIMATOR_DOC = """{summary}

    Takes a table as :class:`~sklearn.ensemble.{hgbt}` takes it (a numpy
    array, a pandas or polars DataFrame; categorical columns; missing
    values) and fits a multi-layer perceptron whose configuration follows
    RealMLP-TD (Holzmüller et al., 2024), built from :mod:`skmlp.nn`'s
    layers and trained without torch:

    - numeric columns robustly scaled and smoothly clipped, a missing
      indicator per column with missing values; categoricals one-hot (at
      most 8 categories) or embedded (:class:`~skmlp._tabular.TabularPreprocessor`);
    - a periodic embedding of each numeric column
      (:class:`~skmlp.nn.PeriodicEmbedding`), a learned scale per input
      (:class:`~skmlp.nn.Scale`);
    - NTK-parametrised dense layers (:class:`~skmlp.nn.NTKDense`),
      initialised on the data, each followed by a parametric activation
      (:class:`~skmlp.nn.ParametricActivation`) and dropout;
    - Adam (beta_2 = 0.95) with decoupled weight decay on a cosine schedule
      over ``max_iter`` epochs, the best epoch on a validation split kept.

    Each piece is turned off by a parameter, so an ablation is a grid
    search. See the user guide's "Tabular data" page.

    Parameters
    ----------
    categorical_features : array-like of {{bool, int, str}} or 'from_dtype' \
or None, default='from_dtype'
        The categorical columns, as in HistGradientBoosting: 'from_dtype'
        takes the pandas ``category`` and polars ``Categorical``/``Enum``
        columns of a DataFrame (none of an array); or a boolean mask,
        column indices or feature names; None for none. A category not
        seen in ``fit`` is taken as missing.

    hidden_layer_sizes : int or tuple of int, default=(256, 256, 256)
        Units of each hidden layer (an int: one hidden layer).

    activation : {{'auto', 'selu', 'mish', 'relu', 'tanh', ...}}, default='auto'
        The activation each hidden layer mixes with the identity by a
        learned weight per unit; 'auto': {auto_activation}.

    periodic_embeddings : bool, default=True
        Add ``cos(2 pi w x + b)`` features of each numeric column, mapped to
        a few per column (Gorishniy et al., 2022), beside the value.

    feature_scaling : bool, default=True
        Multiply each input of the first hidden layer by a learned scale,
        trained at 6 times the learning rate (RealMLP-TD's factor).

    robust_scaling : bool, default=True
        Scale numeric columns by their median and interquartile range, then
        clip them smoothly (``x / sqrt(1 + (x / 3)^2)``); False: by their
        mean and standard deviation, unclipped.

    dropout : float in [0, 1), default=0.15
        Dropout rate after each hidden activation.

    weight_decay : float, default=0.02
        Decoupled weight decay of the dense layers' weights (AdamW), times
        the learning rate of each step.
{extra_parameters}
    learning_rate_init : float, default=0.005
        The peak of the cosine learning-rate schedule.

    max_iter : int, default=64
        Epochs: the span of the schedule; every one is run.

    batch_size : int or 'auto', default='auto'
        Rows per mini-batch; 'auto': ``min(256, n_samples)``.

    early_stopping : 'auto' or bool, default='auto'
        Keep the weights of the epoch with the best validation score
        ({metric}) on ``validation_fraction`` of the rows, set aside
        (stratified for a classifier). 'auto': on from 1000 rows; off, the
        last epoch's weights are kept (the schedule has annealed to 0).

    validation_fraction : float in (0, 1), default=0.2
        The rows set aside with early stopping.

    random_state : int, RandomState instance or None, default=None
        The weights, the data-dependent initialisation, the validation split,
        the order of the rows and dropout.

    verbose : bool, default=False
        Print the loss (and validation score) of every epoch.

    Attributes
    ----------
{extra_attributes}    preprocessor_ : TabularPreprocessor
        The fitted preparation of the columns.

    n_features_in_ : int
        Number of columns seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the columns, when ``X`` has string column names.

    loss_curve_ : list of float
        The training loss of each epoch.

    validation_scores_ : list of float or None
        The validation score of each epoch, with early stopping.

    best_validation_score_ : float or None
        The best of them: the kept epoch's.

    n_iter_ : int
        Epochs run.

    See Also
    --------
    sklearn.ensemble.{hgbt} : Gradient boosting on the same input.

    References
    ----------
    Holzmüller, Grinsztajn and Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.

    Gorishniy, Rubachev and Babenko, "On Embeddings for Numerical Features
    in Tabular Deep Learning", NeurIPS 2022.

    Examples
    --------
{example}
"""
