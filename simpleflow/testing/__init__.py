"""Test support that ships with simpleflow.

- :class:`WorkflowEnvironment`: executions of real workflows on an embedded engine in this process, the
  decider and workers included, with handles (:class:`WorkflowHandle`: ``result``, ``signal``,
  ``cancel``, ``terminate``, ``describe``, ``history``), automatic time skipping while a test waits on a
  result, ``skip(seconds)`` by hand, and activity overrides (``activities={increment: fake}``);
- the pytest plugin (:mod:`simpleflow.testing.pytest_plugin`, loaded by pytest once simpleflow is
  installed): a ``workflow_environment`` fixture and the ``--simpleflow-real-time`` and
  ``--simpleflow-processes`` options;
- :class:`Replayer`: replay recorded histories (files, folders, live executions) against the code as it
  is now, and report the first divergence (:class:`ReplayResult`, :class:`Divergence`);
- :class:`HistoryBuilder`: botocore-shaped histories (dense ids, datetimes, consistent links) to drive the
  executor with, and the executor's decisions turned into the events SWF would record: workflow tests
  that need no engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simpleflow.local import WaitTimedOut
    from simpleflow.testing.divergence import Divergence, ReplayDivergence, ReplayResult, UnreadableHistory
    from simpleflow.testing.environment import ClockRefused, WorkflowEnvironment
    from simpleflow.testing.event_log import Raw
    from simpleflow.testing.handle import ExecutionDescription, WorkflowHandle
    from simpleflow.testing.history_builder import HistoryBuilder
    from simpleflow.testing.overrides import ActivityOverrideError
    from simpleflow.testing.replayer import Replayer

__all__ = [
    "ActivityOverrideError",
    "ClockRefused",
    "Divergence",
    "ExecutionDescription",
    "HistoryBuilder",
    "Raw",
    "ReplayDivergence",
    "ReplayResult",
    "Replayer",
    "UnreadableHistory",
    "WaitTimedOut",
    "WorkflowEnvironment",
    "WorkflowHandle",
]

# Imported on first use (PEP 562): pytest imports this package at start-up for the plugin, in every
# project that has simpleflow installed, and the environment pulls in the whole runtime (0.7 s).
_HOMES = {
    "ActivityOverrideError": "simpleflow.testing.overrides",
    "ClockRefused": "simpleflow.testing.environment",
    "Divergence": "simpleflow.testing.divergence",
    "ExecutionDescription": "simpleflow.testing.handle",
    "HistoryBuilder": "simpleflow.testing.history_builder",
    "Raw": "simpleflow.testing.event_log",
    "ReplayDivergence": "simpleflow.testing.divergence",
    "ReplayResult": "simpleflow.testing.divergence",
    "Replayer": "simpleflow.testing.replayer",
    "UnreadableHistory": "simpleflow.testing.divergence",
    "WaitTimedOut": "simpleflow.local",
    "WorkflowEnvironment": "simpleflow.testing.environment",
    "WorkflowHandle": "simpleflow.testing.handle",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Not cached here: the module's own attribute stays the one truth, even if the module is reloaded.
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
