"""P2: ``workflow.start --local`` of 1,000 trivial activities, submitted all at once then waited for.

Both sides run as the command a user types, interpreter start included: this project's, and simpleflow
0.36.0's. Each run of 1,000 activities is paired with a run of the same workflow with none, which
splits a side's time into its fixed cost (interpreter, imports, set-up: what any run pays) and what each
activity adds:

- fixed cost = T(0); ms per activity = (T(1,000) - T(0)) / 1,000, from the medians.

Goals: ours <= 0.5 ms per activity, and our fixed cost <= simpleflow 0.36.0's. The ratio of the whole
runs (ours / 0.36.0) is printed as information only: 0.36.0 calls the functions directly in --local,
while ours runs the real replay executor against a real engine, which no longer has to beat it.
"""

from __future__ import annotations

import statistics
import sys

from benchmarks.reference import CPU_SECONDS, OUR_SIMPLEFLOW, REFERENCE_VENV, report, time_local_runs

GOAL_MS_PER_ACTIVITY = 0.5
ACTIVITIES = 1000
REPEAT = 5


def median_cpu(command: str) -> float:
    """Median CPU seconds of the runs of ``command`` timed since the last ``CPU_SECONDS.clear()``."""
    return statistics.median(CPU_SECONDS[command])


def main() -> int:
    ours_command, reference_command = str(OUR_SIMPLEFLOW), str(REFERENCE_VENV / "bin" / "simpleflow")
    ours, reference = time_local_runs("TrivialWorkflow", f"[{ACTIVITIES}]", repeat=REPEAT)
    report(f"--local {ACTIVITIES:,} trivial activities, submit all then wait", ours, reference)
    full_cpu = {"ours": median_cpu(ours_command), "0.36.0": median_cpu(reference_command)}
    CPU_SECONDS.clear()
    ours_empty, reference_empty = time_local_runs("TrivialWorkflow", "[0]", repeat=REPEAT)
    empty_cpu = {"ours": median_cpu(ours_command), "0.36.0": median_cpu(reference_command)}
    fixed = {"ours": statistics.median(ours_empty), "0.36.0": statistics.median(reference_empty)}
    per_activity_ms = {
        "ours": (statistics.median(ours) - fixed["ours"]) / ACTIVITIES * 1000,
        "0.36.0": (statistics.median(reference) - fixed["0.36.0"]) / ACTIVITIES * 1000,
    }
    print("  fixed cost and cost per activity (medians; CPU seconds of the command in brackets):")
    for side in ("ours", "0.36.0"):
        cpu_ms = (full_cpu[side] - empty_cpu[side]) / ACTIVITIES * 1000
        print(
            f"    {side:6s} fixed {fixed[side]:.3f} s [{empty_cpu[side]:.3f}], "
            f"then {per_activity_ms[side]:.3f} ms/activity [{cpu_ms:.3f} ms CPU]"
        )
    per_activity_met = per_activity_ms["ours"] <= GOAL_MS_PER_ACTIVITY
    fixed_met = fixed["ours"] <= fixed["0.36.0"]
    print(
        f"  goal: <= {GOAL_MS_PER_ACTIVITY} ms/activity -> {'met' if per_activity_met else 'NOT met'}; "
        f"fixed cost <= 0.36.0's ({fixed['ours']:.3f} s vs {fixed['0.36.0']:.3f} s) -> "
        f"{'met' if fixed_met else 'NOT met'}"
    )
    return 0 if per_activity_met and fixed_met else 1


if __name__ == "__main__":
    sys.exit(main())
