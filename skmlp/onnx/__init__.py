"""ONNX export of fitted skmlp estimators, through skl2onnx.

Importing this module registers converters for :class:`~skmlp.MLPClassifier`
and :class:`~skmlp.MLPRegressor` with skl2onnx. From then on
``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn`` convert them, alone or
at the end of a pipeline, with the options of scikit-learn's MLP converter
(``zipmap``, ``nocl``, ``output_class_labels``) and float32, float64,
int64 or boolean inputs (the last two cast to float32, as there). It needs the ``onnx`` extra: ``pip install "skmlp[onnx]"`` (skl2onnx,
onnx and onnxruntime).

Every layer and option skmlp ships converts (see the user guide's
"Deploying" page). Layer normalisation needs ``target_opset=17`` or later; a
network with a layer this module does not know raises NotImplementedError
naming it.

Examples
--------
>>> import numpy as np
>>> import skmlp.onnx  # registers the converters
>>> from skl2onnx import to_onnx
>>> from sklearn.datasets import load_iris
>>> from skmlp import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> model = MLPClassifier(max_iter=2000, random_state=0).fit(X, y)
>>> onx = to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})
>>> [output.name for output in onx.graph.output]
['label', 'probabilities']
"""

try:
    import skl2onnx  # noqa: F401
except ImportError as error:  # pragma: no cover - the extra is missing
    raise ImportError(
        'skmlp.onnx needs skl2onnx: pip install "skmlp[onnx]" '
        "(skl2onnx, onnx and onnxruntime)."
    ) from error

from ._converters import register

register()

__all__ = ["register"]
