"""HistoryCache: kept prefixes joined to new suffixes, gaps refused, memory bounded."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.swf.history_cache import EVENT_OVERHEAD_BYTES as E
from simpleflow.swf.history_cache import HistoryCache, event_bytes


def events(first: int, last: int) -> list[dict[str, Any]]:
    return [{"eventId": n, "eventType": "MarkerRecorded"} for n in range(first, last + 1)]


def ids(history: list[dict[str, Any]] | None) -> list[int]:
    assert history is not None
    return [event["eventId"] for event in history]


def test_a_history_from_event_one_needs_nothing_kept() -> None:
    cache = HistoryCache()
    assert ids(cache.join("run", events(1, 3))) == [1, 2, 3]
    assert cache.size == 3 * E


@pytest.mark.parametrize(
    ("new_first", "new_last"),
    [(4, 6), (3, 6), (1, 6)],
    ids=["right-after", "overlapping", "everything-again"],
)
def test_new_events_that_meet_the_kept_ones_make_the_whole_history(new_first: int, new_last: int) -> None:
    cache = HistoryCache()
    cache.join("run", events(1, 3))
    assert ids(cache.join("run", events(new_first, new_last))) == [1, 2, 3, 4, 5, 6]
    assert cache.size == 6 * E


def test_newer_events_replace_the_kept_copy_of_the_same_event() -> None:
    cache = HistoryCache()
    cache.join("run", events(1, 3))
    newer = [{"eventId": 3, "eventType": "TimerFired"}, *events(4, 4)]
    history = cache.join("run", newer)
    assert history is not None
    assert history[2]["eventType"] == "TimerFired"


@pytest.mark.parametrize(
    ("kept", "new_first"),
    [(None, 4), ((1, 3), 5)],
    ids=["run-never-seen", "events-missing-in-between"],
)
def test_a_gap_is_refused_and_changes_nothing(kept: tuple[int, int] | None, new_first: int) -> None:
    cache = HistoryCache()
    if kept is not None:
        cache.join("run", events(*kept))
    assert cache.join("run", events(new_first, new_first + 2)) is None
    assert cache.size == (0 if kept is None else 3 * E)


def test_a_kept_list_that_is_not_dense_is_not_trusted() -> None:
    cache = HistoryCache()
    cache.keep("run", [{"eventId": 1}, {"eventId": 3}, {"eventId": 4}])
    assert cache.join("run", events(4, 5)) is None


def test_runs_are_kept_apart() -> None:
    cache = HistoryCache()
    cache.join(("w", "r1"), events(1, 3))
    assert cache.join(("w", "r2"), events(4, 5)) is None
    assert ids(cache.join(("w", "r1"), events(4, 5))) == [1, 2, 3, 4, 5]


def test_the_least_recently_used_runs_go_first_when_over_budget() -> None:
    cache = HistoryCache(max_bytes=10 * E)
    cache.join("old", events(1, 4))
    cache.join("used", events(1, 4))
    cache.join("old", events(5, 5))  # "old" is now the most recently used
    cache.join("new", events(1, 4))
    assert cache.size <= 10 * E
    assert cache.join("used", events(5, 5)) is None  # evicted
    assert ids(cache.join("old", events(6, 6))) == [1, 2, 3, 4, 5, 6]


def test_a_run_larger_than_the_budget_is_not_kept_and_evicts_nothing() -> None:
    cache = HistoryCache(max_bytes=5 * E)
    cache.join("small", events(1, 3))
    assert ids(cache.join("huge", events(1, 6))) == [1, 2, 3, 4, 5, 6]
    assert len(cache) == 1
    assert cache.join("huge", events(7, 7)) is None


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        HistoryCache(max_bytes=-1)


def test_an_event_weighs_its_overhead_and_its_strings() -> None:
    event = {
        "eventId": 7,
        "eventType": "ActivityTaskScheduled",
        "activityTaskScheduledEventAttributes": {
            "input": "x" * 1000,
            "activityType": {"name": "abc", "version": "1"},
            "decisionTaskCompletedEventId": 6,
        },
    }
    assert event_bytes(event) == E + 1000 + 4


def test_large_payloads_count_against_the_budget() -> None:
    cache = HistoryCache(max_bytes=E + 32_768 + 2 * E)  # the big run alone, or the small one, not both
    big = [{"eventId": 1, "eventType": "X", "xAttributes": {"result": "r" * 32_768}}]
    cache.join("big", big)
    cache.join("small", events(1, 3))
    assert len(cache) == 1  # the two together are over the budget: the older, big one went
    assert cache.join("big", events(2, 2)) is None
