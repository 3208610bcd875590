"""Optimisers on flat parameter arrays, and the L2 penalty they apply.

An optimiser sees arrays only: ``update(params, grads)`` changes ``params``
in place from the gradient ``grads`` of the same shape and keeps its own
state (velocity, moments, step count), which ``continue_from`` hands on
to a new optimiser of the same kind. It never prints and never decides
when training stops. The state and one scratch array are allocated on the
first call and reused, so a step allocates nothing of parameter size.

The objective is the network's data loss plus an :class:`L2Penalty`
(``_penalty``); the
network computes only the first (``Sequential.loss_gradient``), the
optimisers add the second (scikit-learn's ``alpha``, an L2 penalty coupled
to the gradient). Three options change the step itself: a learning-rate
schedule (``skmlp.nn._schedules``), decoupled weight decay (AdamW and its
SGD counterpart), and clipping of the gradient's global norm.

References
----------
.. [1] Loshchilov, I. and Hutter, F. (2019). Decoupled Weight Decay
   Regularization. ICLR. https://arxiv.org/abs/1711.05101
.. [2] Pascanu, R., Mikolov, T. and Bengio, Y. (2013). On the difficulty of
   training recurrent neural networks. ICML. https://arxiv.org/abs/1211.5063
"""

import copy
import math

import numpy as np

from ._penalty import CHUNK_SIZE

