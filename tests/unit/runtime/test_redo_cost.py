"""A live run's resume costs what changed at a decision task, not how many of its tasks are open."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.executor import Executor
from simpleflow.runtime.cache import RunCache
from simpleflow.runtime.scheduling.scheduler import Scheduler
from simpleflow.testing import HistoryBuilder
from tests.unit.runtime.workflows import WideFanOut

# Over 100 (SWF's decisions per response), so the fan-out is scheduled over two decision tasks; the bounds
# below do not depend on the width, while a redo of every open task would grow as its square.
WIDTH = 150


def _scheduled_ids(decisions: list[dict[str, Any]]) -> list[str]:
    return [
        d["scheduleActivityTaskDecisionAttributes"]["activityId"]
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


class CountedSubmissions:
    """Counts ``Scheduler.submit_task`` calls (every resolution of a task goes through it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = Scheduler.submit_task

        def counted(scheduler: Scheduler, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(scheduler, *args, **kwargs)

        monkeypatch.setattr(Scheduler, "submit_task", counted)


@pytest.mark.parametrize("verify", [False, True])
def test_completing_one_task_per_decision_task_remakes_a_bounded_number_of_calls(
    monkeypatch: pytest.MonkeyPatch, verify: bool
) -> None:
    WideFanOut.starts = 0
    builder = HistoryBuilder(WideFanOut, input=[WIDTH], workflow_id="wide")
    executor = Executor(WideFanOut)
    runs = RunCache(verify=verify)
    counted = CountedSubmissions(monkeypatch)
    tasks_decided = 0

    def decide() -> list[dict[str, Any]]:
        nonlocal tasks_decided
        tasks_decided += 1
        replay = executor.replay(builder.decision_task(), runs=runs)
        builder.record_decisions(replay.decisions, execution_context=replay.execution_context)
        return replay.decisions

    ids = _scheduled_ids(decide())
    while len(ids) < WIDTH:  # 100 decisions at most per response: the rest come at the next tasks
        more = _scheduled_ids(decide())
        assert more, "the fan-out stopped scheduling"
        ids += more
    assert len(set(ids)) == WIDTH
    per_task: list[int] = []
    for index, activity_id in enumerate(ids):
        builder.activity_started(activity_id)
        builder.activity_completed(activity_id, result=index + 1)
        before = counted.calls
        decisions = decide()
        per_task.append(counted.calls - before)
    assert decisions[-1]["decisionType"] == "CompleteWorkflowExecution"
    assert decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"] == str(
        sum(range(1, WIDTH + 1))
    )
    if verify:
        # Each decision task also replays the whole history afresh, which resolves every task: the
        # live part must still agree with it (a mismatch raises): run() started once for the live run
        # and once per later decision task for its fresh replay.
        assert WideFanOut.starts == tasks_decided
        return
    assert WideFanOut.starts == 1  # every later decision task went on with the live run
    # Only tasks with a new event are made again: at the first completion, the tasks scheduled by the
    # last response (their scheduled events are new); from then on, the one task that completed. A
    # redo of every open task would make ~WIDTH**2 / 2 calls here.
    assert max(per_task[1:]) <= 1, per_task
    assert sum(per_task) <= 2 * WIDTH, sum(per_task)
