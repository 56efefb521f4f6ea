"""Each page of the console, read over HTTP from a console serving an embedded SWF service."""

from __future__ import annotations

import pytest

from simpleflow.console import history_page, listing
from tests.console.conftest import text_of
from tests.fixtures.executions import DOMAIN, WORKFLOW_TYPE, Driver

SAME_INSTANT_DOMAIN = "console-same-instant"


def test_domains_page_lists_the_domain(console_world):
    reply = console_world.http.get("/")
    assert reply.status == 200
    assert f"/executions?domain={DOMAIN}" in reply.body
    assert "REGISTERED" in reply.body


def test_root_leads_to_the_default_domain(console_world):
    app = console_world.server.app
    app.default_domain = DOMAIN
    try:
        reply = console_world.http.get("/")
        assert reply.status == 303
        assert reply.headers["Location"] == f"/executions?domain={DOMAIN}"
        assert console_world.http.get("/", all="1").status == 200
    finally:
        app.default_domain = None


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({}, ["basic-1", "failing-1"], []),
        ({"status": "open"}, ["failing-1"], ["basic-1"]),
        ({"status": "closed"}, ["basic-1"], ["failing-1"]),
        ({"status": "all"}, ["basic-1", "failing-1"], []),
        ({"status": "all", "tag": "quickstart"}, ["basic-1"], ["failing-1"]),
        ({"status": "all", "workflow_id": "failing-1"}, ["failing-1"], ["basic-1"]),
        ({"status": "closed", "close_status": "COMPLETED"}, ["basic-1"], ["failing-1"]),
        ({"close_status": "FAILED"}, [], ["basic-1", "failing-1"]),
        ({"status": "all", "type": "basic", "version": "example"}, ["basic-1", "failing-1"], []),
        ({"status": "all", "type": "other"}, [], ["basic-1", "failing-1"]),
        ({"status": "all", "started_after": "2030-01-01"}, [], ["basic-1", "failing-1"]),
        ({"status": "all", "started_before": "2026-01-03T00:00"}, ["basic-1", "failing-1"], []),
    ],
    ids=[
        "default-all",
        "open",
        "closed",
        "all",
        "tag",
        "workflow-id",
        "close-status",
        "no-failed",
        "type",
        "other-type",
        "after",
        "before",
    ],
)
def test_executions_page_filters(console_world, params, shown, hidden):
    reply = console_world.http.get("/executions", domain=DOMAIN, **params)
    assert reply.status == 200, reply.body
    links = [f"workflow_id={workflow_id}&amp;run_id=" for workflow_id in shown]
    assert all(link in reply.body for link in links), (params, text_of(reply.body))
    assert not any(f"workflow_id={workflow_id}&amp;" in reply.body for workflow_id in hidden)


def test_executions_page_counts(console_world):
    reply = console_world.http.get("/executions", domain=DOMAIN, status="all")
    text = text_of(reply.body)
    assert "open: 1" in text and "closed: 2" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "sideways"}, "status must be one of open, closed, all"),
        ({"started_after": "yesterday"}, "started after: &#39;yesterday&#39; is not a date"),
        ({"close_status": "EXPLODED"}, "close status must be one of"),
        ({"page": "not-a-cursor"}, "the page link is not valid"),
    ],
    ids=["status", "date", "close-status", "cursor"],
)
def test_executions_page_refuses_bad_filters_in_one_line(console_world, params, message):
    reply = console_world.http.get("/executions", domain=DOMAIN, **params)
    assert reply.status == 400
    assert message in reply.body


def test_unknown_domain_is_a_clear_error(console_world):
    reply = console_world.http.get("/executions", domain="no-such-domain")
    assert reply.status == 404
    assert "no-such-domain" in reply.body


def _all_pages(client, domain, *, page_size, **filters):
    seen, cursor = [], None
    for _ in range(100):
        query = listing.ExecutionQuery(status="all", cursor=cursor, **filters)
        page = listing.list_executions(client, domain, query=query, page_size=page_size)
        seen.extend(page.rows)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


def test_all_merges_open_and_closed_newest_first(console_world):
    seen = _all_pages(console_world.client, DOMAIN, page_size=1)
    ids = [row.workflow_id for row in seen]
    assert ids == ["failing-1", "rich-1", "basic-1"]
    starts = [row.start for row in seen]
    assert starts == sorted(starts, reverse=True)
    assert len({row.run_id for row in seen}) == len(seen)


