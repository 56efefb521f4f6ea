"""Issue 16: the start-up of a test environment, what each test that uses one pays.

One environment per round, as the ``workflow_environment`` fixture makes one per test: open it, run one
execution that completes at its first decision (so that the decider and worker threads really start),
close it (every thread joined). The first environment of the process pays the imports and is reported
apart; the goal is on the others.

Goal: median (open + first execution + close) <= 50 ms per environment after the first. Printed as well,
for information: each phase, CPU seconds (this process), and a two-hour timer skipped in an environment.

    .venv/bin/python benchmarks/bench_test_environment.py
"""

from __future__ import annotations

import statistics
import sys
import time

from simpleflow import Workflow, futures

GOAL_MS = 50.0
ROUNDS = 40


class NothingWorkflow(Workflow):
    """Completes at its first decision task."""

    name = "bench.nothing"
    version = "1"
    task_list = "bench"

    def run(self) -> int:
        return 1


class TwoHourNapWorkflow(Workflow):
    """A two-hour timer, then done."""

    name = "bench.nap"
    version = "1"
    task_list = "bench"

    def run(self) -> str:
        futures.wait(self.start_timer("nap", 7200))
        return "rested"


def one_round() -> dict[str, float]:
    """Milliseconds of each phase of one environment, and the CPU milliseconds of the whole."""
    from simpleflow.testing import WorkflowEnvironment

    cpu, began = time.process_time(), time.perf_counter()
    environment = WorkflowEnvironment()
    opened = time.perf_counter()
    assert environment.execute(NothingWorkflow) == 1
    executed = time.perf_counter()
    environment.close()
    closed = time.perf_counter()
    return {
        "open": (opened - began) * 1000,
        "execute": (executed - opened) * 1000,
        "close": (closed - executed) * 1000,
        "total": (closed - began) * 1000,
        "cpu": (time.process_time() - cpu) * 1000,
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    first = one_round()
    print(
        f"first environment (imports included): {first['total']:.1f} ms "
        f"(open {first['open']:.1f}, execute {first['execute']:.1f}, close {first['close']:.1f}; "
        f"CPU {first['cpu']:.1f} ms)"
    )
    rounds = [one_round() for _ in range(ROUNDS)]
    print(f"next {ROUNDS} environments, median / p90 in ms:")
    for phase in ("open", "execute", "close", "total", "cpu"):
        values = [each[phase] for each in rounds]
        label = "CPU (whole round)" if phase == "cpu" else phase
        print(f"  {label:18s} {statistics.median(values):7.1f} / {percentile(values, 0.9):7.1f}")

    from simpleflow.testing import WorkflowEnvironment

    with WorkflowEnvironment() as environment:
        began = time.perf_counter()
        assert environment.execute(TwoHourNapWorkflow) == "rested"
        print(f"a two-hour timer, skipped: {(time.perf_counter() - began) * 1000:.0f} ms of wall time")

    median_total = statistics.median(each["total"] for each in rounds)
    met = median_total <= GOAL_MS
    print(
        f"goal: open + first execution + close <= {GOAL_MS:.0f} ms per environment after the first: "
        f"{median_total:.1f} ms -> {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
