"""The HTTP request parser of the embedded service: framing, limits, timeouts, keep-alive."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.http_request import (
    MAX_HEAD_BYTES,
    MAX_HEADERS,
    RequestReader,
    RequestRefused,
    content_length,
    is_kept_alive,
    parse_head,
)

DESCRIBE = b'{"name": "dev"}'


def post(body: bytes = DESCRIBE, *, extra: str = "", length: int | None = None) -> bytes:
    size = len(body) if length is None else length
    head = (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: SimpleWorkflowService.DescribeDomain\r\n"
        f"Content-Length: {size}\r\n{extra}\r\n"
    )
    return head.encode() + body


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    client, server = socket.socketpair()
    try:
        yield client, server
    finally:
        client.close()
        server.close()


def reader_of(sock: socket.socket, *, timeout: float = 5.0, max_body: int = 1000) -> RequestReader:
    return RequestReader(sock, request_timeout=timeout, max_body=max_body, drain_limit=10 * max_body)


def test_reads_method_path_headers_and_body(pair):
    client, server = pair
    client.sendall(post(extra="X-Custom:  spaced value \r\n"))
    request = reader_of(server).read()
    assert request is not None
    assert (request.method, request.path, request.version) == ("POST", "/", "HTTP/1.1")
    assert request.headers["x-amz-target"] == "SimpleWorkflowService.DescribeDomain"
    assert request.headers["x-custom"] == "spaced value"
    assert request.body == DESCRIBE
    assert request.keep_alive


def test_two_requests_in_one_packet_are_read_one_after_the_other(pair):
    client, server = pair
    second = post(b'{"name": "other"}')
    client.sendall(post() + second)
    reader = reader_of(server)
    first_request, second_request = reader.read(), reader.read()
    assert first_request is not None and second_request is not None
    assert first_request.body == DESCRIBE
    assert second_request.body == b'{"name": "other"}'
    client.close()
    assert reader.read() is None  # closed between requests: no error


@pytest.mark.parametrize(
    "cuts",
    [[1], [5, 17], [40], [-len(DESCRIBE)], [-3], list(range(1, 120))],
    ids=["after-first-byte", "request-line", "mid-header", "head-body-boundary", "mid-body", "byte-a-time"],
)
def test_a_request_split_across_packets_is_reassembled(pair, cuts):
    client, server = pair
    data = post()
    positions = sorted({cut % len(data) for cut in cuts} - {0})
    received: list[Any] = []
    thread = threading.Thread(target=lambda: received.append(reader_of(server).read()))
    thread.start()
    start = 0
    for position in [*positions, len(data)]:
        client.sendall(data[start:position])
        start = position
        time.sleep(0.001)  # separate segments: the reader must wait for the rest
    thread.join(5)
    assert received and received[0] is not None
    assert received[0].body == DESCRIBE


def test_blank_lines_before_a_request_are_ignored(pair):
    client, server = pair
    client.sendall(b"\r\n\r\n" + post())
    request = reader_of(server).read()
    assert request is not None and request.body == DESCRIBE


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"POST /\r\n\r\n", 400),
        (b"POST  / HTTP/1.1\r\n\r\n", 400),
        (b"POST / HTTP/2.0\r\n\r\n", 400),
        (b"POST / HTTP/1.1 extra\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nName : space before colon\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\n: no name\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nA: 1\r\n folded: continuation\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nX-Amz-Target: SimpleWorkflowService.DescribeDomain\r\n\r\n", 411),
        (b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1_0\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: \xd9\xa3\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nX-Big: " + b"x" * MAX_HEAD_BYTES + b"\r\n\r\n", 431),
        (b"POST / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * (MAX_HEADERS + 1) + b"\r\n", 431),
    ],
    ids=[
        "no-words",
        "no-version",
        "double-space",
        "http-2",
        "four-words",
        "no-colon",
        "space-before-colon",
        "empty-name",
        "obsolete-folding",
        "no-length",
        "length-not-a-number",
        "negative-length",
        "signed-length",
        "underscored-length",
        "non-ascii-digits",
        "conflicting-lengths",
        "chunked",
        "head-too-large",
        "too-many-headers",
    ],
)
def test_malformed_requests_are_refused_with_their_status(pair, data, status):
    client, server = pair
    client.sendall(data)
    with pytest.raises(RequestRefused) as refused:
        reader_of(server).read()
    assert refused.value.status == status
    assert refused.value.message


def test_an_endless_head_is_refused_without_waiting_for_its_end(pair):
    client, server = pair
    client.sendall(b"POST / HTTP/1.1\r\nX-Big: " + b"x" * (2 * MAX_HEAD_BYTES))  # no CRLFCRLF ever
    with pytest.raises(RequestRefused) as refused:
        reader_of(server).read()
    assert refused.value.status == 431


def test_repeated_lengths_that_agree_are_accepted():
    _, _, _, headers = parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3")
    assert content_length("POST", headers) == 3


def test_a_get_needs_no_length():
    assert content_length("GET", {}) == 0


@pytest.mark.parametrize(
    ("version", "connection", "kept"),
    [
        ("HTTP/1.1", "", True),
        ("HTTP/1.1", "Close", False),
        ("HTTP/1.1", "keep-alive, close", False),
        ("HTTP/1.0", "", False),
        ("HTTP/1.0", "Keep-Alive", True),
    ],
    ids=["1.1", "1.1-close", "1.1-list", "1.0", "1.0-keep-alive"],
)
def test_keep_alive_rules(version, connection, kept):
    assert is_kept_alive(version, connection) is kept


@pytest.mark.parametrize(
    "data",
    [b"POST / HTTP/1.1\r\nContent-Le", post()[:-3]],
    ids=["in-the-head", "in-the-body"],
)
def test_a_stalled_request_times_out(pair, data):
    client, server = pair
    client.sendall(data)
    started = time.monotonic()
    with pytest.raises(RequestRefused) as refused:
        reader_of(server, timeout=0.2).read()
    assert refused.value.status == 408
    assert 0.15 < time.monotonic() - started < 3


def test_a_byte_a_time_client_cannot_stretch_the_deadline(pair):
    client, server = pair
    stop = threading.Event()

    def trickle() -> None:
        for byte in post():
            if stop.wait(0.05):
                return
            client.sendall(bytes([byte]))

    thread = threading.Thread(target=trickle)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(RequestRefused) as refused:
            reader_of(server, timeout=0.3).read()
    finally:
        stop.set()
        thread.join(5)
    assert refused.value.status == 408
    assert time.monotonic() - started < 1.5  # the whole request has one deadline, not each byte


def test_a_connection_closed_mid_request_is_refused(pair):
    client, server = pair
    client.sendall(post()[:-4])
    client.shutdown(socket.SHUT_WR)
    with pytest.raises(RequestRefused) as refused:
        reader_of(server).read()
    assert refused.value.status == 400


def test_an_idle_connection_has_no_deadline(pair):
    client, server = pair
    received: list[Any] = []
    thread = threading.Thread(target=lambda: received.append(reader_of(server, timeout=0.1).read()))
    thread.start()
    time.sleep(0.4)  # idle longer than the request timeout: the deadline starts with the first byte
    client.sendall(post())
    thread.join(5)
    assert received and received[0] is not None and received[0].body == DESCRIBE


def test_an_oversized_body_is_dropped_and_the_next_request_read(pair):
    client, server = pair
    client.sendall(post(b"x" * 5000) + post())
    reader = reader_of(server, max_body=1000)
    oversized = reader.read()
    assert oversized is not None and oversized.body is None and oversized.content_length == 5000
    assert oversized.keep_alive
    following = reader.read()
    assert following is not None and following.body == DESCRIBE


def test_a_body_over_the_drain_limit_is_left_unread_and_closes(pair):
    client, server = pair
    client.sendall(post(b"", length=1_000_000))
    request = reader_of(server, max_body=1000).read()
    assert request is not None and request.body is None and not request.keep_alive


# -- through the server ---------------------------------------------------------------------------


class EchoService:
    """Answers every call with its operation and parameters."""

    def handle(self, operation: str, params: dict[str, Any], *, region: str = "us-east-1") -> dict[str, Any]:
        return {"operation": operation, "params": params}


@pytest.fixture
def server() -> Iterator[LocalSWFServer]:
    with LocalSWFServer(EchoService(), request_timeout=0.3) as running:
        yield running


def read_answer(sock: socket.socket, buffer: bytes = b"") -> tuple[bytes, dict[str, Any], bytes]:
    """The head and JSON body of one answer, and what was received past it."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection: {buffer!r}"
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = int(next(line for line in lines if line.lower().startswith(b"content-length:"))[15:])
    while len(rest) < length:
        rest += sock.recv(65536)
    return head, json.loads(rest[:length]), rest[length:]


