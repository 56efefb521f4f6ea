"""Test support that ships with simpleflow: fabricate SWF histories and drive the executor with them.

:class:`HistoryBuilder` builds botocore-shaped events (dense ids, datetimes, consistent links) and
turns an executor's decisions into the events SWF would record, so workflow tests need no engine.
"""

from simpleflow.testing.divergence import Divergence, ReplayDivergence, ReplayResult, UnreadableHistory
from simpleflow.testing.event_log import Raw
from simpleflow.testing.history_builder import HistoryBuilder
from simpleflow.testing.replayer import Replayer

__all__ = [
    "Divergence",
    "HistoryBuilder",
    "Raw",
    "ReplayDivergence",
    "ReplayResult",
    "Replayer",
    "UnreadableHistory",
]
