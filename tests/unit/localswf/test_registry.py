"""Domains, types and tags through a real boto3 client attached in process."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.unit.localswf.driver import ACTIVITY, DOMAIN, WORKFLOW, Driver


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = excinfo.value.response["Error"]["Code"]
    return code


def test_domain_lifecycle(swf_client: Any) -> None:
    swf_client.register_domain(name="d1", description="first", workflowExecutionRetentionPeriodInDays="3")
    detail = swf_client.describe_domain(name="d1")
    assert detail["domainInfo"]["status"] == "REGISTERED"
    assert detail["domainInfo"]["description"] == "first"
    assert detail["domainInfo"]["arn"].endswith(":/domain/d1")
    assert detail["configuration"] == {"workflowExecutionRetentionPeriodInDays": "3"}
    with pytest.raises(ClientError) as excinfo:
        swf_client.register_domain(name="d1", workflowExecutionRetentionPeriodInDays="3")
    assert error_code(excinfo) == "DomainAlreadyExistsFault"
    with pytest.raises(ClientError) as excinfo:
        swf_client.undeprecate_domain(name="d1")
    assert error_code(excinfo) == "DomainAlreadyExistsFault"
    swf_client.deprecate_domain(name="d1")
    assert swf_client.describe_domain(name="d1")["domainInfo"]["status"] == "DEPRECATED"
    with pytest.raises(ClientError) as excinfo:
        swf_client.deprecate_domain(name="d1")
    assert error_code(excinfo) == "DomainDeprecatedFault"
    swf_client.undeprecate_domain(name="d1")
    assert swf_client.describe_domain(name="d1")["domainInfo"]["status"] == "REGISTERED"


def test_unknown_domain_is_unknown_resource(swf_client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        swf_client.describe_domain(name="missing")
    assert error_code(excinfo) == "UnknownResourceFault"


@pytest.mark.parametrize("reverse", [False, True], ids=["ascending", "reverse"])
def test_list_domains_pages_in_name_order(swf_client: Any, reverse: bool) -> None:
    names = [f"dom-{index:02d}" for index in range(7)]
    for name in reversed(names):
        swf_client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf_client.register_domain(name="old", workflowExecutionRetentionPeriodInDays="1")
    swf_client.deprecate_domain(name="old")
    seen: list[str] = []
    token = None
    while True:
        page = swf_client.list_domains(
            registrationStatus="REGISTERED",
            maximumPageSize=3,
            reverseOrder=reverse,
            **({"nextPageToken": token} if token else {}),
        )
        assert len(page["domainInfos"]) <= 3
        seen.extend(info["name"] for info in page["domainInfos"])
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == (list(reversed(names)) if reverse else names)
    deprecated = swf_client.list_domains(registrationStatus="DEPRECATED")["domainInfos"]
    assert [info["name"] for info in deprecated] == ["old"]


def test_bad_page_token_is_a_validation_error(swf_client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        swf_client.list_domains(registrationStatus="REGISTERED", nextPageToken="!!not-a-token!!")
    assert error_code(excinfo) == "ValidationException"


@pytest.mark.parametrize(
    ("noun", "type_key", "defaults"),
    [
        (
            "workflow_type",
            "workflowType",
            {"defaultTaskList": {"name": "tl"}, "defaultChildPolicy": "ABANDON", "defaultTaskPriority": "3"},
        ),
        (
            "activity_type",
            "activityType",
            {"defaultTaskList": {"name": "tl"}, "defaultTaskHeartbeatTimeout": "NONE"},
        ),
    ],
    ids=["workflow", "activity"],
)
def test_type_lifecycle(swf_client: Any, noun: str, type_key: str, defaults: dict[str, Any]) -> None:
    swf_client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    register = getattr(swf_client, f"register_{noun}")
    ref = {"name": "t", "version": "1"}
    register(domain="d", description="a type", **ref, **defaults)
    described = getattr(swf_client, f"describe_{noun}")(domain="d", **{type_key: ref})
    assert described["typeInfo"][type_key] == ref
    assert described["typeInfo"]["status"] == "REGISTERED"
    assert described["typeInfo"]["description"] == "a type"
    assert described["configuration"] == defaults
    with pytest.raises(ClientError) as excinfo:
        register(domain="d", **ref)
    assert error_code(excinfo) == "TypeAlreadyExistsFault"
    with pytest.raises(ClientError) as excinfo:
        getattr(swf_client, f"delete_{noun}")(domain="d", **{type_key: ref})
    assert error_code(excinfo) == "TypeNotDeprecatedFault"
    with pytest.raises(ClientError) as excinfo:
        getattr(swf_client, f"undeprecate_{noun}")(domain="d", **{type_key: ref})
    assert error_code(excinfo) == "TypeAlreadyExistsFault"
    getattr(swf_client, f"deprecate_{noun}")(domain="d", **{type_key: ref})
    with pytest.raises(ClientError) as excinfo:
        getattr(swf_client, f"deprecate_{noun}")(domain="d", **{type_key: ref})
    assert error_code(excinfo) == "TypeDeprecatedFault"
    info = getattr(swf_client, f"describe_{noun}")(domain="d", **{type_key: ref})["typeInfo"]
    assert info["status"] == "DEPRECATED"
    assert "deprecationDate" in info
    getattr(swf_client, f"undeprecate_{noun}")(domain="d", **{type_key: ref})
    getattr(swf_client, f"deprecate_{noun}")(domain="d", **{type_key: ref})
    getattr(swf_client, f"delete_{noun}")(domain="d", **{type_key: ref})
    with pytest.raises(ClientError) as excinfo:
        getattr(swf_client, f"describe_{noun}")(domain="d", **{type_key: ref})
    assert error_code(excinfo) == "UnknownResourceFault"


def test_list_types_filters_by_name_and_status_and_pages(swf_client: Any) -> None:
    swf_client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    for name in ("a", "b"):
        for version in ("1", "2", "3"):
            swf_client.register_activity_type(domain="d", name=name, version=version)
    swf_client.deprecate_activity_type(domain="d", activityType={"name": "b", "version": "3"})
    found: list[tuple[str, str]] = []
    token = None
    while True:
        page = swf_client.list_activity_types(
            domain="d",
            registrationStatus="REGISTERED",
            maximumPageSize=2,
            **({"nextPageToken": token} if token else {}),
        )
        found.extend(
            (info["activityType"]["name"], info["activityType"]["version"]) for info in page["typeInfos"]
        )
        token = page.get("nextPageToken")
        if not token:
            break
    assert found == [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1"), ("b", "2")]
    only_b = swf_client.list_activity_types(
        domain="d", name="b", registrationStatus="REGISTERED", reverseOrder=True
    )
    assert [info["activityType"]["version"] for info in only_b["typeInfos"]] == ["2", "1"]
    deprecated = swf_client.list_activity_types(domain="d", registrationStatus="DEPRECATED")["typeInfos"]
    assert [info["activityType"] for info in deprecated] == [{"name": "b", "version": "3"}]
    assert swf_client.list_workflow_types(domain="d", registrationStatus="REGISTERED")["typeInfos"] == []


def test_types_need_a_registered_domain(swf_client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        swf_client.register_workflow_type(domain="nowhere", **WORKFLOW)
    assert error_code(excinfo) == "UnknownResourceFault"


def test_tags_on_domains(swf_client: Any) -> None:
    swf_client.register_domain(
        name="tagged", workflowExecutionRetentionPeriodInDays="1", tags=[{"key": "team", "value": "data"}]
    )
    arn = swf_client.describe_domain(name="tagged")["domainInfo"]["arn"]
    swf_client.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}, {"key": "bare"}])
    tags = swf_client.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [{"key": "bare"}, {"key": "env", "value": "test"}, {"key": "team", "value": "data"}]
    swf_client.untag_resource(resourceArn=arn, tagKeys=["env", "bare"])
    assert swf_client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
    with pytest.raises(ClientError) as excinfo:
        swf_client.list_tags_for_resource(resourceArn=arn.replace("tagged", "other"))
    assert error_code(excinfo) == "UnknownResourceFault"
    with pytest.raises(ClientError) as excinfo:
        swf_client.tag_resource(resourceArn=arn, tags=[{"key": f"k{index}"} for index in range(50)])
    assert error_code(excinfo) == "TooManyTagsFault"


def test_driver_setup_registers_what_tests_use(swf: Driver) -> None:
    client = swf.client
    assert (
        client.describe_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)["typeInfo"]["status"]
        == "REGISTERED"
    )
    assert (
        client.describe_activity_type(domain=DOMAIN, activityType=ACTIVITY)["typeInfo"]["status"]
        == "REGISTERED"
    )
