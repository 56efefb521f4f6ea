"""Every value from a history is escaped: hostile ids, inputs, tags, reasons and signal names."""

from __future__ import annotations

import json

import pytest

from simpleflow.console import ConsoleServer
from simpleflow.storage import open_store
from tests.console.conftest import (
    HOSTILE_ATTRIBUTE,
    HOSTILE_SCRIPT,
    HOSTILE_WORKFLOW_ID,
    ConsoleClient,
)
from tests.fixtures.executions import ACTIVITY_NAMES, DOMAIN, Execution, schedule

HOSTILE_ACTIVITY_ID = '"><svg onload=alert(5)>'
PAGES = ("/execution", "/execution/tasks", "/execution/timeline", "/execution/history")


@pytest.fixture(scope="module")
def hostile(console_world) -> Execution:
    driver = console_world.driver
    execution = driver.start(
        HOSTILE_WORKFLOW_ID, input=json.dumps([HOSTILE_SCRIPT, HOSTILE_ATTRIBUTE]), tags=(HOSTILE_SCRIPT,)
    )
    driver.decide([schedule(HOSTILE_ACTIVITY_ID, ACTIVITY_NAMES[0], json.dumps([HOSTILE_ATTRIBUTE]))])
    driver.work(lambda task: ("fail", HOSTILE_SCRIPT))
    console_world.client.signal_workflow_execution(
        domain=DOMAIN,
        workflowId=execution.workflow_id,
        signalName=HOSTILE_SCRIPT,
        input=json.dumps(HOSTILE_ATTRIBUTE),
    )
    console_world.client.terminate_workflow_execution(
        domain=DOMAIN, workflowId=execution.workflow_id, reason=HOSTILE_SCRIPT, details=HOSTILE_ATTRIBUTE
    )
    return execution


def assert_escaped(body: str) -> None:
    for raw in ("<script>alert", "<img src=x", "<svg onload", "onerror=alert(2)>"):
        assert raw not in body, f"{raw!r} reached the page unescaped"


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.rsplit("/", 1)[-1])
@pytest.mark.parametrize("view", ["readable", "raw"], ids=str)
def test_execution_pages_escape_history_values(console_world, hostile, path, view):
    reply = console_world.http.get(path, view=view, **console_world.run_query(hostile))
    assert reply.status == 200
    assert_escaped(reply.body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.body or "&amp;lt;script" in reply.body


def test_the_hostile_values_are_shown_not_dropped(console_world, hostile):
    query = console_world.run_query(hostile)
    overview = console_world.http.get("/execution", **query).body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in overview  # the termination reason and the tag
    assert "&#34;&gt;&lt;img src=x onerror=alert(3)&gt;" in overview  # the workflow id
    tasks = console_world.http.get("/execution/tasks", **query).body
    assert "&#34;&gt;&lt;svg onload=alert(5)&gt;" in tasks  # the activity id
    history = console_world.http.get("/execution/history", **query).body
    assert "signal" in history and "&lt;script&gt;alert(1)&lt;/script&gt;" in history


def test_list_and_forms_escape_ids_and_tags(console_world, hostile):
    listing = console_world.http.get("/executions", domain=DOMAIN, status="all", tag=HOSTILE_SCRIPT)
    assert_escaped(listing.body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.body  # the tag (and the filter's value)
    confirm = console_world.http.get(
        "/execution/confirm", action="restart", **console_world.run_query(hostile)
    )
    assert_escaped(confirm.body)
    assert 'name="workflow_id" value="&#34;&gt;&lt;img src=x onerror=alert(3)&gt;"' in confirm.body


def test_error_messages_escape_what_was_asked(console_world):
    reply = console_world.http.get("/execution", domain=DOMAIN, workflow_id=HOSTILE_SCRIPT)
    assert reply.status == 404
    assert_escaped(reply.body)


def test_out_of_band_values_are_fetched_from_the_store(console_world):
    store = open_store("memory://console-escaping", cache_bytes=0)
    reference = store.put(json.dumps({"rows": list(range(5)), "note": HOSTILE_SCRIPT}).encode())
    execution = console_world.driver.start("out-of-band-1", input=reference)
    query = console_world.run_query(execution)
    with ConsoleServer(console_world.client, port=0, store=store) as server:
        shown = ConsoleClient(server).get("/execution", **query).body
    assert "fetched from the payload store" in shown
    assert "&#34;rows&#34;: [0, 1, 2, 3, 4]" in shown and "&lt;script&gt;" in shown
    assert_escaped(shown)
    without_store = console_world.http.get("/execution", **query).body
    assert "out-of-band value not fetched" in without_store and "SIMPLEFLOW_PAYLOAD_STORE" in without_store
    assert reference in without_store
