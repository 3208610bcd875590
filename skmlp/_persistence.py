"""The types of a fitted skmlp estimator, for skops' secure loading."""


def trusted_types():
    """List skmlp's own types, to pass to ``skops.io.load(..., trusted=...)``.

    skops loads only the types it trusts by default (numpy arrays, builtins,
    scikit-learn's estimators) and those it is given. A fitted skmlp
    estimator holds, besides those, only the types listed here: the four
    estimators, the tabular preprocessing (its class, the three functions its
    transformers call, and ``numpy.dtype``: its column transformer keeps
    the DataFrame's dtypes), the network, its layers, losses, optimisers
    and learning-rate schedules. What the
    user gives the estimator is saved with it and not listed: callbacks set
    with ``set_callbacks`` (``sklearn.callback`` classes and what they hold,
    such as ``uuid.UUID``) and a callable ``scoring`` (a ``make_scorer``
    scorer and its metric, or the user's function). Trust those by name, or
    save the estimator without them (``set_callbacks()``).

    Returns
    -------
    types : list of str
        Fully qualified class names, as ``skops.io.get_untrusted_types``
        reports them.

    See Also
    --------
    skops.io.load : Load a file, trusting the types given.

    Examples
    --------
    >>> import skops.io as sio
    >>> from sklearn.datasets import load_iris
    >>> from skmlp import MLPClassifier, trusted_types
    >>> X, y = load_iris(return_X_y=True)
    >>> model = MLPClassifier(max_iter=2000, random_state=0).fit(X, y)
    >>> data = sio.dumps(model)
    >>> set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    True
    >>> sio.loads(data, trusted=trusted_types()).score(X, y) == model.score(X, y)
    True
    """
    # The ColumnTransformer of the tabular preprocessing keeps the pandas
    # columns' dtypes, which skops does not trust by default.
    names = {f"{kind.__module__}.{kind.__qualname__}" for kind in _fitted_types()}
    return sorted(names | {"numpy.dtype"})


def _fitted_types():
    """The classes and functions skmlp's fitted estimators hold."""
    # Imported here: `import skmlp` does not load scikit-learn.
    from . import nn
    from ._classifier import MLPClassifier
    from ._regressor import MLPRegressor
    from ._tabular import TabularMLPClassifier, TabularMLPRegressor, TabularPreprocessor
    from ._tabular._preprocessing import _missing_as_nan, _shift_codes, smooth_clip

    return [
        MLPClassifier,
        MLPRegressor,
        TabularMLPClassifier,
        TabularMLPRegressor,
        # The preprocessing: a ColumnTransformer whose FunctionTransformers
        # call these three functions.
        TabularPreprocessor,
        _missing_as_nan,
        _shift_codes,
        smooth_clip,
        nn.Sequential,
        nn.Dense,
        *nn.ACTIVATIONS.values(),
        nn.Dropout,
        nn.NTKDense,
        nn.Embedding,
        nn.PeriodicEmbedding,
        nn.Scale,
        nn.ParametricActivation,
        nn.SELU,
        nn.Mish,
        nn.BatchNorm,
        nn.LayerNorm,
        *nn.LOSSES.values(),
        nn.SGD,
        nn.Adam,
        *nn.SCHEDULES.values(),
    ]
