"""A console over an embedded SWF service holding hand-made executions, and an HTTP client for it."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

pytest.importorskip("jinja2", reason="the console extra (jinja2) is not installed")

from simpleflow.console import ConsoleServer
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.fixtures.executions import (
    ACTIVITY_NAMES,
    DOMAIN,
    Driver,
    Execution,
    ManualClock,
    complete_workflow,
    schedule,
)

#: Values that would run script if a page inserted them unescaped.
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTRIBUTE = '"><img src=x onerror=alert(2)>'
#: A workflow id SWF accepts (no ':', '/', '|') that breaks out of an attribute when unescaped.
HOSTILE_WORKFLOW_ID = '"><img src=x onerror=alert(3)>'


@dataclass
class Reply:
    status: int
    body: str
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class ConsoleClient:
    """Plain HTTP requests to the console, with the headers a browser would send (or would not)."""

    def __init__(self, server: ConsoleServer) -> None:
        self.server = server
        self.host = f"127.0.0.1:{server.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            url = path + ("?" + urlencode(params) if params else "")
            sent = {"Host": self.host, **(headers or {})}
            body = None
            if form is not None:
                body = urlencode(form)
                sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
                sent.setdefault("Origin", f"http://{self.host}")
            connection.request(method, url, body=body, headers=sent)
            response = connection.getresponse()
            return Reply(response.status, response.read().decode("utf-8"), dict(response.getheaders()))
        finally:
            connection.close()

    def get(self, path: str, **params: Any) -> Reply:
        return self.request("GET", path, params=params)

    def csrf(self) -> str:
        return self.server.app.guard.csrf_token

    def act(self, action: str, execution: Execution, **fields: str) -> Reply:
        form = {
            "csrf": self.csrf(),
            "action": action,
            "domain": DOMAIN,
            "workflow_id": execution.workflow_id,
            "run_id": execution.run_id,
            "confirm": "yes",
            **fields,
        }
        return self.request("POST", "/execution/act", form=form)


@dataclass
class ConsoleWorld:
    service: SWFService
    client: Any
    driver: Driver
    server: ConsoleServer
    http: ConsoleClient
    basic: Execution
    failing: Execution
    rich: Execution

    def run_query(self, execution: Execution) -> dict[str, str]:
        return {"domain": DOMAIN, "workflow_id": execution.workflow_id, "run_id": execution.run_id}


@pytest.fixture(scope="module")
def console_world() -> Iterator[ConsoleWorld]:
    clock = ManualClock()
    service = SWFService(clock=clock, poll_timeout=0.5)
    with embedded_client(service) as client:
        driver = Driver(client, clock=clock)
        driver.register()
        basic = driver.run_basic("basic-1")
        # Before the run that leaves an activity task waiting: each step takes the next task of the domain.
        rich = run_rich(driver, "rich-1")
        failing = driver.run_with_failure("failing-1")
        with ConsoleServer(client, port=0, endpoint_label="embedded SWF service (tests)") as server:
            yield ConsoleWorld(service, client, driver, server, ConsoleClient(server), basic, failing, rich)
    service.close()


def _has_event(driver: Driver, execution: Execution, event_type: str) -> bool:
    events = driver.client.get_workflow_execution_history(
        domain=driver.domain, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )["events"]
    return any(event["eventType"] == event_type for event in events)


def run_rich(driver: Driver, workflow_id: str) -> Execution:
    """A closed run with a bit of everything the timeline draws: an activity failing once then
    completing, a timer that fires, and a signal."""
    execution = driver.start(workflow_id, input="[3]")
    timer = {"timerId": "cool-down", "startToFireTimeout": "1"}
    driver.decide(
        [
            schedule("activity-increment-1", ACTIVITY_NAMES[0], "[3]"),
            {"decisionType": "StartTimer", "startTimerDecisionAttributes": timer},
        ]
    )
    driver.work(lambda task: ("fail", "ValueError: flaky"), seconds=1)
    driver.client.signal_workflow_execution(
        domain=driver.domain, workflowId=workflow_id, signalName="approve", input='{"by": "alice"}'
    )
    driver.decide([schedule("activity-increment-1", ACTIVITY_NAMES[0], "[3]")])
    driver.work(seconds=2)
    # The service fires timers from its scheduler thread, which sleeps on the wall clock.
    deadline = time.monotonic() + 30
    while not _has_event(driver, execution, "TimerFired"):
        assert time.monotonic() < deadline, "the timer did not fire"
        time.sleep(0.05)
    driver.decide([complete_workflow("4")])
    return execution


def text_of(html: str) -> str:
    """The page's text, tags removed and entities left as they are."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
