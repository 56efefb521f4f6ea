"""SQLite storage of the embedded SWF service: schema, connection, one transaction per API call.

Events are append-only rows keyed by (run, event id); an execution's row carries its counters and the
state of its single decision task, so appending an event or handing out a task touches a few rows and
never rewrites a history. Deadlines (timeouts, timers, retention) live in one table indexed by due time,
which the scheduler reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from simpleflow.localswf.db_file import MEMORY, connect, is_write_failure, opening_failure, write_failure

SCHEMA = """
CREATE TABLE IF NOT EXISTS domains (
    name TEXT PRIMARY KEY,
    description TEXT,
    status TEXT NOT NULL,
    retention_days TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS resource_tags (
    arn TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT,
    PRIMARY KEY (arn, tag_key)
);
CREATE TABLE IF NOT EXISTS types (
    domain TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    description TEXT,
    created REAL NOT NULL,
    deprecated REAL,
    config TEXT NOT NULL,
    PRIMARY KEY (domain, kind, name, version)
);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    type_name TEXT NOT NULL,
    type_version TEXT NOT NULL,
    task_list TEXT NOT NULL,
    task_priority TEXT,
    child_policy TEXT NOT NULL,
    execution_timeout TEXT NOT NULL,
    task_timeout TEXT NOT NULL,
    lambda_role TEXT,
    tags TEXT NOT NULL,
    started REAL NOT NULL,
    closed REAL,
    status TEXT NOT NULL,
    close_status TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    parent_seq INTEGER,
    parent_initiated_id INTEGER,
    parent_started_id INTEGER,
    latest_context TEXT,
    latest_activity_at REAL,
    next_event_id INTEGER NOT NULL,
    open_activities INTEGER NOT NULL DEFAULT 0,
    open_timers INTEGER NOT NULL DEFAULT 0,
    open_lambdas INTEGER NOT NULL DEFAULT 0,
    dt_state TEXT,
    dt_scheduled_id INTEGER,
    dt_started_id INTEGER,
    dt_token TEXT,
    dt_pending INTEGER NOT NULL DEFAULT 0,
    dt_scheduled_at REAL,
    dt_task_list TEXT,
    dt_priority INTEGER NOT NULL DEFAULT 0,
    dt_schedule_to_start TEXT,
    prev_started_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs (domain, workflow_id, status);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (domain, status, started);
CREATE INDEX IF NOT EXISTS runs_by_close ON runs (domain, status, closed);
CREATE INDEX IF NOT EXISTS runs_by_parent ON runs (parent_seq, status);
-- In the order tasks are handed out (priority DESC, then age; seq is the rowid every index ends with),
-- so a take reads the first entry instead of sorting a batch scheduled in the same instant.
DROP INDEX IF EXISTS runs_decision_queue;
CREATE INDEX IF NOT EXISTS runs_decision_order ON runs
    (domain, dt_task_list, dt_priority DESC, dt_scheduled_at) WHERE dt_state = 'scheduled';
CREATE INDEX IF NOT EXISTS runs_with_decision_task ON runs (dt_state) WHERE dt_state IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS runs_by_token ON runs (dt_token) WHERE dt_token IS NOT NULL;
CREATE TABLE IF NOT EXISTS events (
    run_seq INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    event_type TEXT NOT NULL,
    attrs TEXT NOT NULL,
    PRIMARY KEY (run_seq, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activities (
    run_seq INTEGER NOT NULL,
    activity_id TEXT NOT NULL,
    scheduled_id INTEGER NOT NULL,
    started_id INTEGER NOT NULL DEFAULT 0,
    domain TEXT NOT NULL,
    task_list TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    scheduled_at REAL NOT NULL,
    type_name TEXT NOT NULL,
    type_version TEXT NOT NULL,
    input TEXT,
    state TEXT NOT NULL,
    token TEXT,
    start_to_close TEXT NOT NULL,
    heartbeat_timeout TEXT NOT NULL,
    heartbeat_at REAL,
    details TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_seq, activity_id)
);
DROP INDEX IF EXISTS activities_queue;
CREATE INDEX IF NOT EXISTS activities_order ON activities
    (domain, task_list, priority DESC, scheduled_at, run_seq, scheduled_id) WHERE state = 'scheduled';
CREATE INDEX IF NOT EXISTS activities_started ON activities (state) WHERE state = 'started';
CREATE UNIQUE INDEX IF NOT EXISTS activities_by_token ON activities (token) WHERE token IS NOT NULL;
CREATE INDEX IF NOT EXISTS activities_by_scheduled ON activities (run_seq, scheduled_id);
CREATE TABLE IF NOT EXISTS timers (
    run_seq INTEGER NOT NULL,
    timer_id TEXT NOT NULL,
    started_id INTEGER NOT NULL,
    PRIMARY KEY (run_seq, timer_id)
);
CREATE TABLE IF NOT EXISTS lambdas (
    run_seq INTEGER NOT NULL,
    lambda_id TEXT NOT NULL,
    scheduled_id INTEGER NOT NULL,
    started_id INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    input TEXT,
    PRIMARY KEY (run_seq, lambda_id)
);
CREATE TABLE IF NOT EXISTS deadlines (
    due REAL NOT NULL,
    kind TEXT NOT NULL,
    run_seq INTEGER NOT NULL,
    ref INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deadlines_by_due ON deadlines (due);
CREATE INDEX IF NOT EXISTS deadlines_by_ref ON deadlines (run_seq, ref);
"""


class Store:
    """One SQLite connection, shared by the service's threads under the service's lock.

    A file database runs in WAL mode with ``synchronous=NORMAL``: a commit reaches the OS before the
    API call answers, so killing the process loses nothing that was acknowledged.
    """

    def __init__(self, path: str = MEMORY) -> None:
        self.path = path
        # Raises DatabaseUnusable, one line saying what is wrong with the file and what to do.
        self.connection = connect(path)
        self.connection.row_factory = sqlite3.Row
        try:
            if path != MEMORY:
                self.connection.execute("PRAGMA journal_mode=WAL")
                self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.executescript(SCHEMA)
        except sqlite3.Error as error:
            # SQLite reads the file only now: a damaged or read-only one is refused here.
            self.connection.close()
            raise opening_failure(path, error) from error

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block as one transaction: committed on success, rolled back on any exception.

        A write the disk refuses (full, over a size limit, an I/O error) rolls the transaction back and
        raises SWF's ``ServiceUnavailable`` (see :func:`~simpleflow.localswf.db_file.write_failure`).
        """
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            self.connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if not is_write_failure(error):
                raise  # a bug, which the transports answer as InternalFailure, traceback logged
            self._rollback()
            raise write_failure(error) from error

    def _rollback(self) -> None:
        # SQLite may already have rolled back on its own after a failed write (then there is nothing
        # left to roll back, and saying so is no new error).
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self.connection.execute(sql, params)

    def row(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        row: sqlite3.Row | None = self.connection.execute(sql, params).fetchone()
        return row

    def rows(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        return self.connection.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.connection.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
