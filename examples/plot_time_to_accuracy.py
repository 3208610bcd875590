"""
Time to accuracy: a one-cycle recipe against scikit-learn's default
====================================================================

What a user waits for is not an epoch but a good model. scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` trains Adam at a constant
learning rate until the training loss stops improving. This example draws the
held-out accuracy of two models against the wall-clock seconds spent training
them on Fashion-MNIST: scikit-learn's default, and :class:`skmlp.MLPClassifier`
with the recipe of the user guide (:ref:`fast_training_recipe`): a wider
network, larger mini-batches and a one-cycle learning-rate schedule run to its
end.

Fashion-MNIST is read from the gzipped IDX files that Debian's
``dataset-fashion-mnist`` package installs under
``/usr/share/datasets/fashion-mnist``; where that folder is absent the example
falls back to scikit-learn's bundled 8x8 digits, so it always runs.
``benchmarks/bench_time_to_accuracy.py`` measures the same on all 60,000
training images and three other data sets, in fresh processes.
"""

# %%
# The data
# --------
# To keep the run short, 20,000 random training images are used; the test set
# is the official one of 10,000 images. Pixels are divided by 255 and kept in
# float32, which both implementations train in.
import numpy as np

from skmlp.datasets import load_fashion_mnist

rng = np.random.default_rng(0)
try:
    X_train, y_train = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    rows = rng.choice(len(y_train), size=20_000, replace=False)
    X_train, y_train = X_train[rows] / np.float32(255), y_train[rows]
    X_test = X_test / np.float32(255)
except FileNotFoundError as error:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    print(f"{error}\nUsing scikit-learn's digits instead.")
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32) / 16, y, test_size=0.25, stratify=y, random_state=0
    )
print(f"train: {X_train.shape}, test: {X_test.shape}")

# %%
# scikit-learn's default, epoch by epoch
# --------------------------------------
# To score scikit-learn's model after every epoch, its epochs are run one
# ``partial_fit`` call at a time: each call is one epoch of ``fit``'s loop,
# with the same Adam state carried over. Given one
# :class:`~numpy.random.RandomState` object, the calls go on drawing from one
# stream: the initial weights are those of ``fit(random_state=0)`` and the rows
# are reshuffled every epoch, though not into the same orders (``fit``
# reshuffles its previous order, each ``partial_fit`` the original one), so the
# curve is that of an equivalent fit, not of the same one. The loop stops by
# ``fit``'s own rule: the training loss has not improved by ``tol`` for more
# than ``n_iter_no_change`` epochs, or ``max_iter`` epochs have run. Only the
# ``partial_fit`` calls are timed (they also validate the input every time, a
# few percent of an epoch).
from time import perf_counter

from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

sk = SklearnMLPClassifier(random_state=np.random.RandomState(0))
classes = np.unique(y_train)
sk_seconds, sk_scores = [], []
clock, best_loss, no_improvement = 0.0, np.inf, 0
for epoch in range(sk.max_iter):
    start = perf_counter()
    sk.partial_fit(X_train, y_train, classes=classes)
    clock += perf_counter() - start
    sk_seconds.append(clock)
    sk_scores.append(sk.score(X_test, y_test))
    loss = sk.loss_curve_[-1]
    no_improvement = no_improvement + 1 if loss > best_loss - sk.tol else 0
    best_loss = min(best_loss, loss)
    if no_improvement > sk.n_iter_no_change:
        break
print(f"scikit-learn: {len(sk_scores)} epochs, {clock:.1f} s, "
      f"test accuracy {sk_scores[-1]:.4f}")

# %%
# The recipe, scored by an epoch callback
# ---------------------------------------
# skmlp follows scikit-learn's callback protocol (:mod:`sklearn.callback`):
# after each epoch, a callback receives a ready-to-predict copy of the network
# being trained. This one scores it on the test images and takes the time it
# spent off the clock. The recipe for these 20,000 images: two hidden layers of
# 256 and 128 units, mini-batches of 256, Adam with a one-cycle schedule
# peaking at 3e-3 (``learning_rate="one_cycle"``), and 10 epochs, the schedule's
# planned end, so the training-loss stopping rule is switched off
# (``n_iter_no_change=max_iter``).
from skmlp import MLPClassifier


class ScoreEachEpoch:
    """Score each epoch's model on held-out data, off the training clock."""

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.times, self.scores, self.scoring = [], [], 0.0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            now = perf_counter()
            self.times.append(now - self.scoring)
            self.scores.append(fitted_estimator.score(self.X, self.y))
            self.scoring += perf_counter() - now
        return False


epochs = 10
recipe = MLPClassifier(
    hidden_layer_sizes=(256, 128),
    batch_size=256,
    learning_rate="one_cycle",
    learning_rate_init=3e-3,
    max_iter=epochs,
    n_iter_no_change=epochs,
    random_state=0,
)
scorer = ScoreEachEpoch(X_test, y_test)
start = perf_counter()
recipe.set_callbacks(scorer).fit(X_train, y_train)
recipe_seconds = [end - start for end in scorer.times]
print(f"recipe: {recipe.n_iter_} epochs, {recipe_seconds[-1]:.1f} s, "
      f"test accuracy {scorer.scores[-1]:.4f}")

reached = next((s for s, a in zip(recipe_seconds, scorer.scores) if a >= sk_scores[-1]), None)
if reached is None:
    print("the recipe did not reach scikit-learn's final accuracy")
else:
    print(f"the recipe reached scikit-learn's final accuracy after {reached:.1f} s, "
          f"{clock / reached:.1f} times sooner")

# %%
# Accuracy against time
# ---------------------
# The one-cycle schedule warms up for the first 30% of its steps, then lowers
# the rate to almost zero by the last: the accuracy climbs fastest at the end,
# when the rate is small. scikit-learn's constant rate keeps the weights
# moving until its stopping rule ends the fit.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(sk_seconds, sk_scores, label="scikit-learn default", color="tab:grey")
ax.plot(recipe_seconds, scorer.scores, marker=".", label="skmlp recipe (one-cycle)",
        color="tab:blue")
ax.axhline(sk_scores[-1], color="tab:grey", linestyle=":", linewidth=1)
if reached is not None:
    ax.axvline(reached, color="tab:blue", linestyle=":", linewidth=1)
ax.set_xscale("log")
ax.set_xlabel("training time (s, log scale)")
ax.set_ylabel("test accuracy")
ax.set_ylim(max(0.0, min(sk_scores[0], scorer.scores[0]) - 0.02), None)
ax.legend(loc="lower right")
ax.set_title("Held-out accuracy during training")
fig.tight_layout()
plt.show()
