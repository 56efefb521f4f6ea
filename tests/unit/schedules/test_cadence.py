from datetime import datetime, timezone

import pytest

from simpleflow.schedules import Cadence, InvalidSchedule, parse_interval
from simpleflow.schedules.cadence import MAX_INTERVAL_SECONDS


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1w", 604800),
        ("300", 300),
        (" 1H ", 3600),
    ],
    ids=["seconds", "minutes", "compound", "days", "week", "plain-seconds", "case-and-blanks"],
)
def test_parse_interval(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "not an interval"),
        ("15", None),
        ("15x", "not an interval"),
        ("m15", "not an interval"),
        ("1h 30", "not an interval"),
        ("0m", "not a positive interval"),
        ("0", "not a positive interval"),
        ("400d", "longer than one year"),
    ],
    ids=["empty", "ok-plain", "bad-unit", "unit-first", "trailing-number", "zero", "zero-plain", "too-long"],
)
def test_parse_interval_refusals(text: str, problem: str | None) -> None:
    if problem is None:
        assert parse_interval(text) == 15
        return
    with pytest.raises(InvalidSchedule, match=problem) as raised:
        parse_interval(text)
    assert raised.value.field == "every"


@pytest.mark.parametrize(
    ("cadence", "after", "expected"),
    [
        (Cadence(cron="0 3 * * *"), utc(2024, 1, 1), [utc(2024, 1, 1, 3), utc(2024, 1, 2, 3)]),
        (Cadence(cron="0 3 * * *"), utc(2024, 1, 1, 3), [utc(2024, 1, 2, 3), utc(2024, 1, 3, 3)]),
        (
            Cadence(cron="0 3 * * *"),
            datetime(2024, 1, 1, 2, 59, 59, 500000, tzinfo=timezone.utc),
            [utc(2024, 1, 1, 3), utc(2024, 1, 2, 3)],
        ),
        (
            Cadence(cron="*/20 * * * *"),
            utc(2024, 1, 1, 0, 5),
            [utc(2024, 1, 1, 0, 20), utc(2024, 1, 1, 0, 40)],
        ),
        # 03:00 in Paris is 02:00 UTC in winter, 01:00 UTC once summer time starts (31 March 2024).
        (
            Cadence(cron="0 3 * * *", timezone="Europe/Paris"),
            utc(2024, 3, 30),
            [utc(2024, 3, 30, 2), utc(2024, 3, 31, 1)],
        ),
        (Cadence(every=900), utc(2024, 1, 1, 0, 7), [utc(2024, 1, 1, 0, 15), utc(2024, 1, 1, 0, 30)]),
        (Cadence(every=900), utc(2024, 1, 1, 0, 15), [utc(2024, 1, 1, 0, 30), utc(2024, 1, 1, 0, 45)]),
        (Cadence(every=3600), utc(2024, 1, 1, 0, 30), [utc(2024, 1, 1, 1), utc(2024, 1, 1, 2)]),
    ],
    ids=[
        "cron-daily",
        "cron-strictly-after",
        "cron-subsecond",
        "cron-step",
        "cron-timezone-dst",
        "every-epoch-aligned",
        "every-strictly-after",
        "every-hour",
    ],
)
def test_fires_after(cadence: Cadence, after: datetime, expected: list[datetime]) -> None:
    iterator = cadence.fires_after(after)
    assert [next(iterator), next(iterator)] == expected
    assert cadence.next_fire(after) == expected[0]
    assert all(fire.tzinfo == timezone.utc for fire in expected)


@pytest.mark.parametrize(
    ("after", "until", "limit", "expected"),
    [
        (utc(2024, 1, 1, 0, 30), utc(2024, 1, 1, 0, 59), 10, []),
        (utc(2024, 1, 1, 0, 30), utc(2024, 1, 1, 1), 10, [utc(2024, 1, 1, 1)]),
        (
            utc(2024, 1, 1),
            utc(2024, 1, 1, 3),
            10,
            [utc(2024, 1, 1, 1), utc(2024, 1, 1, 2), utc(2024, 1, 1, 3)],
        ),
        (utc(2024, 1, 1), utc(2024, 1, 1, 3), 2, [utc(2024, 1, 1, 2), utc(2024, 1, 1, 3)]),
    ],
    ids=["none-due", "one-due-inclusive", "three-due", "limit-keeps-latest"],
)
def test_fires_between(after: datetime, until: datetime, limit: int, expected: list[datetime]) -> None:
    assert Cadence(every=3600).fires_between(after, until, limit=limit) == expected


@pytest.mark.parametrize(
    ("kwargs", "field", "problem"),
    [
        ({"cron": "0 3 * *"}, "cron", "not a cron expression"),
        ({"cron": "61 * * * *"}, "cron", "not a cron expression"),
        ({"cron": "0 0 30 2 *"}, "cron", "Bad day-of-month"),
        ({}, "cadence", "exactly one"),
        ({"cron": "* * * * *", "every": 60}, "cadence", "exactly one"),
        ({"every": 0}, "every", "between"),
        ({"every": MAX_INTERVAL_SECONDS + 1}, "every", "between"),
        ({"every": 60, "timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
    ],
    ids=["four-fields", "minute-range", "impossible-date", "neither", "both", "zero", "too-long", "bad-zone"],
)
def test_cadence_refusals(kwargs: dict, field: str, problem: str) -> None:
    with pytest.raises(InvalidSchedule, match=problem) as raised:
        Cadence(**kwargs)
    assert raised.value.field == field


def test_cadence_round_trips_and_describes() -> None:
    cron = Cadence(cron="0 3 * * *", timezone="Europe/Paris")
    assert Cadence.from_dict(cron.to_dict()) == cron
    assert cron.describe() == "cron '0 3 * * *' (Europe/Paris)"
    assert Cadence(every=900).describe() == "every 900 s"
