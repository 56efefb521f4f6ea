"""Riding out an outage: transient errors, back-off, the once-per-outage log, the keep-and-retry reporter."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from simpleflow.exceptions import EndpointUnreachable, SWFError, Throttled, UnknownResource
from simpleflow.process.reporting import Delivery, Reporter
from simpleflow.swf.backoff import Backoff, OutageLog, call_through_outage, is_transient

UNREACHABLE = EndpointUnreachable("RespondActivityTaskCompleted", "http://127.0.0.1:1", "connection refused")
THROTTLED = Throttled("RespondActivityTaskCompleted", "ThrottlingException", "Rate exceeded")
INTERNAL = SWFError("RespondActivityTaskCompleted", "InternalFailure", "oops")
BARE_503 = SWFError("RespondActivityTaskCompleted", "503", "Service Unavailable")
DEAD = UnknownResource("RespondActivityTaskCompleted", "UnknownResourceFault", "Unknown task token")
INVALID = SWFError("RespondActivityTaskCompleted", "ValidationException", "result too long")


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (UNREACHABLE, True),
        (THROTTLED, True),
        (INTERNAL, True),
        (BARE_503, True),
        (DEAD, False),
        (INVALID, False),
        (SWFError("X", "400", "Bad Request"), False),
        (ValueError("not an SWF error"), False),
    ],
    ids=[
        "unreachable",
        "throttled",
        "internal-failure",
        "bare-503",
        "unknown-token",
        "validation",
        "400",
        "other",
    ],
)
def test_is_transient(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(0.5, 3.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_backoff_jitter_stays_within_its_share() -> None:
    backoff = Backoff(1.0, 1.0, jitter=0.2)
    assert all(1.0 <= backoff.next_delay() <= 1.2 for _ in range(50))


def test_backoff_refuses_nonsense_bounds() -> None:
    with pytest.raises(ValueError, match="initial <= cap"):
        Backoff(5.0, 1.0)


def test_an_outage_is_logged_once_with_its_end(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog(logging.getLogger("test.outage"), "poll")
    with caplog.at_level(logging.INFO, logger="test.outage"):
        for _ in range(5):
            outage.failed(UNREACHABLE)
        assert outage.is_in_outage
        outage.recovered()
        outage.recovered()  # no outage in progress: nothing more to say
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("poll failed, retrying with back-off until it works: ")
    assert "works again after" in warnings[1] and "5 failed attempt(s)" in warnings[1]
    assert not outage.is_in_outage


def failing(*errors: Exception) -> tuple[Callable[[], None], list[int]]:
    """A respond function raising ``errors`` one per call, then succeeding; and its call count."""
    calls = [0]

    def respond() -> None:
        calls[0] += 1
        if calls[0] <= len(errors):
            raise errors[calls[0] - 1]

    return respond, calls


FAST = (0.001, 0.002)


def test_a_report_is_retried_through_an_outage_until_acknowledged(caplog: pytest.LogCaptureFixture) -> None:
    respond, calls = failing(UNREACHABLE, UNREACHABLE, THROTTLED, INTERNAL, BARE_503)
    with caplog.at_level(logging.WARNING, logger="simpleflow.process.reporting"):
        assert Reporter(backoff=FAST).deliver(respond, label="the result") is Delivery.ACKNOWLEDGED
    assert calls == [6]
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages  # the outage's start and its end, not one line per attempt
    assert "reporting the result works again" in messages[1]


@pytest.mark.parametrize(
    ("errors", "delivery", "calls"),
    [
        ((DEAD,), Delivery.TOKEN_DEAD, 1),
        ((UNREACHABLE, DEAD), Delivery.TOKEN_DEAD, 2),
        ((INVALID,), Delivery.REFUSED, 1),
        ((), Delivery.ACKNOWLEDGED, 1),
    ],
    ids=["dead-token", "dead-after-the-outage", "refused", "acknowledged-at-once"],
)
def test_a_report_ends_when_acknowledged_dead_or_refused(
    errors: tuple[Exception, ...], delivery: Delivery, calls: int
) -> None:
    respond, made = failing(*errors)
    assert Reporter(backoff=FAST).deliver(respond, label="the result") is delivery
    assert made == [calls]


def test_a_bug_in_the_respond_function_is_not_swallowed() -> None:
    def respond() -> None:
        raise KeyError("taskToken")

    with pytest.raises(KeyError):
        Reporter(backoff=FAST).deliver(respond, label="the result")


def test_a_call_through_an_outage_returns_once_the_endpoint_is_back() -> None:
    outcomes: list[Exception | str] = [UNREACHABLE, THROTTLED, "domain ok"]
    waits: list[float] = []

    def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    logger = logging.getLogger("test.call")
    assert call_through_outage(call, what="checking", logger=logger, wait=wait, bounds=FAST) == "domain ok"
    assert len(waits) == 2


@pytest.mark.parametrize(
    ("errors", "stop_requested", "raised"),
    [
        ((DEAD,), False, UnknownResource),
        ((INVALID,), False, SWFError),
        ((UNREACHABLE,), True, EndpointUnreachable),
    ],
    ids=["unknown-domain", "validation", "stop-requested-during-the-outage"],
)
def test_a_call_through_an_outage_raises_what_waiting_cannot_fix(
    errors: tuple[Exception, ...], stop_requested: bool, raised: type[Exception]
) -> None:
    respond, calls = failing(*errors)
    with pytest.raises(raised):
        call_through_outage(
            respond, what="checking", logger=logging.getLogger("test.call"), wait=lambda s: stop_requested
        )
    assert calls == [1]
