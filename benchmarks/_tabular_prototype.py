"""PROTOTYPE of the tabular estimators of issue 21, for bench_tabular.py only.

Not skmlp's API: the estimators will train through the training package of
issue 20. This is a small private loop over skmlp's pieces, so that the
benchmark can place the layers and preprocessing already built:

    TabularPreprocessor (robust scaling, smooth clipping, missing indicators,
    one-hot / codes) -> [Embedding] -> PeriodicEmbedding -> Scale
    -> 3 x (NTKDense(256) -> ParametricActivation(SELU or Mish)) -> NTKDense,
    data-dependent initialisation, Adam (beta_2 = 0.95) on a cosine schedule,
    label smoothing 0.1 (classification), standardised targets (regression),
    the best epoch on a 20% validation split; dropout 0.15 and decoupled
    weight decay 0.02 (constant, where RealMLP-TD anneals both), 64 epochs
    (RealMLP-TD: 256) and RealMLP-TD's learning-rate factors per kind of
    parameter (0.1 for biases, embeddings and activation mixes, 6 for the
    scale), applied by scaling Adam's step after the fact.

Its settings were chosen from a few trials on churn, spambase, crx and loans
(dev tables, one seed); see benchmarks/README.md for its ablation, where
the rate factors earn nothing over a plain peak rate of 0.01.
"""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder

from skmlp._tabular import TabularPreprocessor
from skmlp.nn import (
    Adam,
    CosineAnnealing,
    Dropout,
    Embedding,
    MultinomialLogLoss,
    NTKDense,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
    Sequential,
    SquaredError,
    initialize_from_data,
)


class TabularPrototype:
    """``fit(X, y)`` / ``predict(X)`` of the prototype configuration."""

    def __init__(self, task, *, hidden=(256, 256, 256), epochs=64, batch_size=256,
                 learning_rate=0.04, beta_2=0.95, label_smoothing=0.1, periodic=True,
                 scale=True, dropout=0.15, weight_decay=0.02, rate_factors=True,
                 validation_fraction=0.2, random_state=0):
        self.task = task
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta_2 = beta_2
        self.label_smoothing = label_smoothing
        self.periodic = periodic
        self.scale = scale
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.rate_factors = rate_factors
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _layers(self, prep, n_outputs):
        layers = []
        if prep.code_columns_.size:
            layers.append(Embedding(prep.code_columns_, prep.n_codes_))
        if self.periodic and prep.numeric_columns_.size:
            # Numeric columns come first and stay first after Embedding.
            layers.append(PeriodicEmbedding(prep.numeric_columns_))
        if self.scale:
            layers.append(Scale())
        activation = "selu" if self.task == "classification" else "mish"
        for width in self.hidden:
            layers += [NTKDense(width), ParametricActivation(activation)]
            if self.dropout:
                layers.append(Dropout(self.dropout))
        return layers + [NTKDense(n_outputs, bias_init="zeros")]

    def _targets(self, y):
        if self.task == "classification":
            self.encoder_ = LabelEncoder().fit(y)
            codes = self.encoder_.transform(y)
            return np.eye(len(self.encoder_.classes_), dtype=np.float32)[codes]
        y = np.asarray(y, dtype=np.float64)
        self.y_mean_, self.y_std_ = y.mean(), y.std() or 1.0
        return ((y - self.y_mean_) / self.y_std_).astype(np.float32)[:, None]

    def fit(self, X, y):
        rng = np.random.RandomState(self.random_state)
        Y = self._targets(y)
        stratify = y if self.task == "classification" else None
        train, valid = train_test_split(np.arange(len(Y)), test_size=self.validation_fraction,
                                        random_state=self.random_state, stratify=stratify)
        self.prep_ = TabularPreprocessor().fit(X.iloc[train] if hasattr(X, "iloc") else X[train])
        A = self.prep_.transform(X).astype(np.float32)
        self.network_ = Sequential(self._layers(self.prep_, Y.shape[1])).build(
            A.shape[1], np.float32, rng)
        initialize_from_data(self.network_, A[rng.permutation(train)[:1024]], rng)
        loss = (MultinomialLogLoss(self.label_smoothing) if self.task == "classification"
                else SquaredError())
        n_batches = -(-train.size // self.batch_size)
        optimizer = Adam(self.learning_rate, beta_2=self.beta_2, schedule=CosineAnnealing(
            self.learning_rate, self.epochs * n_batches), weight_decay=self.weight_decay)
        factors = _rate_factors(self.network_) if self.rate_factors else None
        self.best_score_, best_state, self.curve_ = -np.inf, None, []
        for epoch in range(self.epochs):
            order = rng.permutation(train)
            for start in range(0, order.size, self.batch_size):
                rows = order[start:start + self.batch_size]
                self.network_.loss_gradient(A[rows], Y[rows], loss)
                before = None if factors is None else self.network_.params.copy()
                optimizer.update(self.network_.params, self.network_.grads,
                                 n_decayed=self.network_.n_penalized)
                if factors is not None:  # Adam's step is linear in the rate
                    self.network_.params[...] = before + factors * (
                        self.network_.params - before)
            score = self._score(A[valid], Y[valid])
            self.curve_.append(score)
            if score > self.best_score_:
                self.best_score_, best_state, self.best_epoch_ = (
                    score, self.network_.get_state(), epoch + 1)
        self.network_.set_state(best_state)
        return self

    def _score(self, A, Y):
        """Validation accuracy, or minus the mean squared error (scaled targets)."""
        Z = self.network_.forward(A, training=False)
        if self.task == "classification":
            return float((Z.argmax(axis=1) == Y.argmax(axis=1)).mean())
        return -float(((Z - Y) ** 2).mean())

    def predict(self, X):
        Z = self.network_.forward(self.prep_.transform(X).astype(np.float32), training=False)
        if self.task == "classification":
            return self.encoder_.inverse_transform(Z.argmax(axis=1))
        return Z[:, 0].astype(np.float64) * self.y_std_ + self.y_mean_


#: RealMLP-TD's learning-rate factors (pytabkit: bias_lr_factor, plr_lr_factor,
#: act_lr_factor, scale_lr_factor), by (layer type, parameter name).
_RATE_FACTORS = {("NTKDense", "b"): 0.1, ("PeriodicEmbedding", "frequencies"): 0.1,
                 ("PeriodicEmbedding", "phases"): 0.1, ("PeriodicEmbedding", "V"): 0.1,
                 ("PeriodicEmbedding", "c"): 0.1, ("ParametricActivation", "alpha"): 0.1,
                 ("Scale", "scale"): 6.0}


def _rate_factors(network):
    """A factor per entry of the flat parameters: one rate per parameter kind."""
    factors = np.ones_like(network.params)
    base, itemsize = network.params.ctypes.data, network.params.itemsize
    for layer in network.layers:
        for spec in layer.param_specs():
            start = (getattr(layer, spec.name).ctypes.data - base) // itemsize
            factors[start:start + spec.size] = _RATE_FACTORS.get(
                (type(layer).__name__, spec.name), 1.0)
    return factors


def make_prototype(task, **options):
    """The prototype for ``task`` ('classification' or 'regression')."""
    return TabularPrototype(task, **options)
