"""Secrets masked in log lines: the patterns, the filter, and a real botocore DEBUG dump."""

from __future__ import annotations

import logging

import boto3
import pytest

from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService
from simpleflow.observability.process_logging import configure_logging
from simpleflow.observability.redaction import REDACTED, RedactingFilter, redact

TOKEN = "FwoGZXIvYXdzEJr//////////wEaDOSESSIONTOKENSECRET+abc/def=="
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param(f"headers={{'X-Amz-Security-Token': b'{TOKEN}', 'X': b'1'}}", TOKEN, id="header-bytes"),
        pytest.param(f'{{"X-Amz-Security-Token": "{TOKEN}"}}', TOKEN, id="header-json"),
        pytest.param(f"host:swf\nx-amz-security-token:{TOKEN}\n\nhost;x-amz-date", TOKEN, id="canonical"),
        pytest.param(
            f"'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/swf/aws4_request, "
            f"SignedHeaders=host, Signature={SIGNATURE}'",
            SIGNATURE,
            id="authorization-bytes",
        ),
        pytest.param(
            f"Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature={SIGNATURE}",
            SIGNATURE,
            id="header-line",
        ),
        pytest.param(f"aws_secret_access_key = {SECRET}", SECRET, id="ini"),
        pytest.param(
            f"{{'SecretAccessKey': '{SECRET}', 'SessionToken': '{TOKEN}'}}", SECRET, id="sts-answer"
        ),
        pytest.param(
            f"https://b.s3/x?X-Amz-Security-Token={TOKEN}&X-Amz-Signature={SIGNATURE}", TOKEN, id="url"
        ),
    ],
)
def test_secrets_are_masked(text, secret):
    masked = redact(text)
    assert secret not in masked
    assert REDACTED in masked


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("activity x completed in 3.0 ms", id="plain"),
        pytest.param("the token bucket is empty", id="word-token"),
        pytest.param("", id="empty"),
    ],
)
def test_other_text_is_left_alone(text):
    assert redact(text) == text


def test_the_filter_masks_arguments_and_tracebacks():
    record = logging.LogRecord(
        "botocore", logging.DEBUG, __file__, 1, "headers %s", ({"X-Amz-Security-Token": TOKEN},), None
    )
    try:
        raise ValueError(f"aws_secret_access_key={SECRET}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record) is True
    assert TOKEN not in record.getMessage()
    assert record.exc_text is not None and SECRET not in record.exc_text


def test_a_real_botocore_debug_dump_keeps_no_token(capsys, clean_logging):
    """A signed call with a session token, at DEBUG, against the embedded service over HTTP."""
    service = SWFService(poll_timeout=1.0)
    try:
        with LocalSWFServer(service).start() as server:
            configure_logging(level="DEBUG")
            client = boto3.session.Session(
                aws_access_key_id="AKIAEXAMPLE",
                aws_secret_access_key=SECRET,
                aws_session_token=TOKEN,
                region_name="us-east-1",
            ).client("swf", endpoint_url=server.endpoint_url)
            client.list_domains(registrationStatus="REGISTERED")
    finally:
        service.close()
    logged = capsys.readouterr().err
    # The dump is there (so the test would see a leak), and masked.
    assert "X-Amz-Security-Token" in logged and "Authorization" in logged
    assert TOKEN not in logged
    assert SECRET not in logged
    assert "Signature=" not in logged or REDACTED in logged
    assert logged.count(REDACTED) >= 2


def test_a_record_whose_arguments_cannot_be_rendered_passes_unchanged():
    class Unrenderable:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", (Unrenderable(),), None)
    assert RedactingFilter().filter(record) is True
    assert record.msg == "value %s"


def test_the_0x_setup_logging_masks_too(capsys, clean_logging):
    """simpleflow.log.setup_logging (simpleflow 0.x's dictConfig set-up) installs handlers of its own."""
    from simpleflow.log import setup_logging

    kept = logging.getLogger("simpleflow")
    handlers, level, propagate = list(kept.handlers), kept.level, kept.propagate
    try:
        setup_logging()
        logging.getLogger("simpleflow.test").warning("headers {'X-Amz-Security-Token': b'%s'}", TOKEN)
    finally:
        kept.handlers[:] = handlers
        kept.setLevel(level)
        kept.propagate = propagate
    logged = capsys.readouterr().err
    assert "X-Amz-Security-Token" in logged
    assert TOKEN not in logged
