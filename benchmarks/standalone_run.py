"""One ``simpleflow standalone --local-swf`` run as a user starts it, with its cost per process role.

The command runs as a child process. Its state is kept in a database file of ours (``--db``), so once it
has exited the execution's start and close times (by the service's clock) and its history length can
be read back. While it runs, :class:`~benchmarks.process_tree.TreeSampler` follows the CPU of its
``decider.start`` and ``worker.start`` trees, and of the ``standalone`` process itself, which holds the
embedded service (and its own progress loop, which reads the history every half second).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.process_tree import TreeSampler
from benchmarks.reference import OUR_SIMPLEFLOW, REPO_ROOT, quiet_environment
from simpleflow.localswf.service import SWFService

DOMAIN = "standalone"
ROLES = ("decider.start", "worker.start")
# After SIGINT (standalone then stops its children itself), how long before every tree is killed.
INTERRUPT_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class StandaloneRun:
    """What one run gave and cost."""

    result: Any
    #: The command, interpreter start to exit, as a user waits for it.
    wall_seconds: float
    #: WorkflowExecutionStarted to the close, by the service's clock: start-up and teardown excluded.
    execution_seconds: float
    events: int
    #: CPU seconds by role: ``decider``, ``workers``, ``service`` (the standalone process itself).
    cpu_seconds: dict[str, float]
    #: CPU seconds of the command and everything it started, from this process's rusage of its children.
    total_cpu_seconds: float


class StandaloneFailed(RuntimeError):
    """Raised when the run exits non-zero, prints no result, or outlives its timeout."""


def run_standalone(
    workflow: str, input_value: Any, *, nb_workers: int = 1, timeout: float, isolation: str = "process"
) -> StandaloneRun:
    """Run ``benchmarks.workflows.<workflow>`` with ``input_value`` through ``standalone --local-swf``.

    ``isolation``: where the workers run each activity (``standalone --isolation``).
    """
    with tempfile.TemporaryDirectory(prefix="simpleflow-bench-standalone-") as directory:
        db = os.path.join(directory, "swf.db")
        stderr_path = Path(directory) / "stderr.log"
        argv = [str(OUR_SIMPLEFLOW), "standalone", "--local-swf", "--db", db, "--nb-workers", str(nb_workers)]
        argv += ["--isolation", isolation]
        argv += [f"benchmarks.workflows.{workflow}", "--input", json.dumps(input_value)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                argv, cwd=REPO_ROOT, env=quiet_environment(REPO_ROOT), stdout=subprocess.PIPE, stderr=stderr
            )
            with TreeSampler(process.pid, ROLES) as sampler:
                try:
                    stdout, _ = process.communicate(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _stop(process, sampler)
                    raise StandaloneFailed(
                        f"standalone did not finish within {timeout:.0f} s; {_progress(db)}; CPU seconds "
                        f"so far: decider {sampler.seconds['decider.start']:.1f}, "
                        f"workers {sampler.seconds['worker.start']:.1f}, service {sampler.own_seconds:.1f}"
                    ) from None
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if process.returncode != 0 or not stdout.strip():
            tail = "\n".join(stderr_path.read_text(errors="replace").strip().splitlines()[-15:])
            raise StandaloneFailed(f"standalone exited {process.returncode}:\n{tail}")
        execution_seconds, events = _read_execution(db)
    return StandaloneRun(
        result=json.loads(stdout),
        wall_seconds=wall,
        execution_seconds=execution_seconds,
        events=events,
        cpu_seconds={
            "decider": sampler.seconds["decider.start"],
            "workers": sampler.seconds["worker.start"],
            "service": sampler.own_seconds,
        },
        total_cpu_seconds=after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
    )


def _stop(process: subprocess.Popen[bytes], sampler: TreeSampler) -> None:
    """SIGINT to the command (it stops its children on the way out), then SIGKILL to whatever is left.

    Its children lead their own sessions, so they are killed by process group, found by the sampler.
    """
    process.send_signal(signal.SIGINT)
    try:
        process.wait(INTERRUPT_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid in sampler.role_pids.values():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def _read_execution(db: str) -> tuple[float, int]:
    """The only execution of the run's database: its start-to-close seconds and its number of events."""
    service = SWFService(db)
    try:
        closed = _executions(service, "ListClosedWorkflowExecutions")
        if len(closed) != 1:
            raise StandaloneFailed(f"expected one closed execution, found {len(closed)}")
        info = closed[0]
        return info["closeTimestamp"] - info["startTimestamp"], _event_count(service, info["execution"])
    finally:
        service.close()


def _progress(db: str) -> str:
    """How far the run's open execution got, for the message of a run stopped on its timeout."""
    try:
        service = SWFService(db)
    except Exception as error:  # the message must not hide the timeout behind a second error
        return f"progress unknown ({error})"
    try:
        running = _executions(service, "ListOpenWorkflowExecutions")
        if not running:
            return "no execution open"
        info = running[0]
        elapsed = service.clock.now() - info["startTimestamp"]
        return f"{_event_count(service, info['execution']):,} events after {elapsed:.0f} s"
    finally:
        service.close()


def _executions(service: SWFService, operation: str) -> list[dict[str, Any]]:
    infos = service.handle(operation, {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}})
    return list(infos["executionInfos"])


def _event_count(service: SWFService, execution: dict[str, str]) -> int:
    last_page = service.handle(
        "GetWorkflowExecutionHistory",
        {"domain": DOMAIN, "execution": execution, "reverseOrder": True, "maximumPageSize": 1},
    )
    return int(last_page["events"][0]["eventId"])
