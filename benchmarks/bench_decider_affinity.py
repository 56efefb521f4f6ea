"""Two deciders on one task list: the history they fetch with SWF's task-list override and without.

Each decider is a :class:`~simpleflow.swf.actors.Decider` (with its ``startAtPreviousStartedEvent``
history cache) answering through the real :class:`~simpleflow.process.decider.DeciderPoller` and
:class:`~simpleflow.executor.Executor`. They share the workflow's task list; ``RUNS`` chains of ``STEPS``
activities run at once against an embedded service in this process, with two worker threads.

- *without affinity*: each decider polls the shared list. A run's next decision task goes to whichever
  decider polls first, and when that decider did not take the run's previous task its cache has a gap,
  so it reads the whole history again (``GetWorkflowExecutionHistory``).
- *with affinity*: each decider also polls a list of its own (a second polling thread), and answers
  every decision task with ``task_list=<its own list>`` (temporary: ``task_list_timeout``). After its
  first decision task, a run's tasks come back to the decider that holds its history.

Counted, per mode: decision tasks, the pages of history the deciders received (poll pages that carry a
task, and ``GetWorkflowExecutionHistory`` pages, each of at most ``--page-size`` events) and the events
in them. Goal (issue 11): >= 10x fewer pages with affinity; the events ratio is printed beside it.

Why the two ratios differ: every decision task costs at least its poll page, with affinity or not, so
the page ratio is at most ``1 + misses/tasks * history pages per miss``. With about half the tasks
missing, it reaches 10 only when a history averages ~18 pages (~36 pages at the end of a run): 3,600
events at 100 a page, more than SWF's 25,000-event limit at its default of 1,000. The events ratio grows
with the history's length at any page size.

Usage: ``python benchmarks/bench_decider_affinity.py [--runs N] [--steps N] [--page-size N]``.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from simpleflow import Workflow, activity, payload
from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.service import SWFService
from simpleflow.process.decider import DeciderPoller, DecisionResult
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.client import make_client
from simpleflow.swf.registration import TypeRegistry, workflow_type_for

GOAL_RATIO = 10.0
RUNS = 2
STEPS = 150
PAGE_SIZE = 100
#: The override's schedule-to-start timeout: a run whose decider is gone comes back to the shared list.
TASK_LIST_TIMEOUT = 60
SHARED_LIST = "affinity-deciders"
WORK_LIST = "affinity-work"
WORKERS = 2
#: How long a poll holds when there is nothing: short, so the threads stop soon after the runs end.
POLL_SECONDS = 0.2


@activity.with_attributes(task_list=WORK_LIST, version="1")
def increment(value: int) -> int:
    """One step of the chain."""
    return value + 1


class ChainWorkflow(Workflow):
    """``steps`` activities one after the other: every decision task follows the previous one's result."""

    name = "bench-affinity-chain"
    version = "1"
    task_list = SHARED_LIST

    def run(self, steps: int) -> int:
        value = 0
        for _ in range(steps):
            value = self.submit(increment, value).result
        return value


