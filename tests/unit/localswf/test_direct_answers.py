"""The direct client's readers against botocore's own functions: timestamps in every kind of zone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.utils import parse_timestamp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simpleflow.localswf.direct_answers import parse_json_body, read_timestamp

EPOCHS = st.one_of(
    st.integers(min_value=-(2**33), max_value=2**36),
    st.floats(min_value=-1e10, max_value=1e11, allow_nan=False),
    st.sampled_from([0, 0.5, 1e-7, 1767323045, 1767323045.123456, 32503679999.999, True]),
    st.sampled_from(
        ["1767323045", "2026-01-02T03:04:05Z", "2026-03-29T02:30:00", "Fri, 02 Jan 2026 03:04:05 GMT"]
    ),
)


def outcome(read: Any, value: Any) -> Any:
    try:
        moment = read(value)
    except Exception as error:  # the same failure, where botocore fails
        return (type(error), str(error))
    zone = moment.tzinfo
    return (moment.isoformat(), type(zone), moment.utcoffset(), moment.dst(), moment.fold, moment.tzname())


@pytest.fixture(params=["UTC", "Asia/Kolkata", "Europe/Paris", "America/St_Johns"])
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process's local zone: UTC, a fixed offset, and two zones with daylight saving."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


# The zone fixture is meant to hold for every generated value: it is set once per zone.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=EPOCHS)
def test_timestamps_read_as_botocore_reads_them(zone, value):
    assert outcome(read_timestamp, value) == outcome(parse_timestamp, value)


def test_a_zone_change_is_seen_at_once(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    assert read_timestamp(0).utcoffset().total_seconds() == 19800
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert read_timestamp(0).utcoffset().total_seconds() == 0
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"", {}), (b'{"a": 1}', {"a": 1}), (b"<html>down</html>", {"message": "<html>down</html>"})],
    ids=["empty", "json", "not-json"],
)
def test_bodies_decode_as_botocore_decodes_them(body, expected):
    assert parse_json_body(body) == expected
