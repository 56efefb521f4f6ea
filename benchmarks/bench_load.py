"""Load: N workflows through one ``localswf.start`` service, 1,000 open at once, 1 decider and 4 workers.

A real deployment on this machine, each piece a command of its own: ``simpleflow localswf.start`` on a
database file, one ``decider.start`` process and one ``worker.start --nb-processes 4``. A starter keeps
``--open`` executions (default 1,000) of a one-activity workflow open until ``--workflows`` (default
10,000) were started, then waits for all to close. It reports:

- completions per second (workflows closed / wall time from the first start to the last close);
- p50 and p99 of start-to-close, by the service's clock;
- the service's RSS (peak and at the end) and the database's size (with its WAL);
- CPU seconds of the service, the decider and the workers, and per workflow (figures that the load of
  a shared machine disturbs less than wall time).

``--soak SECONDS`` (at most 600) keeps the executions flowing for that long instead, sampling the
service's and the decider's RSS every ``--sample-every`` seconds, and says whether memory stayed flat:
the highest sample of the last third within 10 % of the highest of the second third (the first third is
warm-up: caches filling, SQLite's page cache growing).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_load.py --workflows 1000`` (or through
``script/bench benchmarks/bench_load.py``). A benchmark, not a test: it prints figures and has no goal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.process_tree import all_stats, descendants, tree_seconds
from benchmarks.workflows import OneActivityWorkflow
from simpleflow.children import simpleflow_command
from simpleflow.execution import start_execution
from simpleflow.process.lifeline import TiedChildProcesses
from simpleflow.swf.client import make_client
from simpleflow.swf.registration import ensure_domain
from tests.fixtures.localswf_process import PROJECT_ROOT, ServiceProcess

DOMAIN = "bench-load"
TASK_LIST = OneActivityWorkflow.task_list
WORKFLOW = f"{OneActivityWorkflow.__module__}.{OneActivityWorkflow.__qualname__}"
MAX_SOAK_SECONDS = 600
FLAT_TOLERANCE = 1.10


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (a supervisor and its pollers)."""
    return sum(rss_bytes(member) for member in (pid, *descendants(pid, all_stats())))


def db_bytes(db: str) -> int:
    return sum(os.path.getsize(path) for path in (db, f"{db}-wal", f"{db}-shm") if os.path.exists(path))


class Starter:
    """Keeps ``open_target`` executions open, starting new ones as others close."""

    def __init__(self, client: Any, *, open_target: int) -> None:
        self.client = client
        self.open_target = open_target
        self.started = 0
        self.first_start = 0.0
        start_execution(  # registers the workflow type; counts as the first start
            client, OneActivityWorkflow, None, domain=DOMAIN, task_list=TASK_LIST, workflow_id="load-0"
        )
        self.first_start = time.time()
        self.started = 1
        self.input = json.dumps({"args": [], "kwargs": {}})

    def closed(self) -> int:
        count = self.client.count_closed_workflow_executions(
            domain=DOMAIN, startTimeFilter={"oldestDate": self.first_start - 3600}
        )
        return int(count["count"])

    def start_one(self) -> None:
        self.client.start_workflow_execution(
            domain=DOMAIN,
            workflowId=f"load-{self.started}-{uuid.uuid4().hex[:6]}",
            workflowType={"name": OneActivityWorkflow.name, "version": OneActivityWorkflow.version},
            taskList={"name": TASK_LIST},
            input=self.input,
            executionStartToCloseTimeout="3600",
            taskStartToCloseTimeout="60",
            childPolicy="TERMINATE",
        )
        self.started += 1

    def top_up(self, *, limit: int | None) -> int:
        """Start executions until ``open_target`` are open (or ``limit`` were started); returns closed."""
        closed = self.closed()
        want = self.open_target - (self.started - closed)
        if limit is not None:
            want = min(want, limit - self.started)
        for _ in range(max(0, want)):
            self.start_one()
        return closed


