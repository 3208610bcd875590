"""Learning-rate schedules over a known number of optimiser steps.

A schedule gives the base learning rate of every mini-batch step of a
training run whose length is known in advance: ``rate(step)`` is the
closed form, ``next_rate()`` the rate of the next step, counted by the
schedule itself (so it goes on where it was after pickling), ``rates``
those given so far. The optimisers ask for it at the start of each step; Adam then
applies its bias correction to it, as to ``learning_rate_init``.

Steps past ``total_steps`` (an epoch with more mini-batches than the first
one had) take the rate of the last step.

References
----------
.. [1] Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic Gradient Descent
   with Warm Restarts. ICLR. https://arxiv.org/abs/1608.03983
.. [2] Smith, L. N. and Topin, N. (2019). Super-Convergence: Very Fast Training
   of Neural Networks Using Large Learning Rates. https://arxiv.org/abs/1708.07120
.. [3] PyTorch's ``torch.optim.lr_scheduler.CosineAnnealingLR`` and
   ``OneCycleLR``, whose rate sequences these reproduce.
"""

import math

import numpy as np

# The constructor's parameters, shared by every schedule's docstring.
_PARAMETERS = """    Parameters
    ----------
    max_lr : float
        The peak rate (the estimators' ``learning_rate_init``).
    total_steps : int
        Steps of the whole run (epochs times mini-batches per epoch), >= 1.
    warmup_fraction : float in [0, 1), default=0.0
        Fraction of the steps spent rising to ``max_lr``.
    n_epochs : int, default=None
        The epochs the steps span, when they are counted in epochs (the
        estimators' ``max_iter``): a record of the setting, which
        ``continue_schedule`` of the optimisers compares.

"""


def _with_parameters(cls):
    """Put the shared Parameters section in the docstring of ``cls``."""
    cls.__doc__ = cls.__doc__.replace("{parameters}", _PARAMETERS)
    return cls


@_with_parameters
class Schedule:
    """Base class: a learning rate for each of ``total_steps`` steps.

    Subclasses give the closed form of the rate of a step; the base class
    counts the steps taken and records their rates.

{parameters}    Attributes
    ----------
    n_steps : int
        Steps whose rate was given by `next_rate`.
    """

    n_epochs = None  # also of schedules pickled before it was recorded

    def __init__(self, max_lr, total_steps, warmup_fraction=0.0, *, n_epochs=None):
        if total_steps < 1:
            raise ValueError(f"total_steps must be >= 1, got {total_steps}.")
        if not 0 <= warmup_fraction < 1:
            raise ValueError(f"warmup_fraction must be in [0, 1), got {warmup_fraction}.")
        self.max_lr = float(max_lr)
        self.total_steps = int(total_steps)
        self.warmup_fraction = float(warmup_fraction)
        self.n_epochs = n_epochs
        self.n_steps = 0

    def rate(self, step):
        """The rate of ``step``; past the last step, the last rate.

        Parameters
        ----------
        step : int
            The step, counted from 0.

        Returns
        -------
        rate : float
            Its learning rate.
        """
        return self._closed_form(min(step, self.total_steps - 1))

    def _closed_form(self, step):
        """The rate of ``0 <= step < total_steps``."""
        raise NotImplementedError

    @property
    def ended(self):
        """Whether all `total_steps` steps have had their rate."""
        return self.n_steps >= self.total_steps

    def next_rate(self):
        """The rate of the next step (counted in `n_steps`).

        Returns
        -------
        rate : float
            The learning rate of step `n_steps` before the call.
        """
        rate = self.rate(self.n_steps)
        self.n_steps += 1
        return rate

    @property
    def rates(self):
        """The rates of the `n_steps` steps taken, a read-only ndarray of shape (n_steps,).

        Computed from the closed form when read (the same floats
        `next_rate` gave) into a cache that each read extends by the steps
        taken since the one before, and of which it returns a view: each
        step's rate is computed once, however often a long ``partial_fit``
        stream or a callback reads them (it was every rate at every read,
        quadratic in the stream's length). The cache is not pickled.
        """
        n_steps, n_cached = self.n_steps, self._n_cached
        if self._rate_cache is None or self._rate_cache.size < n_steps:  # grown by doubling
            grown = np.empty(max(n_steps, 2 * n_cached))
            grown[:n_cached] = self._rate_cache[:n_cached] if n_cached else 0.0
            self._rate_cache = grown
        if n_steps > n_cached:
            new_steps = range(n_cached, n_steps)
            self._rate_cache[n_cached:n_steps] = [self.rate(step) for step in new_steps]
            self._n_cached = n_steps
        rates = self._rate_cache[:n_steps]
        rates.flags.writeable = False  # a view of the cache, which must stay true
        return rates

    # The cache of `rates`: the rates of its first ``_n_cached`` steps.
    _rate_cache = None
    _n_cached = 0

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_rate_cache", None)
        state.pop("_n_cached", None)
        return state


