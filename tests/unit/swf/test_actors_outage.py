"""A decider holding a decision task asks again for its later pages through an outage of the endpoint.

A poll that fails on its first page took no task; one that fails on a later page would lose the task in
hand until its start-to-close timeout, so those pages (and a cache miss's history pages) are retried.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from simpleflow.exceptions import EndpointUnreachable, UnknownResource
from simpleflow.swf import actors
from simpleflow.swf.actors import Decider

EXECUTION = {"workflowId": "wf", "runId": "run"}


def event(event_id: int) -> dict[str, Any]:
    return {"eventId": event_id, "eventType": "MarkerRecorded"}


def unreachable() -> Exception:
    return botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:1")


def unknown_token() -> Exception:
    return botocore.exceptions.ClientError(
        {"Error": {"Code": "UnknownResourceFault", "Message": "Unknown execution"}}, "PollForDecisionTask"
    )


class FlakyClient:
    """Answers the pages of one decision task of 3 events, failing the calls listed in ``failures``."""

    def __init__(self, failures: dict[str, list[Exception]]) -> None:
        self.failures = failures
        self.calls: list[tuple[str, str | None]] = []

    def _fail(self, key: str) -> None:
        pending = self.failures.get(key)
        if pending:
            raise pending.pop(0)

    def poll_for_decision_task(self, **params: Any) -> dict[str, Any]:
        token = params.get("nextPageToken")
        self.calls.append(("poll", token))
        if token is None:
            self._fail("first")
            return {
                "taskToken": "t",
                "startedEventId": 3,
                "previousStartedEventId": 0,
                "workflowExecution": EXECUTION,
                "workflowType": {"name": "W", "version": "1"},
                "events": [event(1)],
                "nextPageToken": "p2",
            }
        self._fail(token)
        if token == "p2":
            return {"taskToken": "t", "events": [event(2)], "nextPageToken": "p3"}
        return {"taskToken": "t", "events": [event(3)]}

    def get_workflow_execution_history(self, **params: Any) -> dict[str, Any]:
        token = params.get("nextPageToken")
        self.calls.append(("history", token))
        self._fail(f"history-{token}")
        if token is None:
            return {"events": [event(1), event(2)], "nextPageToken": "h2"}
        return {"events": [event(3), event(4)]}


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(actors.time, "sleep", slept.append)
    return slept


def decider(client: FlakyClient, *, cache_bytes: int = 0) -> Decider:
    return Decider(client, "d", task_list="decisions", cache_bytes=cache_bytes)  # type: ignore[arg-type]


def test_a_later_page_cut_by_an_outage_is_asked_for_again(quick_backoff: list[float]) -> None:
    client = FlakyClient({"p2": [unreachable(), unreachable()], "p3": [unreachable()]})
    task = decider(client).poll()
    assert task is not None
    assert [e["eventId"] for e in task["events"]] == [1, 2, 3]
    assert client.calls == [("poll", None), *[("poll", "p2")] * 3, *[("poll", "p3")] * 2]
    assert len(quick_backoff) == 3


def test_a_first_page_failure_is_raised_for_the_poll_loop() -> None:
    client = FlakyClient({"first": [unreachable()]})
    with pytest.raises(EndpointUnreachable):
        decider(client).poll()
    assert client.calls == [("poll", None)]


def test_a_dead_task_is_not_retried(quick_backoff: list[float]) -> None:
    client = FlakyClient({"p2": [unknown_token()]})
    with pytest.raises(UnknownResource):
        decider(client).poll()
    assert quick_backoff == []


def test_an_outage_longer_than_the_retry_window_gives_up(
    monkeypatch: pytest.MonkeyPatch, quick_backoff: list[float]
) -> None:
    monkeypatch.setattr(actors, "PAGE_RETRY_SECONDS", 1.0)
    now = [0.0]
    monkeypatch.setattr(actors.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(actors.time, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    client = FlakyClient({"p2": [unreachable() for _ in range(50)]})
    with pytest.raises(EndpointUnreachable):
        decider(client).poll()
    assert 1 < len(client.calls) < 10
    assert now[0] <= 1.0


class LaterTaskClient(FlakyClient):
    """A decision task whose pages start after its previous one (event 2): a cold cache reads the history."""

    def poll_for_decision_task(self, **params: Any) -> dict[str, Any]:
        page = super().poll_for_decision_task(**params)
        page["events"] = [e for e in page["events"] if e["eventId"] >= 2]
        return page


def test_a_cache_miss_reads_the_history_through_an_outage() -> None:
    client = LaterTaskClient({"history-None": [unreachable()], "history-h2": [unreachable()]})
    task = decider(client, cache_bytes=1 << 20).poll()
    assert task is not None
    # The history is read up to the task's startedEventId (3): event 4 is not the task's.
    assert [e["eventId"] for e in task["events"]] == [1, 2, 3]
    assert client.calls.count(("history", None)) == 2
    assert client.calls.count(("history", "h2")) == 2
