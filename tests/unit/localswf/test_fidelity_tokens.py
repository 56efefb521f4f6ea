"""Task tokens carry which task they were issued for, so a late answer gets SWF's reason for refusing it."""

from __future__ import annotations

import pytest

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
