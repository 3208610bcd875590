"""TrainingCurveDisplay: lines equal the fitted curves; matplotlib stays optional."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor, TrainingCurveDisplay

X, y = load_iris(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)


def _fit(estimator, X=X, y=y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _mlp(estimator_class=MLPClassifier, **params):
    params = {"hidden_layer_sizes": (8,), "max_iter": 8, "random_state": 0, **params}
    return estimator_class(**params)


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _ydata(line):
    return np.asarray(line.get_ydata(), dtype=float)


def test_lines_are_the_fitted_curves(pyplot):
    clf = _fit(_mlp(early_stopping=True, n_iter_no_change=100))
    display = TrainingCurveDisplay.from_estimator(clf)

    n_epochs = clf.n_iter_
    np.testing.assert_array_equal(display.loss_line_.get_xdata(), np.arange(1, n_epochs + 1))
    np.testing.assert_allclose(_ydata(display.loss_line_), clf.loss_curve_)
    np.testing.assert_allclose(_ydata(display.score_line_), clf.validation_scores_)
    validation_loss = getattr(clf, "validation_loss_curve_", None)
    if validation_loss is None:
        assert display.validation_loss_line_ is None
        assert display.lines_ == [display.loss_line_, display.score_line_]
    else:
        np.testing.assert_allclose(_ydata(display.validation_loss_line_), validation_loss)
        assert display.lines_ == [
            display.loss_line_, display.validation_loss_line_, display.score_line_
        ]
    assert display.loss_line_.axes is display.ax_
    assert display.score_line_.axes is display.score_ax_ is not display.ax_
    assert display.figure_ is display.ax_.figure
    assert display.score_ax_.get_ylabel() == "validation accuracy"


def test_without_early_stopping_only_the_loss(pyplot):
    reg = _fit(_mlp(MLPRegressor), y=X[:, 0] + X[:, 1])
    display = TrainingCurveDisplay.from_estimator(reg)
    np.testing.assert_allclose(_ydata(display.loss_line_), reg.loss_curve_)
    assert display.score_ax_ is None and display.score_line_ is None
    assert display.lines_ == [display.loss_line_]


def test_validation_loss_curve_when_the_estimator_has_one(pyplot):
    clf = _fit(_mlp(early_stopping=True, n_iter_no_change=100))
    # Not recorded by the estimators yet: the display reads it when present.
    clf.validation_loss_curve_ = [value + 0.1 for value in clf.loss_curve_]
    display = TrainingCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(_ydata(display.validation_loss_line_), clf.validation_loss_curve_)
    assert display.validation_loss_line_.axes is display.ax_
    assert len(display.lines_) == 3


def test_regressor_score_is_r2(pyplot):
    reg = _fit(_mlp(MLPRegressor, early_stopping=True), y=X[:, 0] + X[:, 1])
    display = TrainingCurveDisplay.from_estimator(reg)
    assert display.score_ax_.get_ylabel() == "validation R²"


@pytest.mark.parametrize(
    "scoring, label", [("balanced_accuracy", "balanced_accuracy"), ("loss", "negative loss")]
)
def test_score_axis_names_the_scoring(pyplot, scoring, label):
    if "scoring" not in MLPClassifier().get_params():
        pytest.skip("this version of the estimators has no scoring parameter")
    clf = _fit(_mlp(early_stopping=True, scoring=scoring))
    display = TrainingCurveDisplay.from_estimator(clf)
    assert display.score_ax_.get_ylabel() == f"validation {label}"


def test_pipeline_and_given_axes(pyplot):
    model = _fit(make_pipeline(StandardScaler(), _mlp(early_stopping=True)))
    _, ax = pyplot.subplots()
    display = TrainingCurveDisplay.from_estimator(
        model, ax=ax, name="MLP", loss_kw={"color": "black"}
    )
    assert display.ax_ is ax
    np.testing.assert_allclose(_ydata(display.loss_line_), model[-1].loss_curve_)
    np.testing.assert_allclose(_ydata(display.score_line_), model[-1].validation_scores_)
    assert display.loss_line_.get_label() == "MLP: training loss"
    assert display.loss_line_.get_color() == "black"


def test_transformed_target_regressor_is_unwrapped(pyplot):
    model = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), _mlp(MLPRegressor, early_stopping=True)),
        transformer=StandardScaler(),
    )
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(model)
    _fit(model, y=X[:, 0] + X[:, 1])
    display = TrainingCurveDisplay.from_estimator(model)
    np.testing.assert_allclose(_ydata(display.loss_line_), model.regressor_[-1].loss_curve_)
    assert display.score_ax_.get_ylabel() == "validation R²"


def test_scikit_learn_mlp_is_accepted(pyplot):
    clf = _fit(_mlp(SklearnMLPClassifier))
    display = TrainingCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(_ydata(display.loss_line_), clf.loss_curve_)


def test_plot_returns_self_and_can_redraw(pyplot):
    display = TrainingCurveDisplay(loss_curve=[1.0, 0.5, 0.25], validation_scores=[0.5, 0.7, 0.9])
    assert display.plot() is display
    first_ax = display.ax_
    _, ax = pyplot.subplots()
    display.plot(ax=ax, name="again")
    assert display.ax_ is ax is not first_ax
    assert display.score_line_.get_label() == "again: validation score"


def test_lbfgs_has_no_curves(pyplot):
    clf = _fit(_mlp(solver="lbfgs"))
    with pytest.raises(ValueError, match="solver='lbfgs'.*stochastic solver"):
        TrainingCurveDisplay.from_estimator(clf)
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        TrainingCurveDisplay.from_estimator(make_pipeline(StandardScaler(), clf))


def test_unfitted_estimator(pyplot):
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(_mlp())
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(make_pipeline(StandardScaler(), _mlp()))


def test_not_a_multilayer_perceptron(pyplot):
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(TypeError, match="whose last step is one; got LogisticRegression"):
        TrainingCurveDisplay.from_estimator(model)


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    # A None entry makes `import matplotlib` raise ImportError, as if absent.
    for module in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    clf = _fit(_mlp(max_iter=2))
    message = r'TrainingCurveDisplay.from_estimator requires matplotlib.*pip install "skmlp\[plot\]"'
    with pytest.raises(ImportError, match=message):
        TrainingCurveDisplay.from_estimator(clf)
    with pytest.raises(ImportError, match=r"\.plot requires matplotlib.*pip install matplotlib"):
        TrainingCurveDisplay(loss_curve=clf.loss_curve_).plot()


def test_importing_skmlp_does_not_import_matplotlib():
    code = "import sys, skmlp; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
