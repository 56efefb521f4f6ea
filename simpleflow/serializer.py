"""Serializers: how a value becomes the text of an SWF field, JSON by default.

An activity or a workflow may choose another serializer with its ``serializer`` attribute (a
:class:`Serializer` or a registered name). Non-default serializers tag their output with
``simpleflow+<name>:`` so that any decider or worker decodes it without being told which one was used;
plain JSON carries no tag, so other SWF clients read simpleflow's default output as is.

Shipped serializers:

- ``"json"`` (:class:`JSONSerializer`, the default): compact JSON with the encoder documented in
  :mod:`simpleflow.payload`.
- ``"zlib-json"`` (:class:`ZlibJSONSerializer`): the same JSON, zlib-compressed and base64-encoded. Worth it
  for large, repetitive values (lists of URLs, reports): fewer fields go out of band.

.. warning::
   simpleflow never ships nor defaults to pickle. A pickle serializer registered with
   :func:`register_serializer` lets anyone who can write to your SWF history (or payload store) run code
   in your deciders and workers, because unpickling executes data. Use JSON-based serializers.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import uuid
import zlib
from typing import Any, Protocol, runtime_checkable

from simpleflow.exceptions import PayloadNotJSON

__all__ = [
    "TAG_PREFIX",
    "JSONSerializer",
    "Serializer",
    "ZlibJSONSerializer",
    "decode_tagged",
    "dumps_json",
    "get_serializer",
    "register_serializer",
]

#: Every tagged text starts with this; no JSON text can (JSON never starts with ``s``).
TAG_PREFIX = "simpleflow+"
# The out-of-band reference tag lives in simpleflow.payload; no serializer may take its name.
_RESERVED_NAMES = frozenset({"payload"})


@runtime_checkable
class Serializer(Protocol):
    """Turns a value into field text and back. ``name`` is its registry name and its tag."""

    name: str

    def dumps(self, value: Any, *, field: str) -> str:
        """The field text for ``value``; raise PayloadNotJSON (naming ``field``) when it cannot."""
        ...

    def loads(self, text: str, *, field: str) -> Any:
        """The value ``text`` encodes; raise PayloadNotJSON (naming ``field``) when it cannot."""
        ...


def _encode_extra(value: Any) -> Any:
    """The JSON stand-in for the types the module docstring of simpleflow.payload documents."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        try:
            return sorted(value)
        except TypeError:
            # Mixed or unorderable items: order them by their JSON text, which is total and stable.
            return sorted(value, key=lambda item: json.dumps(item, default=_encode_extra, sort_keys=True))
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"values of type {type(value).__module__}.{type(value).__qualname__} are not JSON")


# One encoder for every call: ``json.dumps`` with any non-default option builds a new JSONEncoder each
# time, which was most of the cost of encoding a small activity input (a replay encodes one per submit).
_ENCODER = json.JSONEncoder(default=_encode_extra, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps_json(value: Any, *, field: str = "value") -> str:
    """Compact JSON for ``value`` with the documented encoder; PayloadNotJSON naming ``field`` otherwise."""
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError) as error:
        raise PayloadNotJSON(field, f"cannot encode to JSON: {error}") from error


class JSONSerializer:
    """The default: compact JSON (see :mod:`simpleflow.payload` for the encoder), untagged."""

    name = "json"

    def dumps(self, value: Any, *, field: str) -> str:
        """Compact JSON text."""
        return dumps_json(value, field=field)

    def loads(self, text: str, *, field: str) -> Any:
        """The decoded JSON value."""
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError) as error:
            preview = text if len(text) <= 60 else text[:57] + "..."
            raise PayloadNotJSON(field, f"not valid JSON ({error}): {preview!r}") from error


class ZlibJSONSerializer:
    """JSON, zlib-compressed then base64-encoded, tagged ``simpleflow+zlib-json:``."""

    name = "zlib-json"

    def __init__(self, *, level: int = 6) -> None:
        self.level = level

    def dumps(self, value: Any, *, field: str) -> str:
        """Tagged, compressed JSON text."""
        raw = dumps_json(value, field=field).encode("utf-8")
        packed = base64.b64encode(zlib.compress(raw, self.level)).decode("ascii")
        return f"{TAG_PREFIX}{self.name}:{packed}"

    def loads(self, text: str, *, field: str) -> Any:
        """The value of a tagged, compressed JSON text (the tag is optional here)."""
        prefix = f"{TAG_PREFIX}{self.name}:"
        packed = text[len(prefix) :] if text.startswith(prefix) else text
        try:
            raw = zlib.decompress(base64.b64decode(packed, validate=True))
        except (binascii.Error, zlib.error, ValueError) as error:
            raise PayloadNotJSON(field, f"corrupt {self.name} payload: {error}") from error
        return JSONSerializer().loads(raw.decode("utf-8"), field=field)


_registry: dict[str, Serializer] = {}


def register_serializer(serializer: Serializer) -> None:
    """Make a serializer available by name and let :func:`decode_tagged` recognise its tag.

    Every process that decodes the fields (deciders and workers) must register it too. Never register a
    pickle-based serializer: see the warning in this module's docstring.
    """
    name = serializer.name
    valid = bool(name) and all(c.isalnum() or c in "-_." for c in name)
    if not valid or name in _RESERVED_NAMES:
        raise ValueError(f"invalid serializer name {name!r}: letters, digits, '-', '_', '.' and not reserved")
    _registry[name] = serializer


def get_serializer(serializer: Serializer | str) -> Serializer:
    """The serializer given, or the one registered under that name (ValueError for an unknown name)."""
    if not isinstance(serializer, str):
        return serializer
    try:
        return _registry[serializer]
    except KeyError:
        raise ValueError(f"unknown serializer {serializer!r}; registered: {sorted(_registry)}") from None


def decode_tagged(text: str, *, field: str) -> Any:
    """Decode ``simpleflow+<name>:...`` text with the serializer registered as ``name``."""
    name = text[len(TAG_PREFIX) :].split(":", 1)[0]
    serializer = _registry.get(name)
    if serializer is None:
        raise PayloadNotJSON(
            field, f"encoded with serializer {name!r}, which is not registered in this process"
        )
    return serializer.loads(text, field=field)


register_serializer(JSONSerializer())
register_serializer(ZlibJSONSerializer())
