"""A call that schedules a task hands it to the longest-waiting poll, in its own transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import DOMAIN, WORKER_LIST, Driver, attrs_of, schedule, types_of


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.002)


@pytest.fixture
def service() -> Iterator[SWFService]:
    running = SWFService(poll_timeout=30)
    yield running
    running.close()


class BackgroundPoll:
    """An activity poll in a thread of its own: its answer, or the error it raised."""

    def __init__(self, client: Any, identity: str) -> None:
        self.answer: dict[str, Any] | None = None
        self.error: BaseException | None = None

        def poll() -> None:
            try:
                self.answer = client.poll_for_activity_task(
                    domain=DOMAIN, taskList={"name": WORKER_LIST}, identity=identity
                )
            except BaseException as error:
                self.error = error

        self.thread = threading.Thread(target=poll, daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the poll did not return"


def waiting(service: SWFService) -> int:
    return service.waiting_polls("activity", DOMAIN, WORKER_LIST)


def test_the_scheduling_call_starts_the_task_for_the_first_waiting_poll(service: SWFService) -> None:
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        first = BackgroundPoll(client, "first")
        wait_until(lambda: waiting(service) == 1)
        second = BackgroundPoll(client, "second")
        wait_until(lambda: waiting(service) == 2)
        swf.decide(schedule("a1"))
        # Handed off before the decision call returned: started by the first poll, which no longer waits.
        events = swf.events("wf-1", run_id)
        assert types_of(events)[-2:] == ["ActivityTaskScheduled", "ActivityTaskStarted"]
        assert attrs_of(events[-1])["identity"] == "first"
        assert waiting(service) == 1
        first.join()
        assert first.answer is not None and first.answer["activityId"] == "a1"
        assert first.answer["startedEventId"] == events[-1]["eventId"]
        client.respond_activity_task_completed(taskToken=first.answer["taskToken"], result="ok")
    service.close()
    second.join()
    assert second.answer is not None and "taskToken" not in second.answer  # released empty by close()


def test_a_rolled_back_call_hands_nothing_off(service: SWFService, monkeypatch: pytest.MonkeyPatch) -> None:
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        poll = BackgroundPoll(client, "worker")
        wait_until(lambda: waiting(service) == 1)

        plan = service._waiting.plan_hand_offs

        def fail_after_the_hand_off(*args: Any) -> Any:
            assert plan(*args), "the task was not started for the waiting poll"
            raise RuntimeError("the call fails after its hand-off was planned")

        monkeypatch.setattr(service._waiting, "plan_hand_offs", fail_after_the_hand_off)
        task = swf.poll_decision()
        with pytest.raises(ClientError, match="InternalFailure"):
            client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[schedule("a1")])
        monkeypatch.undo()
        assert waiting(service) == 1 and poll.answer is None
        assert "ActivityTaskScheduled" not in types_of(swf.events("wf-1", run_id))
        # The decision task is still open: answered again, its activity goes to the same poll.
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[schedule("a1")])
        poll.join()
        assert poll.answer is not None and poll.answer["activityId"] == "a1"


def test_a_poll_whose_domain_was_deprecated_gets_its_own_fault(service: SWFService) -> None:
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start()
        task = swf.poll_decision()
        poll = BackgroundPoll(client, "worker")
        wait_until(lambda: waiting(service) == 1)
        client.deprecate_domain(name=DOMAIN)
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[schedule("a1")])
        poll.join()
        assert isinstance(poll.error, ClientError), poll.answer
        assert waiting(service) == 0


def test_a_poll_that_timed_out_is_handed_nothing() -> None:
    service = SWFService(poll_timeout=0.2)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        assert swf.poll_activity() == {
            "startedEventId": 0,
            "ResponseMetadata": swf.poll_activity()["ResponseMetadata"],
        }
        assert waiting(service) == 0
        swf.decide(schedule("a1"))
        assert types_of(swf.events("wf-1", run_id))[-1] == "ActivityTaskScheduled"
        assert swf.poll_activity()["activityId"] == "a1"
    service.close()
