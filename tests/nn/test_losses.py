"""Loss values against scikit-learn's metrics, and their numerical safety."""

import numpy as np
import pytest
from scipy.special import expit, softmax
from sklearn.metrics import log_loss, mean_poisson_deviance, mean_squared_error

from skmlp.nn import BinaryLogLoss, MultinomialLogLoss, PoissonDeviance, SquaredError

rng = np.random.RandomState(0)
Z = rng.standard_normal((20, 3))
WEIGHTS = rng.rand(20)


def test_multinomial_log_loss_matches_sklearn():
    y = rng.randint(3, size=20)
    value = MultinomialLogLoss().loss(Z, np.eye(3)[y], WEIGHTS)
    expected = log_loss(y, softmax(Z, axis=1), sample_weight=WEIGHTS)
    assert value == pytest.approx(expected, rel=1e-12)


def test_binary_log_loss_matches_sklearn():
    y = rng.randint(2, size=20)
    value = BinaryLogLoss().loss(Z[:, :1], y[:, None].astype(float), WEIGHTS)
    expected = log_loss(y, expit(Z[:, 0]), sample_weight=WEIGHTS)
    assert value == pytest.approx(expected, rel=1e-12)


def test_squared_error_reports_half_the_mse_and_follows_the_sum():
    """scikit-learn's loss_ (mean over outputs), its gradient (of the sum)."""
    y = rng.standard_normal((20, 3))
    value, dZ = SquaredError().loss_gradient(Z, y, WEIGHTS)
    assert value == pytest.approx(0.5 * mean_squared_error(y, Z, sample_weight=WEIGHTS), rel=1e-12)
    expected = (Z - y) * (WEIGHTS / WEIGHTS.sum())[:, None]
    np.testing.assert_allclose(dZ, expected, rtol=1e-12)
    summed = SquaredError().consistent().loss(Z, y, WEIGHTS)
    assert summed == pytest.approx(3 * value, rel=1e-12)


def test_poisson_is_half_the_deviance():
    y = rng.poisson(1.5, size=20).astype(float)
    value = PoissonDeviance().loss(Z[:, :1], y[:, None], WEIGHTS)
    expected = 0.5 * mean_poisson_deviance(y, np.exp(Z[:, 0]), sample_weight=WEIGHTS)
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("loss", [BinaryLogLoss(), MultinomialLogLoss(), PoissonDeviance()])
def test_losses_stay_finite_and_silent_for_huge_raw_outputs(loss):
    huge = np.array([[1e4, -1e4], [-800.0, 900.0]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, dZ = loss.loss_gradient(huge, y)
    assert np.isfinite(value) and np.isfinite(dZ).all()


def test_loss_keeps_float32():
    Z32 = Z.astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.randint(3, size=20)]
    _, dZ = MultinomialLogLoss().loss_gradient(Z32, y, WEIGHTS)
    assert dZ.dtype == np.float32


@pytest.mark.parametrize("loss", [
    SquaredError(), SquaredError(sum_outputs=True), PoissonDeviance(), BinaryLogLoss(),
    BinaryLogLoss(label_smoothing=0.1), MultinomialLogLoss(), MultinomialLogLoss(0.2),
], ids=lambda loss: f"{type(loss).__name__}{vars(loss)}")
def test_a_loss_keeps_nothing_but_its_settings(loss):
    # The estimators share one instance of each default loss between all
    # their fits, threads included (skmlp._targets.DEFAULT_LOSSES): a loss
    # that stored anything while computing (a work buffer, a cache) would
    # leak it from one fit into another and into every pickled model.
    settings = dict(vars(loss))
    for dtype in (np.float64, np.float32):
        for n_outputs in (1, 3):
            Zd = Z[:, :n_outputs].astype(dtype)
            y = (rng.rand(20, n_outputs) > 0.5).astype(dtype)
            for weights in (None, WEIGHTS.astype(dtype)):
                loss.output(Zd)
                loss.loss(Zd, y, weights)
                loss.loss_gradient(Zd, y, weights)
            loss.consistent()
    assert vars(loss) == settings
