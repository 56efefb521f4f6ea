"""A decider started without its payload store: the task is left to time out, the execution is never failed.

Before, a reference read with no store raised a plain ``PayloadError`` inside ``run()``, which closed the
execution as failed for good; now it is a ``PayloadReferenceError`` (``PayloadStoreMissing``), raised out of
the replay like any payload the decider cannot read, so the execution resumes once the setting is fixed.
(A ``run()`` that catches every exception still sees it there, as it sees a store's other faults only
when a store is configured: then the executor raises them again after the run.)
"""

from __future__ import annotations

import pytest

from simpleflow import Executor, Workflow, activity
from simpleflow.exceptions import PayloadReferenceError, PayloadStoreMissing
from simpleflow.payload import PayloadReference
from simpleflow.storage import FileSystemStore
from simpleflow.testing import HistoryBuilder, Raw

RESULT = b'"a result too large for SWF, stored out of band"'


@activity.with_attributes(task_list="missing-store", version="1")
def produce() -> str:
    return "never run here"


class ReadsAResult(Workflow):
    name = "tests.missing_store.reads"
    version = "1"
    task_list = "missing-store"

    def run(self) -> str:
        return self.submit(produce).result


def history_with_a_result(workflow: type[Workflow], reference: str) -> HistoryBuilder:
    """``workflow``'s history once its one activity completed with ``reference`` as its result."""
    history = HistoryBuilder(workflow)
    decisions = Executor(workflow).replay(history.decision_task()).decisions
    history.record_decisions(decisions)
    activity_id = decisions[0]["scheduleActivityTaskDecisionAttributes"]["activityId"]
    history.activity_completed(activity_id, result=Raw(reference))
    return history


def test_a_reference_without_a_store_is_raised_out_of_the_replay() -> None:
    history = history_with_a_result(ReadsAResult, PayloadReference.for_data(RESULT, "file:///nowhere").text)
    with pytest.raises(PayloadStoreMissing) as raised:
        Executor(ReadsAResult).replay(history.decision_task())
    assert isinstance(raised.value, PayloadReferenceError)
    assert "no payload store is configured; set SIMPLEFLOW_PAYLOAD_STORE" in str(raised.value)


def test_with_the_store_the_same_history_completes(tmp_path) -> None:
    store = FileSystemStore(tmp_path / "store")
    reference = store.put(RESULT)
    history = history_with_a_result(ReadsAResult, reference)
    decisions = Executor(ReadsAResult, payload_store=store).replay(history.decision_task()).decisions
    assert [d["decisionType"] for d in decisions] == ["CompleteWorkflowExecution"]
