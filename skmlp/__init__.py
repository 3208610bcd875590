"""scikit-learn compatible multi-layer perceptrons."""

from ._classifier import MLPClassifier
from ._display import TrainingCurveDisplay
from ._persistence import trusted_types
from ._regressor import MLPRegressor

__version__ = "0.1.0.dev0"

__all__ = ["MLPClassifier", "MLPRegressor", "TrainingCurveDisplay", "__version__", "trusted_types"]
