"""Serving the console: the standard library's WSGI server, one thread per request.

The console's pages are a handful of SWF calls each and a person is the only client, so the standard
library's server is enough and adds no dependency; threads let a slow SWF call on one tab not hold up
another tab's refresh.
"""

from __future__ import annotations

import logging
import socketserver
import threading
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from simpleflow.console.app import ConsoleApp
from simpleflow.console.security import Guard
from simpleflow.exceptions import ConfigurationError
from simpleflow.payload import PayloadStore
from simpleflow.swf.client import SWFClient

logger = logging.getLogger(__name__)
DEFAULT_PORT = 8233


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # A restarted console binds its port again at once instead of waiting out TIME_WAIT.
    allow_reuse_address = True


def _unmounted(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("console: " + format, *args)


class ConsoleServer:
    """The console's HTTP server over ``client``; the socket is bound as soon as the object exists.

    ``port=0`` picks a free port. A non-loopback ``host`` needs ``allow_remote``, and then an access
    token (``token``, or one generated here): see :class:`~simpleflow.console.security.Guard`.
    """

    def __init__(
        self,
        client: SWFClient,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        allow_remote: bool = False,
        token: str | None = None,
        read_only: bool = False,
        default_domain: str | None = None,
        store: PayloadStore | None = None,
        endpoint_label: str = "Amazon SWF",
    ) -> None:
        # Checked before binding: a refused host must not even open a socket.
        Guard.for_binding(host, port, allow_remote=allow_remote, token=token or "x" * 16, read_only=read_only)
        try:
            self._server = make_server(
                host, port, _unmounted, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
            )
        except OSError as error:
            raise ConfigurationError(
                f"cannot bind the console to {host}:{port}: {error.strerror or error}"
            ) from error
        # The guard checks the Host header against the port really bound, known only now.
        guard = Guard.for_binding(
            host, self.port, allow_remote=allow_remote, token=token, read_only=read_only
        )
        try:
            self.app = ConsoleApp(
                client, guard, default_domain=default_domain, store=store, endpoint_label=endpoint_label
            )
        except BaseException:
            self._server.server_close()
            raise
        self._server.set_app(self.app)
        self.host = host
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        self._stop_lock = threading.Lock()
        self._closed = False

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The console's address (with the access token when there is one)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        token = self.app.guard.access_token
        return f"http://{host}:{self.port}/" + (f"?token={token}" if token else "")

    def serve_forever(self) -> None:
        """Serve from the calling thread until :meth:`stop` (from another thread)."""
        self._serving.set()
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._serving.clear()

    def start(self) -> ConsoleServer:
        """Serve from a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="simpleflow-console", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (waiting for the serving loop to end) and close the socket; safe to repeat."""
        with self._stop_lock:
            if self._serving.is_set():
                self._server.shutdown()
            if self._thread is not None:
                self._thread.join(timeout=10)
                self._thread = None
            if not self._closed:
                self._server.server_close()
                self._closed = True

    def __enter__(self) -> ConsoleServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
