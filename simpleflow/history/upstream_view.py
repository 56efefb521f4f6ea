"""Upstream simpleflow 0.36's ``History`` attributes, read-only, over this project's :class:`History`.

Upstream workflows read ``self.executor.history`` (and the ``history`` their hooks get) as dicts of
dicts keyed by SWF ids: ``history.activities["my-id"]["state"] == "completed"``, ``history.signals``,
``history.markers``, ``history.timers``, ``history.child_workflows``, ``history.events`` (objects with
``.type``, ``.state``, ``.id`` and snake_cased attributes) ... :class:`UpstreamHistory` gives those
names their upstream shape, and every other name of this project's History (``activity(id)``,
``start``, ``task(kind, id)`` ...) still answers, so one object serves both kinds of readers.

The names both APIs have (``signals``, ``markers``, ``timers``, ``tasks``) are upstream's containers
that can also be *called* as this project's methods (``history.signals("go")``); ``events`` items are
the raw boto3 mappings with upstream's attributes on top, and ``cancel_requested`` is upstream's dict
with this project's attribute names on top.

Nothing is computed until a name is read, and each container only once: the decider replays often and
most workflows never look (see :func:`fold_upstream`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import cache, cached_property
from typing import Any

from simpleflow.history import History

__all__ = ["UpstreamEvent", "UpstreamHistory", "upstream_history"]

# Upstream's event families, tried in this order ("ChildWorkflowExecution" and "ExternalWorkflow" before
# "WorkflowExecution", which both contain): an event's ``type`` is the first one in its eventType.
_FAMILIES = (
    "ChildWorkflowExecution",
    "ExternalWorkflow",
    "WorkflowExecution",
    "DecisionTask",
    "ActivityTask",
    "LambdaFunction",
    "Marker",
    "Timer",
)
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


@cache  # the same few dozen SWF names, for every event of every replay that reads the view
def _snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).lower()


def _decoded(value: Any) -> Any:
    """An input or control as upstream's events give it: JSON decoded when it is JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class UpstreamEvent(dict):
    """One raw boto3 event (still a mapping) with upstream's ``Event`` attributes.

    ``type`` (``"ActivityTask"``), ``state`` (``"scheduled"``), ``id``, ``timestamp``, ``name`` (the
    eventType), ``raw`` and every attribute snake_cased (``activity_id``, ``input`` decoded, ...).
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__(raw)
        name = raw["eventType"]
        family = next((family for family in _FAMILIES if family in name), name)
        left, _, right = name.partition(family)
        self.type = family if family != "ExternalWorkflow" else "ExternalWorkflowExecution"
        self.state = _snake(left + right)
        self.id: int = raw["eventId"]
        self.timestamp = raw.get("eventTimestamp")
        self.name = name
        self.raw = raw
        attributes = raw.get(name[0].lower() + name[1:] + "EventAttributes") or {}
        for key, value in attributes.items():
            setattr(self, _snake(key), _decoded(value) if key in ("input", "control") else value)

    def __getattr__(self, name: str) -> Any:
        # Upstream's events only have the attributes SWF sent; a missing one reads as upstream's does.
        raise AttributeError(f"{self.name} event {self.id} has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type} : {self.state} >"


class _Both(dict):
    """Upstream's dict, also callable as this project's method of the same name."""

    def __init__(self, items: Mapping[Any, Any], method: Callable[..., Any]) -> None:
        super().__init__(items)
        self._method = method

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._method(*args, **kwargs)


class _BothList(list):
    """Upstream's list, also callable as this project's method of the same name."""

    def __init__(self, items: list[Any], method: Callable[..., Any]) -> None:
        super().__init__(items)
        self._method = method

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._method(*args, **kwargs)


class _CancelRequested(dict):
    """Upstream's ``cancel_requested`` dict with this project's :class:`CancelRequest` attributes."""

    def __init__(self, items: Mapping[str, Any], record: Any) -> None:
        super().__init__(items)
        self._record = record

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["_record"], name)


class _Folded:
    """Upstream's containers, filled by one pass over the events (see :func:`fold_upstream`)."""

    def __init__(self) -> None:
        self.activities: dict[str, dict[str, Any]] = {}
        self.child_workflows: dict[str, dict[str, Any]] = {}
        self.external_workflows_signaling: dict[int, dict[str, Any]] = {}
        self.external_workflows_canceling: dict[str, dict[str, Any]] = {}
        self.signals: dict[str, dict[str, Any]] = {}
        self.signal_lists: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.signaled_workflows: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.markers: dict[str, list[dict[str, Any]]] = {}
        self.timers: dict[str, dict[str, Any]] = {}
        self.tasks: list[dict[str, Any]] = []
        self.cancel_requested: dict[str, Any] | None = None
        self.cancel_failed: dict[str, Any] | None = None
        self.started_decision_id: int | None = None
        self.completed_decision_id: int | None = None
        self.last_event_id: int | None = None


