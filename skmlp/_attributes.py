"""Fitted attributes that are views of the network's layers (``coefs_``...).

scikit-learn's MLP stores ``coefs_`` and ``intercepts_`` as lists of
arrays; here they are the network's own weights, read (and written) through
a `LayerView`, so that they are never a second copy to keep in step.
"""

import numpy as np

from .nn import BatchNorm


class LayerView:
    """``estimator.<name>``: the array ``parameter`` of each layer of ``kind``.

    Before ``fit`` the attribute does not exist, and the error names it (as
    for scikit-learn's MLP), not the private network behind it. skmlp's own
    attributes exist only with their option (drop-in rule): without
    normalisation layers there is no ``normalization_scales_``.

    Parameters
    ----------
    kind : type or tuple of type
        The layers whose arrays are listed.
    parameter : str
        The attribute of each layer.
    settable : bool, default=False
        Whether ``estimator.<name> = [...]`` writes into the arrays (as with
        scikit-learn's MLP, prediction then uses them; the shapes cannot
        change, since the parameters live in one flat buffer).
    """

    def __init__(self, kind, parameter, *, settable=False):
        self.kind = kind
        self.parameter = parameter
        self.settable = settable

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, estimator, owner=None):
        if estimator is None:
            return self
        return [getattr(layer, self.parameter) for layer in self._layers(estimator)]

    def __set__(self, estimator, values):
        if not self.settable:
            raise AttributeError(f"can't set attribute {self.name!r}")
        layers = self._layers(estimator)
        values = [np.asarray(value) for value in values]
        shapes = [getattr(layer, self.parameter).shape for layer in layers]
        if [value.shape for value in values] != shapes:
            raise ValueError(
                f"{self.name} must be a list of arrays of shapes {shapes}, the fitted "
                f"network's; got shapes {[value.shape for value in values]}."
            )
        for layer, value in zip(layers, values):
            getattr(layer, self.parameter)[...] = value

    def _layers(self, estimator):
        name = type(estimator).__name__
        if "_network" not in estimator.__dict__:
            raise AttributeError(f"{name!r} object has no attribute {self.name!r}")
        layers = [layer for layer in estimator._network.layers if isinstance(layer, self.kind)]
        if not layers:
            needs = "'batch'" if self.kind is BatchNorm else "'batch' or 'layer'"
            raise AttributeError(
                f"{name!r} object has no attribute {self.name!r}: it is fitted "
                f"only with normalization={needs}."
            )
        return layers
