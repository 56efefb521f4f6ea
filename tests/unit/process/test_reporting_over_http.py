"""Answers reach an endpoint that answers 5xx or throttles for a while, through botocore's real parser.

A loopback HTTP server stands for SWF having a bad moment: it answers the first requests with a 503
(no body), a 500 with SWF's ``InternalFailure`` or a ``ThrottlingException``, then accepts. The worker's
answer goes through :class:`ActivityWorker`, botocore and simpleflow's error translation, as in a worker.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from simpleflow.process.reporting import Delivery, Reporter
from simpleflow.swf.actors import ActivityWorker
from simpleflow.swf.client import make_client

UNAVAILABLE = (503, b"")
INTERNAL = (500, json.dumps({"__type": "InternalFailure", "message": "oops"}).encode())
THROTTLED = (400, json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode())
UNKNOWN_TOKEN = (400, json.dumps({"__type": "UnknownResourceFault", "message": "Unknown token"}).encode())
ACCEPTED = (200, b"{}")


class ScriptedSWF(http.server.ThreadingHTTPServer):
    """Answers each POST with the next scripted (status, body), then with ``ACCEPTED``."""

    def __init__(self, script: list[tuple[int, bytes]]) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script = list(script)
        self.targets: list[str] = []
        self.lock = threading.Lock()

    def next_answer(self, target: str) -> tuple[int, bytes]:
        with self.lock:
            self.targets.append(target)
            return self.script.pop(0) if self.script else ACCEPTED


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    server: ScriptedSWF

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, body = self.server.next_answer(self.headers.get("X-Amz-Target", ""))
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def swf() -> Iterator[ScriptedSWF]:
    server = ScriptedSWF([])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    ("script", "delivery"),
    [
        ([UNAVAILABLE, UNAVAILABLE], Delivery.ACKNOWLEDGED),
        ([INTERNAL], Delivery.ACKNOWLEDGED),
        ([THROTTLED, THROTTLED, THROTTLED], Delivery.ACKNOWLEDGED),
        ([UNAVAILABLE, UNKNOWN_TOKEN], Delivery.TOKEN_DEAD),
    ],
    ids=["503", "internal-failure", "throttled-past-retries", "token-died-meanwhile"],
)
def test_a_result_is_reported_once_the_endpoint_accepts_it(
    swf: ScriptedSWF, script: list[tuple[int, bytes]], delivery: Delivery
) -> None:
    swf.script = list(script)
    client = make_client(endpoint_url=f"http://127.0.0.1:{swf.server_address[1]}", max_attempts=1)
    worker = ActivityWorker(client, "domain", task_list="list")
    reporter = Reporter(backoff=(0.001, 0.002))
    assert reporter.deliver(lambda: worker.complete("token", result='"done"'), label="the result") is delivery
    # Every scripted refusal was met (nothing given up early), then the acceptance, if scripted.
    calls = len(script) + (1 if delivery is Delivery.ACKNOWLEDGED else 0)
    assert swf.targets == ["SimpleWorkflowService.RespondActivityTaskCompleted"] * calls
