"""A poll whose client went away is withdrawn: the next task goes to a live poller at once.

Also SWF's limit of pollers waiting on one task list.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import botocore.exceptions
import pytest

from simpleflow.localswf.embedded import embedded_client, embedded_server, make_local_client
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import DECIDER_LIST, DOMAIN, Driver

DEADLINE = 10.0


def wait_for(condition: Callable[[], bool], *, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def waiting_polls(service: SWFService, kind: str = "decision", task_list: str = DECIDER_LIST) -> int:
    return service._pollers.get((kind, DOMAIN, task_list), 0)


def raw_poll(server: LocalSWFServer, *, task_list: str = DECIDER_LIST) -> socket.socket:
    """Send a PollForDecisionTask on a socket of our own and leave it waiting, unread."""
    body = json.dumps({"domain": DOMAIN, "taskList": {"name": task_list}}).encode()
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\n"
        "X-Amz-Target: SimpleWorkflowService.PollForDecisionTask\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock = socket.create_connection((server.host, server.port), timeout=DEADLINE)
    sock.sendall(head.encode() + body)
    return sock


@pytest.fixture
def service() -> Iterator[SWFService]:
    # Polls that hold far longer than the test: a task reaching a dead poller would never come back.
    running = SWFService(poll_timeout=30.0)
    yield running
    running.close()


@pytest.fixture
def server(service: SWFService) -> Iterator[LocalSWFServer]:
    with embedded_server(service) as running:
        yield running


@pytest.fixture
def client(server: LocalSWFServer) -> Any:
    return make_local_client(server.endpoint_url)


@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_closed_poll_is_withdrawn_and_a_live_poll_gets_the_task_at_once(service, server, client, how):
    swf = Driver(client).setup()
    dead = raw_poll(server)
    wait_for(lambda: waiting_polls(service) == 1, what="the raw poll to wait")
    if how == "reset":  # a killed process's socket may also be reset rather than closed
        dead.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    dead.close()
    wait_for(lambda: waiting_polls(service) == 0, what="the dead poll to be withdrawn")

    run_id = swf.start()
    started = time.monotonic()
    task = swf.poll_decision()
    assert task["workflowExecution"]["runId"] == run_id
    assert time.monotonic() - started < 5.0  # at once, not after the 30 s the dead poll would have held
    assert swf.history("wf-1", run_id) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]


def test_a_live_poll_waiting_beside_a_dead_one_gets_the_task(service, server, client):
    swf = Driver(client).setup()
    live: dict[str, Any] = {}
    poller = threading.Thread(target=lambda: live.update(swf.poll_decision()))
    poller.start()
    wait_for(lambda: waiting_polls(service) == 1, what="the live poll to wait")
    dead = raw_poll(server)
    wait_for(lambda: waiting_polls(service) == 2, what="the raw poll to wait")
    dead.close()
    wait_for(lambda: waiting_polls(service) == 1, what="the dead poll to be withdrawn")
    run_id = swf.start()
    poller.join(timeout=DEADLINE)
    assert not poller.is_alive()
    assert live["workflowExecution"]["runId"] == run_id


def test_a_poll_that_is_answered_leaves_its_connection_usable(service, server, client):
    swf = Driver(client).setup()
    run_id = swf.start()
    assert swf.poll_decision()["workflowExecution"]["runId"] == run_id
    # The same kept-alive connection carries the next calls: the watcher let go of it.
    for _ in range(3):
        assert (
            client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": DECIDER_LIST})["count"] == 0
        )


def test_polls_over_the_limit_are_refused_with_a_limit_fault():
    service = SWFService(poll_timeout=30.0, limits=Limits(max_pollers_per_task_list=2))
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        results: list[dict[str, Any]] = []
        threads = [threading.Thread(target=lambda: results.append(swf.poll_decision())) for _ in range(2)]
        for thread in threads:
            thread.start()
        wait_for(lambda: waiting_polls(service) == 2, what="two polls to wait")
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            swf.poll_decision()
        assert isinstance(raised.value, client.exceptions.LimitExceededFault)  # the model's fault
        error = raised.value.response["Error"]
        assert error["Code"] == "LimitExceededFault"
        assert "2" in error["Message"]
        # Another task list has a count of its own: a poll there is let in and waits.
        elsewhere = threading.Thread(target=lambda: swf.poll_decision(task_list="elsewhere"))
        elsewhere.start()
        wait_for(lambda: waiting_polls(service, task_list="elsewhere") == 1, what="a poll on another list")
        swf.start()
        swf.start("wf-2")
        for thread in threads:
            thread.join(timeout=DEADLINE)
        assert len(results) == 2 and all(result.get("taskToken") for result in results)
    service.close()  # releases the poll still waiting on the other list
    elsewhere.join(timeout=DEADLINE)
    assert not elsewhere.is_alive()
