"""
Deploying a fitted model: ONNX and skops
========================================

A model leaves the notebook in one of two ways: as an ONNX graph, served by
`onnxruntime <https://onnxruntime.ai>`_ without Python's scientific stack, or
as a file that Python loads back. This example does both with a pipeline
trained on scikit-learn's handwritten digits: it exports the pipeline with
skl2onnx after ``import skmlp.onnx``, checks that onnxruntime gives the same
probabilities as ``predict_proba``, times both on one row and on 10,000 rows,
and saves and loads the pipeline with skops, which refuses any type it is not
told to trust.

It needs the ``onnx`` extra (``pip install "skmlp[onnx]"``: skl2onnx, onnx,
onnxruntime) and skops.
"""

# %%
# A pipeline to deploy
# --------------------
# Scaling, then a network with batch normalisation and dropout: the
# converter folds the batch statistics into the dense layers and drops the
# dropout layers, which are the identity at inference.
import os
import tempfile
import timeit

import numpy as np
import onnxruntime as ort
import skops.io as sio
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp
import skmlp.onnx  # noqa: F401  (registers skmlp's converters with skl2onnx)
from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(64,), normalization="batch", dropout=0.1,
        max_iter=60, early_stopping=True, random_state=0,
    ),
)
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Export and check
# ----------------
# ``to_onnx`` takes one row to learn the input type: float32 here, the type
# most runtimes are fastest in. ``zipmap=False`` keeps the probabilities as a
# matrix instead of one dictionary per row.
X_test32 = X_test.astype(np.float32)
onx = to_onnx(model, X_test32[:1], options={"zipmap": False})
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
input_name = session.get_inputs()[0].name
labels, probabilities = session.run(None, {input_name: X_test32})
difference = np.abs(probabilities - model.predict_proba(X_test)).max()
print(f"largest probability difference: {difference:.1e}")
print(f"same labels: {np.array_equal(labels, model.predict(X_test))}")

# %%
# Speed
# -----
# Prediction on one row is dominated by the overhead of each call: input
# checks and dispatch in Python, the session's set-up in onnxruntime. On
# 10,000 rows the matrix products dominate. Each time is the best of several
# repetitions.
rows = np.resize(X_test32, (10_000, X_test.shape[1]))


def best_time(function, number):
    return min(timeit.repeat(function, number=number, repeat=5)) / number


for name, batch, number in [("1 row", rows[:1], 200), ("10,000 rows", rows, 3)]:
    predict = best_time(lambda: model.predict_proba(batch), number)
    onnx = best_time(lambda: session.run(None, {input_name: batch}), number)
    print(f"{name:>11}: predict_proba {predict * 1e6:8.0f} us, onnxruntime "
          f"{onnx * 1e6:8.0f} us ({predict / onnx:.1f}x)")

# %%
# Save and load with skops
# ------------------------
# ``skops.io.load`` only builds the types it trusts. scikit-learn's are
# trusted by default; :func:`skmlp.trusted_types` lists skmlp's own. Check
# what a file needs with ``get_untrusted_types`` before trusting it.
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "digits.skops")
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    print("types to trust:", *untrusted, sep="\n  ")
    assert set(untrusted) <= set(skmlp.trusted_types())
    loaded = sio.load(path, trusted=skmlp.trusted_types())
print(f"same probabilities after loading: "
      f"{np.array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))}")

# %%
# MLflow saves scikit-learn models with skops by default, so the same list
# goes to ``mlflow.sklearn.save_model(model, path,
# skops_trusted_types=skmlp.trusted_types())``; see the user guide's
# "Deploying" page.
