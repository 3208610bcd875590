"""SGD and Adam: optimisers on flat parameter arrays.

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
SGD counterpart), and clipping of the gradient's global norm
(``_clipping``); their shared plumbing is ``_optimizer_base``. L-BFGS, which
takes no steps of its own, is ``_lbfgs``.

References
----------
.. [1] Loshchilov, I. and Hutter, F. (2019). Decoupled Weight Decay
   Regularization. ICLR. https://arxiv.org/abs/1711.05101
.. [2] Pascanu, R., Mikolov, T. and Bengio, Y. (2013). On the difficulty of
   training recurrent neural networks. ICML. https://arxiv.org/abs/1211.5063
"""

import math

import numpy as np

from ._optimizer_base import _Optimizer


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
