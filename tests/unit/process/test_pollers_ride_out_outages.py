"""The poll loop, the worker's answers and the decider's answers survive an endpoint that is away."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import pytest

from simpleflow.exceptions import (
    ConfigurationError,
    EndpointUnreachable,
    NondeterminismError,
    SWFError,
    Throttled,
    UnknownResource,
)
from simpleflow.executor import Replay
from simpleflow.process import polling
from simpleflow.process.decider import DeciderPoller, DecisionResult
from simpleflow.process.polling import Poller
from simpleflow.process.reporting import Reporter
from simpleflow.process.shutdown import Shutdown
from simpleflow.process.worker import ActivityPoller, TaskResult

UNREACHABLE = EndpointUnreachable("Poll", "http://127.0.0.1:1", "connection refused")
FAST = (0.001, 0.002)


class ScriptedPoller(Poller):
    """Polls by raising the scripted errors, then returns one task."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.shutdown = Shutdown()
        self.processed: list[Mapping[str, Any]] = []

    def poll_task(self) -> Mapping[str, Any] | None:
        if self.errors:
            raise self.errors.pop(0)
        return {"taskToken": "t"}

    def process_task(self, task: Mapping[str, Any]) -> object:
        self.processed.append(task)
        return None


def test_the_poll_loop_rides_out_an_outage_and_logs_it_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(polling, "POLL_ERROR_BACKOFF", FAST)
    throttled = Throttled("PollForActivityTask", "ThrottlingException", "Rate exceeded")
    poller = ScriptedPoller(UNREACHABLE, UNREACHABLE, throttled, SWFError("Poll", "InternalFailure", ""))
    with caplog.at_level(logging.WARNING, logger=polling.logger.name):
        assert poller.run(one_task=True) == 1
    assert poller.processed == [{"taskToken": "t"}]
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0].startswith("poll failed, retrying with back-off")
    assert "works again" in messages[1] and "4 failed attempt(s)" in messages[1]


@pytest.mark.parametrize(
    "error",
    [UnknownResource("Poll", "UnknownResourceFault", "no domain"), ConfigurationError("bad settings")],
    ids=["unknown-domain", "configuration"],
)
def test_the_poll_loop_stops_on_what_polling_again_cannot_fix(error: Exception) -> None:
    with pytest.raises(type(error)):
        ScriptedPoller(error).run(one_task=True)


class FlakyActivityWorker:
    """Answers raise ``errors`` in turn (each answer call takes the next), then succeed."""

    domain = "d"
    task_list = "l"

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.answers: list[tuple[str, str, Any]] = []

    def _answer(self, kind: str, token: str, value: Any) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.answers.append((kind, token, value))

    def complete(self, token: str, *, result: str | None = None) -> None:
        self._answer("complete", token, result)

    def fail(self, token: str, *, reason: str | None = None, details: str | None = None) -> None:
        self._answer("fail", token, reason)


def activity_poller(worker: FlakyActivityWorker) -> ActivityPoller:
    poller = ActivityPoller(worker)  # type: ignore[arg-type]
    poller.reporter = Reporter(backoff=FAST)
    return poller


def test_a_finished_result_is_kept_through_an_outage() -> None:
    worker = FlakyActivityWorker(UNREACHABLE, UNREACHABLE, SWFError("X", "503", "Service Unavailable"))
    poller = activity_poller(worker)
    result = poller._respond(TaskResult.COMPLETED, lambda: worker.complete("t1", result="42"))
    assert result is TaskResult.COMPLETED
    assert worker.answers == [("complete", "t1", "42")]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UnknownResource("X", "UnknownResourceFault", "gone"), TaskResult.LOST),
        (SWFError("X", "ValidationException", "too long"), TaskResult.REFUSED),
    ],
    ids=["dead-token", "refused"],
)
def test_an_answer_swf_cannot_take_is_dropped_without_killing_the_worker(
    error: Exception, expected: TaskResult
) -> None:
    worker = FlakyActivityWorker(UNREACHABLE, error)
    poller = activity_poller(worker)
    assert poller._respond(TaskResult.FAILED, lambda: worker.fail("t1", reason="boom")) is expected
    assert worker.answers == []


