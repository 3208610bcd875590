"""Checked data and resolved options in, a fitted model out.

The training of the estimators, as functions of what they pass: it imports
the numpy core (`skmlp.nn`) and never the estimators (a test proves it).
See ``CONTRIBUTING.md`` for a line on each module.
"""

from .fit import Fitted, fit_model
from .options import resolve_options

__all__ = ["Fitted", "fit_model", "resolve_options"]
