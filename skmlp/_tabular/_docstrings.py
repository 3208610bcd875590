"""The docstrings of the tabular estimators, written once for both.

``ESTIMATOR_DOC.format(summary=..., hgbt=..., auto_activation=..., metric=...,
extra_parameters=..., extra_attributes=..., example=...)`` is each estimator's
``__doc__``; `FIT_DOC` is their ``fit``'s.
"""

#: numpydoc text of the tabular estimators' ``fit``.
FIT_DOC = """Fit the preprocessing and the network to the table ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The table: numeric columns may hold NaN.
        y : array-like of shape (n_samples,)
            Class labels or real values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the training loss and the validation
            score, as in HistGradientBoosting. The preprocessing's statistics
            (medians, quantiles, categories), the data-dependent
            initialisation and the standardisation of regression targets
            ignore them: they are fitted on the training rows as if
            unweighted. Routed, with metadata routing on, by a `Pipeline`
            after ``set_fit_request(sample_weight=True)``, and by
            `cross_validate` or a search after ``set_score_request`` too
            (they also pass the weights to ``score``).
        X_val : {array-like, DataFrame} of shape (n_val, n_features), default=None
            Additional sample of features for validation used in early
            stopping, as in HistGradientBoosting: the epoch with the best
            score on it is kept, and no ``validation_fraction`` of ``X`` is
            set aside (every row trains; no split is drawn from
            ``random_state``, so the weights and the row order differ from
            those of a fit that splits). ``early_stopping='auto'`` is on with
            it. It is checked as ``predict`` checks a table (the columns of
            ``X``, their names) and prepared by the preprocessing fitted on
            ``X``, never on ``X_val``. In a `Pipeline`, `X_val` can be
            transformed the same way as `X` with
            ``Pipeline(..., transform_input=["X_val"])`` (with metadata
            routing on, after ``set_fit_request(X_val=True, y_val=True)``).
        y_val : array-like of shape (n_val,), default=None
            Additional sample of target values for validation used in early
            stopping: classes seen in ``y`` (a classifier), or real values.
        sample_weight_val : array-like of shape (n_val,), default=None
            Additional weights for validation used in early stopping (the
            weights of the validation score); routed after
            ``set_fit_request(sample_weight_val=True)``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            Naming the column, for a numeric column with a value that is not
            a number, with infinity, or without any value; for
            ``sample_weight`` not one finite, non-negative weight per row;
            for an early-stopping split that leaves either part a total
            weight of 0; for ``X_val`` without ``y_val`` or the reverse,
            ``sample_weight_val`` without them, or both with
            ``early_stopping=False`` (HistGradientBoosting's messages); for
            ``X_val`` whose columns are not those of ``X``, ``y_val`` with
            classes not in ``y``, ``sample_weight_val`` not one weight per
            row of ``X_val``, or (the regressor) an ``X_val`` of one row or a
            ``y_val`` of one value, whose R^2 is not defined.
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
    search. Callbacks set with ``set_callbacks`` see the fit as for the MLP
    estimators; a :class:`~skmlp.callback.Checkpoint` resumes a stopped fit
    (with an int ``random_state``). See the user guide's "Tabular data" page.

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
        The activation of each hidden layer (mixed with the identity, see
        ``parametric_activation``); 'auto': {auto_activation}.

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

    ntk_parametrization : bool, default=True
        NTK-parametrised dense layers (:class:`~skmlp.nn.NTKDense`), their
        weights and biases initialised on the training rows; False: plain
        :class:`~skmlp.nn.Dense` layers with Glorot's initialisation (as
        :class:`~skmlp.MLPClassifier`'s) and no data-dependent one.

    parametric_activation : bool, default=True
        Mix each hidden activation with the identity by a learned weight
        per unit (:class:`~skmlp.nn.ParametricActivation`); False: the plain
        activation.

    max_one_hot_categories : int or None, default=8
        Categorical columns with at most this many categories are one-hot
        encoded, the others embedded (:class:`~skmlp.nn.Embedding`); None:
        every one one-hot, no embeddings.

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
        Rows per mini-batch; 'auto': ``min(256, n_samples)``, of the training
        rows (those not set aside by early stopping).

    early_stopping : 'auto' or bool, default='auto'
        Keep the weights of the epoch with the best validation score
        ({metric}) on ``validation_fraction`` of the rows, set aside
        (stratified for a classifier), or on the ``X_val`` passed to ``fit``.
        'auto': on from 1000 rows or with ``X_val``; off, the last epoch's
        weights are kept (the schedule has annealed to 0).

    validation_fraction : float in (0, 1), default=0.2
        The rows set aside with early stopping, before anything is fitted:
        the preprocessing, the data-dependent initialisation and the
        standardisation of regression targets see the other rows only.
        Ignored when ``X_val`` is passed to ``fit``.

    random_state : int, RandomState instance or None, default=None
        The weights, the data-dependent initialisation, the validation split,
        the order of the rows and dropout.

    verbose : bool, default=False
        Print the loss (and validation score) of every epoch.

    warm_start : bool, default=False
        Let ``fit`` continue the fitted network (a copy; a failed fit leaves
        the model as it was) and its optimiser's state on the data it is
        given, keeping the first fit's preprocessing and, for a regressor,
        its standardisation of the targets: the network's inputs keep their
        meaning. The table must have the same columns (the same ones
        categorical) and, for a classifier, ``y`` the same classes; the
        parameters that shape the network (``hidden_layer_sizes``,
        ``activation``, ``dropout``, ``periodic_embeddings``,
        ``feature_scaling``, ``robust_scaling``, ``ntk_parametrization``,
        ``parametric_activation``, ``max_one_hot_categories``) must be the
        same. A ValueError names what differs. The others (``learning_rate_init``,
        ``max_iter``, ``weight_decay``, ``early_stopping``...) apply to the
        continued fit, which runs a new schedule. ``n_init`` is ignored when
        continuing.

    n_init : int, default=1
        Number of networks trained from different initial weights
        (restarts), each built and initialised on the data from its own seed
        drawn from ``random_state``; the one with the best validation score
        (``best_validation_score_``, with early stopping) or else the lowest
        final training loss (``loss_``) is kept. All restarts share the
        preprocessing and the validation split.

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

    restart_scores_ : ndarray of shape (n_init,)
        The score of every restart of the last fit, in the order of their
        seeds: its ``best_validation_score_`` with early stopping (higher is
        better), otherwise its final ``loss_`` (lower is better). One score
        when a warm start continued the fitted network. Only present with
        ``n_init > 1``.

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

#: The docstring of TabularMLPClassifier.
CLASSIFIER_DOC = ESTIMATOR_DOC.format(
    summary="Multi-layer perceptron classifier for tables.",
    hgbt="HistGradientBoostingClassifier",
    auto_activation="'selu'",
    metric="accuracy",
    extra_parameters="""
    label_smoothing : float in [0, 1), default=0.1
        Train on smoothed targets: each one-hot target becomes
        ``(1 - label_smoothing) y + label_smoothing / n_classes`` (a binary
        target ``(1 - label_smoothing) y + label_smoothing / 2``).
