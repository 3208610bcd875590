"""Docstring text shared by both estimators, written once."""

# The parameters before ``loss`` (the regressor's third), then those after.
NETWORK_PARAMETERS = """\
hidden_layer_sizes : array-like of shape(n_layers - 2,), default=(100,)
        The ith element represents the number of neurons in the ith
        hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
            'elu', 'gelu', 'softplus'} or list of str, default='relu'
        Activation function for the hidden layers, or a list of one per
        hidden layer: 'identity' returns ``f(x) = x``, 'logistic'
        ``f(x) = 1 / (1 + exp(-x))``, 'tanh' ``f(x) = tanh(x)``, 'relu'
        ``f(x) = max(0, x)``, 'leaky_relu' ``f(x) = max(x, 0.01 x)``, 'elu'
        ``f(x) = x`` for ``x > 0`` and ``exp(x) - 1`` otherwise, 'gelu'
        ``f(x) = x Phi(x)`` with ``Phi`` the standard normal distribution
        function, and 'softplus' ``f(x) = log(1 + exp(x))``."""

TRAINING_PARAMETERS = """\
solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The solver for weight optimization: 'lbfgs' is SciPy's quasi-Newton
        L-BFGS-B on all the data at once, 'sgd' stochastic gradient descent
        with momentum, 'adam' the stochastic optimizer of Kingma and Ba.
        'adam' works well on large datasets (thousands of samples or more);
        'lbfgs' can converge faster and better on small ones.

    alpha : float, default=0.0001
        Strength of the L2 regularization term. The L2 regularization term
        is divided by the sample size (or the sum of sample weights) when
        added to the loss.

    batch_size : int, default='auto'
        Size of minibatches for stochastic optimizers. Not used by 'lbfgs'.
        When set to "auto", `batch_size=min(200, n_samples)`.

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine', \
'one_cycle'}, default='constant'
        Learning rate schedule for weight updates. 'constant', 'invscaling'
        and 'adaptive' are scikit-learn's and only used when
        ``solver='sgd'``: 'constant' keeps `learning_rate_init`;
        'invscaling' decreases it at each epoch as
        ``learning_rate_init / pow(t, power_t)`` with ``t`` the samples seen;
        'adaptive' keeps it constant while the monitored quantity improves
        and divides it by 5 each time it stops improving for
        `n_iter_no_change` epochs.
        'cosine' and 'one_cycle' (skmlp's) set the rate of every mini-batch
        step, for 'sgd' and 'adam' (before Adam's bias correction), along a
        schedule spanning `max_iter` epochs that peaks at
        `learning_rate_init`: 'cosine' anneals it to 0 along half a cosine
        (Loshchilov & Hutter, 2017) after a linear warm-up of
        `warmup_fraction` of the steps; 'one_cycle' rises from
        ``learning_rate_init / 25`` to it over `warmup_fraction` of the
        steps and anneals to ``learning_rate_init / 25e4`` (Smith & Topin,
        2019; PyTorch's ``OneCycleLR`` with its defaults, without cycling
        the momentum). Reaching `max_iter` is then the schedule's planned
        end and raises no ConvergenceWarning; the stopping rules (`tol`,
        `n_iter_no_change`, early stopping) still apply. The schedule
        counts the steps taken: a mini-batch whose sample weights are all 0
        is none. Every `fit`, a warm
        start too, and every restart runs a schedule of its own;
        ``partial_fit`` follows one schedule over `max_iter` calls (one
        epoch each, of the first call's number of mini-batch steps), then
        starts another (a warm restart); a changed `learning_rate`,
        `learning_rate_init`, `warmup_fraction` or `max_iter` starts a new
        one too. Not used with 'lbfgs' (a ValueError).
        See the user guide's "Learning-rate schedules" for the formulas.

    learning_rate_init : float, default=0.001
        The initial learning rate, or the peak rate of a 'cosine' or
        'one_cycle' schedule. Only used when solver='sgd' or 'adam'.

    power_t : float, default=0.5
        The exponent for inverse scaling learning rate. Only used when
        solver='sgd' and learning_rate='invscaling'.

    max_iter : int, default=200
        Maximum number of iterations. For stochastic solvers ('sgd', 'adam')
        this is the number of epochs (passes over the data), not of
        gradient steps; for 'lbfgs' the number of L-BFGS iterations.

    shuffle : bool, default=True
        Whether to shuffle samples in each iteration. Only used when
        solver='sgd' or 'adam'.

    random_state : int, RandomState instance, default=None
        Determines random number generation for weight and bias
        initialization, the train-validation split of early stopping and
        batch sampling. Pass an int for reproducible results across calls.

    tol : float, default=1e-4
        Tolerance for the optimization. When the loss or score is not
        improving by at least ``tol`` for ``n_iter_no_change`` consecutive
        iterations, unless ``learning_rate`` is set to 'adaptive',
        convergence is considered to be reached and training stops.

    verbose : bool, default=False
        Whether to print progress messages to stdout.

    warm_start : bool, default=False
        When set to True, reuse the solution of the previous call to fit as
        initialization, otherwise, just erase the previous solution. The
        optimiser continues too (Adam's moments and step count, SGD's
        velocity and learning-rate schedule), so that two fits of 10 epochs
        on the same mini-batches equal one of 20; scikit-learn restarts the
        optimiser instead. Changed optimiser settings (``learning_rate_init``,
        ``beta_1``, ``momentum``...) apply from the next step; a changed
        ``solver`` starts afresh. ``n_init`` is ignored when continuing.
        The network's settings without weights of their own apply to the
        fitted network (``normalization_epsilon``, ``batch_norm_momentum``,
        a ``dropout`` or ``input_dropout`` rate that was positive, and
        ``activation``); settings that change its weights raise a ValueError
        naming the parameter (``hidden_layer_sizes``, ``normalization``, the
        number of outputs, and a dropout rate from 0 to positive, which adds
        a layer). ``weight_init`` and ``random_state``'s initial weights
        only concern a new network. The same holds for ``partial_fit``.

    momentum : float, default=0.9
        Momentum for gradient descent update. Should be between 0 and 1.
        Only used when solver='sgd'. With a 'cosine' or 'one_cycle'
        `learning_rate` it takes PyTorch's form (``torch.optim.SGD``): the
        velocity sums the gradients and the step's scheduled rate scales
        it, where scikit-learn's velocity holds each gradient times the rate
        of its own step (the same steps at a constant rate). See the user
        guide's "SGD with momentum".

    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum. Only used when solver='sgd' and
        momentum > 0.

    early_stopping : bool, default=False
        Whether to use early stopping to terminate training when validation
        score is not improving. If set to True, it will automatically set
        aside ``validation_fraction`` of training data as validation, or
        use the ``X_val, y_val`` passed to :meth:`fit`, and terminate training
        when the validation score (see ``scoring``) is not improving by at
        least ``tol`` for ``n_iter_no_change`` consecutive epochs; the
        weights (and batch-norm statistics) of the best epoch are restored.
        Only effective when solver='sgd' or 'adam'. The split is stratified
        on the class labels of binary targets, and of multiclass targets
        when ``scoring`` is set (scorers such as 'neg_log_loss' need every
        class); with ``scoring=None`` a multiclass split is not stratified,
        the split of scikit-learn's MLP, so that fits equal its fits. A
        validation part that weighs 0 in total, or lacks a class that the
        scorer needs, is an error before training.

    validation_fraction : float, default=0.1
        The proportion of training data to set aside as validation set for
        early stopping. Must be between 0 and 1. Only used if early_stopping
        is True and no ``X_val`` is passed to :meth:`fit`.

    beta_1 : float, default=0.9
        Exponential decay rate for estimates of first moment vector in adam,
        should be in [0, 1). Only used when solver='adam'.

    beta_2 : float, default=0.999
        Exponential decay rate for estimates of second moment vector in
        adam, should be in [0, 1). Only used when solver='adam'.

    epsilon : float, default=1e-8
        Value for numerical stability in adam. Only used when solver='adam'.

    n_iter_no_change : int, default=10
        Maximum number of epochs to not meet ``tol`` improvement. Only
        effective when solver='sgd' or 'adam'. ``np.inf`` never stops early.

    max_fun : int, default=15000
        Only used when solver='lbfgs'. Maximum number of loss function
        calls.

    dropout : float or array-like of shape (n_layers - 2,), default=0.0
        Dropout rate in [0, 1) applied to the output of every hidden layer
        during training, or one rate per hidden layer. Inverted dropout: kept
        units are scaled by ``1 / (1 - rate)`` so that prediction needs no
        change. Needs solver='sgd' or 'adam'. The training loss of a network
        with dropout is noisy, so without early stopping the
        ``n_iter_no_change`` rule can stop training long before it has
        converged (a ConvergenceWarning says so when it happens): prefer
        ``early_stopping=True``, whose validation score is computed without
        dropout, or raise ``n_iter_no_change``.

    input_dropout : float, default=0.0
        Dropout rate in [0, 1) applied to the input features during training.
        For sparse input only the stored entries are drawn. Needs
        solver='sgd' or 'adam'.

    normalization : {'batch', 'layer'} or None, default=None
        Normalisation of every hidden layer's pre-activation (dense ->
        normalisation -> activation -> dropout): 'batch' normalises each unit
        over the mini-batch in training and with running statistics at
        prediction; 'layer' normalises each sample over the layer's units,
        the same way in training and prediction. Both learn a scale and an
        offset per unit, which are not L2-penalised. 'layer' over a hidden
        layer of 1 unit makes its output constant, which fit warns about.

    batch_norm_momentum : float, default=0.9
        Weight of the previous running mean and variance in each update of
        batch normalisation: ``running = momentum * running + (1 - momentum)
        * batch``. Only used when normalization='batch'.

    normalization_epsilon : float, default=1e-5
        Added to the variance before its square root in normalisation.

    weight_init : {'glorot_uniform', 'he_uniform'}, default='glorot_uniform'
        Initial weights and biases, drawn uniformly from ``[-a, a]``.
        'glorot_uniform' (Glorot and Bengio, 2010) is scikit-learn's:
        ``a = sqrt(6 / (n_in + n_out))`` for each layer, with 2 instead of 6
        for a layer followed by logistic units (for the output layer, those
        of the last hidden layer). 'he_uniform' (He et al., 2015) takes
        ``a = sqrt(6 / n_in)``, which keeps the scale of the signal through
        deep stacks of relu-family units ('relu', 'leaky_relu', 'elu',
        'gelu').

    scoring : str, callable or None, default=None
        What early stopping scores on the validation data, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. None: the
        estimator's :meth:`score` (accuracy or R^2), scikit-learn's
        behaviour. 'loss': the training loss without the L2 penalty, recorded
        negated so that higher is better throughout. Otherwise a scorer name
        (see :ref:`scoring_string_names`) or a callable
        ``scorer(estimator, X, y)``. Only used with early_stopping=True.

    n_init : int, default=1
        Number of networks trained from different initial weights (restarts)
        by :meth:`fit`; the one with the best validation score
        (``best_validation_score_``, with early stopping) or else the lowest
        final training loss (``loss_``) is kept, and ``restart_scores_``
        records them all. Each restart's initial weights, mini-batch order
        and dropout masks come from its own seed, drawn from
        ``random_state``; with early stopping all restarts share one
        validation split. With n_init=1 the network is the one
        scikit-learn's MLP trains. Not used when warm_start or
        ``partial_fit`` continues a fitted network. Restarts that reach
        ``max_iter`` give one ConvergenceWarning, saying how many did and
        whether the kept one is among them; with ``verbose`` each restart's
        lines start with ``[restart k/n_init]`` and a last line names the
        restart kept.

    n_jobs : int, default=None
        Number of restarts trained in parallel with joblib; ``None`` means 1
        unless in a :obj:`joblib.parallel_backend` context, -1 means all
        processors. Results, and the warnings raised, are the same for any
        value. Only used when n_init > 1.

    warmup_fraction : float in [0, 1), default=None
        Fraction of a schedule's steps spent rising to
        `learning_rate_init` ('cosine': ``round(warmup_fraction * T)`` of
        its ``T`` steps; when that is all of them, the fit ends below the
        peak). None: 0 for 'cosine', 0.3 for 'one_cycle'
        (PyTorch's ``pct_start``). Only with those two `learning_rate`
        values (a ValueError otherwise).

    weight_decay : float, default=0.0
        Decoupled weight decay (Loshchilov & Hutter, 2019): before each
        step of 'adam' (AdamW) or 'sgd' the dense weights, not the biases
        nor the normalisation parameters, are multiplied by
        ``1 - lr * weight_decay``, ``lr`` being the step's scheduled rate.
        Unlike `alpha`, an L2 penalty whose gradient Adam rescales per
        weight, the shrinkage is the same for every weight, and it does not
        enter ``loss_``. ``weight_decay * learning_rate_init`` must be
        below 1 (a ValueError). Not used with 'lbfgs' (a ValueError).

    max_grad_norm : float, default=None
        Clip the gradient of each mini-batch's data loss to this global L2
        norm (over all the weights) before the optimiser's step, keeping
        its direction (Pascanu et al., 2013; PyTorch's
        ``clip_grad_norm_``, which scales by ``max_grad_norm / (norm +
        1e-6)`` once that is below 1); the penalty `alpha` is added after
        it. ``clipped_fraction_`` records how many steps were clipped.
        None: no clipping. Not used with 'lbfgs' (a ValueError)."""

