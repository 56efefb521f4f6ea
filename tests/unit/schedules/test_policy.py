from datetime import datetime, timedelta, timezone

import pytest

from simpleflow.schedules import Admission, CatchUp, InvalidSchedule, OverlapPolicy, admit, slot_to_fire

T0 = datetime(2024, 1, 1, 3, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("due", "now", "catch_up", "expected"),
    [
        ([], T0, CatchUp.NONE, None),
        ([], T0, CatchUp.LAST, None),
        ([T0], T0 + timedelta(seconds=2), CatchUp.NONE, T0),
        ([T0], T0 + timedelta(seconds=2), CatchUp.LAST, T0),
        ([T0], T0 + timedelta(seconds=60), CatchUp.NONE, T0),
        ([T0], T0 + timedelta(seconds=61), CatchUp.NONE, None),
        ([T0], T0 + 5 * HOUR, CatchUp.LAST, T0),
        ([T0, T0 + HOUR, T0 + 2 * HOUR], T0 + 2 * HOUR, CatchUp.NONE, T0 + 2 * HOUR),
        ([T0, T0 + HOUR, T0 + 2 * HOUR], T0 + 2.5 * HOUR, CatchUp.NONE, None),
        ([T0, T0 + HOUR, T0 + 2 * HOUR], T0 + 2.5 * HOUR, CatchUp.LAST, T0 + 2 * HOUR),
    ],
    ids=[
        "nothing-due-none",
        "nothing-due-last",
        "on-time-none",
        "on-time-last",
        "grace-edge-none",
        "just-missed-none",
        "missed-last",
        "downtime-latest-on-time",
        "downtime-all-missed-none",
        "downtime-last-latest-only",
    ],
)
def test_slot_to_fire(
    due: list[datetime], now: datetime, catch_up: CatchUp, expected: datetime | None
) -> None:
    assert slot_to_fire(due, now=now, catch_up=catch_up) == expected


@pytest.mark.parametrize(
    ("policy", "running", "buffered", "expected"),
    [
        (OverlapPolicy.SKIP, 0, False, Admission.START),
        (OverlapPolicy.SKIP, 1, False, Admission.SKIP),
        (OverlapPolicy.BUFFER_ONE, 0, False, Admission.START),
        (OverlapPolicy.BUFFER_ONE, 1, False, Admission.BUFFER),
        (OverlapPolicy.BUFFER_ONE, 1, True, Admission.SKIP),
        (OverlapPolicy.ALLOW_ALL, 0, False, Admission.START),
        (OverlapPolicy.ALLOW_ALL, 3, False, Admission.START),
    ],
    ids=["skip-idle", "skip-busy", "buffer-idle", "buffer-busy", "buffer-full", "allow-idle", "allow-busy"],
)
def test_admit(policy: OverlapPolicy, running: int, buffered: bool, expected: Admission) -> None:
    assert admit(policy, running=running, buffered=buffered) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skip", OverlapPolicy.SKIP),
        ("buffer-one", OverlapPolicy.BUFFER_ONE),
        ("ALLOW_ALL", OverlapPolicy.ALLOW_ALL),
    ],
    ids=["skip", "dashed", "upper"],
)
def test_overlap_parse(text: str, expected: OverlapPolicy) -> None:
    assert OverlapPolicy.parse(text) is expected


@pytest.mark.parametrize(
    ("parse", "text", "field"),
    [(OverlapPolicy.parse, "queue", "overlap"), (CatchUp.parse, "all", "catch_up")],
    ids=["overlap", "catch-up"],
)
def test_policy_refusals(parse, text: str, field: str) -> None:
    with pytest.raises(InvalidSchedule) as raised:
        parse(text)
    assert raised.value.field == field
    assert text in str(raised.value)