def closed_durations(client: Any, since: float) -> tuple[list[float], float]:
    """Start-to-close seconds of every closed execution, and the latest close time (epoch seconds)."""
    durations: list[float] = []
    last_close = 0.0
    params: dict[str, Any] = {
        "domain": DOMAIN,
        "startTimeFilter": {"oldestDate": since - 3600},
        "maximumPageSize": 1000,
    }
    while True:
        page = client.list_closed_workflow_executions(**params)
        for info in page["executionInfos"]:
            start, close = info["startTimestamp"].timestamp(), info["closeTimestamp"].timestamp()
            durations.append(close - start)
            last_close = max(last_close, close)
        if not page.get("nextPageToken"):
            return durations, last_close
        params["nextPageToken"] = page["nextPageToken"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class MemorySampler:
    """Samples the RSS of some processes every ``interval`` seconds in a thread."""

    def __init__(self, pids: dict[str, int], *, interval: float) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: list[tuple[float, dict[str, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        began = time.monotonic()
        while not self._stop.is_set():
            sample = {name: tree_rss_bytes(pid) for name, pid in self.pids.items()}
            self.samples.append((time.monotonic() - began, sample))
            self._stop.wait(self.interval)

    def peak(self, name: str) -> int:
        return max((sample[name] for _, sample in self.samples), default=0)

    def is_flat(self, name: str) -> tuple[bool, int, int]:
        """Whether the last third's peak is within tolerance of the second third's; and both peaks."""
        values = [sample[name] for _, sample in self.samples]
        third = len(values) // 3
        if third == 0:
            return True, 0, 0
        middle, last = max(values[third : 2 * third]), max(values[2 * third :])
        return last <= middle * FLAT_TOLERANCE, middle, last


def run(workflows: int, *, open_target: int, soak: float, sample_every: float, workers: int) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as directory:
        db = os.path.join(directory, "swf.db")
        service = ServiceProcess(db=db).start()
        endpoint = service.endpoint_url
        assert service.process is not None
        try:
            client = make_client(endpoint_url=endpoint, max_pool_connections=4)
            ensure_domain(client, DOMAIN, register_if_missing=True)
            env = {**os.environ, "AWS_ENDPOINT_URL_SWF": endpoint, "LOG_LEVEL": "WARNING"}
            env["PYTHONPATH"] = str(PROJECT_ROOT)
            with TiedChildProcesses() as children:
                decider = children.start(
                    "decider.start",
                    simpleflow_command(
                        "decider.start", WORKFLOW, "--domain", DOMAIN, "--task-list", TASK_LIST
                    ),
                    env=env,
                    cwd=str(PROJECT_ROOT),
                )
                worker = children.start(
                    "worker.start",
                    simpleflow_command(
                        "worker.start",
                        "--domain",
                        DOMAIN,
                        "--task-list",
                        TASK_LIST,
                        "--nb-processes",
                        str(workers),
                    ),
                    env=env,
                    cwd=str(PROJECT_ROOT),
                )
                pids = {"service": service.process.pid, "decider": decider.pid, "workers": worker.pid}
                with MemorySampler(pids, interval=sample_every) as memory:
                    starter = Starter(client, open_target=open_target)
                    began = time.monotonic()
                    limit = None if soak else workflows
                    while True:
                        children.check()
                        closed = starter.top_up(limit=limit)
                        if soak and time.monotonic() - began >= soak:
                            limit = starter.started  # stop starting; drain what is open
                        if limit is not None and starter.started >= limit and closed >= starter.started:
                            break
                        time.sleep(0.2)
                    stats = all_stats()
                cpu = {
                    "service": tree_seconds(service.process.pid, stats),
                    "decider": tree_seconds(decider.pid, stats),
                    "workers": tree_seconds(worker.pid, stats),
                }
            durations, last_close = closed_durations(client, starter.first_start)
            total = len(durations)
            wall = last_close - starter.first_start
            print(f"workflows: {total} closed, {open_target} open at once, 1 decider, {workers} workers")
            print(f"completions/s: {total / wall:.1f} ({wall:.1f} s from the first start to the last close)")
            print(
                f"start-to-close: p50 {percentile(durations, 0.50) * 1000:.0f} ms, "
                f"p99 {percentile(durations, 0.99) * 1000:.0f} ms, max {max(durations) * 1000:.0f} ms"
            )
            print(
                f"service RSS: peak {memory.peak('service') / 2**20:.1f} MiB, "
                f"end {memory.samples[-1][1]['service'] / 2**20:.1f} MiB; db {db_bytes(db) / 2**20:.1f} MiB"
            )
            decider_peak, workers_peak = memory.peak("decider") / 2**20, memory.peak("workers") / 2**20
            print(
                f"RSS summed over each tree's processes: decider.start peak {decider_peak:.1f} MiB, "
                f"worker.start peak {workers_peak:.1f} MiB"
            )
            print(
                "CPU seconds: "
                + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
                + f"; per workflow {sum(cpu.values()) / total * 1000:.2f} ms"
            )
            if soak:
                print(f"soak: {soak:.0f} s, RSS samples every {sample_every:.0f} s (MiB):")
                for at, sample in memory.samples:
                    row = ", ".join(f"{name} {value / 2**20:.1f}" for name, value in sample.items())
                    print(f"  {at:6.0f} s  {row}")
                for name in pids:
                    flat, middle, last = memory.is_flat(name)
                    verdict = "flat" if flat else "GROWING"
                    print(
                        f"{name} RSS {verdict}: peak {middle / 2**20:.1f} MiB in the second third, "
                        f"{last / 2**20:.1f} MiB in the last"
                    )
        finally:
            service.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workflows", type=int, default=10_000, help="executions to run (default 10,000)")
    parser.add_argument("--open", type=int, default=1000, help="executions open at once (default 1,000)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument(
        "--soak", type=float, default=0.0, help=f"seconds of soak (at most {MAX_SOAK_SECONDS})"
    )
    parser.add_argument("--sample-every", type=float, default=None, help="seconds between RSS samples")
    args = parser.parse_args(argv)
    if not 0 <= args.soak <= MAX_SOAK_SECONDS:
        parser.error(f"--soak takes 0 to {MAX_SOAK_SECONDS} seconds")
    if args.workflows < 1 or args.open < 1 or args.workers < 1:
        parser.error("--workflows, --open and --workers must be at least 1")
    sample_every = args.sample_every or (10.0 if args.soak else 1.0)
    return run(
        args.workflows, open_target=args.open, soak=args.soak, sample_every=sample_every, workers=args.workers
    )


if __name__ == "__main__":
    sys.exit(main())
