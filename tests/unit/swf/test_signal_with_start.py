"""signal_with_start against the embedded service, with another client racing it between its two calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from simpleflow import Workflow, payload
from simpleflow.exceptions import ConfigurationError, SignalWithStartFailed, UnknownResource
from simpleflow.execution import start_execution
from simpleflow.localswf.embedded import embedded_direct_client
from simpleflow.localswf.service import SWFService
from simpleflow.swf.signal_with_start import signal_with_start

DOMAIN = "signal-with-start"
WORKFLOW_ID = "order-7"


class Waiter(Workflow):
    name = "waiter"
    version = "1"
    task_list = "waiter"

    def run(self, item):
        return self.wait_signal("add").result


class RacingClient:
    """The service's client, where another client acts just before chosen calls (by operation and rank)."""

    def __init__(self, client: Any, *, before: dict[tuple[str, int], Callable[[], None]]) -> None:
        self.client = client
        self.before = before
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        if name not in ("start_workflow_execution", "signal_workflow_execution"):
            return method

        def call(**params: Any) -> Any:
            self.calls.append(name)
            other_client = self.before.pop((name, self.calls.count(name)), None)
            if other_client is not None:
                other_client()
            return method(**params)

        return call


@pytest.fixture
def client() -> Iterator[Any]:
    service = SWFService(":memory:")
    try:
        with embedded_direct_client(service) as swf:
            swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
            yield swf
    finally:
        service.close()


def open_runs(client: Any) -> list[str]:
    infos = client.list_open_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": 0})
    return [info["execution"]["runId"] for info in infos["executionInfos"]]


def signals_of(client: Any, run_id: str) -> list[Any]:
    events = client.get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": WORKFLOW_ID, "runId": run_id}
    )["events"]
    return [
        payload.decode(event["workflowExecutionSignaledEventAttributes"].get("input"))
        for event in events
        if event["eventType"] == "WorkflowExecutionSignaled"
    ]


def another_client_starts(client: Any) -> Callable[[], None]:
    return lambda: start_execution(client, Waiter, ["other"], domain=DOMAIN, workflow_id=WORKFLOW_ID)


def another_client_terminates(client: Any) -> Callable[[], None]:
    return lambda: client.terminate_workflow_execution(domain=DOMAIN, workflowId=WORKFLOW_ID)


def call(swf: Any, **options: Any) -> Any:
    return signal_with_start(
        swf,
        Waiter,
        domain=DOMAIN,
        workflow_id=WORKFLOW_ID,
        signal_name="add",
        input=["book"],
        signal_input={"qty": 2},
        **options,
    )


def test_not_open_it_is_started_and_signaled(client):
    result = call(client)
    assert (result.started, result.attempts) == (True, 1)
    assert open_runs(client) == [result.run_id]
    assert signals_of(client, result.run_id) == [{"qty": 2}]


def test_open_it_is_only_signaled(client):
    run_id = start_execution(client, Waiter, ["book"], domain=DOMAIN, workflow_id=WORKFLOW_ID)["runId"]
    result = call(client)
    assert (result.started, result.run_id, result.attempts) == (False, None, 1)
    assert open_runs(client) == [run_id]
    assert signals_of(client, run_id) == [{"qty": 2}]


@pytest.mark.parametrize(
    ("races", "started", "attempts"),
    [
        pytest.param(
            {("start_workflow_execution", 1): "starts"}, False, 2, id="started-by-another-before-the-start"
        ),
        pytest.param(
            {("start_workflow_execution", 1): "starts", ("signal_workflow_execution", 2): "terminates"},
            True,
            2,
            id="started-then-closed-before-the-signal",
        ),
        pytest.param(
            {("signal_workflow_execution", 2): "terminates"}, True, 2, id="own-start-closed-before-the-signal"
        ),
    ],
)
def test_a_race_with_another_client_tries_the_other_branch(client, races, started, attempts):
    actions = {"starts": another_client_starts(client), "terminates": another_client_terminates(client)}
    racing = RacingClient(client, before={key: actions[name] for key, name in races.items()})
    result = call(racing)
    assert (result.started, result.attempts) == (started, attempts)
    (run_id,) = open_runs(client)
    assert result.run_id in (None, run_id)
    assert signals_of(client, run_id) == [{"qty": 2}]


def test_it_gives_up_after_max_attempts_with_a_clear_error(client):
    racing = RacingClient(client, before={("start_workflow_execution", 1): another_client_starts(client)})
    with pytest.raises(SignalWithStartFailed) as caught:
        call(racing, max_attempts=1)
    assert (caught.value.workflow_id, caught.value.attempts) == (WORKFLOW_ID, 1)
    assert "in 1 attempts" in str(caught.value)


def test_other_errors_are_raised_not_retried(client):
    with pytest.raises(UnknownResource):
        signal_with_start(client, Waiter, domain="no-such-domain", workflow_id=WORKFLOW_ID, signal_name="add")


def test_max_attempts_is_at_least_one(client):
    with pytest.raises(ConfigurationError, match="max_attempts"):
        call(client, max_attempts=0)
