"""
Image classification from raw pixels
====================================

A multi-layer perceptron reads an image as a flat vector of pixel values. This
example trains :class:`skmlp.MLPClassifier` on Fashion-MNIST, 28x28 grey-level
photographs of clothes in ten classes, and shows which classes it confuses.

Fashion-MNIST is read from the original gzipped IDX files that Debian's
``dataset-fashion-mnist`` package installs under
``/usr/share/datasets/fashion-mnist`` (``apt-get install dataset-fashion-mnist``).
Where that folder is absent, the example falls back to scikit-learn's bundled
8x8 handwritten digits, so it always runs.
"""

# %%
# Reading the IDX files
# ---------------------
# An IDX file is a big-endian header (two zero bytes, a type code, the number of
# dimensions, then one 32-bit size per dimension) followed by the raw
# ``uint8`` values. Each file is gzipped.
import gzip
from pathlib import Path

import numpy as np


def read_idx(path):
    """Return the array stored in a gzipped IDX file of unsigned bytes."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


# %%
# Loading the data
# ----------------
# To keep the run under a minute on two cores, a random 20,000 of the 60,000
# training images are used; the test set is the official one of 10,000 images.
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
rng = np.random.default_rng(0)

if FASHION_DIR.is_dir():
    X_train = read_idx(FASHION_DIR / "train-images-idx3-ubyte.gz")
    y_train = read_idx(FASHION_DIR / "train-labels-idx1-ubyte.gz")
    X_test = read_idx(FASHION_DIR / "t10k-images-idx3-ubyte.gz")
    y_test = read_idx(FASHION_DIR / "t10k-labels-idx1-ubyte.gz")
    subset = rng.choice(len(y_train), size=20_000, replace=False)
    X_train, y_train = X_train[subset], y_train[subset]
    X_train = X_train.reshape(len(X_train), -1)
    X_test = X_test.reshape(len(X_test), -1)
    class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
else:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    print(f"{FASHION_DIR} not found: using scikit-learn's digits instead")
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    class_names = [str(digit) for digit in range(10)]

print(f"train: {X_train.shape}, test: {X_test.shape}, "
      f"pixel values {X_train.min()}..{X_train.max()}")

# %%
# The model
# ---------
# :class:`~sklearn.preprocessing.MinMaxScaler` maps each pixel to [0, 1]. One
# hidden layer of 128 ReLU units is trained by Adam; ``early_stopping`` holds
# out 10% of the training images and stops once their accuracy has not improved
# for 5 epochs.
from time import perf_counter

from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skmlp import MLPClassifier

model = make_pipeline(
    MinMaxScaler(),
    MLPClassifier(
        hidden_layer_sizes=(128,),
        alpha=1e-3,
        early_stopping=True,
        n_iter_no_change=5,
        max_iter=50,
        random_state=0,
    ),
)
start = perf_counter()
model.fit(X_train, y_train)
print(f"fitted {model[-1].n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Which classes are confused?
# ---------------------------
# Each row of the confusion matrix is a true class, normalised to sum to one, so
# the diagonal is the recall of each class. On Fashion-MNIST, the upper-body
# garments (shirts, T-shirts, pullovers and coats) are the hard cases.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay.from_estimator(
    model,
    X_test,
    y_test,
    display_labels=class_names,
    normalize="true",
    values_format=".2f",
    xticks_rotation=45,
    colorbar=False,
    ax=ax,
)
ax.set_title("Test set, rows normalised to recall")
fig.tight_layout()
plt.show()
