"""AWS settings as a user gets them wrong or tunes them: one line per mistake, botocore's retry settings
honoured. Each runs ``simpleflow`` as a user would (click's runner, the environment of the shell)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from simpleflow.cli.main import main
from simpleflow.exceptions import ConfigurationError
from simpleflow.swf.client import make_client

SOME_COMMAND = ["workflow.list", "SomeDomain"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(
            ["--endpoint-url", "not-a-url"],
            {},
            "error: 'not-a-url' is not an SWF endpoint URL; expected http://HOST:PORT or https://HOST",
            id="bad-endpoint-option",
        ),
        pytest.param(
            [],
            {"AWS_ENDPOINT_URL_SWF": "ftp://somewhere"},
            "error: 'ftp://somewhere' is not an SWF endpoint URL; expected http://HOST:PORT or https://HOST",
            id="bad-endpoint-variable",
        ),
        pytest.param(
            [],
            {"AWS_PROFILE": "no-such-profile"},
            "error: AWS profile 'no-such-profile' not found in the AWS config or credentials files "
            "(from AWS_PROFILE)",
            id="unknown-profile",
        ),
        pytest.param(
            [],
            {"AWS_DEFAULT_REGION": "not a region"},
            "error: 'not a region' is not an AWS region name, e.g. us-east-1 "
            "(from AWS_DEFAULT_REGION, AWS_REGION or the profile's region)",
            id="bad-region",
        ),
        pytest.param(
            [],
            {"AWS_MAX_ATTEMPTS": "many", "SWF_CONNECTION_RETRIES": None},
            "error: AWS_MAX_ATTEMPTS (or max_attempts in the profile): "
            "invalid literal for int() with base 10: 'many'",
            id="bad-max-attempts",
        ),
        pytest.param(
            [],
            {
                "AWS_ACCESS_KEY_ID": None,
                "AWS_SECRET_ACCESS_KEY": None,
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
                "AWS_CONFIG_FILE": "/nonexistent/config",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
                "AWS_WEB_IDENTITY_TOKEN_FILE": None,
                "AWS_ENDPOINT_URL_SWF": None,
                "AWS_ENDPOINT_URL": None,
            },
            "error: no AWS credentials found and no SWF endpoint configured: set AWS credentials "
            "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile) to use Amazon SWF, point "
            "AWS_ENDPOINT_URL_SWF at an SWF-compatible service, or run with --local-swf",
            id="no-credentials",
        ),
    ],
)
def test_bad_settings_are_one_line(cli_runner, args, env, message):
    result = cli_runner.invoke(main, [*SOME_COMMAND, *args], env=env)
    assert result.exit_code == ConfigurationError.exit_code, result.output
    assert result.stderr == message + "\n"
    assert result.stdout == ""


def test_debug_shows_the_traceback_of_a_bad_setting(cli_runner):
    result = cli_runner.invoke(main, [*SOME_COMMAND, "--endpoint-url", "not-a-url", "--debug"])
    assert isinstance(result.exception, ConfigurationError)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            {"AWS_MAX_ATTEMPTS": "7"}, {"total_max_attempts": 7, "mode": "standard"}, id="aws-max-attempts"
        ),
        pytest.param(
            {"AWS_MAX_ATTEMPTS": "7", "SWF_CONNECTION_RETRIES": "2"},
            {"total_max_attempts": 2, "mode": "standard"},
            id="simpleflow-variable-wins",
        ),
        pytest.param(
            {"AWS_RETRY_MODE": "adaptive"}, {"total_max_attempts": 5, "mode": "adaptive"}, id="retry-mode"
        ),
        pytest.param({}, {"total_max_attempts": 5, "mode": "standard"}, id="defaults"),
    ],
)
def test_botocore_retry_settings_are_honoured(monkeypatch, env, expected):
    monkeypatch.delenv("SWF_CONNECTION_RETRIES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = make_client(endpoint_url="http://127.0.0.1:9")
    assert client.meta.config.retries == expected


def test_retry_settings_of_the_profile(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile tuned]\nmax_attempts = 4\nretry_mode = adaptive\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "tuned")
    monkeypatch.delenv("SWF_CONNECTION_RETRIES", raising=False)
    client = make_client(endpoint_url="http://127.0.0.1:9")
    assert client.meta.config.retries == {"total_max_attempts": 4, "mode": "adaptive"}


class ThrottlingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every SWF call with a throttling error, counting the requests."""

    requests = 0

    def do_POST(self) -> None:  # http.server's name for the method
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).requests += 1
        body = b'{"__type": "com.amazonaws.swf.base.model#ThrottlingException", "message": "slow down"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def throttling_endpoint() -> Iterator[str]:
    ThrottlingHandler.requests = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ThrottlingHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_aws_max_attempts_bounds_the_attempts_of_a_command(cli_runner, throttling_endpoint):
    env = {"AWS_MAX_ATTEMPTS": "2", "SWF_CONNECTION_RETRIES": None}
    result = cli_runner.invoke(main, [*SOME_COMMAND, "--endpoint-url", throttling_endpoint], env=env)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "ThrottlingException" in result.stderr
    assert ThrottlingHandler.requests == 2
