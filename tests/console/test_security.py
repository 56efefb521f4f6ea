"""The console's guard on its own: hosts, tokens and the checks of an action, without a server."""

from __future__ import annotations

import pytest

from simpleflow.console.errors import ConsoleRequestError
from simpleflow.console.security import Guard, is_loopback


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.0.2.1", False),
        ("example.com", False),
    ],
    ids=str,
)
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ("127.0.0.1:8233", True),
        ("localhost:8233", True),
        ("[::1]:8233", True),
        ("LOCALHOST:8233", True),
        ("127.0.0.1:8234", False),
        ("rebound.example:8233", False),
        ("127.0.0.1:notaport", False),
        ("", False),
    ],
    ids=str,
)
def test_host_header_on_loopback(header, allowed):
    guard = Guard(host="127.0.0.1", port=8233)
    if allowed:
        guard.check_host(header)
    else:
        with pytest.raises(ConsoleRequestError):
            guard.check_host(header)


def test_every_address_binding_accepts_any_name_but_needs_the_token():
    guard = Guard.for_binding("0.0.0.0", 8233, allow_remote=True, token=None, read_only=False)
    guard.check_host("build-box.internal:8233")
    assert not guard.is_authorized(cookie_header=None, authorization=None, query_token=None)
    assert not guard.is_authorized(cookie_header="junk;;=", authorization="Basic xyz", query_token="nope")
    assert guard.is_authorized(cookie_header=None, authorization=None, query_token=guard.access_token)


def test_csrf_tokens_differ_per_process_guard():
    assert Guard(host="127.0.0.1", port=1).csrf_token != Guard(host="127.0.0.1", port=1).csrf_token


@pytest.mark.parametrize(
    ("origin", "referer", "allowed"),
    [
        ("http://127.0.0.1:8233", None, True),
        (None, "http://127.0.0.1:8233/execution?x=1", True),
        (None, None, True),  # not a browser: the CSRF secret alone vouches for it
        ("http://127.0.0.1:9999", None, False),
        ("https://evil.example", None, False),
        ("null", None, False),
        ("file://", None, False),
    ],
    ids=["same-origin", "referer", "no-origin", "other-port", "other-site", "opaque", "file"],
)
def test_action_origin(origin, referer, allowed):
    guard = Guard(host="127.0.0.1", port=8233)
    headers = {"host": "127.0.0.1:8233", "origin": origin, "referer": referer}
    form = {"csrf": guard.csrf_token}
    if allowed:
        guard.check_action(form, headers=headers)
    else:
        with pytest.raises(ConsoleRequestError, match="cross-site"):
            guard.check_action(form, headers=headers)
