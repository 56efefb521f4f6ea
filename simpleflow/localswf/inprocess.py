"""The in-process transport: a boto3 ``swf`` client talks to an ``SWFService`` with no socket.

``attach(client, service)`` registers a botocore ``before-send`` handler. botocore still builds,
validates and serializes the request, and parses the answer (and its errors) as it would from AWS; the
handler only replaces the network: it reads ``X-Amz-Target`` and the JSON body, calls
``service.handle_json`` (``handle`` for a service without it), and returns an ``AWSResponse`` holding the
JSON 1.0 result or fault.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, Protocol

from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse

from simpleflow.localswf.answers import json_answerer
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.region import DEFAULT_REGION
from simpleflow.localswf.validation import check_request_size

logger = logging.getLogger(__name__)

TARGET_PREFIX = "SimpleWorkflowService."
CONTENT_TYPE = "application/x-amz-json-1.0"


class SWFHandler(Protocol):
    """What the transport needs from the service."""

    def handle(
        self, operation: str, params: dict[str, Any], *, region: str = DEFAULT_REGION
    ) -> dict[str, Any]: ...


class _Body:
    """The ``raw`` of an ``AWSResponse``: botocore reads it through ``stream()``."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.data


def answer(
    service: SWFHandler, *, target: str, body: bytes | str | None, region: str = DEFAULT_REGION
) -> tuple[int, bytes]:
    """Run one JSON 1.0 request, addressed to ``region``, against the service: the HTTP status and body."""
    try:
        raw = body.encode() if isinstance(body, str) else (body or b"")
        check_request_size(len(raw))
        params = json.loads(raw) if raw.strip() else {}
        if not isinstance(params, dict):
            raise SWFFault("SerializationException", "the request body must be a JSON object")
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else target
        return 200, json_answerer(service)(operation, params, region=region)
    except SWFFault as fault:
        return fault.status, json.dumps(fault.to_body()).encode()
    except ValueError as error:
        bad_json = SWFFault("SerializationException", f"the request body is not valid JSON: {error}")
        return bad_json.status, json.dumps(bad_json.to_body()).encode()
    except Exception:
        logger.exception("localswf: %s raised an unexpected error", target)
        failure = SWFFault("InternalFailure", "the service failed to process the request", status=500)
        return failure.status, json.dumps(failure.to_body()).encode()


def attach(client: Any, service: SWFHandler) -> Any:
    """Route every request of a boto3 ``swf`` client to ``service`` in process; returns the client.

    Requests are left unsigned (the service does not check signatures), so no credentials are needed.
    """

    def send(request: Any, **kwargs: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        # Unsigned, so no credential scope to read: the client's own region is the request's.
        status, body = answer(service, target=target, body=request.body, region=client.meta.region_name)
        headers = {"Content-Type": CONTENT_TYPE, "Content-Length": str(len(body))}
        return AWSResponse(request.url, status, headers, _Body(body))

    def unsigned(**kwargs: Any) -> Any:
        return UNSIGNED

    client.meta.events.register("choose-signer.swf", unsigned)
    client.meta.events.register("before-send.swf", send)
    return client
