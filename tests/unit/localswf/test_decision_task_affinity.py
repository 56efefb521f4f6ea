"""The task-list override of ``RespondDecisionTaskCompleted``: where the next decision tasks go, and back.

Semantics and sources: ``simpleflow/localswf/task_list_override.py``. Every test runs through both
transports, on a virtual clock moved by hand (a scheduled decision task is pending work, so the service
never skips time past it on its own).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client, make_local_client
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import DECIDER_LIST, DOMAIN, Driver, attrs_of, complete, decision, schedule

STICKY = "decider-host-1"
POLL_SECONDS = 0.5


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(quiet_period=1.0)


@pytest.fixture
def service(clock: VirtualClock) -> Iterator[SWFService]:
    running = SWFService(poll_timeout=POLL_SECONDS, clock=clock)
    yield running
    running.close()


@pytest.fixture(params=["in-process", "http"])
def swf(request: pytest.FixtureRequest, service: SWFService) -> Iterator[Driver]:
    if request.param == "in-process":
        with embedded_client(service) as client:
            yield Driver(client).setup()
        return
    with LocalSWFServer(service) as server:
        yield Driver(make_local_client(server.endpoint_url, read_timeout=30)).setup()


# -- helpers ----------------------------------------------------------------------------------------


def answer(swf: Driver, task: dict[str, Any], *decisions: dict[str, Any], **params: Any) -> None:
    swf.client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=list(decisions), **params
    )


def take(swf: Driver, task_list: str) -> dict[str, Any]:
    """The next decision task of ``task_list``: long polls until one comes, within 15 s."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        task = swf.poll_decision(task_list)
        if task.get("taskToken"):  # an idle poll has none (SWF's empty answer)
            return task
    raise AssertionError(f"no decision task came on {task_list!r}")


def assert_no_task(swf: Driver, task_list: str) -> None:
    """No decision task comes on ``task_list`` for more than two steps of the service's scheduler (which
    checks deadlines every 0.5 s while a decision task is pending), so a deadline due now has fired."""
    until = time.monotonic() + 1.2
    while time.monotonic() < until:
        assert not swf.poll_decision(task_list).get("taskToken"), f"a decision task was on {task_list!r}"


def pending(swf: Driver, task_list: str) -> int:
    count: int = swf.client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": task_list})["count"]
    return count


def events_from(swf: Driver, run_id: str, first_id: int) -> list[tuple[str, dict[str, Any]]]:
    """``(type, attributes)`` of the events from ``first_id`` on."""
    return [
        (event["eventType"], attrs_of(event))
        for event in swf.events("wf-1", run_id)
        if event["eventId"] >= first_id
    ]


# -- routing ----------------------------------------------------------------------------------------


def test_the_next_decision_task_goes_to_the_override_list(swf: Driver) -> None:
    run_id = swf.start()
    first = take(swf, DECIDER_LIST)
    answer(swf, first, schedule("a1"), taskList={"name": STICKY})
    swf.work()
    assert_no_task(swf, DECIDER_LIST)
    second = take(swf, STICKY)
    assert second["workflowExecution"]["runId"] == run_id
    assert events_from(swf, run_id, 4)[:1] == [
        (
            "DecisionTaskCompleted",
            {"scheduledEventId": 2, "startedEventId": 3, "taskList": {"name": STICKY}},
        )
    ]
    scheduled = events_from(swf, run_id, second["startedEventId"] - 1)[0]
    # Permanent: no schedule-to-start timeout on the task.
    assert scheduled == (
        "DecisionTaskScheduled",
        {"taskList": {"name": STICKY}, "startToCloseTimeout": "300"},
    )


@pytest.mark.parametrize("timeout", [None, "NONE"], ids=["no-timeout", "NONE"])
def test_a_permanent_override_holds_for_every_later_task_and_any_wait(
    swf: Driver, clock: VirtualClock, timeout: str | None
) -> None:
    swf.start()
    params = {} if timeout is None else {"taskListScheduleToStartTimeout": timeout}
    answer(swf, take(swf, DECIDER_LIST), schedule("a1"), taskList={"name": STICKY}, **params)
    swf.work()
    clock.advance(3000)  # far past any schedule-to-start, short of the execution timeout (3600)
    assert_no_task(swf, DECIDER_LIST)
    # Later answers name no list: the override stays.
    answer(swf, take(swf, STICKY), schedule("a2"))
    swf.work()
    assert_no_task(swf, DECIDER_LIST)
    answer(swf, take(swf, STICKY), complete())