@pytest.fixture(scope="module")
def same_instant(console_world):
    """Seven runs started while the clock stands still (every third one closed), in a domain of their own."""
    swf = console_world.client
    Driver(swf, domain=SAME_INSTANT_DOMAIN).register()
    runs = []
    for number in range(7):
        run_id = swf.start_workflow_execution(
            domain=SAME_INSTANT_DOMAIN, workflowId=f"same-{number}", workflowType=WORKFLOW_TYPE
        )["runId"]
        if number % 3 == 0:
            swf.terminate_workflow_execution(
                domain=SAME_INSTANT_DOMAIN, workflowId=f"same-{number}", runId=run_id
            )
        runs.append(run_id)
    return runs


@pytest.mark.parametrize("page_size", [1, 2, 3, 50], ids=lambda size: f"pages-of-{size}")
def test_all_pages_runs_started_at_the_same_instant_once_each(console_world, same_instant, page_size):
    seen = _all_pages(console_world.client, SAME_INSTANT_DOMAIN, page_size=page_size)
    assert sorted(row.run_id for row in seen) == sorted(same_instant)
    filtered = _all_pages(
        console_world.client, SAME_INSTANT_DOMAIN, page_size=page_size, workflow_id="same-3"
    )
    assert [row.workflow_id for row in filtered] == ["same-3"]


def test_overview_of_a_completed_run(console_world):
    reply = console_world.http.get("/execution", **console_world.run_query(console_world.basic))
    assert reply.status == 200
    text = text_of(reply.body)
    assert "COMPLETED" in text
    assert "Result" in text and "<pre>4</pre>" in reply.body
    assert "<pre>[1]</pre>" in reply.body  # the input
    assert "quickstart" in text
    assert "Took" in text and "UTC" in text
    assert "data-refresh-url" not in reply.body  # a closed run does not refresh
    assert "Restart" in text and "Terminate" not in text


def test_overview_of_an_open_run_refreshes_and_offers_actions(console_world):
    reply = console_world.http.get("/execution", **console_world.run_query(console_world.failing))
    assert 'data-refresh-url="/execution/state?' in reply.body
    assert '<meta http-equiv="refresh"' in reply.body  # inside <noscript>: reading works without JS
    for label in ("Signal…", "Request cancel…", "Terminate…", "Restart…"):
        assert label in reply.body


def test_latest_run_when_no_run_id(console_world):
    reply = console_world.http.get("/execution", domain=DOMAIN, workflow_id="basic-1")
    assert reply.status == 200
    assert console_world.basic.run_id in reply.body


def test_unknown_execution_is_a_clear_error(console_world):
    reply = console_world.http.get("/execution", domain=DOMAIN, workflow_id="nobody")
    assert reply.status == 404
    assert "no execution of workflow &#39;nobody&#39;" in reply.body


def test_tasks_page_shows_attempts_workers_and_reasons(console_world):
    reply = console_world.http.get("/execution/tasks", **console_world.run_query(console_world.failing))
    text = text_of(reply.body)
    assert "activity-increment-1" in text and "ValueError: bad input" in text
    assert "test-worker" in text
    assert "activity-increment-2" in text and "scheduled" in text


def test_timeline_page_draws_the_tasks_and_the_run(console_world):
    reply = console_world.http.get("/execution/timeline", **console_world.run_query(console_world.basic))
    assert reply.status == 200
    assert "<svg" in reply.body
    assert "workflow run" in reply.body and "closed: completed" in reply.body
    assert "activity-double-1" in reply.body


def test_history_readable_and_raw(console_world):
    query = console_world.run_query(console_world.basic)
    readable = console_world.http.get("/execution/history", **query)
    assert "activity-increment-1: activity task completed" in text_of(readable.body)
    raw = console_world.http.get("/execution/history", view="raw", **query)
    assert "ActivityTaskCompleted" in raw.body and "&#34;scheduledEventId&#34;" in raw.body


def test_history_failures_only(console_world):
    reply = console_world.http.get(
        "/execution/history", failures="1", **console_world.run_query(console_world.failing)
    )
    text = text_of(reply.body)
    assert "activity task failed" in text
    assert "activity task completed" not in text and "workflow execution started" not in text


