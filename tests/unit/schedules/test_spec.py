import pytest

from simpleflow.schedules import (
    Cadence,
    CatchUp,
    InvalidSchedule,
    OverlapPolicy,
    ScheduleSpec,
    ScheduleState,
    StartMode,
)
from simpleflow.schedules.spec import format_instant, parse_instant


def test_spec_round_trips() -> None:
    spec = ScheduleSpec(
        "tests.module.Workflow",
        Cadence(every=60),
        input=[1, 2],
        overlap=OverlapPolicy.ALLOW_ALL,
        catch_up=CatchUp.LAST,
        start=StartMode.INDEPENDENT,
        wakes_per_run=7,
        limit=3,
    )
    assert ScheduleSpec.from_dict(spec.to_dict()) == spec


def test_spec_defaults_from_a_minimal_input() -> None:
    spec = ScheduleSpec.from_dict({"workflow": "w.W", "cadence": {"every": 60}})
    assert (spec.overlap, spec.catch_up, spec.start, spec.limit) == (
        OverlapPolicy.SKIP,
        CatchUp.NONE,
        StartMode.CHILD,
        None,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("not a dict", "input"),
        ({"workflow": "w.W"}, "input"),
        ({"workflow": "", "cadence": {"every": 60}}, "workflow"),
        ({"workflow": "w.W", "cadence": {"every": 60}, "limit": 0}, "limit"),
        ({"workflow": "w.W", "cadence": {"every": 60}, "wakes_per_run": -1}, "wakes_per_run"),
        ({"workflow": "w.W", "cadence": {"every": 60}, "start": "detached"}, "start"),
        (
            {"workflow": "w.W", "cadence": {"every": 60}, "start": "independent", "overlap": "buffer_one"},
            "overlap",
        ),
    ],
    ids=[
        "not-a-dict",
        "no-cadence",
        "no-workflow",
        "zero-limit",
        "negative-wakes",
        "bad-start",
        "buffer-independent",
    ],
)
def test_spec_refusals(data: object, field: str) -> None:
    with pytest.raises(InvalidSchedule) as raised:
        ScheduleSpec.from_dict(data)
    assert raised.value.field == field


def test_state_round_trips_and_keeps_recent_runs() -> None:
    state = ScheduleState(last_slot="2024-01-01T03:00:00Z", paused=True, buffered="2024-01-01T04:00:00Z")
    for number in range(7):
        state = state.with_run(f"run-{number}")
    assert state.started == 7
    assert state.last_run == "run-6"
    assert state.recent == ("run-2", "run-3", "run-4", "run-5", "run-6")
    assert ScheduleState.from_dict(state.to_dict()) == state
    assert ScheduleState.from_dict(None) == ScheduleState()


def test_instants_round_trip_in_utc() -> None:
    instant = parse_instant("2024-03-31T03:00:00+02:00")
    assert format_instant(instant) == "2024-03-31T01:00:00Z"
    assert parse_instant(format_instant(instant)) == instant