class _Optimizer:
    """Shared plumbing: state allocated on the first step, chunked updates.

    A step makes several passes over parameter-sized arrays. For a large
    network (a tf-idf input layer has millions of weights) each pass
    streams the arrays from main memory; done chunk by chunk, the passes
    after the first find the chunk in cache, which measured 1.5 times
    faster on 12.8 million float32 weights. Small networks are one chunk.
    """

    #: Elements per chunk: five float32 arrays of it fit in a core's L2 cache.
    chunk_size = CHUNK_SIZE

    def update(self, params, grads, *, penalty=None, n_decayed=None):
        """Take one step in place. ``params`` and ``grads`` have one shape.

        In order: the data-loss gradient is clipped to ``max_grad_norm``
        (if set), the schedule (if any) gives the step's rate, and chunk by
        chunk the penalty's gradient is added, the decayed weights shrink
        by ``rate * weight_decay`` and the optimiser's step is taken.

        Parameters
        ----------
        params, grads : ndarray of shape (n_params,)
            The parameters and the gradient of the data loss; ``grads`` is
            used as work space (it holds the whole gradient afterwards).
        penalty : L2Penalty, default=None
            The step follows the gradient of the data loss plus this
            penalty, whose gradient is added chunk by chunk (the sums of
            adding it beforehand).
        n_decayed : int, default=None
            Number of leading parameters that ``weight_decay`` shrinks (the
            dense weights, ``Sequential.n_penalized``); None: all of them.
        """
        self._init_state(params)
        self.n_steps += 1
        if self.max_grad_norm is not None:
            norm = clip_grad_norm(grads, self.max_grad_norm)
            self.n_clipped += clip_coefficient(norm, self.max_grad_norm) < 1.0
        # Work space for one chunk: a parameter-sized one would add its size
        # (51 MB for a tf-idf input layer) to the fit's peak memory.
        scratch_size = min(self.chunk_size, params.size)
        if (self._scratch is None or self._scratch.dtype != params.dtype
                or self._scratch.size < scratch_size):
            self._scratch = np.empty(scratch_size, dtype=params.dtype)
        self._begin_step()
        n_decayed = params.size if n_decayed is None else n_decayed
        shrink = 1.0 - self.scheduled_rate * self.weight_decay
        for start in range(0, params.size, self.chunk_size):
            chunk = slice(start, start + self.chunk_size)
            chunk_params, chunk_grads = params[chunk], grads[chunk]
            scratch = self._scratch[: chunk_params.size]
            if penalty is not None:
                penalty.add_gradient(chunk_grads, chunk_params, offset=start, scratch=scratch)
            if self.weight_decay and start < n_decayed:
                # After the penalty's gradient, which reads the weights
                # before the decay (the decay and the step commute).
                chunk_params[: n_decayed - start] *= shrink
            self._step(chunk, chunk_params, chunk_grads, scratch)

    def _next_rate(self):
        """The base rate of this step: the schedule's, or learning_rate_init."""
        if self.schedule is None:
            return self.learning_rate_init
        return self.schedule.next_rate()

    def continue_from(self, previous):
        """Carry on from the state of ``previous``, an optimiser of this kind.

        Its moments or velocity and its step count are copied, so that
        training goes on as if it had not stopped while ``previous`` stays
        as it was; this optimiser's settings apply from the next step. The
        current learning rate of a schedule carries on too, unless a
        setting of the schedule changed.

        Parameters
        ----------
        previous : _Optimizer
            A fitted optimiser of this kind; left as it was (its state is copied).

        Returns
        -------
        self : _Optimizer
            This optimiser.
        """
        for name in self._state:
            setattr(self, name, copy.copy(getattr(previous, name)))
        self._scratch = previous._scratch  # reused as is: no allocation per call
        if all(getattr(previous, name) == getattr(self, name) for name in self._schedule):
            self.learning_rate = previous.learning_rate
        return self

    def continue_schedule(self, previous):
        """Take over the schedule of ``previous`` if it is the same, unfinished.

        The same kind, peak rate, warm-up and number of epochs, with steps
        still to run: ``partial_fit`` then goes on along it (its steps
        counted by the schedule). Otherwise this optimiser keeps its own
        schedule, which starts anew: after a schedule has run its steps,
        the next one is a warm restart (as in SGDR [3]_).

        Parameters
        ----------
        previous : _Optimizer
            The optimiser of the calls before.

        Returns
        -------
        self : _Optimizer
            This optimiser.

        References
        ----------
        .. [3] Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic Gradient
           Descent with Warm Restarts. ICLR. https://arxiv.org/abs/1608.03983
        """
        own, theirs = self.schedule, getattr(previous, "schedule", None)  # copied below

        def settings(schedule):
            return schedule.max_lr, schedule.warmup_fraction, schedule.n_epochs

        if (
            own is not None
            and type(theirs) is type(own)
            and settings(theirs) == settings(own)
            and not theirs.ended
        ):
            self.schedule = copy.deepcopy(theirs)  # previous's stays as it was
        return self

    def _init_state(self, params):
        """Allocate the state arrays (zeros) if there are none yet."""

    def _begin_step(self):
        """Per-step scalars (step count, bias correction)."""

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_scratch", None)
        return state

    _scratch = None
    # Defaults of the options, also for optimisers pickled before they existed.
    schedule = None
    weight_decay = 0.0
    max_grad_norm = None
    n_steps = 0
    n_clipped = 0

    def _set_options(self, schedule, weight_decay, max_grad_norm):
        self.schedule = schedule
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.n_steps = 0
        self.n_clipped = 0


def clip_grad_norm(grads, max_norm):
    """Scale ``grads`` in place to a global L2 norm of at most ``max_norm``.

    As PyTorch's ``clip_grad_norm_``: ``grads *= clip_coefficient(norm,
    max_norm)``, which keeps its direction. The coefficient
    ``max_norm / (norm + 1e-6)`` is below 1, and scales, from a norm of
    ``max_norm - 1e-6`` on (a little below the bound, as in PyTorch).

    Parameters
    ----------
    grads : ndarray of shape (n_params,)
        The whole gradient of the network (one flat array: the norm is
        global, over every layer).
    max_norm : float
        The largest norm kept.

    Returns
    -------
    norm : float
        The norm before clipping.

    References
    ----------
    .. [1] Pascanu, R., Mikolov, T. and Bengio, Y. (2013). On the difficulty
       of training recurrent neural networks. ICML.
       https://arxiv.org/abs/1211.5063
    .. [2] PyTorch's `torch.nn.utils.clip_grad_norm_
       <https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html>`__
    """
    norm = math.sqrt(float(np.dot(grads, grads)))
    coefficient = clip_coefficient(norm, max_norm)
    if coefficient < 1.0:  # PyTorch multiplies by 1.0 too, which changes nothing
        grads *= coefficient
    return norm


