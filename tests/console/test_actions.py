"""The console's actions (signal, cancel, terminate, restart) and what guards them."""

from __future__ import annotations

import itertools

import pytest

from simpleflow.console import ConsoleServer
from simpleflow.console.security import TOKEN_COOKIE, Guard
from simpleflow.exceptions import ConfigurationError
from tests.console.conftest import ConsoleClient, text_of
from tests.fixtures.executions import DOMAIN

_ids = itertools.count()


@pytest.fixture
def open_run(console_world):
    return console_world.driver.start(f"act-{next(_ids)}")


def _events(console_world, execution):
    return console_world.client.get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )["events"]


def _status(console_world, execution):
    info = console_world.client.describe_workflow_execution(
        domain=DOMAIN, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )["executionInfo"]
    return info.get("closeStatus") or info["executionStatus"]


@pytest.mark.parametrize("action", ["signal", "cancel", "terminate", "restart"], ids=str)
def test_each_action_has_a_confirmation_form(console_world, open_run, action):
    reply = console_world.http.get("/execution/confirm", action=action, **console_world.run_query(open_run))
    assert reply.status == 200
    assert f'name="csrf" value="{console_world.http.csrf()}"' in reply.body
    assert 'name="confirm" value="yes" required' in reply.body


def test_signal_with_json_input(console_world, open_run):
    reply = console_world.http.act("signal", open_run, signal_name="approve", signal_input='{"by": "alice"}')
    assert reply.status == 303
    assert "notice=signaled" in reply.headers["Location"]
    signaled = [e for e in _events(console_world, open_run) if e["eventType"] == "WorkflowExecutionSignaled"]
    attributes = signaled[0]["workflowExecutionSignaledEventAttributes"]
    assert attributes["signalName"] == "approve"
    assert attributes["input"] == '{"by":"alice"}'
    page = console_world.http.get("/execution", notice="signaled", **console_world.run_query(open_run))
    assert "Signal sent." in page.body


def test_signal_with_bad_json_keeps_the_form(console_world, open_run):
    reply = console_world.http.act("signal", open_run, signal_name="approve", signal_input="{not json")
    assert reply.status == 400
    assert "the signal&#39;s input is not JSON" in reply.body
    assert 'value="approve"' in reply.body and "{not json</textarea>" in reply.body
    assert not [e for e in _events(console_world, open_run) if e["eventType"] == "WorkflowExecutionSignaled"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"signal_name": ""}, "a signal needs a name"),
        ({"signal_name": "x" * 257}, "a signal name is at most 256 characters"),
        ({"signal_name": "big", "signal_input": '"' + "x" * 40000 + '"'}, "SWF allows at most 32768"),
    ],
    ids=["no-name", "long-name", "big-input"],
)
def test_signal_refuses_bad_values(console_world, open_run, fields, message):
    reply = console_world.http.act("signal", open_run, **fields)
    assert reply.status == 400 and message in reply.body


def test_request_cancel(console_world, open_run):
    reply = console_world.http.act("cancel", open_run)
    assert reply.status == 303
    types = [e["eventType"] for e in _events(console_world, open_run)]
    assert "WorkflowExecutionCancelRequested" in types


def test_terminate_with_reason(console_world, open_run):
    reply = console_world.http.act("terminate", open_run, reason="stuck on bad input", details="see ticket")
    assert reply.status == 303
    assert _status(console_world, open_run) == "TERMINATED"
    page = console_world.http.get("/execution", **console_world.run_query(open_run))
    assert "stuck on bad input" in page.body and "TERMINATED" in page.body
    again = console_world.http.act("terminate", open_run, reason="twice")
    assert again.status == 409 and "is already closed (TERMINATED)" in again.body


def test_terminate_refuses_a_long_reason(console_world, open_run):
    reply = console_world.http.act("terminate", open_run, reason="r" * 300)
    assert reply.status == 400 and "SWF allows at most 256" in reply.body
    assert _status(console_world, open_run) == "OPEN"


def test_restart_starts_a_new_run_with_the_same_input(console_world):
    reply = console_world.http.act("restart", console_world.basic)
    assert reply.status == 303
    location = reply.headers["Location"]
    assert "notice=restarted" in location and console_world.basic.run_id not in location
    page = console_world.http.get(location)
    assert "Restarted: this is the new run." in page.body
    assert "<pre>[1]</pre>" in page.body and "OPEN" in page.body


