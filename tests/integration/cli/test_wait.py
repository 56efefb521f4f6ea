"""``workflow.wait``, ``workflow.start --wait`` and the progress they (and ``standalone``) show, on a real
embedded service whose executions are moved by hand."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from simpleflow.progress import ExecutionFollower, follow
from tests.fixtures.executions import DECISIONS, WORKFLOW_TYPE, complete_workflow

pytestmark = pytest.mark.integration


def decision(kind: str, **attributes: Any) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "DecisionAttributes"
    return {"decisionType": kind, key: attributes}


def start_child(workflow_id: str) -> dict[str, Any]:
    # The child decides on a list of its own, so the driver only ever takes the parent's tasks.
    return decision(
        "StartChildWorkflowExecution",
        workflowId=workflow_id,
        workflowType=WORKFLOW_TYPE,
        taskList={"name": f"{DECISIONS}-children"},
        input="[1]",
        executionStartToCloseTimeout="3600",
    )


@pytest.mark.parametrize(
    ("close", "exit_code", "message"),
    [
        pytest.param([complete_workflow('"fine"')], 0, None, id="completed"),
        pytest.param(
            [decision("FailWorkflowExecution", reason="ValueError: bad", details="{}")],
            1,
            "error: ValueError: bad",
            id="failed",
        ),
        pytest.param(
            [decision("CancelWorkflowExecution")], 4, "error: the workflow was canceled", id="canceled"
        ),
    ],
)
def test_wait_exits_with_the_close_status(service, driver, fresh_id, close, exit_code, message):
    run = driver.start(fresh_id)
    driver.decide(close)
    done = service.invoke("workflow.wait", "--domain", driver.domain, fresh_id)
    assert done.exit_code == exit_code, done.output
    assert f"{fresh_id} {run.run_id}: " in done.stderr
    if message is None:
        assert done.stdout == '"fine"\n'
    else:
        assert done.stdout == ""
        assert done.stderr.splitlines()[-1] == message


def test_wait_on_a_terminated_execution_exits_5(service, driver, fresh_id):
    driver.start(fresh_id)
    service.client.terminate_workflow_execution(domain=driver.domain, workflowId=fresh_id, reason="enough")
    done = service.invoke("workflow.wait", fresh_id, "--domain", driver.domain)
    assert done.exit_code == 5
    assert done.stderr.splitlines()[-1] == "error: the workflow was terminated: enough"


def test_wait_on_an_unknown_execution_is_one_line(service, driver):
    done = service.invoke("workflow.wait", "--domain", driver.domain, "nobody")
    assert done.exit_code == 1
    assert done.stderr.count("\n") == 1 and "no execution of workflow 'nobody'" in done.stderr


def test_wait_follows_an_open_execution_to_its_close(service, driver, fresh_id):
    run = driver.start(fresh_id)
    followed = threading.Event()
    lines: list[str] = []

    def on_progress(progress: Any) -> None:
        lines.append(str(progress))
        followed.set()

    def close_once_followed() -> None:
        # The execution closes only after the follower has looked at it while open.
        assert followed.wait(30)
        driver.decide([complete_workflow("42")])

    closer = threading.Thread(target=close_once_followed)
    closer.start()
    try:
        follower = ExecutionFollower(
            service.client, driver.domain, {"workflowId": fresh_id, "runId": run.run_id}
        )
        status, attributes = follow(follower, on_progress=on_progress, timeout=30)
    finally:
        closer.join(timeout=30)
    assert (status, attributes["result"]) == ("COMPLETED", "42")
    assert lines[0].startswith("0 scheduled, 0 running, 0 done, 0 failed; ")
    assert len(lines) >= 2  # the open look, then the close


def test_start_wait_prints_the_result_alone_on_stdout(service, fresh_id):
    domain = f"start-wait-{fresh_id}"

    def decide_when_asked() -> None:
        # Stands for the decider: completes the execution's first decision task.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                task = service.client.poll_for_decision_task(domain=domain, taskList={"name": "example"})
            except service.client.exceptions.UnknownResourceFault:
                continue  # the command has not registered the domain yet
            if task.get("taskToken"):
                service.client.respond_decision_task_completed(
                    taskToken=task["taskToken"], decisions=[complete_workflow("4")]
                )
                return

    decider = threading.Thread(target=decide_when_asked)
    decider.start()
    try:
        done = service.invoke(
            "workflow.start",
            "examples.basic.BasicWorkflow",
            "--input",
            "[1, 0]",
            "--domain",
            domain,
            "--register-domain",
            "--workflow-id",
            fresh_id,
            "--wait",
        )
    finally:
        decider.join(timeout=60)
    assert done.exit_code == 0, done.output
    assert done.stdout == "4\n"
    assert done.stderr.splitlines()[0].startswith(f"{fresh_id} ")
    assert f"{fresh_id} " in done.stderr and ": completed" in done.stderr


def test_follower_shows_timers_signals_and_children(service, driver, fresh_id):
    run = driver.start(fresh_id)
    reference = {"workflowId": fresh_id, "runId": run.run_id}
    follower = ExecutionFollower(service.client, driver.domain, reference)
    context = json.dumps({"open": {}, "decided": {}, "waiting_on": "reminder"})
    service.client.respond_decision_task_completed(
        taskToken=poll(service, driver)["taskToken"],
        decisions=[decision("StartTimer", timerId="reminder", startToFireTimeout="3600")],
        executionContext=context,
    )
    progress = follower.look()
    ((waiting),) = progress.waiting
    assert (waiting.kind, waiting.name) == ("timer", "reminder")
    assert "waiting on timer reminder (fires " in str(progress) and "in 3600 s" in str(progress)

    service.client.signal_workflow_execution(domain=driver.domain, workflowId=fresh_id, signalName="go")
    service.client.respond_decision_task_completed(
        taskToken=poll(service, driver)["taskToken"],
        decisions=[],
        executionContext=json.dumps({"waiting_on": "wait-signal-approval-1"}),
    )
    assert str(follower.look()).endswith("waiting on signal approval")


def poll(service, driver) -> dict[str, Any]:
    task = service.client.poll_for_decision_task(domain=driver.domain, taskList={"name": DECISIONS})
    assert task.get("taskToken"), "no decision task was waiting"
    return task


def test_follower_reads_only_what_is_new(service, driver, fresh_id):
    run = driver.start(fresh_id)
    for number in range(30):
        service.client.signal_workflow_execution(
            domain=driver.domain, workflowId=fresh_id, signalName=f"s{number}"
        )
    transferred: list[int] = []

    def count(parsed: dict[str, Any], **_: Any) -> None:
        transferred.append(len(parsed.get("events", [])))

    service.client.meta.events.register("after-call.swf.GetWorkflowExecutionHistory", count)
    try:
        follower = ExecutionFollower(
            service.client, driver.domain, {"workflowId": fresh_id, "runId": run.run_id}
        )
        first = follower.look()
        for _ in range(5):
            follower.look()
        service.client.signal_workflow_execution(domain=driver.domain, workflowId=fresh_id, signalName="late")
        follower.look()
    finally:
        service.client.meta.events.unregister("after-call.swf.GetWorkflowExecutionHistory", count)
    history_length = 1 + 1 + 30  # started, the first decision task scheduled, the signals
    assert transferred[0] == history_length and first.counts["scheduled"] == 0
    # Each later look asks for a small page, back to the event it already knows.
    assert all(size <= 10 for size in transferred[1:]), transferred
    assert follower.current.last_event_id == history_length + 1


def test_a_terminated_child_gives_its_cause_to_the_parent(service, driver, fresh_id):
    run = driver.start(fresh_id)
    child_id = f"{fresh_id}-child"
    driver.decide([start_child(child_id)])
    driver.decide([])  # the child started
    service.client.terminate_workflow_execution(
        domain=driver.domain, workflowId=child_id, reason="history too long"
    )
    driver.decide([decision("FailWorkflowExecution", reason=f"{child_id}: terminated")])
    done = service.invoke("workflow.wait", "--domain", driver.domain, fresh_id, run.run_id)
    assert done.exit_code == 1
    last = done.stderr.splitlines()[-1]
    assert last.startswith(f"error: {child_id}: terminated [child {child_id} terminated (")
    assert "history too long" in last
