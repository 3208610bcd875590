"""ONNX export: onnxruntime's outputs against predict and predict_proba.

Every configuration of test_common.py is converted for every kind of target
it supports, with float32 and float64 inputs, and run in onnxruntime (or, for
float64 GELU, which onnxruntime has no kernel for, in onnx's reference
evaluator).
"""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_linnerud,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from test_common import _configurations

skl2onnx = pytest.importorskip("skl2onnx", reason="needs the 'onnx' extra (skl2onnx)")
ort = pytest.importorskip("onnxruntime", reason="needs the 'onnx' extra (onnxruntime)")

import skmlp.onnx  # noqa: E402, F401  (registers the converters)
from onnx.reference import ReferenceEvaluator  # noqa: E402
from skl2onnx import convert_sklearn, to_onnx  # noqa: E402
from skl2onnx.common.data_types import (  # noqa: E402
    BooleanTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)

from skmlp import MLPClassifier, MLPRegressor  # noqa: E402
from skmlp.nn import ReLU  # noqa: E402

# Largest difference allowed from predict/predict_proba, by graph dtype.
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
# onnxruntime has no float64 Erf kernel and the reference evaluator computes
# Erf in float32: a float64 GELU graph is checked at float32 precision.
GELU_FLOAT64_TOLERANCE = 1e-6


def _standardized(X):
    return StandardScaler().fit_transform(X)


def _targets():
    """Real data for each kind of target: (X, y) by name."""
    X_iris, y_iris = load_iris(return_X_y=True)
    X_iris = _standardized(X_iris)
    X_cancer, y_cancer = load_breast_cancer(return_X_y=True)
    X_diabetes, y_diabetes = load_diabetes(return_X_y=True)
    X_linnerud, Y_linnerud = load_linnerud(return_X_y=True)
    # Multilabel: the iris species "virginica", and a long sepal.
    labels = np.c_[y_iris == 2, X_iris[:, 0] > 0].astype(int)
    return {
        "binary": (_standardized(X_cancer[:200, :10]), y_cancer[:200]),
        "multiclass": (X_iris, y_iris),
        "multilabel": (X_iris, labels),
        "regression": (X_diabetes[:200], y_diabetes[:200] / y_diabetes.mean()),
        "multi-output": (_standardized(X_linnerud), Y_linnerud / Y_linnerud.mean(axis=0)),
    }


TARGETS = _targets()
CASES = [
    (estimator.set_params(max_iter=30), kind)
    for estimator in _configurations()
    for kind in (
        ("binary", "multiclass", "multilabel")
        if isinstance(estimator, MLPClassifier)
        else ("regression", "multi-output")
    )
    # Poisson regression has one output in scikit-learn's MLP too.
    if not (kind == "multi-output" and getattr(estimator, "loss", None) == "poisson")
]


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _run(onx, X, reference=False):
    """The outputs of the model for X, in onnxruntime or the reference evaluator."""
    if reference:
        session = ReferenceEvaluator(onx)
        return session.run(None, {onx.graph.input[0].name: X})
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def _case_id(case):
    """The options in which a case differs from the defaults and the shared ones."""
    estimator, kind = case
    defaults = type(estimator)().get_params()
    shared = {"hidden_layer_sizes": (16,), "learning_rate_init": 0.01, "random_state": 0}
    options = [
        f"{name}={value!r}"
        for name, value in estimator.get_params().items()
        if name != "max_iter" and repr(value) not in (repr(defaults[name]), repr(shared.get(name)))
    ]
    return f"{type(estimator).__name__}({', '.join(options)})-{kind}"


def _uses_gelu(estimator):
    activation = estimator.activation
    return "gelu" in ([activation] if isinstance(activation, str) else list(activation))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_onnx_matches_predict(case, dtype):
    estimator, kind = case
    X, y = TARGETS[kind]
    model = _fit(estimator, X, y)
    X_typed = X.astype(dtype)
    options = {"zipmap": False} if isinstance(model, MLPClassifier) else None
    onx = to_onnx(model, X_typed[:1], options=options)
    reference = dtype == np.float64 and _uses_gelu(model)
    tolerance = GELU_FLOAT64_TOLERANCE if reference else TOLERANCE[dtype]
    outputs = _run(onx, X_typed, reference=reference)
    if isinstance(model, MLPClassifier):
        labels, probabilities = outputs
        np.testing.assert_array_equal(labels, model.predict(X))
        np.testing.assert_allclose(probabilities, model.predict_proba(X), rtol=0, atol=tolerance)
    else:
        (values,) = outputs
        expected = model.predict(X).reshape(len(X), -1)
        np.testing.assert_allclose(values, expected, rtol=tolerance, atol=tolerance)


