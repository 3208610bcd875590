"""
Quick start: handwritten digits, skmlp beside scikit-learn
==========================================================

:class:`skmlp.MLPClassifier` takes the same parameters, with the same defaults,
as :class:`sklearn.neural_network.MLPClassifier`, so it goes into a
:class:`~sklearn.pipeline.Pipeline` unchanged. This script trains both with the
same hyperparameters on the same split of scikit-learn's handwritten digits and
prints their test accuracy and fit time side by side.

It needs only scikit-learn and skmlp: the digits ship with scikit-learn.
"""

# %%
# The data
# --------
# 1,797 grey-level images of 8x8 pixels, one digit (0-9) each. A quarter of
# them, stratified by digit, is held out for testing.
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
print(f"train: {X_train.shape}, test: {X_test.shape}")

# %%
# Two pipelines, one set of hyperparameters
# -----------------------------------------
# The pixels are standardised, then fed to one hidden layer of 64 ReLU units
# trained by Adam (the default solver). Only the import differs between the
# two models.
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier

params = dict(hidden_layer_sizes=(64,), alpha=1e-3, max_iter=300, random_state=0)
models = {
    "skmlp": make_pipeline(StandardScaler(), MLPClassifier(**params)),
    "scikit-learn": make_pipeline(StandardScaler(), SklearnMLPClassifier(**params)),
}

# %%
# Fit, time and score
# -------------------
# ``n_iter_`` is the number of epochs each model ran before its training loss
# stopped improving.
from time import perf_counter

print(f"{'model':<13} {'test accuracy':>13} {'epochs':>6} {'fit time (s)':>12}")
for name, model in models.items():
    start = perf_counter()
    model.fit(X_train, y_train)
    fit_time = perf_counter() - start
    accuracy = model.score(X_test, y_test)
    n_iter = model[-1].n_iter_
    print(f"{name:<13} {accuracy:>13.3f} {n_iter:>6} {fit_time:>12.2f}")
