"""The direct client answers every operation, fault and bad input as botocore does (see twins.py)."""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError, OperationNotPageableError
from dateutil.tz import tzutc

from simpleflow.localswf.direct import direct_client
from simpleflow.localswf.direct_model import ClientModel, local_client_model
from simpleflow.localswf.embedded import (
    DEFAULT_REGION,
    IN_PROCESS_ENDPOINT,
    local_client_config,
    make_local_client,
)
from simpleflow.localswf.service import SWFService
from simpleflow.localswf.validation import operation_names
from tests.conformance.twins import (
    ACTIVITIES,
    ACTIVITY,
    DECISIONS,
    DOMAIN,
    FAULTS,
    INVALID,
    LONG,
    WORKFLOW,
    assert_alike,
    register,
    schedule,
    start,
    twin_sides,
)

pytestmark = [pytest.mark.conformance]


def test_every_operation_answers_as_botocore_does() -> None:
    with twin_sides() as sides:
        register(sides)
        arn = f"arn:aws:swf:us-east-1:000000000000:/domain/{DOMAIN}"
        for method, params in (
            ("describe_domain", {"name": DOMAIN}),
            ("list_domains", {"registrationStatus": "REGISTERED"}),
            ("tag_resource", {"resourceArn": arn, "tags": [{"key": "team", "value": "flow"}]}),
            ("list_tags_for_resource", {"resourceArn": arn}),
            ("untag_resource", {"resourceArn": arn, "tagKeys": ["team"]}),
            ("describe_workflow_type", {"domain": DOMAIN, "workflowType": WORKFLOW}),
            ("describe_activity_type", {"domain": DOMAIN, "activityType": ACTIVITY}),
            ("list_workflow_types", {"domain": DOMAIN, "registrationStatus": "REGISTERED"}),
            (
                "list_activity_types",
                {"domain": DOMAIN, "registrationStatus": "REGISTERED", "reverseOrder": True},
            ),
            ("start_workflow_execution", start("tour", input="é✓\U0001f600", tagList=["tour", "a"])),
            ("start_workflow_execution", start("other", taskList={"name": DECISIONS}, childPolicy="ABANDON")),
            ("count_pending_decision_tasks", {"domain": DOMAIN, "taskList": {"name": DECISIONS}}),
            ("count_open_workflow_executions", {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}}),
            (
                "list_open_workflow_executions",
                {
                    "domain": DOMAIN,
                    "startTimeFilter": {"oldestDate": datetime.datetime(2020, 1, 1, tzinfo=tzutc())},
                    "maximumPageSize": 1,
                },
            ),
            (
                "list_open_workflow_executions",
                lambda side: {
                    "domain": DOMAIN,
                    "startTimeFilter": {"oldestDate": "2020-01-01T00:00:00Z"},
                    "nextPageToken": side.page_tokens[-1],
                },
            ),
            (
                "poll_for_decision_task",
                {"domain": DOMAIN, "taskList": {"name": DECISIONS}, "maximumPageSize": 2},
            ),
            (
                "poll_for_decision_task",
                lambda side: {
                    "domain": DOMAIN,
                    "taskList": {"name": DECISIONS},
                    "nextPageToken": side.page_tokens[-1],
                },
            ),
            (
                "respond_decision_task_completed",
                lambda side: {
                    "taskToken": side.decision_tokens[-1],
                    "executionContext": "ctx",
                    "decisions": [
                        schedule("a-1", input="1"),
                        schedule("a-2"),
                        schedule("a-3", taskList={"name": ACTIVITIES}),
                        {
                            "decisionType": "StartTimer",
                            "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": LONG},
                        },
                        {
                            "decisionType": "RecordMarker",
                            "recordMarkerDecisionAttributes": {"markerName": "m", "details": "d"},
                        },
                        {
                            "decisionType": "CancelTimer",
                            "cancelTimerDecisionAttributes": {"timerId": "never"},
                        },
                    ],
                },
            ),
            ("count_pending_activity_tasks", {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}}),
            (
                "poll_for_activity_task",
                {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}, "identity": "w1"},
            ),
            ("poll_for_activity_task", {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}}),
            ("poll_for_activity_task", {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}}),
            ("poll_for_activity_task", {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}}),
            (
                "record_activity_task_heartbeat",
                lambda side: {"taskToken": side.activity_tokens[0], "details": "1/2"},
            ),
            (
                "respond_activity_task_completed",
                lambda side: {"taskToken": side.activity_tokens[0], "result": "1"},
            ),
            (
                "respond_activity_task_completed",
                lambda side: {"taskToken": side.activity_tokens[0], "result": "2"},
            ),
            (
                "respond_activity_task_failed",
                lambda side: {"taskToken": side.activity_tokens[1], "reason": "no"},
            ),
            (
                "signal_workflow_execution",
                {"domain": DOMAIN, "workflowId": "tour", "signalName": "s", "input": "x"},
            ),
            ("request_cancel_workflow_execution", {"domain": DOMAIN, "workflowId": "tour"}),
            ("record_activity_task_heartbeat", lambda side: {"taskToken": side.activity_tokens[2]}),
            (
                "respond_activity_task_canceled",
                lambda side: {"taskToken": side.activity_tokens[2], "details": "ok"},
            ),
            ("describe_workflow_execution", lambda side: {"domain": DOMAIN, "execution": side.runs[0]}),
            (
                "get_workflow_execution_history",
                lambda side: {"domain": DOMAIN, "execution": side.runs[0], "reverseOrder": True},
            ),
            ("terminate_workflow_execution", {"domain": DOMAIN, "workflowId": "tour", "reason": "over"}),
            (
                "terminate_workflow_execution",
                {"domain": DOMAIN, "workflowId": "other", "childPolicy": "TERMINATE"},
            ),
            ("count_closed_workflow_executions", {"domain": DOMAIN, "closeTimeFilter": {"oldestDate": 0}}),
            (
                "list_closed_workflow_executions",
                {
                    "domain": DOMAIN,
                    "closeTimeFilter": {"oldestDate": 0, "latestDate": 4102444800},
                    "closeStatusFilter": {"status": "TERMINATED"},
                },
            ),
            ("get_workflow_execution_history", lambda side: {"domain": DOMAIN, "execution": side.runs[0]}),
            ("deprecate_workflow_type", {"domain": DOMAIN, "workflowType": WORKFLOW}),
            ("undeprecate_workflow_type", {"domain": DOMAIN, "workflowType": WORKFLOW}),
            ("deprecate_workflow_type", {"domain": DOMAIN, "workflowType": WORKFLOW}),
            ("delete_workflow_type", {"domain": DOMAIN, "workflowType": WORKFLOW}),
            ("deprecate_activity_type", {"domain": DOMAIN, "activityType": ACTIVITY}),
            ("undeprecate_activity_type", {"domain": DOMAIN, "activityType": ACTIVITY}),
            ("deprecate_activity_type", {"domain": DOMAIN, "activityType": ACTIVITY}),
            ("delete_activity_type", {"domain": DOMAIN, "activityType": ACTIVITY}),
            ("deprecate_domain", {"name": DOMAIN}),
            ("undeprecate_domain", {"name": DOMAIN}),
        ):
            assert_alike(sides, method, params)
        reference, direct = sides
        assert {name for name, _ in direct.after_calls} == operation_names()
        assert direct.after_calls == reference.after_calls


