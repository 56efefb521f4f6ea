"""--local fan-out of 200 activities that each sleep 50 ms. Goal: at least 8x faster than simpleflow 0.36.0.

simpleflow 0.36.0 runs --local activities one after the other (200 x 50 ms = 10 s at best); ours runs
them on a pool of worker threads through the real replay executor and the embedded service.
"""

from __future__ import annotations

import sys

from benchmarks.reference import report, time_local_runs

GOAL_SPEED_UP = 8.0


def main() -> int:
    ours, reference = time_local_runs("FanOutWorkflow", "[200]", repeat=3)
    ratio = report("--local fan-out of 200 x 50 ms activities", ours, reference)
    met = 1 / ratio >= GOAL_SPEED_UP
    print(f"  goal: speed-up >= x{GOAL_SPEED_UP:.0f} -> {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
