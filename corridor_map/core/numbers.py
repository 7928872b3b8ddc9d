"""The one "is this a usable number" check, shared by every checker and loader.

JSON gives ``true`` for 1 and accepts ``NaN`` and ``Infinity``, which slip through every
comparison; a figure, a speed or a coordinate must be a real, finite int or float.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

__all__ = ["finite_number", "positive_number"]


def finite_number(value: Any) -> TypeGuard[int | float]:
    """Tell whether ``value`` is an int or float (not a bool) and finite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def positive_number(value: Any) -> TypeGuard[int | float]:
    """Tell whether ``value`` is a finite number greater than zero."""
    return finite_number(value) and value > 0
