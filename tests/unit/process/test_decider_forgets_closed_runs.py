"""A decider lets go of a run's kept events once it answered with a decision that closes the run."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.executor import Replay
from simpleflow.process.decider import DeciderPoller, DecisionResult, closes_the_run
from simpleflow.swf.history_cache import HistoryCache, event_bytes

RUN = ("wf-1", "run-1")
OTHER_RUN = ("wf-2", "run-2")


def decision(kind: str) -> dict[str, Any]:
    return {"decisionType": kind}


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ([], False),
        ([decision("ScheduleActivityTask")], False),
        ([decision("RecordMarker"), decision("CompleteWorkflowExecution")], True),
        ([decision("FailWorkflowExecution")], True),
        ([decision("CancelWorkflowExecution")], True),
        ([decision("ContinueAsNewWorkflowExecution")], True),
        ([decision("StartTimer"), decision("ScheduleActivityTask")], False),
    ],
    ids=["none", "schedule", "complete-last", "fail", "cancel", "continue-as-new", "open"],
)
def test_closes_the_run(decisions: list[dict[str, Any]], expected: bool) -> None:
    assert closes_the_run(decisions) is expected


class Workflow:
    name = "forget-test"


class FakeDecider:
    client = None
    domain = "test-domain"

    def __init__(self) -> None:
        self.history_cache = HistoryCache()
        self.history_cache.keep(RUN, [{"eventId": 1, "eventType": "WorkflowExecutionStarted"}])
        self.history_cache.keep(OTHER_RUN, [{"eventId": 1, "eventType": "WorkflowExecutionStarted"}])

    def complete(self, token: str, **options: Any) -> None:
        pass


class FakeRegistry:
    def ensure_decision_types(self, decisions: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("kind", "kept"),
    [("CompleteWorkflowExecution", {OTHER_RUN}), ("ScheduleActivityTask", {RUN, OTHER_RUN})],
    ids=["closing-decision-forgets", "open-run-kept"],
)
def test_the_history_cache_forgets_a_run_its_answer_closed(kind: str, kept: set[tuple[str, str]]) -> None:
    decider = FakeDecider()

    class Executor:
        def __init__(self, workflow_cls: type, **options: Any) -> None:
            pass

        def replay(self, task: Any, **options: Any) -> Replay:
            return Replay(decisions=[decision(kind)])

    poller = DeciderPoller(
        decider,  # type: ignore[arg-type]
        workflows=[Workflow],
        registry=FakeRegistry(),  # type: ignore[arg-type]
        executor_factory=Executor,
    )
    task = {
        "taskToken": "t",
        "workflowType": {"name": "forget-test"},
        "workflowExecution": {"workflowId": RUN[0], "runId": RUN[1]},
        "events": [],
    }
    assert poller.process_task(task) is DecisionResult.COMPLETED
    assert set(decider.history_cache._runs) == kept
    started = {"eventId": 1, "eventType": "WorkflowExecutionStarted"}
    assert decider.history_cache.size == len(kept) * event_bytes(started)
