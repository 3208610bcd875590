"""What SGD and Adam share: state allocated on the first step, chunked updates.

A step clips the gradient (``_clipping``), takes its rate from a schedule
(``_schedules``) if one is set, and then, chunk by chunk, adds the L2
penalty's gradient, applies decoupled weight decay and the optimiser's own
step (``_optimizers``).
"""

import copy

import numpy as np

from ._clipping import clip_coefficient, clip_grad_norm
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
        # One chunk's work space (a parameter-sized one: 51 MB more for tf-idf).
        size, scratch = min(self.chunk_size, params.size), self._scratch
        if scratch is None or scratch.dtype != params.dtype or scratch.size < size:
            scratch = self._scratch = np.empty(size, dtype=params.dtype)
        self._begin_step()
        n_decayed = params.size if n_decayed is None else n_decayed
        shrink = 1.0 - self.scheduled_rate * self.weight_decay
        for start in range(0, params.size, self.chunk_size):
            chunk = slice(start, start + self.chunk_size)
            chunk_params, chunk_grads = params[chunk], grads[chunk]
            chunk_scratch = scratch[: chunk_params.size]
            if penalty is not None:
                penalty.add_gradient(chunk_grads, chunk_params, offset=start,
                                     scratch=chunk_scratch)
            if self.weight_decay and start < n_decayed:
                # After the penalty's gradient, which reads the weights
                # before the decay (the decay and the step commute).
                chunk_params[: n_decayed - start] *= shrink
            self._step(chunk, chunk_params, chunk_grads, chunk_scratch)

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
