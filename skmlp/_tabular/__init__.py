"""Tables: mixed numeric and categorical columns with missing values.

The preprocessing here is fitted (statistics of the training rows), not
learned; the learned pieces are layers of :mod:`skmlp.nn`.
"""

from ._estimators import TabularMLPClassifier, TabularMLPRegressor
from ._preprocessing import TabularPreprocessor, smooth_clip

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor", "TabularPreprocessor", "smooth_clip"]
