"""What a live run's resume costs in a wide fan-out: ``submit_task`` calls per decision task.

1,000 trivial activities submitted at once through ``--local`` (in this process), then waited for. At
each decision task a live run makes again only the calls whose task changed (a new event about it, or
still to be decided); open tasks with nothing new are not made again. So the calls per decision task
should stay near the number of tasks that changed, not grow with the tasks still open.

While the fan-out is being scheduled, 100 decisions at most fit a response, and every task not yet
scheduled is still to be decided at each task: those calls are real work and are counted apart. Once
every task is scheduled, a decision task only resolves what completed.

The calls are counted by wrapping ``Scheduler.submit_task`` (every resolution of a task goes through it,
in whichever thread decides), not by a profiler: a count does not depend on the machine's load.

Goal: over the decision tasks that schedule nothing, at most two ``submit_task`` calls per activity (its
start and its close are new events). How many completions each decision task brings depends on timing,
so this figure varies from run to run: a redo of every open task gave 0.2 to 4.6 per activity here. The
deterministic comparison is the unit test tests/unit/runtime/test_redo_cost.py (one completion per
decision task: 45,150 calls before, 303 after, for 300 tasks).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from typing import Any

GOAL_CALLS_PER_ACTIVITY = 2.0
ACTIVITIES = 1000


def main() -> int:
    os.environ.pop("SIMPLEFLOW_VERIFY_LIVE_RUNS", None)  # a fresh replay per task would count too
    from benchmarks.workflows import TrivialWorkflow
    from simpleflow.local import run_workflow
    from simpleflow.runtime.live_run import LiveRun
    from simpleflow.runtime.scheduling.scheduler import Scheduler

    counts = {"submit_task": 0, "decision tasks": 0, "after scheduling": 0}
    submit_task, decide = Scheduler.submit_task, LiveRun.decide

    def counted_submit(scheduler: Scheduler, *args: Any, **kwargs: Any) -> Any:
        counts["submit_task"] += 1
        return submit_task(scheduler, *args, **kwargs)

    def counted_decide(run: LiveRun, *args: Any, **kwargs: Any) -> Any:
        counts["decision tasks"] += 1
        before = counts["submit_task"]
        replay = decide(run, *args, **kwargs)
        if not any(d["decisionType"] == "ScheduleActivityTask" for d in replay.decisions):
            counts["after scheduling"] += counts["submit_task"] - before
        return replay

    Scheduler.submit_task = counted_submit  # type: ignore[method-assign,assignment]
    LiveRun.decide = counted_decide  # type: ignore[method-assign,assignment]
    cpu_before, wall_before = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    result = run_workflow(TrivialWorkflow, [ACTIVITIES])
    wall = time.perf_counter() - wall_before
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    assert result == sum(range(ACTIVITIES)), result
    calls, tasks = counts["submit_task"], counts["decision tasks"]
    per_activity = counts["after scheduling"] / ACTIVITIES
    print(f"--local fan-out of {ACTIVITIES:,} trivial activities (submitted at once, then waited for):")
    print(f"  {tasks} decision tasks, {calls:,} submit_task calls ({calls / max(tasks, 1):.1f} per task)")
    print(f"  {counts['after scheduling']:,} of them at decision tasks that scheduled nothing")
    print(f"  {wall:.2f} s wall, {cpu:.2f} s process CPU ({cpu / ACTIVITIES * 1000:.2f} ms per activity)")
    met = per_activity <= GOAL_CALLS_PER_ACTIVITY
    print(
        f"  goal: <= {GOAL_CALLS_PER_ACTIVITY:.0f} submit_task calls per activity once all are scheduled "
        f"({per_activity:.3f}) -> {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
