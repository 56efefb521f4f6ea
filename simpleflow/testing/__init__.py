"""Test support that ships with simpleflow.

- :class:`WorkflowEnvironment`: executions of real workflows on an embedded engine in this process, the
  decider and workers included, with handles (:class:`WorkflowHandle`: ``result``, ``signal``,
  ``cancel``, ``terminate``, ``describe``, ``history``), automatic time skipping while a test waits on a
  result, ``skip(seconds)`` by hand, and activity overrides (``activities={increment: fake}``);
- the pytest plugin (:mod:`simpleflow.testing.pytest_plugin`, loaded by pytest once simpleflow is
  installed): a ``workflow_environment`` fixture and the ``--simpleflow-real-time`` and
  ``--simpleflow-processes`` options;
- :class:`HistoryBuilder`: botocore-shaped histories (dense ids, datetimes, consistent links) to drive the
  executor with, and the executor's decisions turned into the events SWF would record: workflow tests
  that need no engine.
"""

from simpleflow.local import WaitTimedOut
from simpleflow.testing.environment import ClockRefused, WorkflowEnvironment
from simpleflow.testing.event_log import Raw
from simpleflow.testing.handle import ExecutionDescription, WorkflowHandle
from simpleflow.testing.history_builder import HistoryBuilder
from simpleflow.testing.overrides import ActivityOverrideError

__all__ = [
    "ActivityOverrideError",
    "ClockRefused",
    "ExecutionDescription",
    "HistoryBuilder",
    "Raw",
    "WaitTimedOut",
    "WorkflowEnvironment",
    "WorkflowHandle",
]