def test_keep_alive_serves_two_requests_on_one_connection(server):
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(post())
        head, first, rest = read_answer(sock)
        assert head.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" not in head
        sock.sendall(post(b'{"name": "again"}'))
        _, second, _ = read_answer(sock, rest)
    assert first == {"operation": "DescribeDomain", "params": {"name": "dev"}}
    assert second["params"] == {"name": "again"}


def test_pipelined_requests_are_answered_in_order(server):
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(post(b'{"n": 1}') + post(b'{"n": 2}'))
        _, first, rest = read_answer(sock)
        _, second, _ = read_answer(sock, rest)
    assert (first["params"], second["params"]) == ({"n": 1}, {"n": 2})


def test_a_slow_client_gets_408_and_the_server_still_serves(server):
    with socket.create_connection((server.host, server.port), timeout=5) as slow:
        slow.sendall(b"POST / HTTP/1.1\r\nContent-")
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"Connection: close" in answer
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(post())
        head, _, _ = read_answer(sock)
    assert head.startswith(b"HTTP/1.1 200 OK")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", b"400"),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", b"501"),
        (b"DELETE / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", b"501"),
    ],
    ids=["bad-length", "chunked", "unsupported-method"],
)
def test_refusals_are_json_and_close_the_connection(server, data, status):
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == status
    assert b"Connection: close" in head
    assert json.loads(body)["message"]


def test_an_idle_connection_outlives_a_process_wide_socket_timeout():
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.2)  # accepted sockets inherit it: the idle wait must not
    try:
        with (
            LocalSWFServer(EchoService()) as running,
            socket.create_connection((running.host, running.port), timeout=5) as sock,
        ):
            time.sleep(0.5)
            sock.sendall(post())
            head, answer, _ = read_answer(sock)
    finally:
        socket.setdefaulttimeout(previous)
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert answer["params"] == {"name": "dev"}
