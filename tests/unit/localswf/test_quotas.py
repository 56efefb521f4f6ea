"""SWF's published quotas: the data table, token-bucket arithmetic, and the scope of every bucket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from simpleflow.localswf.embedded import THROTTLED_MAX_ATTEMPTS, embedded_client
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.quotas import (
    AWS_QUOTAS,
    PROFILES,
    PUBLISHED_QUOTAS,
    TASK_LIST_SCHEDULE_RATE,
    BucketQuota,
    QuotaKind,
    QuotaProfile,
    QuotaScope,
    execution_member,
    quota_profile,
)
from simpleflow.localswf.rates import RATE_CAUSES, CreationRates, TokenBucket
from simpleflow.localswf.service import SWFService
from simpleflow.localswf.throttling import APIThrottle
from tests.fixtures.frozen_clock import FrozenClock
from tests.unit.localswf.driver import ACTIVITY, DOMAIN, WORKFLOW, Driver, attrs_of, decision, schedule

MODEL = botocore.session.get_session().get_service_model("swf")


# -- the data table ------------------------------------------------------------------------------------


def test_every_swf_operation_has_its_published_account_bucket() -> None:
    assert set(AWS_QUOTAS.api) == set(MODEL.operation_names)


@pytest.mark.parametrize(
    ("operation", "size", "refill"),
    [
        ("PollForActivityTask", 2000, 200),
        ("PollForDecisionTask", 2000, 200),
        ("RespondDecisionTaskCompleted", 2000, 200),
        ("RespondActivityTaskCompleted", 2000, 200),
        ("StartWorkflowExecution", 2000, 200),
        ("RecordActivityTaskHeartbeat", 2000, 160),
        ("GetWorkflowExecutionHistory", 2000, 60),
        ("SignalWorkflowExecution", 2000, 30),
        ("ListClosedWorkflowExecutions", 200, 6),
        ("ListOpenWorkflowExecutions", 200, 48),
        ("RegisterDomain", 100, 6),
        ("TagResource", 50, 30),
    ],
    ids=lambda value: str(value),
)
def test_account_figures_are_the_guides(operation: str, size: int, refill: int) -> None:
    assert AWS_QUOTAS.api[operation] == BucketQuota(size, refill)


def test_decision_and_execution_figures_are_the_guides() -> None:
    assert dict(AWS_QUOTAS.decisions) == {
        "ScheduleActivityTask": BucketQuota(1000, 200),
        "StartTimer": BucketQuota(2000, 200),
        "StartChildWorkflowExecution": BucketQuota(500, 12),
        "SignalExternalWorkflowExecution": BucketQuota(1200, 120),
        "RequestCancelExternalWorkflowExecution": BucketQuota(1200, 120),
    }
    assert dict(AWS_QUOTAS.api_per_execution) == {
        "GetWorkflowExecutionHistory": BucketQuota(400, 200),
        "SignalWorkflowExecution": BucketQuota(1000, 1000),
        "RecordActivityTaskHeartbeat": BucketQuota(1000, 1000),
        "RequestCancelWorkflowExecution": BucketQuota(200, 200),
    }
    assert (
        Limits().creation_rates
        == {"ScheduleActivityTask": TASK_LIST_SCHEDULE_RATE}
        == {"ScheduleActivityTask": 2000}
    )


def test_every_row_names_its_scope_and_section() -> None:
    sections = {(quota.kind, quota.scope): quota.section for quota in PUBLISHED_QUOTAS}
    assert sections == {
        (QuotaKind.API, QuotaScope.ACCOUNT): "Throttling quotas for all Regions",
        (QuotaKind.DECISION, QuotaScope.ACCOUNT): "Decision quotas for all Regions",
        (QuotaKind.API, QuotaScope.EXECUTION): "Workflow-level quotas",
        (QuotaKind.DECISION, QuotaScope.TASK_LIST): "Quotas on Task Executions",
    }
    assert len(PUBLISHED_QUOTAS) == 39 + 5 + 4 + 1


@pytest.mark.parametrize("operation", sorted(AWS_QUOTAS.api_per_execution))
def test_the_member_naming_the_execution_is_in_the_request(operation: str) -> None:
    member = execution_member(operation)
    assert member in MODEL.operation_model(operation).input_shape.members


def test_decisions_without_a_published_figure_are_left_to_creation_rates() -> None:
    assert set(RATE_CAUSES) - set(AWS_QUOTAS.decisions) == {
        "ScheduleLambdaFunction",
        "ContinueAsNewWorkflowExecution",
    }


# -- profiles: names, shrinking, bad input ----------------------------------------------------------------


def test_profiles_by_name() -> None:
    assert quota_profile("aws") is AWS_QUOTAS
    assert quota_profile("none") is None
    assert quota_profile(None) is None
    assert set(PROFILES) == {"none", "aws"}
    with pytest.raises(ValueError, match="unknown quota profile 'azure'; known: none, aws"):
        quota_profile("azure")


def test_with_buckets_replaces_some_and_keeps_the_others() -> None:
    small = AWS_QUOTAS.with_buckets(
        api={"PollForActivityTask": BucketQuota(2, 1)}, decisions={"ScheduleActivityTask": BucketQuota(3, 1)}
    )
    assert small.api["PollForActivityTask"] == BucketQuota(2, 1)
    assert small.api["StartWorkflowExecution"] == AWS_QUOTAS.api["StartWorkflowExecution"]
    assert small.decisions["ScheduleActivityTask"] == BucketQuota(3, 1)
    assert AWS_QUOTAS.api["PollForActivityTask"] == BucketQuota(2000, 200)  # the original is untouched
    with pytest.raises(TypeError):
        small.api["PollForActivityTask"] = BucketQuota(1, 1)  # type: ignore[index]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: BucketQuota(0.5, 1), ValueError, "size must be at least 1"),
        (lambda: BucketQuota(10, 0), ValueError, "refill must be above 0"),
        (lambda: QuotaProfile("p", api={"PollForWork": BucketQuota(1, 1)}), ValueError, "no api quota"),
        (
            lambda: QuotaProfile("p", api_per_execution={"ListDomains": BucketQuota(1, 1)}),
            ValueError,
            "no api_per_execution quota can apply to ListDomains",
        ),
        (
            lambda: QuotaProfile("p", decisions={"RecordMarker": BucketQuota(1, 1)}),
            ValueError,
            "RecordMarker",
        ),
        (lambda: QuotaProfile("p", api={"ListDomains": (100, 6)}), TypeError, "must be BucketQuota"),  # type: ignore[dict-item]
    ],
    ids=[
        "size-under-one",
        "no-refill",
        "unknown-api",
        "not-per-execution",
        "not-a-creating-decision",
        "tuple",
    ],
)
def test_bad_quotas_are_refused_with_what_is_wrong(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


# -- bucket arithmetic ---------------------------------------------------------------------------------


def test_a_bucket_bursts_to_its_size_and_then_runs_at_its_refill() -> None:
    bucket = TokenBucket.full(BucketQuota(size=3, refill=2), now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.4) is False  # 0.8 token
    assert bucket.take(0.5) is True  # 1 token
    assert [bucket.take(0.75) for _ in range(2)] == [False, False]  # 0.5 token
    assert [bucket.take(1000.0) for _ in range(4)] == [True, True, True, False]  # capped at the size
    assert bucket.is_full(1000.0) is False
    assert bucket.is_full(1001.5) is True


def test_the_account_decision_bucket_is_shared_by_every_task_list_and_domain() -> None:
    rates = CreationRates({}, account={"ScheduleActivityTask": BucketQuota(2, 1)})
    assert rates.refusal("ScheduleActivityTask", "d1/a", now=0) is None
    assert rates.refusal("ScheduleActivityTask", "d2/b", now=0) is None
    assert rates.refusal("ScheduleActivityTask", "d3/c", now=0) == "ACTIVITY_CREATION_RATE_EXCEEDED"
    assert rates.refusal("StartTimer", "d1", now=0) is None  # another type, another bucket
    assert rates.refusal("ScheduleActivityTask", "d3/c", now=1) is None


def test_a_decision_needs_a_token_of_every_bucket_and_a_refused_one_spends_none() -> None:
    rates = CreationRates(
        {"ScheduleActivityTask": 1}, account={"ScheduleActivityTask": BucketQuota(2, 0.001)}
    )
    assert rates.refusal("ScheduleActivityTask", "d/a", now=0) is None  # account 2 -> 1, list a 1 -> 0
    assert rates.refusal("ScheduleActivityTask", "d/a", now=0) is not None  # list a is empty
    assert rates.refusal("ScheduleActivityTask", "d/b", now=0) is None  # the account's last token
    assert rates.refusal("ScheduleActivityTask", "d/c", now=0) is not None  # the account is empty


def test_a_creation_rate_under_one_a_second_still_lets_one_through_per_period() -> None:
    rates = CreationRates({"StartTimer": 0.5})
    assert rates.refusal("StartTimer", "d", now=0) is None
    assert rates.refusal("StartTimer", "d", now=1) is not None
    assert rates.refusal("StartTimer", "d", now=2) is None


# -- the service: API buckets per account and per execution ----------------------------------------------


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def tiny(**api_per_execution: BucketQuota) -> QuotaProfile:
    """Every account bucket wide open but the ones a test names, so set-up calls are never throttled."""
    wide = {name: BucketQuota(10_000, 10_000) for name in AWS_QUOTAS.api}
    return QuotaProfile("tiny", api=wide, api_per_execution=api_per_execution)


@pytest.fixture
def throttled(clock: FrozenClock) -> Iterator[tuple[SWFService, Driver]]:
    profile = tiny(
        GetWorkflowExecutionHistory=BucketQuota(2, 1),
        SignalWorkflowExecution=BucketQuota(1, 1),
        RequestCancelWorkflowExecution=BucketQuota(1, 1),
        RecordActivityTaskHeartbeat=BucketQuota(1, 1),
    ).with_buckets(api={"ListDomains": BucketQuota(2, 1)})
    service = SWFService(poll_timeout=0.2, clock=clock, quotas=profile)
    with embedded_client(service, max_attempts=1) as client:
        yield service, Driver(client).setup()
    service.close()


def code_of(call: Any, **params: Any) -> str | None:
    try:
        call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def test_an_account_bucket_is_shared_by_every_caller_and_refills_on_the_service_clock(
    throttled: tuple[SWFService, Driver], clock: FrozenClock
) -> None:
    service, swf = throttled
    listing = {"registrationStatus": "REGISTERED"}
    assert [code_of(swf.client.list_domains, **listing) for _ in range(3)] == [
        None,
        None,
        "ThrottlingException",
    ]
    clock.advance(1.0)
    assert code_of(swf.client.list_domains, **listing) is None
    assert code_of(swf.client.list_domains, **listing) == "ThrottlingException"
    assert service.throttle is not None and service.throttle.refused["ListDomains"] == 2


def test_history_reads_are_throttled_per_run(
    throttled: tuple[SWFService, Driver], clock: FrozenClock
) -> None:
    _, swf = throttled
    runs = {workflow_id: swf.start(workflow_id) for workflow_id in ("wf-1", "wf-2")}

    def read(workflow_id: str) -> str | None:
        execution = {"workflowId": workflow_id, "runId": runs[workflow_id]}
        return code_of(swf.client.get_workflow_execution_history, domain=DOMAIN, execution=execution)

    assert [read("wf-1") for _ in range(3)] == [None, None, "ThrottlingException"]
    assert [read("wf-2") for _ in range(2)] == [None, None]  # another run, a bucket of its own
    clock.advance(1.0)
    assert read("wf-1") is None


def test_a_signal_with_or_without_its_run_id_spends_the_same_runs_bucket(
    throttled: tuple[SWFService, Driver], clock: FrozenClock
) -> None:
    _, swf = throttled
    run_id = swf.start("wf-1")
    signal = {"domain": DOMAIN, "workflowId": "wf-1", "signalName": "s"}
    assert code_of(swf.client.signal_workflow_execution, **signal, runId=run_id) is None
    assert code_of(swf.client.signal_workflow_execution, **signal) == "ThrottlingException"
    assert code_of(swf.client.request_cancel_workflow_execution, domain=DOMAIN, workflowId="wf-1") is None
    clock.advance(1.0)
    assert code_of(swf.client.signal_workflow_execution, **signal) is None


def test_heartbeats_are_throttled_per_run_of_their_task(throttled: tuple[SWFService, Driver]) -> None:
    _, swf = throttled
    run_id = swf.start("wf-1")
    swf.decide(schedule("a1"), schedule("a2"))
    tokens = [swf.poll_activity()["taskToken"] for _ in range(2)]
    assert all(tokens)
    beat = swf.client.record_activity_task_heartbeat
    # Two tasks of one run share its bucket: the second task's first heartbeat is refused.
    assert [code_of(beat, taskToken=token) for token in tokens] == [None, "ThrottlingException"]
    events = [event["eventType"] for event in swf.events("wf-1", run_id)]
    assert events.count("ActivityTaskStarted") == 2


def test_a_request_for_an_unknown_execution_is_answered_unknown_not_throttled(
    throttled: tuple[SWFService, Driver],
) -> None:
    _, swf = throttled
    execution = {"workflowId": "nobody", "runId": "22" + "A" * 40}
    for _ in range(3):
        assert (
            code_of(swf.client.get_workflow_execution_history, domain=DOMAIN, execution=execution)
            == "UnknownResourceFault"
        )
    assert (
        code_of(swf.client.record_activity_task_heartbeat, taskToken="no-such-token")
        == "UnknownResourceFault"
    )


def test_buckets_of_runs_are_forgotten_once_full_again() -> None:
    class Runs:
        """A store stand-in answering the run lookups of ``named_run``: run seq = the run id's number."""

        def scalar(self, sql: str, params: tuple[Any, ...]) -> int:
            return int(params[0])

    profile = tiny(GetWorkflowExecutionHistory=BucketQuota(5, 1))
    throttle = APIThrottle(profile)
    store: Any = Runs()
    for seq in range(1, 1025):
        params = {"domain": "d", "execution": {"workflowId": "w", "runId": str(seq)}}
        throttle.admit_execution("GetWorkflowExecutionHistory", params, store, now=float(seq))
    # At the 1,024th new bucket the sweep drops those refilled (one token spent, 1 s to refill).
    assert throttle.execution_buckets() == 1


