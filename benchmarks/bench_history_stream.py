"""``simpleflow workflow.history`` streams: first line long before the last page, and flat memory.

An execution is filled with signals on the embedded service until SWF's 25,000-event limit closes it
(and another one to 1,000 events). The CLI then prints each history from a child process through the
service's HTTP transport, as a user would run it; the service notes when each history page is served.

Printed figures:

- time to the first line and to the last one, and when the last page was served: printing must start
  before the last page is even requested;
- the peak RSS of the CLI process, and the tracemalloc peak of the command run in this process (output
  to /dev/null), at 1,000 and at 25,000 events: memory must not grow with the history (ratio ~1).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from simpleflow.localswf.embedded import embedded_server
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.service import SWFService

DOMAIN = "bench-history"
# Memory that grows with the history by less than this (25x the events) counts as flat.
FLAT_RATIO = 1.5


class PageClock:
    """Wraps the service to note when each GetWorkflowExecutionHistory page is answered."""

    def __init__(self, service: SWFService) -> None:
        self.service = service
        self.served: list[float] = []
        self._lock = threading.Lock()

    def handle(self, operation: str, params: dict[str, Any], *, region: str = "us-east-1") -> dict[str, Any]:
        result = self.service.handle(operation, params)
        if operation == "GetWorkflowExecutionHistory":
            with self._lock:
                self.served.append(time.monotonic())
        return result


def fill(service: SWFService, workflow_id: str, events: int) -> int:
    """Start an execution and signal it until its history holds ``events`` events (or SWF closed it)."""
    service.handle(
        "StartWorkflowExecution",
        {
            "domain": DOMAIN,
            "workflowId": workflow_id,
            "workflowType": {"name": "bench", "version": "1"},
            "taskList": {"name": "nobody-polls"},
            "executionStartToCloseTimeout": "86400",
            "taskStartToCloseTimeout": "60",
            "childPolicy": "TERMINATE",
        },
    )
    # Started + the first decision task scheduled; each signal adds one event from then on.
    count = 2
    while count < events:
        try:
            service.handle(
                "SignalWorkflowExecution",
                {"domain": DOMAIN, "workflowId": workflow_id, "signalName": "tick", "input": str(count)},
            )
        except SWFFault:
            break  # the event limit terminated it: the history is full
        count += 1
    return count


def history_length(service: SWFService, workflow_id: str) -> int:
    """How many events the latest run of ``workflow_id`` holds (every page counted)."""
    query = {
        "domain": DOMAIN,
        "startTimeFilter": {"oldestDate": 0},
        "executionFilter": {"workflowId": workflow_id},
    }
    infos = service.handle("ListClosedWorkflowExecutions", query)["executionInfos"]
    infos = infos or service.handle("ListOpenWorkflowExecutions", query)["executionInfos"]
    params: dict[str, Any] = {"domain": DOMAIN, "execution": infos[0]["execution"], "maximumPageSize": 1000}
    total = 0
    while True:
        page = service.handle("GetWorkflowExecutionHistory", params)
        total += len(page["events"])
        if not page.get("nextPageToken"):
            return total
        params["nextPageToken"] = page["nextPageToken"]


def high_water_mb(pid: int) -> float:
    """The peak RSS (VmHWM) of a running process, in MB; 0 once it has exited.

    Read from /proc rather than from wait4's rusage: a child's rusage also counts what it held between
    fork and exec, which is this (much bigger) benchmark process.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_cli(endpoint: str, workflow_id: str, pages: PageClock) -> dict[str, float]:
    """Run the CLI in a child process; time its first and last lines, and follow its peak RSS."""
    pages.served.clear()
    command = [sys.executable, "-m", "simpleflow", "--format", "tsv", "workflow.history"]
    command += [DOMAIN, workflow_id, "--endpoint-url", endpoint]
    environment = dict(os.environ, SWF_DOMAIN="", LOG_LEVEL="WARNING", SWF_CONNECTION_RETRIES="1")
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=environment)
    assert process.stdout is not None
    first_line = process.stdout.readline()
    first_at = time.monotonic()
    lines = 1 if first_line else 0
    peak = high_water_mb(process.pid)
    for _ in process.stdout:
        lines += 1
        if lines % 250 == 0:
            peak = max(peak, high_water_mb(process.pid))
    last_at = time.monotonic()
    if process.wait() != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    return {
        "lines": lines,
        "first": first_at - started,
        "last": last_at - started,
        "first_page_served": pages.served[0] - started,
        "last_page_served": pages.served[-1] - started,
        "pages": len(pages.served),
        "rss_mb": peak,
    }


def traced_peak(endpoint: str, workflow_id: str) -> float:
    """The tracemalloc peak (MB) of the command run in this process, its output going to /dev/null."""
    from simpleflow.cli.main import main

    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        tracemalloc.start()
        try:
            main.main(
                ["--format", "tsv", "workflow.history", DOMAIN, workflow_id, "--endpoint-url", endpoint],
                standalone_mode=False,
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak / 1e6


@contextlib.contextmanager
def served_service() -> Iterator[tuple[SWFService, PageClock, str]]:
    service = SWFService()
    pages = PageClock(service)
    try:
        with embedded_server(pages) as server:  # type: ignore[arg-type]
            yield service, pages, server.endpoint_url
    finally:
        service.close()


def main() -> int:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with served_service() as (service, pages, endpoint):
        service.handle("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
        service.handle(
            "RegisterWorkflowType",
            {"domain": DOMAIN, "name": "bench", "version": "1", "defaultTaskStartToCloseTimeout": "60"},
        )
        began = time.monotonic()
        fill(service, "small", 1000)
        fill(service, "medium", 5000)
        fill(service, "large", 25_000)
        sizes = {name: history_length(service, name) for name in ("small", "medium", "large")}
        made = ", ".join(f"{size} events" for size in sizes.values())
        print(f"histories made in {time.monotonic() - began:.1f} s: {made}")
        traced_peak(endpoint, "small")  # warm up: imports and botocore's models are not the command's cost
        results = {}
        for name in ("small", "medium", "large"):
            figures = run_cli(endpoint, name, pages)
            figures["traced_mb"] = traced_peak(endpoint, name)
            results[name] = figures
            print(
                f"  {sizes[name]:>6} events in {figures['pages']:.0f} page(s): "
                f"first page served {figures['first_page_served'] * 1000:.0f} ms, "
                f"first line {figures['first'] * 1000:.0f} ms, "
                f"last page served {figures['last_page_served'] * 1000:.0f} ms, "
                f"last line {figures['last'] * 1000:.0f} ms"
            )
            print(
                f"{'':9}peak RSS {figures['rss_mb']:.1f} MB, tracemalloc peak {figures['traced_mb']:.2f} MB"
            )
    large, small = results["large"], results["small"]
    streams = large["first"] < large["last_page_served"]
    rss_ratio = large["rss_mb"] / small["rss_mb"]
    traced_ratio = large["traced_mb"] / small["traced_mb"]
    print(f"  first line / last line at 25k events: {large['first'] / large['last']:.3f}")
    print(f"  printing starts before the last page is served: {'yes' if streams else 'NO'}")
    print(
        f"  memory 25k / 1k events: RSS x{rss_ratio:.2f}, tracemalloc x{traced_ratio:.2f} "
        f"(flat if < {FLAT_RATIO})"
    )
    ok = streams and rss_ratio < FLAT_RATIO and traced_ratio < FLAT_RATIO
    print(f"  goal: streams with flat memory -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
