"""Task tokens carry which task they were issued for, so a late answer gets SWF's reason for refusing it."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from simpleflow.localswf.runs import new_run_id
from simpleflow.localswf.tokens import new_token, token_origin


def test_a_new_token_tells_its_run_and_scheduled_event() -> None:
    token = new_token(42, 7)
    assert token_origin(token) == (42, 7)
    assert len(token) <= 1024  # SWF's maximum taskToken length


def test_tokens_are_unguessable() -> None:
    assert len({new_token(1, 5) for _ in range(100)}) == 100


@pytest.mark.parametrize(
    "token",
    ["", "made-up", ".1.2", "abc.1", "abc.x.2", "abc.1.2x", "abc.-1.2", "abc.1.²", "a b.1.2", "abc.1.2."],
    ids=[
        "empty",
        "plain",
        "no-random",
        "one-number",
        "letters",
        "suffix",
        "negative",
        "unicode-digit",
        "space",
        "trailing-dot",
    ],
)
def test_tokens_not_issued_here_have_no_origin(token: str) -> None:
    assert token_origin(token) is None


@pytest.mark.parametrize("make", [lambda: new_token(1, 5), new_run_id], ids=["task-token", "run-id"])
def test_opaque_values_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch, make: Any) -> None:
    # The AWS CLI (and click) would take "--task-token -abc" as an option: force the unlucky draw.
    monkeypatch.setattr(secrets, "token_urlsafe", lambda nbytes: "-" + "b" * (nbytes - 1))
    value = make()
    assert not value.startswith("-")
    assert value.startswith("A")