class Workflow:
    name = "outage-test"


class FlakyDecider:
    client = None
    domain = "d"
    task_list = "decisions"
    identity = "test"

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.completed: list[dict[str, Any]] = []

    def complete(self, token: str, **answer: Any) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.completed.append({"token": token, **answer})


class FakeRegistry:
    def __init__(self) -> None:
        self.calls = 0

    def ensure_decision_types(self, decisions: Any) -> None:
        self.calls += 1


TASK = {"taskToken": "t", "workflowType": {"name": "outage-test"}, "workflowExecution": {}, "events": []}
SCHEDULE = {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "x"}}


def executor_raising(error: BaseException | None) -> type:
    class Executor:
        def __init__(self, workflow_cls: type, **options: Any) -> None:
            pass

        def replay(self, task: Any, **options: Any) -> Replay:
            if error is not None:
                raise error
            return Replay(decisions=[SCHEDULE])

    return Executor


def decider_poller(
    decider: FlakyDecider, *, error: BaseException | None = None, **options: Any
) -> DeciderPoller:
    poller = DeciderPoller(
        decider,  # type: ignore[arg-type]
        workflows=[Workflow],
        registry=FakeRegistry(),  # type: ignore[arg-type]
        executor_factory=executor_raising(error),
        **options,
    )
    poller.reporter = Reporter(backoff=FAST)
    return poller


def test_decisions_are_kept_and_sent_again_through_an_outage() -> None:
    decider = FlakyDecider(UNREACHABLE, Throttled("X", "ThrottlingException", "slow down"))
    poller = decider_poller(decider)
    assert poller.process_task(TASK) is DecisionResult.COMPLETED
    assert [answer["decisions"] for answer in decider.completed] == [[SCHEDULE]]
    assert poller.registry.calls == 3  # registering the types is retried with the answer  # type: ignore[attr-defined]


def test_decisions_for_a_dead_token_are_dropped() -> None:
    decider = FlakyDecider(UNREACHABLE, UnknownResource("X", "UnknownResourceFault", "gone"))
    assert decider_poller(decider).process_task(TASK) is DecisionResult.LOST
    assert decider.completed == []


NONDETERMINISM = NondeterminismError("activity-1", recorded={"type": "a"}, produced={"type": "b"})


def test_nondeterminism_is_left_to_time_out_by_default() -> None:
    decider = FlakyDecider()
    assert decider_poller(decider, error=NONDETERMINISM).process_task(TASK) is DecisionResult.REPLAY_FAILED
    assert decider.completed == []


def test_nondeterminism_fails_the_execution_with_on_nondeterminism_fail() -> None:
    decider = FlakyDecider(UNREACHABLE)  # and the failing answer, too, rides out an outage
    poller = decider_poller(decider, error=NONDETERMINISM, on_nondeterminism="fail")
    assert poller.process_task(TASK) is DecisionResult.NONDETERMINISM_FAILED
    [answer] = decider.completed
    [decision] = answer["decisions"]
    assert decision["decisionType"] == "FailWorkflowExecution"
    attributes = decision["failWorkflowExecutionDecisionAttributes"]
    assert attributes["reason"] == f"NondeterminismError: {NONDETERMINISM}"
    details = json.loads(attributes["details"])
    assert (details["error"], details["message"]) == (
        "simpleflow.exceptions.NondeterminismError",
        str(NONDETERMINISM),
    )
    assert "taskList" not in answer and "task_list" not in answer


def test_other_replay_errors_are_still_left_to_time_out_with_fail() -> None:
    decider = FlakyDecider()
    poller = decider_poller(decider, error=RuntimeError("bug in run()"), on_nondeterminism="fail")
    assert poller.process_task(TASK) is DecisionResult.REPLAY_FAILED
    assert decider.completed == []


def test_an_unknown_on_nondeterminism_is_one_clear_error() -> None:
    with pytest.raises(
        ConfigurationError, match="on_nondeterminism must be one of retry, fail, not 'ignore'"
    ):
        decider_poller(FlakyDecider(), on_nondeterminism="ignore")
