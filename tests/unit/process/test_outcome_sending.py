"""How an activity child hands its outcome to the worker, and what it does when the worker is gone."""

from __future__ import annotations

from multiprocessing import Pipe
from typing import Any

import pytest

from simpleflow.process.isolation import Outcome, _send_outcome


def test_an_outcome_that_cannot_be_sent_becomes_a_failure_saying_why() -> None:
    sent: list[Any] = []

    def send(message: Any) -> None:
        if not sent and message == "unsendable":
            sent.append("refused")
            raise ValueError("too big for the pipe")
        sent.append(message)

    _send_outcome(send, "unsendable")
    assert sent[0] == "refused"
    assert isinstance(sent[1], Outcome)
    assert "too big for the pipe" in str(sent[1])


def test_a_worker_gone_is_not_reported_as_a_failure_to_send() -> None:
    # kill -9 of the worker closes its end: the child's send fails with a broken pipe, and must not try
    # to send a second message (a traceback in the worker's log) but let child_main drop the outcome.
    reader, writer = Pipe(duplex=False)
    reader.close()
    with pytest.raises((BrokenPipeError, ConnectionResetError)):
        _send_outcome(writer.send, "done")
    writer.close()
