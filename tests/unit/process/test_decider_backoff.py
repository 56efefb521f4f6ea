"""The decider waits before answering when the replay asks it to (a timer SWF refused for its rates)."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.executor import Replay
from simpleflow.process.decider import DeciderPoller, DecisionResult
from simpleflow.process.shutdown import Shutdown


class Workflow:
    name = "backoff-test"


class RecordingShutdown(Shutdown):
    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    def wait(self, timeout: float) -> bool:
        self.events.append(f"wait {timeout}")
        return False


class FakeDecider:
    client = None
    domain = "test-domain"

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def complete(self, token: str, *, decisions: Any, execution_context: Any) -> None:
        self.events.append("complete")


class FakeRegistry:
    def ensure_decision_types(self, decisions: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [(0.0, ["replay", "complete"]), (4.0, ["replay", "wait 4.0", "complete"])],
    ids=["no-backoff", "backoff"],
)
def test_decider_waits_the_replays_backoff_before_answering(backoff: float, expected: list[str]) -> None:
    events: list[str] = []
    shutdown = RecordingShutdown(events)

    class Executor:
        def __init__(self, workflow_cls: type, **options: Any) -> None:
            pass

        def replay(self, task: Any, **options: Any) -> Replay:
            events.append("replay")
            return Replay(decisions=[], backoff_seconds=backoff)

    poller = DeciderPoller(
        FakeDecider(events),  # type: ignore[arg-type]
        workflows=[Workflow],
        registry=FakeRegistry(),  # type: ignore[arg-type]
        shutdown=shutdown,
        executor_factory=Executor,
    )
    task = {"taskToken": "t", "workflowType": {"name": "backoff-test"}, "workflowExecution": {}, "events": []}
    assert poller.process_task(task) is DecisionResult.COMPLETED
    assert events == expected
