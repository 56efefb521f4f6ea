"""P3, long run: a 4,000-activity chain (about 24,000 events) through ``simpleflow standalone --local-swf``.

Goal: it completes, with the right result, under SWF's 25,000-event limit. Printed: the command's wall
time, the execution's own time (start to close, by the service's clock), and the CPU seconds of the
decider's process tree, of the workers' and of the ``standalone`` process that holds the embedded
service. A decider that replays the whole history on every decision task pays O(n²) here.

``SIMPLEFLOW_BENCH_LONG_CHAIN_STEPS`` sets the number of activities (default 4,000) for a quick run;
``SIMPLEFLOW_BENCH_LONG_CHAIN_TIMEOUT`` the seconds after which the run is stopped and the goal missed
(default 3,600).
"""

from __future__ import annotations

import os
import sys

from benchmarks.standalone_run import StandaloneFailed, run_standalone

DEFAULT_STEPS = 4000
DEFAULT_TIMEOUT = 3600.0
SWF_HISTORY_LIMIT = 25_000


def positive_setting(name: str, default: float) -> float:
    """The positive number in environment variable ``name``, else ``default``; exits on a bad value."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value <= 0:
        raise SystemExit(f"{name} must be a positive number, not {text!r}")
    return value


def main() -> int:
    steps = int(positive_setting("SIMPLEFLOW_BENCH_LONG_CHAIN_STEPS", DEFAULT_STEPS))
    timeout = positive_setting("SIMPLEFLOW_BENCH_LONG_CHAIN_TIMEOUT", DEFAULT_TIMEOUT)
    print(f"{steps:,}-activity chain through standalone --local-swf (1 decider, 1 worker process)")
    try:
        run = run_standalone("ChainWorkflow", [steps], timeout=timeout)
    except StandaloneFailed as error:
        print(f"  failed: {error}")
        print("  goal: completes -> NOT met")
        return 1
    cpu = run.cpu_seconds
    print(
        f"  wall time {run.wall_seconds:.1f} s (execution start to close {run.execution_seconds:.1f} s), "
        f"{run.events:,} events"
    )
    print(
        f"  CPU seconds: decider {cpu['decider']:.1f}, workers {cpu['workers']:.1f}, "
        f"standalone + embedded service {cpu['service']:.1f}; all processes {run.total_cpu_seconds:.1f}"
    )
    print(
        f"  per step: {run.execution_seconds / steps * 1000:.2f} ms of execution, "
        f"{cpu['decider'] / steps * 1000:.2f} ms of decider CPU"
    )
    met = run.result == steps and run.events <= SWF_HISTORY_LIMIT
    if run.result != steps:
        print(f"  wrong result: {run.result!r}, expected {steps}")
    print(f"  goal: completes -> {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
