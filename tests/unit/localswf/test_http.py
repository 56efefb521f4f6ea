from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
from typing import Any

import botocore.exceptions
import pytest

from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.auth import Credentials
from simpleflow.localswf.embedded import make_local_client
from simpleflow.localswf.faults import SWFFault, unknown_resource
from simpleflow.localswf.http import LocalSWFServer, is_loopback
from simpleflow.localswf.validation import MAX_REQUEST_BYTES, validate_request


class FakeService:
    """Stands in for SWFService: validates as the engine does, answers a few operations, records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.release_poll = threading.Event()

    def handle(self, operation: str, params: dict[str, Any], *, region: str = "us-east-1") -> dict[str, Any]:
        validate_request(operation, params)
        self.calls.append((operation, params))
        if operation == "DescribeDomain":
            if params["name"] == "broken":
                raise RuntimeError("an engine bug")
            return {
                "domainInfo": {"name": params["name"], "status": "REGISTERED"},
                "configuration": {"workflowExecutionRetentionPeriodInDays": "1"},
            }
        if operation == "RespondActivityTaskCompleted":
            raise unknown_resource(f"Unknown task token {params['taskToken']!r}")
        if operation == "PollForActivityTask":
            self.release_poll.wait(5)
            return {"taskToken": "", "startedEventId": 0}
        if operation == "CountPendingActivityTasks":
            return {"count": 3, "truncated": False}
        raise SWFFault("OperationNotPermittedFault", f"the fake does not do {operation}")


@pytest.fixture
def fake_service() -> FakeService:
    return FakeService()


@pytest.fixture
def server(fake_service):
    with LocalSWFServer(fake_service) as running:
        yield running


@pytest.fixture
def client(server):
    return make_local_client(server.endpoint_url, read_timeout=10)


def raw_post(
    server: LocalSWFServer, body: bytes, *, target: str | None = "SimpleWorkflowService.DescribeDomain"
):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    return response.status, payload


def test_endpoint_url_names_the_chosen_port(server):
    assert server.port > 0
    assert server.endpoint_url == f"http://127.0.0.1:{server.port}"


def test_boto3_round_trip(client, fake_service):
    answer = client.describe_domain(name="dev")
    assert answer["domainInfo"] == {"name": "dev", "status": "REGISTERED"}
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["ResponseMetadata"]["RequestId"]
    assert fake_service.calls == [("DescribeDomain", {"name": "dev"})]


def test_fault_becomes_client_error_with_swf_code(client):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.respond_activity_task_completed(taskToken="no-such-token")
    error = caught.value.response["Error"]
    assert error["Code"] == "UnknownResourceFault"
    assert "no-such-token" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # botocore's modeled exception class is picked from the code.
    assert isinstance(caught.value, client.exceptions.UnknownResourceFault)


def test_validation_error_from_the_service(server):
    # botocore would refuse a 300-character name client-side, so it is sent raw.
    status, payload = raw_post(server, json.dumps({"name": "x" * 300}).encode())
    assert status == 400
    assert payload["__type"].endswith("#ValidationException")
    assert "Member must have length less than or equal to 256" in payload["message"]


@pytest.mark.parametrize(
    ("body", "target", "status", "code"),
    [
        (b"{not json", "SimpleWorkflowService.DescribeDomain", 400, "SerializationException"),
        (b"[1, 2]", "SimpleWorkflowService.DescribeDomain", 400, "SerializationException"),
        (b'{"name": NaN}', "SimpleWorkflowService.DescribeDomain", 400, "SerializationException"),
        (b"\xff\xfe{}", "SimpleWorkflowService.DescribeDomain", 400, "SerializationException"),
        (b"\xef\xbb\xbf{}", "SimpleWorkflowService.DescribeDomain", 400, "SerializationException"),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "SimpleWorkflowService.DescribeDomain",
            400,
            "SerializationException",
        ),
        (b'{"name": 7}', "SimpleWorkflowService.DescribeDomain", 400, "SerializationException"),
        (b'{"name": "a"}', "SimpleWorkflowService.LaunchRockets", 400, "UnknownOperationException"),
        (b'{"name": "a"}', "DynamoDB_20120810.GetItem", 400, "UnknownOperationException"),
        (b'{"name": "a"}', None, 400, "UnknownOperationException"),
        (b"{}", "SimpleWorkflowService.DescribeDomain", 400, "ValidationException"),
        (
            b'{"taskToken": "gone"}',
            "SimpleWorkflowService.RespondActivityTaskCompleted",
            400,
            "UnknownResourceFault",
        ),
    ],
    ids=[
        "malformed-json",
        "not-an-object",
        "nan",
        "not-utf8",
        "byte-order-mark",
        "nesting-bomb",
        "wrong-type",
        "unknown-operation",
        "other-service",
        "no-target",
        "missing-required",
        "unknown-token",
    ],
)
def test_bad_input_is_a_400_class_swf_error_never_a_500(server, caplog, body, target, status, code):
    with caplog.at_level(logging.ERROR, logger="simpleflow.localswf.http"):
        got_status, payload = raw_post(server, body, target=target)
    assert got_status == status
    assert payload["__type"].rsplit("#", 1)[1] == code
    assert payload["message"]
    assert not caplog.records, "a known bad input reached the unexpected-error path"


def test_oversized_body_is_refused_and_the_connection_stays_usable(server):
    body = json.dumps({"name": "x" * (MAX_REQUEST_BYTES + 10)}).encode()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    headers = {"X-Amz-Target": "SimpleWorkflowService.DescribeDomain"}
    connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    payload = json.loads(response.read())
    assert response.status == 400
    assert payload["__type"].endswith("#ValidationException")
    assert "1048576" in payload["message"]
    connection.request("POST", "/", body=b'{"name": "dev"}', headers=headers)
    assert connection.getresponse().status == 200
    connection.close()


def test_oversized_request_through_boto3_is_a_client_error(client, fake_service):
    # 40 decisions of 32 KB each pass botocore's per-field checks but make a 1.3 MB request.
    decisions = [
        {
            "decisionType": "RecordMarker",
            "recordMarkerDecisionAttributes": {"markerName": f"m{i}", "details": "x" * 32768},
        }
        for i in range(40)
    ]
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.respond_decision_task_completed(taskToken="t", decisions=decisions)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "1048576" in caught.value.response["Error"]["Message"]
    assert fake_service.calls == []


def test_unexpected_exception_is_a_logged_500(server, client, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="simpleflow.localswf.http"),
        pytest.raises(botocore.exceptions.ClientError) as caught,
    ):
        client.describe_domain(name="broken")
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert any("an engine bug" in (record.exc_text or "") for record in caplog.records)


def test_each_request_is_logged_at_debug(client, caplog):
    with caplog.at_level(logging.DEBUG, logger="simpleflow.localswf.http"):
        client.describe_domain(name="dev")
    lines = [record.getMessage() for record in caplog.records if record.levelno == logging.DEBUG]
    assert any("DescribeDomain -> 200" in line for line in lines)


def test_long_poll_does_not_block_other_calls(server, client, fake_service):
    answers: list[dict] = []
    poller = threading.Thread(
        target=lambda: answers.append(client.poll_for_activity_task(domain="d", taskList={"name": "t"}))
    )
    poller.start()
    try:
        # While the poll holds its thread, other requests are served.
        assert client.describe_domain(name="dev")["domainInfo"]["name"] == "dev"
        assert client.count_pending_activity_tasks(domain="d", taskList={"name": "t"})["count"] == 3
    finally:
        fake_service.release_poll.set()
        poller.join(10)
    assert answers[0]["taskToken"] == ""


def test_health_check(server):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"status": "ok"})
    connection.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"], ids=["any", "lan", "name"])
def test_non_loopback_bind_is_refused(fake_service, host):
    with pytest.raises(ConfigurationError, match="allow_remote"):
        LocalSWFServer(fake_service, host)


def test_non_loopback_bind_when_allowed(fake_service):
    server = LocalSWFServer(
        fake_service, "0.0.0.0", allow_remote=True, credentials=Credentials("AKID", "secret")
    )
    try:
        assert server.host == "0.0.0.0"
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True), ("10.0.0.1", False)],
    ids=["v4", "v4-range", "v6", "name", "private"],
)
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_stop_closes_the_port(fake_service):
    server = LocalSWFServer(fake_service).start()
    client = make_local_client(server.endpoint_url, read_timeout=5)
    client.describe_domain(name="dev")
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        make_local_client(server.endpoint_url, read_timeout=5).describe_domain(name="dev")


def raw_exchange(server: LocalSWFServer, data: bytes) -> bytes:
    """Send raw bytes, return everything the server answers before it closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"POST / HTTP/2.0\r\n\r\n", b"400"),
        (b"POST / HTTP/1.1\r\nno colon here\r\n\r\n", b"400"),
        (b"POST / HTTP/1.1\r\nX-Big: " + b"x" * 70000 + b"\r\n\r\n", b"431"),
        (b"POST / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", b"431"),
        (b"POST / HTTP/1.1\r\nX-Amz-Target: SimpleWorkflowService.DescribeDomain\r\n\r\n", b"411"),
    ],
    ids=["bad-request-line", "http-2", "bad-header", "header-too-long", "too-many-headers", "no-length"],
)
def test_malformed_http_is_refused_and_the_connection_closed(server, caplog, data, status):
    with caplog.at_level(logging.ERROR, logger="simpleflow.localswf.http"):
        answer = raw_exchange(server, data)
    assert answer.split(b" ", 2)[1] == status
    assert not caplog.records