def test_skl2onnx_mlp_regressor_bool_case():
    # skl2onnx 1.20's test_model_mlp_regressor_bool (its fit_regression_model
    # with is_bool=True): boolean input was refused by skmlp (issue 22, item 12).
    X, y = make_regression(n_features=10, n_samples=250, n_targets=1, random_state=42,
                           n_informative=10)
    X = X.astype(np.int64).astype(bool)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.5, random_state=42)
    model = _fit(MLPRegressor(random_state=42), X_train, y_train)
    onx = convert_sklearn(model, "scikit-learn MLPRegressor",
                          [("input", BooleanTensorType([None, X_test.shape[1]]))])
    (values,) = _run(onx, X_test)
    expected = model.predict(X_test).reshape(-1, 1)
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("tensor_type, dtype", [(BooleanTensorType, bool),
                                                 (Int64TensorType, np.int64)])
def test_boolean_and_int64_input_are_cast(tensor_type, dtype):
    # Both estimators, as skl2onnx's MLP converter: cast to float32.
    X, y = TARGETS["multiclass"]
    X_typed = (X > 0) if dtype is bool else np.round(2 * X).astype(np.int64)
    classifier = _fit(MLPClassifier((8,), max_iter=50, random_state=0), X_typed, y)
    onx = convert_sklearn(classifier, initial_types=[("X", tensor_type([None, 4]))],
                          options={"zipmap": False})
    labels, probabilities = _run(onx, X_typed)
    np.testing.assert_array_equal(labels, classifier.predict(X_typed))
    np.testing.assert_allclose(probabilities, classifier.predict_proba(X_typed), atol=1e-5)
    regressor = _fit(MLPRegressor((8,), max_iter=50, random_state=0), X_typed, X[:, 0])
    onx = convert_sklearn(regressor, initial_types=[("X", tensor_type([None, 4]))])
    (values,) = _run(onx, X_typed)
    np.testing.assert_allclose(values[:, 0], regressor.predict(X_typed), rtol=1e-5, atol=1e-5)


def test_zipmap_options_and_string_labels():
    X, y = TARGETS["multiclass"]
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = _fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, names)
    X32 = X.astype(np.float32)
    expected = model.predict_proba(X)

    labels, maps = _run(to_onnx(model, X32[:1]), X32)  # zipmap=True, the default
    np.testing.assert_array_equal(labels, model.predict(X))
    assert list(maps[0]) == list(model.classes_)
    np.testing.assert_allclose([list(row.values()) for row in maps], expected, atol=1e-5)

    labels, *columns = _run(to_onnx(model, X32[:1], options={"zipmap": "columns"}), X32)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(np.column_stack(columns), expected, atol=1e-5)

    onx = to_onnx(model, X32[:1], options={"zipmap": False, "nocl": True})
    indices, probabilities = _run(onx, X32)
    np.testing.assert_array_equal(model.classes_[indices], model.predict(X))
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)

    onx = to_onnx(model, X32[:1], options={"zipmap": False, "output_class_labels": True})
    assert list(_run(onx, X32)[2]) == list(model.classes_)


def test_multilabel_zipmap_maps_each_label():
    X, Y = TARGETS["multilabel"]
    model = _fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, Y)
    X32 = X.astype(np.float32)
    labels, maps = _run(to_onnx(model, X32[:1]), X32)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose([list(row.values()) for row in maps], model.predict_proba(X), atol=1e-5)


def test_pipeline_with_scaler():
    X, y = load_breast_cancer(return_X_y=True)
    classifier = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    pipeline = _fit(make_pipeline(StandardScaler(), classifier), X, y)
    X32 = X.astype(np.float32)
    labels, probabilities = _run(to_onnx(pipeline, X32[:1], options={"zipmap": False}), X32)
    np.testing.assert_array_equal(labels, pipeline.predict(X))
    np.testing.assert_allclose(probabilities, pipeline.predict_proba(X), atol=1e-5)


def test_pipeline_with_column_transformer():
    pd = pytest.importorskip("pandas")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X["sex"] = np.where(X["sex"] > 0, "f", "m")
    numeric = [column for column in X.columns if column != "sex"]
    features = ColumnTransformer(
        [("numeric", StandardScaler(), numeric), ("sex", OneHotEncoder(), ["sex"])]
    )
    pipeline = make_pipeline(features, MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0))
    pipeline = _fit(pipeline, X, y / y.mean())
    inputs = [(column, FloatTensorType([None, 1])) for column in numeric]
    onx = convert_sklearn(pipeline, initial_types=[*inputs, ("sex", StringTensorType([None, 1]))])
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {column: X[[column]].to_numpy(np.float32) for column in numeric}
    feeds["sex"] = X[["sex"]].to_numpy()
    (values,) = session.run(None, feeds)
    assert isinstance(X, pd.DataFrame)
    np.testing.assert_allclose(values.ravel(), pipeline.predict(X), rtol=1e-5, atol=1e-5)


