"""
The backprop core on its own: layers, a loss, gradients and Adam
=================================================================

Under :class:`skmlp.MLPClassifier` is :mod:`skmlp.nn`, a numpy-only core that
knows nothing of scikit-learn. This example uses it directly on the iris
flowers: it builds a small network from layers, runs one forward and one
backward pass by hand, proves the gradients right with finite differences
(:mod:`skmlp.utils`), shows the check catching a wrong one, and trains the
network with a few steps of Adam.
"""

# %%
# The data
# --------
# 150 iris flowers, 4 measurements each, 3 species. The measurements are
# standardised and the species one-hot encoded, the form the losses expect.
import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
mean, std = X_train.mean(axis=0), X_train.std(axis=0)
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
Y_train = np.eye(3)[y_train]

# %%
# A network is a list of layers
# -----------------------------
# :class:`~skmlp.nn.Sequential` builds each layer for the width of the one
# below, then allocates **one** flat array for all learned parameters
# (``params``) and one for their gradients (``grads``); every layer's ``W``,
# ``b``, ``gamma``, ``beta`` is a view into them. Dense weights, the only
# parameters under the L2 penalty, come first: ``params[:n_penalized]``.
from skmlp.nn import Adam, Dense, L2Penalty, LayerNorm, MultinomialLogLoss, Sequential, Tanh

network = Sequential([Dense(16), LayerNorm(), Tanh(), Dense(3)])
network.build(4, np.float64, np.random.RandomState(0))
loss = MultinomialLogLoss()
print(network)
print(f"{network.params.size} parameters, the first {network.n_penalized} penalised")
for layer in network.layers:
    shapes = {spec.name: spec.shape for spec in layer.param_specs()}
    print(f"  {layer!r:<12} {shapes}")

# %%
# Forward: each layer computes its output and caches what backward needs
# -----------------------------------------------------------------------
# ``forward(X, training=True)`` returns the layer's output and keeps a cache:
# the dense layer keeps its input ``X`` (for ``dW = X.T @ dY``), layer norm its
# normalised values ``x_hat`` and ``1 / std`` per row, tanh its output ``Y``
# (its derivative is ``1 - Y**2``). The last dense layer gives the raw scores
# ``Z``; softmax is not a layer but part of the loss.
batch, targets = X_train[:8], Y_train[:8]
A = batch
for layer in network.layers:
    A = layer.forward(A, training=True)
    print(f"{layer!r:<12} output {A.shape}")
Z = A.copy()

# %%
# The loss and where backward starts
# ----------------------------------
# The loss takes ``Z``, not probabilities. For softmax with cross-entropy the
# gradient of the mean loss with respect to ``Z`` is
# ``(softmax(Z) - Y) / n``: the canonical link makes the derivative of the
# log-sum-exp cancel against the softmax, so no division by a probability ever
# happens.
from scipy.special import softmax

value, dZ = loss.loss_gradient(Z, targets)
print(f"loss {value:.4f}")
print("dZ == (softmax(Z) - Y) / n:",
      np.allclose(dZ, (softmax(Z, axis=1) - targets) / len(batch)))

# %%
# Backward: each layer turns the gradient of its output into that of its input
# ----------------------------------------------------------------------------
# Going down the list, ``backward(dY)`` fills the layer's parameter gradients
# (``dW``, ``db``, ``dgamma``, ``dbeta``, views into ``grads``) and returns
# ``dX``, the ``dY`` of the layer below. The first layer's input is the data,
# whose gradient nobody needs: it returns None and back-propagation stops.
d = dZ
for layer in reversed(network.layers):
    d = layer.backward(d)
    grads = {spec.name: getattr(layer, "d" + spec.name).shape
             for spec in layer.param_specs()}
    print(f"{layer!r:<12} grads {grads}, passes down "
          f"{None if d is None else d.shape}")

# %%
# ``Sequential.loss_gradient`` does all of the above in one call. The L2 term
# ``alpha / (2 n) * ||W||**2`` (``n`` is the number of samples, or the sum of
# their weights) is not part of it: an ``L2Penalty`` gives its value, and the
# optimiser adds its gradient ``(alpha / n) * W`` inside its step (below).
manual = network.grads.copy()
network.loss_gradient(batch, targets, loss)
print("same gradients:", np.allclose(manual, network.grads))

# %%
# Proof by finite differences
# ---------------------------
# :func:`~skmlp.utils.check_network_gradient` nudges every parameter by
# ``+-1e-6``, recomputes the objective and compares the central differences
# with the analytic gradient. A correct backward pass agrees to about 1e-8
# relative error; a wrong one is off by order one.
from skmlp.utils import check_layer_gradients, check_network_gradient

