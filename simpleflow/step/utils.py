"""simpleflow 0.x's import path of the step selection functions (see :mod:`simpleflow.step.selection`).

The name breaks the house rule against ``utils`` modules only to keep 0.x's imports working.
"""

from simpleflow.step import selection
from simpleflow.step.selection import *  # noqa: F403  (the same names, under 0.x's path)

__all__ = selection.__all__
