"""make_client builds its client through botocore's session, not boto3's: nothing a user or AWS sees may
differ. Each test puts a client made by boto3 itself next to ours."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config

from simpleflow.swf import client as swf_client_module
from simpleflow.swf.client import make_client
from simpleflow.swf.session import boto3_version, new_session
from tests.unit.swf.fake_http import answer_with

ENDPOINT = "http://127.0.0.1:1"


def sent_headers(client: Any) -> dict[str, str]:
    seen = answer_with(client, [(200, {"domainInfos": []})])
    client.list_domains(registrationStatus="REGISTERED")
    return {
        name: value.decode() if isinstance(value, bytes) else value for name, value in seen[0].headers.items()
    }


def comparable_user_agent(user_agent: str) -> str:
    # ``m/A,B,C`` lists the botocore features a request used, in set order: compare them sorted.
    return re.sub(
        r"\bm/([\w,]+)", lambda found: "m/" + ",".join(sorted(found.group(1).split(","))), user_agent
    )


def boto3_client(**options: Any) -> Any:
    return boto3.session.Session().client("swf", **options)


def test_boto3_version_is_read_without_importing_it() -> None:
    assert boto3_version() == boto3.__version__


def test_user_agent_is_boto3s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swf_client_module, "_default_session", None)
    config = Config(retries={"total_max_attempts": 5, "mode": "standard"})
    theirs = sent_headers(boto3_client(endpoint_url=ENDPOINT, region_name="us-east-1", config=config))
    ours = sent_headers(make_client(endpoint_url=ENDPOINT, region="us-east-1", max_attempts=5))
    assert ours["User-Agent"].startswith(f"Boto3/{boto3.__version__} ")
    assert comparable_user_agent(ours["User-Agent"]) == comparable_user_agent(theirs["User-Agent"])


class SessionWithExtra(botocore.session.Session):
    """A botocore session that already carries a user-agent extra (as an application may set)."""

    def __init__(self) -> None:
        super().__init__()
        self.user_agent_extra = "my-app/2"


def test_a_user_agent_extra_is_kept_as_boto3_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert new_session().user_agent_extra == f"Botocore/{botocore.__version__}"
    theirs = boto3.session.Session(botocore_session=SessionWithExtra())
    monkeypatch.setattr(botocore.session, "Session", SessionWithExtra)
    ours = new_session()
    assert (
        ours.user_agent_extra
        == theirs._session.user_agent_extra
        == f"my-app/2 Botocore/{botocore.__version__}"
    )
    assert (ours.user_agent_name, ours.user_agent_version) == ("Boto3", boto3.__version__)


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="defaults"),
        pytest.param({"AWS_DEFAULT_REGION": "eu-west-3"}, id="region-from-env"),
        pytest.param({"AWS_ENDPOINT_URL_SWF": "http://127.0.0.1:4567"}, id="endpoint-from-env"),
        pytest.param({"AWS_ENDPOINT_URL": "http://127.0.0.1:4568"}, id="global-endpoint-from-env"),
    ],
)
def test_region_and_endpoint_resolve_as_with_boto3(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    monkeypatch.setattr(swf_client_module, "_default_session", None)
    for name in ("AWS_ENDPOINT_URL_SWF", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    theirs = boto3_client()
    ours = make_client()
    assert (ours.meta.region_name, ours.meta.endpoint_url) == (
        theirs.meta.region_name,
        theirs.meta.endpoint_url,
    )
    # Client classes are built per session; boto3 adds no method to an ``swf`` one.
    assert type(ours).__name__ == type(theirs).__name__ == "SWF"
    assert type(ours).__bases__ == type(theirs).__bases__
    assert sorted(dir(ours)) == sorted(dir(theirs))


def test_profile_credentials_are_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[work]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = s3cr3t\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setattr(swf_client_module, "_default_session", None)
    headers = sent_headers(make_client(endpoint_url=ENDPOINT))
    assert "Credential=AKIDFROMPROFILE/" in headers["Authorization"]


@pytest.mark.parametrize(
    "session",
    [
        pytest.param(
            lambda: boto3.session.Session(aws_access_key_id="AKIDGIVEN", aws_secret_access_key="x"),
            id="boto3",
        ),
        pytest.param(lambda: new_session(access_key_id="AKIDGIVEN", secret_access_key="x"), id="botocore"),
    ],
)
def test_an_explicit_session_of_either_kind(session: Any) -> None:
    client = make_client(endpoint_url=ENDPOINT, session=session(), region="eu-west-1")
    assert client.meta.region_name == "eu-west-1"
    assert "Credential=AKIDGIVEN/" in sent_headers(client)["Authorization"]


def test_region_comes_from_the_given_session() -> None:
    session = boto3.session.Session(region_name="ca-central-1")
    assert make_client(endpoint_url=ENDPOINT, session=session).meta.region_name == "ca-central-1"
    assert (
        make_client(endpoint_url=ENDPOINT, session=new_session(region="sa-east-1")).meta.region_name
        == "sa-east-1"
    )