@pytest.mark.parametrize(
    ("version", "connection", "kept_alive"),
    [
        ("HTTP/1.1", "", True),
        ("HTTP/1.1", "close", False),
        ("HTTP/1.0", "", False),
        ("HTTP/1.0", "keep-alive", True),
    ],
    ids=["1.1-default", "1.1-close", "1.0-default", "1.0-keep-alive"],
)
def test_connection_persistence_follows_http_rules(server, version, connection, kept_alive):
    body = b'{"name": "dev"}'
    headers = f"X-Amz-Target: SimpleWorkflowService.DescribeDomain\r\nContent-Length: {len(body)}\r\n"
    if connection:
        headers += f"Connection: {connection}\r\n"
    request = f"POST / {version}\r\n{headers}\r\n".encode() + body
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        sock.settimeout(1.0)
        received = b""
        closed = False
        try:
            while not received.endswith(b"}}"):
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
            closed = closed or sock.recv(1) == b""
        except TimeoutError:
            closed = False  # still open after the answer: kept alive
    assert received.startswith(b"HTTP/1.1 200 OK")
    assert closed is (not kept_alive)


@pytest.mark.parametrize(
    ("error", "logged_as_error"),
    [
        pytest.param(ConnectionResetError(), False, id="client-reset"),
        pytest.param(BrokenPipeError(), False, id="client-gone"),
        pytest.param(RuntimeError("a handler bug"), True, id="real-error"),
    ],
)
def test_a_client_leaving_mid_request_is_not_logged_as_an_error(server, caplog, error, logged_as_error):
    caplog.set_level(logging.DEBUG, logger="simpleflow.localswf.http")
    try:
        raise error
    except Exception:
        server._server.handle_error(None, ("127.0.0.1", 40000))
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert bool(errors) is logged_as_error