class StickyDecider(Decider):
    """A decider that answers every decision task with its own task list as the override."""

    def __init__(self, *args: Any, own_task_list: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_task_list = own_task_list

    def complete(self, task_token: str, **options: Any) -> None:
        options.setdefault("task_list", self.own_task_list)
        options.setdefault("task_list_timeout", TASK_LIST_TIMEOUT)
        super().complete(task_token, **options)


@dataclass
class Fetched:
    """What one decider's client received: decision tasks, history pages and events, by operation."""

    pages: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    misses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, *, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        """botocore's ``after-call`` hook: count a page that carries events (an empty poll does not)."""
        if model.name == "PollForDecisionTask" and not parsed.get("taskToken"):
            return
        with self.lock:
            self.pages[model.name] += 1
            self.events[model.name] += len(parsed.get("events", []))

    def record_miss(self, *, params: dict[str, Any], **_: Any) -> None:
        """botocore's ``provide-client-params`` hook: a history read from its first page is a cache miss."""
        if not params.get("nextPageToken"):
            with self.lock:
                self.misses += 1


def make_decider_client(service: SWFService, fetched: Fetched) -> Any:
    client = make_client(endpoint_url=IN_PROCESS_ENDPOINT, max_attempts=1)
    attach(client, service)
    for operation in ("PollForDecisionTask", "GetWorkflowExecutionHistory"):
        client.meta.events.register(f"after-call.swf.{operation}", fetched.record)
    client.meta.events.register("provide-client-params.swf.GetWorkflowExecutionHistory", fetched.record_miss)
    return client


def poll_loop(
    decider: Decider,
    poller: DeciderPoller,
    task_list: str,
    *,
    page_size: int,
    busy: threading.Lock,
    stop: threading.Event,
) -> None:
    """Poll ``task_list`` until ``stop``; decide one task at a time per decider (``busy``)."""
    while not stop.is_set():
        task = decider.poll(task_list=task_list, page_size=page_size)
        if task is None:
            continue
        with busy:
            result = poller.process_task(task)
        if result is not DecisionResult.COMPLETED:
            raise RuntimeError(f"decision task ended {result.value}")


def work_loop(worker: ActivityWorker, *, stop: threading.Event) -> None:
    while not stop.is_set():
        task = worker.poll()
        if task is None:
            continue
        args, _ = payload.parse_input(payload.decode(task.get("input")))
        worker.complete(task["taskToken"], result=payload.encode(increment(*args)))


@contextmanager
def running(threads: list[threading.Thread], stop: threading.Event) -> Iterator[None]:
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


@dataclass
class Outcome:
    seconds: float
    fetched: list[Fetched]

    @property
    def pages(self) -> int:
        return sum(sum(f.pages.values()) for f in self.fetched)

    @property
    def events(self) -> int:
        return sum(sum(f.events.values()) for f in self.fetched)

    @property
    def history_pages(self) -> int:
        return sum(f.pages["GetWorkflowExecutionHistory"] for f in self.fetched)

    @property
    def misses(self) -> int:
        return sum(f.misses for f in self.fetched)

    @property
    def tasks(self) -> int:
        return sum(f.pages["PollForDecisionTask"] for f in self.fetched)


def run_mode(*, affinity: bool, runs: int, steps: int, page_size: int) -> Outcome:
    """Run ``runs`` chains of ``steps`` through two deciders; what they fetched and the wall time."""
    service = SWFService(poll_timeout=POLL_SECONDS)
    domain = f"affinity-{uuid.uuid4().hex[:8]}"
    stop = threading.Event()
    fetched = [Fetched(), Fetched()]
    threads: list[threading.Thread] = []
    try:
        admin = make_client(endpoint_url=IN_PROCESS_ENDPOINT, max_attempts=1)
        attach(admin, service)
        admin.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        TypeRegistry(admin, domain).ensure_workflow_type(workflow_type_for(admin, domain, ChainWorkflow))
        for index, counts in enumerate(fetched):
            client = make_decider_client(service, counts)
            own_list = f"{SHARED_LIST}-decider-{index}"
            decider: Decider
            if affinity:
                decider = StickyDecider(client, domain, task_list=SHARED_LIST, own_task_list=own_list)
            else:
                decider = Decider(client, domain, task_list=SHARED_LIST)
            poller = DeciderPoller(decider, workflows=[ChainWorkflow])
            busy = threading.Lock()
            for task_list in [SHARED_LIST, own_list] if affinity else [SHARED_LIST]:
                threads.append(
                    threading.Thread(
                        target=poll_loop,
                        args=(decider, poller, task_list),
                        kwargs={"page_size": page_size, "busy": busy, "stop": stop},
                        name=f"decider-{index}-{task_list}",
                        daemon=True,
                    )
                )
        worker = ActivityWorker(admin, domain, task_list=WORK_LIST)
        threads += [
            threading.Thread(target=work_loop, args=(worker,), kwargs={"stop": stop}, daemon=True)
            for _ in range(WORKERS)
        ]
        began = time.perf_counter()
        with running(threads, stop):
            for index in range(runs):
                admin.start_workflow_execution(
                    domain=domain,
                    workflowId=f"chain-{index}",
                    workflowType={"name": ChainWorkflow.name, "version": ChainWorkflow.version},
                    input=payload.encode({"args": [steps]}),
                )
            wait_until_closed(admin, domain, runs=runs, steps=steps)
        seconds = time.perf_counter() - began
    finally:
        service.close()
    return Outcome(seconds=seconds, fetched=fetched)


def wait_until_closed(client: Any, domain: str, *, runs: int, steps: int) -> None:
    deadline = time.monotonic() + 60 + runs * steps * 0.2
    while client.count_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})["count"]:
        if time.monotonic() > deadline:
            raise RuntimeError("the runs did not close in time")
        time.sleep(0.2)
    closed = client.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
    for info in closed["executionInfos"]:
        execution = info["execution"]
        if info["closeStatus"] != "COMPLETED":
            raise RuntimeError(f"{execution['workflowId']} closed {info['closeStatus']}")
        events = client.get_workflow_execution_history(domain=domain, execution=execution, reverseOrder=True)
        result = events["events"][0]["workflowExecutionCompletedEventAttributes"]["result"]
        if payload.decode(result) != steps:
            raise RuntimeError(f"{execution['workflowId']} returned {result}, not {steps}")


def report(label: str, outcome: Outcome) -> None:
    per_decider = ", ".join(
        f"decider {index}: {counts.pages['PollForDecisionTask']} tasks"
        for index, counts in enumerate(outcome.fetched)
    )
    print(
        f"{label:>17}: {outcome.tasks} decision tasks ({per_decider}); {outcome.pages} pages "
        f"({outcome.history_pages} from GetWorkflowExecutionHistory, on {outcome.misses} cache misses), "
        f"{outcome.events} events, "
        f"{outcome.seconds:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    options = parser.parse_args()
    sizes = {"runs": options.runs, "steps": options.steps, "page_size": options.page_size}
    print(
        f"{options.runs} chains of {options.steps} activities, 2 deciders on one task list, "
        f"pages of at most {options.page_size} events"
    )
    without = run_mode(affinity=False, **sizes)
    report("without affinity", without)
    sticky = run_mode(affinity=True, **sizes)
    report("with affinity", sticky)
    page_ratio = without.pages / max(sticky.pages, 1)
    event_ratio = without.events / max(sticky.events, 1)
    print(
        f"pages per decision task: {without.pages / max(without.tasks, 1):.2f} without affinity, "
        f"{sticky.pages / max(sticky.tasks, 1):.2f} with"
    )
    print(f"pages: {page_ratio:.1f}x fewer with affinity (goal >= {GOAL_RATIO:.0f}x)")
    print(f"events: {event_ratio:.1f}x fewer with affinity")
    if page_ratio < GOAL_RATIO:
        print("GOAL MISSED: affinity saves fewer pages than the goal")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
