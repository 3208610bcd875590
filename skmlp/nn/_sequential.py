"""A network as a sequence of layers sharing one flat parameter buffer."""

import numpy as np
import scipy.sparse as sp

from ._base import Layer, allocate

#: Bytes of the widest activations of one block of rows in inference. Large:
#: every block is one BLAS call per layer, and with several BLAS threads on
#: busy cores each call can wait for a descheduled thread; small blocks made
#: W1's prediction 2-3 times slower with 2 threads (faster with 1). The
#: blocks only bound the memory of predicting on many rows.
_INFERENCE_BLOCK_BYTES = 1 << 26


class Sequential:
    """A stack of layers, trained as one function.

    After :meth:`build`, every learned parameter of every layer is a view into
    one flat array ``params`` (and its gradient into ``grads``), penalised
    parameters (dense weights) first. An optimiser updates the whole network
    with a few operations on these two arrays, and L-BFGS works on them
    without packing.

    Parameters
    ----------
    layers : list of Layer or of (type, dict)
        The layers, unbuilt, from the input to the output; or their classes
        with their constructors' keyword arguments, which are built here.
    n_inputs, dtype, random_state : optional
        Given ``n_inputs``, the network is built at once:
        ``Sequential(layers, n_inputs=n, dtype=d, random_state=r)`` is
        ``Sequential(layers).build(n, d, r)`` (as a Keras ``Sequential``
        whose first layer is an ``Input``).

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All learned parameters.
    grads : ndarray of shape (n_params,)
        Their gradients, filled by :meth:`backward`.
    n_penalized : int
        ``params[:n_penalized]`` are the parameters under the L2 penalty
        (:class:`~skmlp.nn.L2Penalty`).
    n_inputs, n_outputs : int
    widths : list of int
        Output width of each layer.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.nn import Dense, ReLU, Sequential, MultinomialLogLoss
    >>> net = Sequential([Dense(8), ReLU(), Dense(3)])
    >>> net = net.build(4, np.float64, np.random.RandomState(0))
    >>> X, y = np.ones((5, 4)), np.eye(3)[[0, 1, 2, 0, 1]]
    >>> value = net.loss_gradient(X, y, MultinomialLogLoss())
    >>> net.grads.shape == net.params.shape == (4 * 8 + 8 * 3 + 8 + 3,)
    True
    """

    def __init__(self, layers, *, n_inputs=None, dtype=None, random_state=None):
        self.layers = [
            layer if isinstance(layer, Layer) else layer[0](**layer[1]) for layer in layers
        ]
        if n_inputs is not None:
            self.build(n_inputs, dtype, random_state)

    def build(self, n_inputs, dtype, random_state):
        """Build every layer, allocate the buffers and initialise parameters.

        Parameters
        ----------
        n_inputs : int
            Width of the input.
        dtype : numpy dtype
            Floating point type of the parameters and the computation.
        random_state : numpy.random.RandomState
            Source of the initial weights.

        Returns
        -------
        self : Sequential
            This network, built.
        """
        width = self.n_inputs = int(n_inputs)
        self.widths = []
        for layer in self.layers:
            width = layer.build(width, dtype)
            self.widths.append(width)
        self.n_outputs = width
        # Gradients are only needed down to the lowest layer with parameters:
        # below it there is only the data (and maybe input dropout).
        has_params_below = False
        self._inference_width = 1
        for layer, width in zip(self.layers, self.widths):
            layer.needs_input_grad = has_params_below
            has_params_below = has_params_below or bool(layer.param_specs())
            if has_params_below:
                self._inference_width = max(self._inference_width, width)
        self.params, self.grads, self.n_penalized = allocate(self.layers, dtype)
        for layer in self.layers:
            layer.initialize(random_state)
        return self

    def forward(self, X, *, training, sample_weight=None):
        """Output of the last layer for a mini-batch ``X``.

        In inference, an array or CSR matrix of the network's dtype goes
        through the layers' :meth:`~Layer.forward_into`, in blocks of rows:
        the same numbers with fewer new arrays. Other input goes through
        ``forward`` (float64 rows through a float32 network give float64,
        by numpy's type promotion).

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The mini-batch.
        training : bool
            True to cache what :meth:`backward` needs (and to use dropout and
            batch statistics where layers have them).
        sample_weight : ndarray of shape (n_samples,), default=None
            Row weights, for the batch statistics of batch normalisation.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_outputs)
            The raw output of the last layer.
        """
        if not training and (
            (X.format == "csr" if sp.issparse(X) else isinstance(X, np.ndarray) and X.ndim == 2)
            and X.dtype == self.params.dtype and X.shape[0] and X.shape[1] == self.n_inputs
        ):
            return self._infer(X)
        for layer in self.layers:
            X = layer.forward(X, training=training, sample_weight=sample_weight)
        return X

    def _infer(self, X):
        """Inference through :meth:`Layer.forward_into`, in blocks of rows.

        Layer by layer, every layer would return a new ``(n_samples,
        width)`` array: for 10,000 rows several MB each, new memory whose
        page faults cost more than the products of a small network
        (``predict`` on W3 took three times scikit-learn's time). Here each
        layer is offered its input to overwrite when the network owns it
        and the width is unchanged (an activation after a dense layer), and
        otherwise an array of the call. Very many rows go through in blocks
        (see ``_INFERENCE_BLOCK_BYTES``; a row's output depends on that row
        only), reusing each layer's array from block to block.
        """
        n_samples = X.shape[0]
        block = _INFERENCE_BLOCK_BYTES // (self._inference_width * X.dtype.itemsize)
        block = min(n_samples, max(64, block))
        if block == n_samples:
            return self._infer_block(X, {})
        Z = np.empty((n_samples, self.n_outputs), dtype=X.dtype)
        work = {}  # layer index -> its output array of the previous block
        for start in range(0, n_samples, block):
            Z[start : start + block] = self._infer_block(X[start : start + block], work)
        return Z

    def _infer_block(self, X, work):
        """Inference output of the rows ``X``; ``work`` as in :meth:`_infer`."""
        A, owned = X, False  # whether A is an array of this call, free to overwrite
        for k, (layer, width) in enumerate(zip(self.layers, self.widths)):
            if k in work:
                out = work[k][: A.shape[0]]
            elif owned and A.shape[1] == width:
                out = A
            else:
                out = np.empty((A.shape[0], width), dtype=X.dtype)
            result = layer.forward_into(A, out)
            if result is not A:
                work[k], owned = result, True
            A = result
        return A if owned else A.copy()

    def backward(self, dZ):
        """Back-propagate ``dZ`` through every layer, filling ``grads``.

        Parameters
        ----------
        dZ : ndarray of shape (n_samples, n_outputs)
            Gradient of the objective with respect to the last layer's
            output in the last training `forward`.

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

    def loss_gradient(self, X, y, loss, *, sample_weight=None):
        """Data loss of a mini-batch; exactly its gradient goes into ``grads``.

        The L2 penalty is not part of it: the optimisers add it (see
        :class:`~skmlp.nn.L2Penalty`), so that its gradient costs no pass
        of its own over the weights.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The mini-batch.
        y : ndarray of shape (n_samples, n_outputs)
            Its targets.
        loss : Loss
            The loss, with its output function.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the rows.

        Returns
        -------
        value : float
            ``loss.loss_gradient(forward(X), y, sample_weight)``'s value,
            whose gradient ``grads`` is for every loss's ``consistent()``
            form (the default squared error of several outputs reports
            scikit-learn's mean over outputs, not the sum it differentiates).
        """
        Z = self.forward(X, training=True, sample_weight=sample_weight)
        value, dZ = loss.loss_gradient(Z, y, sample_weight)
        self.backward(dZ)
        return value

    def predict(self, X, loss):
        """Predict ``loss.output(Z)`` in inference mode.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The input.
        loss : Loss
            Whose output function turns raw outputs into predictions.

        Returns
        -------
        predictions : ndarray of shape (n_samples, n_outputs)
            The predictions.
        """
        return loss.output(self.forward(X, training=False))

    def is_finite(self):
        """Whether every parameter and buffer (running statistics) is finite.

        Returns
        -------
        finite : bool
            True when none is inf or nan.
        """
        if not np.isfinite(self.params).all():
            return False
        return all(
            np.isfinite(array).all() for layer in self.layers for array in layer.buffers().values()
        )

    def copy(self):
        """An independent copy of the network, to train without changing this one.

        Every array the layers hold (parameters, buffers such as batch-norm
        statistics and dropout's counters) is copied once, the parameters
        and gradients as new flat buffers that the copied layers view at
        the same places; caches and work space are not copied. As
        ``copy.deepcopy`` does, ten times faster for a small network.

        Returns
        -------
        network : Sequential
            The copy, built if this network is.
        """
        # Not copy.copy, which would go through __getstate__/__setstate__.
        copied = object.__new__(type(self))
        copied.__dict__ = dict(vars(self))
        flat = {}
        if "params" in vars(self):
            copied.params, copied.grads = self.params.copy(), np.zeros_like(self.grads)
            flat = {id(self.params): copied.params, id(self.grads): copied.grads}
        copied.layers = [_independent(layer, flat) for layer in self.layers]
        return copied

    def get_state(self):
        """A copy of everything learned: parameters and layer buffers.

        Returns
        -------
        state : tuple
            ``(params, buffers)``: a copy of ``params`` and, per layer, a
            dict of copies of its buffers.
        """
        return self.params.copy(), [
            {name: array.copy() for name, array in layer.buffers().items()}
            for layer in self.layers
        ]

    def set_state(self, state):
        """Restore a state returned by :meth:`get_state`, in place.

        Parameters
        ----------
        state : tuple
            A state of a network of the same layers.
        """
        params, buffers = state
        self.params[...] = params
        for layer, saved in zip(self.layers, buffers):
            for name, array in layer.buffers().items():
                array[...] = saved[name]

    def replace_layer(self, index, layer):
        """Put ``layer`` in place of layer ``index``, keeping what was learned.

        The new layer is built for the old one's input; it takes over the
        old one's slices of ``params`` and ``grads`` and the values of its
        buffers, so that training goes on from where it was, with the new
        layer's settings (another normalisation epsilon or dropout rate,
        another activation).

        Parameters
        ----------
        index : int
            Position of the layer to replace.
        layer : Layer
            Unbuilt, with the output width, parameter shapes and buffer
            shapes of ``self.layers[index]``.

        Raises
        ------
        ValueError
            If a width or shape differs.
        """
        old = self.layers[index]
        width = layer.build(old.n_inputs_, old.dtype_)
        # Initialised on buffers of its own (for the buffers it creates),
        # then bound to the old layer's parameters.
        allocate([layer], old.dtype_)
        layer.initialize(np.random.RandomState(0))
        if width != self.widths[index] or _shapes(layer) != _shapes(old):
            raise ValueError(
                f"{layer!r} cannot take the place of {old!r}: their widths, parameter "
                f"or buffer shapes differ ({_shapes(layer)} and {_shapes(old)})."
            )
        layer.bind(
            {spec.name: getattr(old, spec.name) for spec in old.param_specs()},
            {spec.name: getattr(old, "d" + spec.name) for spec in old.param_specs()},
        )
        saved = old.buffers()
        for name, array in layer.buffers().items():
            array[...] = saved[name]
        layer.needs_input_grad = old.needs_input_grad
        self.layers[index] = layer

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


def _independent(layer, flat):
    """A copy of ``layer`` with copies of its arrays and of the layers it
    holds, without cache or work space.

    ``flat`` maps the ids of the network's flat buffers to their copies:
    a view of one becomes the same view of its copy.
    """
    state = {}
    for name, value in vars(layer).items():
        if isinstance(value, Layer):  # a layer inside this one (ParametricActivation's)
            value = _independent(value, flat)
        elif isinstance(value, np.ndarray):
            base = value.base
            if base is not None and id(base) in flat:
                start = (value.__array_interface__["data"][0]
                         - base.__array_interface__["data"][0]) // base.itemsize
                value = flat[id(base)][start : start + value.size].reshape(value.shape)
            else:
                value = value.copy()
        state[name] = value
    state.pop("_work", None)
    state["_cache"] = None
    copied = object.__new__(type(layer))
    copied.__dict__ = state
    return copied


def _shapes(layer):
    """The shapes of a built layer's parameters and buffers, by name."""
    params = {spec.name: spec.shape for spec in layer.param_specs()}
    return params, {name: array.shape for name, array in layer.buffers().items()}
