"""What a live run's thread costs: a park-and-resume round trip, and a parked thread's memory.

A live run keeps ``run()`` in an OS thread of its own (:mod:`simpleflow.runtime.parking`); each
decision task that resumes it pays one hand-off to the run thread and one back. This measures:

- the round trip (driver -> run thread -> park -> driver), median of many, in microseconds;
- the resident memory (VmRSS) that 1,000 parked runs add, per run.

Goal (informational, it steers the thread-versus-greenlet choice): a round trip well under the
~150 µs that one in-process SWF call costs, so parking never dominates a decision.
"""

from __future__ import annotations

import statistics
import sys
import time

from simpleflow.futures import Future
from simpleflow.runtime.parking import RunThread

ROUND_TRIP_GOAL_US = 100.0


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def round_trips(count: int) -> list[float]:
    futures = [Future(task_id=str(n)) for n in range(count + 1)]

    def run() -> None:
        for future in futures:
            future.result  # noqa: B018 - parks until the driver resolves it

    thread = RunThread(run, name="bench-run")
    thread.step()
    times = []
    for future in futures:
        future.set_result(None)
        start = time.perf_counter()
        thread.step()
        times.append((time.perf_counter() - start) * 1e6)
    assert thread.ended
    return times


def parked_memory(count: int) -> float:
    before = rss_kib()
    threads = []
    for n in range(count):
        future = Future(task_id=str(n))
        thread = RunThread(lambda future=future: future.result, name=f"bench-{n}")
        thread.step()
        threads.append(thread)
    after = rss_kib()
    for thread in threads:
        thread.abandon()
    return (after - before) / count


def main() -> int:
    times = round_trips(20_000)
    median = statistics.median(times)
    per_run = parked_memory(1000)
    p90 = sorted(times)[len(times) * 9 // 10]
    print(f"park-and-resume round trip: median {median:.1f} µs, p90 {p90:.1f} µs")
    print(f"parked run thread: {per_run:.1f} KiB of RSS each (1,000 parked)")
    met = median <= ROUND_TRIP_GOAL_US
    print(f"goal: round trip <= {ROUND_TRIP_GOAL_US:.0f} µs: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
