"""scikit-learn's estimator checks on every configuration we ship."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import MLPClassifier, MLPRegressor


def _configurations():
    # Small, quick networks: the checks fit hundreds of times.
    fast = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    return [
        MLPClassifier(**fast),
        MLPClassifier(solver="lbfgs", **fast),
        MLPClassifier(solver="sgd", **fast),
        MLPClassifier(class_weight="balanced", **fast),
        MLPClassifier(n_init=2, **fast),
        MLPRegressor(n_init=2, solver="lbfgs", **fast),
        MLPClassifier(**{**fast, "hidden_layer_sizes": (8, 8)}, activation=["elu", "gelu"]),
        MLPRegressor(**{**fast, "hidden_layer_sizes": (8, 8)}, activation=["leaky_relu", "softplus"],
                     weight_init="he_uniform"),
        MLPRegressor(**fast),
        MLPRegressor(solver="lbfgs", **fast),
        MLPRegressor(loss="poisson", **fast),
        # Every option of the steps on at once (issue 15).
        MLPClassifier(learning_rate="one_cycle", warmup_fraction=0.2, weight_decay=1e-3,
                      max_grad_norm=1.0, label_smoothing=0.1, **fast),
        MLPClassifier(solver="sgd", learning_rate="cosine", warmup_fraction=0.1,
                      weight_decay=1e-3, max_grad_norm=1.0, label_smoothing=0.1, **fast),
        MLPRegressor(learning_rate="cosine", weight_decay=1e-3, max_grad_norm=1.0, **fast),
        *[
            Estimator(**options, **fast)
            for Estimator in (MLPClassifier, MLPRegressor)
            for options in (
                dict(dropout=0.2),
                dict(input_dropout=0.1),
                dict(normalization="batch"),
                dict(normalization="layer"),
            )
        ],
    ]


# early_stopping=True is left out on purpose and tested in test_mlp.py: a
# held-out split cannot make weighting a row equivalent to repeating it
# (check_sample_weight_equivalence), and the checks' 10-row data sets leave
# fewer than two validation rows, which scikit-learn's MLP rejects too.
#
# The checks fit these small networks on tiny data sets for a few epochs;
# that they do not converge is expected and is not what they check (none
# asserts a ConvergenceWarning; scikit-learn's own test_common ignores them
# too). Each kind is named, so that a new warning still shows.
@pytest.mark.filterwarnings(
    "ignore:Stochastic Optimizer. Maximum iterations:sklearn.exceptions.ConvergenceWarning",
    "ignore:lbfgs failed to converge:sklearn.exceptions.ConvergenceWarning",
    r"ignore:\d+ of \d+ restarts \(n_init\) did not converge:sklearn.exceptions.ConvergenceWarning",
    # the dropout configurations, without validation, stop on the noisy training loss
    "ignore:Training loss did not improve:sklearn.exceptions.ConvergenceWarning",
)
@parametrize_with_checks(_configurations())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
