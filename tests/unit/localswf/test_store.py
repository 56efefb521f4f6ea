"""Durable storage: a service on a database file picks up where the previous one stopped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import Driver, schedule


def test_a_restarted_service_keeps_histories_tasks_and_tokens(tmp_path: Path) -> None:
    db = str(tmp_path / "swf.db")
    first = SWFService(db, poll_timeout=0.5)
    with embedded_client(first) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        swf.decide(schedule("a1"), schedule("a2"))
        started = swf.poll_activity()
        before = swf.history("wf-1", run_id)
    first.close()
    second = SWFService(db, poll_timeout=0.5)
    with embedded_client(second) as client:
        swf = Driver(client)
        assert swf.history("wf-1", run_id) == before
        client.respond_activity_task_completed(taskToken=started["taskToken"], result="after restart")
        assert swf.poll_activity()["taskToken"]
        events = swf.events("wf-1", run_id)
        assert [event["eventId"] for event in events] == list(range(1, len(events) + 1))
    second.close()
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