_CLOSING_KEYS = {
    "completed": ("result",),
    "failed": ("reason", "details"),
    "canceled": ("details",),
    "timed_out": ("timeout_type",),
}


def _rerun(entry: dict[str, Any], known: dict[str, dict[str, Any]], key: str, tasks: list[Any]) -> None:
    """Store a scheduling of ``key``: a first one counts attempt 1, a later one adds a retry."""
    if key in known:
        previous = known[key]
        previous.update(entry)
        previous["retry"] = previous.get("retry", -1) + 1
        previous["attempt"] = previous.get("attempt", 0) + 1
    else:
        known[key] = {**entry, "retry": 0, "attempt": 1}
        tasks.append(known[key])


def _task_event(folded: _Folded, by_id: dict[int, UpstreamEvent], event: UpstreamEvent) -> None:
    """Activities (``scheduled_id`` ...) and child workflows (``initiated_event_id`` ...)."""
    state, at = event.state, event.timestamp
    child = event.type == "ChildWorkflowExecution"
    known = folded.child_workflows if child else folded.activities
    if state in ("scheduled", "start_initiated"):
        kind = event.workflow_type if child else event.activity_type
        entry = {
            "type": "child_workflow" if child else "activity",
            "id": event.workflow_id if child else event.activity_id,
            "name": kind["name"],
            "version": kind["version"],
            "state": state,
            "input": getattr(event, "input", None),
            "control": getattr(event, "control", None),
            "task_list": event.task_list["name"],
            "decision_task_completed_event_id": event.decision_task_completed_event_id,
        }
        if child:
            entry |= {"initiated_event_id": event.id, "initiated_event_timestamp": at}
            entry |= {
                "child_policy": getattr(event, "child_policy", None),
                "tag_list": getattr(event, "tag_list", None),
            }
        else:
            entry |= {"scheduled_id": event.id, "scheduled_timestamp": at}
        _rerun(entry, known, entry["id"], folded.tasks)
        return
    if state in ("schedule_failed", "start_failed", "cancel_requested"):
        key = event.workflow_id if child else event.activity_id
        entry = {"type": "child_workflow" if child else "activity", "id": key, "state": state}
        entry[f"{state}_timestamp"] = at
        if state != "cancel_requested":
            entry["cause"] = event.cause
        if key not in known:
            known[key] = entry
            folded.tasks.append(entry)
        else:
            known[key].update(entry)
        return
    opener = by_id.get(getattr(event, "initiated_event_id" if child else "scheduled_event_id", -1))
    if opener is None:
        return
    entry = known[opener.workflow_id if child else opener.activity_id]
    entry["state"] = state
    entry[f"{state}_id"] = event.id
    entry[f"{state}_timestamp"] = at
    if state == "started":
        if child:
            entry |= {
                "run_id": event.workflow_execution["runId"],
                "workflow_id": event.workflow_execution["workflowId"],
            }
        else:
            entry["identity"] = getattr(event, "identity", None)
    # What each closing keeps, by upstream's key names (payloads stay the strings SWF stores).
    for name in _CLOSING_KEYS.get(state, ()):
        entry[name] = getattr(event, name, None)
    if state == "timed_out":
        entry["timeout_value"] = getattr(opener, f"{event.timeout_type.lower()}_timeout", None)


