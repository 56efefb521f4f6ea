"""P3, decision cost against history length: a chain of N activities through ``--local``, N = 0, 100, 800.

``ChainWorkflow`` runs ``x = self.submit(inc, x).result`` N times, so each step is one activity and one
decision task, and the history grows by six events a step. The runs go through
``simpleflow.local.run_workflow`` with its defaults, what ``simpleflow workflow.start --local`` calls, in
this process (no interpreter start-up in the figures).

With T(N) the median wall time of a run of N steps:

- ms/step at N = (T(N) - T(0)) / N;
- growth = (T(800) - T(0)) / (8 * (T(100) - T(0))): 1 when a step costs the same however long the
  history is, 8 when each decision replays the whole history (the run then costs O(N²)).

Goal: growth <= 1.5. The same ratio from CPU time (steadier on a busy machine) is printed too.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.workflows import ChainWorkflow
from simpleflow.local import run_workflow

GOAL_GROWTH = 1.5
# Steps, and how many runs each: the long chain takes seconds on a decider that replays everything.
CASES = ((0, 5), (100, 5), (800, 3))


def time_chain(steps: int) -> tuple[float, float]:
    """Wall and CPU seconds of one run of a ``steps``-long chain; fails loudly on a wrong result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_workflow(ChainWorkflow, [steps])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if result != steps:
        raise RuntimeError(f"a chain of {steps} returned {result!r}")
    return wall, cpu


def growth(t0: float, t100: float, t800: float) -> float:
    """(T(800) - T(0)) / (8 * (T(100) - T(0)))."""
    return (t800 - t0) / (8 * (t100 - t0))


def main() -> int:
    time_chain(10)  # warm-up: imports, first-use caches
    wall: dict[int, float] = {}
    cpu: dict[int, float] = {}
    for steps, repeat in CASES:
        runs = [time_chain(steps) for _ in range(repeat)]
        wall[steps] = statistics.median(w for w, _ in runs)
        cpu[steps] = statistics.median(c for _, c in runs)
    print("chain of N activities through --local (x = self.submit(inc, x).result), medians")
    for steps, repeat in CASES:
        line = f"  N={steps:4d}: {wall[steps]:7.3f} s wall, {cpu[steps]:7.3f} s CPU over {repeat} runs"
        if steps:
            line += (
                f"; {(wall[steps] - wall[0]) / steps * 1000:6.2f} ms/step wall, "
                f"{(cpu[steps] - cpu[0]) / steps * 1000:6.2f} ms/step CPU"
            )
        print(line)
    wall_growth, cpu_growth = growth(wall[0], wall[100], wall[800]), growth(cpu[0], cpu[100], cpu[800])
    print(f"  growth (T(800) - T(0)) / (8 (T(100) - T(0))): {wall_growth:.2f} wall, {cpu_growth:.2f} CPU")
    met = wall_growth <= GOAL_GROWTH
    print(f"  goal: growth <= {GOAL_GROWTH} -> {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