def test_an_in_process_client_retries_throttling_only_on_a_throttling_service(clock: FrozenClock) -> None:
    plain = SWFService(poll_timeout=0.2)
    with embedded_client(plain) as client:
        assert client.meta.config.retries["total_max_attempts"] == 1
    plain.close()
    profile = tiny().with_buckets(api={"ListDomains": BucketQuota(1, 1)})
    service = SWFService(poll_timeout=0.2, clock=clock, quotas=profile)
    with embedded_client(service) as client:
        assert client.meta.config.retries["total_max_attempts"] == THROTTLED_MAX_ATTEMPTS
        client.list_domains(registrationStatus="REGISTERED")
        client.meta.events.register("needs-retry.swf.ListDomains", lambda **kwargs: clock.advance(1.0))
        response = client.list_domains(registrationStatus="REGISTERED")
    service.close()
    assert response["ResponseMetadata"]["RetryAttempts"] == 1


def test_the_service_takes_a_profile_by_name_or_from_its_limits() -> None:
    cases: list[tuple[dict[str, Any], QuotaProfile | None]] = [
        ({}, None),
        ({"quotas": "aws"}, AWS_QUOTAS),
        ({"quotas": "none", "limits": Limits(quotas=AWS_QUOTAS)}, None),
        ({"limits": Limits(quotas=AWS_QUOTAS, max_open_timers=3)}, AWS_QUOTAS),
        ({"limits": Limits(quotas="aws")}, AWS_QUOTAS),
    ]
    for options, expected in cases:
        service = SWFService(poll_timeout=0.2, **options)
        try:
            assert service.limits.quotas is expected
            assert (service.throttle is None) is (expected is None)
        finally:
            service.close()
    with pytest.raises(ValueError, match="unknown quota profile 'fast'"):
        SWFService(quotas="fast")
    with pytest.raises(
        TypeError, match=r"a quota profile is a name \(none, aws\) or a QuotaProfile, not \{\}"
    ):
        SWFService(limits=Limits(quotas={}))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("decision_type", "attrs"),
    [
        ("ScheduleActivityTask", {"activityType": ACTIVITY, "activityId": "a"}),
        ("StartTimer", {"timerId": "t", "startToFireTimeout": "60"}),
        ("StartChildWorkflowExecution", {"workflowType": WORKFLOW}),
        ("SignalExternalWorkflowExecution", {"workflowId": "elsewhere", "signalName": "s"}),
        ("RequestCancelExternalWorkflowExecution", {"workflowId": "elsewhere"}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_published_decision_bucket_is_shared_by_every_run_of_the_account(
    decision_type: str, attrs: dict[str, Any], clock: FrozenClock
) -> None:
    profile = tiny().with_buckets(decisions={decision_type: BucketQuota(1, 1)})
    service = SWFService(poll_timeout=0.2, clock=clock, quotas=profile)
    with embedded_client(service, max_attempts=1) as client:
        swf = Driver(client).setup()
        runs = {workflow_id: swf.start(workflow_id) for workflow_id in ("wf-1", "wf-2")}
        answered: list[str] = []
        for _ in range(10):  # each run's first decision task, whatever else (a child, an event) comes
            task = swf.poll_decision()
            workflow_id = task["workflowExecution"]["workflowId"]
            decisions = []
            if workflow_id in runs and workflow_id not in answered:
                # A child needs an id of its own in each run.
                made = (
                    {**attrs, "workflowId": f"child-of-{workflow_id}"} if "Child" in decision_type else attrs
                )
                decisions = [decision(decision_type, **made)]
                answered.append(workflow_id)
            client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
            if len(answered) == len(runs):
                break
        assert sorted(answered) == sorted(runs)
        causes = {
            workflow_id: [
                attrs_of(event)["cause"]
                for event in swf.events(workflow_id, run_id)
                if event["eventType"] == f"{decision_type}Failed"
            ]
            for workflow_id, run_id in runs.items()
        }
    service.close()
    first, second = answered
    assert RATE_CAUSES[decision_type] not in causes[first]
    assert causes[second][:1] == [RATE_CAUSES[decision_type]]  # another run, the account's spent bucket
