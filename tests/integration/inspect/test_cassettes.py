"""The output of workflow.list/info/tasks/profile/history, pinned on vcrpy cassettes.

The cassettes were recorded from the embedded SWF service over HTTP on loopback, on a manual clock, so
every timestamp in them is fixed. ``SIMPLEFLOW_VCR_RECORD_MODE`` picks vcrpy's record mode: ``none`` (the
default, set by script/test) replays only and needs no service; ``all`` starts the service, makes the
executions again, re-records every cassette and rewrites the expected outputs next to them::

    SIMPLEFLOW_VCR_RECORD_MODE=all script/test tests/integration/inspect/test_cassettes.py

Requests match on the SWF operation (``X-Amz-Target``) and the JSON body, never on the port: the
service listens on a free port each time. Authorization headers are not stored.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr
from click.testing import CliRunner

from simpleflow.cli.main import main
from tests.fixtures.executions import DOMAIN, Driver, ManualClock

pytestmark = pytest.mark.integration

RECORD_MODE = os.environ.get("SIMPLEFLOW_VCR_RECORD_MODE", "none")
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "inspect"
# Replaying never opens a socket; the port is irrelevant to matching anyway.
OFFLINE_ENDPOINT = "http://127.0.0.1:9"
# Run ids are random, new at every recording: outputs are compared with them masked.
RUN_ID_IN_CASSETTE = re.compile(r'\\?"runId\\?":\s*\\?"([^"\\]+)')


def header_text(request: vcr.request.Request, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode() if isinstance(value, bytes) else value


def same_operation(first: vcr.request.Request, second: vcr.request.Request) -> None:
    assert header_text(first, "X-Amz-Target") == header_text(second, "X-Amz-Target")


def readable_headers(request: vcr.request.Request) -> vcr.request.Request:
    """botocore sends header values as bytes; store them as text so cassettes can be read."""
    for name in list(request.headers):
        request.headers[name] = header_text(request, name)
    return request


def same_json_body(first: vcr.request.Request, second: vcr.request.Request) -> None:
    assert json.loads(first.body or b"{}") == json.loads(second.body or b"{}")


recorder = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode=RECORD_MODE,
    match_on=["method", "path", "operation", "json_body"],
    filter_headers=["authorization", "x-amz-date", "x-amz-security-token", "amz-sdk-invocation-id"],
    decode_compressed_response=True,
    before_record_request=readable_headers,
)
recorder.register_matcher("operation", same_operation)
recorder.register_matcher("json_body", same_json_body)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """Where the CLI sends its requests: a freshly filled service when recording, nowhere otherwise."""
    if RECORD_MODE == "none":
        yield OFFLINE_ENDPOINT
        return
    from simpleflow.localswf.embedded import embedded_server, make_local_client

    clock = ManualClock()
    with embedded_server(clock=clock) as server:
        driver = Driver(make_local_client(server.endpoint_url), clock=clock)
        driver.register()
        driver.run_basic("basic-1")
        driver.run_with_failure("failing-1")
        yield server.endpoint_url


CASES = [
    pytest.param("list_open", ["--header", "workflow.list", DOMAIN], id="list-open"),
    pytest.param(
        "list_closed", ["--format", "csv", "workflow.list", DOMAIN, "--status", "closed"], id="list-csv"
    ),
    pytest.param("info", ["--format", "human", "workflow.info", DOMAIN, "basic-1"], id="info"),
    pytest.param("tasks", ["workflow.tasks", DOMAIN, "failing-1"], id="tasks"),
    pytest.param("profile", ["workflow.profile", DOMAIN, "basic-1"], id="profile"),
    pytest.param("history", ["workflow.history", DOMAIN, "basic-1"], id="history"),
    pytest.param(
        "history_cooked", ["workflow.history", DOMAIN, "failing-1", "--of", "cooked"], id="history-cooked"
    ),
    pytest.param(
        "history_raw",
        ["--format", "json", "workflow.history", DOMAIN, "basic-1", "--of", "raw"],
        id="history-raw",
    ),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_output_is_pinned(endpoint, name, args):
    with recorder.use_cassette(f"{name}.yaml"):
        result = CliRunner().invoke(main, [*args, "--endpoint-url", endpoint], env={"SWF_DOMAIN": ""})
    assert result.exit_code == 0, result.output
    output = result.stdout
    for run_id in set(RUN_ID_IN_CASSETTE.findall((CASSETTES / f"{name}.yaml").read_text())):
        output = output.replace(run_id, "<run-id>")
    expected_file = CASSETTES / f"{name}.out"
    if RECORD_MODE == "all" or not expected_file.exists():
        if RECORD_MODE == "none":
            pytest.fail(f"{expected_file} is missing: record it with SIMPLEFLOW_VCR_RECORD_MODE=all")
        expected_file.write_text(output)
    assert output == expected_file.read_text()


def test_cassettes_hold_no_credentials():
    texts = [path.read_text() for path in sorted(CASSETTES.glob("*.yaml"))]
    assert len(texts) == len(CASES)
    for text in texts:
        assert "Credential=" not in text and "Signature=" not in text
        assert "authorization" not in text.lower()
