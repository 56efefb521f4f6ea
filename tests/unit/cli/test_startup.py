"""What ``simpleflow`` loads before a command runs: help, usage and completion must stay cheap.

Each check runs a fresh interpreter (this test process has long imported everything) and reads its
``sys.modules`` once the CLI is done. The heavy modules are those a command imports when it runs:
boto3/botocore (the SWF client), tabulate (tables), the embedded engine, the executor, history folding.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from simpleflow.cli.main import main
from simpleflow.exceptions import EndpointUnreachable

HEAVY_MODULES = [
    "boto3",
    "botocore",
    "s3transfer",
    "tabulate",
    "simpleflow.localswf",
    "simpleflow.executor",
    "simpleflow.history",
    "simpleflow.inspection",
    "simpleflow.swf.models",
]

# Runs the CLI as the console script does, then prints the heavy modules (and their submodules) loaded.
PROBE = """
import json, sys
from simpleflow.cli.main import main
try:
    main(sys.argv[1:], prog_name="simpleflow")
except SystemExit:
    pass
heavy = set(json.loads(sys.stdin.read()))
print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))))
"""


def run_probe(argv: list[str], *, watch: list[str] = HEAVY_MODULES, **env: str) -> tuple[list[str], str]:
    """The ``watch`` modules a ``simpleflow ARGV`` run loaded, and what it printed before them."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        input=json.dumps(watch),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
        timeout=60,
    )
    *printed, loaded = done.stdout.strip().splitlines()
    return json.loads(loaded), "\n".join(printed)


def test_importing_the_cli_loads_no_heavy_module() -> None:
    code = "import json, sys, simpleflow.cli.main; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert sorted(set(json.loads(done.stdout)) & set(HEAVY_MODULES)) == []


@pytest.mark.parametrize(
    "argv",
    [pytest.param(["--help"], id="--help"), pytest.param(["--version"], id="--version")]
    + [pytest.param([name, "--help"], id=f"{name}--help") for name in sorted(main.commands)],
)
def test_help_loads_no_heavy_module(argv: list[str]) -> None:
    loaded, printed = run_probe(argv)
    assert "Usage:" in printed or "version" in printed
    assert loaded == []


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        pytest.param("simpleflow workflow.st", "1", "workflow.start", id="command-name"),
        pytest.param("simpleflow workflow.history --o", "2", "--of", id="option-name"),
        pytest.param("simpleflow --format pr", "2", "prettyjson", id="option-value"),
    ],
)
def test_completion_works_and_loads_no_heavy_module(words: str, cword: str, expected: str) -> None:
    loaded, printed = run_probe([], _SIMPLEFLOW_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=cword)
    assert expected in printed
    assert loaded == []


def test_the_probe_sees_what_a_command_loads() -> None:
    """The checks above would pass vacuously if the probe missed imports: a command that does talk to
    SWF must show botocore (and no boto3: the client is made through botocore's session)."""
    loaded, _ = run_probe(["domain.register", "--help"])
    assert loaded == []
    loaded, _ = run_probe(
        ["domain.list", "--endpoint-url", f"http://127.0.0.1:{closed_port()}"], SWF_CONNECTION_RETRIES="1"
    )
    assert "botocore" in loaded
    assert "boto3" not in loaded


def test_a_local_run_loads_no_boto3_and_no_http_server() -> None:
    """``--local`` needs botocore (its client) but neither boto3 nor the embedded HTTP server."""
    loaded, printed = run_probe(
        ["workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 0]"],
        watch=["boto3", "botocore", "s3transfer", "simpleflow.localswf.http"],
    )
    assert printed.splitlines()[-1] == "4"
    assert loaded and all(module.startswith("botocore") for module in loaded)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_botocore_failure_is_still_one_line() -> None:
    """botocore's exceptions are imported only once a client exists; its failures must still become
    the one-line error (and exit code) of a SimpleflowError, not a traceback."""
    endpoint = f"http://127.0.0.1:{closed_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow", "domain.list", "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        env={**os.environ, "SWF_CONNECTION_RETRIES": "1"},
        timeout=60,
    )
    assert done.returncode == EndpointUnreachable.exit_code
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("error: ") and endpoint in done.stderr
