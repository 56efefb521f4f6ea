"""The worker hands the previous attempts' heartbeat details to the activity, on both execution paths.

- in a thread (``--local``, :func:`simpleflow.local.run_in_thread`);
- in a child process (``worker.start``, :class:`~simpleflow.process.worker.ActivityPoller`).

The decider writes them in the input under :data:`simpleflow.payload.HEARTBEAT_KEY`; the activity reads
them from its context (``activity.context()``, upstream's dict and ``my_activity.context``), never among
its arguments. A failed attempt sends back the last details it heartbeated, for the next attempt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.history import History, TaskKind
from simpleflow.local import run_in_thread
from simpleflow.process.worker import ActivityPoller
from simpleflow.runtime.scheduling import retrying
from simpleflow.storage.memory import MemoryStore
from simpleflow.swf.actors import ActivityWorker
from simpleflow.testing import HistoryBuilder, Raw

FIXTURES = "tests.fixtures.heartbeat_activities"


class AnswerRecorder(ActivityWorker):
    """An ActivityWorker that records heartbeats and the answer instead of calling SWF."""

    def __init__(self) -> None:
        super().__init__(None, "test-domain", task_list="heartbeat-tests", identity="tester")
        self.beats: list[str | None] = []
        self.answers: list[tuple[str, dict[str, Any]]] = []

    def heartbeat(self, task_token: str, *, details: str | None = None) -> bool:
        self.beats.append(details)
        return False

    def complete(self, task_token: str, *, result: str | None = None) -> None:
        self.answers.append(("complete", {"result": result}))

    def fail(self, task_token: str, *, reason: str | None = None, details: str | None = None) -> None:
        self.answers.append(("fail", {"reason": reason, "details": details}))

    def answer(self) -> tuple[str, dict[str, Any]]:
        assert len(self.answers) == 1, self.answers
        return self.answers[0]


def in_thread(worker: AnswerRecorder, task: dict[str, Any]) -> None:
    run_in_thread(worker, task)


def in_process(worker: AnswerRecorder, task: dict[str, Any]) -> None:
    # A child process forked from the forkserver, as worker.start runs every activity.
    ActivityPoller(worker, heartbeat_interval=30.0, min_heartbeat_gap=0.0).process_task(task)


PATHS: dict[str, Callable[[AnswerRecorder, dict[str, Any]], None]] = {
    "thread": in_thread,
    "process": in_process,
}


def activity_task(name: str, input_text: str | None) -> dict[str, Any]:
    return {
        "taskToken": "token",
        "activityId": f"activity-{name}-1",
        "startedEventId": 7,
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": f"{FIXTURES}.{name}", "version": "1"},
        "input": input_text,
    }


def run(path: str, name: str, input_text: str | None) -> tuple[str, Any]:
    """Run one task on ``path``; ``(kind, decoded result)`` or ``(kind, decoded failure details)``."""
    worker = AnswerRecorder()
    PATHS[path](worker, activity_task(name, input_text))
    kind, answer = worker.answer()
    if kind == "complete":
        return kind, payload.decode(answer["result"])
    return kind, payload.decode_failure(answer["reason"], answer["details"])[1]


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize(
    ("carried", "args", "kwargs"),
    [
        (None, [1, 2], {}),
        ({"next": 40, "total": 780}, [1, 2], {"label": "x"}),
        ([3, "items"], [], {}),
        ("plain text of another client", [5], {}),
    ],
    ids=["first-attempt", "dict-details", "list-details", "text-details"],
)  # fmt: skip
def test_the_activity_reads_the_carried_details_from_its_context_and_not_its_arguments(
    path: str, carried: Any, args: list[Any], kwargs: dict[str, Any]
) -> None:
    input_text = payload.encode_input(args, kwargs, attempt=2, heartbeat_details=carried)
    kind, result = run(path, "report_resume", input_text)
    assert kind == "complete"
    assert result == {
        "args": args,
        "kwargs": kwargs,  # no __last_heartbeat_details among them
        "attempt": 2,
        "attribute": carried,
        "upstream_dict": carried,
        "activity_attribute": carried,
    }


@pytest.mark.parametrize(
    ("name", "input_text", "expected"),
    [
        ("ResumeReportTask", payload.encode_input([4], {}, attempt=3, heartbeat_details={"n": 9}),
         {"offset": 4, "resumed_from": {"n": 9}}),
        ("ResumeReportTask", payload.encode_input([4], {}), {"offset": 4, "resumed_from": None}),
        ("report_with_context_kwarg", payload.encode_input([], {}, attempt=2, heartbeat_details=7),
         {"resumed_from": 7}),
    ],
    ids=["class-activity-self-context", "class-activity-first-attempt", "context-keyword"],
)  # fmt: skip
def test_upstream_style_activities_see_the_details_in_their_context(
    name: str, input_text: str, expected: dict[str, Any]
) -> None:
    assert run("thread", name, input_text) == ("complete", expected)


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize(
    ("beats", "padding", "handed_on"),
    [
        ([{"next": 1}, {"next": 2}], 0, {"next": 2}),
        ([{"next": 1}, None], 0, {"next": 1}),
        ([], 0, None),
        ([{"next": 1}], 100, "x" * 100),
    ],
    ids=["last-of-several", "ping-without-details-keeps-them", "never-heartbeated", "string"],
)  # fmt: skip
def test_a_failed_attempt_sends_back_the_last_details_it_heartbeated(
    path: str, beats: list[Any], padding: int, handed_on: Any
) -> None:
    kind, details = run(path, "heartbeat_then_fail", payload.encode_input([beats, padding], {}))
    assert kind == "fail"
    assert details["error"] == f"{FIXTURES}.PartWayError"
    assert (
        details["message"] == f"failed after {len(beats) + bool(padding)} heartbeats"
    )  # never trimmed for the beats
    sent = details.get(payload.HEARTBEAT_FAILURE_KEY)
    assert (None if sent is None else json.loads(sent)) == handed_on


def test_a_heartbeat_without_details_sends_the_last_ones_again() -> None:
    # SWF keeps the details of the latest heartbeat only: a liveness ping must not erase the progress
    # that ActivityTaskTimedOut would hand to the retry.
    worker = AnswerRecorder()
    run_in_thread(
        worker, activity_task("heartbeat_then_fail", payload.encode_input([[None, {"n": 1}, None]], {}))
    )
    assert [None if beat is None else json.loads(beat) for beat in worker.beats] == [None, {"n": 1}, {"n": 1}]


@pytest.mark.parametrize(
    ("padding", "resumed"),
    [(0, {"next": 3}), (5000, "x" * 5000)],
    ids=["in-band", "over-swfs-2048-characters-out-of-band"],
)
def test_a_retry_resumes_from_what_the_failed_attempt_heartbeated(padding: int, resumed: Any) -> None:
    """Worker, decider rule and worker again: attempt 1's last heartbeat reaches attempt 2's context.

    Heartbeat details over SWF's 2,048 characters travel out of band: the failure carries the reference.
    """
    store = MemoryStore()
    worker = AnswerRecorder()
    first = activity_task("heartbeat_then_fail", payload.encode_input([[{"next": 3}], padding], {}))
    run_in_thread(worker, first, payload_store=store)
    _, failure = worker.answer()
    builder = HistoryBuilder()
    task_id = "activity-report_resume-1"
    builder.activity_scheduled(
        task_id, name=f"{FIXTURES}.report_resume", input=Raw(payload.encode_input([1], {}))
    )
    builder.activity_failed(task_id, reason=failure["reason"], details=Raw(failure["details"]))
    record = History(builder.decision_task()["events"]).task(TaskKind.ACTIVITY, task_id)
    assert record is not None
    assert len(failure["details"]) < 2 * 2048
    carried = retrying.last_heartbeat_details(record, store=store)
    assert carried == resumed
    input_text = payload.encode_input([1], {}, attempt=2, heartbeat_details=carried)
    kind, result = run("thread", "report_resume", input_text)
    assert (kind, result["args"], result["attribute"]) == ("complete", [1], resumed)


@pytest.mark.parametrize(
    ("beats", "handed_on"),
    [([{"next": 4}, {"next": 5}], {"next": 5}), ([], None)],
    ids=["heartbeated", "never-heartbeated"],
)
def test_a_child_that_dies_sends_back_its_last_heartbeat_through_the_worker(
    beats: list[Any], handed_on: Any
) -> None:
    # The child cannot report its own death: the worker adds the last details it received from it.
    kind, details = run("process", "heartbeat_then_die", payload.encode_input([beats], {}))
    assert kind == "fail"
    assert details["error"] == "ActivityProcessDied"
    assert details["exit_code"] == 3
    sent = details.get(payload.HEARTBEAT_FAILURE_KEY)
    assert (None if sent is None else json.loads(sent)) == handed_on