error = check_network_gradient(network, loss, batch, targets, alpha=0.1)
print(f"whole network, relative error {error:.1e}")

# %%
# A layer of your own, and a bug the check catches
# ------------------------------------------------
# Any object that follows the layer contract fits in a network. Here is
# softplus, ``Y = log(1 + exp(X))``, whose derivative is the logistic sigmoid of
# the *input*, and a version with a classic bug: the derivative taken at the
# output. :func:`~skmlp.utils.check_layer_gradients` checks a layer on its own.
from scipy.special import expit

from skmlp.nn import Layer, build_layer


class Softplus(Layer):
    """``Y = log(1 + exp(X))``; caches ``X``; ``dX = dY * sigmoid(X)``."""

    def forward(self, X, *, training, sample_weight=None):
        self._cache = X if training else None
        return np.logaddexp(0, X)

    def backward(self, dY):
        return dY * expit(self._cache)


class WrongSoftplus(Softplus):
    def backward(self, dY):
        return dY * expit(np.logaddexp(0, self._cache))  # sigmoid of the output


for layer in (Softplus(), WrongSoftplus()):
    errors = check_layer_gradients(build_layer(layer, 4), X_train[:10])
    print(f"{type(layer).__name__:<14} relative error for X: {errors['X']:.1e}")

# %%
# Training with Adam
# ------------------
# An optimiser sees flat arrays and nothing else: ``update(params, grads,
# penalty=...)`` changes ``params`` in place, adding the L2 penalty's gradient
# as it goes (weight decay), and keeps its own moments. Adam's first step
# moves every parameter by almost exactly the learning rate, whatever the size
# of its gradient, since ``m / sqrt(v)`` is then ``g / |g|``:
adam = Adam(learning_rate_init=0.01)
penalty = L2Penalty(1e-4, network.n_penalized, len(X_train))
before = network.params.copy()
network.loss_gradient(X_train, Y_train, loss)
adam.update(network.params, network.grads, penalty=penalty)
step = np.abs(network.params - before)
print(f"first step: from {step.min():.5f} to {step.max():.5f}")

# %%
# A hundred more full-batch steps, with the L2 penalty, and the accuracy of
# the trained network on the held-out flowers. ``predict`` runs the forward
# pass in inference mode (no cache) and applies the loss's softmax.
import matplotlib.pyplot as plt

losses = []
for _ in range(100):
    losses.append(network.loss_gradient(X_train, Y_train, loss) + penalty.value(network.params))
    adam.update(network.params, network.grads, penalty=penalty)

accuracy = np.mean(network.predict(X_test, loss).argmax(axis=1) == y_test)
print(f"training loss {losses[0]:.3f} -> {losses[-1]:.3f}, test accuracy {accuracy:.3f}")

fig, ax = plt.subplots()
ax.plot(np.arange(1, len(losses) + 1), losses)
ax.set_xlabel("Adam steps taken")
ax.set_ylabel("training objective (loss + L2 term)")
ax.set_yscale("log")
ax.set_title("Full-batch Adam on iris")
plt.show()

# %%
# The computation graph
# ---------------------
# The network and its loss form a chain ``X -> Dense -> LayerNorm -> Tanh ->
# Dense -> Z -> loss``. Forward evaluates it from left to right and leaves, on
# each node, only what the node's local derivative needs:
#
# =============  ==========================  ==============  ==================================
# node           forward                     cached          backward, given ``dY``
# =============  ==========================  ==============  ==================================
# Dense          ``Y = X W + b``             ``X``           ``dW = X.T dY``,
#                                                            ``db = dY`` summed over rows,
#                                                            ``dX = dY W.T``
# LayerNorm      ``Y = gamma x_hat + beta``  ``x_hat``,      ``dgamma``, ``dbeta`` as for a
#                                            ``1 / std``     scale and offset; ``dX`` through
#                                                            the row mean and variance
# Tanh           ``Y = tanh(X)``             ``Y``           ``dX = dY (1 - Y**2)``
# log-loss       softmax and cross-entropy   nothing         ``dZ = (softmax(Z) - Y) / n``
#                of ``Z``
# =============  ==========================  ==============  ==================================
#
# Backward walks the chain from right to left. By the chain rule the gradient
# of the objective with respect to a node's input is its local derivative
# applied to the gradient with respect to its output, so each node only ever
# needs its own cache and the ``dY`` handed down from the node above. This is
# the whole of back-propagation: there is no global graph object, just the
# order of the layers in the list, and each layer's pair of methods.
