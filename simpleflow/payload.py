"""How values travel through SWF: the JSON codec, input forms, SWF's field limits and out-of-band references.

Everything SWF carries (workflow and activity input and result, control, details, signal input, marker
details, failure reason and details, heartbeat details) is a string field with a size limit. This module
turns Python values into those strings and back, and is pure: it does no I/O. When a field is over its
limit, :func:`fit` hands the text to a :class:`PayloadStore` (see :mod:`simpleflow.storage`) and returns a
short :class:`PayloadReference` text instead; :func:`decode` (or :func:`resolve`) fetches, verifies and
decodes it, so user code never sees a reference.

The encoder is JSON with a documented extension for the common types JSON lacks:

=========================  ======================================================================
Python value               JSON text
=========================  ======================================================================
``datetime``, ``date``,    ISO 8601 string (``datetime.isoformat()``), timezone kept when present
``time``
``Decimal``                string (``"1.10"``), so no precision is lost
``UUID``                   string
``set``, ``frozenset``     list, sorted (by JSON text when the items do not order)
``bytes``, ``bytearray``   base64 string (standard alphabet, padded)
tuple                      list (JSON's own rule)
anything else              :class:`~simpleflow.exceptions.PayloadNotJSON` naming the field
=========================  ======================================================================

NaN and infinities are refused: they are not JSON and other SWF clients could not read them.

Text that is not JSON and starts with ``simpleflow+`` is tagged: either an out-of-band reference
(``simpleflow+payload:...``, or simpleflow 0.x's jumbo field ``simpleflow+s3://bucket/key size``, see
:class:`JumboReference`) or a value written by a non-default serializer (``simpleflow+zlib-json:...``,
see :mod:`simpleflow.serializer`). No JSON value starts with ``s``, so a tag can never be mistaken for
a user's value, nor a user's value for a tag.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from simpleflow.exceptions import (
    PayloadDigestMismatch,
    PayloadError,
    PayloadNotJSON,
    PayloadStoreMissing,
    PayloadTooLarge,
)
from simpleflow.serializer import (
    TAG_PREFIX,
    JSONSerializer,
    Serializer,
    decode_tagged,
    dumps_json,
    get_serializer,
)

__all__ = [
    "ATTEMPT_KEY",
    "FIELD_LIMITS",
    "HEARTBEAT_FAILURE_KEY",
    "HEARTBEAT_IN_FAILURE_LIMIT",
    "HEARTBEAT_KEY",
    "JUMBO_FIELDS_MAX_SIZE",
    "JUMBO_PREFIX",
    "REFERENCE_SCHEME",
    "STORE_HINT",
    "TRACE_KEY",
    "JumboReference",
    "PayloadReference",
    "PayloadStore",
    "decode",
    "decode_failure",
    "encode",
    "encode_failure",
    "encode_field",
    "encode_input",
    "fit",
    "input_attempt",
    "input_heartbeat_details",
    "input_trace",
    "is_jumbo_reference",
    "is_reference",
    "parse_input",
    "resolve",
    "verify",
    "with_trace",
    "without_attempt",
]

#: SWF's maximum length, in characters, of each kind of string field.
FIELD_LIMITS: Mapping[str, int] = {
    "input": 32768,
    "result": 32768,
    "control": 32768,
    "details": 32768,
    "marker_details": 32768,
    "signal_input": 32768,
    "reason": 256,
    "heartbeat_details": 2048,
}

#: What an over-limit error tells the user to change.
STORE_HINT = (
    "configure an out-of-band payload store with SIMPLEFLOW_PAYLOAD_STORE "
    "(file:///path or s3://bucket/prefix) so that large fields travel by reference"
)

#: The URI scheme of out-of-band references: ``simpleflow+payload:sha256:<hex>:<size>:<store-url>``.
REFERENCE_SCHEME = "simpleflow+payload"
_REFERENCE_PREFIX = REFERENCE_SCHEME + ":"
_DIGEST_ALGORITHM = "sha256"

#: How simpleflow 0.x's jumbo field references start: ``simpleflow+s3://<bucket>/<key> <size>``.
JUMBO_PREFIX = "simpleflow+s3://"
#: The largest field simpleflow 0.x puts in a jumbo field, in characters (5 MiB).
JUMBO_FIELDS_MAX_SIZE = 5 * 1024 * 1024

_TRACEBACK_TRIMMED = "...(traceback trimmed to fit SWF's details limit)\n"
_ELLIPSIS = "..."


# -- the codec ------------------------------------------------------------------------------------------


def encode(value: Any, *, field: str = "value", serializer: Serializer | str | None = None) -> str:
    """Encode ``value`` to the text SWF carries: compact JSON by default (see the module's table).

    ``serializer`` (an instance or a registered name such as ``"zlib-json"``) picks another encoding;
    its output is tagged so that :func:`decode` recognises it without being told. Raises
    :class:`PayloadNotJSON` naming ``field`` when the value cannot be encoded.
    """
    chosen = get_serializer(serializer) if serializer is not None else None
    if chosen is None or isinstance(chosen, JSONSerializer):
        return dumps_json(value, field=field)
    return chosen.dumps(value, field=field)


def decode(text: str | None, *, field: str = "value", store: PayloadStore | None = None) -> Any:
    """Decode a field's text back to a value: ``None`` or ``""`` give ``None``.

    Out-of-band references are fetched from ``store`` and verified (see :func:`resolve`); tagged
    serializer output is decoded by its serializer. Raises :class:`PayloadNotJSON` naming ``field`` when
    the text is not JSON, and :class:`PayloadError` when it is a reference no store can resolve.
    """
    if text is None or text == "":
        return None
    if is_reference(text) or is_jumbo_reference(text):
        text = resolve(text, store=store, field=field)
    if text.startswith(TAG_PREFIX):
        return decode_tagged(text, field=field)
    return JSONSerializer().loads(text, field=field)


def encode_field(
    kind: str,
    value: Any,
    *,
    store: PayloadStore | None = None,
    serializer: Serializer | str | None = None,
    field: str | None = None,
) -> str:
    """:func:`encode` then :func:`fit`: the text to put in an SWF field of ``kind``, or its reference.

    This is what deciders and workers call for every field they send (``kind`` is a key of
    :data:`FIELD_LIMITS`; ``field`` names it in errors, e.g. ``"result of activity-x-1"``).
    """
    name = field or kind
    return fit(kind, encode(value, field=name, serializer=serializer), store=store, field=name)


# -- input forms ------------------------------------------------------------------------------------------

#: The reserved key of an activity input that carries the attempt number to the worker.
#:
#: Retries reuse the activity id, and SWF's activity task carries neither the scheduling decision's
#: ``control`` nor a retry count, so the decider writes the attempt (2 for the first retry, ...) into the
#: input itself: ``{"args": [...], "kwargs": {...}, "__attempt": 2}``. It is left out on the first attempt,
#: so first attempts keep the plain form (and a fan-out of equal inputs stays one stored payload).
#: :func:`parse_input` ignores it; :func:`input_attempt` reads it.
ATTEMPT_KEY = "__attempt"
#: The reserved key of a call-form input that carries the starter's trace context (W3C ``traceparent``,
#: ...): written by a traced start into the workflow input, and copied from there into each activity's
#: input, so the decider and the workers put their spans in the starter's trace. It comes from the
#: history, so replays give the same input text. :func:`parse_input` ignores it; :func:`input_trace`
#: reads it.
TRACE_KEY = "__trace"
#: The reserved key of an activity input that carries the last heartbeat details of the previous attempts
#: to a retry (see :mod:`simpleflow.runtime.scheduling.heartbeat_resumption`); the worker puts them in the
#: activity context as ``last_heartbeat_details``, never among the function's arguments.
HEARTBEAT_KEY = "__last_heartbeat_details"
#: The key of a failure's details under which simpleflow's worker puts the last heartbeat details it sent
#: (their encoded text), since SWF's ``ActivityTaskFailed`` keeps none; left out over
#: :data:`HEARTBEAT_IN_FAILURE_LIMIT` characters, so the failure's own message is never trimmed for them.
HEARTBEAT_FAILURE_KEY = "heartbeat_details"
HEARTBEAT_IN_FAILURE_LIMIT = 16_384
_CALL_KEYS = frozenset({"args", "kwargs"})


def encode_input(
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    attempt: int | None = None,
    trace: Mapping[str, str] | None = None,
    heartbeat_details: Any = None,
    **options: Any,
) -> str:
    """Encode call arguments as ``{"args": [...], "kwargs": {...}}``, the form every worker understands.

    ``attempt`` above 1 adds :data:`ATTEMPT_KEY`, a ``trace`` :data:`TRACE_KEY`. ``options`` are passed to
    :func:`encode` (``field=``, ``serializer=``).
    """
    options.setdefault("field", "input")
    body: dict[str, Any] = {"args": list(args), "kwargs": dict(kwargs or {})}
    if attempt is not None and attempt > 1:
        body[ATTEMPT_KEY] = attempt
    if trace:
        body[TRACE_KEY] = dict(trace)
    if heartbeat_details is not None:
        body[HEARTBEAT_KEY] = heartbeat_details
    return encode(body, **options)


def _is_call_form(value: Any) -> bool:
    if not isinstance(value, dict) or not value:
        return False
    keys = set(value)
    return bool(keys & _CALL_KEYS) and keys <= _CALL_KEYS | {ATTEMPT_KEY, TRACE_KEY, HEARTBEAT_KEY}


def input_trace(value: Any) -> dict[str, str] | None:
    """The trace context a decoded call-form input carries (:data:`TRACE_KEY`), None when it has none."""
    if _is_call_form(value):
        trace = value.get(TRACE_KEY)
        if isinstance(trace, dict) and all(isinstance(v, str) for v in trace.values()):
            return {str(key): item for key, item in trace.items()}
    return None


def with_trace(value: Any, trace: Mapping[str, str]) -> dict[str, Any]:
    """``value`` (a start's input) in the call form, with ``trace`` under :data:`TRACE_KEY`.

    The call form gives ``run()`` the same arguments as ``value`` does (see :func:`parse_input`).
    """
    args, kwargs = parse_input(value)
    body: dict[str, Any] = {"args": args, "kwargs": kwargs}
    if _is_call_form(value):
        body.update(value)
    body[TRACE_KEY] = dict(trace)
    return body


def input_attempt(value: Any) -> int:
    """The attempt number a decoded activity input carries (:data:`ATTEMPT_KEY`), 1 when it has none."""
    if _is_call_form(value):
        attempt = value.get(ATTEMPT_KEY)
        if isinstance(attempt, int) and not isinstance(attempt, bool) and attempt >= 1:
            return attempt
    return 1


def input_heartbeat_details(value: Any) -> Any:
    """The previous attempts' last heartbeat details a decoded activity input carries, None without."""
    return value.get(HEARTBEAT_KEY) if _is_call_form(value) else None


def without_attempt(value: Any) -> Any:
    """A decoded input without :data:`ATTEMPT_KEY` and :data:`HEARTBEAT_KEY`: the call, whatever the try."""
    if _is_call_form(value) and (ATTEMPT_KEY in value or HEARTBEAT_KEY in value):
        return {key: item for key, item in value.items() if key not in (ATTEMPT_KEY, HEARTBEAT_KEY)}
    return value


def parse_input(value: Any) -> tuple[list[Any], dict[str, Any]]:
    """Turn a decoded input into ``(args, kwargs)``, with the forms the simpleflow CLI accepts.

    A list is the positional arguments; a dict whose keys are only ``args`` and/or ``kwargs`` (plus the
    reserved :data:`ATTEMPT_KEY`, which is dropped) gives those; ``None`` means no arguments; any other
    value (a number, a string, another dict) is the one positional argument.
    """
    if value is None:
        return [], {}
    if isinstance(value, list):
        return list(value), {}
    if _is_call_form(value):
        args = value.get("args") or []
        kwargs = value.get("kwargs") or {}
        if isinstance(args, list) and isinstance(kwargs, dict):
            return list(args), dict(kwargs)
    return [value], {}


# -- limits and out-of-band references -----------------------------------------------------------------


@runtime_checkable
class PayloadStore(Protocol):
    """Where over-limit fields go: bytes in, a reference text out (:mod:`simpleflow.storage` has two).

    ``put`` is content-addressed in the stores simpleflow ships: the same bytes give the same reference
    and are stored once. ``get`` raises :class:`~simpleflow.exceptions.PayloadNotFound` or
    :class:`~simpleflow.exceptions.PayloadStoreUnavailable`; ``delete`` of a missing payload is a no-op.
    A store whose ``get`` already checks the digest may say so with a ``verifies_digests = True``
    attribute; otherwise :func:`resolve` checks it.
    """

    def put(self, data: bytes) -> str:
        """Store ``data`` and return the reference text to carry in SWF instead."""
        ...

    def get(self, reference: str) -> bytes:
        """The bytes a reference names."""
        ...

    def delete(self, reference: str) -> None:
        """Remove the payload a reference names."""
        ...


@dataclass(frozen=True)
class PayloadReference:
    """What SWF carries instead of an over-limit field: ``simpleflow+payload:sha256:<hex>:<size>:<location>``.

    ``digest`` is the sha256 of the stored bytes (hex), ``size`` their length, and ``location`` the URL of
    the store that took them (``file:///...``, ``s3://bucket/prefix``). The text is not JSON, so it cannot
    be confused with a user's value.
    """

    digest: str
    size: int
    location: str

    @classmethod
    def for_data(cls, data: bytes, location: str) -> PayloadReference:
        """The reference of ``data`` once stored at ``location``."""
        return cls(digest=hashlib.sha256(data).hexdigest(), size=len(data), location=location)

    @classmethod
    def parse(cls, text: str) -> PayloadReference:
        """Parse a reference text; raises :class:`PayloadError` when it is not a well-formed one."""
        if not is_reference(text):
            raise PayloadError(f"not a payload reference: {text[:80]!r}")
        parts = text[len(_REFERENCE_PREFIX) :].split(":", 3)
        if len(parts) != 4:
            raise PayloadError(f"malformed payload reference {text!r}: expected sha256:<hex>:<size>:<store>")
        algorithm, digest, size, location = parts
        valid_digest = len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
        if algorithm != _DIGEST_ALGORITHM or not valid_digest or not size.isdigit() or not location:
            raise PayloadError(f"malformed payload reference {text!r}: expected sha256:<hex>:<size>:<store>")
        return cls(digest=digest, size=int(size), location=location)

    @property
    def text(self) -> str:
        """The reference as SWF carries it."""
        return f"{_REFERENCE_PREFIX}{_DIGEST_ALGORITHM}:{self.digest}:{self.size}:{self.location}"

    def __str__(self) -> str:
        return self.text


def is_reference(text: str | None) -> bool:
    """Whether a field's text is an out-of-band reference (simpleflow's own form) rather than a value."""
    return text is not None and text.startswith(_REFERENCE_PREFIX)


def is_jumbo_reference(text: str | None) -> bool:
    """Whether a field's text is a simpleflow 0.x jumbo field reference (:class:`JumboReference`)."""
    return text is not None and text.startswith(JUMBO_PREFIX)


@dataclass(frozen=True)
class JumboReference:
    """simpleflow 0.x's out-of-band reference: ``simpleflow+s3://<bucket>/<key> <size>``.

    The object ``key`` of ``bucket`` holds the field's whole text (UTF-8); ``size`` is its length in
    characters. Unlike :class:`PayloadReference` it carries no digest, so what is fetched is not verified
    (as in simpleflow 0.x). simpleflow writes this form when the store is configured with
    ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET``, so that simpleflow 0.x deciders and workers can read the fields too,
    and reads it whatever the store, so that histories written by simpleflow 0.x replay here.
    """

    bucket: str
    key: str
    size: int

    @classmethod
    def parse(cls, text: str) -> JumboReference:
        """Parse a jumbo reference; raises :class:`PayloadError` when it is not a well-formed one."""
        parts = text[len(JUMBO_PREFIX) :].split() if is_jumbo_reference(text) else []
        location, _, key = parts[0].partition("/") if len(parts) == 2 else ("", "", "")
        if not location or not key or not parts[1].isdigit():
            raise PayloadError(
                f"malformed jumbo field {text[:120]!r}: expected {JUMBO_PREFIX}<bucket>/<key> <size>"
            )
        return cls(bucket=location, key=key, size=int(parts[1]))

    @property
    def text(self) -> str:
        """The reference as SWF carries it."""
        return f"{JUMBO_PREFIX}{self.bucket}/{self.key} {self.size}"

    def __str__(self) -> str:
        return self.text


def fit(kind: str, text: str, *, store: PayloadStore | None = None, field: str | None = None) -> str:
    """Return ``text`` when it fits SWF's limit for ``kind`` (a key of :data:`FIELD_LIMITS`).

    Over the limit, the text goes to ``store`` and its reference is returned instead. Without a store (or
    when even the reference would not fit, as can happen for a 256-character reason) this raises
    :class:`PayloadTooLarge` naming ``field`` (default: ``kind``), the size and the limit, with a hint of
    the setting to change.
    """
    try:
        limit = FIELD_LIMITS[kind]
    except KeyError:
        raise ValueError(f"unknown field kind {kind!r}; expected one of {sorted(FIELD_LIMITS)}") from None
    if len(text) <= limit:
        return text
    name = field or kind
    if store is None:
        raise PayloadTooLarge(name, len(text), limit, hint=STORE_HINT)
    reference = store.put(text.encode("utf-8"))
    if len(reference) > limit:
        raise PayloadTooLarge(
            name,
            len(text),
            limit,
            hint=f"even its out-of-band reference is {len(reference)} characters; use a shorter store URL",
        )
    return reference


def verify(reference: PayloadReference | str, data: bytes) -> None:
    """Check fetched bytes against their reference; raises :class:`PayloadDigestMismatch` if they differ."""
    parsed = reference if isinstance(reference, PayloadReference) else PayloadReference.parse(reference)
    actual = hashlib.sha256(data).hexdigest()
    if actual != parsed.digest or len(data) != parsed.size:
        raise PayloadDigestMismatch(
            parsed.text, f"the store returned {len(data)} bytes with sha256 {actual}, which do not match"
        )


def resolve(text: str, *, store: PayloadStore | None, field: str = "value") -> str:
    """The field text a reference stands for, fetched from ``store`` and verified; other text as is."""
    if is_jumbo_reference(text):
        return _resolve_jumbo(JumboReference.parse(text), store=store, field=field)
    if not is_reference(text):
        return text
    reference = PayloadReference.parse(text)
    if store is None:
        raise PayloadStoreMissing(reference.text, field=field, setting="SIMPLEFLOW_PAYLOAD_STORE")
    data = store.get(reference.text)
    # Stores that check digests themselves (simpleflow's, and the cache) need not be hashed twice per replay.
    if not getattr(store, "verifies_digests", False):
        verify(reference, data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"{field}: payload {reference.text} is not UTF-8 text: {error}") from error


def _resolve_jumbo(reference: JumboReference, *, store: PayloadStore | None, field: str) -> str:
    if store is None:
        raise PayloadStoreMissing(
            reference.text,
            field=f"{field} (a simpleflow 0.x jumbo field)",
            setting="SIMPLEFLOW_JUMBO_FIELDS_BUCKET (or SIMPLEFLOW_PAYLOAD_STORE=s3://bucket/prefix)",
        )
    data = store.get(reference.text)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"{field}: jumbo field {reference.text} is not UTF-8 text: {error}") from error


# -- failures ----------------------------------------------------------------------------------------------


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(_ELLIPSIS)] + _ELLIPSIS