def clip_coefficient(norm, max_norm):
    """The factor `clip_grad_norm` scales a gradient of ``norm`` by: at most 1.

    ``min(max_norm / (norm + 1e-6), 1)``, PyTorch's clamped ``clip_coef``.
    """
    return min(max_norm / (norm + 1e-6), 1.0)


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum or Nesterov's momentum.

    With velocity ``v``, learning rate ``lr`` and momentum ``mu``, in
    scikit-learn's form (the rate inside the velocity)::

        v <- mu * v - lr * g
        params <- params + v                      (classical momentum)
        params <- params + mu * v - lr * g        (Nesterov)

    With a ``schedule``, in PyTorch's form (``torch.optim.SGD`` with
    ``momentum`` and ``nesterov``, dampening 0): the velocity accumulates
    gradients and the step's rate multiplies it at the step::

        v <- mu * v + g
        params <- params - lr * v                 (classical momentum)
        params <- params - lr * (g + mu * v)      (Nesterov)

    The two are the same steps at a constant rate (scikit-learn's ``v`` is
    ``-lr`` times PyTorch's), and differ when the rate changes from step to
    step: scikit-learn's velocity keeps each past gradient at the rate of
    its own step, PyTorch's takes all of them at the current one. So
    unscheduled fits are scikit-learn's, scheduled fits PyTorch's.
    `continue_from` converts a velocity of the other form.

    Parameters
    ----------
    learning_rate_init : float, default=0.1
        The learning rate (the peak rate of a ``schedule``).
    lr_schedule : {'constant', 'invscaling', 'adaptive', 'cosine', \
'one_cycle'}, default='constant'
        'invscaling' sets ``lr = learning_rate_init / (t + 1) ** power_t`` at
        the end of each epoch, with ``t`` the number of samples seen;
        'adaptive' lets the training loop divide ``learning_rate`` by 5 (see
        :meth:`reduce_learning_rate`); 'constant' changes nothing, nor do
        'cosine' and 'one_cycle', which ``schedule`` implements.
    momentum : float, default=0.9
        The momentum ``mu``, in [0, 1].
    nesterov : bool, default=True
        Nesterov's momentum rather than the classical one.
    power_t : float, default=0.5
        The exponent of 'invscaling'.
    schedule : Schedule, default=None
        Gives the rate of every step (``CosineAnnealing``, ``OneCycle``).
    weight_decay : float, default=0.0
        Decoupled weight decay: before each step the decayed weights are
        multiplied by ``1 - lr * weight_decay`` (SGDW [1]_).
    max_grad_norm : float, default=None
        Clip the gradient's global norm to this (see `clip_grad_norm`).

    Attributes
    ----------
    learning_rate : float
        The current learning rate.
    velocity : ndarray or None
    velocity_form : {'scikit-learn', 'pytorch'}
        The form of ``velocity``: 'pytorch' with a schedule.
    last_step_rate : float or None
        The rate of the last step (the one a velocity of scikit-learn's
        form holds); None before the first.
    n_steps, n_clipped : int
        Steps taken by this optimiser, and those whose gradient was clipped.

    References
    ----------
    .. [1] Loshchilov, I. and Hutter, F. (2019). Decoupled Weight Decay
       Regularization. ICLR. https://arxiv.org/abs/1711.05101
    .. [2] https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
    """

    _state = ("velocity",)
    #: Also of optimisers pickled before PyTorch's form was used with a schedule.
    velocity_form = "scikit-learn"
    #: Also of optimisers pickled before the rate of the last step was recorded.
    last_step_rate = None
    _schedule = ("learning_rate_init", "lr_schedule", "power_t")

    def __init__(
        self,
        learning_rate_init=0.1,
        *,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
        schedule=None,
        weight_decay=0.0,
        max_grad_norm=None,
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = None
        self._set_options(schedule, weight_decay, max_grad_norm)
        self.velocity_form = "scikit-learn" if schedule is None else "pytorch"

    def _init_state(self, params):
        if self.velocity is None:
            self.velocity = np.zeros_like(params)

    def continue_from(self, previous):
        """Carry on from the state of ``previous``, an SGD (see the base class).

        A velocity of the other form is converted, by the rate it holds
        (the rate of the last step of ``previous``, not its
        ``learning_rate``, which 'invscaling' and 'adaptive' change after
        that step) or is to hold (this optimiser's): a new array, so
        ``previous`` keeps its own.

        Parameters
        ----------
        previous : SGD
            A fitted SGD; left as it was (its velocity is copied, or converted).

        Returns
        -------
        self : SGD
            This optimiser.
        """
        super().continue_from(previous)
        self.last_step_rate = previous.last_step_rate
        form = previous.velocity_form
        if self.velocity is not None and form != self.velocity_form:
            if form == "scikit-learn":
                held = previous.last_step_rate
                self.velocity = self.velocity / -(
                    previous.learning_rate if held is None else held
                )
            else:
                self.velocity = self.velocity * -self.learning_rate
                self.last_step_rate = self.learning_rate
        return self

    def _begin_step(self):
        if self.schedule is not None:
            self.learning_rate = self._next_rate()
        self.last_step_rate = self.learning_rate

    @property
    def scheduled_rate(self):
        """The rate of the step, which weight decay is scaled by."""
        return self.learning_rate

    def _step(self, chunk, params, grads, scratch):
        if self.velocity_form == "pytorch":
            self._pytorch_step(chunk, params, grads, scratch)
            return
        velocity = self.velocity[chunk]
        step = np.multiply(grads, self.learning_rate, out=scratch)
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            params -= step
            step = np.multiply(velocity, self.momentum, out=scratch)
        else:
            step = velocity
        params += step

    def _pytorch_step(self, chunk, params, grads, scratch):
        """The step of ``torch.optim.SGD``: ``v`` sums gradients, ``lr`` scales the step."""
        velocity = self.velocity[chunk]
        velocity *= self.momentum
        velocity += grads
        if self.nesterov:
            step = np.multiply(velocity, self.momentum, out=scratch)
            step += grads
            step *= self.learning_rate
        else:
            step = np.multiply(velocity, self.learning_rate, out=scratch)
        params -= step

    def end_epoch(self, n_samples_seen):
        """Apply the 'invscaling' schedule after an epoch.

        Parameters
        ----------
        n_samples_seen : int
            Training rows seen so far, ``t`` of the schedule.
        """
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (n_samples_seen + 1) ** self.power_t
            )

    def reduce_learning_rate(self):
        """Divide the learning rate by 5 ('adaptive' schedule).

        Returns
        -------
        reduced : bool
            False when the schedule is not 'adaptive' or the rate is already
            at most 1e-6: the caller should stop training.
        """
        if self.lr_schedule != "adaptive" or self.learning_rate <= 1e-6:
            return False
        self.learning_rate /= 5.0
        return True


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2014), as parameterised by scikit-learn.

    With step count ``t``::

        m <- beta_1 m + (1 - beta_1) g
        v <- beta_2 v + (1 - beta_2) g**2
        lr_t = learning_rate_init * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        params <- params - lr_t * m / (sqrt(v) + epsilon)

    With a ``schedule``, its rate of the step takes the place of
    ``learning_rate_init``. With ``weight_decay``, the decayed weights are
    first multiplied by ``1 - lr * weight_decay``, ``lr`` being that rate
    before the bias correction, as in AdamW [2]_ (PyTorch's too).

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        The learning rate (the peak rate of a ``schedule``).
    beta_1 : float, default=0.9
        Decay rate of the first moment estimate.
    beta_2 : float, default=0.999
        Decay rate of the second moment estimate.
    epsilon : float, default=1e-8
        Added to ``sqrt(v)`` for numerical stability.
    schedule : Schedule, default=None
        Gives the rate of every step (``CosineAnnealing``, ``OneCycle``).
    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW).
    max_grad_norm : float, default=None
        Clip the gradient's global norm to this (see `clip_grad_norm`).

    Attributes
    ----------
    t : int
        Number of steps taken, over this optimiser and those it continues.
    learning_rate : float
        The bias-corrected rate ``lr_t`` of the last step.
    scheduled_rate : float
        The rate of the last step before the bias correction.
    m, v : ndarray or None
        First and second moment estimates.
    n_steps, n_clipped : int
        Steps taken by this optimiser, and those whose gradient was clipped.

    References
    ----------
    .. [1] Kingma, D. P. and Ba, J. (2015). Adam: A Method for Stochastic
       Optimization. ICLR. https://arxiv.org/abs/1412.6980
    .. [2] Loshchilov, I. and Hutter, F. (2019). Decoupled Weight Decay
       Regularization. ICLR. https://arxiv.org/abs/1711.05101
    """

    _state = ("t", "m", "v")
    _schedule = ("learning_rate_init",)

    def __init__(
        self,
        learning_rate_init=0.001,
        *,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        schedule=None,
        weight_decay=0.0,
        max_grad_norm=None,
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.scheduled_rate = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = None
        self.v = None
        self._set_options(schedule, weight_decay, max_grad_norm)

    def _init_state(self, params):
        if self.m is None:
            self.m = np.zeros_like(params)
            self.v = np.zeros_like(params)

    def _begin_step(self):
        self.t += 1
        self.scheduled_rate = self._next_rate()
        self.learning_rate = (
            self.scheduled_rate
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )

    def _step(self, chunk, params, grads, scratch):
        m, v = self.m[chunk], self.v[chunk]
        # numpy only: SciPy's BLAS (axpy, scal) is a second OpenBLAS with its
        # own thread pool, whose spinning threads slowed numpy's matrix
        # products several times over on two cores.
        m *= self.beta_1
        m += np.multiply(grads, 1 - self.beta_1, out=scratch)
        np.multiply(grads, grads, out=scratch)
        scratch *= 1 - self.beta_2
        v *= self.beta_2
        v += scratch
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        np.divide(m, scratch, out=scratch)
        scratch *= self.learning_rate
        params -= scratch

    def end_epoch(self, n_samples_seen):
        """Do nothing: Adam has no per-epoch schedule.

        Parameters
        ----------
        n_samples_seen : int
            Training rows seen so far (unused).
        """

    def reduce_learning_rate(self):
        """Answer False: Adam has no adaptive schedule (stop training).

        Returns
        -------
        reduced : bool
            Always False.
        """
        return False


def minimize_lbfgs(loss_gradient, params, grads, *, penalty=None, max_iter, max_fun, tol):
    """Minimise the data loss plus ``penalty`` with SciPy's L-BFGS-B.

    A full-batch quasi-Newton method: the objective and its gradient are
    computed on all the data at each evaluation, in float64 for SciPy.

    Parameters
    ----------
    loss_gradient : callable
        ``loss_gradient() -> value``: the data loss at the current
        ``params``, with its gradient written into ``grads`` (for example
        ``Sequential.loss_gradient`` on all the training data).
    params, grads : ndarray of shape (n_params,)
        The arrays ``loss_gradient`` reads and writes. L-BFGS starts from
        ``params`` and writes every trial point into it; the result is not
        written back.
    penalty : L2Penalty, default=None
        Added to the value and the gradient, in the arrays' dtype.
    max_iter, max_fun : int
        Limits on iterations and on evaluations of the objective.
    tol : float
        Passed as ``gtol``: stop when the largest gradient component is
        below it.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        SciPy's result: ``x`` the minimiser (float64), ``fun``, ``nit``.
    """
    import scipy.optimize  # here: it would add half again to what ``import skmlp.nn`` loads

    return scipy.optimize.minimize(
        _objective(loss_gradient, params, grads, penalty),
        np.asarray(params, dtype=np.float64),
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )


def _objective(loss_gradient, params, grads, penalty):
    """The function of ``x`` that L-BFGS minimises: ``(value, gradient)`` in float64."""

    def objective(x):
        params[...] = x
        # Trial points of the line search may overflow; L-BFGS handles
        # their inf objective, and the caller checks the final weights.
        with np.errstate(over="ignore", invalid="ignore"):
            value = loss_gradient()
            if penalty is not None:
                value += penalty.value(params)
                penalty.add_gradient(grads, params)
        return value, grads.astype(np.float64)

    return objective
