"""The web console's speed on big data: a domain of 10,000 executions, and a run of ~25,000 events.

The console is a WSGI application; each page is timed as the application answering one request (the
"server time": the console's code plus the SWF calls it makes), called in process with a WSGI environ,
so neither a socket nor a browser is in the figure. The SWF endpoint is the embedded service in this
process, reached through a botocore client attached in process: botocore serializes and parses every
call as it would over HTTP. The engine's own time is therefore part of every figure, as an endpoint's
latency would be.

Goals (issue 15):
- the executions page of a domain of 10,000 executions answers in <= 300 ms;
- a run of 25,000 events opens (its overview page) in <= 1 s, and its history pages rather than loading
  whole (the first history page is timed too, and must meet the same goal).

Also printed, for information: the tasks and timeline pages of the big run, which read its whole history.
Figures are the median of ``--repeat`` requests, wall and process CPU.

Usage: ``python benchmarks/bench_console.py [--executions N] [--events N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from simpleflow.console.app import ConsoleApp
from simpleflow.console.listing import ExecutionQuery, list_executions
from simpleflow.console.security import Guard
from simpleflow.localswf.embedded import embedded_client, embedded_direct_client
from simpleflow.localswf.service import SWFService

LIST_GOAL_SECONDS = 0.300
OPEN_GOAL_SECONDS = 1.0
DOMAIN = "bench-console"
WORKFLOW_TYPE = {"name": "bench", "version": "1"}
HOST = "127.0.0.1:8233"
#: SWF's limit is 25,000 events; the big run stays just under it.
EVENTS = 24_990
ACTIVITIES = 2_000


def populate(client: Any, *, executions: int) -> None:
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="30")
    client.register_workflow_type(
        domain=DOMAIN,
        **WORKFLOW_TYPE,
        defaultTaskList={"name": "decisions"},
        defaultTaskStartToCloseTimeout="600",
        defaultExecutionStartToCloseTimeout="86400",
        defaultChildPolicy="TERMINATE",
    )
    client.register_activity_type(
        domain=DOMAIN,
        name="step",
        version="1",
        defaultTaskList={"name": "work"},
        defaultTaskStartToCloseTimeout="600",
        defaultTaskScheduleToStartTimeout="86400",
        defaultTaskScheduleToCloseTimeout="86400",
        defaultTaskHeartbeatTimeout="NONE",
    )
    for number in range(executions):
        workflow_id = f"run-{number:05d}"
        client.start_workflow_execution(
            domain=DOMAIN,
            workflowId=workflow_id,
            workflowType=WORKFLOW_TYPE,
            tagList=[f"batch-{number % 10}"],
        )
        if number % 2:
            client.terminate_workflow_execution(domain=DOMAIN, workflowId=workflow_id, reason="bench")


def big_run(client: Any, *, events: int) -> str:
    """A run of ``events`` events: ACTIVITIES activities (every tenth failing), then signals to the count."""
    run_id = client.start_workflow_execution(domain=DOMAIN, workflowId="big-run", workflowType=WORKFLOW_TYPE)[
        "runId"
    ]
    # Everything else of the domain was started first: drain their decision tasks so big-run's is next.
    while True:
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"}, identity="bench")
        if task["workflowExecution"]["workflowId"] == "big-run":
            break
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    for offset in range(0, ACTIVITIES, 100):
        decisions = [
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityId": f"step-{n}",
                    "activityType": {"name": "step", "version": "1"},
                    "input": json.dumps([n]),
                },
            }
            for n in range(offset, offset + 100)
        ]
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        for _ in decisions:
            work = client.poll_for_activity_task(
                domain=DOMAIN, taskList={"name": "work"}, identity="bench-worker"
            )
            n = json.loads(work["input"])[0]
            if n % 10 == 9:
                client.respond_activity_task_failed(taskToken=work["taskToken"], reason="ValueError: bench")
            else:
                client.respond_activity_task_completed(taskToken=work["taskToken"], result=str(n))
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"}, identity="bench")
    page = client.get_workflow_execution_history(
        domain=DOMAIN,
        execution={"workflowId": "big-run", "runId": run_id},
        reverseOrder=True,
        maximumPageSize=1,
    )
    count = int(page["events"][0]["eventId"])
    for number in range(events - count):
        client.signal_workflow_execution(domain=DOMAIN, workflowId="big-run", signalName=f"tick-{number}")
    return str(run_id)


def request(app: ConsoleApp, path: str, *, params: dict[str, str]) -> tuple[int, int]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": urlencode(params),
        "HTTP_HOST": HOST,
        "wsgi.input": io.BytesIO(b""),
    }
    status: list[str] = []
    body = b"".join(app(environ, lambda line, headers: status.append(line)))
    return int(status[0].split()[0]), len(body)


def timed(call: Callable[[], tuple[int, int]], *, repeat: int) -> tuple[float, float, int, int]:
    walls, cpus = [], []
    status, size = 0, 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        status, size = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), status, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    service = SWFService(poll_timeout=0.1)
    try:
        started = time.perf_counter()
        with embedded_direct_client(service) as direct:
            populate(direct, executions=args.executions)
            run_id = big_run(direct, events=args.events)
        print(
            f"set-up: {args.executions:,} executions and a run of {args.events:,} events "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with embedded_client(service) as client:
            app = ConsoleApp(client, Guard(host="127.0.0.1", port=8233))
            run = {"domain": DOMAIN, "workflow_id": "big-run", "run_id": run_id}
            first = list_executions(client, DOMAIN, query=ExecutionQuery())
            second = {"domain": DOMAIN, "page": first.next_cursor or ""}
            pages = [
                ("executions (all)", "/executions", {"domain": DOMAIN}, LIST_GOAL_SECONDS),
                ("executions (all), page 2", "/executions", second, LIST_GOAL_SECONDS),
                (
                    "executions (closed)",
                    "/executions",
                    {"domain": DOMAIN, "status": "closed"},
                    LIST_GOAL_SECONDS,
                ),
                (
                    "executions (tag + type)",
                    "/executions",
                    {"domain": DOMAIN, "tag": "batch-3", "type": "bench"},
                    LIST_GOAL_SECONDS,
                ),
                ("big run: overview", "/execution", run, OPEN_GOAL_SECONDS),
                ("big run: history page 1", "/execution/history", run, OPEN_GOAL_SECONDS),
                ("big run: failures only", "/execution/history", {**run, "failures": "1"}, None),
                ("big run: tasks (whole history)", "/execution/tasks", run, None),
                ("big run: timeline (whole history)", "/execution/timeline", run, None),
            ]
            missed = []
            print(f"{'page':36} {'wall ms':>9} {'cpu ms':>8} {'status':>6} {'KiB':>7}  goal")
            for label, path, params, goal in pages:
                wall, cpu, status, size = timed(
                    lambda p=path, q=params: request(app, p, params=q), repeat=args.repeat
                )
                verdict = "" if goal is None else ("ok" if wall <= goal and status == 200 else "MISSED")
                if verdict == "MISSED":
                    missed.append(label)
                goal_text = "" if goal is None else f"<= {goal * 1000:.0f} ms {verdict}"
                figures = f"{wall * 1000:9.1f} {cpu * 1000:8.1f} {status:6d} {size / 1024:7.1f}"
                print(f"{label:36} {figures}  {goal_text}")
    finally:
        service.close()
    if missed:
        print(f"missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