""",
    extra_attributes="""    classes_ : ndarray of shape (n_classes,)
        The class labels.

""",
    example="""    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from skmlp import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = TabularMLPClassifier(max_iter=16, random_state=0).fit(X_train, y_train)
    >>> clf.score(X_test, y_test) > 0.95
    True""",
)

#: The docstring of TabularMLPRegressor.
REGRESSOR_DOC = ESTIMATOR_DOC.format(
    summary="Multi-layer perceptron regressor for tables.\n\n    The targets are "
            "standardised for training; predictions are in their units.",
    hgbt="HistGradientBoostingRegressor",
    auto_activation="'mish'",
    metric="R^2",
    extra_parameters="",
    extra_attributes="",
    example="""    >>> import numpy as np
    >>> import pandas as pd
    >>> from skmlp import TabularMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"size": rng.uniform(20, 200, 600),
    ...                   "city": pd.Categorical(rng.choice(["Lima", "Oslo", "Rome"], 600))})
    >>> y = 1000 * X["size"] * (1 + X["city"].cat.codes) + rng.normal(0, 1e4, 600)
    >>> reg = TabularMLPRegressor(max_iter=16, random_state=0).fit(X[:400], y[:400])
    >>> reg.score(X[400:], y[400:]) > 0.95
    True""",
)
