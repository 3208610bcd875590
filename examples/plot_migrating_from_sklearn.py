"""
Migrating from scikit-learn: a one-line change
==============================================

skmlp's estimators take the parameters of
:class:`sklearn.neural_network.MLPClassifier` and
:class:`~sklearn.neural_network.MLPRegressor`, in the same order and with the
same defaults, and expose the same fitted attributes. Moving a script over is a
change of import: ::

    - from sklearn.neural_network import MLPClassifier, MLPRegressor
    + from skmlp import MLPClassifier, MLPRegressor

This example runs the same code with both imports, the same parameters and the
same cross-validation splits, on two data sets bundled with scikit-learn, and
compares the scores.
"""

# %%
# Both imports, side by side
# --------------------------
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

from skmlp import MLPClassifier, MLPRegressor

# %%
# Same parameters, same defaults
# ------------------------------
# Every parameter of scikit-learn's estimators exists in skmlp's with the same
# default value. skmlp may offer more (listed last).
for ours, theirs in [(MLPClassifier, SklearnMLPClassifier),
                     (MLPRegressor, SklearnMLPRegressor)]:
    our_params, their_params = ours().get_params(), theirs().get_params()
    differ = [name for name, value in their_params.items()
              if our_params.get(name, "missing") != value]
    extra = sorted(set(our_params) - set(their_params))
    print(f"{ours.__name__}: {len(their_params)} parameters of scikit-learn's, "
          f"defaults that differ: {', '.join(differ) or 'none'}")
    print(f"    only in skmlp: {', '.join(extra) or 'none'}")

# %%
# One function, two estimators
# ----------------------------
# The code below is what a scikit-learn user already has: it only receives the
# estimator class. Each model is scored by 5-fold cross-validation with the same
# folds for both implementations.
from time import perf_counter

from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def cross_validate(estimator_class, X, y, cv, **params):
    model = make_pipeline(StandardScaler(), estimator_class(**params))
    start = perf_counter()
    scores = cross_val_score(model, X, y, cv=cv)
    return scores, perf_counter() - start


def compare(title, ours, theirs, X, y, cv, **params):
    print(f"\n{title}\n{'model':<13} {'mean score':>10} {'std':>6} {'time (s)':>8}")
    for name, estimator_class in [("skmlp", ours), ("scikit-learn", theirs)]:
        scores, seconds = cross_validate(estimator_class, X, y, cv, **params)
        print(f"{name:<13} {scores.mean():>10.3f} {scores.std():>6.3f} {seconds:>8.2f}")


# %%
# Classification: breast cancer
# -----------------------------
# 569 tumours described by 30 measurements of their cell nuclei, malignant or
# benign. The score is accuracy; the solver is Adam, the default.
from sklearn.datasets import load_breast_cancer, load_diabetes

X, y = load_breast_cancer(return_X_y=True)
compare("breast cancer, accuracy", MLPClassifier, SklearnMLPClassifier, X, y,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        hidden_layer_sizes=(32,), alpha=1e-2, max_iter=500, random_state=0)

# %%
# Regression: diabetes progression
# --------------------------------
# 442 patients, 10 baseline variables, and a measure of disease progression one
# year later. The score is :math:`R^2`; this time the solver is L-BFGS.
X, y = load_diabetes(return_X_y=True)
compare("diabetes, R^2", MLPRegressor, SklearnMLPRegressor, X, y,
        cv=KFold(5, shuffle=True, random_state=0),
        hidden_layer_sizes=(8,), alpha=100.0, solver="lbfgs", max_iter=2000,
        random_state=0)

# %%
# The same fitted attributes
# --------------------------
# After ``fit``, both classifiers hold the same attributes: ``classes_``,
# ``coefs_`` and ``intercepts_`` with the same shapes, ``n_iter_``, ``loss_``
# and, for the stochastic solvers, ``loss_curve_``. Their training curves on
# the breast cancer data can be drawn with the same code.
import matplotlib.pyplot as plt

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
fig, ax = plt.subplots(figsize=(6, 4))
for name, estimator_class, style in [("skmlp", MLPClassifier, "-"),
                                     ("scikit-learn", SklearnMLPClassifier, "--")]:
    mlp = estimator_class(hidden_layer_sizes=(32,), alpha=1e-2, max_iter=500,
                          random_state=0).fit(X, y)
    shapes = [coef.shape for coef in mlp.coefs_]
    print(f"{name:<13} classes_={mlp.classes_}, coefs_ shapes={shapes}, "
          f"n_iter_={mlp.n_iter_}, loss_={mlp.loss_:.4f}")
    ax.plot(mlp.loss_curve_, linestyle=style, label=name)
ax.set(xlabel="epoch", ylabel="training loss (log-loss + L2 penalty)",
       yscale="log", title="Breast cancer, same parameters")
ax.legend()
fig.tight_layout()
plt.show()