@pytest.mark.parametrize("parameter_validation", [True, False], ids=["botocore-checks", "service-checks"])
def test_faults_and_bad_input_raise_what_botocore_raises(parameter_validation):
    # Without botocore's checks, the bad input reaches the service, which must refuse it the same way.
    with twin_sides(parameter_validation=parameter_validation) as sides:
        register(sides)
        for method, params in FAULTS + INVALID:
            assert_alike(sides, method, params)
        oversized = [schedule(f"a-{index}", input="x" * 32768) for index in range(40)]
        assert_alike(sides, "respond_decision_task_completed", {"taskToken": "t", "decisions": oversized})


def test_positional_arguments_and_helpers_fail_as_on_botocore() -> None:
    with twin_sides() as sides:
        reference, direct = sides
        for client in (reference.client, direct.client):
            with pytest.raises(TypeError, match=r"^describe_domain\(\) only accepts keyword arguments\.$"):
                client.describe_domain("d")
            with pytest.raises(OperationNotPageableError) as caught:
                client.get_paginator("describe_domain")
            assert str(caught.value) == "Operation cannot be paginated: describe_domain"
            with pytest.raises(ValueError, match="Waiter does not exist: done"):
                client.get_waiter("done")
            assert client.waiter_names == []


def test_client_surface_matches_botocore() -> None:
    with twin_sides() as sides:
        reference, direct = (side.client for side in sides)
        methods = {name for name in reference.meta.method_to_api_mapping}
        assert {name for name in methods if callable(getattr(direct, name, None))} == methods
        assert direct.exceptions is reference.exceptions
        for name in methods:
            assert direct.can_paginate(name) == reference.can_paginate(name), name
        for attribute in ("region_name", "endpoint_url", "service_model", "partition", "config"):
            assert getattr(direct.meta, attribute) == getattr(reference.meta, attribute), attribute
        with pytest.raises(NotImplementedError, match="only 'after-call' events"):
            direct.meta.events.register("before-send.swf", lambda **_: None)


