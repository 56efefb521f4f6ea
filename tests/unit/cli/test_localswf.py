from __future__ import annotations

import pytest

from simpleflow.cli.localswf import parse_lambda, parse_lambdas
from simpleflow.cli.main import main
from simpleflow.exceptions import ConfigurationError
from tests.fixtures import lambdas


def test_help_shows_the_options_and_an_example(cli_runner):
    result = cli_runner.invoke(main, ["localswf.start", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--db", "--lambda", "--poll-timeout", "--allow-remote"):
        assert option in result.output
    assert "export AWS_ENDPOINT_URL_SWF=http://127.0.0.1:8765" in result.output


def test_parse_lambda():
    assert parse_lambda("double=tests.fixtures.lambdas:double") == ("double", lambdas.double)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("double", "NAME=MODULE:FUNCTION"),
        ("double=tests.fixtures.lambdas.double", "NAME=MODULE:FUNCTION"),
        ("=tests.fixtures.lambdas:double", "NAME=MODULE:FUNCTION"),
        ("double=tests.fixtures.nowhere:double", "no module named"),
        ("double=tests.fixtures.lambdas:triple", "triple"),
        ("n=tests.fixtures.lambdas:NOT_CALLABLE", "not callable"),
    ],
    ids=["no-target", "no-colon", "no-name", "missing-module", "missing-function", "not-callable"],
)
def test_parse_lambda_errors(spec, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_lambda(spec)


def test_a_lambda_name_given_twice_is_an_error():
    spec = "double=tests.fixtures.lambdas:double"
    with pytest.raises(ConfigurationError, match="twice"):
        parse_lambdas((spec, spec))


def test_non_loopback_host_is_refused_with_exit_code_2(cli_runner):
    result = cli_runner.invoke(main, ["localswf.start", "--host", "0.0.0.0"])
    assert result.exit_code == ConfigurationError.exit_code
    assert "--allow-remote" in result.output


def test_bad_lambda_is_one_line_error(cli_runner):
    result = cli_runner.invoke(main, ["localswf.start", "--lambda", "oops"])
    assert result.exit_code == ConfigurationError.exit_code
    assert result.output.startswith("error: --lambda 'oops'")
