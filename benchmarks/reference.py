"""Timing harness shared by the benchmarks, and the simpleflow 0.36.0 reference run as a black box.

The reference is installed from PyPI by its ordinary client into a throwaway virtualenv under the
temporary directory (reused between runs) and only ever executed as a command: nothing of its code is
imported here.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REFERENCE_VERSION = "0.36.0"
REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_VENV = Path(tempfile.gettempdir()) / f"simpleflow-{REFERENCE_VERSION}-bench-venv"
OUR_SIMPLEFLOW = Path(sys.executable).parent / "simpleflow"
#: CPU seconds (user + system) of every timed run, by command: wall-clock figures on a loaded machine
#: mostly measure the other processes; CPU time says what the run itself cost.
CPU_SECONDS: dict[str, list[float]] = {}


def our_pythonpath() -> str:
    """``PYTHONPATH`` for the processes that run this project: the checkout, preceded under
    ``python -m benchmarks.profiling`` by the directory whose ``sitecustomize`` profiles them."""
    if os.environ.get("SIMPLEFLOW_BENCH_PROFILE_DIR"):
        return os.pathsep.join([str(REPO_ROOT / "benchmarks" / "profiling"), str(REPO_ROOT)])
    return str(REPO_ROOT)


def reference_simpleflow() -> Path:
    """The ``simpleflow`` command of simpleflow 0.36.0, installed on first use."""
    command = REFERENCE_VENV / "bin" / "simpleflow"
    if command.exists():
        return command
    print(f"installing simpleflow=={REFERENCE_VERSION} into {REFERENCE_VENV} (first run only)", flush=True)
    shutil.rmtree(REFERENCE_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(REFERENCE_VENV)], check=True)
    subprocess.run(
        [str(REFERENCE_VENV / "bin" / "pip"), "install", "-q", f"simpleflow=={REFERENCE_VERSION}"],
        check=True,
    )
    return command


def reference_workdir() -> Path:
    """A directory holding a copy of ``benchmarks/workflows.py`` and nothing of this project.

    Running the reference from the checkout would import this project's ``simpleflow`` package instead
    of 0.36.0's, so the reference runs from here.
    """
    workdir = Path(tempfile.mkdtemp(prefix="simpleflow-bench-ref-"))
    package = workdir / "benchmarks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy(REPO_ROOT / "benchmarks" / "workflows.py", package / "workflows.py")
    return workdir


def quiet_environment(pythonpath: Path) -> dict[str, str]:
    """The environment of a timed command: only ``pythonpath`` importable, warnings-level logs.

    Bytecode may be written: the reference is pip-installed with its modules compiled, while this
    project runs from the checkout, which ``PYTHONDONTWRITEBYTECODE`` (set on some machines) would make
    recompile on every run; :func:`time_command` runs once untimed first, as a user's second run.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_ENDPOINT_URL", "SWF_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    path = our_pythonpath() if pythonpath == REPO_ROOT else str(pythonpath)
    env.update({"PYTHONPATH": path, "LOG_LEVEL": "WARNING"})
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return env


def time_command(argv: Sequence[str], *, cwd: Path, env: dict[str, str], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` runs of a command (interpreter start included, as a user sees it).

    One untimed run goes first, so that neither side pays for first-run work (compiling bytecode,
    filling the OS file cache) that a user pays once.

    Raises RuntimeError with the command's stderr tail when a run fails: a benchmark of a failing run
    would be meaningless.
    """
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)  # warm-up: caches, bytecode
    timings = []
    for _ in range(repeat):
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        timings.append(time.perf_counter() - started)
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU_SECONDS.setdefault(argv[0], []).append(
            cpu_after.ru_utime - cpu_before.ru_utime + cpu_after.ru_stime - cpu_before.ru_stime
        )
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{tail}")
    return timings


def time_local_runs(workflow: str, input_json: str, *, repeat: int) -> tuple[list[float], list[float]]:
    """Times ``workflow.start --local`` of ``benchmarks.workflows.<workflow>``: ours, then 0.36.0's."""
    arguments = ["workflow.start", "--local", f"benchmarks.workflows.{workflow}", "--input", input_json]
    ours = time_command(
        [str(OUR_SIMPLEFLOW), *arguments],
        cwd=REPO_ROOT,
        env=quiet_environment(REPO_ROOT),
        repeat=repeat,
    )
    workdir = reference_workdir()
    try:
        reference = time_command(
            [str(reference_simpleflow()), *arguments],
            cwd=workdir,
            env=quiet_environment(workdir),
            repeat=repeat,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return ours, reference


def report(title: str, ours: list[float], reference: list[float]) -> float:
    """Prints medians and the ratio ours / reference (below 1.0: we are faster); returns the ratio."""
    ours_median, reference_median = statistics.median(ours), statistics.median(reference)
    ratio = ours_median / reference_median
    print(title)
    print(
        f"  simpleflow (this project): median {ours_median:.3f} s over {len(ours)} runs "
        f"{format_timings(ours)}"
    )
    print(
        f"  simpleflow {REFERENCE_VERSION}:         median {reference_median:.3f} s over "
        f"{len(reference)} runs {format_timings(reference)}"
    )
    print(f"  ratio ours/reference = {ratio:.3f}  (speed-up x{1 / ratio:.1f})")
    ours_cpu = CPU_SECONDS.get(str(OUR_SIMPLEFLOW), [])
    reference_cpu = CPU_SECONDS.get(str(REFERENCE_VENV / "bin" / "simpleflow"), [])
    if ours_cpu and reference_cpu:
        print(
            f"  CPU seconds (user+sys), median: ours {statistics.median(ours_cpu):.3f}, "
            f"reference {statistics.median(reference_cpu):.3f}; load average {os.getloadavg()[0]:.1f}"
        )
    return ratio


def format_timings(timings: list[float]) -> str:
    """Timings as a compact list for the report."""
    return "[" + ", ".join(f"{t:.3f}" for t in timings) + "]"
