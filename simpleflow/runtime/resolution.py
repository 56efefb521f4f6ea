"""What a submission's arguments resolve to, and whether two inputs describe the same call (no I/O)."""

from __future__ import annotations

import hashlib
from typing import Any

from simpleflow import payload
from simpleflow.exceptions import PayloadNotJSON
from simpleflow.futures import Future

__all__ = ["resolve_arguments", "same_input"]

# Values that hold no future: a replay resolves every argument of every submitted task.
_PLAIN_TYPES = frozenset({int, float, str, bool, bytes, type(None)})


def resolve_arguments(value: Any) -> tuple[Any, Future | None]:
    """``value`` with the futures it holds (in lists, tuples and dicts too) replaced by their results.

    Returns ``(resolved, None)``, or ``(None, blocker)`` where ``blocker`` is the first future that is
    not done or did not succeed.
    """
    if type(value) in _PLAIN_TYPES:  # the common leaves, before the isinstance chain
        return value, None
    if isinstance(value, Future):
        if not value._is_done() or value._exception is not None:
            return None, value
        return value.result, None
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            resolved, blocker = resolve_arguments(item)
            if blocker is not None:
                return None, blocker
            items.append(resolved)
        return type(value)(items), None
    if isinstance(value, dict):
        mapping = {}
        for key, item in value.items():
            resolved, blocker = resolve_arguments(item)
            if blocker is not None:
                return None, blocker
            mapping[key] = resolved
        return mapping, None
    return value, None


def same_input(recorded: str | None, produced: str | None, *, store: payload.PayloadStore | None) -> bool:
    """Whether a recorded input and a produced one describe the same call.

    Equal texts are; an out-of-band reference is compared by the digest of the produced text (its store
    URL is irrelevant); otherwise both are decoded (the reference fetched through ``store``) and compared
    as values, without the attempt number (:data:`simpleflow.payload.ATTEMPT_KEY`), so that another
    encoder's spacing or key order, or a retry's attempt key, is not taken for a different call.
    """
    if recorded == produced:
        return True
    if recorded is None or produced is None:
        return False
    if payload.is_reference(recorded):
        reference = payload.PayloadReference.parse(recorded)
        if reference.digest == hashlib.sha256(produced.encode("utf-8")).hexdigest():
            return True
    try:
        recorded_value = payload.decode(recorded, field="recorded input", store=store)
        produced_value = payload.decode(produced, field="produced input")
    except PayloadNotJSON:
        return False
    return bool(payload.without_attempt(recorded_value) == payload.without_attempt(produced_value))