def _cosine_between(start, end, fraction):
    """From ``start`` at fraction 0 to ``end`` at 1, along half a cosine."""
    return end + (start - end) * (1.0 + math.cos(math.pi * fraction)) / 2.0


@_with_parameters
class CosineAnnealing(Schedule):
    """Cosine annealing to 0, after an optional linear warm-up.

    With ``T`` steps, ``W = round(warmup_fraction * T)`` of them warm-up::

        rate(s) = max_lr * s / W                                    s < W
        rate(s) = max_lr * (1 + cos(pi * (s - W) / (T - W))) / 2    s >= W

    Without warm-up this is PyTorch's ``CosineAnnealingLR(T_max=T,
    eta_min=0)`` stepped once per mini-batch [1]_, [3]_; with it, the
    schedule of Hugging Face's ``get_cosine_schedule_with_warmup`` [4]_.
    When ``W == T`` (a large fraction of a short run) every step is
    warm-up, as there: the run ends at ``max_lr * (T - 1) / T``, before
    any annealing.

{parameters}    References
    ----------
    .. [1] Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic Gradient
       Descent with Warm Restarts. ICLR. https://arxiv.org/abs/1608.03983
    .. [3] https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
    .. [4] https://huggingface.co/docs/transformers/main_classes/optimizer_schedules
    """

    @property
    def warmup_steps(self):
        """``W``: the steps of the linear warm-up."""
        return round(self.warmup_fraction * self.total_steps)

    def _closed_form(self, step):
        warmup = self.warmup_steps
        if step < warmup:
            return self.max_lr * step / warmup
        return _cosine_between(self.max_lr, 0.0, (step - warmup) / (self.total_steps - warmup))


@_with_parameters
class OneCycle(Schedule):
    """The one-cycle policy: up from ``max_lr / 25``, then far below it.

    PyTorch's ``OneCycleLR`` with its defaults (``div_factor=25``,
    ``final_div_factor=1e4``, cosine annealing, ``three_phase=False``),
    stepped once per mini-batch, with ``pct_start = warmup_fraction``
    [2]_, [3]_. With ``T`` steps and ``e = warmup_fraction * T - 1``::

        initial = max_lr / 25       final = initial / 1e4
        rate(s) = cos_anneal(initial, max_lr, s / e)               s <= e
        rate(s) = cos_anneal(max_lr, final, (s - e) / (T - 1 - e))  s > e

    where ``cos_anneal(a, b, f) = b + (a - b) (1 + cos(pi f)) / 2``. Unlike
    PyTorch's, the momentum (Adam's ``beta_1``) is not cycled.

{parameters}    References
    ----------
    .. [2] Smith, L. N. and Topin, N. (2019). Super-Convergence: Very Fast
       Training of Neural Networks Using Large Learning Rates.
       https://arxiv.org/abs/1708.07120
    .. [3] https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
    """

    div_factor = 25.0
    final_div_factor = 1e4

    def _closed_form(self, step):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        peak_step = self.warmup_fraction * self.total_steps - 1
        if step <= peak_step:
            # A warm-up of one step peaks at once (PyTorch divides by zero).
            fraction = step / peak_step if peak_step > 0 else 1.0
            return _cosine_between(initial, self.max_lr, fraction)
        last = self.total_steps - 1  # > peak_step, as step is
        return _cosine_between(self.max_lr, final, (step - peak_step) / (last - peak_step))


SCHEDULES = {"cosine": CosineAnnealing, "one_cycle": OneCycle}
