"""A network as a sequence of layers sharing one flat parameter buffer."""

import numpy as np
import scipy.sparse as sp

from ._base import allocate

_CHUNK = 65536

#: Bytes of the widest activations of one block of rows in inference. Large:
#: every block is one BLAS call per layer, and with several BLAS threads on
#: busy cores each call can wait for a descheduled thread; small blocks made
#: W1's prediction 2-3 times slower with 2 threads (faster with 1). The
#: blocks only bound the memory of predicting on many rows.
_INFERENCE_BLOCK_BYTES = 1 << 26


def _add_scaled(target, source, factor):
    """``target += factor * source`` in place, through a cache-sized scratch.

    numpy only (SciPy's ``axpy`` runs on a second OpenBLAS thread pool that
    competes with numpy's), and no temporary of the arrays' size.
    """
    scratch = np.empty(min(_CHUNK, source.size), dtype=source.dtype)
    for start in range(0, source.size, _CHUNK):
        part = source[start : start + _CHUNK]
        target[start : start + _CHUNK] += np.multiply(part, factor, out=scratch[: part.size])


class Sequential:
    """A stack of layers, trained as one function.

    After :meth:`build`, every learned parameter of every layer is a view into
    one flat array ``params`` (and its gradient into ``grads``), penalised
    parameters (dense weights) first. An optimiser updates the whole network
    with a few operations on these two arrays, and L-BFGS works on them
    without packing.

    Parameters
    ----------
    layers : list of Layer

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All learned parameters.
    grads : ndarray of shape (n_params,)
        Their gradients, filled by :meth:`backward`.
    n_penalized : int
        ``params[:n_penalized]`` are the parameters under the L2 penalty.
    n_inputs, n_outputs : int

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.nn import Dense, ReLU, Sequential, MultinomialLogLoss
    >>> net = Sequential([Dense(8), ReLU(), Dense(3)])
    >>> net = net.build(4, np.float64, np.random.RandomState(0))
    >>> X, y = np.ones((5, 4)), np.eye(3)[[0, 1, 2, 0, 1]]
    >>> loss = net.loss_gradient(X, y, MultinomialLogLoss())
    >>> net.grads.shape == net.params.shape == (4 * 8 + 8 * 3 + 8 + 3,)
    True
    """

    def __init__(self, layers):
        self.layers = list(layers)

    def build(self, n_inputs, dtype, random_state):
        """Build every layer, allocate the buffers and initialise parameters.

        Parameters
        ----------
        n_inputs : int
        dtype : numpy dtype
        random_state : numpy.random.RandomState
            Source of the initial weights.

        Returns
        -------
        self : Sequential
        """
        width = self.n_inputs = int(n_inputs)
        for layer in self.layers:
            width = layer.build(width, dtype)
        self.n_outputs = width
        # Gradients are only needed down to the lowest layer with parameters:
        # below it there is only the data (and maybe input dropout).
        has_params_below = False
        for layer in self.layers:
            layer.needs_input_grad = has_params_below
            has_params_below = has_params_below or bool(layer.param_specs())
        self.params, self.grads, self.n_penalized = allocate(self.layers, dtype)
        for layer in self.layers:
            layer.initialize(random_state)
        return self

    def forward(self, X, *, training, sample_weight=None):
        """Output of the last layer for a mini-batch ``X``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
        training : bool
            True to cache what :meth:`backward` needs (and to use dropout and
            batch statistics where layers have them).
        sample_weight : ndarray of shape (n_samples,), default=None
            Row weights, for the batch statistics of batch normalisation.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_outputs)
        """
        if not training:
            Z = self._infer(X)
            if Z is not None:
                return Z
        for layer in self.layers:
            X = layer.forward(X, training=training, sample_weight=sample_weight)
        return X

    def _infer(self, X):
        """Inference into arrays of the call, in place where exact; or None.

        Layer by layer, every layer would allocate an output of
        ``(n_samples, width)``: for 10,000 rows several MB each, new memory
        whose page faults cost more than the products on small networks
        (``predict`` on W3 took three times scikit-learn's time). Here dense
        layers write into one array each and element-wise layers act on it
        in place, the last dense layer writing into the returned array;
        the output rows are computed with the same operations in the same
        order as layer by layer. Very many rows go through in blocks (see
        ``_INFERENCE_BLOCK_BYTES``). None when a layer is not known to be
        row-wise, or ``X`` is neither a 2-D array nor a CSR matrix of the
        network's dtype: the caller then runs the layers as they are.
        """
        layers = self.layers
        dtype = self.params.dtype
        if sp.issparse(X):
            if X.format != "csr" or X.dtype != dtype:
                return None
            # Only a dense layer, after any inference-time identity, reads it.
            first = next(
                (k for k, layer in enumerate(layers) if layer._inference != "identity"), None
            )
            if first is None or layers[first]._inference != "dense":
                return None
        elif not (isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == dtype):
            return None
        n_samples = X.shape[0]
        if (any(layer._inference is None for layer in layers) or X.shape[1] != self.n_inputs
                or not n_samples):
            return None
        widths = [layer.n_units for layer in layers if layer._inference == "dense"]
        block = max(64, _INFERENCE_BLOCK_BYTES // (max(widths, default=1) * dtype.itemsize))
        block = min(block, n_samples)
        Z = np.empty((n_samples, self.n_outputs), dtype=dtype)
        last_dense = max(
            (k for k, layer in enumerate(layers) if layer._inference == "dense"), default=-1
        )
        work = {}
        for start in range(0, n_samples, block):
            rows = slice(start, min(start + block, n_samples))
            out_rows = Z[rows]
            A = X if sp.issparse(X) else X[rows]
            owned = False  # whether A is an array of this call, free to overwrite
            for k, layer in enumerate(layers):
                kind = layer._inference
                if kind == "dense":
                    if k == last_dense:
                        target = out_rows
                    else:
                        target = work.get(k)
                        if target is None:
                            target = work[k] = np.empty((block, layer.n_units), dtype=dtype)
                        target = target[: rows.stop - rows.start]
                    A = layer._infer_into(A, rows, target)
                    owned = True
                elif kind == "inplace" and owned:
                    A = layer._function(A, A)
                elif kind != "identity":
                    output = layer.forward(A, training=False)
                    owned = owned or output is not A
                    A = output
            if A is not out_rows:
                out_rows[...] = A
        return Z

    def backward(self, dZ):
        """Back-propagate ``dZ`` through every layer, filling ``grads``.

        Returns
        -------
        dX : ndarray or None
            Gradient with respect to the input; None when no layer below
            has parameters, where back-propagation stops early.
        """
        for layer in reversed(self.layers):
            if dZ is None:
                break
            dZ = layer.backward(dZ)
        return dZ

    def loss_gradient(
        self, X, y, loss, *, sample_weight=None, alpha=0.0, penalty_gradient=True
    ):
        """Objective value on a mini-batch; its gradient goes into ``grads``.

        The objective is the loss plus the L2 penalty, scaled as in
        scikit-learn: ``loss(Z, y) + alpha / (2 s) * ||W||^2`` with ``s`` the
        number of samples or the sum of their weights.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
        y : ndarray of shape (n_samples, n_outputs)
        loss : Loss
        sample_weight : ndarray of shape (n_samples,), default=None
        alpha : float, default=0.0
            Strength of the L2 penalty.
        penalty_gradient : bool, default=True
            False leaves the penalty's gradient, ``penalty_scale(...) * W``
            on the first ``n_penalized`` parameters, out of ``grads``, for an
            optimiser to add during its step (``update(..., l2=...)``).

        Returns
        -------
        value : float
        """
        Z = self.forward(X, training=True, sample_weight=sample_weight)
        value, dZ = loss.loss_gradient(Z, y, sample_weight)
        self.backward(dZ)
        if alpha:
            total_weight = X.shape[0] if sample_weight is None else sample_weight.sum()
            penalized = self.params[: self.n_penalized]
            value += 0.5 * alpha * float(np.dot(penalized, penalized)) / total_weight
            if penalty_gradient:
                _add_scaled(self.grads[: self.n_penalized], penalized, alpha / total_weight)
        return value

    @staticmethod
    def penalty_scale(alpha, n_samples, sample_weight=None):
        """``alpha / s``: the L2 penalty's gradient is this times the weights.

        ``s`` is ``n_samples``, or the sum of ``sample_weight`` if given.
        """
        total_weight = n_samples if sample_weight is None else sample_weight.sum()
        return alpha / total_weight

    def predict(self, X, loss):
        """Predictions ``loss.output(Z)`` in inference mode."""
        return loss.output(self.forward(X, training=False))

    def is_finite(self):
        """Whether every parameter and buffer (running statistics) is finite."""
        if not np.isfinite(self.params).all():
            return False
        return all(
            np.isfinite(array).all() for layer in self.layers for array in layer.buffers().values()
        )

    def get_state(self):
        """A copy of everything learned: parameters and layer buffers."""
        return self.params.copy(), [
            {name: array.copy() for name, array in layer.buffers().items()}
            for layer in self.layers
        ]

    def set_state(self, state):
        """Restore a state returned by :meth:`get_state`, in place."""
        params, buffers = state
        self.params[...] = params
        for layer, saved in zip(self.layers, buffers):
            for name, array in layer.buffers().items():
                array[...] = saved[name]

    def __getstate__(self):
        # The layers pickle their own parameters; the flat buffers are
        # rebuilt from them, so nothing is stored twice.
        state = self.__dict__.copy()
        state.pop("params", None)
        state.pop("grads", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if not hasattr(self, "n_penalized"):
            return
        values = [
            {spec.name: getattr(layer, spec.name) for spec in layer.param_specs()}
            for layer in self.layers
        ]
        dtype = self.layers[0].dtype_ if self.layers else np.float64
        self.params, self.grads, _ = allocate(self.layers, dtype)
        for layer, saved in zip(self.layers, values):
            for name, array in saved.items():
                getattr(layer, name)[...] = array

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"