def test_history_by_event_type(console_world):
    query = console_world.run_query(console_world.basic)
    reply = console_world.http.get("/execution/history", event_type="ActivityTaskScheduled", **query)
    assert text_of(reply.body).count("activity task scheduled") == 2
    assert "activity task started" not in text_of(reply.body)
    bad = console_world.http.get("/execution/history", event_type="Nonsense", **query)
    assert bad.status == 400 and "&#39;Nonsense&#39; is not an SWF event type" in bad.body


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
def test_history_pages_cover_every_event_once(console_world, monkeypatch, filtered):
    from simpleflow.cli.lookup import find_execution

    monkeypatch.setattr(history_page, "PAGE_SIZE", 4)
    monkeypatch.setattr(history_page, "SCAN_PAGE", 5)
    execution = find_execution(
        console_world.client, DOMAIN, workflow_id="basic-1", run_id=console_world.basic.run_id
    )
    expected = [event["eventId"] for event in execution.history()]
    if filtered:
        expected = [e["eventId"] for e in execution.history() if e["eventType"].startswith("Decision")]
    seen, cursor, pages = [], None, 0
    while True:
        query = _decision_query(cursor) if filtered else history_page.HistoryQuery(cursor=cursor)
        page = history_page.load_history(execution, query)
        seen.extend(event.event_id for event in page.events)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    assert pages > 1


def _decision_query(cursor):
    class DecisionQuery(history_page.HistoryQuery):
        @property
        def is_filtered(self) -> bool:
            return True

        def matches(self, event) -> bool:
            return str(event["eventType"]).startswith("Decision")

    return DecisionQuery(cursor=cursor)


def test_history_newest_first(console_world):
    reply = console_world.http.get(
        "/execution/history", order="newest", **console_world.run_query(console_world.basic)
    )
    text = text_of(reply.body)
    assert text.index("workflow execution completed") < text.index("workflow execution started")


def test_state_json_names_the_latest_event(console_world):
    state = console_world.http.get("/execution/state", **console_world.run_query(console_world.basic)).json()
    assert state["status"] == "CLOSED" and state["version"] > 10


def test_static_assets_ship_in_the_package(console_world):
    css = console_world.http.get("/static/console.css")
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert console_world.http.get("/static/console.js").status == 200
    assert console_world.http.get("/static/../app.py").status == 404
    assert console_world.http.get("/static/missing.css").status == 404


def test_no_page_loads_anything_from_elsewhere(console_world):
    for path in ("/", "/execution", "/execution/timeline", "/execution/history"):
        reply = (
            console_world.http.get(path, **console_world.run_query(console_world.basic))
            if path != "/"
            else console_world.http.get("/")
        )
        assert "http://" not in reply.body.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in reply.body
        assert "default-src 'none'" in reply.headers["Content-Security-Policy"]


def test_unknown_page_and_method(console_world):
    assert console_world.http.get("/nowhere").status == 404
    assert console_world.http.request("POST", "/execution", form={}).status == 405


def test_timeline_draws_attempts_timers_signals_and_the_close(console_world):
    reply = console_world.http.get("/execution/timeline", **console_world.run_query(console_world.rich))
    body = reply.body
    for row in (
        "activity-increment-1 (attempt 1)",
        "cool-down",
        "signal approve",
        "workflow run",
        "closed: completed",
    ):
        assert row in body, row
    assert "ValueError: flaky" in body  # the failed attempt's tooltip


def test_timer_rows_are_drawn_waiting():
    from datetime import datetime, timedelta, timezone

    from simpleflow.console.picture import ExecutionTasks, timeline_rows
    from simpleflow.inspection.tasks import TaskStatus, TaskSummary

    start = datetime(2026, 1, 2, tzinfo=timezone.utc)
    timer = TaskSummary(
        task_id="cool-down",
        kind="timer",
        name="cool-down",
        version=None,
        status=TaskStatus.FIRED,
        scheduled_time=start,
        started_time=start,
        closed_time=start + timedelta(seconds=5),
    )
    rows = timeline_rows(ExecutionTasks(tasks=[timer], earlier_attempts=[], start=start))
    drawn = next(row for row in rows if row.task_id == "cool-down")
    assert drawn.started_time is None and drawn.closed_time == timer.closed_time
