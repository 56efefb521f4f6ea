"""--local run of 1,000 trivial activities, submitted all at once then waited for. Goal: ratio <= 1.0.

simpleflow 0.36.0 calls the functions directly in --local; ours goes through the real replay executor
and the embedded service, and must still be no slower as a command a user runs.
"""

from __future__ import annotations

import sys

from benchmarks.reference import report, time_local_runs

GOAL_RATIO = 1.0


def main() -> int:
    ours, reference = time_local_runs("TrivialWorkflow", "[1000]", repeat=5)
    ratio = report("--local 1,000 trivial activities, submit all then wait", ours, reference)
    met = ratio <= GOAL_RATIO
    print(f"  goal: ratio <= {GOAL_RATIO} -> {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
