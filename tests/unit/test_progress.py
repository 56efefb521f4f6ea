"""The pace and the lines of :func:`simpleflow.progress.follow`, on a scripted execution and a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from simpleflow.progress import REPEAT_LINE, SLOWDOWN, RunProgress, Waiting, follow, new_events

START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class ScriptedFollower:
    """Gives one scripted progress per look: (done count, whether new events came, closed)."""

    workflow_id = "scripted"

    def __init__(self, script: list[tuple[int, bool, bool]], clock: list[float]) -> None:
        self.script = script
        self.clock = clock
        self.looks = 0
        self.changed = False
        self.close: tuple[str, dict[str, Any]] | None = None

    def look(self) -> RunProgress:
        done, self.changed, closed = self.script[min(self.looks, len(self.script) - 1)]
        self.looks += 1
        if closed:
            self.close = ("COMPLETED", {"result": "1"})
        now = START + timedelta(seconds=self.clock[0])
        return RunProgress(START, {"done": done}, now=now)


def run(script: list[tuple[int, bool, bool]], **options: Any) -> tuple[list[str], list[float]]:
    clock = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        clock[0] += seconds

    lines: list[str] = []
    follower = ScriptedFollower(script, clock)
    follow(
        follower,  # type: ignore[arg-type]
        on_progress=lambda progress: lines.append(str(progress)),
        sleep=sleep,
        clock=lambda: clock[0],
        **options,
    )
    return lines, pauses


def test_lines_on_change_and_at_the_close():
    lines, _ = run([(0, True, False), (0, False, False), (1, True, False), (1, False, True)], interval=1)
    assert lines == [
        "0 scheduled, 0 running, 0 done, 0 failed; 0.0 s elapsed",
        "0 scheduled, 0 running, 1 done, 0 failed; 2.5 s elapsed",
        "0 scheduled, 0 running, 1 done, 0 failed; 3.5 s elapsed",
    ]


def test_looks_slow_down_while_nothing_changes_and_speed_up_again():
    script = [(0, True, False)] + [(0, False, False)] * 12 + [(1, True, False), (1, False, True)]
    _, pauses = run(script, interval=0.5)
    assert pauses[0] == 0.5
    assert max(pauses) == 0.5 * SLOWDOWN  # the slowest pace while the run is idle
    assert pauses[:8] == sorted(pauses[:8])
    assert pauses[-1] == 0.5  # new events: quick again


def test_a_quiet_run_still_gets_a_line_now_and_then():
    script = [(0, True, False)] + [(0, False, False)] * 20 + [(0, False, True)]
    lines, pauses = run(script, interval=1)
    # A line at least every REPEAT_LINE seconds, give or take one look at the slowest pace.
    assert len(lines) >= sum(pauses) // (REPEAT_LINE + SLOWDOWN * 1)
    assert len(lines) > 3


def test_timeout():
    with pytest.raises(TimeoutError, match="scripted did not close within 3 s"):
        run([(0, False, False)], interval=1, timeout=3)


def test_waiting_descriptions():
    now = START
    assert Waiting("timer", "snooze", START + timedelta(seconds=90)).describe(now) == (
        "timer snooze (fires 03:05:35 UTC, in 90 s)"
    )
    assert Waiting("signal", "approval").describe(now) == "signal approval"
    progress = RunProgress(START - timedelta(seconds=12), {"running": 2}, (Waiting("child", "c-1"),), now=now)
    assert str(progress) == "0 scheduled, 2 running, 0 done, 0 failed; 12.0 s elapsed; waiting on child c-1"


class FakeHistory:
    """A client whose history pages come newest first (``reverseOrder``), counting the pages read."""

    def __init__(self, events: int) -> None:
        self.events = [{"eventId": n} for n in range(1, events + 1)]
        self.pages_read = 0

    def get_workflow_execution_history(self, **request: Any) -> dict[str, Any]:
        assert request["reverseOrder"] is True
        newest = self.events[::-1]
        start = int(request.get("nextPageToken") or 0)
        size = request["maximumPageSize"]
        self.pages_read += 1
        page: dict[str, Any] = {"events": newest[start : start + size]}
        if start + size < len(newest):
            page["nextPageToken"] = str(start + size)
        return page


def read_after(history: FakeHistory, after: int, page_size: int) -> list[int]:
    execution = {"workflowId": "w", "runId": "r"}
    return [
        event["eventId"] for event in new_events(history, "d", execution, after=after, page_size=page_size)
    ]


def test_only_the_events_after_the_last_seen_are_read_and_returned_oldest_first():
    history = FakeHistory(1000)
    assert read_after(history, 995, 100) == [996, 997, 998, 999, 1000]
    assert history.pages_read == 1


def test_from_nothing_every_event_comes_in_order():
    history = FakeHistory(250)
    assert read_after(history, 0, 100) == list(range(1, 251))
    assert history.pages_read == 3


def test_nothing_new_is_an_empty_list():
    assert read_after(FakeHistory(10), 10, 4) == []
