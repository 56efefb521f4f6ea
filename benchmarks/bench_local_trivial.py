"""--local run of 1,000 trivial activities, submitted all at once then waited for. Goal: ratio <= 1.0.

simpleflow 0.36.0 calls the functions directly in --local; ours goes through the real replay executor
and the embedded service, and must still be no slower as a command a user runs.

The same workflow with no activity is timed too, to split each side's time into what any run costs
(interpreter, imports, set-up) and what each activity adds.
"""

from __future__ import annotations

import statistics
import sys

from benchmarks.reference import CPU_SECONDS, report, time_local_runs

GOAL_RATIO = 1.0
ACTIVITIES = 1000


def main() -> int:
    ours, reference = time_local_runs("TrivialWorkflow", f"[{ACTIVITIES}]", repeat=5)
    ratio = report(f"--local {ACTIVITIES:,} trivial activities, submit all then wait", ours, reference)
    met = ratio <= GOAL_RATIO
    print(f"  goal: ratio <= {GOAL_RATIO} -> {'met' if met else 'NOT met'}")
    CPU_SECONDS.clear()
    ours_empty, reference_empty = time_local_runs("TrivialWorkflow", "[0]", repeat=5)
    print("  where the time goes (medians):")
    for label, full, empty in (("ours", ours, ours_empty), ("reference", reference, reference_empty)):
        fixed = statistics.median(empty)
        per_activity_ms = (statistics.median(full) - fixed) / ACTIVITIES * 1000
        print(
            f"    {label:9s} fixed cost (no activity) {fixed:.3f} s, then {per_activity_ms:.3f} ms/activity"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
