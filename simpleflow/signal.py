"""simpleflow 0.x's ``simpleflow.signal``: ``WaitForSignal``, a submittable wait for a signal.

The class lives with the other submittables (:mod:`simpleflow.task`); this module is its 0.x import path.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["WaitForSignal"]  # noqa: F822 (found on first use, see __getattr__)


def __getattr__(name: str) -> Any:
    if name != "WaitForSignal":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for module_name in ("simpleflow.task", "simpleflow.canvas", "simpleflow.workflow"):
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise ImportError("simpleflow.signal.WaitForSignal is not available; use self.wait_signal(name) in run()")