def test_an_action_needs_the_confirmation(console_world, open_run):
    form = {"csrf": console_world.http.csrf(), "action": "terminate", "domain": DOMAIN}
    form |= {"workflow_id": open_run.workflow_id, "run_id": open_run.run_id}
    reply = console_world.http.request("POST", "/execution/act", form=form)
    assert reply.status == 400 and "terminate was not confirmed" in reply.body
    assert _status(console_world, open_run) == "OPEN"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"csrf": ""}, "security token is missing or stale"),
        ({"csrf": "guessed"}, "security token is missing or stale"),
        ({"Origin": "http://evil.example"}, "cross-site request refused (from http://evil.example)"),
        ({"Origin": "null"}, "cross-site request refused (opaque origin)"),
        ({"Content-Type": "text/plain"}, "an action is a form post"),
    ],
    ids=["no-token", "wrong-token", "other-origin", "opaque-origin", "not-a-form"],
)
def test_cross_site_requests_are_refused(console_world, open_run, change, message):
    form = {"csrf": console_world.http.csrf(), "action": "terminate", "domain": DOMAIN, "confirm": "yes"}
    form |= {"workflow_id": open_run.workflow_id, "run_id": open_run.run_id}
    headers = {}
    for key, value in change.items():
        if key == "csrf":
            form["csrf"] = value
        else:
            headers[key] = value
    reply = console_world.http.request("POST", "/execution/act", form=form, headers=headers)
    assert reply.status in (403, 415)
    assert message in reply.body
    assert _status(console_world, open_run) == "OPEN"


def test_a_foreign_host_header_is_refused(console_world):
    reply = console_world.http.request("GET", "/", headers={"Host": "attacker.example"})
    assert reply.status == 421 and "does not serve the host" in reply.body
    other_port = console_world.http.request("GET", "/", headers={"Host": "localhost:1"})
    assert other_port.status == 421
    assert (
        console_world.http.request(
            "GET", "/", headers={"Host": f"localhost:{console_world.server.port}"}
        ).status
        == 200
    )


def test_read_only_console_offers_and_accepts_no_action(console_world, open_run):
    with ConsoleServer(console_world.client, port=0, read_only=True) as server:
        http = ConsoleClient(server)
        page = http.get("/execution", **console_world.run_query(open_run))
        assert "read-only" in page.body and "Terminate…" not in page.body
        assert (
            http.get("/execution/confirm", action="terminate", **console_world.run_query(open_run)).status
            == 403
        )
        reply = http.act("terminate", open_run, reason="no")
        assert reply.status == 403 and "read-only" in reply.body
    assert _status(console_world, open_run) == "OPEN"


def test_a_token_guards_every_page(console_world):
    token = "a-long-enough-secret-token"
    with ConsoleServer(console_world.client, port=0, token=token) as server:
        http = ConsoleClient(server)
        refused = http.get("/")
        assert refused.status == 401 and "access token" in refused.body
        assert server.url.endswith(f"/?token={token}")
        login = http.get("/", token=token)
        assert login.status == 303 and login.headers["Location"] == "/"
        assert f"{TOKEN_COOKIE}={token}" in login.headers["Set-Cookie"]
        assert "HttpOnly" in login.headers["Set-Cookie"] and "SameSite=Strict" in login.headers["Set-Cookie"]
        assert http.request("GET", "/", headers={"Cookie": f"{TOKEN_COOKIE}={token}"}).status == 200
        assert http.request("GET", "/", headers={"Authorization": f"Bearer {token}"}).status == 200
        assert http.request("GET", "/", headers={"Cookie": f"{TOKEN_COOKIE}=wrong"}).status == 401


def test_remote_binding_needs_the_flag_and_gets_a_token():
    with pytest.raises(ConfigurationError, match="not a loopback address: add --allow-remote"):
        Guard.for_binding("0.0.0.0", 8233, allow_remote=False, token=None, read_only=False)
    guard = Guard.for_binding("0.0.0.0", 8233, allow_remote=True, token=None, read_only=False)
    assert guard.access_token is not None and len(guard.access_token) >= 24
    assert (
        Guard.for_binding("127.0.0.1", 8233, allow_remote=False, token=None, read_only=False).access_token
        is None
    )
    with pytest.raises(ConfigurationError, match="at least 16 characters"):
        Guard.for_binding("0.0.0.0", 8233, allow_remote=True, token="short", read_only=False)


def test_a_refused_remote_binding_opens_no_socket(console_world):
    with pytest.raises(ConfigurationError, match="--allow-remote"):
        ConsoleServer(console_world.client, host="192.0.2.1", port=0)


def test_pages_after_actions_still_read(console_world, open_run):
    # Its own action, so that it holds whatever ran before it (alone, in another order, in another worker).
    assert console_world.http.act("terminate", open_run, reason="done").status == 303
    reply = console_world.http.get("/executions", domain=DOMAIN, status="all")
    assert reply.status == 200 and "act-" in text_of(reply.body)
