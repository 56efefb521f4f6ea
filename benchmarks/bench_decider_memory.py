"""Memory: 1,000 cached runs of 100-step workflows in one decider; its RSS, and the cache's bounds hold.

Everything runs in this process: the embedded service (on a database file, so its events are not in
this process's memory), one :class:`~simpleflow.process.decider.DeciderPoller` thread holding a
:class:`simpleflow.runtime.cache.RunCache`, and activity worker threads. Each of the 1,000
``ParkedChainWorkflow`` executions runs 100 activities one after the other, then parks on a signal, so
that every run is open, live and cached at once. Then:

- RSS (``VmRSS`` of /proc/self/status) before the first execution starts and once every run is parked;
- the cache's ``stats()``: ``runs <= max_runs`` and ``bytes <= max_bytes`` are the goal, checked while
  they are all parked and again once the signals have closed every run.

The decider is given the cache as ``DeciderPoller(..., runs=RunCache(max_runs=..., max_bytes=...))``, and
``DeciderConfig`` must accept ``cache_runs=`` and ``cache_bytes=``. ``--baseline`` runs the same workload
on a decider that keeps no live run, for the RSS to compare with.

``SIMPLEFLOW_BENCH_MEMORY_RUNS`` (default 1,000), ``SIMPLEFLOW_BENCH_MEMORY_STEPS`` (100),
``SIMPLEFLOW_BENCH_MEMORY_CACHE_RUNS`` (the number of runs) and ``SIMPLEFLOW_BENCH_MEMORY_CACHE_MB``
(512) change the workload and the bounds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_long_chain import positive_setting
from benchmarks.workflows import ParkedChainWorkflow
from simpleflow.execution import start_execution
from simpleflow.local import run_in_thread
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.process.decider import DeciderConfig, DeciderPoller
from simpleflow.process.shutdown import Shutdown
from simpleflow.swf.actors import ActivityWorker, Decider

DOMAIN = "bench-memory"
TASK_LIST = "bench-memory"
ACTIVITY_TASK_LIST = "bench-memory-activities"
WORKER_THREADS = 4
POLL_TIMEOUT = 1.0
# How long the whole workload may take, in seconds, before the benchmark gives up.
TIMEOUT = 3 * 3600.0


def rss_mib() -> float:
    """This process's resident set size in MiB (``VmRSS``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def open_counts(client: Any, executions: list[dict[str, str]]) -> tuple[int, int]:
    """(open executions, open activity and decision tasks in them)."""
    executions_open = tasks_open = 0
    for execution in executions:
        described = client.describe_workflow_execution(domain=DOMAIN, execution=execution)
        if described["executionInfo"]["executionStatus"] == "OPEN":
            executions_open += 1
            counts = described["openCounts"]
            tasks_open += counts["openActivityTasks"] + counts["openDecisionTasks"]
    return executions_open, tasks_open


def wait_until(
    condition: Callable[[], bool], what: str, *, deadline: float, errors: list[BaseException]
) -> None:
    """Check ``condition`` every 2 s until it holds; RuntimeError past ``deadline`` or on a thread's error."""
    while not condition():
        if errors:
            raise RuntimeError(f"a decider or worker thread failed while waiting for {what}") from errors[0]
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(2.0)


class Workload:
    """The service, its client, the decider thread and the worker threads; ``close()`` stops them all."""

    def __init__(self, directory: str, run_cache: Any) -> None:
        self.service = SWFService(os.path.join(directory, "swf.db"), poll_timeout=POLL_TIMEOUT)
        self._client_context = embedded_client(self.service)
        self.client = self._client_context.__enter__()
        self.client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        self.shutdown = Shutdown()
        self.errors: list[BaseException] = []
        decider = Decider(self.client, DOMAIN, task_list=TASK_LIST, identity="bench-memory-decider")
        from simpleflow.runtime.cache import RunCache

        # The baseline keeps no live run: every decision task replays afresh, as before the cache.
        options: dict[str, Any] = {"runs": run_cache if run_cache is not None else RunCache(max_runs=0)}
        try:
            self.poller = DeciderPoller(
                decider,
                workflows=[ParkedChainWorkflow],
                activity_task_list=ACTIVITY_TASK_LIST,
                shutdown=self.shutdown,
                **options,
            )
        except TypeError as error:
            self.close()
            message = f"DeciderPoller does not take the run cache as this benchmark expects: {error}"
            raise SystemExit(message) from None
        self.threads = [self._spawn(self.poller.run)]
        self.threads += [self._spawn(self._work) for _ in range(WORKER_THREADS)]

    def _spawn(self, target: Callable[[], object]) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except BaseException as error:
                if not self.shutdown.is_requested:
                    self.errors.append(error)

        thread = threading.Thread(target=guarded, daemon=True)
        thread.start()
        return thread

    def _work(self) -> None:
        worker = ActivityWorker(self.client, DOMAIN, task_list=ACTIVITY_TASK_LIST, identity="bench-memory")
        while not self.shutdown.is_requested:
            task = worker.poll()
            if task is not None:
                run_in_thread(worker, task)

    def close(self) -> None:
        self.shutdown.request()
        self._client_context.__exit__(None, None, None)
        self.service.close()  # releases the threads waiting in a long poll
        for thread in getattr(self, "threads", ()):
            thread.join(POLL_TIMEOUT * 3)


