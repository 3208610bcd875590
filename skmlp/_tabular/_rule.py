"""The training rule of the tabular estimators: the training package's options for a table.

The tabular estimators fix what the MLPs leave to their parameters (`FIXED`:
Adam with beta_2 = 0.95 on a cosine schedule over ``max_iter`` epochs, no L2
penalty but decoupled weight decay, every epoch run and the best validated
one kept) and derive from the table's size what depends on it: early
stopping from `EARLY_STOPPING_MIN_ROWS` rows or with ``X_val``
(``early_stopping='auto'``, as HistGradientBoosting documents it) and a
mini-batch of at most `MAX_AUTO_BATCH` of the training rows
(``batch_size='auto'``). `tabular_options` resolves the result with the
training package's `resolve_options`, so its checks and messages are the
MLPs' (but for HGBT's message of `resolve_early_stopping`).
"""

from dataclasses import replace

import numpy as np

from .._training import resolve_options
from .._training.checkpoint import key_params
from ._rows import n_training_rows

#: Rows from which ``early_stopping='auto'`` sets validation rows aside.
EARLY_STOPPING_MIN_ROWS = 1000
#: The largest mini-batch of ``batch_size='auto'`` (RealMLP-TD's).
MAX_AUTO_BATCH = 256

#: The settings of the training package that the tabular estimators fix:
#: Adam with beta_2 = 0.95 on a cosine schedule over ``max_iter`` epochs,
#: no L2 penalty (decoupled weight decay instead), every epoch run (the best
#: validated one kept).
FIXED = dict(
    solver="adam", learning_rate="cosine", beta_1=0.9, beta_2=0.95, epsilon=1e-8,
    warmup_fraction=None, alpha=0.0, max_grad_norm=None, tol=0.0, n_iter_no_change=np.inf,
    shuffle=True, n_jobs=None, scoring=None,
    # Read by resolve_options' checks; the network is built by NewTabularNetwork.
    activation="relu", dropout=0.0, input_dropout=0.0, normalization=None,
    normalization_epsilon=1e-5, batch_norm_momentum=0.1, weight_init="glorot_uniform",
    momentum=0.9, nesterovs_momentum=True, power_t=0.5, max_fun=15000,
)

#: The tabular estimators' own parameters that the training package takes as they are.
_PASSED = ("learning_rate_init", "weight_decay", "max_iter", "validation_fraction",
           "random_state", "verbose", "n_init", "warm_start")


def training_params(params, n_rows, validation_given=(False,) * 3):
    """The parameters of the training package for a table of ``n_rows`` rows.

    ``params`` are a tabular estimator's ``get_params(deep=False)``;
    ``validation_given`` whether ``X_val``, ``y_val`` and ``sample_weight_val``
    were given to ``fit`` (then no row is set aside: all of them train).
    """
    early_stopping = resolve_early_stopping(params["early_stopping"], n_rows, validation_given)
    batch_size = params["batch_size"]
    if batch_size == "auto":  # what the training rows can fill
        batch_size = min(MAX_AUTO_BATCH, n_training_rows(
            n_rows, early_stopping and not validation_given[0], params["validation_fraction"]))
    return {
        **FIXED,
        "hidden_layer_sizes": params["hidden_layer_sizes"],
        "early_stopping": bool(early_stopping),
        "batch_size": batch_size,
        **{name: params[name] for name in _PASSED},
    }


def resolve_early_stopping(early_stopping, n_rows, validation_given):
    """``early_stopping`` resolved, as HistGradientBoosting documents it.

    'auto' is on with ``X_val`` (as HGBT's docstring says; its code, in
    scikit-learn 1.9.1, ignores an ``X_val`` below 10,000 rows) or from
    `EARLY_STOPPING_MIN_ROWS` rows.

    Raises
    ------
    ValueError
        HGBT's, for ``X_val`` and ``y_val`` with ``early_stopping=False``
        (given one of them only, `resolve_options` raises HGBT's error).
    """
    if early_stopping == "auto":
        return validation_given[0] or n_rows >= EARLY_STOPPING_MIN_ROWS
    if not early_stopping and validation_given[0] and validation_given[1]:
        raise ValueError(  # HGBT's, verbatim: the missing space after "fit," too
            "X_val and y_val are passed to fit while at the same time "
            "early_stopping is False. When passing X_val and y_val to fit,"
            "early_stopping should be set to either 'auto' or True."
        )
    return early_stopping


def tabular_options(params, n_rows, *, fitted, validation_given=(False,) * 3, checkpoints):
    """The training package's `Options` for a table of ``n_rows`` rows.

    ``params`` are the estimator's ``get_params(deep=False)``; ``fitted``
    whether it holds a fitted network (for ``warm_start``);
    ``validation_given`` whether ``X_val``, ``y_val``, ``sample_weight_val``
    were given; ``checkpoints`` its `~skmlp.callback.Checkpoint` callbacks.
    A checkpoint's key names the fit by the estimator's own parameters
    (those of the training package are derived from them) and by the
    preprocessed training and validation data, which carry the
    preprocessing's statistics.
    """
    options = resolve_options(
        training_params(params, n_rows, validation_given), fitted=fitted,
        validation_given=validation_given, checkpoints=checkpoints,
    )
    if options.checkpoint is None:
        return options
    named = options.checkpoint._replace(params=key_params(params))
    return replace(options, checkpoint=named)
