"""The replayer: check that the current code of a workflow still makes the decisions its histories recorded.

A change to a workflow's code must not change the decisions open executions have made already (see
the determinism concept page). :class:`Replayer` proves it before a deployment: it replays every
decision task of a recorded history against the current code and compares what the code decides with
what the history recorded::

    from simpleflow.testing import Replayer

    result = Replayer(SquaresWorkflow).replay("histories/squares.json")
    assert result.ok, result.describe()

How: for each ``DecisionTaskCompleted`` event of the history, the decision task it answered is rebuilt
(every event up to its ``DecisionTaskStarted``, as the decider was given them) and decided by the
replay executor (:meth:`simpleflow.executor.Executor.replay`) exactly as a decider does: the first
task by a fresh run of ``run()``, the next ones by that live run carried on (a
:class:`~simpleflow.runtime.cache.RunCache`), so a history replays in linear time; a task the live run
cannot go on with is decided by a fresh run of its whole history. ``SIMPLEFLOW_VERIFY_LIVE_RUNS=1``
(on in simpleflow's own tests) checks every such task against a fresh run too. The decisions made are
compared with the events that
recorded the original ones (:mod:`simpleflow.testing.decision_match` says what counts as a match). A
task whose replay raises :class:`~simpleflow.exceptions.NondeterminismError` (a task under a recorded
id with another type or input, a recorded task the code no longer makes, a removed patch) diverges
there too. The first divergence is reported (:class:`~simpleflow.testing.divergence.Divergence`) and
the replay of that history stops: what follows it depends on it.

A decision task that was started but not completed (an open execution, a decider that crashed) has
no recorded decisions to compare with, so it is not replayed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from simpleflow import payload
from simpleflow.exceptions import NondeterminismError, PatchRemoved
from simpleflow.executor import Executor
from simpleflow.history import attributes_key
from simpleflow.runtime.cache import RunCache
from simpleflow.runtime.events.patches import PATCH_MARKER_NAME
from simpleflow.swf.client import SWFClient
from simpleflow.testing.decision_match import RecordedDecision, first_mismatch, recorded_decisions
from simpleflow.testing.divergence import Divergence, ReplayResult, UnreadableHistory, shortened
from simpleflow.testing.history_source import (
    UNKNOWN_RUN_ID,
    UNKNOWN_WORKFLOW_ID,
    RecordedHistory,
    closed_executions,
    fetch_history,
    history_files,
    inferred_workflow_id,
    parse_events,
    read_history_file,
)
from simpleflow.workflow import Workflow

__all__ = ["HistoryInput", "Replayer"]

#: What :meth:`Replayer.replay` takes: a file path, a decoded history file, a list of events.
HistoryInput = str | Path | Sequence[Mapping[str, Any]] | Mapping[str, Any] | RecordedHistory

# Attributes that hold the id of the task an event is about, to point at the event a replay error names.
_TASK_ID_ATTRIBUTES = ("activityId", "timerId", "workflowId", "id", "markerName")


class Replayer:
    """Replays recorded histories of ``workflow`` against its current code (see the module documentation).

    ``payload_store`` reads the out-of-band payloads a history refers to (inputs and results over SWF's
    limits); ``client`` is the SWF client live histories are read with (default: one made from the
    environment, as the CLI does, when first needed).
    """

    def __init__(
        self,
        workflow: type[Workflow],
        *,
        payload_store: payload.PayloadStore | None = None,
        client: SWFClient | None = None,
    ) -> None:
        if not (isinstance(workflow, type) and issubclass(workflow, Workflow)):
            raise TypeError(f"Replayer takes a Workflow subclass, not {workflow!r}")
        self.workflow = workflow
        self.payload_store = payload_store
        self._client = client

    @property
    def client(self) -> SWFClient:
        """The SWF client live histories are read with."""
        if self._client is None:
            from simpleflow.swf import make_client

            self._client = make_client()
        return self._client

    # -- one history ----------------------------------------------------------------------------------------

    def replay(
        self,
        history: HistoryInput,
        *,
        workflow_id: str | None = None,
        run_id: str | None = None,
        raise_on_divergence: bool = False,
    ) -> ReplayResult:
        """Replay one history: a file path, its decoded JSON, a list of events, or a :class:`RecordedHistory`.

        ``workflow_id`` and ``run_id`` are the recorded execution's, when the history does not tell them
        (see :mod:`simpleflow.testing.history_source`). Returns a :class:`ReplayResult`; with
        ``raise_on_divergence=True`` a divergence raises
        :class:`~simpleflow.testing.divergence.ReplayDivergence` instead. Bad input raises
        :class:`~simpleflow.testing.divergence.UnreadableHistory`.
        """
        recorded = self._recorded(history, workflow_id=workflow_id, run_id=run_id)
        result = self._replay(recorded)
        return result.raise_on_divergence() if raise_on_divergence else result

    def replay_all(
        self, histories: str | Path | Iterable[HistoryInput], *, raise_on_divergence: bool = False
    ) -> list[ReplayResult]:
        """Replay a folder of history files (``*.json``, by name), one file, or several histories.

        Every history is replayed, even after one diverged, unless ``raise_on_divergence``.
        """
        if isinstance(histories, str | Path):
            sources: Iterable[HistoryInput] = history_files(histories)
        else:
            sources = histories
        return [self.replay(source, raise_on_divergence=raise_on_divergence) for source in sources]

    # -- live histories -------------------------------------------------------------------------------------

    def replay_execution(
        self,
        domain: str,
        workflow_id: str,
        *,
        run_id: str | None = None,
        raise_on_divergence: bool = False,
    ) -> ReplayResult:
        """Replay the history of a live execution (its latest run when ``run_id`` is None)."""
        recorded = fetch_history(self.client, domain, workflow_id=workflow_id, run_id=run_id)
        return self.replay(recorded, raise_on_divergence=raise_on_divergence)

    def replay_closed(
        self, domain: str, *, last: int, raise_on_divergence: bool = False
    ) -> list[ReplayResult]:
        """Replay the ``last`` most recently started closed executions of the workflow's type in ``domain``.

        Returns one result per execution found (none when there is none).
        """
        if last < 1:
            raise ValueError(f"last must be 1 or more, not {last}")
        executions = closed_executions(self.client, domain, workflow_name=self.workflow.name, last=last)
        return [
            self.replay_execution(domain, workflow_id, run_id=run_id, raise_on_divergence=raise_on_divergence)
            for workflow_id, run_id in executions
        ]

    # -- the replay -----------------------------------------------------------------------------------------

    def _recorded(
        self, history: HistoryInput, *, workflow_id: str | None, run_id: str | None
    ) -> RecordedHistory:
        if isinstance(history, RecordedHistory):
            recorded = history
        elif isinstance(history, str | Path):
            if Path(history).is_dir():
                raise UnreadableHistory(str(history), "a folder: replay its files with replay_all()")
            recorded = read_history_file(history, workflow_id=workflow_id, run_id=run_id)
        else:
            events = parse_events(history, source="the history given")
            recorded = RecordedHistory(
                "the history given",
                events,
                workflow_id or inferred_workflow_id(events) or UNKNOWN_WORKFLOW_ID,
                run_id or UNKNOWN_RUN_ID,
                run_id_known=run_id is not None,
            )
        name = recorded.workflow_type.get("name")
        if name != self.workflow.name:
            raise UnreadableHistory(
                recorded.source, f"a history of workflow type {name!r}, not {self.workflow.name!r}"
            )
        if self.payload_store is None:
            # Without a store, run() would fail reading such a field: a failure, not a divergence.
            reference = _first_reference(recorded.events)
            if reference is not None:
                raise UnreadableHistory(
                    recorded.source,
                    f"it refers to out-of-band payloads ({shortened(reference, limit=80)}) but no "
                    "payload store is configured; give payload_store= (workflow.replay: set "
                    "SIMPLEFLOW_PAYLOAD_STORE)",
                )
        return recorded

    def _replay(self, recorded: RecordedHistory) -> ReplayResult:
        events = recorded.events
        executor = Executor(self.workflow, payload_store=self.payload_store)
        # One live run carried from task to task, as a decider keeps it: each task costs what is new,
        # so a long history replays in linear time. A task the live run cannot go on with is decided
        # by a fresh run of its whole history, through the same mechanism.
        runs = RunCache(max_runs=1)
        by_task = _recorded_by_task(events)
        replayed = 0
        previous_started = 0
        try:
            for index, completed in enumerate(events):
                if completed["eventType"] != "DecisionTaskCompleted":
                    continue
                started = int(completed["decisionTaskCompletedEventAttributes"]["startedEventId"])
                replayed += 1
                prefix = list(events[: _end_of(events, started, before=index)])
                task = {
                    "taskToken": "replay",
                    "startedEventId": started,
                    "previousStartedEventId": previous_started,
                    "workflowExecution": {"workflowId": recorded.workflow_id, "runId": recorded.run_id},
                    "workflowType": dict(recorded.workflow_type),
                    "events": prefix,
                }
                previous_started = started
                try:
                    decided = executor.replay(task, history=runs.history_of(task), runs=runs).decisions
                except NondeterminismError as error:
                    divergence = divergence_of_error(error, prefix, started=started)
                    return self._result(recorded, replayed, divergence)
                mismatch = first_mismatch(
                    decided,
                    by_task.get(int(completed["eventId"]), []),
                    store=self.payload_store,
                    unknown_run_id=None if recorded.run_id_known else recorded.run_id,
                )
                if mismatch is not None:
                    divergence = Divergence(
                        decision_task=started,
                        event_id=None if mismatch.recorded is None else mismatch.recorded.event_id,
                        recorded=shortened(mismatch.recorded_fields()),
                        produced=shortened(mismatch.produced_fields()),
                        reason=mismatch.reason,
                    )
                    return self._result(recorded, replayed, divergence)
        finally:
            runs.close()  # unwind the live run's parked thread
        return self._result(recorded, replayed, None)

    @staticmethod
    def _result(recorded: RecordedHistory, replayed: int, divergence: Divergence | None) -> ReplayResult:
        return ReplayResult(
            source=recorded.source,
            workflow_id=recorded.workflow_id,
            run_id=recorded.run_id,
            decision_tasks=replayed,
            divergence=divergence,
        )


def _recorded_by_task(events: Sequence[Mapping[str, Any]]) -> dict[int, list[RecordedDecision]]:
    """The recorded decisions of every decision task, by the id of its ``DecisionTaskCompleted``."""
    by_task: dict[int, list[RecordedDecision]] = {}
    for decision in recorded_decisions(events):
        by_task.setdefault(decision.completed_event_id, []).append(decision)
    return by_task


def _end_of(events: Sequence[Mapping[str, Any]], started: int, *, before: int) -> int:
    """How many of ``events`` (sorted by id) have an id up to ``started``, looking before ``before``."""
    end = min(started, before)  # ids are dense from 1: the started event is at index started - 1
    if 0 < end <= len(events) and int(events[end - 1]["eventId"]) == started:
        return end
    return sum(1 for event in events[:before] if int(event["eventId"]) <= started)


def divergence_of_error(
    error: NondeterminismError, events: Sequence[Mapping[str, Any]], *, started: int
) -> Divergence:
    """The divergence a replay error tells, pointing at the event that recorded the task it names."""
    event_id = None
    for event in events:
        attributes = event.get(attributes_key(event["eventType"])) or {}
        if isinstance(error, PatchRemoved):
            hit = event["eventType"] == "MarkerRecorded" and _is_patch_marker(attributes, error.change_id)
        else:
            hit = any(attributes.get(name) == error.task_id for name in _TASK_ID_ATTRIBUTES)
        if hit:
            event_id = int(event["eventId"])
            break
    if isinstance(error, PatchRemoved):
        reason = shortened(str(error))
    elif error.produced is None:
        reason = f"the history has task {error.task_id!r}, which the code no longer makes"
    else:
        reason = f"the code makes task {error.task_id!r} with another type, version or input"
    return Divergence(
        decision_task=started,
        event_id=event_id,
        recorded=shortened(error.recorded),
        produced=shortened(error.produced),
        reason=reason,
    )


def _first_reference(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The first out-of-band payload reference a field of ``events`` holds, if any."""
    for event in events:
        for value in (event.get(attributes_key(event["eventType"])) or {}).values():
            if isinstance(value, str) and (payload.is_reference(value) or payload.is_jumbo_reference(value)):
                return value
    return None


def _is_patch_marker(attributes: Mapping[str, Any], change_id: str) -> bool:
    if attributes.get("markerName") != PATCH_MARKER_NAME:
        return False
    try:
        return bool(payload.decode(attributes.get("details")) == change_id)
    except Exception:  # another decider's marker details: not ours
        return False
