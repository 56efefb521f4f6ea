"""The HTTP transport of the embedded SWF service: SWF's JSON 1.0 protocol on loopback.

A request is ``POST /`` with ``X-Amz-Target: SimpleWorkflowService.<Operation>`` and a JSON body; the
answer is the operation's JSON output, or an error document ``{"__type": "...#<Fault>", "message": ...}``
with a 4xx status, which botocore turns into a ``ClientError`` carrying the fault name. Plain boto3 and
the ``aws`` CLI reach it with ``AWS_ENDPOINT_URL_SWF=<endpoint_url>`` and any dummy credentials, unless
the server is given :class:`~simpleflow.localswf.auth.Credentials`: then every request must be signed
with them (SigV4, see :mod:`~simpleflow.localswf.auth`). Without them it is meant for one machine, which
is why it binds to loopback only, and serving beyond it requires credentials.

Built on the standard library's ``ThreadingTCPServer``: one thread per connection, so a long poll holds
its own thread and never blocks other calls. Requests are read by :mod:`~simpleflow.localswf.http_request`
(the head split once from what the socket holds, with limits and a deadline), and an answer leaves in one
write.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Protocol

from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.answers import json_answerer
from simpleflow.localswf.auth import Credentials, SignatureVerifier
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.http_request import HTTPRequest, RequestReader, RequestRefused
from simpleflow.localswf.poll_watch import ClosedPollWatcher
from simpleflow.localswf.region import DEFAULT_REGION, region_from_authorization
from simpleflow.localswf.validation import MAX_REQUEST_BYTES, check_request_size, unknown_operation
from simpleflow.observability.service_metrics import record_request, watch_service

logger = logging.getLogger(__name__)

TARGET_PREFIX = "SimpleWorkflowService."
CONTENT_TYPE = "application/x-amz-json-1.0"
# A body over the limit is still read (and dropped) up to this size, so that the client, which is
# still sending, receives the error document instead of a reset connection.
_DRAIN_LIMIT = 16 * MAX_REQUEST_BYTES
#: How long a client has, from the first byte of a request, to send all of it (a stalled or byte-a-time
#: client would otherwise hold a thread forever).
REQUEST_TIMEOUT = 30.0
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_POLL_OPERATIONS = frozenset({"PollForDecisionTask", "PollForActivityTask"})


class SWFRequestHandler(Protocol):
    """What the transport needs from the service: :meth:`SWFService.handle`."""

    def handle(
        self, operation: str, params: dict[str, Any], *, region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        """Run one SWF operation on its JSON input, addressed to ``region``; raise :class:`SWFFault`.

        A service that also has ``handle_json`` (the answer's JSON body, as ``SWFService`` gives it with
        its events spliced in) is called through that instead.
        """
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
    (``simpleflow localswf.start``). ``credentials``: the access key and secret every request must be
    signed with (None: requests are not checked). A non-loopback ``host`` is refused unless
    ``allow_remote=True`` and credentials are given. ``request_timeout``: the seconds a client has,
    from the first byte of a request, to send all of it (then 408 and the connection is closed).
    """

    def __init__(
        self,
        service: SWFRequestHandler,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote: bool = False,
        request_timeout: float = REQUEST_TIMEOUT,
        credentials: Credentials | None = None,
    ) -> None:
        if not is_loopback(host) and (not allow_remote or credentials is None):
            raise ConfigurationError(
                f"refusing to serve SWF on {host!r}: without credentials anyone who reaches the port is let "
                "in, so the embedded service binds to loopback only; pass allow_remote=True and credentials "
                "(--allow-remote --credentials ACCESS_KEY:SECRET) to bind elsewhere"
            )
        self.service = service
        watch_service(service)
        server_class = _IPv6Server if ":" in host else _Server
        self._server = server_class((host, port), _SWFConnection)
        self._server.answer = json_answerer(service)
        self._server.request_timeout = request_timeout
        self._server.verifier = None if credentials is None else SignatureVerifier(credentials)
        # A service that can withdraw a waiting poll (SWFService can) has its dead pollers withdrawn.
        withdraw_polls = getattr(service, "withdraw_polls", None)
        self._server.poll_watcher = None if withdraw_polls is None else ClosedPollWatcher(withdraw_polls)
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
        if self._server.poll_watcher is not None:
            self._server.poll_watcher.stop()

    def __enter__(self) -> LocalSWFServer:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True  # a restarted service gets its port back at once
    # Pollers and workers hold connections open; the default backlog of 5 drops bursts of them.
    request_queue_size = 128
    answer: Callable[..., bytes]
    request_timeout: float
    poll_watcher: ClosedPollWatcher | None
    verifier: SignatureVerifier | None

    def __init__(self, address: tuple[str, int], handler: type[socketserver.BaseRequestHandler]) -> None:
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


