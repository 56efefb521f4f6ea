"""``simpleflow localswf.start`` as users run it: a real process, reached by boto3 over HTTP."""

from __future__ import annotations

import contextlib
import signal
import threading
import time

import pytest

from simpleflow.localswf.embedded import make_local_client
from tests.fixtures.localswf_process import ServiceProcess
from tests.fixtures.swf_driver import Driver

pytestmark = [pytest.mark.integration]


def poll_quietly(client) -> None:
    with contextlib.suppress(Exception):  # the server going away mid-poll is the point
        client.poll_for_decision_task(domain="cli", taskList={"name": "t"})


def wait_until(condition, *, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_serves_boto3_and_stops_cleanly_on_a_signal(tmp_path, sig):
    service = ServiceProcess(db=str(tmp_path / "swf.db"), extra_args=("--poll-timeout", "30")).start()
    try:
        assert service.stdout_lines[0].startswith("localswf: serving Amazon SWF's API at http://127.0.0.1:")
        assert service.endpoint_url.startswith("http://127.0.0.1:")
        client = make_local_client(service.endpoint_url, read_timeout=10)
        client.register_domain(name="cli", workflowExecutionRetentionPeriodInDays="1")
        assert client.describe_domain(name="cli")["domainInfo"]["status"] == "REGISTERED"
        # A long poll in flight (30 s) must not keep the process alive past the signal.
        poller = threading.Thread(
            target=poll_quietly, args=(make_local_client(service.endpoint_url, read_timeout=40),), daemon=True
        )
        poller.start()
        assert wait_until(
            lambda: client.count_pending_decision_tasks(domain="cli", taskList={"name": "t"}) is not None
        )
        started = time.monotonic()
        assert service.stop(sig=sig, timeout=15) == 0
        assert time.monotonic() - started < 10
    finally:
        service.kill()
    assert any("localswf: stopped" in line for line in service.stderr_lines)
    assert not any("Traceback" in line for line in service.stderr_lines), "\n".join(service.stderr_lines)


def test_state_survives_a_clean_restart(tmp_path):
    db = str(tmp_path / "swf.db")
    with ServiceProcess(db=db) as first:
        make_local_client(first.endpoint_url).register_domain(
            name="kept", workflowExecutionRetentionPeriodInDays="1"
        )
    with ServiceProcess(db=db) as second:
        domains = make_local_client(second.endpoint_url).list_domains(registrationStatus="REGISTERED")
    assert [info["name"] for info in domains["domainInfos"]] == ["kept"]


def test_a_port_in_use_is_a_one_line_error(tmp_path):
    with ServiceProcess() as first:
        port = first.endpoint_url.rsplit(":", 1)[1]
        second = ServiceProcess(port=int(port))
        with pytest.raises(RuntimeError, match="exited early"):
            second.start()
        assert second.process is not None and second.process.wait(10) == 2
        assert any(line.startswith("error: cannot bind 127.0.0.1:") for line in second.stderr_lines)


def test_debug_logging_shows_one_line_per_request():
    with ServiceProcess(env={"LOG_LEVEL": "DEBUG"}) as service:
        make_local_client(service.endpoint_url).list_domains(registrationStatus="REGISTERED")
        assert service.wait_for_stderr("ListDomains -> 200")


def test_lambda_option_runs_the_callable_for_schedule_lambda_function():
    with ServiceProcess(extra_args=("--lambda", "double=tests.fixtures.lambdas:double")) as service:
        driver = Driver(make_local_client(service.endpoint_url)).register()
        run = driver.start()
        driver.decide(
            driver.decision_task(run),
            {
                "decisionType": "ScheduleLambdaFunction",
                "scheduleLambdaFunctionDecisionAttributes": {"id": "l-1", "name": "double", "input": "4"},
            },
        )
        task = driver.decision_task(run)
    completed = [event for event in task["events"] if event["eventType"] == "LambdaFunctionCompleted"]
    assert completed[0]["lambdaFunctionCompletedEventAttributes"]["result"] == "8"