def _other_event(folded: _Folded, by_id: dict[int, UpstreamEvent], event: UpstreamEvent) -> None:
    """Signals, cancel requests, signals sent, markers, timers and decision ids."""
    kind, state, at = event.type, event.state, event.timestamp
    if kind == "WorkflowExecution" and state == "signaled":
        sender = getattr(event, "external_workflow_execution", None) or {}
        signal = {
            "type": "signal",
            "name": event.signal_name,
            "state": state,
            "input": getattr(event, "input", None),
        }
        signal |= {"external_initiated_event_id": getattr(event, "external_initiated_event_id", None)}
        signal |= {"external_run_id": sender.get("runId"), "external_workflow_id": sender.get("workflowId")}
        signal |= {"event_id": event.id, "timestamp": at}
        folded.signals[event.signal_name] = signal
        folded.signal_lists[event.signal_name].append(signal)
        folded.tasks.append(signal)
    elif kind == "WorkflowExecution" and state == "cancel_requested":
        requester = getattr(event, "external_workflow_execution", None) or {}
        folded.cancel_requested = {
            "type": state,
            "cause": getattr(event, "cause", None),
            "event_id": event.id,
        }
        folded.cancel_requested |= {
            "external_initiated_event_id": getattr(event, "external_initiated_event_id", None)
        }
        folded.cancel_requested |= {"external_run_id": requester.get("runId")}
        folded.cancel_requested |= {"external_workflow_id": requester.get("workflowId"), "timestamp": at}
    elif kind == "WorkflowExecution" and state == "cancel_failed":
        folded.cancel_failed = {"type": state, "cause": getattr(event, "cause", None), "event_id": event.id}
        folded.cancel_failed |= {"decision_task_completed_event_id": event.decision_task_completed_event_id}
        folded.cancel_failed["timestamp"] = at
    elif kind == "ExternalWorkflowExecution":
        _external_event(folded, by_id, event)
    elif kind == "Marker":
        marker = {"type": "marker", "name": event.marker_name, "state": state}
        if state == "recorded":
            marker |= {"details": getattr(event, "details", None), "event_id": event.id, "timestamp": at}
        else:
            marker |= {
                "cause": event.cause,
                "record_failed_event_id": event.id,
                "record_failed_event_timestamp": at,
            }
        folded.markers.setdefault(event.marker_name, []).append(marker)
    elif kind == "Timer":
        timer = folded.timers.setdefault(event.timer_id, {"type": "timer", "id": event.timer_id})
        if state == "started":
            timer.clear()
            timer |= {"type": "timer", "id": event.timer_id, "control": getattr(event, "control", None)}
            timer["start_to_fire_timeout"] = int(event.start_to_fire_timeout)
        if state in ("started", "start_failed"):
            timer["decision_task_completed_event_id"] = event.decision_task_completed_event_id
        if state in ("canceled", "cancel_failed"):
            timer["cancel_decision_task_completed_event_id"] = getattr(
                event, "decision_task_completed_event_id", None
            )
        if state == "start_failed":
            timer["cause"] = event.cause
        timer |= {"state": state, f"{state}_event_id": event.id, f"{state}_event_timestamp": at}
    elif kind == "DecisionTask" and state in ("started", "completed"):
        setattr(folded, f"{state}_decision_id", event.id)


def _external_event(folded: _Folded, by_id: dict[int, UpstreamEvent], event: UpstreamEvent) -> None:
    """Signals and cancel requests this execution sent (``external_workflows_*``, ``signaled_workflows``)."""
    state, at = event.state, event.timestamp
    if state in ("signal_execution_initiated", "request_cancel_execution_initiated"):
        entry = {
            "type": "external_workflow",
            "id": event.workflow_id,
            "run_id": getattr(event, "run_id", None),
        }
        entry |= {"state": state, "control": getattr(event, "control", None), "initiated_event_id": event.id}
        entry["initiated_event_timestamp"] = at
        if state == "signal_execution_initiated":
            entry |= {"signal_name": event.signal_name, "input": getattr(event, "input", None)}
            folded.external_workflows_signaling[event.id] = entry
        else:
            folded.external_workflows_canceling.setdefault(event.workflow_id, {}).update(entry)
        return
    initiated = by_id.get(event.initiated_event_id)
    if initiated is None:
        return
    if "signal" in state:
        entry = folded.external_workflows_signaling[initiated.id]
    else:
        entry = folded.external_workflows_canceling[initiated.workflow_id]
    if state.endswith("_failed"):
        entry |= {"state": state, "cause": event.cause}
        if getattr(event, "control", None):
            entry["control"] = event.control
        entry["signal_failed_timestamp" if "signal" in state else "request_cancel_failed_timestamp"] = at
        return
    execution = event.workflow_execution
    entry |= {"run_id": execution["runId"], "workflow_id": execution["workflowId"]}
    if state == "execution_signaled":
        entry |= {"state": state, "signaled_event_id": event.id, "signaled_timestamp": at}
        folded.signaled_workflows[entry["signal_name"]].append(entry)
    else:
        entry |= {"cancel_requested_event_id": event.id, "cancel_requested_timestamp": at}


def fold_upstream(events: list[UpstreamEvent]) -> _Folded:
    """Upstream's containers for these events, oldest first (one pass; links by event id)."""
    folded = _Folded()
    by_id = {event.id: event for event in events}
    for event in events:
        if event.type in ("ActivityTask", "ChildWorkflowExecution"):
            _task_event(folded, by_id, event)
        else:
            _other_event(folded, by_id, event)
    if events:
        folded.last_event_id = events[-1].id
    return folded


