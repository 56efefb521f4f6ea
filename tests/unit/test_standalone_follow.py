"""standalone follows a run by reading only what is new at each look."""

from __future__ import annotations

from typing import Any

from simpleflow.standalone import _events_after


class FakeRun:
    """A run whose history pages come newest first, and that counts the pages read."""

    def __init__(self, events: int, page: int) -> None:
        self.events = [{"eventId": n} for n in range(1, events + 1)]
        self.page = page
        self.pages_read = 0

    def iter_history_pages(self, *, reverse: bool = False) -> Any:
        assert reverse
        newest = self.events[::-1]
        for start in range(0, len(newest), self.page):
            self.pages_read += 1
            yield newest[start : start + self.page]


def test_only_the_events_after_the_last_seen_are_read_and_returned_oldest_first() -> None:
    run = FakeRun(events=1000, page=100)
    assert [e["eventId"] for e in _events_after(run, 995)] == [996, 997, 998, 999, 1000]
    assert run.pages_read == 1


def test_from_nothing_every_event_comes_in_order() -> None:
    run = FakeRun(events=250, page=100)
    assert [e["eventId"] for e in _events_after(run, 0)] == list(range(1, 251))
    assert run.pages_read == 3


def test_nothing_new_is_an_empty_list() -> None:
    assert _events_after(FakeRun(events=10, page=4), 10) == []