def test_layer_norm_needs_opset_17():
    X, y = TARGETS["multiclass"]
    model = _fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, normalization="layer"), X, y)
    message = (
        "Layer normalisation needs ONNX's LayerNormalization, which opset 17 introduced; "
        "the target opset is 16. Convert with target_opset=17 or later."
    )
    with pytest.raises(NotImplementedError, match=message):
        to_onnx(model, X[:1].astype(np.float32), target_opset=16)
    to_onnx(model, X[:1].astype(np.float32), target_opset=17)


class _ShiftedReLU(ReLU):
    """A layer the converter does not know (a subclass may compute anything)."""


def test_unknown_layer_is_refused():
    X, y = TARGETS["regression"]
    model = _fit(MLPRegressor(hidden_layer_sizes=(8,), max_iter=30), X, y)
    model._network.layers[1] = _ShiftedReLU()
    with pytest.raises(NotImplementedError, match=r"cannot convert MLPRegressor with a layer "
                       r"_ShiftedReLU\(\) of type _ShiftedReLU: it converts the layers \["):
        to_onnx(model, X[:1].astype(np.float32))


def test_unfitted_estimator_is_refused():
    with pytest.raises(NotFittedError):
        to_onnx(MLPClassifier(), np.zeros((1, 3), dtype=np.float32))


def test_importing_skmlp_does_not_import_skl2onnx():
    code = "import sys, skmlp, skmlp.nn; sys.exit('skl2onnx' in sys.modules or 'onnx' in sys.modules)"
    root = Path(__file__).parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


def test_one_class_labels_and_probabilities():
    # predict_proba has the columns [1 - p, p] for the one class, as in
    # scikit-learn; the label is that class even where p > 0.5.
    X, _ = TARGETS["multiclass"]
    model = _fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, np.full(len(X), 7))
    model.intercepts_[-1][:] += 100.0  # p close to 1 on every row
    X32 = X.astype(np.float32)
    labels, probabilities = _run(to_onnx(model, X32[:1], options={"zipmap": False}), X32)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(probabilities, model.predict_proba(X), rtol=0, atol=1e-5)
    message = (
        "cannot convert MLPClassifier fitted on one class (7) with zipmap=True: its "
        "predict_proba has 2 columns for 1 class label. Convert with options={'zipmap': False}."
    )
    with pytest.raises(NotImplementedError, match=re.escape(message)):
        to_onnx(model, X32[:1])


def test_poisson_cap_of_a_float64_network_in_a_float32_graph():
    # predict computes float32 rows in the float64 network's dtype, and caps
    # there: means above float32's cap (exp(44.4), 1.8e19) that float32 holds
    # must not be cut.
    X, y = TARGETS["regression"]
    model = _fit(MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, loss="poisson", random_state=0), X, y)
    model.intercepts_[-1][:] += 50.0
    X32 = X.astype(np.float32)
    (values,) = _run(to_onnx(model, X32[:1]), X32)
    expected = model.predict(X32).reshape(len(X), -1)
    assert expected.max() > 1e20
    np.testing.assert_allclose(values, expected, rtol=1e-5)


def test_layer_norm_epsilon_below_float32_is_refused():
    X, y = TARGETS["multiclass"]
    model = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=30, normalization="layer", normalization_epsilon=1e-300
    )
    model = _fit(model, X, y)
    message = (
        "Layer normalisation with epsilon 1e-300: ONNX's LayerNormalization holds its "
        "epsilon as a float32, whose smallest normal value is 1.17549e-38."
    )
    with pytest.raises(NotImplementedError, match=re.escape(message)):
        to_onnx(model, X[:1], target_opset=17)


@pytest.mark.parametrize("dtype", [np.float64, np.bool_, np.uint8], ids=lambda d: np.dtype(d).name)
def test_output_class_labels_of_other_dtypes_is_refused(dtype):
    # skl2onnx writes labels other than int32/int64 as strings: an invalid
    # graph (float, uint8; also with nocl) or a failed node (bool) without
    # this check.
    X, y = TARGETS["binary"]
    model = _fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, y.astype(dtype))
    X32 = X.astype(np.float32)
    message = (
        f"skl2onnx's output_class_labels cannot output class labels of dtype {np.dtype(dtype).name} "
        "(only int32, int64 and strings); convert MLPClassifier without it."
    )
    for nocl in (False, True):
        options = {"zipmap": False, "output_class_labels": True, "nocl": nocl}
        with pytest.raises(NotImplementedError, match=re.escape(message)):
            to_onnx(model, X32[:1], options=options)
    labels, _ = _run(to_onnx(model, X32[:1], options={"zipmap": False}), X32)
    np.testing.assert_array_equal(labels, model.predict(X))


def test_uint64_labels_beyond_int64_are_refused():
    # They were wrapped to negative int64 labels, every one wrong.
    X, y = TARGETS["binary"]
    labels = y.astype(np.uint64) + np.uint64(2**63)
    model = _fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, labels)
    message = (
        "cannot convert MLPClassifier with class labels above the largest int64 "
        "(9223372036854775809): ONNX labels are int64 or strings."
    )
    with pytest.raises(NotImplementedError, match=re.escape(message)):
        to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})
