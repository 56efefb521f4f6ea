"""The JSON bodies of the service's answers, with history events spliced in as they are stored.

Every event is stored as compact JSON (``events.attrs``) when it is appended, and a history page or
decision task sends back events written long before. Decoding each one with ``json.loads`` only to encode
it again for the answer was most of the cost of those calls; instead, a page's events are
:class:`EncodedEvents` (each one's JSON text, built around the stored attributes) and
:func:`encode_answer` splices them into the body verbatim. Python callers of ``SWFService.handle`` get
plain dicts through :func:`decode_answer`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# Built once: json.dumps with options builds a new encoder on every call (stateless, so shared).
_ANSWER_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


class EncodedEvents(list[str]):
    """A page of ``HistoryEvent`` objects, each already the JSON text of one event."""


def encode_answer(result: dict[str, Any]) -> bytes:
    """The JSON body of an operation's result, its ``events`` (when :class:`EncodedEvents`) spliced in."""
    events = result.get("events")
    if not isinstance(events, EncodedEvents):
        return _ANSWER_ENCODER.encode(result).encode()
    others = _ANSWER_ENCODER.encode({key: value for key, value in result.items() if key != "events"})
    separator = "," if len(others) > 2 else ""
    return f'{others[:-1]}{separator}"events":[{",".join(events)}]}}'.encode()


def decode_answer(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with its :class:`EncodedEvents` decoded into dicts, for callers in Python."""
    events = result.get("events")
    if isinstance(events, EncodedEvents):
        result["events"] = [json.loads(event) for event in events]
    return result


def json_answerer(service: Any) -> Callable[..., bytes]:
    """How a transport gets an answer's body from ``service``: its ``handle_json`` when it has one (as
    ``SWFService`` does), else its ``handle`` result encoded (wrappers and test doubles need only that).

    The answerer is called ``(operation, params, region=...)``, the request's region.
    """
    handle_json: Callable[..., bytes] | None = getattr(service, "handle_json", None)
    if handle_json is not None:
        return handle_json
    return lambda operation, params, **options: encode_answer(service.handle(operation, params, **options))
