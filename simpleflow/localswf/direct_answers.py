"""Read the embedded service's JSON 1.0 answers exactly as botocore's ``JSONParser`` does, but faster.

botocore walks every answer generically, dispatching on each shape's type by name. Here each shape gets a
reader compiled once from the model, doing the same things in the same order:

- a structure keeps the members its shape names, in the model's order, and drops those that are null;
- a list keeps its nulls and reads its other items;
- a timestamp becomes ``datetime.fromtimestamp(value, tzlocal())`` (``botocore.utils.parse_timestamp``);
- strings, numbers and booleans pass through as JSON decoded them.

Errors become botocore's error dict: ``Error`` (``Code`` from ``__type``, ``Message``), then
``ResponseMetadata``, then the fields of the modeled fault, which botocore's endpoint adds after parsing.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from typing import Any

from botocore.model import Shape
from botocore.utils import parse_timestamp
from dateutil.tz import tzlocal

Reader = Callable[[Any], Any]

# Reading a timestamp the quick way only where it cannot differ from botocore's: a whole or fractional
# number of seconds within years 1970..2999, far from any platform limit of gmtime/localtime.
_QUICK_TIMESTAMP_TYPES = (int, float)
_QUICK_TIMESTAMP_LIMIT = 32503680000
# Up to this many members, a structure is read member by member, as botocore does; past it, key by key.
_FEW_MEMBERS = 12


def parse_json_body(body: bytes) -> Any:
    """The decoded body, as botocore's ``_parse_body_as_json``: ``{}`` when empty, the text as a message when
    it is not JSON."""
    if not body:
        return {}
    text = body.decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return {"message": text}


def response_metadata(status: int, headers: dict[str, str]) -> dict[str, Any]:
    """``ResponseMetadata`` of a one-attempt botocore client on the in-process transport.

    The parser sets the status and the (lower-cased) headers; there is no ``x-amzn-RequestId`` header, so
    no ``RequestId``. The standard retry handler, at its single attempt, adds ``MaxAttemptsReached``; the
    endpoint adds ``RetryAttempts``.
    """
    return {"HTTPStatusCode": status, "HTTPHeaders": headers, "MaxAttemptsReached": True, "RetryAttempts": 0}


def parse_error(
    status: int, body: bytes, headers: dict[str, str], *, read_modeled: Callable[[str], Reader | None]
) -> dict[str, Any]:
    """botocore's parsed error response (``ClientError.response``) for a JSON 1.0 fault."""
    document = parse_json_body(body)
    error: dict[str, Any] = {"Error": {"Message": "", "Code": ""}, "ResponseMetadata": {}}
    error["Error"]["Message"] = document.get("message", document.get("Message", ""))
    code = document.get("__type", str(status))
    if code is not None:
        if ":" in code:
            code = code.split(":", 1)[0]
        if "#" in code:
            code = code.rsplit("#", 1)[1]
        error["Error"]["Code"] = code
    error["ResponseMetadata"] = response_metadata(status, headers)
    read = read_modeled(code) if code else None
    if read is not None:
        error.update(read(document))
    return error


def has_timestamp(shape: Shape) -> bool:
    """Whether a value of ``shape`` can hold a timestamp anywhere inside it."""
    return _has_timestamp(shape, set())


def _has_timestamp(shape: Shape, seen: set[str]) -> bool:
    if shape.type_name == "timestamp":
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "structure":
        return any(_has_timestamp(member, seen) for member in shape.members.values())
    if shape.type_name == "list":
        return _has_timestamp(shape.member, seen)
    if shape.type_name == "map":
        return _has_timestamp(shape.key, seen) or _has_timestamp(shape.value, seen)
    return False


def compile_reader(shape: Shape) -> Reader:
    """A function reading a decoded JSON value of ``shape`` as botocore's parser would."""
    return _compile(shape, set()) or _pass_through


def _pass_through(value: Any) -> Any:
    return value


def _compile(shape: Shape, compiling: set[str]) -> Reader | None:
    """The reader of ``shape``, or None where botocore passes the value through unchanged."""
    kind = shape.type_name
    if kind == "timestamp":
        return read_timestamp
    if kind in ("structure", "list", "map"):
        if shape.name in compiling:
            # Not in SWF's model; a recursive shape would need readers that refer to themselves.
            raise NotImplementedError(f"recursive shape {shape.name} in the service model")
        compiling = compiling | {shape.name}
    if kind == "structure":
        if shape.is_document_type or shape.is_tagged_union:
            raise NotImplementedError(f"document and union shapes ({shape.name}) are not in SWF's model")
        members = tuple(
            (name, member.serialization.get("name", name), _compile(member, compiling))
            for name, member in shape.members.items()
        )
        return _structure_reader(members)
    if kind == "list":
        return _list_reader(_compile(shape.member, compiling))
    if kind == "map":
        return _map_reader(_compile(shape.key, compiling), _compile(shape.value, compiling))
    if kind == "blob":
        raise NotImplementedError(f"blob shapes ({shape.name}) are not in SWF's model")
    return None


