"""SWF's per-history event limit, and the service's behaviour on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import DOMAIN, Driver, attrs_of


def test_a_history_at_the_event_limit_is_terminated() -> None:
    service = SWFService(poll_timeout=0.5, limits=Limits(max_events=10))
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        with pytest.raises(ClientError):
            for index in range(20):
                client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName=f"s{index}")
        events = swf.events("wf-1", run_id)
        assert len(events) == 10
        assert events[-1]["eventType"] == "WorkflowExecutionTerminated"
        assert attrs_of(events[-1])["cause"] == "EVENT_LIMIT_EXCEEDED"
    service.close()


@pytest.mark.parametrize(
    ("operation", "params", "code"),
    [
        ("NoSuchOperation", {}, "UnknownOperationException"),
        ("DescribeDomain", {}, "ValidationException"),
        ("DescribeDomain", {"name": 3}, "SerializationException"),
    ],
    ids=["unknown-operation", "missing-member", "wrong-type"],
)
def test_bad_requests_get_client_faults(
    swf_service: SWFService, operation: str, params: dict[str, Any], code: str
) -> None:
    from simpleflow.localswf.faults import SWFFault

    with pytest.raises(SWFFault) as excinfo:
        swf_service.handle(operation, params)
    assert excinfo.value.code == code
    assert 400 <= excinfo.value.status < 500


def test_malformed_json_in_process(swf_service: SWFService) -> None:
    from simpleflow.localswf.inprocess import answer

    status, body = answer(swf_service, target="SimpleWorkflowService.ListDomains", body=b"{not json")
    assert status == 400
    assert b"SerializationException" in body
