"""A real workflow survives SWF's throttling: the replay executor, its decider and workers, many activities.

The run goes through the same code as ``localswf.start --quotas aws``: the AWS profile, with the buckets a
workflow of 30 activities spends shrunk so that it reaches them in a second instead of after thousands of
calls. Throttled API calls are retried by botocore (the in-process client of a throttling service makes
5 attempts, as simpleflow's clients of Amazon SWF do), throttled polls by the poll loop, and refused
schedules by the decider after its back-off timer.
"""

from __future__ import annotations

from simpleflow.local import DOMAIN, LocalRun
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.quotas import AWS_QUOTAS, BucketQuota
from tests.fixtures.workflows import ManyWorkflow

ACTIVITIES = 30
SMALL_AWS = AWS_QUOTAS.with_buckets(
    name="aws, shrunk",
    api={
        # 8 workers long-polling at once, a decider, and answers as fast as activities are scheduled.
        "PollForActivityTask": BucketQuota(2, 10),
        "PollForDecisionTask": BucketQuota(2, 10),
        "RespondActivityTaskCompleted": BucketQuota(2, 10),
    },
    decisions={"ScheduleActivityTask": BucketQuota(5, 5)},
)


def test_a_workflow_of_many_activities_completes_through_swfs_throttling() -> None:
    with LocalRun(ManyWorkflow, nb_workers=8, limits=Limits(quotas=SMALL_AWS)) as run:
        assert run.execute([ACTIVITIES], timeout=120) == sum(range(1, ACTIVITIES + 1))
        throttle = run.service.throttle
        assert throttle is not None
        refused_calls = dict(throttle.refused)
        execution = {"workflowId": run.root["workflowId"], "runId": run.root["runId"]}
        events = []
        page: dict[str, object] = {}
        while True:
            answer = run.client.get_workflow_execution_history(domain=DOMAIN, execution=execution, **page)
            events.extend(answer["events"])
            if not answer.get("nextPageToken"):
                break
            page = {"nextPageToken": answer["nextPageToken"]}
    # Polls and answers were throttled, and every one of them got through in the end.
    assert refused_calls.get("PollForActivityTask", 0) > 0, refused_calls
    assert refused_calls.get("RespondActivityTaskCompleted", 0) > 0, refused_calls
    refusals = [
        event["scheduleActivityTaskFailedEventAttributes"]["cause"]
        for event in events
        if event["eventType"] == "ScheduleActivityTaskFailed"
    ]
    # The account's decision bucket (5 tokens) refused most of the first 30 schedules at once.
    assert len(refusals) >= ACTIVITIES - 5 - 1
    assert set(refusals) == {"ACTIVITY_CREATION_RATE_EXCEEDED"}
    assert sum(event["eventType"] == "ActivityTaskCompleted" for event in events) == ACTIVITIES
