"""simpleflow 0.36's ``simpleflow.canvas``: ``Group``, ``Chain``, ``FuncGroup`` and their futures.

The implementation is :mod:`simpleflow.runtime.canvas`; this module is its upstream import path.
"""

from __future__ import annotations

from typing import Any

from simpleflow.runtime.canvas import (
    AggregateException,
    Canvas,
    Chain,
    ChainFuture,
    FuncGroup,
    Group,
    GroupFuture,
)
from simpleflow.runtime.canvas import Item as Item
from simpleflow.runtime.canvas import Reach as Reach
from simpleflow.runtime.canvas import Submitter as Submitter
from simpleflow.runtime.canvas import as_item as as_item

__all__ = ["AggregateException", "Canvas", "Chain", "ChainFuture", "FuncGroup", "Group", "GroupFuture"]


def __getattr__(name: str) -> Any:
    # simpleflow 0.36's examples/dynamic_builder.py imports this, but 0.36's canvas has no such class.
    if name == "DynamicActivitiesBuilder":
        raise ImportError(
            "simpleflow.canvas.DynamicActivitiesBuilder does not exist (nor in simpleflow 0.36's canvas): "
            "submit the Group or Chain itself instead"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
