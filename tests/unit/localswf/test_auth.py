"""Requests to a service given credentials must be SigV4-signed with them, or get SWF's auth faults."""

from __future__ import annotations

import datetime
import http.client
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.auth
import botocore.exceptions
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotocoreCredentials

from simpleflow.cli.main import main
from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.auth import (
    Credentials,
    SignatureVerifier,
    parse_credentials,
    read_credentials_file,
)
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService
from tests.fixtures.localswf_process import ServiceProcess

KEY = Credentials("AKIDLOCAL", "a-long-local-secret")
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def server(swf_service: SWFService) -> Iterator[LocalSWFServer]:
    with LocalSWFServer(swf_service, credentials=KEY) as running:
        yield running


def client_for(server: LocalSWFServer, access_key: str, secret_key: str, **config: Any) -> Any:
    return boto3.client(
        "swf",
        region_name="eu-west-1",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=ONE_ATTEMPT.merge(Config(**config)),
    )


def error_of(call: Any) -> tuple[str, str, int]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_a_request_signed_with_the_key_is_served(server):
    client = client_for(server, KEY.access_key, KEY.secret_key)
    client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    # The region signed for is the one the ARN names (the scope comes from the signed request).
    assert client.describe_domain(name="d")["domainInfo"]["arn"].startswith("arn:aws:swf:eu-west-1:")


REFUSALS = [
    ("wrong-secret", KEY.access_key, "not-the-secret", "InvalidSignatureException", "does not match"),
    ("other-key", "AKIDOTHER", KEY.secret_key, "UnrecognizedClientException", "security token"),
]


@pytest.mark.parametrize(
    ("access", "secret", "code", "text"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_request_signed_otherwise_is_refused(server, swf_service, access, secret, code, text):
    client = client_for(server, access, secret)
    assert error_of(lambda: client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1"))[
        ::2
    ] == (
        code,
        400,
    )
    assert text in error_of(lambda: client.list_domains(registrationStatus="REGISTERED"))[1]
    # Nothing was done for the refused call.
    good = client_for(server, KEY.access_key, KEY.secret_key)
    assert good.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []


def test_an_unsigned_request_is_refused(server):
    client = client_for(server, "x", "y", signature_version=UNSIGNED)
    code, message, status = error_of(lambda: client.list_domains(registrationStatus="REGISTERED"))
    assert (code, status) == ("MissingAuthenticationTokenException", 400)
    assert message == "Request is missing Authentication Token"


def signed_request(body: bytes, *, host: str) -> AWSRequest:
    """A ListDomains request signed by botocore's signer, at the instant botocore's clock says."""
    request = AWSRequest(
        method="POST",
        url=f"http://{host}/",
        data=body,
        headers={
            "X-Amz-Target": "SimpleWorkflowService.ListDomains",
            "Content-Type": "application/x-amz-json-1.0",
            "Host": host,
        },
    )
    SigV4Auth(BotocoreCredentials(KEY.access_key, KEY.secret_key), "swf", "us-east-1").add_auth(request)
    return request


def send(server: LocalSWFServer, request: AWSRequest, body: bytes) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("POST", "/", body=body, headers=dict(request.headers.items()))
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_body_changed_after_signing_is_refused(server):
    host = f"{server.host}:{server.port}"
    body = b'{"registrationStatus":"REGISTERED"}'
    request = signed_request(body, host=host)
    assert send(server, request, body)[0] == 200
    status, answer = send(server, request, b'{"registrationStatus":"DEPRECATED"}')
    assert status == 400 and answer["__type"].endswith("#InvalidSignatureException")


@pytest.mark.parametrize(
    ("offset", "text"),
    [(-6, "Signature expired: "), (6, "Signature not yet current: ")],
    ids=["old", "future"],
)
def test_a_signature_too_far_from_the_clock_is_refused(server, monkeypatch, offset, text):
    host = f"{server.host}:{server.port}"
    body = b'{"registrationStatus":"REGISTERED"}'

    def sign_minutes_away(minutes: float) -> AWSRequest:
        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when)
        return signed_request(body, host=host)

    status, answer = send(server, sign_minutes_away(offset), body)
    assert status == 400
    assert answer["__type"].endswith("#InvalidSignatureException")
    assert answer["message"].startswith(text)
    assert send(server, sign_minutes_away(offset / 2), body)[0] == 200  # within five minutes


MALFORMED = [
    ("not-sigv4", "Basic dXNlcjpwYXNz"),
    (
        "short-scope",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101, SignedHeaders=host, Signature=" + "0" * 64,
    ),
    (
        "other-service",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
    ),
]


@pytest.mark.parametrize("authorization", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_authorization_is_an_invalid_signature(authorization):
    verifier = SignatureVerifier(KEY)
    headers = {"authorization": authorization, "host": "h", "x-amz-date": "20260101T000000Z"}
    with pytest.raises(SWFFault) as raised:
        verifier.verify(method="POST", path="/", headers=headers, body=b"{}")
    assert raised.value.code == "InvalidSignatureException"


def test_the_secret_is_never_logged(server, caplog):
    caplog.set_level(logging.DEBUG)
    client_for(server, KEY.access_key, KEY.secret_key).list_domains(registrationStatus="REGISTERED")
    error_of(
        lambda: client_for(server, KEY.access_key, "wrong").list_domains(registrationStatus="REGISTERED")
    )
    assert KEY.secret_key not in caplog.text
    assert KEY.secret_key not in repr(KEY)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("no-colon", "expected ACCESS_KEY:SECRET"),
        (":secret", "expected"),
        ("key:", "expected"),
        ("k y:s", "access key"),
    ],
    ids=["no-colon", "no-key", "no-secret", "bad-key"],
)
def test_bad_credentials_are_one_line_errors(spec, problem):
    with pytest.raises(ConfigurationError, match=problem):
        parse_credentials(spec)


