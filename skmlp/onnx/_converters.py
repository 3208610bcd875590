"""skl2onnx shape calculators and converters for the two estimators.

The outputs follow skl2onnx's converter for scikit-learn's MLP: a classifier
has a ``label`` tensor and a ``probabilities`` tensor (which skl2onnx's
classifier parser turns into a ZipMap unless ``zipmap=False``), a regressor
one ``variable`` tensor. Unlike that converter, a regressor keeps its
``(n_samples, n_outputs)`` shape (several outputs are not flattened into one
column).
"""

import numpy as np
from onnx import TensorProto
from skl2onnx import update_registered_converter

# skl2onnx's parser for classifiers (ZipMap, output_class_labels): the one
# update_registered_converter installs for a converter with a zipmap option.
from skl2onnx._parse import _parse_sklearn_classifier
from skl2onnx.common.data_types import (
    BooleanTensorType,
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.common.utils import check_input_and_output_numbers, check_input_and_output_types
from skl2onnx.common.utils_classifier import get_label_classes
from sklearn.utils.validation import check_is_fitted

from .._classifier import MLPClassifier
from .._regressor import MLPRegressor
from .._tabular import TabularMLPClassifier, TabularMLPRegressor
from ._graph import Graph, check_convertible, network_output

# skl2onnx's MLP converter accepts these and casts them to the graph's type.
_INPUT_TYPES = [FloatTensorType, DoubleTensorType, Int64TensorType, BooleanTensorType]

#: The options of scikit-learn's MLP converter, handled the same way.
CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "output_class_labels": [False, True],
    "nocl": [True, False],
}


def _tensor_type(operator):
    """Double tensors for a double input, else float (skl2onnx's rule)."""
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return DoubleTensorType if double else FloatTensorType


def _check_operator(operator, n_outputs):
    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=[n_outputs, n_outputs]
    )
    check_input_and_output_types(operator, good_input_types=_INPUT_TYPES)
    check_is_fitted(operator.raw_operator)
    check_convertible(operator.raw_operator)


def _is_multilabel(estimator):
    return estimator._label_binarizer.y_type_.startswith("multilabel")


def _n_probabilities(estimator):
    """Columns of ``predict_proba``: 2 for one output unit, even for one class."""
    return 2 if estimator.n_outputs_ == 1 else estimator.n_outputs_


def _label_values(scope, estimator):
    """The class labels as an int64 or a str array (``nocl``: their indices).

    Float labels are whole numbers (scikit-learn refuses others as class
    labels) and become int64, as in skl2onnx's converters.
    """
    classes = np.asarray(get_label_classes(scope, estimator))
    if classes.dtype.kind == "u" and classes.max() > np.iinfo(np.int64).max:
        # int64 would wrap them to negative labels.
        raise NotImplementedError(
            f"skmlp.onnx cannot convert {type(estimator).__name__} with class labels "
            f"above the largest int64 ({classes.max()}): ONNX labels are int64 or strings."
        )
    if classes.dtype.kind in "biuf":
        return classes.astype(np.int64)
    return np.array([str(label) for label in classes], dtype=object)


def _check_options(scope, model):
    """Refuse the options whose skl2onnx graph would fail for this model.

    A model fitted on one class has no ZipMap: its ``predict_proba`` has the
    columns ``[1 - p, p]`` (as scikit-learn's), which a ZipMap over its one
    class label cannot name; onnxruntime would fail on every row.
    skl2onnx's ``output_class_labels`` writes int32 and int64 labels as
    integers and any other labels as strings, which fails for bool, float
    and other integer labels (an invalid graph, also with ``nocl``).
    """
    options = scope.get_options(model, dict(zipmap=True, output_class_labels=False))
    classes = np.asarray(model.classes_)
    if (
        options["output_class_labels"]
        and classes.dtype not in (np.int32, np.int64)
        and classes.dtype.kind not in "OUS"
    ):
        raise NotImplementedError(
            f"skl2onnx's output_class_labels cannot output class labels of dtype "
            f"{classes.dtype.name} (only int32, int64 and strings); convert "
            f"{type(model).__name__} without it."
        )
    zipmap = options["zipmap"]
    if len(model.classes_) == 1 and zipmap is not False:
        raise NotImplementedError(
            f"skmlp.onnx cannot convert {type(model).__name__} fitted on one class "
            f"({model.classes_.tolist()[0]!r}) with zipmap={zipmap!r}: its predict_proba has 2 "
            "columns for 1 class label. Convert with options={'zipmap': False}."
        )


def parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser, after checking that the model is fitted.

    The parser reads ``classes_`` first: without the check an unfitted model
    would fail there with "No known ways to retrieve the number of classes".
    """
    check_is_fitted(model)
    _check_options(scope, model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def calculate_classifier_shapes(operator):
    """``label`` (n_samples,) or (n_samples, n_labels), ``probabilities`` (n_samples, n_classes)."""
    _check_operator(operator, 2)
    estimator = operator.raw_operator
    n_samples = operator.inputs[0].get_first_dimension()
    labels = _label_values(operator.scope_inst, estimator)
    label_type = StringTensorType if labels.dtype == object else Int64TensorType
    n_columns = _n_probabilities(estimator)
    label_shape = [n_samples, n_columns] if _is_multilabel(estimator) else [n_samples]
    operator.outputs[0].set_type(label_type(label_shape))
    operator.outputs[1].set_type(_tensor_type(operator)([n_samples, n_columns]))


def calculate_regressor_shapes(operator):
    """``variable`` of shape (n_samples, n_outputs)."""
    _check_operator(operator, 1)
    n_samples = operator.inputs[0].get_first_dimension()
    n_outputs = operator.raw_operator.n_outputs_
    operator.outputs[0].set_type(_tensor_type(operator)([n_samples, n_outputs]))


_INPUT_DTYPES = {
    FloatTensorType: np.float32,
    DoubleTensorType: np.float64,
    Int64TensorType: np.int64,
    BooleanTensorType: np.bool_,
}


def _graph(scope, operator, container):
    dtype = np.float64 if _tensor_type(operator) is DoubleTensorType else np.float32
    network_dtype = operator.raw_operator.coefs_[0].dtype
    input_dtype = _INPUT_DTYPES[type(operator.inputs[0].type)]
    return Graph(scope, container, dtype, np.result_type(input_dtype, network_dtype))


def convert_classifier(scope, operator, container):
    """Labels and probabilities as ``predict`` and ``predict_proba`` compute them.

    Binary: ``[1 - p, p]``; multiclass: the softmax; the label is the class
    of the first largest probability. Multilabel: the sigmoid of each label,
    and ``p > 0.5`` as the 0/1 label matrix.
    """
    estimator = operator.raw_operator
    graph = _graph(scope, operator, container)
    label, probabilities = (variable.full_name for variable in operator.outputs)
    output = network_output(graph, estimator, graph.cast_input(operator.inputs[0]))
    if _is_multilabel(estimator):
        above = graph.node("Greater", [output, graph.constant(0.5, "threshold")])
        graph.node("Cast", [above], output=label, to=TensorProto.INT64)
        graph.node("Identity", [output], output=probabilities)
        return
    if estimator.n_outputs_ == 1:
        negative = graph.node("Sub", [graph.constant(1.0, "one"), output])
        graph.node("Concat", [negative, output], output=probabilities, axis=1)
    else:
        graph.node("Identity", [output], output=probabilities)
    # One class: both columns name it, as predict always returns it.
    labels = np.resize(_label_values(scope, estimator), _n_probabilities(estimator))
    classes = (
        graph.strings(labels)
        if labels.dtype == object
        else graph.constant(labels, "classes", np.int64)
    )
    best = graph.node("ArgMax", [probabilities], axis=1, keepdims=0)
    graph.node("Gather", [classes, best], output=label, axis=0)


def convert_regressor(scope, operator, container):
    """The predicted values, as ``predict`` computes them, shape (n_samples, n_outputs)."""
    graph = _graph(scope, operator, container)
    output = network_output(graph, operator.raw_operator, graph.cast_input(operator.inputs[0]))
    graph.node("Identity", [output], output=operator.outputs[0].full_name)


def register():
    """Register the converters of both estimators with skl2onnx.

    Called when :mod:`skmlp.onnx` is imported; calling it again re-registers
    them (after another library overwrote them, say).

    See Also
    --------
    skl2onnx.to_onnx : Convert a fitted estimator or pipeline.

    Examples
    --------
    >>> import skmlp.onnx  # registers the converters
    >>> skmlp.onnx.register()  # again, after another library replaced them
    """
    update_registered_converter(
        MLPClassifier,
        "SkmlpMLPClassifier",
        calculate_classifier_shapes,
        convert_classifier,
        parser=parse_classifier,
        options=CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        MLPRegressor, "SkmlpMLPRegressor", calculate_regressor_shapes, convert_regressor
    )
    for tabular in (TabularMLPClassifier, TabularMLPRegressor):
        update_registered_converter(
            tabular, f"Skmlp{tabular.__name__}", refuse_tabular_shapes, refuse_tabular
        )


def refuse_tabular_shapes(operator):
    """See `refuse_tabular`: the shape calculator runs first, and refuses."""
    refuse_tabular(None, operator, None)


def refuse_tabular(scope, operator, container):
    """The tabular estimators do not convert (yet): say so, before any graph.

    Their preprocessing (a column transformer over a DataFrame's columns,
    categories to one-hot columns and codes) and layers (periodic
    embeddings, embedding tables, parametric activations) have no converter
    here; the periodic embeddings would be Cos and MatMul nodes.
    """
    raise NotImplementedError(
        f"skmlp.onnx cannot convert {type(operator.raw_operator).__name__}: its "
        "preprocessing of the table's columns and its tabular layers have no ONNX "
        "converter yet. Save them with skops (skmlp.trusted_types()) instead."
    )
