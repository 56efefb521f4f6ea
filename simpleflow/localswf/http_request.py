"""Reading HTTP/1.1 requests off a socket: the lean parser behind the embedded service's HTTP transport.

SWF clients (botocore, the ``aws`` CLI, other SDKs) send ``POST /`` with a handful of plain headers and a
``Content-Length`` body, on kept-alive connections. http.server's parser builds an
``email.message.Message`` per request and reads the head a line at a time through a buffered file; this
one reads what the socket has, finds the end of the head, and splits it once.

Limits, each answered with an error status and the connection closed (:class:`RequestRefused`):

- a head (request line and headers) over :data:`MAX_HEAD_BYTES`, or over :data:`MAX_HEADERS` headers: 431;
- a malformed request line or header line, an invalid or conflicting ``Content-Length``, a ``POST``
  without one: 400 (411 for the missing length);
- ``Transfer-Encoding`` (chunked bodies): 501, since no SWF client sends one;
- a request that has started but is not complete ``request_timeout`` seconds later (a client sending a
  byte at a time, or stalled mid-body): 408. An idle kept-alive connection has no such limit: between
  requests, a client owes nothing.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

MAX_HEAD_BYTES = 65536
MAX_HEADERS = 100
_RECV_BYTES = 65536
_HEAD_END = b"\r\n\r\n"
_VERSIONS = frozenset({"HTTP/1.0", "HTTP/1.1"})
# RFC 9110's token characters: what a header name may be made of.
_TOKEN_CHARACTERS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class RequestRefused(Exception):
    """Raised when a request cannot be read as HTTP: answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class HTTPRequest:
    """One request: header names are lower-cased; ``body`` is None when it was over ``max_body``."""

    method: str
    path: str
    version: str
    headers: dict[str, str]
    body: bytes | None
    content_length: int
    keep_alive: bool


class RequestReader:
    """Reads the successive requests of one connection, keeping what arrived past the current one.

    ``max_body``: a longer body is read and dropped (so that the client, still sending, receives the
    error answer instead of a reset) as long as it is under ``drain_limit``; past that it is left
    unread, and the request says the connection must close.
    """

    def __init__(
        self, sock: socket.socket, *, request_timeout: float, max_body: int, drain_limit: int
    ) -> None:
        self._sock = sock
        self._request_timeout = request_timeout
        self._max_body = max_body
        self._drain_limit = drain_limit
        self._buffer = b""

    def read(self) -> HTTPRequest | None:
        """The next request, or None when the client closed the connection between requests."""
        buffer = self._buffer.lstrip(b"\r\n")  # RFC 9112 lets a server ignore blank lines before one
        while not buffer:
            chunk = self._sock.recv(_RECV_BYTES)  # idle: no deadline
            if not chunk:
                return None
            buffer = chunk.lstrip(b"\r\n")
        deadline = time.monotonic() + self._request_timeout
        end = buffer.find(_HEAD_END)
        while end < 0:
            if len(buffer) > MAX_HEAD_BYTES:
                raise RequestRefused(431, f"Request head over {MAX_HEAD_BYTES} bytes")
            searched = max(0, len(buffer) - len(_HEAD_END) + 1)
            buffer += self._receive(deadline, "the request head")
            end = buffer.find(_HEAD_END, searched)
        if end > MAX_HEAD_BYTES:
            raise RequestRefused(431, f"Request head over {MAX_HEAD_BYTES} bytes")
        method, path, version, headers = parse_head(buffer[:end])
        keep_alive = is_kept_alive(version, headers.get("connection", ""))
        length = content_length(method, headers)
        rest = buffer[end + len(_HEAD_END) :]
        if length > self._max_body:
            if length > self._drain_limit:
                self._buffer = b""
                return HTTPRequest(method, path, version, headers, None, length, keep_alive=False)
            self._drop_body(rest, length, deadline)
            return HTTPRequest(method, path, version, headers, None, length, keep_alive)
        while len(rest) < length:
            rest += self._receive(deadline, "the request body")
        self._buffer = rest[length:]
        return HTTPRequest(method, path, version, headers, rest[:length], length, keep_alive)

    def _drop_body(self, rest: bytes, length: int, deadline: float) -> None:
        while len(rest) < length:
            length -= len(rest)
            rest = self._receive(deadline, "the request body")
        self._buffer = rest[length:]

    def _receive(self, deadline: float, part: str) -> bytes:
        """Some bytes of a request that has started, within its deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RequestRefused(408, f"Timed out reading {part}")
        self._sock.settimeout(remaining)
        try:
            chunk = self._sock.recv(_RECV_BYTES)
        except TimeoutError:
            raise RequestRefused(408, f"Timed out reading {part}") from None
        finally:
            self._sock.settimeout(None)
        if not chunk:
            raise RequestRefused(400, f"The connection closed in the middle of {part}")
        return chunk


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    """The method, path, version and headers (lower-cased names) of a request head without its CRLFCRLF."""
    lines = head.decode("iso-8859-1").split("\r\n")
    request_line = lines[0]
    words = request_line.split(" ")
    if len(words) != 3 or words[2] not in _VERSIONS or not words[0] or not words[1]:
        raise RequestRefused(400, f"Bad request line {request_line[:80]!r}")
    if len(lines) - 1 > MAX_HEADERS:
        raise RequestRefused(431, f"More than {MAX_HEADERS} headers")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        # No space before the colon, no obsolete line folding: RFC 9112 makes a server refuse both.
        if not colon or not name or not _TOKEN_CHARACTERS.issuperset(name):
            raise RequestRefused(400, f"Bad header line {line[:80]!r}")
        key = name.lower()
        value = value.strip(" \t")
        if key in headers:
            if key == "content-length" and headers[key] != value:
                raise RequestRefused(400, "Conflicting Content-Length headers")
            headers[key] = f"{headers[key]}, {value}" if key != "content-length" else value
        else:
            headers[key] = value
    return words[0], words[1], words[2], headers


def content_length(method: str, headers: dict[str, str]) -> int:
    """The body length a request announces (0 for a bodiless GET); refuses what cannot be framed."""
    if "transfer-encoding" in headers:
        raise RequestRefused(501, "Transfer-Encoding is not supported: send the body with a Content-Length")
    value = headers.get("content-length")
    if value is None:
        if method == "POST":
            raise RequestRefused(411, "A request needs a Content-Length header")
        return 0
    # int() would also take "+5", " 5" or "1_000": only plain digits frame a body unambiguously.
    if not value.isascii() or not value.isdigit():
        raise RequestRefused(400, f"Bad Content-Length {value[:40]!r}")
    return int(value)


def is_kept_alive(version: str, connection: str) -> bool:
    """HTTP/1.1 keeps the connection unless told ``close``; HTTP/1.0 closes it unless told ``keep-alive``."""
    options = {option.strip().lower() for option in connection.split(",")}
    if version == "HTTP/1.1":
        return "close" not in options
    return "keep-alive" in options