def test_a_credentials_file_holds_one_line(tmp_path: Path):
    path = tmp_path / "creds"
    path.write_text("# the local service's key\n\nAKIDLOCAL:a-long-local-secret\n")
    assert read_credentials_file(str(path)) == KEY
    path.write_text("a:b\nc:d\n")
    with pytest.raises(ConfigurationError, match="found 2"):
        read_credentials_file(str(path))
    with pytest.raises(ConfigurationError, match="cannot read it"):
        read_credentials_file(str(tmp_path / "missing"))


def test_a_non_loopback_server_needs_credentials(swf_service):
    with pytest.raises(ConfigurationError, match="credentials"):
        LocalSWFServer(swf_service, "0.0.0.0", allow_remote=True)


CLI_ERRORS = [
    ("remote-without-credentials", ["--allow-remote"], "requires --credentials"),
    ("both", ["--credentials", "a:b", "--credentials-file", "/x"], "not both"),
    ("malformed", ["--credentials", "nocolon"], "--credentials: expected ACCESS_KEY:SECRET"),
    ("missing-file", ["--credentials-file", "/nonexistent/creds"], "cannot read it"),
]


@pytest.mark.parametrize("args,text", [c[1:] for c in CLI_ERRORS], ids=[c[0] for c in CLI_ERRORS])
def test_cli_credential_errors_are_one_line(cli_runner, args, text):
    result = cli_runner.invoke(main, ["localswf.start", "--port", "0", *args])
    assert result.exit_code == ConfigurationError.exit_code
    assert result.output.count("\n") == 1 and text in result.output


def test_localswf_start_with_a_credentials_file(tmp_path: Path):
    path = tmp_path / "creds"
    path.write_text(f"{KEY.access_key}:{KEY.secret_key}\n")
    path.chmod(0o644)
    service = ServiceProcess(extra_args=("--credentials-file", str(path)), env={"LOG_LEVEL": "DEBUG"}).start()
    try:
        signed = boto3.client(
            "swf",
            region_name="us-east-1",
            endpoint_url=service.endpoint_url,
            aws_access_key_id=KEY.access_key,
            aws_secret_access_key=KEY.secret_key,
            config=ONE_ATTEMPT,
        )
        assert signed.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
        unsigned = boto3.client(
            "swf",
            region_name="us-east-1",
            endpoint_url=service.endpoint_url,
            config=ONE_ATTEMPT.merge(Config(signature_version=UNSIGNED)),
        )
        assert error_of(lambda: unsigned.list_domains(registrationStatus="REGISTERED"))[0] == (
            "MissingAuthenticationTokenException"
        )
    finally:
        service.stop()
    output = "\n".join(service.stdout_lines + service.stderr_lines)
    assert f"signed with access key {KEY.access_key}" in output
    assert "can be read by other users; chmod 600" in output
    assert KEY.secret_key not in output