def bounds_hold(when: str, stats: dict[str, int], *, max_runs: int, max_bytes: int) -> bool:
    """Prints ``stats`` against the bounds; whether both hold."""
    runs_ok, bytes_ok = stats["runs"] <= max_runs, stats["bytes"] <= max_bytes
    print(
        f"  cache {when}: {stats['runs']:,} runs (bound {max_runs:,}: {'holds' if runs_ok else 'EXCEEDED'}), "
        f"{stats['bytes'] / 2**20:.1f} MiB (bound {max_bytes / 2**20:.0f} MiB: "
        f"{'holds' if bytes_ok else 'EXCEEDED'}); hits {stats['hits']:,}, misses {stats['misses']:,}, "
        f"evictions {stats['evictions']:,}"
    )
    return runs_ok and bytes_ok


def check_config_takes_cache_sizes(max_runs: int, max_bytes: int) -> None:
    """Exits with a clear message when ``DeciderConfig`` lacks ``cache_runs`` / ``cache_bytes``."""
    try:
        DeciderConfig(domain=DOMAIN, task_list=TASK_LIST, cache_runs=max_runs, cache_bytes=max_bytes)  # type: ignore[call-arg,unused-ignore]
    except TypeError as error:
        raise SystemExit(
            f"DeciderConfig does not take the cache sizes this benchmark expects: {error}"
        ) from None


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures survive a timeout
    baseline = "--baseline" in argv
    runs = int(positive_setting("SIMPLEFLOW_BENCH_MEMORY_RUNS", 1000))
    steps = int(positive_setting("SIMPLEFLOW_BENCH_MEMORY_STEPS", 100))
    max_runs = int(positive_setting("SIMPLEFLOW_BENCH_MEMORY_CACHE_RUNS", runs))
    max_bytes = int(positive_setting("SIMPLEFLOW_BENCH_MEMORY_CACHE_MB", 512) * 2**20)
    cache = None
    if not baseline:
        from simpleflow.runtime.cache import RunCache

        check_config_takes_cache_sizes(max_runs, max_bytes)
        cache = RunCache(max_runs=max_runs, max_bytes=max_bytes, verify=False)
    deadline = time.monotonic() + TIMEOUT
    with tempfile.TemporaryDirectory(prefix="simpleflow-bench-memory-") as directory:
        workload = Workload(directory, cache)
        try:
            rss_before = rss_mib()
            started = time.perf_counter()
            executions = [
                start_execution(
                    workload.client,
                    ParkedChainWorkflow,
                    [steps],
                    domain=DOMAIN,
                    task_list=TASK_LIST,
                    workflow_id=f"parked-{number}",
                )
                for number in range(runs)
            ]
            wait_until(
                lambda: open_counts(workload.client, executions) == (runs, 0),
                f"{runs:,} runs to park",
                deadline=deadline,
                errors=workload.errors,
            )
            parked_after = time.perf_counter() - started
            rss_parked = rss_mib()
            title = "baseline, no run cache" if baseline else "run cache"
            print(f"{runs:,} runs of {steps} steps each, parked on a signal, one decider ({title})")
            print(
                f"  RSS {rss_before:.1f} MiB before, {rss_parked:.1f} MiB with every run parked "
                f"(+{rss_parked - rss_before:.1f} MiB, "
                f"{(rss_parked - rss_before) * 1024 / runs:.1f} KiB a run); "
                f"parked after {parked_after:.1f} s"
            )
            met = True
            if cache is not None:
                stats = cache.stats()
                met = bounds_hold("with every run parked", stats, max_runs=max_runs, max_bytes=max_bytes)
                # The bound is only as good as the estimate: how far it is from what the runs cost.
                growth = (rss_parked - rss_before) * 2**20
                print(
                    f"  the cache's estimate is {stats['bytes'] / growth:.0%} of the RSS growth "
                    f"({stats['bytes'] / 2**20:.1f} vs {rss_parked - rss_before:.1f} MiB)"
                )
            for execution in executions:
                workload.client.signal_workflow_execution(
                    domain=DOMAIN, workflowId=execution["workflowId"], signalName="finish"
                )
            wait_until(
                lambda: open_counts(workload.client, executions)[0] == 0,
                "every run to close",
                deadline=deadline,
                errors=workload.errors,
            )
            rss_closed = rss_mib()
            print(
                f"  RSS {rss_closed:.1f} MiB once every run closed "
                f"({rss_closed - rss_before:+.1f} MiB against before the first execution)"
            )
            if cache is not None:
                met = (
                    bounds_hold(
                        "with every run parked", cache.stats(), max_runs=max_runs, max_bytes=max_bytes
                    )
                    and met
                )
                print(f"  goal: the cache's bounds hold -> {'met' if met else 'NOT met'}")
        finally:
            workload.close()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
