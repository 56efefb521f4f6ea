"""Junk at the transport level: the HTTP service answers a 4xx or closes the connection, and stays up.

Each case writes raw bytes on a socket of its own and reads what comes back until the server closes the
connection (or a deadline passes, which fails the test): a status line of 4xx, or nothing at all, is
fine; a 5xx, a hang or a server that stops answering others is not.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from simpleflow.localswf.embedded import make_local_client
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService

DEADLINE = 10.0
#: The server's limit for a started request: short, so the slow cases end quickly.
REQUEST_TIMEOUT = 0.5
BODY = b'{"registrationStatus":"REGISTERED"}'
HEAD = (
    "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\n"
    "Content-Type: application/x-amz-json-1.0\r\n"
)


def request(body: bytes = BODY, *, head: str = HEAD, length: int | None = None) -> bytes:
    size = len(body) if length is None else length
    return f"{head}Content-Length: {size}\r\n\r\n".encode() + body


@pytest.fixture(scope="module")
def server() -> Iterator[LocalSWFServer]:
    service = SWFService(poll_timeout=0.5)
    with LocalSWFServer(service, request_timeout=REQUEST_TIMEOUT) as running:
        yield running
    service.close()


def exchange(server: LocalSWFServer, payload: bytes, *, then_close_write: bool = False) -> bytes:
    """Send ``payload`` and read everything the server sends until it closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=DEADLINE) as sock:
        try:
            sock.sendall(payload)
            if then_close_write:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before reading it all
        received = b""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                return received
            received += chunk
        raise AssertionError(
            f"the server neither answered nor closed within {DEADLINE} s: {received[:200]!r}"
        )


def statuses(raw: bytes) -> list[int]:
    """The status codes of the answers in ``raw`` (a kept-alive connection may carry several)."""
    return [int(line.split()[1]) for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.")]


def assert_still_serving(server: LocalSWFServer) -> None:
    client = make_local_client(server.endpoint_url)
    assert client.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []


JUNK = [
    ("garbage-bytes", os.urandom(2048) + b"\r\n\r\n", {400}),
    ("truncated-head", HEAD.encode()[:40], set()),
    ("head-without-end", HEAD.encode(), set()),
    ("bad-request-line", b"POST\r\n\r\n", {400}),
    ("http-2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400}),
    ("header-without-colon", HEAD.encode() + b"Broken header\r\n\r\n", {400}),
    ("space-before-colon", HEAD.encode() + b"Content-Length : 2\r\n\r\n{}", {400}),
    ("no-content-length", HEAD.encode() + b"\r\n" + BODY, {411}),
    ("negative-length", request(length=-1), {400}),
    ("non-numeric-length", HEAD.encode() + b"Content-Length: 1e3\r\n\r\n", {400}),
    ("conflicting-lengths", HEAD.encode() + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n{}", {400}),
    ("huge-length", request(b"{}", length=10**12), {400}),
    ("chunked", HEAD.encode() + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", {501}),
    ("huge-head", HEAD.encode() + b"X-Pad: " + b"a" * 70_000 + b"\r\n\r\n", {431}),
    ("too-many-headers", HEAD.encode() + b"".join(b"X-%d: v\r\n" % i for i in range(150)) + b"\r\n", {431}),
    ("short-body", request(length=len(BODY) + 10), set()),
    ("not-utf8-body", request(b"\xff\xfe{}"), {400}),
    ("not-json-body", request(b"{nope"), {400}),
    ("json-array-body", request(b"[1,2]"), {400}),
    ("nan-body", request(b'{"registrationStatus":NaN}'), {400}),
    ("deep-nesting", request(b"[" * 100_000 + b"]" * 100_000), {400}),
    ("unknown-target", request(head=HEAD.replace("ListDomains", "DropTables")), {400}),
    ("other-service-target", request(head=HEAD.replace("SimpleWorkflowService", "DynamoDB_20120810")), {400}),
    ("unknown-method", b"BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", {501}),
    (
        "nul-in-header",
        HEAD.encode() + b"X-A: a\x00b\r\n" + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY,
        {200},
    ),
]


@pytest.mark.parametrize(("payload", "allowed"), [j[1:] for j in JUNK], ids=[j[0] for j in JUNK])
def test_junk_gets_a_4xx_or_a_close_and_the_server_stays_up(server, payload, allowed):
    raw = exchange(server, payload, then_close_write=True)
    codes = statuses(raw)
    assert all(code < 500 or code in allowed for code in codes), raw[:300]
    if allowed:
        assert codes and codes[0] in allowed, raw[:300]
    assert_still_serving(server)


def test_a_body_over_the_size_limit_gets_its_fault(server):
    body = b'{"registrationStatus":"' + b"R" * 1_100_000 + b'"}'
    raw = exchange(server, request(body) + b"", then_close_write=True)
    assert statuses(raw)[0] == 400
    assert b"ValidationException" in raw and b"limit" in raw


def test_a_slow_client_is_cut_off_after_the_request_timeout(server):
    """Slowloris: a request a byte at a time. The server answers 408 and closes, on its deadline."""
    with socket.create_connection((server.host, server.port), timeout=DEADLINE) as sock:
        started = time.monotonic()
        payload = request()
        received = b""
        for byte in payload:
            try:
                sock.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(REQUEST_TIMEOUT / 10)
            sock.setblocking(False)
            try:
                chunk = sock.recv(65536)
                if chunk == b"":
                    break
                received += chunk
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        sock.settimeout(DEADLINE)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        elapsed = time.monotonic() - started
    assert statuses(received) == [408]
    assert elapsed < REQUEST_TIMEOUT + 5
    assert_still_serving(server)


def test_an_idle_kept_alive_connection_is_no_request(server):
    """Between requests a client owes nothing: an idle connection is not cut off, and still works."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=DEADLINE)
    headers = {
        "X-Amz-Target": "SimpleWorkflowService.ListDomains",
        "Content-Type": "application/x-amz-json-1.0",
    }
    connection.request("POST", "/", body=BODY, headers=headers)
    assert connection.getresponse().read() == b'{"domainInfos":[]}'
    time.sleep(REQUEST_TIMEOUT * 2)  # longer than a started request may take: idleness is not that
    connection.request("POST", "/", body=BODY, headers=headers)
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"domainInfos": []})
    connection.close()


def test_many_junk_connections_at_once_leave_the_server_up(server):
    cases = [(payload, allowed) for _, payload, allowed in JUNK] * 3
    failures: list[BaseException] = []

    def one(payload: bytes, allowed: set[int]) -> None:
        try:
            codes = statuses(exchange(server, payload, then_close_write=True))
            assert all(code < 500 or code in allowed for code in codes), codes
        except BaseException as error:  # collected: an assertion in a thread would be lost
            failures.append(error)

    threads = [threading.Thread(target=one, args=case) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE * 2)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert_still_serving(server)