def test_a_temporary_override_applies_its_timeout_to_each_task_while_it_holds(swf: Driver) -> None:
    run_id = swf.start()
    answer(
        swf,
        take(swf, DECIDER_LIST),
        schedule("a1"),
        taskList={"name": STICKY},
        taskListScheduleToStartTimeout="30",
    )
    swf.work()
    answer(swf, take(swf, STICKY), schedule("a2"))  # no list: the temporary override holds
    swf.work()
    third = take(swf, STICKY)
    scheduled = [attrs for kind, attrs in events_from(swf, run_id, 1) if kind == "DecisionTaskScheduled"]
    assert [attrs.get("scheduleToStartTimeout") for attrs in scheduled] == [None, "30", "30"]
    assert [attrs["taskList"]["name"] for attrs in scheduled] == [DECIDER_LIST, STICKY, STICKY]
    answer(swf, third, complete())


def test_naming_the_executions_own_list_ends_the_override(swf: Driver) -> None:
    swf.start()
    answer(swf, take(swf, DECIDER_LIST), schedule("a1"), taskList={"name": STICKY})
    swf.work()
    answer(swf, take(swf, STICKY), schedule("a2"), taskList={"name": DECIDER_LIST})
    swf.work()
    assert_no_task(swf, STICKY)
    answer(swf, take(swf, DECIDER_LIST), complete())


def test_a_timeout_without_a_list_changes_nothing(swf: Driver, clock: VirtualClock) -> None:
    run_id = swf.start()
    answer(swf, take(swf, DECIDER_LIST), schedule("a1"), taskListScheduleToStartTimeout="5")
    swf.work()
    clock.advance(60)
    assert_no_task(swf, STICKY)  # a long poll elsewhere: the scheduler runs meanwhile
    second = take(swf, DECIDER_LIST)
    events = events_from(swf, run_id, 4)
    assert events[0] == (
        "DecisionTaskCompleted",
        {"scheduledEventId": 2, "startedEventId": 3, "taskListScheduleToStartTimeout": "5"},
    )
    assert (
        "DecisionTaskScheduled",
        {"taskList": {"name": DECIDER_LIST}, "startToCloseTimeout": "300"},
    ) in events
    assert "DecisionTaskTimedOut" not in [kind for kind, _ in events]
    answer(swf, second, complete())


def test_a_task_already_due_when_the_override_is_given_goes_to_the_override(swf: Driver) -> None:
    swf.start()
    answer(swf, take(swf, DECIDER_LIST), schedule("a1"), schedule("a2"))
    swf.work()  # a1 done: a decision task is scheduled on the execution's own list
    started = take(swf, DECIDER_LIST)
    swf.work()  # a2 done while that task is started: one more task follows its answer
    answer(swf, started, taskList={"name": STICKY})
    assert_no_task(swf, DECIDER_LIST)
    answer(swf, take(swf, STICKY), complete())


def test_a_run_continued_as_new_starts_on_its_own_list(swf: Driver) -> None:
    swf.start()
    answer(swf, take(swf, DECIDER_LIST), schedule("a1"), taskList={"name": STICKY})
    swf.work()
    answer(swf, take(swf, STICKY), decision("ContinueAsNewWorkflowExecution"))
    new_run = take(swf, DECIDER_LIST)
    assert new_run["previousStartedEventId"] == 0
    answer(swf, new_run, complete())


# -- reverting ----------------------------------------------------------------------------------------


def test_not_started_within_the_timeout_reverts_to_the_original_list(
    swf: Driver, clock: VirtualClock
) -> None:
    run_id = swf.start()
    answer(
        swf,
        take(swf, DECIDER_LIST),
        schedule("a1"),
        taskList={"name": STICKY},
        taskListScheduleToStartTimeout="20",
    )
    swf.work()
    assert pending(swf, STICKY) == 1
    clock.advance(21)
    back = take(swf, DECIDER_LIST)
    assert pending(swf, STICKY) == 0
    events = events_from(swf, run_id, 8)
    assert events == [
        (
            "DecisionTaskScheduled",
            {"taskList": {"name": STICKY}, "startToCloseTimeout": "300", "scheduleToStartTimeout": "20"},
        ),
        (
            "DecisionTaskTimedOut",
            {"timeoutType": "SCHEDULE_TO_START", "scheduledEventId": 8, "startedEventId": 0},
        ),
        ("DecisionTaskScheduled", {"taskList": {"name": DECIDER_LIST}, "startToCloseTimeout": "300"}),
        ("DecisionTaskStarted", {"identity": "decider", "scheduledEventId": 10}),
    ]
    assert back["previousStartedEventId"] == 3
    # The override is gone: an answer naming no list leaves the run on its own list.
    answer(swf, back, schedule("a2"))
    swf.work()
    assert_no_task(swf, STICKY)
    answer(swf, take(swf, DECIDER_LIST), complete())