def test_paginators_walk_the_same_pages() -> None:
    with twin_sides() as sides:
        register(sides)
        for index in range(7):
            assert_alike(sides, "start_workflow_execution", start(f"w-{index}", taskList={"name": DECISIONS}))
        pages = []
        for side in sides:
            paginator = side.client.get_paginator("list_open_workflow_executions")
            iterator = paginator.paginate(
                domain=DOMAIN, startTimeFilter={"oldestDate": 0}, PaginationConfig={"PageSize": 3}
            )
            pages.append(side.typed(list(iterator)))
            full = paginator.paginate(domain=DOMAIN, startTimeFilter={"oldestDate": 0}).build_full_result()
            pages.append(side.typed(full))
        assert pages[2:] == pages[:2]


def test_local_model_is_what_a_botocore_client_holds() -> None:
    """The model --local's direct client is built from (no botocore client made) is a botocore client's."""
    reference = make_local_client(IN_PROCESS_ENDPOINT)
    built = local_client_model(
        config=local_client_config(), endpoint_url=IN_PROCESS_ENDPOINT, region_name=DEFAULT_REGION
    )
    taken = ClientModel.of_client(reference)
    assert built.method_to_api_mapping == taken.method_to_api_mapping
    assert (built.region_name, built.endpoint_url, built.partition, built.validates) == (
        taken.region_name,
        taken.endpoint_url,
        taken.partition,
        taken.validates,
    )
    # Shapes have no equality of their own: the model document they are read from is compared whole.
    assert built.service_model._service_description == taken.service_model._service_description
    assert built.service_model.service_name == taken.service_model.service_name
    codes = {code: cls.__name__ for code, cls in built.exceptions._code_to_exception.items()}
    assert codes == {code: cls.__name__ for code, cls in taken.exceptions._code_to_exception.items()}
    assert all(issubclass(cls, ClientError) for cls in built.exceptions._code_to_exception.values())
    for option in ("retries", "signature_version", "user_agent", "read_timeout", "parameter_validation"):
        assert getattr(built.config, option) == getattr(taken.config, option), option


def test_local_model_in_other_partitions() -> None:
    config = local_client_config()
    partitions = {
        region: local_client_model(
            config=config, endpoint_url=IN_PROCESS_ENDPOINT, region_name=region
        ).partition
        for region in ("eu-west-3", "cn-north-1", "us-gov-west-1")
    }
    assert partitions == {"eu-west-3": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"}


def test_direct_client_takes_one_model() -> None:
    with pytest.raises(TypeError, match="exactly one of model_client and model"):
        direct_client(SWFService(), model_client=None, model=None)


def test_direct_client_refuses_a_model_that_retries() -> None:
    model = local_client_model(
        config=local_client_config(max_attempts=3),
        endpoint_url=IN_PROCESS_ENDPOINT,
        region_name=DEFAULT_REGION,
    )
    with pytest.raises(ValueError, match="makes one attempt per call"):
        direct_client(SWFService(), model=model)
