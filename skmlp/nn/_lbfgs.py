"""L-BFGS through SciPy: the whole objective (data loss plus penalty) at once."""

import numpy as np


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
