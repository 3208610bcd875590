"""Public helpers: numerical gradient checking."""

from ._gradient_check import (
    check_layer_gradients,
    check_network_gradient,
    numerical_gradient,
    relative_error,
)

__all__ = [
    "check_layer_gradients",
    "check_network_gradient",
    "numerical_gradient",
    "relative_error",
]
