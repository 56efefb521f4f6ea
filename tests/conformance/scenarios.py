"""SWF scenarios written once and run against several implementations (the embedded service, moto).

Each scenario drives a workflow to its end through :class:`~tests.fixtures.swf_driver.Driver` and
returns the run; the tests then compare the histories.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.fixtures.swf_driver import (
    Driver,
    Run,
    cancel_timer,
    cancel_workflow,
    complete_workflow,
    fail_workflow,
    record_marker,
    schedule_activity,
    start_timer,
)

Scenario = Callable[[Driver], Run]


def activity_completes(driver: Driver) -> Run:
    run = driver.register().start(input='{"x": 1}')
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run, input="1"))
    task = driver.activity_task(run)
    driver.client.respond_activity_task_completed(taskToken=task["taskToken"], result="2")
    driver.decide(driver.decision_task(run), complete_workflow("2"))
    return run


def activity_fails(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run))
    task = driver.activity_task(run)
    driver.client.respond_activity_task_failed(taskToken=task["taskToken"], reason="boom", details="trace")
    driver.decide(driver.decision_task(run), fail_workflow("boom", "trace"))
    return run


def two_activities_one_decision_task(driver: Driver) -> Run:
    """Both activities finish while no decision task is started: one decision task sees both."""
    run = driver.register().start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run), schedule_activity("a-2", run))
    first, second = driver.activity_task(run), driver.activity_task(run)
    driver.client.respond_activity_task_completed(taskToken=first["taskToken"], result="1")
    driver.client.respond_activity_task_completed(taskToken=second["taskToken"], result="2")
    driver.decide(driver.decision_task(run), complete_workflow("3"))
    return run


def heartbeats(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run, heartbeatTimeout="30"))
    task = driver.activity_task(run)
    status = driver.client.record_activity_task_heartbeat(taskToken=task["taskToken"], details="50%")
    assert status["cancelRequested"] is False
    driver.client.respond_activity_task_completed(taskToken=task["taskToken"])
    driver.decide(driver.decision_task(run), complete_workflow())
    return run


def marker_recorded(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), record_marker("checkpoint", "step 1"), complete_workflow())
    return run


def signal_wakes_the_decider(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run))  # nothing to do until the signal comes
    driver.client.signal_workflow_execution(
        domain=driver.domain, workflowId=run.workflow_id, runId=run.run_id, signalName="go", input="now"
    )
    driver.decide(driver.decision_task(run), complete_workflow())
    return run


def timer_fires(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), start_timer("t-1", 1))
    driver.decide(driver.decision_task(run), complete_workflow())
    return run


def timer_canceled(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), start_timer("t-1", 300))
    driver.client.signal_workflow_execution(
        domain=driver.domain, workflowId=run.workflow_id, runId=run.run_id, signalName="stop", input=""
    )
    driver.decide(driver.decision_task(run), cancel_timer("t-1"), complete_workflow())
    return run


def workflow_canceled_by_decision(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), cancel_workflow("no longer needed"))
    return run


def terminated(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run))
    driver.client.terminate_workflow_execution(
        domain=driver.domain, workflowId=run.workflow_id, reason="operator", childPolicy="TERMINATE"
    )
    return run


def decision_task_times_out(driver: Driver) -> Run:
    run = driver.register().start(taskStartToCloseTimeout="1")
    driver.decision_task(run)  # started, never answered: it times out after 1 s
    driver.decide(driver.decision_task(run), complete_workflow())
    return run


def heartbeat_times_out(driver: Driver) -> Run:
    run = driver.register().start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run, heartbeatTimeout="1"))
    driver.activity_task(run)  # started, never heartbeats
    driver.decide(driver.decision_task(run), complete_workflow())
    return run


def execution_times_out(driver: Driver) -> Run:
    run = driver.register().start(executionStartToCloseTimeout="1")
    driver.decide(driver.decision_task(run))
    deadline = time.monotonic() + 10
    driver.wait_closed(run, timeout=max(0.0, deadline - time.monotonic()))
    return run
