"""The HTTP transport of the embedded SWF service: SWF's JSON 1.0 protocol on loopback.

A request is ``POST /`` with ``X-Amz-Target: SimpleWorkflowService.<Operation>`` and a JSON body; the
answer is the operation's JSON output, or an error document ``{"__type": "...#<Fault>", "message": ...}``
with a 4xx status, which botocore turns into a ``ClientError`` carrying the fault name. Plain boto3 and
the ``aws`` CLI reach it with ``AWS_ENDPOINT_URL_SWF=<endpoint_url>`` and any dummy credentials (the
server does not check signatures: it is meant for one machine, which is why it binds to loopback only
unless told otherwise).

Built on the standard library's ``ThreadingHTTPServer``: one thread per connection, so a long poll holds
its own thread and never blocks other calls.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import sys
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.region import DEFAULT_REGION, region_from_authorization
from simpleflow.localswf.validation import MAX_REQUEST_BYTES, check_request_size, unknown_operation

logger = logging.getLogger(__name__)

TARGET_PREFIX = "SimpleWorkflowService."
CONTENT_TYPE = "application/x-amz-json-1.0"
# A body over the limit is still read (and dropped) up to this size, so that the client, which is
# still sending, receives the error document instead of a reset connection.
_DRAIN_LIMIT = 16 * MAX_REQUEST_BYTES
_MAX_HEADERS = 100
_MAX_HEADER_LINE = 65536
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class SWFRequestHandler(Protocol):
    """What the transport needs from the service: :meth:`SWFService.handle`."""

    def handle(
        self, operation: str, params: dict[str, Any], *, region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        """Run one SWF operation on its JSON input, addressed to ``region``; raise :class:`SWFFault`."""
        ...


def is_loopback(host: str) -> bool:
    """True when ``host`` names this machine only (``127.0.0.0/8``, ``::1`` or ``localhost``)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LocalSWFServer:
    """Serves an SWF service over HTTP; the socket is bound as soon as the object exists.

    ``port=0`` picks a free port; :attr:`endpoint_url` tells which. Use :meth:`start` to serve from a
    background thread (tests, ``standalone``) or :meth:`serve_forever` to serve from the calling thread
    (``simpleflow localswf.start``). A non-loopback ``host`` is refused unless ``allow_remote=True``:
    the server has no authentication.
    """

    def __init__(
        self,
        service: SWFRequestHandler,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ConfigurationError(
                f"refusing to serve SWF on {host!r}: the embedded service has no authentication, so it "
                "binds to loopback only; pass allow_remote=True (--allow-remote) to bind elsewhere"
            )
        self.service = service
        server_class = _IPv6Server if ":" in host else _Server
        self._server = server_class((host, port), _SWFRequestHandler)
        self._server.swf_service = service
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._serving = False
        self._stopped = False

    @property
    def host(self) -> str:
        """The address the socket is bound to."""
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        """The port the socket is bound to (the chosen one when ``port=0`` was asked)."""
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        """The URL to give boto3 (``endpoint_url=``) or ``AWS_ENDPOINT_URL_SWF``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve requests from the calling thread until :meth:`stop` (from another thread) ends it."""
        with self._state_lock:
            if self._stopped:
                return
            self._serving = True
        try:
            self._server.serve_forever(poll_interval=0.1)
        finally:
            with self._state_lock:
                self._serving = False

    def start(self) -> LocalSWFServer:
        """Serve from a daemon thread and return at once; returns ``self`` for chaining."""
        if self._thread is not None:
            raise RuntimeError("this LocalSWFServer is already started")
        self._thread = threading.Thread(
            target=self.serve_forever, name=f"localswf-http-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and the open connections.

        Safe to call twice and from any thread but the one inside :meth:`serve_forever` (a signal
        handler should call it from a new thread).
        """
        with self._state_lock:
            if self._stopped:
                return
            self._stopped = True
            serving = self._serving or self._thread is not None
        if serving:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
        self._server.server_close()
        self._server.close_connections()

    def __enter__(self) -> LocalSWFServer:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Pollers and workers hold connections open; the default backlog of 5 drops bursts of them.
    request_queue_size = 128
    swf_service: SWFRequestHandler

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log through ``logging`` (socketserver would print the traceback to stderr).

        A client that went away mid-request (killed worker, read timeout) is no error of the service:
        that is one debug line, not a traceback.
        """
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            logger.debug("localswf: %s left in the middle of a request", client_address[0])
            return
        logger.exception("localswf: error on the connection from %s", client_address[0])

    def close_connections(self) -> None:
        """Shut the kept-alive connections down, so clients see the stop instead of a silent hang."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _IPv6Server(_Server):
    address_family = socket.AF_INET6


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# json.loads and json.dumps build a new decoder or encoder on every call given options; these are
# built once (they hold no per-call state, so threads share them).
_REQUEST_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ANSWER_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


class _SWFRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses its connections
    disable_nagle_algorithm = True  # small answers must not wait for a delayed ACK
    server_version = "simpleflow-localswf"
    server: _Server
    request_headers: dict[str, str]
    raw_requestline: bytes  # set by http.server's handle_one_request before parse_request

    def parse_request(self) -> bool:
        """Read the request line and headers into :attr:`request_headers` (lower-cased names).

        Replaces http.server's parser, which builds an ``email.message.Message`` per request: that
        took nearly half of the server's CPU per SWF call. SWF clients send a handful of plain
        headers; anything malformed is answered 400 (431 for oversized headers) and the connection
        closed. Returns False when the request was refused, as http.server expects.
        """
        self.close_connection = True
        self.command, self.path = "", ""  # send_error reads them
        self.request_version = "HTTP/1.1"  # the version error answers are written in
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request line {self.requestline[:80]!r}")
            return False
        self.command, self.path, self.request_version = words
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS + 1):
            line = self.rfile.readline(_MAX_HEADER_LINE + 1)
            if len(line) > _MAX_HEADER_LINE:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Header line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if not colon or not name.strip():
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad header line {line[:80]!r}")
                return False
            headers[name.strip().lower()] = value.strip()
        else:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
            return False
        self.request_headers = headers
        connection = headers.get("connection", "").lower()
        if self.request_version == "HTTP/1.1":
            self.close_connection = connection == "close"
        else:
            self.close_connection = connection != "keep-alive"
        return True

    def do_POST(self) -> None:
        started = time.perf_counter()
        operation = self.request_headers.get("x-amz-target", "")
        try:
            params = self._read_params()
            operation = self._read_operation()
            region = region_from_authorization(self.request_headers.get("authorization"))
            result = self.server.swf_service.handle(operation, params, region=region)
            status, body = 200, _ANSWER_ENCODER.encode(result).encode()
        except SWFFault as fault:
            status, body = fault.status, json.dumps(fault.to_body()).encode()
        except Exception:
            # A bug, not a client error: keep the traceback, answer as AWS does for its own failures.
            logger.exception("localswf: %s raised an unexpected error", operation or "request")
            failure = SWFFault("InternalFailure", "the service failed to process the request", status=500)
            status, body = 500, json.dumps(failure.to_body()).encode()
        # Logged before answering, so that a client which got its answer also finds the line.
        logger.debug(
            "%s %s -> %d (%d bytes) in %.1f ms",
            self.client_address[0],
            operation or "-",
            status,
            len(body),
            (time.perf_counter() - started) * 1000,
        )
        self._respond(status, body)

    def do_GET(self) -> None:
        """A health check for scripts waiting for the server (SWF itself has no GET operations)."""
        self._respond(200, b'{"status":"ok"}')

    def _read_params(self) -> dict[str, Any]:
        length_header = self.request_headers.get("content-length")
        if length_header is None:
            self.close_connection = True  # without a length the body's end cannot be found
            raise SWFFault("SerializationException", "a request needs a Content-Length header", status=411)
        try:
            length = int(length_header)
        except ValueError:
            self.close_connection = True
            raise SWFFault("SerializationException", f"bad Content-Length {length_header!r}") from None
        if length > MAX_REQUEST_BYTES:
            self._drain(length)
            check_request_size(length)
        raw = self.rfile.read(length)
        if not raw.strip():
            return {}
        try:
            text = raw.decode("utf-8")
            if text.startswith("\ufeff"):  # json.loads checks this before decoding: same answer as before
                raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
            params = _REQUEST_DECODER.decode(text)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise SWFFault("SerializationException", f"the request body is not valid JSON: {error}") from None
        if not isinstance(params, dict):
            raise SWFFault("SerializationException", "the request body must be a JSON object")
        return params

    def _read_operation(self) -> str:
        target = self.request_headers.get("x-amz-target", "")
        if not target.startswith(TARGET_PREFIX):
            raise unknown_operation(target)
        return target[len(TARGET_PREFIX) :]

    def _drain(self, length: int) -> None:
        if length > _DRAIN_LIMIT:
            self.close_connection = True
            return
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _respond(self, status: int, body: bytes) -> None:
        # Status line, headers and body leave in one write: one segment for small answers, so the
        # client wakes once instead of reading the headers and then waiting for the body.
        reason = _REASONS.get(status, "")
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"Content-Type: {CONTENT_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
        )
        if self.close_connection:
            head += "Connection: close\r\n"
        try:
            self.wfile.write(head.encode("latin-1") + b"\r\n" + body)
        except (BrokenPipeError, ConnectionResetError):
            # The client left (read timeout, or the server is stopping and shut the socket): nobody
            # is there to read the answer, and this is no error of the service.
            self.close_connection = True
            logger.debug("%s left before its answer was written", self.client_address[0])

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: requests are logged once, at debug level, by :meth:`do_POST`."""