# json.loads builds a new decoder on every call given options; this one is built once (it holds no
# per-call state, so threads share it).
_REQUEST_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


class _SWFConnection(socketserver.BaseRequestHandler):
    """Serves the requests of one connection, one after the other, until either side closes it."""

    server: _Server
    request: socket.socket

    def handle(self) -> None:
        sock = self.request
        # Small answers must not wait for a delayed ACK of the previous segment.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)  # idle between requests for as long as the client likes, whatever the default
        reader = RequestReader(
            sock,
            request_timeout=self.server.request_timeout,
            max_body=MAX_REQUEST_BYTES,
            drain_limit=_DRAIN_LIMIT,
        )
        client = self.client_address[0] if isinstance(self.client_address, tuple) else "-"
        while True:
            try:
                request = reader.read()
            except RequestRefused as refused:
                logger.debug("%s: request refused (%d): %s", client, refused.status, refused.message)
                self._respond(refused.status, _refusal_body(refused), close=True)
                return
            except (ConnectionResetError, BrokenPipeError):
                return  # the client left between or during requests: nobody to answer
            if request is None:
                return
            if request.method == "POST":
                status, body, close = self._answer(request, client)
            elif request.method == "GET":
                # A health check for scripts waiting for the server (SWF itself has no GET operations).
                status, body, close = 200, b'{"status":"ok"}', False
            else:
                unsupported = RequestRefused(501, f"Unsupported method {request.method[:20]!r}")
                status, body, close = 501, _refusal_body(unsupported), True
            close = close or not request.keep_alive
            if not self._respond(status, body, close=close) or close:
                return

    def _answer(self, request: HTTPRequest, client: str) -> tuple[int, bytes, bool]:
        """The status and body of an SWF call, and whether the connection must close after it."""
        started = time.perf_counter()
        operation = request.headers.get("x-amz-target", "")
        close = False
        try:
            if request.body is None:
                close = request.content_length > _DRAIN_LIMIT  # its body is still unread
                check_request_size(request.content_length)
            verifier = self.server.verifier
            if verifier is not None:
                verifier.verify(
                    method=request.method,
                    path=request.path,
                    headers=request.headers,
                    body=request.body or b"",
                )
            params = _parse_params(request.body or b"")
            operation = _operation(request.headers.get("x-amz-target", ""))
            region = region_from_authorization(request.headers.get("authorization"))
            watcher = self.server.poll_watcher
            if watcher is None or operation not in _POLL_OPERATIONS:
                status, body = 200, self.server.answer(operation, params, region=region)
            else:
                withdrawn = watcher.watch(self.request)
                try:
                    status, body = (
                        200,
                        self.server.answer(operation, params, region=region, withdrawn=withdrawn),
                    )
                finally:
                    watcher.unwatch(self.request)
        except SWFFault as fault:
            status, body = fault.status, json.dumps(fault.to_body()).encode()
        except Exception:
            # A bug, not a client error: keep the traceback, answer as AWS does for its own failures.
            logger.exception("localswf: %s raised an unexpected error", operation or "request")
            failure = SWFFault("InternalFailure", "the service failed to process the request", status=500)
            status, body = 500, json.dumps(failure.to_body()).encode()
        record_request(operation, status, time.perf_counter() - started)
        # Logged before answering, so that a client which got its answer also finds the line.
        logger.debug(
            "%s %s -> %d (%d bytes) in %.1f ms",
            client,
            operation or "-",
            status,
            len(body),
            (time.perf_counter() - started) * 1000,
        )
        return status, body, close

    def _respond(self, status: int, body: bytes, *, close: bool) -> bool:
        """Write one answer; False when the client is gone.

        Status line, headers and body leave in one write: one segment for small answers, so the
        client wakes once instead of reading the headers and then waiting for the body.
        """
        reason = _REASONS.get(status, "")
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"Content-Type: {CONTENT_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
        )
        if close:
            head += "Connection: close\r\n"
        try:
            self.request.sendall(head.encode("latin-1") + b"\r\n" + body)
        except OSError:
            # The client left (read timeout, or the server is stopping and shut the socket): nobody
            # is there to read the answer, and this is no error of the service.
            logger.debug("%s left before its answer was written", self.client_address[0])
            return False
        return True


def _refusal_body(refused: RequestRefused) -> bytes:
    """The error document of a request that could not be read as HTTP (botocore reads its message)."""
    return json.dumps({"__type": "BadRequest", "message": refused.message}).encode()


def _parse_params(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request body (an empty body is ``{}``), or SWF's SerializationException."""
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


def _operation(target: str) -> str:
    if not target.startswith(TARGET_PREFIX):
        raise unknown_operation(target)
    return target[len(TARGET_PREFIX) :]