class UpstreamHistory:
    """Upstream's ``History`` reading API over one :class:`History`, built on first read.

    Upstream's names come first; any other name is the wrapped History's (:attr:`native`).
    """

    def __init__(self, history: History) -> None:
        self.native = history

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "native":
            raise AttributeError(name)
        return getattr(self.native, name)

    def __len__(self) -> int:
        return len(self.native)

    @cached_property
    def events(self) -> list[UpstreamEvent]:
        """Every event, oldest first, as upstream's event objects (still the raw mappings)."""
        return [UpstreamEvent(event) for event in self.native.events]

    @cached_property
    def _folded(self) -> _Folded:
        return fold_upstream(self.events)

    @property
    def activities(self) -> dict[str, dict[str, Any]]:
        """Upstream's activities: latest attempt's dict per activity id (``state``, ``result``, ...)."""
        return self._folded.activities

    @property
    def child_workflows(self) -> dict[str, dict[str, Any]]:
        """Upstream's child workflows: one dict per child workflow id."""
        return self._folded.child_workflows

    @property
    def external_workflows_signaling(self) -> dict[int, dict[str, Any]]:
        """Signals this execution sent, keyed by their initiated event id."""
        return self._folded.external_workflows_signaling

    @property
    def external_workflows_canceling(self) -> dict[str, dict[str, Any]]:
        """Cancel requests this execution sent, keyed by the target workflow id."""
        return self._folded.external_workflows_canceling

    @cached_property
    def signals(self) -> _Both:
        """The latest signal received per name; called, this project's ``signals(name)``."""
        return _Both(self._folded.signals, self.native.signals)

    @property
    def signal_lists(self) -> defaultdict[str, list[dict[str, Any]]]:
        """Every signal received, per name, oldest first."""
        return self._folded.signal_lists

    def get_signal_events(self, signal_name: str) -> list[dict[str, Any]]:
        """The signals received named ``signal_name``, oldest first."""
        return self._folded.signal_lists.get(signal_name, [])

    @property
    def signaled_workflows(self) -> defaultdict[str, list[dict[str, Any]]]:
        """Signals this execution sent that were delivered, per signal name."""
        return self._folded.signaled_workflows

    @cached_property
    def markers(self) -> _Both:
        """Markers per name, oldest first; called, this project's ``markers(name)``."""
        return _Both(self._folded.markers, self.native.markers)

    @cached_property
    def timers(self) -> _Both:
        """The latest use of each timer id; called, this project's ``timers()``."""
        return _Both(self._folded.timers, self.native.timers)

    @cached_property
    def tasks(self) -> _BothList:
        """Activities, child workflows and signals in the order they appeared; called, ``tasks(kind)``."""
        return _BothList(self._folded.tasks, self.native.tasks)

    @cached_property
    def cancel_requested(self) -> _CancelRequested | None:
        """The latest cancel request (upstream's dict, with this project's attributes), or None."""
        record = self.native.cancel_requested
        folded = self._folded.cancel_requested
        return None if record is None or folded is None else _CancelRequested(folded, record)

    @property
    def cancel_requested_id(self) -> int | None:
        """The event id of the latest cancel request, if any."""
        return None if self._folded.cancel_requested is None else self._folded.cancel_requested["event_id"]

    @property
    def cancel_failed(self) -> dict[str, Any] | None:
        """The latest ``CancelWorkflowExecutionFailed``, if any."""
        return self._folded.cancel_failed

    @property
    def cancel_failed_decision_task_completed_event_id(self) -> int | None:
        """The decision of the latest refused cancel, if any."""
        failed = self._folded.cancel_failed
        return None if failed is None else failed["decision_task_completed_event_id"]

    @property
    def started_decision_id(self) -> int | None:
        """The latest ``DecisionTaskStarted`` event id."""
        return self._folded.started_decision_id

    @property
    def completed_decision_id(self) -> int | None:
        """The latest ``DecisionTaskCompleted`` event id."""
        return self._folded.completed_decision_id

    @property
    def last_event_id(self) -> int | None:
        """The id of the last event."""
        return self._folded.last_event_id

    @staticmethod
    def get_event_id(event: Mapping[str, Any]) -> int | None:
        """The id of the event that opened one of the dicts above."""
        for key in (
            "scheduled_id",
            "initiated_event_id",
            "event_id",
            "started_event_id",
            "cancel_failed_event_id",
        ):
            if event.get(key):
                return event[key]
        return None


def upstream_history(history: History | UpstreamHistory) -> UpstreamHistory:
    """``history`` as an :class:`UpstreamHistory` (itself when it already is one)."""
    return history if isinstance(history, UpstreamHistory) else UpstreamHistory(history)
