"""Following an execution while it runs: what is new in its history, and one progress line about it.

:class:`ExecutionFollower` looks at an execution (its continue-as-new runs, and its children, and theirs)
from time to time. Each look reads only the events after the last one it has seen: newest page first,
back to the event already known, so a long run costs one small ``GetWorkflowExecutionHistory`` per look
and per open run, never its whole history again. Looks come quickly while things change and slow down
(to one every 5 s) while nothing does, which keeps a long timer from costing SWF calls
that would be throttled.

From the events alone it keeps, per run:

- the state of every task (activities, lambdas, child workflows): scheduled, running, done or failed;
  the children's own tasks count too;
- the open timers and when each fires, and the children still open;
- what ``run()`` waits on, which the decider writes in each decision's execution context;
- for each child that closed other than completed, the cause read from the child's own close event
  (a child terminated by SWF's 25,000-event limit says so only in its history).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from simpleflow.execution import CLOSE_EVENTS, attributes_key
from simpleflow.swf.client import swf_errors

#: Seconds between looks while something changes; while nothing does, looks slow down to ten times that.
FASTEST_LOOK = 0.5
SLOWDOWN = 10
#: A progress line at least this often, even when nothing changed (the elapsed time moves on).
REPEAT_LINE = 15.0
#: Events asked for per history page: the first look reads big pages; later looks small ones (bigger
#: while the new events keep filling them), so a look that finds nothing new transfers a handful.
FIRST_PAGE_SIZE = 1000
SMALLEST_PAGE_SIZE = 10

STATES = ("scheduled", "running", "done", "failed")

# Event type -> the state its task moves to. A scheduling event is the task's own first event; the
# later ones name it by the attribute in _TASK_KEYS.
_TASK_EVENTS = {
    "ActivityTaskScheduled": "scheduled",
    "ActivityTaskStarted": "running",
    "ActivityTaskCompleted": "done",
    "ActivityTaskFailed": "failed",
    "ActivityTaskTimedOut": "failed",
    "ActivityTaskCanceled": "failed",
    "ScheduleActivityTaskFailed": "failed",
    "LambdaFunctionScheduled": "scheduled",
    "LambdaFunctionStarted": "running",
    "LambdaFunctionCompleted": "done",
    "LambdaFunctionFailed": "failed",
    "LambdaFunctionTimedOut": "failed",
    "ScheduleLambdaFunctionFailed": "failed",
    "StartChildWorkflowExecutionInitiated": "scheduled",
    "ChildWorkflowExecutionStarted": "running",
    "ChildWorkflowExecutionCompleted": "done",
    "ChildWorkflowExecutionFailed": "failed",
    "ChildWorkflowExecutionTimedOut": "failed",
    "ChildWorkflowExecutionCanceled": "failed",
    "ChildWorkflowExecutionTerminated": "failed",
    "StartChildWorkflowExecutionFailed": "failed",
}
_TASK_KEYS = ("scheduledEventId", "initiatedEventId")
_CHILD_CLOSES = frozenset(
    {
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
    }
)
_SIGNAL_WAIT_PREFIX = "wait-signal-"


@dataclass(frozen=True)
class Waiting:
    """One thing the run waits on: a timer (and when it fires), a signal, a child or a task."""

    kind: str
    name: str
    fires_at: datetime | None = None

    def describe(self, now: datetime) -> str:
        """``timer reminder (fires 12:00:05 UTC, in 30 s)``, ``signal approve``, ``child report-1``."""
        if self.fires_at is None:
            return f"{self.kind} {self.name}"
        seconds = max(0.0, (self.fires_at - now).total_seconds())
        return f"{self.kind} {self.name} (fires {self.fires_at:%H:%M:%S} UTC, in {seconds:.0f} s)"


@dataclass(frozen=True)
class RunProgress:
    """Where an execution stands: the counts of its tasks (children's included) and what it waits on."""

    started: datetime | None
    counts: Mapping[str, int]
    waiting: tuple[Waiting, ...] = ()
    #: When the progress was read (UTC).
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def elapsed_seconds(self) -> float:
        """Seconds since the execution started (0 before its start event is read)."""
        return 0.0 if self.started is None else max(0.0, (self.now - self.started).total_seconds())

    @property
    def key(self) -> tuple[Any, ...]:
        """What a change is judged by: the counts and what it waits on, not the clock."""
        return (tuple(self.counts.get(state, 0) for state in STATES), self.waiting)

    def __str__(self) -> str:
        counts = ", ".join(f"{self.counts.get(state, 0)} {state}" for state in STATES)
        line = f"{counts}; {self.elapsed_seconds:.1f} s elapsed"
        if self.waiting:
            line += "; waiting on " + ", ".join(waiting.describe(self.now) for waiting in self.waiting)
        return line


@dataclass
class _Run:
    """What one run's history has shown so far."""

    workflow_id: str
    run_id: str
    last_event_id: int = 0
    started: datetime | None = None
    task_states: dict[int, str] = field(default_factory=dict)
    timers: dict[str, datetime] = field(default_factory=dict)
    #: Open children by initiated event id: workflow id and (once started) run id.
    children: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    #: Every child run ever started, open or closed: their tasks count too.
    started_children: list[tuple[str, str]] = field(default_factory=list)
    waiting_on: str | None = None
    close: tuple[str, dict[str, Any]] | None = None
    #: The page size of the next read (see FIRST_PAGE_SIZE).
    page_size: int = FIRST_PAGE_SIZE
    #: Children that closed other than completed: (workflow id, run id, close event type).
    troubled_children: list[tuple[str, str | None, str]] = field(default_factory=list)

    def feed(self, event: Mapping[str, Any]) -> None:
        """Account for one event, given oldest first."""
        event_type = event["eventType"]
        attributes = event.get(attributes_key(event_type), {})
        self.last_event_id = event["eventId"]
        if event_type == "WorkflowExecutionStarted":
            self.started = _utc(event["eventTimestamp"])
        state = _TASK_EVENTS.get(event_type)
        if state is not None:
            task = next((attributes[key] for key in _TASK_KEYS if key in attributes), None)
            if task is None or state == "scheduled":
                task = event["eventId"]
            self.task_states[task] = state
        if event_type == "TimerStarted":
            seconds = float(attributes.get("startToFireTimeout") or 0)
            self.timers[attributes["timerId"]] = _utc(event["eventTimestamp"]) + timedelta(seconds=seconds)
        elif event_type in ("TimerFired", "TimerCanceled"):
            self.timers.pop(attributes.get("timerId", ""), None)
        elif event_type == "StartChildWorkflowExecutionInitiated":
            self.children[event["eventId"]] = (attributes["workflowId"], None)
        elif event_type == "ChildWorkflowExecutionStarted":
            execution = attributes["workflowExecution"]
            self.children[attributes["initiatedEventId"]] = (execution["workflowId"], execution["runId"])
            self.started_children.append((execution["workflowId"], execution["runId"]))
        elif event_type in _CHILD_CLOSES or event_type == "StartChildWorkflowExecutionFailed":
            child = self.children.pop(attributes.get("initiatedEventId", -1), None)
            if child is not None and event_type != "ChildWorkflowExecutionCompleted":
                self.troubled_children.append((*child, event_type))
        elif event_type == "DecisionTaskCompleted":
            self.waiting_on = _waiting_on(attributes.get("executionContext"))
        if event_type in CLOSE_EVENTS:
            self.close = (CLOSE_EVENTS[event_type], dict(attributes))

    def waiting(self) -> tuple[Waiting, ...]:
        """What ``run()`` parked on, described from the history; without it, the open timers and children."""
        name = self.waiting_on
        if name is None:
            timers = tuple(Waiting("timer", timer_id, fires) for timer_id, fires in self.timers.items())
            return timers + tuple(Waiting("child", workflow_id) for workflow_id, _ in self.children.values())
        if name in self.timers:
            return (Waiting("timer", name, self.timers[name]),)
        if name.startswith(_SIGNAL_WAIT_PREFIX):  # wait-signal-NAME-RANK
            return (Waiting("signal", name[len(_SIGNAL_WAIT_PREFIX) :].rsplit("-", 1)[0]),)
        if name in {workflow_id for workflow_id, _ in self.children.values()}:
            return (Waiting("child", name),)
        return (Waiting("task", name),)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _waiting_on(context: str | None) -> str | None:
    """The ``waiting_on`` the decider puts in its execution context (None when absent or foreign)."""
    if not context:
        return None
    try:
        summary = json.loads(context)
    except ValueError:
        return None
    waiting = summary.get("waiting_on") if isinstance(summary, dict) else None
    return waiting if isinstance(waiting, str) else None


def new_events(
    client: Any, domain: str, execution: Mapping[str, str], *, after: int, page_size: int = FIRST_PAGE_SIZE
) -> list[dict[str, Any]]:
    """The events of ``execution`` after event id ``after``, oldest first.

    Pages of ``page_size`` are read newest first and only back to event ``after``: what is new, not the
    whole history.
    """
    newest_first: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {
            "domain": domain,
            "execution": dict(execution),
            "reverseOrder": True,
            "maximumPageSize": page_size,
        }
        if token:
            request["nextPageToken"] = token
        with swf_errors("GetWorkflowExecutionHistory"):
            page = client.get_workflow_execution_history(**request)
        for event in page.get("events", []):
            if event["eventId"] <= after:
                return newest_first[::-1]
            newest_first.append(event)
        # The same page size throughout: a next-page token belongs to the request that made it.
        token = page.get("nextPageToken")
        if not token:
            return newest_first[::-1]


@dataclass(frozen=True)
class ChildClose:
    """How a child that did not complete closed, from its own close event."""

    workflow_id: str
    run_id: str | None
    status: str
    cause: str | None = None
    reason: str | None = None

    def __str__(self) -> str:
        text = f"child {self.workflow_id} {self.status.lower().replace('_', ' ')}"
        extra = [part for part in (self.cause, self.reason) if part]
        return text + (f" ({': '.join(extra)})" if extra else "")


class ExecutionFollower:
    """Follows one execution to its close: see the module documentation.

    ``look()`` reads what is new and returns the progress; ``close`` is set once the execution (its
    last continue-as-new run) closed.
    """

    def __init__(self, client: Any, domain: str, execution: Mapping[str, str]) -> None:
        self.client = client
        self.domain = domain
        self.current = _Run(execution["workflowId"], execution["runId"])
        self.first_start: datetime | None = None
        #: Runs of children (and their children) being followed, by (workflow id, run id).
        self.descendants: dict[tuple[str, str], _Run] = {}
        self.child_closes: list[ChildClose] = []
        #: Whether the last look found new events (the pace of looks follows it).
        self.changed = False
        #: History reads made so far (each of one or more GetWorkflowExecutionHistory pages).
        self.calls = 0

    @property
    def workflow_id(self) -> str:
        """The execution's workflow id."""
        return self.current.workflow_id

    @property
    def run_id(self) -> str:
        """The run followed now (the latest continue-as-new run seen)."""
        return self.current.run_id

    @property
    def close(self) -> tuple[str, dict[str, Any]] | None:
        """``(close status, close attributes)`` once the execution closed, not continued as new."""
        close = self.current.close
        return None if close is None or close[0] == "CONTINUED_AS_NEW" else close

    def _read(self, run: _Run) -> bool:
        first = run.last_event_id == 0
        reference = {"workflowId": run.workflow_id, "runId": run.run_id}
        events = new_events(
            self.client, self.domain, reference, after=run.last_event_id, page_size=run.page_size
        )
        self.calls += 1
        # After the first read, small pages while the new events fit in one; bigger while a burst outgrows it.
        bursting = not first and len(events) >= run.page_size
        run.page_size = min(FIRST_PAGE_SIZE, 2 * run.page_size) if bursting else SMALLEST_PAGE_SIZE
        for event in events:
            run.feed(event)
        return bool(events)

    def look(self) -> RunProgress:
        """Read what is new in the execution and its open children; the progress as of now."""
        changed = self._read(self.current)
        if self.first_start is None:
            self.first_start = self.current.started
        while self.current.close is not None and self.current.close[0] == "CONTINUED_AS_NEW":
            self.current = _Run(self.current.workflow_id, self.current.close[1]["newExecutionRunId"])
            changed = self._read(self.current) or changed
        # A child found now may have children of its own: read until no new run turns up.
        while True:
            found = [
                child
                for run in list(self._runs())
                for child in run.started_children
                if child not in self.descendants
            ]
            for workflow_id, run_id in found:
                self.descendants[(workflow_id, run_id)] = _Run(workflow_id, run_id)
            unread = [child for child in self.descendants.values() if child.close is None]
            for child in unread:
                changed = self._read(child) or changed
            if not found:
                break
        self._record_child_closes()
        self.changed = changed
        return self.progress()

    def _runs(self) -> Iterator[_Run]:
        yield self.current
        yield from self.descendants.values()

    def _record_child_closes(self) -> None:
        known = {(close.workflow_id, close.run_id) for close in self.child_closes}
        for run in list(self._runs()):
            for workflow_id, run_id, event_type in run.troubled_children:
                if (workflow_id, run_id) in known:
                    continue
                known.add((workflow_id, run_id))
                self.child_closes.append(self._child_close(workflow_id, run_id, event_type))

    def _child_close(self, workflow_id: str, run_id: str | None, event_type: str) -> ChildClose:
        status = event_type.removeprefix("ChildWorkflowExecution").removeprefix("StartChildWorkflowExecution")
        status = {"TimedOut": "TIMED_OUT"}.get(status, status.upper())
        if run_id is None:
            return ChildClose(workflow_id, None, "START_FAILED" if status == "FAILED" else status)
        followed = self.descendants.get((workflow_id, run_id))
        if followed is None or followed.close is None:
            followed = _Run(workflow_id, run_id)
            self._read(followed)
        attributes = followed.close[1] if followed.close else {}
        return ChildClose(
            workflow_id,
            run_id,
            followed.close[0] if followed.close else status,
            cause=attributes.get("cause") or attributes.get("timeoutType"),
            reason=attributes.get("reason"),
        )

    def progress(self) -> RunProgress:
        """The progress as of the last look."""
        counts = dict.fromkeys(STATES, 0)
        for run in self._runs():
            for state in run.task_states.values():
                counts[state] += 1
        return RunProgress(self.first_start, counts, self.current.waiting())

    def failure_causes(self) -> str:
        """The causes of the children that did not complete, for the parent's failure message."""
        return "; ".join(str(close) for close in self.child_closes)


def follow(
    follower: ExecutionFollower,
    *,
    on_progress: Callable[[RunProgress], None],
    check: Callable[[], None] = lambda: None,
    timeout: float | None = None,
    interval: float = FASTEST_LOOK,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[str, dict[str, Any]]:
    """Look at the execution until it closes; returns its close status and close attributes.

    ``on_progress`` gets a line whenever the counts or what the run waits on change, and every
    :data:`REPEAT_LINE` seconds besides. ``check`` runs between looks (e.g. that the processes serving
    the run are alive) and may raise. Looks come every ``interval`` seconds while something changes,
    slowing to ``SLOWDOWN`` times that while nothing does. Raises TimeoutError after ``timeout`` seconds.
    """
    deadline = None if timeout is None else clock() + timeout
    fastest, pause = interval, interval
    last_key: tuple[Any, ...] | None = None
    last_line = -REPEAT_LINE
    while True:
        progress = follower.look()
        now = clock()
        if progress.key != last_key or now - last_line >= REPEAT_LINE or follower.close is not None:
            on_progress(progress)
            last_key, last_line = progress.key, now
        if follower.close is not None:
            return follower.close
        check()
        if deadline is not None and now >= deadline:
            raise TimeoutError(f"{follower.workflow_id} did not close within {timeout} s; last: {progress}")
        pause = fastest if follower.changed else min(fastest * SLOWDOWN, pause * 1.5)
        sleep(pause if deadline is None else max(0.0, min(pause, deadline - now)))
