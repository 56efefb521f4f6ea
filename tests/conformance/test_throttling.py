"""API throttling as botocore sees it: SWF's ``ThrottlingException`` on both transports, and the retries.

The service here runs on a frozen clock, so a bucket refills only when a test moves time: whether a call
is throttled never depends on how fast the machine is.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT, embedded_client, make_local_client
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.inprocess import answer, attach
from simpleflow.localswf.quotas import AWS_QUOTAS, BucketQuota
from simpleflow.localswf.service import SWFService
from tests.conformance.conftest import TRANSPORTS
from tests.fixtures.frozen_clock import FrozenClock

#: ListDomains gets one token, refilled at one a second; every other bucket keeps SWF's figures.
PROFILE = AWS_QUOTAS.with_buckets(name="one-list", api={"ListDomains": BucketQuota(1, 1)})
LIST = {"registrationStatus": "REGISTERED"}
THROTTLING_BODY = {"__type": "com.amazon.coral.availability#ThrottlingException", "message": "Rate exceeded"}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def service(clock: FrozenClock) -> Iterator[SWFService]:
    """Overrides the conformance ``service``: the ``client`` fixture (both transports) talks to this one."""
    running = SWFService(poll_timeout=0.5, clock=clock, quotas=PROFILE)
    yield running
    running.close()


@pytest.fixture(params=TRANSPORTS)
def client(request: pytest.FixtureRequest, service: SWFService) -> Iterator[Any]:
    """The conformance ``client`` (one per transport) with botocore's retries off, so a throttled call
    comes back at once: an in-process client of a throttling service otherwise retries it (see
    ``embedded_client``), and these tests look at the answer itself."""
    if request.param == "in-process":
        with embedded_client(service, max_attempts=1) as attached:
            yield attached
    else:
        with LocalSWFServer(service) as server:
            yield make_local_client(server.endpoint_url, read_timeout=30)


def test_a_throttled_call_is_swfs_throttling_exception_through_boto3(client: Any) -> None:
    client.list_domains(**LIST)
    with pytest.raises(ClientError) as raised:
        client.list_domains(**LIST)
    response = raised.value.response
    assert response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert raised.value.operation_name == "ListDomains"


def test_the_http_answer_is_swfs_document(service: SWFService) -> None:
    with LocalSWFServer(service) as server:
        parts = urlsplit(server.endpoint_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            answers = []
            for _ in range(2):
                connection.request(
                    "POST",
                    "/",
                    body=json.dumps(LIST),
                    headers={
                        "X-Amz-Target": "SimpleWorkflowService.ListDomains",
                        "Content-Type": "application/x-amz-json-1.0",
                    },
                )
                response = connection.getresponse()
                answers.append((response.status, json.loads(response.read())))
        finally:
            connection.close()
    assert answers[0] == (200, {"domainInfos": []})
    assert answers[1] == (400, THROTTLING_BODY)


def test_the_in_process_answer_is_the_same_document(service: SWFService) -> None:
    body = json.dumps(LIST)
    answer(service, target="SimpleWorkflowService.ListDomains", body=body)
    status, raw = answer(service, target="SimpleWorkflowService.ListDomains", body=body)
    assert (status, json.loads(raw)) == (400, THROTTLING_BODY)


def test_an_invalid_request_over_the_bucket_is_throttled_before_it_is_validated(client: Any) -> None:
    client.list_domains(**LIST)
    with pytest.raises(ClientError) as raised:
        client.list_domains(registrationStatus="REGISTERED", maximumPageSize=1001)  # over the model's 1,000
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"


# -- botocore's retries ------------------------------------------------------------------------------


@contextmanager
def retrying_client(transport: str, service: SWFService, *, mode: str, attempts: int) -> Iterator[Any]:
    """A client with botocore's ``mode`` retries on ``service`` through ``transport``."""
    config = Config(
        signature_version=UNSIGNED,
        retries={"mode": mode, "total_max_attempts": attempts},
        read_timeout=30,
    )
    session = botocore.session.Session()
    if transport == "in-process":
        client = session.create_client(
            "swf", region_name="us-east-1", endpoint_url=IN_PROCESS_ENDPOINT, config=config
        )
        yield attach(client, service)
        return
    with LocalSWFServer(service) as server:
        yield session.create_client(
            "swf", region_name="us-east-1", endpoint_url=server.endpoint_url, config=config
        )


def on_each_retry(client: Any, action: Any) -> list[int]:
    """Run ``action`` when botocore decides whether to retry an attempt; returns the attempts seen."""
    seen: list[int] = []

    def hook(attempts: int, response: Any = None, **kwargs: Any) -> None:
        seen.append(attempts)
        action()

    client.meta.events.register("needs-retry.swf.ListDomains", hook)
    return seen


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mode", ["standard", "adaptive", "legacy"])
def test_botocore_retries_a_throttled_call_until_the_bucket_refills(
    transport: str, mode: str, service: SWFService, clock: FrozenClock
) -> None:
    with retrying_client(transport, service, mode=mode, attempts=3) as client:
        client.list_domains(**LIST)  # spends the only token
        # Time moves only after botocore has seen the throttled answer: its retry then finds a token.
        on_each_retry(client, lambda: clock.advance(1.0))
        response = client.list_domains(**LIST)
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert service.throttle is not None and service.throttle.refused["ListDomains"] == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_without_retries_the_caller_gets_the_throttling_exception(
    transport: str, service: SWFService
) -> None:
    with retrying_client(transport, service, mode="standard", attempts=1) as client:
        client.list_domains(**LIST)
        with pytest.raises(ClientError) as raised:
            client.list_domains(**LIST)
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_retries_give_up_when_the_bucket_stays_empty(service: SWFService) -> None:
    with retrying_client("in-process", service, mode="standard", attempts=2) as client:
        client.list_domains(**LIST)
        with pytest.raises(ClientError) as raised:
            client.list_domains(**LIST)
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert service.throttle is not None and service.throttle.refused["ListDomains"] == 2


def test_botocores_own_detector_classes_the_answer_as_throttling(client: Any) -> None:
    """The detector adaptive mode's client-side rate limiter listens to (standard mode's checker inside)."""
    from botocore.retries.standard import RetryContext, RetryEventAdapter, ThrottlingErrorDetector

    client.list_domains(**LIST)
    with pytest.raises(ClientError) as raised:
        client.list_domains(**LIST)
    context = RetryContext(
        attempt_number=1,
        operation_model=client.meta.service_model.operation_model("ListDomains"),
        parsed_response=raised.value.response,
    )
    assert ThrottlingErrorDetector(RetryEventAdapter()).is_throttling_error_from_context(context)
