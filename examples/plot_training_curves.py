"""
Training curves: dropout and normalisation against overfitting
===============================================================

A network's training loss says how well it fits the images it learns from; only
held-out images say whether it generalises. This example trains the same
network on Fashion-MNIST four times (as it is, with dropout, with batch
normalisation and with layer normalisation) and draws both curves with
:class:`skmlp.TrainingCurveDisplay`.

Fashion-MNIST is read from the gzipped IDX files that Debian's
``dataset-fashion-mnist`` package installs under
``/usr/share/datasets/fashion-mnist``; where that folder is absent the example
falls back to scikit-learn's bundled 8x8 digits, so it always runs.
"""

# %%
# The data
# --------
# 3,000 random training images to learn from and 2,000 others to validate on:
# a small training set, which a network of this size can learn by heart.
# Pixels are divided by 255, so that they lie in [0, 1], and kept in float32,
# the precision skmlp then trains in (twice as fast as float64).
import numpy as np

from skmlp.datasets import load_fashion_mnist

rng = np.random.default_rng(0)
try:
    images, labels = load_fashion_mnist("train")
    rows = rng.choice(len(labels), size=5_000, replace=False)
    X, y = images[rows] / np.float32(255), labels[rows]
except FileNotFoundError as error:
    from sklearn.datasets import load_digits

    print(f"{error}\nUsing scikit-learn's digits instead.")
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / 16

from sklearn.model_selection import train_test_split

X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.4, stratify=y, random_state=0
)
print(f"train: {X_train.shape}, validation: {X_val.shape}")

# %%
# The quick way: early stopping records the validation score
# ------------------------------------------------------------
# With ``early_stopping=True`` the estimator holds out a tenth of the rows it
# is given and records its accuracy on them after every epoch in
# ``validation_scores_``, next to the training loss in ``loss_curve_``.
# :meth:`~skmlp.TrainingCurveDisplay.from_estimator` draws them, the score on a
# second y-axis, and the validation loss too when the estimator records one
# (``validation_loss_curve_``). It takes the estimator or a pipeline that ends
# with it.
import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, TrainingCurveDisplay

model = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(256,), early_stopping=True, random_state=0),
)
model.fit(X_train, y_train)
display = TrainingCurveDisplay.from_estimator(model)
best_epoch = int(np.argmax(model[-1].validation_scores_)) + 1
display.ax_.axvline(best_epoch, color="grey", linestyle=":")
display.ax_.set_title(f"Best epoch {best_epoch}, stopped after {model[-1].n_iter_}")
plt.show()

# %%
# Training stopped once the validation accuracy had not improved for 10 epochs
# (``n_iter_no_change``), and the weights of the best epoch (dotted line) were
# restored. The 300 held-out images make the score move in steps of 1/300,
# hence the jagged curve.

# %%
# Training loss and validation loss, epoch by epoch
# -------------------------------------------------
# To watch a whole run, the 2,000 validation images are passed to ``fit`` as
# ``X_val, y_val``; with ``n_iter_no_change=np.inf`` early stopping never
# triggers and only records, after every epoch, the accuracy in
# ``validation_scores_`` and the log-loss in ``validation_loss_curve_``.
# Accuracy moves in steps of one image; the validation *loss* shows more
# clearly when a network starts to overfit. Reaching ``max_iter`` raises a
# ``ConvergenceWarning``, expected here and silenced.
#
# All four networks have one hidden layer of 256 ReLU units and no L2 penalty
# (``alpha=0``), so that each one differs from the first by one option only.
import warnings

from sklearn.exceptions import ConvergenceWarning

CONFIGURATIONS = {
    "no regularisation": {},
    "dropout=0.5": {"dropout": 0.5},
    "normalization='batch'": {"normalization": "batch"},
    "normalization='layer'": {"normalization": "layer"},
}
networks = {}
for name, options in CONFIGURATIONS.items():
    clf = MLPClassifier(
        hidden_layer_sizes=(256,), alpha=0.0, max_iter=40, early_stopping=True,
        n_iter_no_change=np.inf, random_state=0, **options,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        networks[name] = clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)

# %%
# One display per network, on a grid of axes. Losses share one scale across the
# four panels, and so do the accuracies.
fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True, sharey=True)
displays = []
for ax, (name, clf) in zip(axes.ravel(), networks.items()):
    display = TrainingCurveDisplay.from_estimator(clf, ax=ax)
    ax.set_title(name)
    displays.append(display)
for display in displays[1:]:  # one legend is enough
    display.score_ax_.get_legend().remove()

lowest = min(min(clf.validation_scores_) for clf in networks.values())
highest = max(max(clf.validation_scores_) for clf in networks.values())
for display in displays:
    display.score_ax_.set_ylim(lowest - 0.01, highest + 0.01)
fig.tight_layout()
plt.show()

# %%
# Where each network was best on the validation images:
print(f"{'':<22} {'best val. loss':>14} {'at epoch':>8} {'last val. loss':>14} "
      f"{'last accuracy':>13}")
for name, clf in networks.items():
    val_loss = clf.validation_loss_curve_
    best = int(np.argmin(val_loss))
    print(f"{name:<22} {val_loss[best]:>14.3f} {best + 1:>8} {val_loss[-1]:>14.3f} "
          f"{clf.validation_scores_[-1]:>13.3f}")

# %%
# What the curves show
# --------------------
# On Fashion-MNIST (the epochs quoted are those of our run), the training loss
# of the network without regularisation keeps falling for all 40 epochs, while
# its validation loss bottoms out about halfway, at epoch 22, and then creeps
# up: past that point the network learns the training images by heart rather
# than what generalises. Both normalisations make the training loss fall
# faster, and on 3,000 images that means overfitting sooner: the validation
# loss turns up around epoch 12 with layer normalisation and around epoch 8
# with batch normalisation, which ends the highest of the four. Here they speed
# up fitting; they do not regularise. Dropout is the one regulariser of the
# four: its training loss stays higher (it is measured with half the units
# dropped, a harder task than prediction), its validation loss keeps falling
# for longest (to epoch 35) and reaches, and ends at, the lowest value.
#
# The training loss of an epoch is the mean over its mini-batches while the
# weights were still moving, which is why the first epoch's lies above the
# validation loss measured at its end.
#
# On the digits of the fallback, 40 epochs are too few to overfit: every
# validation loss is still falling at the end, and the two normalised networks,
# which fit fastest, are ahead.
#
# Accuracy hides most of this: it changes far less than the validation loss,
# because a network can grow over-confident on the images it gets wrong, which
# the log-loss punishes, without changing many of its decisions.
