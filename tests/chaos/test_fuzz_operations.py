"""A fuzzer over all 39 operations of botocore's SWF model: whatever the request, never a 5xx.

Requests are drawn from each operation's input shape: the members the model has (required ones always,
the others sometimes), values of the member's JSON type most of the time and of another type sometimes,
strings that are often names the service knows (so requests get past the lookups into the engine) and
otherwise any text, lone surrogates and control characters included. They are sent as JSON bodies over
HTTP, escaped as ``json.dumps`` escapes them (a lone surrogate travels as ``"\\ud800"``), and through the
in-process transport. Afterwards the service still answers and its database passes SQLite's
``integrity_check``.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simpleflow.localswf.embedded import embedded_server
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.inprocess import answer
from simpleflow.localswf.service import SWFService
from simpleflow.localswf.validation import operation_names, service_model

DOMAIN = "fuzz"
KNOWN_STRINGS = [DOMAIN, "wf", "act", "1", "deciders", "workers", "wf-1", "60", "NONE", "0", "REGISTERED"]
EXAMPLES_PER_OPERATION = 12
# Any code point: hypothesis leaves surrogates out unless told; control characters are in category C.
ANY_CHARACTER = st.characters(exclude_categories=())
HOSTILE_CHARACTERS = st.sampled_from(["\ud800", "\udfff", "\x00", "\x1f", "\x7f", "\u0085", "\ufeff"])
HOSTILE_MIX = st.one_of(HOSTILE_CHARACTERS, ANY_CHARACTER)


def text_values(shape: Shape) -> st.SearchStrategy[str]:
    """Mostly values the service knows (so requests get into the engine), else any text, hostile included."""
    enum = shape.metadata.get("enum")
    known = st.sampled_from(enum) if enum else st.sampled_from(KNOWN_STRINGS)
    return st.one_of(
        known, known, known, any_text(ANY_CHARACTER, max_size=40), any_text(HOSTILE_MIX, max_size=8)
    )


def any_text(characters: st.SearchStrategy[str], *, max_size: int) -> st.SearchStrategy[str]:
    # Joined from a list, not st.text(): text() drops surrogates from an alphabet that mixes strategies.
    return st.lists(characters, max_size=max_size).map("".join)


def any_json() -> st.SearchStrategy[Any]:
    """A value of the wrong type for the member, to reach the type checks."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False),
        any_text(HOSTILE_MIX, max_size=5),
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(any_text(HOSTILE_MIX, max_size=3), inner, max_size=3)
        ),
        max_leaves=5,
    )


def values_for(shape: Shape, *, typed: bool, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of ``shape``'s JSON type, bounded in size and depth; ``typed=False`` lets any member be of
    another JSON type (one such member makes the whole request a SerializationException, so a request
    is either typed throughout or not)."""
    kind = shape.type_name
    if kind == "structure":
        required = set(shape.required_members)
        members = {
            name: member_values(member, typed=typed, depth=depth) for name, member in shape.members.items()
        }
        fixed = {name: value for name, value in members.items() if name in required}
        optional = {name: value for name, value in members.items() if name not in required}
        return st.fixed_dictionaries(fixed, optional=optional)
    if kind == "list":
        return st.lists(member_values(shape.member, typed=typed, depth=depth), max_size=3)
    if kind == "map":
        return st.dictionaries(
            text_values(shape.key), member_values(shape.value, typed=typed, depth=depth), max_size=3
        )
    if kind in ("integer", "long"):
        return st.one_of(st.integers(-5, 1100), st.integers(-(2**63), 2**63))
    if kind == "boolean":
        return st.booleans()
    if kind in ("timestamp", "double", "float"):
        return st.one_of(st.integers(0, 2**33), st.floats(allow_nan=False, allow_infinity=False))
    return text_values(shape)


def member_values(shape: Shape, *, typed: bool, depth: int) -> st.SearchStrategy[Any]:
    if depth > 6:
        return st.none()
    right = values_for(shape, typed=typed, depth=depth + 1)
    return right if typed else st.one_of(right, right, any_json())


def requests_for(shape: Shape) -> st.SearchStrategy[Any]:
    """Requests of ``shape``: mostly well typed (they reach the engine), sometimes not (the type checks)."""
    typed = values_for(shape, typed=True)
    return st.one_of(typed, typed, typed, values_for(shape, typed=False))


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "swf.db"


@pytest.fixture(scope="module")
def service(database: Path) -> Iterator[SWFService]:
    running = SWFService(str(database), poll_timeout=0.02)
    running.handle("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    running.handle(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            "name": "wf",
            "version": "1",
            "defaultTaskList": {"name": "deciders"},
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "300",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    running.handle(
        "RegisterActivityType",
        {"domain": DOMAIN, "name": "act", "version": "1", "defaultTaskList": {"name": "workers"}},
    )
    running.handle(
        "StartWorkflowExecution",
        {"domain": DOMAIN, "workflowId": "wf-1", "workflowType": {"name": "wf", "version": "1"}},
    )
    yield running
    running.close()


@pytest.fixture(scope="module")
def server(service: SWFService) -> Iterator[LocalSWFServer]:
    with embedded_server(service) as running:
        yield running


def post(server: LocalSWFServer, operation: str, body: bytes) -> int:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        headers = {
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        }
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        document = json.loads(response.read())
        assert response.status == 200 or "__type" in document
        return response.status
    finally:
        connection.close()


DECISION_SHAPE = service_model().shape_for("Decision")


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(decisions=st.lists(requests_for(DECISION_SHAPE), min_size=1, max_size=4), number=st.integers(0, 10**9))
def test_fuzzed_decisions_on_a_real_task_get_no_server_error(server, service, decisions, number):
    """The decisions of a real decision task's answer: the engine's deepest path (decisions.py)."""
    workflow_id = f"decide-{number}"
    start = {"domain": DOMAIN, "workflowId": workflow_id, "workflowType": {"name": "wf", "version": "1"}}
    if post(server, "StartWorkflowExecution", json.dumps(start).encode()) != 200:
        return  # already running from an earlier example: its task was answered there
    task = service.handle("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "deciders"}})
    body = json.dumps({"taskToken": task["taskToken"], "decisions": decisions}).encode()
    assert post(server, "RespondDecisionTaskCompleted", body) < 500, decisions
    terminate = {"domain": DOMAIN, "workflowId": workflow_id}
    assert post(server, "TerminateWorkflowExecution", json.dumps(terminate).encode()) < 500


def test_the_model_has_39_operations():
    assert len(operation_names()) == 39


@pytest.mark.parametrize("operation", sorted(operation_names()))
def test_no_request_gets_a_server_error(server, service, database, operation):
    input_shape = service_model().operation_model(operation).input_shape

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(params=requests_for(input_shape))
    def one_request(params: dict[str, Any]) -> None:
        body = json.dumps(params).encode()  # ensure_ascii: a lone surrogate goes as its \u escape
        assert post(server, operation, body) < 500, (operation, params)
        status, _ = answer(service, target=f"SimpleWorkflowService.{operation}", body=body)
        assert status < 500, (operation, params)

    one_request()
    # The service is still there, and what it wrote is sound.
    assert post(server, "ListDomains", b'{"registrationStatus":"REGISTERED"}') == 200
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