def _structure_reader(members: tuple[tuple[str, str, Reader | None], ...]) -> Reader:
    if len(members) > _FEW_MEMBERS:
        return _wide_structure_reader(members)

    def read_structure(value: Any) -> Any:
        if value is None:
            return None
        parsed = {}
        for name, wire_name, read in members:
            item = value.get(wire_name)
            if item is not None:
                parsed[name] = item if read is None else read(item)
        return parsed

    return read_structure


def _wide_structure_reader(members: tuple[tuple[str, str, Reader | None], ...]) -> Reader:
    """For shapes with many optional members (``HistoryEvent`` has 60, an event sets 4 or 5): walk the value's
    keys, not the model's, then put what was found back in the model's order."""
    by_wire_name = {
        wire_name: (position, name, read) for position, (name, wire_name, read) in enumerate(members)
    }

    def read_wide_structure(value: Any) -> Any:
        if value is None:
            return None
        found = []
        for wire_name, item in value.items():
            member = by_wire_name.get(wire_name)
            if member is not None and item is not None:
                found.append((*member, item))
        found.sort(key=_model_position)
        return {name: item if read is None else read(item) for _, name, read, item in found}

    return read_wide_structure


def _model_position(member: tuple[Any, ...]) -> int:
    position: int = member[0]
    return position


def _list_reader(read_item: Reader | None) -> Reader:
    if read_item is None:

        def read_plain_list(value: Any) -> Any:
            return list(value)

        return read_plain_list

    def read_list(value: Any) -> Any:
        return [None if item is None else read_item(item) for item in value]

    return read_list


def _map_reader(read_key: Reader | None, read_value: Reader | None) -> Reader:
    def read_map(value: Any) -> Any:
        return {
            (key if read_key is None else read_key(key)): (item if read_value is None else read_value(item))
            for key, item in value.items()
        }

    return read_map


class _LocalZone:
    """``tzlocal()`` as botocore builds it, rebuilt only when ``time.tzset()`` changed the zone.

    A ``tzlocal`` holds nothing but what the ``time`` module says at its creation, so one made for the same
    ``time`` settings is the same zone. Where that zone never observes daylight saving, ``tzlocal`` is a
    fixed offset and a timestamp can be read with C arithmetic; elsewhere botocore's own function is used.
    """

    def __init__(self) -> None:
        # One attribute, replaced whole, so that a thread never reads a zone with another zone's offset.
        self.state: tuple[tuple[Any, ...], tzlocal, datetime.timedelta | None] = ((), tzlocal(), None)

    def current(self) -> tuple[tzlocal, datetime.timedelta | None]:
        """The zone, and its offset when it is fixed (None when it observes daylight saving)."""
        settings = (time.timezone, time.altzone, time.daylight, time.tzname)
        known, zone, offset = self.state
        if settings != known:
            zone = tzlocal()
            # dateutil's tzlocal: the DST offset is -altzone when time.daylight is set, else the standard.
            has_dst = bool(time.daylight) and time.altzone != time.timezone
            offset = None if has_dst else datetime.timedelta(seconds=-time.timezone)
            self.state = (settings, zone, offset)
        return zone, offset


_local_zone = _LocalZone()


def read_timestamp(value: Any) -> datetime.datetime:
    """``botocore.utils.parse_timestamp(value)``, without its cost for epoch seconds in a fixed-offset zone.

    For a zone without DST, ``datetime.fromtimestamp(value, tzlocal())`` is the UTC time plus the standard
    offset, with ``fold=0`` (dateutil finds no ambiguous time in a zone that never shifts), which is what
    the quick path computes.
    """
    if type(value) in _QUICK_TIMESTAMP_TYPES and 0 <= value < _QUICK_TIMESTAMP_LIMIT:
        zone, offset = _local_zone.current()
        if offset is not None:
            wall = datetime.datetime.fromtimestamp(value, datetime.timezone.utc) + offset
            # The constructor, not wall.replace(tzinfo=...), which costs twice as much.
            return datetime.datetime(
                wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.microsecond, zone
            )
    parsed: datetime.datetime = parse_timestamp(value)
    return parsed