SHARED_PARAMETERS = NETWORK_PARAMETERS + "\n\n    " + TRAINING_PARAMETERS

SHARED_ATTRIBUTES = """\
loss_ : float
        The current loss computed with the loss function, including the L2
        penalty.

    best_loss_ : float or None
        The minimum loss reached by the solver throughout fitting. If
        `early_stopping=True`, this attribute is set to `None`. Refer to the
        `best_validation_score_` fitted attribute instead. Only accessible
        when solver='sgd' or 'adam'.

    loss_curve_ : list of shape (`n_iter_`,)
        The ith element in the list represents the loss at the ith
        iteration. Only accessible when solver='sgd' or 'adam'.

    validation_scores_ : list of shape (`n_iter_`,) or None
        The score at each iteration on a held-out validation set, according
        to ``scoring`` (minus the loss for 'loss'). Only available if
        `early_stopping=True`, otherwise `None`.

    validation_loss_curve_ : list of shape (`n_iter_`,)
        The loss (without the L2 penalty) on the validation data at each
        iteration, whatever ``scoring`` is. Only present after a fit with
        `early_stopping=True`.

    best_validation_score_ : float or None
        The best validation score at which early stopping was triggered.
        Only available if `early_stopping=True`, otherwise `None`.

    restart_scores_ : ndarray of shape (n_init,)
        The score of every restart of the last fit, in the order of their
        seeds: its ``best_validation_score_`` with early stopping (higher is
        better), otherwise its final ``loss_`` (lower is better). The best
        one's network is kept. One score when warm_start or ``partial_fit``
        continued a fitted network. Only present with ``n_init > 1``.

    learning_rate_curve_ : ndarray of shape (n_steps,)
        The learning rate of every mini-batch step of the last fit's
        schedule (for ``partial_fit``, of all the calls along it), before
        Adam's bias correction; after a fit, a read-only view of the
        schedule's record (a pickled, copied or loaded model holds a copy).
        Only present with learning_rate='cosine' or 'one_cycle'.

    clipped_fraction_ : float
        Fraction of the mini-batch steps of the last call to `fit` or
        ``partial_fit`` whose gradient was clipped (scaled down: its norm
        exceeded ``max_grad_norm - 1e-6``). Only present with `max_grad_norm` set.

    t_ : int
        The number of training samples seen by the solver during fitting.

    coefs_ : list of shape (n_layers - 1,)
        The ith element in the list represents the weight matrix
        corresponding to layer i, of shape ``(n_units[i], n_units[i + 1])``.
        The arrays are views of the trained network's parameters.

    intercepts_ : list of shape (n_layers - 1,)
        The ith element in the list represents the bias vector corresponding
        to layer i + 1.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` has
        feature names that are all strings.

    n_iter_ : int
        The number of iterations the solver has run.

    n_layers_ : int
        Number of layers.

    n_outputs_ : int
        Number of outputs.

    out_activation_ : str
        Name of the output activation function.

    normalization_scales_ : list of ndarray of shape (n_units,)
        Learned scale of each normalised hidden layer. Only present with
        normalization='batch' or 'layer'.

    normalization_offsets_ : list of ndarray of shape (n_units,)
        Learned offset of each normalised hidden layer. Only present with
        normalization='batch' or 'layer'.

    running_means_ : list of ndarray of shape (n_units,)
        Running means of batch normalisation, used at prediction. Only
        present with normalization='batch'.

    running_vars_ : list of ndarray of shape (n_units,)
        Running variances of batch normalisation. Only present with
        normalization='batch'."""


