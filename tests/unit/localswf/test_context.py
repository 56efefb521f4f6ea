"""What one call writes back: only the runs (and columns) it changed; registry rows cached between calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.localswf.context import Context
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.registry import register_domain, require_domain
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import DOMAIN, WORKER_LIST, Driver, schedule


class Statements:
    """The SQL the service runs (``sqlite3``'s trace callback), for the test to inspect."""

    def __init__(self, service: SWFService) -> None:
        self.seen: list[str] = []
        with service._lock:
            service.store.connection.set_trace_callback(self.seen.append)

    def matching(self, prefix: str) -> list[str]:
        return [statement for statement in self.seen if statement.startswith(prefix)]


class FrozenClock:
    """A clock that never moves: every call happens in the same instant."""

    def now(self) -> float:
        return 1_700_000_000.0


@pytest.fixture
def service(swf_service: SWFService) -> SWFService:
    """The suite's in-memory service (tests/conftest.py), under the name these tests read best with."""
    return swf_service


@pytest.fixture
def swf(service: SWFService) -> Iterator[Driver]:
    with embedded_client(service) as client:
        yield Driver(client).setup()


def stored_run(service: SWFService, run_id: str) -> Any:
    # The store is only used under the service's lock (its scheduler thread shares the connection).
    with service._lock:
        return service.store.row("SELECT * FROM runs WHERE run_id = ?", (run_id,))


def test_a_call_that_only_reads_a_run_does_not_rewrite_it(service: SWFService, swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(schedule("a1"))
    task = swf.poll_activity()
    statements = Statements(service)
    swf.client.record_activity_task_heartbeat(taskToken=task["taskToken"])  # loads the run, changes nothing
    swf.describe("wf-1", run_id)
    swf.events("wf-1", run_id)
    assert statements.matching("UPDATE runs") == []


def test_a_changed_run_is_persisted_with_only_its_changed_columns(service: SWFService, swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(schedule("a1"))
    task = swf.poll_activity()
    before = stored_run(service, run_id)
    statements = Statements(service)
    swf.client.respond_activity_task_completed(taskToken=task["taskToken"], result="r")
    after = stored_run(service, run_id)
    changed = {name for name in after.keys() if after[name] != before[name]}  # noqa: SIM118 (a Row iterates values)
    # Two events (completed, decision scheduled), one open activity fewer, a decision task queued.
    assert after["next_event_id"] == before["next_event_id"] + 2
    assert after["open_activities"] == before["open_activities"] - 1
    assert after["dt_state"] == "scheduled"
    [update] = statements.matching("UPDATE runs")
    assignments = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert {assignment.split(" = ")[0] for assignment in assignments.split(", ")} == changed


def test_flush_writes_a_loaded_run_once_per_change(service: SWFService, swf: Driver) -> None:
    run_id = swf.start()
    seq = stored_run(service, run_id)["seq"]
    statements = Statements(service)
    with service._lock:
        ctx = Context(service.store, now=0.0, limits=service.limits)
        run = ctx.load_run(seq)
        ctx.flush()
        assert statements.matching("UPDATE") == []
        run.latest_context = "remembered"
        ctx.flush()
        ctx.flush()  # nothing changed since the previous flush
    assert statements.matching("UPDATE") == [
        f"UPDATE runs SET latest_context = 'remembered' WHERE seq = {seq}"
    ]
    assert stored_run(service, run_id)["latest_context"] == "remembered"


def test_domain_and_type_are_read_once_across_calls(service: SWFService, swf: Driver) -> None:
    swf.start("wf-1")
    swf.decide(schedule("a1"))
    swf.work()
    statements = Statements(service)
    swf.start("wf-2")
    swf.decide(schedule("a1"))
    swf.work()
    assert statements.matching("SELECT * FROM domains") == []
    assert statements.matching("SELECT * FROM types") == []


def test_registry_changes_are_seen_by_the_next_call(swf: Driver) -> None:
    run_id = swf.start("wf-1")
    swf.client.deprecate_activity_type(domain=DOMAIN, activityType={"name": "act", "version": "1"})
    swf.decide(schedule("a1"))
    failed = [e for e in swf.events("wf-1", run_id) if "Failed" in e["eventType"]]
    assert failed[0]["scheduleActivityTaskFailedEventAttributes"]["cause"] == "ACTIVITY_TYPE_DEPRECATED"
    swf.client.deprecate_domain(name=DOMAIN)
    with pytest.raises(swf.client.exceptions.UnknownResourceFault):
        swf.client.poll_for_activity_task(domain=DOMAIN, taskList={"name": WORKER_LIST})


def test_a_rolled_back_registry_write_leaves_nothing_in_the_cache(service: SWFService) -> None:
    def register_then_fail(ctx: Context, params: dict[str, Any]) -> None:
        register_domain(ctx, {"name": "ghost", "workflowExecutionRetentionPeriodInDays": "1"})
        require_domain(ctx, "ghost")  # caches the row this transaction is about to roll back
        raise SWFFault("InternalFailure", "rolled back")

    with service._lock, pytest.raises(SWFFault):
        service._transact(register_then_fail, {})
    with pytest.raises(SWFFault) as caught:
        service.handle("DescribeDomain", {"name": "ghost"})
    assert caught.value.code == "UnknownResourceFault"


def test_tasks_scheduled_in_the_same_instant_go_out_in_run_then_scheduling_order() -> None:
    service = SWFService(poll_timeout=0.5, clock=FrozenClock())
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start("wf-1")
        swf.start("wf-2")
        first, second = swf.poll_decision(), swf.poll_decision()
        for task, prefix in ((second, "late"), (first, "early")):
            decisions = [schedule(f"{prefix}-{index}") for index in range(3)]
            client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        order = [swf.poll_activity()["activityId"] for _ in range(6)]
    service.close()
    assert order == ["early-0", "early-1", "early-2", "late-0", "late-1", "late-2"]
