"""The core of :class:`~simpleflow.testing.HistoryBuilder`: ids, clock, decision tasks, links."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from simpleflow.history.parser import attributes_key


class Raw(str):
    """A payload to store verbatim instead of JSON-encoding it."""


def json_data(value: Any) -> str | None:
    """Encode ``value`` as SWF stores payloads: compact JSON, :class:`Raw` verbatim, ``None`` absent."""
    if value is None:
        return None
    if isinstance(value, Raw):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _prune(attributes: Mapping[str, Any]) -> dict[str, Any]:
    # boto3 leaves absent optional members out rather than sending nulls.
    return {key: value for key, value in attributes.items() if value is not None}


class EventLog:
    """An append-only list of boto3-shaped events with dense ids and a one-second clock."""

    def __init__(
        self,
        *,
        workflow_name: str,
        workflow_version: str,
        workflow_id: str,
        run_id: str,
        task_list: str,
        start_time: datetime | None,
    ) -> None:
        self.workflow_name = workflow_name
        self.workflow_version = workflow_version
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.task_list = task_list
        self.events: list[dict[str, Any]] = []
        self._clock = start_time or datetime(2024, 1, 1, tzinfo=timezone.utc)
        self._open_decision: tuple[int, int | None] | None = None  # (scheduled id, started id)
        self._previous_started = 0
        self._last_completed: int | None = None
        self._scheduled: dict[tuple[str, str], int] = {}  # (kind, id) -> scheduled/initiated event id
        self._started: dict[tuple[str, str], int] = {}
        self._timers: dict[str, int] = {}
        self._token = 0

    # -- generic ----------------------------------------------------------------------------------------

    def add_event(self, event_type: str, **attributes: Any) -> int:
        """Append an event of ``event_type`` with these attributes (``None`` values are left out)."""
        event_id = len(self.events) + 1
        self._clock += timedelta(seconds=1)
        self.events.append(
            {
                "eventId": event_id,
                "eventType": event_type,
                "eventTimestamp": self._clock,
                attributes_key(event_type): _prune(attributes),
            }
        )
        return event_id

    # -- decision tasks -----------------------------------------------------------------------------------

    def open_decision_task(self) -> int:
        """Schedule and start a decision task unless one is open; return its ``DecisionTaskStarted`` id."""
        if self._open_decision is not None and self._open_decision[1] is not None:
            return self._open_decision[1]
        scheduled = self.add_event(
            "DecisionTaskScheduled", taskList={"name": self.task_list}, startToCloseTimeout="300"
        )
        started = self.add_event("DecisionTaskStarted", scheduledEventId=scheduled, identity="decider")
        self._open_decision = (scheduled, started)
        return started

    def decision_task(self) -> dict[str, Any]:
        """What ``poll_for_decision_task`` returns now (opening a decision task when none is open)."""
        started = self.open_decision_task()
        self._token += 1
        return {
            "taskToken": f"token-{self._token}",
            "startedEventId": started,
            "previousStartedEventId": self._previous_started,
            "workflowExecution": {"workflowId": self.workflow_id, "runId": self.run_id},
            "workflowType": {"name": self.workflow_name, "version": self.workflow_version},
            "events": copy.deepcopy(self.events),
        }

    def complete_decision_task(self, *, execution_context: str | None = None) -> int:
        """Close the open decision task with ``DecisionTaskCompleted``; return its id."""
        started = self.open_decision_task()
        assert self._open_decision is not None
        completed = self.add_event(
            "DecisionTaskCompleted",
            scheduledEventId=self._open_decision[0],
            startedEventId=started,
            executionContext=execution_context,
        )
        self._previous_started = started
        self._open_decision = None
        self._last_completed = completed
        return completed

    def time_out_decision_task(self) -> int:
        """Time the open decision task out (``START_TO_CLOSE``), as when a decider dies mid-task."""
        started = self.open_decision_task()
        assert self._open_decision is not None
        event_id = self.add_event(
            "DecisionTaskTimedOut",
            timeoutType="START_TO_CLOSE",
            scheduledEventId=self._open_decision[0],
            startedEventId=started,
        )
        self._open_decision = None
        return event_id

    def _completed_id(self) -> int:
        if self._last_completed is None:
            return self.complete_decision_task()
        return self._last_completed

    def _scheduled_id(self, kind: str, task_id: str) -> int:
        try:
            return self._scheduled[(kind, task_id)]
        except KeyError:
            raise ValueError(f"{kind} {task_id!r} was never scheduled in this history") from None

    def _scheduled_ids(self) -> set[str]:
        """The ids of every task scheduled so far (any kind)."""
        return {task_id for _, task_id in self._scheduled}