# Both partial_fit methods: fill in ``y_type``, and ``more_parameters`` (the
# classifier's ``classes``, starting with an empty line) or "".
PARTIAL_FIT = """Update the model with a single iteration over the given data.

        The optimiser carries on from the previous call (Adam's moments and
        step count, SGD's velocity), with the current parameters' settings.
        {availability}

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
            The input data.

        y : {y_type}
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
{more_parameters}
        Returns
        -------
        self : object
            Trained MLP model.

        Raises
        ------
        ValueError
            With ``early_stopping=True`` (one batch has no held-out part), as
            in scikit-learn.
        """


def fill(template, **fields):
    """Substitute the shared blocks, and any other ``fields``, into a docstring."""
    return template.format(
        shared_parameters=SHARED_PARAMETERS,
        network_parameters=NETWORK_PARAMETERS,
        training_parameters=TRAINING_PARAMETERS,
        shared_attributes=SHARED_ATTRIBUTES,
        **fields,
    )


def filled_docstring(template, **fields):
    """Decorator: the method's docstring is ``fill(template, **fields)``.

    Put it below decorators that copy the docstring (``functools.wraps``,
    ``available_if``), so that they copy the filled one.
    """

    def decorate(method):
        method.__doc__ = fill(template, **fields)
        return method

    return decorate
