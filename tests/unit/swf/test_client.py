"""The client factory: region, endpoint, retries, credentials, and the translation of botocore errors."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from simpleflow.exceptions import (
    ConfigurationError,
    EndpointUnreachable,
    SWFError,
    Throttled,
    UnknownResource,
)
from simpleflow.swf import client as swf_client_module
from simpleflow.swf.client import make_client, set_credentials, swf_errors
from tests.unit.swf.fake_http import answer_with


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """An environment where boto3's chain finds no credentials and asks no metadata service."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.setattr(swf_client_module, "_default_session", None)


def test_region_defaults_to_us_east_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    assert make_client().meta.region_name == "us-east-1"


def test_region_comes_from_aws_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    client = make_client()
    assert client.meta.region_name == "eu-west-3"
    assert "eu-west-3" in client.meta.endpoint_url


def test_explicit_region_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    assert make_client(region="ap-south-1").meta.region_name == "ap-south-1"


def test_endpoint_comes_from_boto3s_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:4567")
    assert make_client().meta.endpoint_url == "http://127.0.0.1:4567"


def test_explicit_endpoint_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:4567")
    assert make_client(endpoint_url="http://127.0.0.1:9999").meta.endpoint_url == "http://127.0.0.1:9999"


@pytest.mark.parametrize(
    ("env", "kwargs", "expected"),
    [
        ({}, {}, {"total_max_attempts": 5, "mode": "standard"}),
        ({"SWF_CONNECTION_RETRIES": "2"}, {}, {"total_max_attempts": 2, "mode": "standard"}),
        ({"AWS_RETRY_MODE": "adaptive"}, {}, {"total_max_attempts": 5, "mode": "adaptive"}),
        (
            {"SWF_CONNECTION_RETRIES": "2"},
            {"max_attempts": 7, "retry_mode": "adaptive"},
            {
                "total_max_attempts": 7,
                "mode": "adaptive",
            },
        ),
    ],
    ids=["defaults", "env-retries", "env-mode", "arguments-win"],
)
def test_retry_configuration(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], kwargs: dict[str, Any], expected: dict[str, Any]
) -> None:
    monkeypatch.delenv("SWF_CONNECTION_RETRIES", raising=False)
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert make_client(**kwargs).meta.config.retries == expected


@pytest.mark.parametrize(
    ("env", "kwargs"),
    [
        ({"SWF_CONNECTION_RETRIES": "many"}, {}),
        ({"SWF_CONNECTION_RETRIES": "0"}, {}),
        ({}, {"retry_mode": "eager"}),
        ({}, {"max_attempts": 0}),
    ],
    ids=["retries-not-int", "retries-zero", "unknown-mode", "zero-attempts"],
)
def test_bad_retry_settings_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], kwargs: dict[str, Any]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError):
        make_client(**kwargs)


def test_read_timeout_outlasts_the_long_poll() -> None:
    assert make_client().meta.config.read_timeout > 60


def test_connection_pool_can_be_widened() -> None:
    assert make_client(max_pool_connections=40).meta.config.max_pool_connections == 40


def test_set_credentials_signs_with_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swf_client_module, "_default_session", None)
    set_credentials("AKIDPROGRAMMATIC", "secret-value")
    client = make_client(endpoint_url="http://127.0.0.1:1")
    seen = answer_with(client, [(200, {"domainInfos": []})])
    client.list_domains(registrationStatus="REGISTERED")
    assert "Credential=AKIDPROGRAMMATIC/" in seen[0].headers["Authorization"].decode()
    swf_client_module.clear_credentials()
    assert swf_client_module._default_session is None


@pytest.mark.usefixtures("no_aws_credentials")
def test_custom_endpoint_needs_no_credentials() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    seen = answer_with(client, [(200, {"domainInfos": []})])
    client.list_domains(registrationStatus="REGISTERED")
    assert "Authorization" not in seen[0].headers


@pytest.mark.usefixtures("no_aws_credentials")
def test_no_credentials_and_no_endpoint_suggests_local_swf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_SWF", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    client = make_client()
    answer_with(client, [(200, {})])
    with pytest.raises(ConfigurationError, match="--local-swf"), swf_errors():
        client.list_domains(registrationStatus="REGISTERED")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_endpoint_names_it() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    client = make_client(endpoint_url=endpoint, max_attempts=1)
    with pytest.raises(EndpointUnreachable) as caught, swf_errors("ListDomains"):
        client.list_domains(registrationStatus="REGISTERED")
    assert endpoint in str(caught.value)
    assert caught.value.endpoint_url.startswith(endpoint)


def _fault(code: str) -> tuple[int, dict[str, str]]:
    return 400, {"__type": f"com.amazonaws.swf.base.model#{code}", "message": f"{code} happened"}


@pytest.mark.parametrize(
    ("code", "expected_class"),
    [
        ("UnknownResourceFault", UnknownResource),
        ("ThrottlingException", Throttled),
        ("TypeAlreadyExistsFault", SWFError),
        ("OperationNotPermittedFault", SWFError),
    ],
    ids=["unknown-resource", "throttled", "type-exists", "not-permitted"],
)
def test_client_errors_become_simpleflow_errors(code: str, expected_class: type[SWFError]) -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1", max_attempts=1)
    answer_with(client, [_fault(code)])
    with pytest.raises(expected_class) as caught, swf_errors():
        client.describe_domain(name="somewhere")
    assert type(caught.value) is expected_class
    assert caught.value.code == code
    assert caught.value.operation == "DescribeDomain"
    assert f"{code} happened" in str(caught.value)


def test_throttling_is_retried_by_botocore() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1", max_attempts=3)
    seen = answer_with(client, [_fault("ThrottlingException"), (200, {"domainInfos": []})])
    with swf_errors():
        assert client.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
    assert len(seen) == 2


def test_other_exceptions_pass_through() -> None:
    send: Callable[[], None]

    def send() -> None:
        raise KeyError("not an SWF error")

    with pytest.raises(KeyError), swf_errors():
        send()
