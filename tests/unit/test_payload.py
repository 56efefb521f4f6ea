"""The payload codec, input forms, SWF field limits, references and failure encoding (no I/O)."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simpleflow import payload
from simpleflow.exceptions import (
    PayloadDigestMismatch,
    PayloadError,
    PayloadNotJSON,
    PayloadTooLarge,
)


class MemoryStore:
    """A content-addressed in-memory PayloadStore; the real ones live in simpleflow.storage."""

    location = "memory://test"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts = 0

    def put(self, data: bytes) -> str:
        self.puts += 1
        reference = payload.PayloadReference.for_data(data, self.location)
        self.objects[reference.digest] = data
        return reference.text

    def get(self, reference: str) -> bytes:
        return self.objects[payload.PayloadReference.parse(reference).digest]

    def delete(self, reference: str) -> None:
        self.objects.pop(payload.PayloadReference.parse(reference).digest, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"a": [1, 2.5, None, True]}, '{"a":[1,2.5,null,true]}', id="plain-json-compact"),
        pytest.param((1, 2), "[1,2]", id="tuple-as-list"),
        pytest.param(datetime.datetime(2024, 5, 1, 12, 30, 0), '"2024-05-01T12:30:00"', id="naive-datetime"),
        pytest.param(
            datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc),
            '"2024-05-01T12:30:00+00:00"',
            id="aware-datetime",
        ),
        pytest.param(datetime.date(2024, 5, 1), '"2024-05-01"', id="date"),
        pytest.param(decimal.Decimal("1.10"), '"1.10"', id="decimal-keeps-precision"),
        pytest.param({3, 1, 2}, "[1,2,3]", id="set-sorted"),
        pytest.param(frozenset({"b", "a"}), '["a","b"]', id="frozenset-sorted"),
        pytest.param({1, "a"}, '["a",1]', id="unorderable-set-by-json-text"),
        pytest.param(b"\x00\xff", '"AP8="', id="bytes-base64"),
        pytest.param(uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"', id="uuid"),
        pytest.param("héllo", '"héllo"', id="non-ascii-kept-as-characters"),
    ],
)
def test_encode_documented_types(value: Any, expected: str) -> None:
    assert payload.encode(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(object(), "builtins.object", id="object"),
        pytest.param(float("nan"), "Out of range float", id="nan"),
        pytest.param({(1, 2): "x"}, "keys must be", id="tuple-key"),
        pytest.param(lambda: 1, "function", id="function"),
    ],
)
def test_encode_refuses_what_is_not_json(value: Any, problem: str) -> None:
    with pytest.raises(PayloadNotJSON, match=problem) as caught:
        payload.encode(value, field="result of activity-x-1")
    assert caught.value.field == "result of activity-x-1"
    assert str(caught.value).startswith("result of activity-x-1: ")


def test_encode_refuses_cycles() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(PayloadNotJSON, match="Circular"):
        payload.encode(cycle)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param("", None, id="empty"),
        pytest.param("null", None, id="null"),
        pytest.param('{"a":1}', {"a": 1}, id="object"),
        pytest.param(" [1, 2] ", [1, 2], id="whitespace"),
        pytest.param('"simpleflow+payload:x"', "simpleflow+payload:x", id="user-string-looking-like-a-tag"),
    ],
)
def test_decode(text: str | None, expected: Any) -> None:
    assert payload.decode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{not json", id="broken"),
        pytest.param("hello", id="bare-word"),
        pytest.param("[1,", id="truncated"),
    ],
)
def test_decode_refuses_what_is_not_json(text: str) -> None:
    with pytest.raises(PayloadNotJSON, match="input: not valid JSON") as caught:
        payload.decode(text, field="input")
    assert caught.value.field == "input"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_round_trip_of_json_values(value: Any) -> None:
    assert payload.decode(payload.encode(value)) == value


@given(json_values)
def test_round_trip_through_zlib_json(value: Any) -> None:
    text = payload.encode(value, serializer="zlib-json")
    assert text.startswith("simpleflow+zlib-json:")
    assert payload.decode(text) == value


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        pytest.param([1, 2], {}, '{"args":[1,2],"kwargs":{}}', id="args"),
        pytest.param((), {"t": 5}, '{"args":[],"kwargs":{"t":5}}', id="kwargs"),
        pytest.param((1,), None, '{"args":[1],"kwargs":{}}', id="kwargs-none"),
    ],
)
def test_encode_input(args: Any, kwargs: Any, expected: str) -> None:
    assert payload.encode_input(args, kwargs) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, ([], {}), id="none"),
        pytest.param([1, 5], ([1, 5], {}), id="list-is-positional"),
        pytest.param({"args": [1], "kwargs": {"t": 5}}, ([1], {"t": 5}), id="args-and-kwargs"),
        pytest.param({"kwargs": {"x": 1}}, ([], {"x": 1}), id="kwargs-only"),
        pytest.param({"args": [1]}, ([1], {}), id="args-only"),
        pytest.param(3, ([3], {}), id="scalar-is-one-arg"),
        pytest.param("x", (["x"], {}), id="string-is-one-arg"),
        pytest.param({"x": 1}, ([{"x": 1}], {}), id="other-dict-is-one-arg"),
        pytest.param({"args": 1}, ([{"args": 1}], {}), id="args-not-a-list-is-one-arg"),
        pytest.param({}, ([{}], {}), id="empty-dict-is-one-arg"),
    ],
)
def test_parse_input(value: Any, expected: tuple[list[Any], dict[str, Any]]) -> None:
    assert payload.parse_input(value) == expected


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        pytest.param("input", 32768, id="input"),
        pytest.param("result", 32768, id="result"),
        pytest.param("control", 32768, id="control"),
        pytest.param("details", 32768, id="details"),
        pytest.param("marker_details", 32768, id="marker-details"),
        pytest.param("signal_input", 32768, id="signal-input"),
        pytest.param("reason", 256, id="reason"),
        pytest.param("heartbeat_details", 2048, id="heartbeat-details"),
    ],
)
def test_fit_at_and_over_each_limit(kind: str, limit: int) -> None:
    assert payload.FIELD_LIMITS[kind] == limit
    at_limit = "x" * limit
    assert payload.fit(kind, at_limit) is at_limit
    with pytest.raises(PayloadTooLarge) as caught:
        payload.fit(kind, at_limit + "x")
    error = caught.value
    assert (error.field, error.size, error.limit) == (kind, limit + 1, limit)
    assert f"{kind} is {limit + 1} characters, over SWF's limit of {limit}" in str(error)
    assert "SIMPLEFLOW_PAYLOAD_STORE" in str(error)


def test_fit_names_the_given_field() -> None:
    with pytest.raises(PayloadTooLarge, match=r"^input of activity-a-1 is 40000 characters"):
        payload.fit("input", "x" * 40000, field="input of activity-a-1")


def test_fit_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown field kind 'inputs'"):
        payload.fit("inputs", "x")


def test_fit_offloads_to_the_store_and_decode_resolves() -> None:
    store = MemoryStore()
    text = payload.encode(list(range(20000)))
    reference = payload.fit("input", text, store=store)
    assert payload.is_reference(reference)
    assert len(reference) < 200
    parsed = payload.PayloadReference.parse(reference)
    assert parsed.size == len(text.encode())
    assert parsed.digest == hashlib.sha256(text.encode()).hexdigest()
    assert payload.decode(reference, store=store) == list(range(20000))
    with pytest.raises(ValueError):
        json.loads(reference)  # a reference can never be mistaken for a JSON value


def test_fit_keeps_small_text_inline_even_with_a_store() -> None:
    store = MemoryStore()
    assert payload.fit("result", "[1]", store=store) == "[1]"
    assert store.puts == 0


def test_fit_refuses_when_even_the_reference_is_over_the_limit() -> None:
    store = MemoryStore()
    store.location = "file:///" + "d" * 300
    with pytest.raises(PayloadTooLarge, match="even its out-of-band reference"):
        payload.fit("reason", "r" * 300, store=store)


def test_decode_detects_a_digest_mismatch() -> None:
    store = MemoryStore()
    reference = payload.fit("result", payload.encode("x" * 40000), store=store)
    digest = payload.PayloadReference.parse(reference).digest
    store.objects[digest] = payload.encode("y" * 40000).encode()
    with pytest.raises(PayloadDigestMismatch, match="do not match") as caught:
        payload.decode(reference, field="result", store=store)
    assert caught.value.reference == reference


def test_decode_of_a_reference_without_a_store() -> None:
    reference = payload.PayloadReference.for_data(b"[1]", "s3://bucket/p").text
    with pytest.raises(PayloadError, match="no payload store is configured"):
        payload.decode(reference, field="input")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("simpleflow+payload:md5:abc:3:file:///x", id="other-algorithm"),
        pytest.param("simpleflow+payload:sha256:abc:3:file:///x", id="short-digest"),
        pytest.param("simpleflow+payload:sha256:" + "a" * 64 + ":big:file:///x", id="size-not-a-number"),
        pytest.param("simpleflow+payload:sha256:" + "a" * 64 + ":3", id="no-location"),
    ],
)
def test_malformed_references(text: str) -> None:
    with pytest.raises(PayloadError, match="malformed payload reference"):
        payload.PayloadReference.parse(text)


def test_reference_text_round_trip() -> None:
    reference = payload.PayloadReference.for_data(b"data", "s3://bucket/prefix")
    assert payload.PayloadReference.parse(reference.text) == reference
    assert str(reference).startswith("simpleflow+payload:sha256:")


def test_unknown_serializer_tag() -> None:
    with pytest.raises(PayloadNotJSON, match="serializer 'pickle', which is not registered"):
        payload.decode("simpleflow+pickle:gASV", field="result")


def test_zlib_json_is_smaller_for_repetitive_values() -> None:
    urls = [f"https://example.com/page/{n}" for n in range(2000)]
    plain = payload.encode(urls)
    packed = payload.encode(urls, serializer="zlib-json")
    assert len(plain) > 32768 > len(packed)
    assert payload.decode(packed) == urls


def raise_value_error(message: str) -> None:
    raise ValueError(message)


def caught_exception(message: str) -> BaseException:
    try:
        raise_value_error(message)
    except ValueError as error:
        return error
    raise AssertionError("unreachable")


def test_encode_failure_short() -> None:
    reason, details = payload.encode_failure(caught_exception("bad input"))
    assert reason == "ValueError: bad input"
    body = json.loads(details)
    assert body["error"] == "ValueError"
    assert body["message"] == "bad input"
    assert "raise_value_error" in body["traceback"]


def test_encode_failure_names_the_qualified_class() -> None:
    reason, details = payload.encode_failure(PayloadTooLarge("input", 5, 4))
    assert reason.startswith("PayloadTooLarge: input is 5")
    assert json.loads(details)["error"] == "simpleflow.exceptions.PayloadTooLarge"


def test_encode_failure_reason_over_256_is_truncated_and_details_keep_it_whole() -> None:
    message = "m" * 1000
    reason, details = payload.encode_failure(caught_exception(message))
    assert len(reason) == 256
    assert reason.endswith("...")
    assert json.loads(details)["message"] == message


def test_encode_failure_trims_the_traceback_first() -> None:
    error = caught_exception("x" * 1000)
    error.__traceback__ = None
    error.add_note("n" * 40000)  # notes are printed with the traceback
    _, details = payload.encode_failure(error)
    assert len(details) <= 32768
    body = json.loads(details)
    assert body["message"] == "x" * 1000
    assert body["traceback"].startswith("...(traceback trimmed")
    assert body["traceback"].rstrip().endswith("n" * 1000)  # the end, where the error is, is kept


def test_encode_failure_trims_the_message_when_it_alone_is_too_large() -> None:
    _, details = payload.encode_failure(caught_exception('"' * 40000))  # escaping doubles it
    assert len(details) <= 32768
    body = json.loads(details)
    assert body["traceback"] == ""
    assert body["message"].endswith("...")


@pytest.mark.parametrize(
    ("reason", "details", "expected"),
    [
        pytest.param("E: x", '{"error":"E"}', ("E: x", {"error": "E"}), id="json-details"),
        pytest.param("E: x", "not json", ("E: x", "not json"), id="foreign-details-kept-raw"),
        pytest.param(None, None, (None, None), id="nothing"),
    ],
)
def test_decode_failure(reason: str | None, details: str | None, expected: tuple[Any, Any]) -> None:
    assert payload.decode_failure(reason, details) == expected


def test_decode_failure_resolves_references() -> None:
    store = MemoryStore()
    details = payload.fit("details", payload.encode({"message": "z" * 40000}), store=store)
    reason = payload.fit("reason", "r" * 300, store=store)
    assert payload.decode_failure(reason, details, store=store) == ("r" * 300, {"message": "z" * 40000})


@pytest.mark.parametrize(
    ("value", "call", "attempt"),
    [
        ({"args": [1], "kwargs": {}}, ([1], {}), 1),
        ({"args": [1], "kwargs": {"a": 2}, "__attempt": 3}, ([1], {"a": 2}), 3),
        ({"kwargs": {"a": 2}, "__attempt": 2}, ([], {"a": 2}), 2),
        ({"__attempt": 2}, ([{"__attempt": 2}], {}), 1),
        ({"args": [1], "__attempt": "x"}, ([1], {}), 1),
        ([1, 2], ([1, 2], {}), 1),
        (None, ([], {}), 1),
    ],
    ids=["plain", "retry", "kwargs-only", "attempt-alone-is-a-value", "bad-attempt", "list", "none"],
)
def test_the_attempt_key_travels_beside_the_call(value: Any, call: Any, attempt: int) -> None:
    assert payload.parse_input(value) == call
    assert payload.input_attempt(value) == attempt


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        (None, '{"args":[1],"kwargs":{}}'),
        (1, '{"args":[1],"kwargs":{}}'),
        (2, '{"args":[1],"kwargs":{},"__attempt":2}'),
    ],
    ids=["none", "first", "second"],
)
def test_encode_input_writes_the_attempt_only_on_retries(attempt: int | None, expected: str) -> None:
    assert payload.encode_input([1], {}, attempt=attempt) == expected
