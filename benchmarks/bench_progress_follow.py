"""What following a run costs SWF: events transferred by idle looks at a long history.

``standalone``, ``workflow.wait`` and ``workflow.start --wait`` look at the run from time to time. A look
reads only what is new: after its first read, the follower asks for small pages, back to the last event
it knows. The previous look read a whole default page each time. Goal: an idle look at a 2,000-event
history transfers at most 10 events, at least 50x fewer than the previous look.
"""

from __future__ import annotations

import resource
import sys

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.progress import ExecutionFollower
from simpleflow.swf.models import WorkflowExecution

SIGNALS = 2000
LOOKS = 20
GOAL_EVENTS_PER_LOOK = 10
GOAL_RATIO = 50


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    service = SWFService(poll_timeout=0.5)
    try:
        with embedded_client(service) as client:
            client.register_domain(name="bench", workflowExecutionRetentionPeriodInDays="1")
            client.register_workflow_type(
                domain="bench",
                name="idle",
                version="1",
                defaultTaskList={"name": "nobody"},
                defaultTaskStartToCloseTimeout="60",
                defaultExecutionStartToCloseTimeout="3600",
                defaultChildPolicy="TERMINATE",
            )
            run_id = client.start_workflow_execution(
                domain="bench", workflowId="long", workflowType={"name": "idle", "version": "1"}
            )["runId"]
            for number in range(SIGNALS):
                client.signal_workflow_execution(domain="bench", workflowId="long", signalName=f"s{number}")
            transferred: list[int] = []
            client.meta.events.register(
                "after-call.swf.GetWorkflowExecutionHistory",
                lambda parsed, **_: transferred.append(len(parsed.get("events", []))),
            )
            follower = ExecutionFollower(client, "bench", {"workflowId": "long", "runId": run_id})
            follower.look()
            known = follower.current.last_event_id
            transferred.clear()
            start = cpu()
            for _ in range(LOOKS):
                follower.look()
            follower_events, follower_cpu = sum(transferred), cpu() - start

            transferred.clear()
            execution = WorkflowExecution("bench", "long", run_id=run_id, client=client)
            start = cpu()
            for _ in range(LOOKS):  # the previous look: newest pages of the default size, to a known event
                for page in execution.iter_history_pages(reverse=True):
                    if any(event["eventId"] <= known for event in page):
                        break
            previous_events, previous_cpu = sum(transferred), cpu() - start
    finally:
        service.close()
    per_look = follower_events / LOOKS
    ratio = previous_events / max(1, follower_events)
    print(f"history: {known} events; {LOOKS} idle looks")
    print(
        f"follower: {follower_events} events transferred ({per_look:.1f} per look), {follower_cpu:.3f} s CPU"
    )
    print(f"previous: {previous_events} events transferred, {previous_cpu:.3f} s CPU")
    print(f"ratio: {ratio:.0f}x fewer events (goal >= {GOAL_RATIO}x, <= {GOAL_EVENTS_PER_LOOK} per look)")
    return 0 if per_look <= GOAL_EVENTS_PER_LOOK and ratio >= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
