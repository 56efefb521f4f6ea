"""The decider's warning about long histories: once per run, past SWF's advised 10,000 events.

SWF advises keeping a history under 10,000 events and fails an execution that reaches 25,000; a long
history also makes each fresh replay slower. A run past the threshold
(:data:`simpleflow.workflow.CONTINUE_AS_NEW_SUGGESTED_EVENTS`) is logged once at WARNING, with what to
do about it (``self.is_continue_as_new_suggested()`` and ``self.continue_as_new(...)``). The runs
already warned about are remembered in a bounded set, so a decider serving many runs for weeks does
not grow.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

__all__ = ["HistorySizeWarning"]

logger = logging.getLogger(__name__)

#: How many warned runs are remembered; past it the oldest is forgotten (and could be warned again).
REMEMBERED_RUNS = 10_000


class HistorySizeWarning:
    """Warns once per run (workflow id and run id) whose decision task's history passes ``threshold``."""

    def __init__(self, *, threshold: int | None = None, remembered: int = REMEMBERED_RUNS) -> None:
        if threshold is None:
            from simpleflow.workflow import CONTINUE_AS_NEW_SUGGESTED_EVENTS

            threshold = CONTINUE_AS_NEW_SUGGESTED_EVENTS
        self.threshold = threshold
        self.remembered = remembered
        self._warned: OrderedDict[tuple[str, str], None] = OrderedDict()

    def check(self, decision_task: Mapping[str, Any]) -> bool:
        """Warn when ``decision_task``'s history (its ``startedEventId`` events) passes the threshold for
        the first time for its run; return whether it warned."""
        size = int(decision_task.get("startedEventId") or len(decision_task.get("events") or ()))
        if size < self.threshold:
            return False
        execution = decision_task.get("workflowExecution") or {}
        key = (str(execution.get("workflowId", "")), str(execution.get("runId", "")))
        if key in self._warned:
            return False
        self._warned[key] = None
        while len(self._warned) > self.remembered:
            self._warned.popitem(last=False)
        workflow_type = (decision_task.get("workflowType") or {}).get("name")
        logger.warning(
            "the history of %s (%s), a %s run, has %d events, past the %d SWF advises (it fails an "
            "execution at 25,000): continue as new when self.is_continue_as_new_suggested()",
            key[0],
            key[1],
            workflow_type,
            size,
            self.threshold,
        )
        return True
