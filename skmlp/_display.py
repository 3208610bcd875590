"""Plotting the training curves of a fitted multi-layer perceptron.

matplotlib is optional (``pip install "skmlp[plot]"``): it is imported only
when a display draws, never when skmlp is imported.
"""

from sklearn.base import is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._base import BaseMultilayerPerceptron


def _check_matplotlib(caller_name):
    """Raise an ImportError that says how to install matplotlib.

    scikit-learn's ``check_matplotlib_support`` only suggests
    ``pip install matplotlib``; skmlp users may prefer the extra.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib, which skmlp does not install by "
            'default. Install it with `pip install "skmlp[plot]"` (or '
            "`pip install matplotlib`)."
        ) from exc


def _supported_estimators():
    # scikit-learn's own MLPs record the same curves; imported here so that
    # importing skmlp does not import sklearn.neural_network.
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    return (BaseMultilayerPerceptron, MLPClassifier, MLPRegressor)


def _final_estimator(estimator):
    """The multi-layer perceptron itself, out of pipelines and target transforms."""
    while isinstance(estimator, (Pipeline, TransformedTargetRegressor)):
        if isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        else:  # the fitted clone if there is one, else the unfitted template
            estimator = getattr(estimator, "regressor_", estimator.regressor)
    if not isinstance(estimator, _supported_estimators()):
        raise TypeError(
            "TrainingCurveDisplay expects an MLPClassifier or MLPRegressor, or a "
            "Pipeline (or TransformedTargetRegressor) whose last step is one; "
            f"got {type(estimator).__name__}."
        )
    return estimator


def _fitted_curves(mlp):
    """Training loss, validation scores and validation loss of a fitted MLP, by name."""
    check_is_fitted(mlp)
    loss_curve = getattr(mlp, "loss_curve_", None)
    # After a warm start to L-BFGS the curves of the earlier stochastic fit
    # are still there (as in scikit-learn) but describe other weights.
    if loss_curve is None or not getattr(mlp, "_curves_current", True):
        raise ValueError(
            f"This {type(mlp).__name__} was fitted with solver={mlp.solver!r}, "
            "which records no per-epoch curves. Training curves need a "
            "stochastic solver: solver='adam' or 'sgd'."
        )
    return {
        "loss_curve": loss_curve,
        "validation_scores": getattr(mlp, "validation_scores_", None),
        "validation_loss_curve": getattr(mlp, "validation_loss_curve_", None),
    }


def _score_name(mlp):
    """What ``validation_scores_`` measures, for the axis label."""
    scoring = getattr(mlp, "scoring", None)  # scikit-learn's MLPs have none
    if scoring is None:
        return "accuracy" if is_classifier(mlp) else "R²"
    if scoring == "loss":
        return "negative loss"
    return scoring if isinstance(scoring, str) else "score"


class TrainingCurveDisplay:
    """Training curves of a multi-layer perceptron, per epoch.

    Draws the training loss (``loss_curve_``) and, when they were recorded,
    the validation loss (``validation_loss_curve_``) on the left axis and
    the validation score (``validation_scores_``, recorded with
    ``early_stopping=True``) on a second, right-hand axis. Epochs are
    numbered from 1.

    Use :meth:`from_estimator` to create one from a fitted estimator; the
    constructor takes the curves themselves. All attributes are stored by
    :meth:`plot`.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch (with the L2 penalty, as ``loss_``).

    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score of each epoch; None if it was not recorded.

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch; None if it was not recorded.

    score_name : str, default=None
        Name of the validation score, for the right axis' label. None gives
        ``"score"``. :meth:`from_estimator` passes "accuracy" or "R²" (the
        estimators' ``score``), or the estimator's ``scoring`` if it has one.

    name : str, default=None
        Name of the estimator, put before every line's label; None for none.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the losses.

    score_ax_ : matplotlib Axes or None
        Second y-axis (sharing the epoch axis) of the validation score; None
        when there is no validation score.

    figure_ : matplotlib Figure
        Figure containing the axes.

    loss_line_ : matplotlib Line2D
        Training loss.

    validation_loss_line_ : matplotlib Line2D or None
        Validation loss, if recorded.

    score_line_ : matplotlib Line2D or None
        Validation score, if recorded.

    lines_ : list of matplotlib Line2D
        The lines drawn, in the order above.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the
        number of training samples.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skmlp import MLPClassifier, TrainingCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True,
    ...                     random_state=0).fit(X / 16, y)
    >>> len(clf.loss_curve_) == len(clf.validation_scores_) == clf.n_iter_
    True
    >>> # Needs matplotlib (pip install "skmlp[plot]"):
    >>> display = TrainingCurveDisplay.from_estimator(clf)  # doctest: +SKIP
    >>> display.ax_.set_title("Digits")  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_scores=None,
        validation_loss_curve=None,
        score_name=None,
        name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.validation_loss_curve = validation_loss_curve
        self.score_name = score_name
        self.name = name

    def plot(self, ax=None, *, name=None, loss_kw=None, validation_loss_kw=None, score_kw=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes for the losses; the validation score gets a twin axis of it.
            None creates a new figure and axes.

        name : str, default=None
            Overrides the ``name`` given at construction.

        loss_kw, validation_loss_kw, score_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot` of the
            training loss, validation loss and validation score lines.

        Returns
        -------
        display : TrainingCurveDisplay
            Object that stores the computed values.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        prefix = "" if name is None else f"{name}: "

        self.ax_, self.figure_ = ax, ax.figure
        self._draw_losses(ax, prefix, loss_kw, validation_loss_kw)
        self._draw_score(ax, prefix, score_kw)
        self.lines_ = [
            line
            for line in (self.loss_line_, self.validation_loss_line_, self.score_line_)
            if line is not None
        ]
        # The twin axis is drawn over the first: the legend goes on top.
        top = ax if self.score_ax_ is None else self.score_ax_
        top.legend(handles=self.lines_, loc="center right")
        return self

    def _draw_losses(self, ax, prefix, loss_kw, validation_loss_kw):
        """The training and validation losses on ``ax``."""
        self.loss_line_ = self._draw(
            ax, self.loss_curve, f"{prefix}training loss", {"color": "C0"}, loss_kw
        )
        self.validation_loss_line_ = self._draw(
            ax,
            self.validation_loss_curve,
            f"{prefix}validation loss",
            {"color": "C0", "linestyle": "--"},
            validation_loss_kw,
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")

    def _draw_score(self, ax, prefix, score_kw):
        """The validation score, if recorded, on a twin axis of ``ax`` (``score_ax_``)."""
        score_name = "score" if self.score_name is None else self.score_name
        self.score_ax_ = None if self.validation_scores is None else ax.twinx()
        self.score_line_ = self._draw(
            self.score_ax_,
            self.validation_scores,
            f"{prefix}validation {score_name}",
            {"color": "C1"},
            score_kw,
        )
        if self.score_ax_ is not None:
            self.score_ax_.set_ylabel(f"validation {score_name}")

    @staticmethod
    def _draw(ax, values, label, default_kw, user_kw):
        """One curve against epochs 1, 2, ...; None when there is none."""
        if values is None:
            return None
        epochs = range(1, len(values) + 1)
        (line,) = ax.plot(epochs, values, **{"label": label, **default_kw, **(user_kw or {})})
        return line

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, loss_kw=None,
                       validation_loss_kw=None, score_kw=None):
        """Plot the training curves of a fitted estimator.

        Parameters
        ----------
        estimator : MLPClassifier, MLPRegressor or Pipeline
            A fitted multi-layer perceptron (skmlp's or scikit-learn's) with
            a stochastic solver ('adam' or 'sgd'), or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one. The
            validation score is drawn if ``early_stopping=True`` recorded it,
            the validation loss if the estimator has a
            ``validation_loss_curve_``.

        ax : matplotlib Axes, default=None
            Axes for the losses; None creates a new figure and axes.

        name : str, default=None
            Put before every line's label; None for none.

        loss_kw, validation_loss_kw, score_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot` of the
            training loss, validation loss and validation score lines.

        Returns
        -------
        display : TrainingCurveDisplay

        Raises
        ------
        TypeError
            If ``estimator`` is not a multi-layer perceptron or a Pipeline
            ending in one.
        sklearn.exceptions.NotFittedError
            If it is not fitted.
        ValueError
            If it was fitted with ``solver='lbfgs'``, which records no curves.
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        mlp = _final_estimator(estimator)
        display = cls(**_fitted_curves(mlp), score_name=_score_name(mlp), name=name)
        return display.plot(
            ax=ax, loss_kw=loss_kw, validation_loss_kw=validation_loss_kw, score_kw=score_kw
        )
