"""The replayer's cost as a history grows: a chain of N activities, replayed decision task by decision task.

A history of N one-at-a-time activities has 6 events and one decision task per activity. It is built in
process (``HistoryBuilder`` playing SWF, the replay executor deciding), then replayed by
``simpleflow.testing.Replayer`` and timed, wall and process CPU. The replayer carries one live run from
task to task, as a decider does, so its cost must grow linearly with the history: the goal is
CPU(2N) / (2 CPU(N)) <= 1.5, with N = 800 by default (about 4,800 and 9,600 events, the largest under
SWF's advised 10,000). ``SIMPLEFLOW_VERIFY_LIVE_RUNS`` is turned off: it checks every task against a
fresh run, which is quadratic on purpose.

Usage: ``python benchmarks/bench_replayer.py [--steps N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from simpleflow import Workflow, activity, futures
from simpleflow.executor import Executor
from simpleflow.runtime.cache import VERIFY_VARIABLE, RunCache
from simpleflow.testing import HistoryBuilder, Replayer

GOAL_RATIO = 1.5


@activity.with_attributes(task_list="bench-replayer", version="1")
def step(number):
    return number


class ChainWorkflow(Workflow):
    name = "bench.replayer.chain"
    version = "1"
    task_list = "bench-replayer"

    def run(self, steps):
        total = 0
        for number in range(steps):
            total += futures.wait(self.submit(step, number))[0]
        return total


def build(steps: int) -> list[dict]:
    """The history of one execution of the chain, every activity completed as it is scheduled."""
    builder = HistoryBuilder(ChainWorkflow, input=[steps])
    executor = Executor(ChainWorkflow)
    runs = RunCache(max_runs=1, verify=False)
    try:
        while True:
            replay = executor.replay(builder.decision_task(), runs=runs)
            builder.record_decisions(replay.decisions, execution_context=replay.execution_context)
            for decision in replay.decisions:
                if decision["decisionType"] == "ScheduleActivityTask":
                    attributes = decision["scheduleActivityTaskDecisionAttributes"]
                    value = json.loads(attributes["input"])["args"][0]
                    builder.activity_completed(attributes["activityId"], result=value)
                elif decision["decisionType"] == "CompleteWorkflowExecution":
                    return builder.events
    finally:
        runs.close()


def timed_replay(events: list[dict]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = Replayer(ChainWorkflow).replay(events, raise_on_divergence=True)
    return time.perf_counter() - wall, time.process_time() - cpu, result.decision_tasks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=800, help="activities in the smaller chain (default 800)"
    )
    steps = parser.parse_args().steps
    os.environ[VERIFY_VARIABLE] = "0"
    figures = []
    for count in (steps, 2 * steps):
        events = build(count)
        wall, cpu, tasks = timed_replay(events)
        figures.append(cpu)
        print(
            f"chain of {count}: {len(events)} events, {tasks} decision tasks replayed in {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU ({1000 * cpu / tasks:.2f} ms CPU per task)"
        )
    ratio = figures[1] / (2 * figures[0])
    verdict = "met" if ratio <= GOAL_RATIO else "MISSED"
    print(f"CPU(2N) / (2 CPU(N)) = {ratio:.2f} (goal <= {GOAL_RATIO}): {verdict}")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
