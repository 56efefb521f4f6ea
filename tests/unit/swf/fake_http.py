"""Answer a boto3 client's requests in process with canned JSON bodies, and record what it sends."""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse


class FakeRaw:
    """The smallest urllib3-like body botocore reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        yield self._body


def answer_with(client: Any, responses: list[tuple[int, dict[str, Any]]]) -> list[Any]:
    """Answer the client's next requests with ``responses`` (the last one repeats); returns the requests."""
    seen: list[Any] = []

    def send(request: Any, **kwargs: Any) -> AWSResponse:
        seen.append(request)
        status, body = responses[min(len(seen), len(responses)) - 1]
        raw = FakeRaw(json.dumps(body).encode())
        return AWSResponse(request.url, status, {"content-type": "application/x-amz-json-1.0"}, raw)

    client.meta.events.register("before-send.swf", send)
    return seen


def capture_params(client: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(operation, params)`` of every call the client makes from now on."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        sent.append((model.name, dict(params)))

    client.meta.events.register("provide-client-params.swf", record)
    return sent
