"""Start-up: what a user waits for before any command does its work, ours against simpleflow 0.36.0.

- ``simpleflow --help`` and ``simpleflow workflow.start --help``: the CLI's own start-up;
- ``python -c 'import simpleflow'``: the package alone;
- ``python -c 'from simpleflow import Workflow, activity, futures'``: what a workflow module imports.

Each figure is the median of several runs, interpreter start included (``python -c pass`` is printed as
the floor). Goal: every ratio <= 1.0.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

from benchmarks.reference import (
    CPU_SECONDS,
    REFERENCE_VENV,
    REPO_ROOT,
    quiet_environment,
    reference_simpleflow,
    reference_workdir,
    report,
    time_command,
)

GOAL_RATIO = 1.0
REPEAT = 11
OUR_BIN = Path(sys.executable).parent
REFERENCE_BIN = REFERENCE_VENV / "bin"

CASES = [
    ("simpleflow --help", ["simpleflow", "--help"]),
    ("simpleflow workflow.start --help", ["simpleflow", "workflow.start", "--help"]),
    ("import simpleflow", ["python", "-c", "import simpleflow"]),
    (
        "from simpleflow import Workflow, activity, futures",
        ["python", "-c", "from simpleflow import Workflow, activity, futures"],
    ),
]


def time_case(argv: list[str], *, binaries: Path, cwd: Path) -> tuple[list[float], float]:
    """Wall-clock seconds of REPEAT runs of ``argv`` (its program taken from ``binaries``), and the
    median CPU seconds of those runs."""
    program = str(binaries / argv[0])
    timings = time_command([program, *argv[1:]], cwd=cwd, env=quiet_environment(cwd), repeat=REPEAT)
    return timings, statistics.median(CPU_SECONDS[program])


def main() -> int:
    reference_simpleflow()  # installs 0.36.0 on first use
    workdir = reference_workdir()  # where 0.36.0 runs, away from this checkout's simpleflow package
    met = True
    try:
        floor, _ = time_case(["python", "-c", "pass"], binaries=OUR_BIN, cwd=REPO_ROOT)
        print(f"interpreter alone (python -c pass): median {statistics.median(floor):.3f} s")
        for title, argv in CASES:
            CPU_SECONDS.clear()  # report() prints the CPU time of `simpleflow` runs: only this case's
            ours, ours_cpu = time_case(argv, binaries=OUR_BIN, cwd=REPO_ROOT)
            reference, reference_cpu = time_case(argv, binaries=REFERENCE_BIN, cwd=workdir)
            ratio = report(title, ours, reference)
            if argv[0] != "simpleflow":  # report() shows it for the simpleflow command only
                print(f"  CPU seconds (user+sys), median: ours {ours_cpu:.3f}, reference {reference_cpu:.3f}")
            met = met and ratio <= GOAL_RATIO
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"goal: every ratio <= {GOAL_RATIO} -> {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
