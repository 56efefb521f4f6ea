"""``simpleflow console`` and ``simpleflow localswf.start --console``, run as a user runs them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from simpleflow.cli.main import main
from simpleflow.localswf.embedded import embedded_server, make_local_client
from tests.fixtures.executions import DOMAIN, Driver

URL = re.compile(r"(http://127\.0\.0\.1:\d+/\S*)")


def test_help(cli_runner):
    result = cli_runner.invoke(main, ["console", "--help"])
    assert result.exit_code == 0
    assert "--read-only" in result.output and "--allow-remote" in result.output


def test_non_loopback_host_needs_allow_remote(cli_runner):
    result = cli_runner.invoke(
        main, ["console", "--host", "192.0.2.10", "--endpoint-url", "http://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "error: --host 192.0.2.10 is not a loopback address: add --allow-remote" in result.output


def test_a_bad_endpoint_is_one_line(cli_runner):
    result = cli_runner.invoke(main, ["console", "--endpoint-url", "notaurl", "--port", "0"])
    assert result.exit_code == 2
    # The same check, and words, as every other command's --endpoint-url.
    assert result.output == (
        "error: 'notaurl' is not an SWF endpoint URL; expected http://HOST:PORT or https://HOST\n"
    )


def test_without_the_extra_it_says_what_to_install(cli_runner, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)
    result = cli_runner.invoke(main, ["console", "--endpoint-url", "http://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "pip install 'simpleflow[console]'" in result.output
    assert result.output.count("\n") == 1  # one line, no traceback


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL_SWF", None)
    env["PYTHONPATH"] = os.getcwd() + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _read_url(process: subprocess.Popen[str], *, deadline: float, marker: str) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if marker in line and (match := URL.search(line)):
            return match.group(1)
    raise AssertionError(f"no {marker!r} line with a URL before the deadline")


@pytest.fixture
def stopping() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started; each is stopped (then killed) at the end, by its own pid."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.integration
def test_console_serves_an_http_endpoint(stopping):
    with embedded_server(poll_timeout=0.5) as swf:
        client = make_local_client(swf.endpoint_url)
        driver = Driver(client)
        driver.register()
        driver.run_basic("cli-basic-1")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simpleflow",
                "console",
                "--port",
                "0",
                "--endpoint-url",
                swf.endpoint_url,
                "--domain",
                DOMAIN,
                "--read-only",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_environment(),
        )
        stopping.append(process)
        url = _read_url(process, deadline=time.monotonic() + 60, marker="console: serving")
        with urllib.request.urlopen(url, timeout=30) as response:  # / leads to the default domain, all runs
            page = response.read().decode()
        assert "cli-basic-1" in page and "read-only" in page
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


@pytest.mark.integration
def test_localswf_start_serves_the_console_beside_the_engine(stopping):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simpleflow",
            "localswf.start",
            "--port",
            "0",
            "--console",
            "0",
            "--poll-timeout",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_environment(),
    )
    stopping.append(process)
    url = _read_url(process, deadline=time.monotonic() + 60, marker="web console")
    with urllib.request.urlopen(url + "?all=1", timeout=30) as response:
        page = response.read().decode()
    assert "Domains" in page and "embedded SWF service (this process)" in page
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
