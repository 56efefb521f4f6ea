"""``localswf.start --quotas``: the option, its bad values, and a served process that throttles."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from simpleflow.cli.localswf import QUOTA_PROFILES
from simpleflow.cli.main import main
from simpleflow.localswf.embedded import make_local_client
from simpleflow.localswf.quotas import AWS_QUOTAS, PROFILES
from tests.fixtures.localswf_process import ServiceProcess


def test_the_options_choices_are_the_profiles() -> None:
    assert set(QUOTA_PROFILES) == set(PROFILES)


def test_help_shows_the_option_and_its_default(cli_runner) -> None:
    result = cli_runner.invoke(main, ["localswf.start", "--help"])
    assert result.exit_code == 0
    assert "--quotas [none|aws]" in result.output
    assert "default: none" in result.output


def test_an_unknown_profile_is_a_usage_error(cli_runner) -> None:
    result = cli_runner.invoke(main, ["localswf.start", "--quotas", "fast"])
    assert result.exit_code == 2
    assert "'fast' is not one of 'none', 'aws'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.integration
def test_a_service_started_with_the_aws_profile_throttles_over_http() -> None:
    calls = int(AWS_QUOTAS.api["ListDomains"].size) + 100  # the bucket, and far more than 6 a second refill
    with ServiceProcess(extra_args=("--quotas", "aws", "--poll-timeout", "1")) as service:
        assert service.wait_for_stderr("throttling with the 'aws' quota profile")
        client = make_local_client(service.endpoint_url, read_timeout=10)
        codes = []
        for _ in range(calls):
            try:
                client.list_domains(registrationStatus="REGISTERED")
                codes.append("ok")
            except ClientError as error:
                codes.append(error.response["Error"]["Code"])
    # The first 100 calls find a full bucket; the rest come faster than 6 tokens a second.
    assert codes[:100] == ["ok"] * 100
    assert set(codes) == {"ok", "ThrottlingException"}
    assert codes.count("ThrottlingException") > 0
