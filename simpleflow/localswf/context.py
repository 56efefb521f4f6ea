"""The state one API call works on: the store, the time of the call, and what to do after commit.

Every handler receives a ``Context``. Executions it loads are cached as ``Run`` objects and written
back once, at the end of the transaction, and only the columns the call changed; task lists that gained
a task are remembered so the service wakes their pollers after the commit, never before. Domain and type
rows are read through a ``RegistryCache`` kept by the service between calls.
"""

from __future__ import annotations

import json
import operator
import sqlite3
from dataclasses import dataclass, field, fields
from typing import Any

from simpleflow.localswf.limits import Limits
from simpleflow.localswf.rates import CreationRates
from simpleflow.localswf.region import DEFAULT_REGION
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
INSERT_RUN = f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' for _ in RUN_COLUMNS)})"


def check_run_columns(store: Store) -> None:
    """``Run.from_row`` reads rows by position: the table's columns must follow the fields."""
    columns = [row[1] for row in store.rows("PRAGMA table_info(runs)")]
    if columns != [f.name for f in fields(Run)]:
        raise RuntimeError(f"runs table columns {columns} do not match the Run fields")


def update_run_sql(changed: tuple[int, ...]) -> str:
    """The ``UPDATE`` writing the columns at these positions of ``RUN_COLUMNS`` (cached per set)."""
    sql = _UPDATE_RUN_SQL.get(changed)
    if sql is None:
        assignments = ", ".join(f"{RUN_COLUMNS[index]} = ?" for index in changed)
        sql = _UPDATE_RUN_SQL[changed] = f"UPDATE runs SET {assignments} WHERE seq = ?"
    return sql


# A handful of column sets recur (an event appended, a decision task taken, ...): the text stays the
# same, so sqlite3's statement cache keeps serving the prepared statement.
_UPDATE_RUN_SQL: dict[tuple[int, ...], str] = {}


class RegistryCache:
    """Domain and type rows kept between calls: nearly every call reads its domain, and every scheduled
    activity its type, while they change only through the registry operations.

    A call that writes the registry calls ``Context.forget_registry``, which empties the cache at once
    (so the rest of the call reads its own writes) and again after the transaction, committed or rolled
    back, so that nothing read from an uncommitted state outlives it. Misses are cached too (as None):
    an unknown domain stays unknown until a registry call changes something.
    """

    def __init__(self) -> None:
        self.domains: dict[str, sqlite3.Row | None] = {}
        self.types: dict[tuple[str, str, str, str], tuple[sqlite3.Row, dict[str, Any]] | None] = {}

    def clear(self) -> None:
        """Forget everything (a registry write happened)."""
        self.domains.clear()
        self.types.clear()

    def find_domain(self, store: Store, name: str) -> sqlite3.Row | None:
        """The ``domains`` row of ``name``, or None."""
        if name in self.domains:
            return self.domains[name]
        row = self.domains[name] = store.row("SELECT * FROM domains WHERE name = ?", (name,))
        return row

    def find_type(
        self, store: Store, key: tuple[str, str, str, str]
    ) -> tuple[sqlite3.Row, dict[str, Any]] | None:
        """The ``types`` row of (domain, kind, name, version) and its parsed defaults, or None."""
        if key in self.types:
            return self.types[key]
        row = store.row("SELECT * FROM types WHERE domain = ? AND kind = ? AND name = ? AND version = ?", key)
        found = self.types[key] = None if row is None else (row, json.loads(row["config"]))
        return found


@dataclass
class Context:
    """One API call's view of the service: storage, time, limits and post-commit work."""

    store: Store
    now: float
    limits: Limits
    lambda_names: frozenset[str] = frozenset()
    registry: RegistryCache = field(default_factory=RegistryCache)
    registry_changed: bool = False
    runs: dict[int, Run] = field(default_factory=dict)
    # The stored values of each loaded run (``run_values`` order): ``flush`` writes only what differs.
    stored_values: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    woken: dict[tuple[str, str, str], int] = field(default_factory=dict)
    earliest_new_deadline: float | None = None
    lambda_jobs: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    #: The service's creation-rate buckets (``None``: no rate is enforced).
    rates: CreationRates | None = None
    #: The AWS region the request is addressed to, which the ARNs of the answer name.
    region: str = DEFAULT_REGION

    def load_run(self, seq: int) -> Run:
        """The execution with this sequence number (cached for the rest of the call)."""
        run = self.runs.get(seq)
        if run is None:
            row = self.store.row("SELECT * FROM runs WHERE seq = ?", (seq,))
            if row is None:
                raise LookupError(seq)
            run = self._cache(Run.from_row(row))
        return run

    def adopt_row(self, row: sqlite3.Row) -> Run:
        """A ``Run`` for a row already read, reusing the cached object when there is one."""
        seq = row["seq"]
        run = self.runs.get(seq)
        if run is None:
            run = self._cache(Run.from_row(row))
        return run

    def _cache(self, run: Run) -> Run:
        self.runs[run.seq] = run
        self.stored_values[run.seq] = run_values(run)
        return run

    def insert_run(self, values: dict[str, Any]) -> Run:
        """Create an execution row and return it as a cached ``Run``."""
        cursor = self.store.execute(INSERT_RUN, [values.get(name) for name in RUN_COLUMNS])
        seq = cursor.lastrowid
        assert seq is not None
        return self.load_run(seq)

    def flush(self) -> None:
        """Write back the columns the call changed in the loaded executions (once, before commit)."""
        for seq, run in self.runs.items():
            values = run_values(run)
            stored = self.stored_values[seq]
            if values == stored:
                continue
            changed = tuple(index for index, value in enumerate(values) if value != stored[index])
            self.store.execute(update_run_sql(changed), (*(values[index] for index in changed), seq))
            self.stored_values[seq] = values

    def domain_row(self, name: str) -> sqlite3.Row | None:
        """The ``domains`` row of ``name``, or None (through the registry cache)."""
        return self.registry.find_domain(self.store, name)

    def type_row(
        self, domain: str, *, kind: str, name: str, version: str
    ) -> tuple[sqlite3.Row, dict[str, Any]] | None:
        """The ``types`` row and its parsed defaults, or None (through the registry cache).

        The defaults dict is shared by every caller until the cache is cleared: read it, never change it.
        """
        return self.registry.find_type(self.store, (domain, kind, name, version))

    def forget_registry(self) -> None:
        """The call writes domains or types: drop the cached rows now and after the transaction."""
        self.registry.clear()
        self.registry_changed = True

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
