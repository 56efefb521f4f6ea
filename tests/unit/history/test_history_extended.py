"""``History.extended``: folding a history in two parts gives the history folded at once."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from simpleflow.history import History
from simpleflow.history.parser import EventFolder
from simpleflow.testing import HistoryBuilder


def rich_history() -> list[dict[str, Any]]:
    """One of every kind of event the folder keeps something of."""
    b = HistoryBuilder(input=[1])
    b.open_decision_task()
    b.complete_decision_task(execution_context="ctx-1")
    b.activity_scheduled("a-1", name="work", input={"args": [1]})
    b.activity_started("a-1")
    b.activity_failed("a-1", reason="boom")
    b.activity_scheduled("a-1", name="work", input={"args": [1]})
    b.activity_started("a-1")
    b.activity_completed("a-1", result=2)
    b.activity_scheduled("a-2", name="work")
    b.schedule_activity_failed("a-3", name="work")
    b.timer_started("t-1", timeout=5)
    b.timer_fired("t-1")
    b.timer_started("t-2", timeout=5)
    b.timer_canceled("t-2")
    b.signaled("go", input={"x": 1})
    b.marker_recorded("side-effect", details=3)
    b.signal_initiated("other", "ping", control="s-1")
    b.external_signaled("s-1", workflow_id="other")
    b.child_initiated("child-1", name="child")
    b.child_started("child-1")
    b.child_completed("child-1", result=4)
    b.lambda_scheduled("l-1", name="fn")
    b.lambda_started("l-1")
    b.lambda_completed("l-1", result=5)
    b.cancel_requested()
    b.open_decision_task()
    b.complete_decision_task(execution_context="ctx-2")
    return b.events


def snapshot(history: History) -> dict[str, Any]:
    """Everything a history answers from, but its events' container and its folder's identity."""
    return {name: value for name, value in vars(history).items() if name not in ("_folder", "events")}


EVENTS = rich_history()


@pytest.mark.parametrize("split", range(len(EVENTS) + 1))
def test_extending_at_any_point_gives_the_same_history(split: int) -> None:
    whole = History(EVENTS)
    prefix = History(EVENTS[:split])
    extended = prefix.extended(EVENTS[split:])
    assert snapshot(extended) == snapshot(whole)
    assert list(extended.events) == list(whole.events)
    assert extended._folder == whole._folder
    # The prefix is untouched: a history is a value.
    assert snapshot(prefix) == snapshot(History(EVENTS[:split]))


def test_a_folder_copy_shares_only_attempt_lists_and_copies_them_before_changing_them() -> None:
    folder = EventFolder()
    for event in EVENTS:
        folder.feed(event)
    copy = folder.copy()
    assert copy == folder
    for field in dataclasses.fields(EventFolder):
        value = getattr(folder, field.name)
        if isinstance(value, list | dict) and field.name != "touched":
            assert getattr(copy, field.name) is not value, field.name
    before = {key: list(attempts) for key, attempts in folder.attempts.items()}
    # Fold on the copy: every task gets one more event; the original must not see any of it.
    for key in list(copy.attempts):
        copy.update_latest(key[0], key[1], cause="changed")
        assert copy.attempts[key] is not folder.attempts[key]
    assert {key: list(attempts) for key, attempts in folder.attempts.items()} == before
    assert set(copy.touched) == set(folder.attempts)
