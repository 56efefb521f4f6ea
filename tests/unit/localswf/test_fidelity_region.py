"""The region a request is addressed to, read from its SigV4 credential scope, and the ARNs that name it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.region import DEFAULT_REGION, region_from_authorization
from simpleflow.localswf.service import SWFService

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=testing/20261203/{region}/swf/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd"
)


@pytest.mark.parametrize(
    ("header", "region"),
    [
        (SIGNED.format(region="eu-west-1"), "eu-west-1"),
        (SIGNED.format(region="us-gov-west-1"), "us-gov-west-1"),
        (SIGNED.format(region="cn-north-1"), "cn-north-1"),
        (None, DEFAULT_REGION),
        ("", DEFAULT_REGION),
        ("Bearer abc", DEFAULT_REGION),
        ("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0", DEFAULT_REGION),
        ("AWS4-HMAC-SHA256 Credential=testing/20261203/swf/aws4_request", DEFAULT_REGION),
        (SIGNED.format(region=""), DEFAULT_REGION),
        # Whatever is not a region name stays out of the ARNs the answer carries.
        (SIGNED.format(region="eu-west-1:123456789012:/domain/x"), DEFAULT_REGION),
        (SIGNED.format(region="EU-WEST-1"), DEFAULT_REGION),
    ],
    ids=[
        "signed",
        "gov-partition",
        "china",
        "no-header",
        "empty",
        "other-scheme",
        "no-credential",
        "short-scope",
        "empty-region",
        "injected",
        "upper-case",
    ],
)
def test_region_from_authorization(header: str | None, region: str) -> None:
    assert region_from_authorization(header) == region


@pytest.fixture
def server() -> Iterator[LocalSWFServer]:
    service = SWFService(poll_timeout=0.2)
    service.handle("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    with LocalSWFServer(service) as running:
        yield running
    service.close()


def describe_domain_arn(server: LocalSWFServer, headers: dict[str, str]) -> str:
    request = urllib.request.Request(
        server.endpoint_url,
        data=json.dumps({"name": "d"}).encode(),
        method="POST",
        headers={
            "X-Amz-Target": "SimpleWorkflowService.DescribeDomain",
            "Content-Type": "application/x-amz-json-1.0",
            **headers,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        arn: str = json.loads(response.read())["domainInfo"]["arn"]
    return arn


@pytest.mark.parametrize(
    ("headers", "region"),
    [({"Authorization": SIGNED.format(region="sa-east-1")}, "sa-east-1"), ({}, DEFAULT_REGION)],
    ids=["signed", "unsigned"],
)
def test_http_answers_arns_of_the_signed_region(
    server: LocalSWFServer, headers: dict[str, str], region: str
) -> None:
    assert describe_domain_arn(server, headers) == f"arn:aws:swf:{region}:000000000000:/domain/d"


def test_the_service_alone_names_the_default_region() -> None:
    service = SWFService(poll_timeout=0.2)
    try:
        service.handle("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
        default = service.handle("DescribeDomain", {"name": "d"})["domainInfo"]["arn"]
        regional = service.handle("DescribeDomain", {"name": "d"}, region="me-south-1")["domainInfo"]["arn"]
    finally:
        service.close()
    assert default == "arn:aws:swf:us-east-1:000000000000:/domain/d"
    assert regional == "arn:aws:swf:me-south-1:000000000000:/domain/d"
