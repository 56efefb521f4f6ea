"""The state one API call works on: the store, the time of the call, and what to do after commit.

Every handler receives a ``Context``. Executions it loads are cached as ``Run`` objects and written
back once, at the end of the transaction; task lists that gained a task are remembered so the service
wakes their pollers after the commit, never before.
"""

from __future__ import annotations

import json
import operator
import sqlite3
from dataclasses import dataclass, field, fields
from typing import Any

from simpleflow.localswf.limits import Limits
from simpleflow.localswf.store import Store

DECISION = "decision"
ACTIVITY = "activity"


@dataclass
class Run:
    """One workflow execution (a run), as stored in the ``runs`` table."""

    seq: int
    domain: str
    workflow_id: str
    run_id: str
    type_name: str
    type_version: str
    task_list: str
    task_priority: str | None
    child_policy: str
    execution_timeout: str
    task_timeout: str
    lambda_role: str | None
    tags: str
    started: float
    closed: float | None
    status: str
    close_status: str | None
    cancel_requested: int
    parent_seq: int | None
    parent_initiated_id: int | None
    parent_started_id: int | None
    latest_context: str | None
    latest_activity_at: float | None
    next_event_id: int
    open_activities: int
    open_timers: int
    open_lambdas: int
    dt_state: str | None
    dt_scheduled_id: int | None
    dt_started_id: int | None
    dt_token: str | None
    dt_pending: int
    dt_scheduled_at: float | None
    dt_task_list: str | None
    dt_priority: int
    dt_schedule_to_start: str | None
    prev_started_id: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Run:
        """Build from a ``SELECT * FROM runs`` row (columns in field order: see ``check_run_columns``)."""
        return cls(*row)

    @property
    def is_open(self) -> bool:
        """Whether the execution is still open."""
        return self.status == "OPEN"

    @property
    def execution(self) -> dict[str, str]:
        """The ``WorkflowExecution`` wire shape."""
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    @property
    def workflow_type(self) -> dict[str, str]:
        """The ``WorkflowType`` wire shape."""
        return {"name": self.type_name, "version": self.type_version}

    @property
    def tag_list(self) -> list[str]:
        """The execution's tags."""
        tags: list[str] = json.loads(self.tags)
        return tags


RUN_COLUMNS = [f.name for f in fields(Run) if f.name != "seq"]
run_values = operator.attrgetter(*RUN_COLUMNS)
UPDATE_RUN = f"UPDATE runs SET {', '.join(f'{name} = ?' for name in RUN_COLUMNS)} WHERE seq = ?"
INSERT_RUN = f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' for _ in RUN_COLUMNS)})"


def check_run_columns(store: Store) -> None:
    """``Run.from_row`` reads rows by position: the table's columns must follow the fields."""
    columns = [row[1] for row in store.rows("PRAGMA table_info(runs)")]
    if columns != [f.name for f in fields(Run)]:
        raise RuntimeError(f"runs table columns {columns} do not match the Run fields")


@dataclass
class Context:
    """One API call's view of the service: storage, time, limits and post-commit work."""

    store: Store
    now: float
    limits: Limits
    lambda_names: frozenset[str] = frozenset()
    runs: dict[int, Run] = field(default_factory=dict)
    woken: dict[tuple[str, str, str], int] = field(default_factory=dict)
    earliest_new_deadline: float | None = None
    lambda_jobs: list[tuple[int, int, str, str | None]] = field(default_factory=list)

    def load_run(self, seq: int) -> Run:
        """The execution with this sequence number (cached for the rest of the call)."""
        run = self.runs.get(seq)
        if run is None:
            row = self.store.row("SELECT * FROM runs WHERE seq = ?", (seq,))
            if row is None:
                raise LookupError(seq)
            run = Run.from_row(row)
            self.runs[seq] = run
        return run

    def adopt_row(self, row: sqlite3.Row) -> Run:
        """A ``Run`` for a row already read, reusing the cached object when there is one."""
        seq = row["seq"]
        run = self.runs.get(seq)
        if run is None:
            run = Run.from_row(row)
            self.runs[seq] = run
        return run

    def insert_run(self, values: dict[str, Any]) -> Run:
        """Create an execution row and return it as a cached ``Run``."""
        cursor = self.store.execute(INSERT_RUN, [values.get(name) for name in RUN_COLUMNS])
        seq = cursor.lastrowid
        assert seq is not None
        return self.load_run(seq)

    def flush(self) -> None:
        """Write every loaded execution back (called once, before commit)."""
        for run in self.runs.values():
            self.store.execute(UPDATE_RUN, (*run_values(run), run.seq))

    def wake(self, kind: str, domain: str, task_list: str) -> None:
        """Remember to wake one more poller of this task list after commit."""
        key = (kind, domain, task_list)
        self.woken[key] = self.woken.get(key, 0) + 1

    def add_deadline(self, due: float, kind: str, *, run_seq: int, ref: int) -> None:
        """Schedule a timeout, timer or clean-up for the scheduler."""
        self.store.execute(
            "INSERT INTO deadlines (due, kind, run_seq, ref) VALUES (?, ?, ?, ?)", (due, kind, run_seq, ref)
        )
        if self.earliest_new_deadline is None or due < self.earliest_new_deadline:
            self.earliest_new_deadline = due

    def drop_deadlines(self, run_seq: int, ref: int, *, kind: str | None = None) -> None:
        """Forget the deadlines attached to one task or timer (all kinds, or just ``kind``)."""
        if kind is None:
            self.store.execute("DELETE FROM deadlines WHERE run_seq = ? AND ref = ?", (run_seq, ref))
        else:
            self.store.execute(
                "DELETE FROM deadlines WHERE run_seq = ? AND ref = ? AND kind = ?", (run_seq, ref, kind)
            )
