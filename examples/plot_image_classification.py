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
# Loading the data
# ----------------
# :func:`skmlp.datasets.load_fashion_mnist` reads the gzipped IDX files (it
# never downloads) and returns each image as a row of 784 grey levels. To keep
# the run under a minute on two cores, a random 20,000 of the 60,000 training
# images are used; the test set is the official one of 10,000 images.
import numpy as np

from skmlp.datasets import FASHION_MNIST_CLASSES, load_fashion_mnist

rng = np.random.default_rng(0)
try:
    X_train, y_train = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    subset = rng.choice(len(y_train), size=20_000, replace=False)
    X_train, y_train = X_train[subset], y_train[subset]
    class_names = list(FASHION_MNIST_CLASSES)
except FileNotFoundError as error:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    print(f"{error}\nUsing scikit-learn's digits instead.")
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
