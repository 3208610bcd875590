"""The layer contract shared by every layer of the core."""

import numpy as np


class ParamSpec:
    """Shape and role of one learned parameter of a layer.

    A layer declares its parameters by returning these from
    :meth:`Layer.param_specs`; the network lays them out in its flat
    buffers.

    Parameters
    ----------
    name : str
        Attribute name under which the layer exposes the parameter; its
        gradient is exposed under ``"d" + name``.
    shape : tuple of int
        Shape of the parameter array.
    penalized : bool, default=False
        Whether the L2 penalty applies to it (dense weights do, biases and
        normalisation scales do not).
    """

    def __init__(self, name, shape, *, penalized=False):
        self.name = name
        self.shape = tuple(int(s) for s in shape)
        self.penalized = penalized

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))


class Layer:
    """Base class of a layer ("gate") of a network.

    The contract every layer follows:

    - ``build(n_inputs, dtype)`` is called once with the width of the input and
      returns the width of the output. It may declare learned parameters by
      returning them from :meth:`param_specs`.
    - The owner (a :class:`~skmlp.nn.Sequential`, or a test) allocates storage
      and calls :meth:`bind` with one array per parameter and one per gradient.
      The layer keeps them as attributes: parameter ``W`` is ``self.W`` and its
      gradient ``self.dW``. They are views into the network's flat buffers, so
      an optimiser step is a few whole-buffer operations.
    - ``initialize(random_state)`` fills the parameters in place.
    - ``forward(X, *, training, sample_weight=None)`` returns the output for
      a mini-batch ``X`` of shape ``(n_samples, n_inputs)`` and caches only
      what ``backward`` needs. ``training`` is always given explicitly;
      layers that behave differently at inference (dropout, batch norm) read
      it. In inference mode a layer writes nothing to itself, so one fitted
      network can predict from many threads at once. ``sample_weight`` (shape
      ``(n_samples,)``) is only read by layers that compute statistics over
      the batch, so that weighting a row by k is the same as repeating it k
      times.
    - ``backward(dY)`` takes the gradient of the objective with respect to the
      output of the last ``forward(..., training=True)`` call, writes the
      gradients of the parameters into ``self.d<name>`` and returns the
      gradient with respect to that call's input ``X``. When
      ``needs_input_grad`` is False (the first layer of a network, whose
      input is the data) it may skip that product and return None.
    - Inputs are never modified in place. In training mode the arrays a
      layer returns may be its own work arrays (see :meth:`_workspace`),
      overwritten by its next training call: a network uses them at once.
      In inference mode every returned array is new, or ``X`` itself, and
      each output row depends on its input row only, so that a network may
      run inference on blocks of rows.
    - ``forward_into(X, out)`` is optional, for speed: the result of
      ``forward(X, training=False)``, computed into ``out`` where the layer
      can, so that inference allocates no array of the batch's size per
      layer. The default ignores ``out`` and returns ``forward(X,
      training=False)``, so a layer needs nothing more than ``forward``.
    - ``initialize_from_data(X, random_state)`` is optional: a layer that
      has it adapts its initial parameters to its inputs ``X`` for a batch
      of training rows (see :func:`~skmlp.nn.initialize_from_data`, which
      calls it layer by layer after ``initialize``).
    - ``get_config()`` returns the constructor's settings as a dict, so that
      ``type(layer)(**layer.get_config())`` is an unbuilt layer configured as
      this one (the convention of Keras' ``get_config``). Two layers compute
      alike on the same parameters and buffers when their types and configs
      are equal; this is how a continued network is compared with the one
      the current options describe. The default is ``{}``, for a layer
      whose constructor takes no arguments.

    Four kinds of state are kept apart: learned parameters (bound views),
    their gradients (bound views), buffers that are saved but not optimised
    (``buffers()``: every array besides the parameters that a future
    training step reads or writes, e.g. batch-norm running statistics or
    dropout's seed and step count, so that restoring the parameters and
    buffers restores the course of training) and the per-call cache, which
    is dropped when the layer is pickled.
    """

    #: Whether ``backward`` must return the gradient with respect to its input.
    needs_input_grad = True

    #: What the last training ``forward`` kept for ``backward``.
    _cache = None

    def build(self, n_inputs, dtype):
        """Set the layer up for inputs of width ``n_inputs``.

        Parameters
        ----------
        n_inputs : int
            Number of input units.
        dtype : numpy dtype or str
            Floating point type of the computation; kept as its name in
            ``dtype_`` (e.g. ``"float32"``).

        Returns
        -------
        n_outputs : int
            Number of output units.
        """
        self.n_inputs_ = int(n_inputs)
        # Kept by name: a str is a type skops.io trusts by default, a
        # numpy.dtype is not. The dtype itself, for allocating in the hot
        # loop, is derived once here and again on unpickling.
        self.dtype_ = np.dtype(dtype).name
        self._dtype = np.dtype(dtype)
        return self.n_inputs_

    def param_specs(self):
        """Learned parameters of the layer, as a list of :class:`ParamSpec`.

        Returns
        -------
        specs : list of ParamSpec
            Empty by default.
        """
        return []

    def buffers(self):
        """Saved, not optimised arrays (name -> array); empty by default.

        They are changed in place only, so that the dict's arrays are the
        layer's own: :meth:`Sequential.set_state` writes into them.

        Returns
        -------
        buffers : dict of str to ndarray
            The layer's own arrays.
        """
        return {}

    def get_config(self):
        """The constructor's settings (name -> value); empty by default.

        Returns
        -------
        config : dict
            ``type(layer)(**config)`` is an unbuilt layer configured as this.
        """
        return {}

    def bind(self, params, grads):
        """Attach parameter and gradient storage.

        Parameters
        ----------
        params, grads : dict of str to ndarray
            One array per name in :meth:`param_specs`, of the declared shape.
        """
        for spec in self.param_specs():
            setattr(self, spec.name, params[spec.name])
            setattr(self, "d" + spec.name, grads[spec.name])

    def initialize(self, random_state):
        """Fill the parameters in place; nothing to do by default.

        Parameters
        ----------
        random_state : numpy.random.RandomState
            The only source of randomness.
        """

    def forward(self, X, *, training, sample_weight=None):
        """The output for a mini-batch; caches what `backward` needs in training.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            Of the layer's dtype; never modified.
        training : bool
            Training mode (dropout drops, batch norm uses the batch's
            statistics and caches for `backward`) or inference.
        sample_weight : ndarray of shape (n_samples,), default=None
            Read only by layers that compute statistics over the batch.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_outputs)
            The output (in training mode possibly the layer's work array,
            overwritten by its next training call).
        """
        raise NotImplementedError

    def forward_into(self, X, out):
        """Inference output ``forward(X, training=False)``, in ``out`` if possible.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            Of the layer's dtype.
        out : ndarray of shape (n_samples, n_outputs)
            Of the layer's dtype, owned by the caller and free to overwrite:
            either ``X`` itself (the caller owns ``X`` and the widths are
            equal), for a layer that can compute in place, or an array that
            does not overlap ``X``.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_outputs)
            Equal to ``forward(X, training=False)``: ``out``, or a new array,
            or ``X`` itself (a layer that is the identity in inference).
        """
        return self.forward(X, training=False)

    def backward(self, dY):
        """Compute the gradients of the last training `forward`: parameters' and input's.

        Parameters
        ----------
        dY : ndarray of shape (n_samples, n_outputs)
            Gradient of the objective with respect to the output.

        Returns
        -------
        dX : ndarray of shape (n_samples, n_inputs) or None
            Gradient with respect to the input; None may be returned when
            ``needs_input_grad`` is False. The parameters' gradients are
            written into ``self.d<name>``.
        """
        raise NotImplementedError

    def _workspace(self, name, shape, dtype=None):
        """A work array of ``shape`` reused across training calls.

        Training runs thousands of mini-batches of one shape; allocating
        their outputs anew each time costs more than many of the operations
        that fill them. Inference allocates its own arrays, as its result is
        handed to the caller. ``dtype`` defaults to the layer's.
        """
        work = self.__dict__.setdefault("_work", {})
        view = work.get((name, shape))  # found at once for all but a new shape
        if view is None:
            array = work.get(name)
            # Keep the largest batch seen; a smaller one is a view of its rows.
            if array is None or array.shape[1:] != shape[1:] or array.shape[0] < shape[0]:
                array = work[name] = np.empty(shape, self._dtype if dtype is None else dtype)
                for key in [key for key in work if isinstance(key, tuple) and key[0] == name]:
                    del work[key]  # views of the array this one replaces
            view = work[name, shape] = array[: shape[0]]
        return view

    def __getstate__(self):
        # Parameters are pickled as plain arrays; gradients and the cache are
        # scratch space and are not. A network re-binds the parameters into
        # its flat buffer when it is unpickled.
        state = self.__dict__.copy()
        state["_cache"] = None
        state.pop("_work", None)
        state.pop("_dtype", None)
        for spec in self._built_specs():
            state.pop("d" + spec.name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "dtype_" in state:
            # Pickles of earlier versions kept a numpy.dtype in dtype_.
            self._dtype = np.dtype(self.dtype_)
            self.dtype_ = self._dtype.name
        for spec in self._built_specs():
            setattr(self, "d" + spec.name, np.zeros_like(getattr(self, spec.name)))

    def _built_specs(self):
        return self.param_specs() if hasattr(self, "n_inputs_") else []

    def __repr__(self):
        return f"{type(self).__name__}()"


def _layout(layers):
    """(layer, spec) pairs in buffer order: penalised parameters first."""
    entries = [(layer, spec) for layer in layers for spec in layer.param_specs()]
    # A stable sort keeps the layer order inside each group, so the weights
    # come first layer by layer, then the biases, as scikit-learn packs them.
    entries.sort(key=lambda entry: not entry[1].penalized)
    return entries


def allocate(layers, dtype):
    """Allocate flat parameter and gradient buffers and bind every layer.

    Penalised parameters are laid out first, so that the L2 term is one
    operation on the leading slice ``[:n_penalized]``.

    Parameters
    ----------
    layers : list of Layer
        Built layers.
    dtype : numpy dtype

    Returns
    -------
    params, grads : ndarray of shape (n_params,)
    n_penalized : int
    """
    entries = _layout(layers)
    n_params = sum(spec.size for _, spec in entries)
    params = np.zeros(n_params, dtype=dtype)
    grads = np.zeros(n_params, dtype=dtype)
    rebind(layers, params, grads)
    n_penalized = sum(spec.size for _, spec in entries if spec.penalized)
    return params, grads, n_penalized


def rebind(layers, params, grads):
    """Bind every layer to views of existing flat buffers (see `allocate`)."""
    per_layer = {id(layer): ({}, {}) for layer in layers}
    start = 0
    for layer, spec in _layout(layers):
        stop = start + spec.size
        layer_params, layer_grads = per_layer[id(layer)]
        layer_params[spec.name] = params[start:stop].reshape(spec.shape)
        layer_grads[spec.name] = grads[start:stop].reshape(spec.shape)
        start = stop
    for layer in layers:
        layer.bind(*per_layer[id(layer)])


def build_layer(layer, n_inputs, *, dtype=np.float64, random_state=0):
    """Build, allocate and initialise one layer on its own.

    For using or testing a layer outside a network; inside one,
    :meth:`Sequential.build` does this for every layer over shared buffers.

    Parameters
    ----------
    layer : Layer
        An unbuilt layer.
    n_inputs : int
        Width of its input.
    dtype : numpy dtype, default=np.float64
        Floating point type of its parameters and computation.
    random_state : int or numpy.random.RandomState, default=0
        Source of its initial parameters.

    Returns
    -------
    layer : Layer
        The same layer, ready for ``forward``/``backward``.
    """
    if not isinstance(random_state, np.random.RandomState):
        random_state = np.random.RandomState(random_state)
    layer.build(n_inputs, dtype)
    allocate([layer], dtype)
    layer.initialize(random_state)
    return layer