def _qualified_name(exc_type: type) -> str:
    module = exc_type.__module__
    return exc_type.__qualname__ if module == "builtins" else f"{module}.{exc_type.__qualname__}"


def encode_failure(
    exc: BaseException, *, store: PayloadStore | None = None, heartbeat_details: str | None = None
) -> tuple[str, str]:
    """Encode an exception as SWF failure ``(reason, details)``, both within SWF's limits.

    ``reason`` is ``"ExcType: message"`` cut to 256 characters (the whole message is in the details).
    ``details`` is the JSON object ``{"error": "<module.QualName>", "message": str(exc), "traceback":
    "..."}``, plus :data:`HEARTBEAT_FAILURE_KEY` when ``heartbeat_details`` (the encoded text of the last
    heartbeat sent) is given and fits :data:`HEARTBEAT_IN_FAILURE_LIMIT`. When it exceeds 32,768
    characters it goes whole to ``store`` if one is given; otherwise the
    traceback is trimmed first (keeping its end, where the error is), then the message.
    """
    message = str(exc)
    type_name = type(exc).__name__
    reason = _truncate(f"{type_name}: {message}" if message else type_name, FIELD_LIMITS["reason"])
    formatted = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    body = {"error": _qualified_name(type(exc)), "message": message, "traceback": formatted}
    if heartbeat_details is not None and len(heartbeat_details) <= HEARTBEAT_IN_FAILURE_LIMIT:
        body[HEARTBEAT_FAILURE_KEY] = heartbeat_details
    limit = FIELD_LIMITS["details"]
    details = dumps_json(body, field="details")
    if len(details) > limit and store is not None:
        return reason, fit("details", details, store=store)
    # JSON escaping can make the text longer than its characters, so trim by the measured excess (plus a
    # margin) and measure again: the traceback's tail first (the raising frame is last), then the message.
    kept = formatted
    while len(details) > limit:
        over = len(details) - limit + 64
        if kept:
            kept = kept[over:] if over < len(kept) else ""
            body["traceback"] = _TRACEBACK_TRIMMED + kept if kept else ""
        else:
            body["message"] = _truncate(body["message"], max(len(_ELLIPSIS), len(body["message"]) - over))
        details = dumps_json(body, field="details")
    return reason, details


def decode_failure(
    reason: str | None, details: str | None, *, store: PayloadStore | None = None
) -> tuple[str | None, Any]:
    """Decode SWF failure ``(reason, details)``: references resolved, details decoded from JSON.

    Failures written by other SWF clients may carry details that are not JSON; those come back as the
    raw text rather than raising, so that a failure is always reportable.
    """
    if reason is not None and (is_reference(reason) or is_jumbo_reference(reason)):
        reason = resolve(reason, store=store, field="reason")
    try:
        decoded = decode(details, field="details", store=store)
    except PayloadNotJSON:
        decoded = details
    return reason, decoded