def test_started_but_not_completed_in_time_reverts_too(swf: Driver, clock: VirtualClock) -> None:
    run_id = swf.start(taskStartToCloseTimeout="60")
    answer(
        swf,
        take(swf, DECIDER_LIST),
        schedule("a1"),
        taskList={"name": STICKY},
        taskListScheduleToStartTimeout="20",
    )
    swf.work()
    stale = take(swf, STICKY)
    clock.advance(61)
    back = take(swf, DECIDER_LIST)
    assert events_from(swf, run_id, 8) == [
        (
            "DecisionTaskScheduled",
            {"taskList": {"name": STICKY}, "startToCloseTimeout": "60", "scheduleToStartTimeout": "20"},
        ),
        ("DecisionTaskStarted", {"identity": "decider", "scheduledEventId": 8}),
        (
            "DecisionTaskTimedOut",
            {"timeoutType": "START_TO_CLOSE", "scheduledEventId": 8, "startedEventId": 9},
        ),
        ("DecisionTaskScheduled", {"taskList": {"name": DECIDER_LIST}, "startToCloseTimeout": "60"}),
        ("DecisionTaskStarted", {"identity": "decider", "scheduledEventId": 11}),
    ]
    with pytest.raises(ClientError) as excinfo:
        answer(swf, stale, complete())
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"
    answer(swf, back, complete())


def test_a_permanent_override_survives_a_start_to_close_timeout(swf: Driver, clock: VirtualClock) -> None:
    run_id = swf.start(taskStartToCloseTimeout="60")
    answer(swf, take(swf, DECIDER_LIST), schedule("a1"), taskList={"name": STICKY})
    swf.work()
    take(swf, STICKY)
    clock.advance(61)
    again = take(swf, STICKY)
    kinds = [kind for kind, _ in events_from(swf, run_id, 8)]
    assert kinds == [
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskTimedOut",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    answer(swf, again, complete())


# -- refused values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"taskList": {"name": "x" * 257}},
            "1 validation error detected: Value '" + "x" * 79 + "... (257 long) at 'taskList.name' failed to "
            "satisfy constraint: Member must have length less than or equal to 256",
        ),
        (
            {"taskList": {"name": STICKY}, "taskListScheduleToStartTimeout": "soon"},
            "1 validation error detected: Value 'soon' at 'taskListScheduleToStartTimeout' failed to satisfy "
            "constraint: Member must be a whole number or NONE",
        ),
        (
            {"taskList": {"name": STICKY}, "taskListScheduleToStartTimeout": "-5"},
            "1 validation error detected: Value '-5' at 'taskListScheduleToStartTimeout' failed to satisfy "
            "constraint: Member must be a whole number or NONE",
        ),
        (
            {"taskList": {"name": STICKY}, "taskListScheduleToStartTimeout": "123456789"},
            "1 validation error detected: Value '123456789' at 'taskListScheduleToStartTimeout' failed to "
            "satisfy constraint: Member must have length less than or equal to 8",
        ),
    ],
    ids=["name-too-long", "timeout-not-a-number", "timeout-negative", "timeout-too-long"],
)
def test_bad_values_are_refused_and_the_task_stays_open(
    swf: Driver, params: dict[str, Any], message: str
) -> None:
    run_id = swf.start()
    task = take(swf, DECIDER_LIST)
    with pytest.raises(ClientError) as excinfo:
        answer(swf, task, schedule("a1"), **params)
    assert excinfo.value.response["Error"] == {"Code": "ValidationException", "Message": message}
    assert [kind for kind, _ in events_from(swf, run_id, 1)][-1] == "DecisionTaskStarted"
    answer(swf, task, schedule("a1"), taskList={"name": STICKY})  # the same token still answers
    swf.work()
    answer(swf, take(swf, STICKY), complete())


def test_an_empty_list_name_is_refused_by_the_service_too(service: SWFService) -> None:
    """botocore refuses it before sending; a client that does not validate reaches the service."""
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start()
        task = take(swf, DECIDER_LIST)
    with pytest.raises(SWFFault) as excinfo:
        service.handle(
            "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "taskList": {"name": ""}}
        )
    assert excinfo.value.code == "ValidationException"
    assert excinfo.value.message == (
        "1 validation error detected: Value '' at 'taskList.name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    service.handle("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": []})
