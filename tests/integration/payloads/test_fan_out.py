"""The issue's fan-out end to end: a 1 MB input to 100 activities returning 100 KB each.

Through ``--local`` (default store in the run's temporary directory), ``standalone --local-swf`` (real
decider and worker processes) and an S3 store on moto's server; each time the store must hold the input
once, however many tasks received it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from simpleflow.cli.main import main
from simpleflow.local import LocalRun
from simpleflow.storage import FileSystemStore
from tests.fixtures.payload_workflows import FanOutWorkflow
from tests.fixtures.standalone_runs import run_standalone
from tests.integration.payloads.conftest import FAN_OUT, FAN_OUT_RESULT, input_digest, sizes_by_digest

pytestmark = pytest.mark.integration

WORKFLOW = "tests.fixtures.payload_workflows.FanOutWorkflow"
INPUT_BYTES = len(json.dumps(FAN_OUT, separators=(",", ":")))
RESULT_BYTES = 100_000 + 2  # each result is a JSON string


def assert_held_once(sizes: dict[str, int]) -> None:
    """The input once, the 100 distinct results, nothing else large."""
    assert sizes.get(input_digest(FAN_OUT)) == INPUT_BYTES
    assert [size for size in sizes.values() if size >= INPUT_BYTES] == [INPUT_BYTES]
    assert list(sizes.values()).count(RESULT_BYTES) == 100


def test_local_run_uses_a_store_in_its_temporary_directory():
    assert "SIMPLEFLOW_PAYLOAD_STORE" not in os.environ
    with LocalRun(FanOutWorkflow) as run:
        url = os.environ["SIMPLEFLOW_PAYLOAD_STORE"]
        directory = Path(urlsplit(url).path)
        assert url.startswith("file:///") and directory.parent.name.startswith("simpleflow-local-")
        assert run.execute(FAN_OUT, timeout=120) == FAN_OUT_RESULT
        assert_held_once(sizes_by_digest(FileSystemStore(directory)))
    assert "SIMPLEFLOW_PAYLOAD_STORE" not in os.environ, "the run's store stays exported after it"
    assert not directory.parent.exists(), "the run's temporary directory is left behind"


def test_local_run_on_moto_s3(s3_bucket: tuple[Any, str], input_file: Path, monkeypatch: pytest.MonkeyPatch):
    client, bucket = s3_bucket
    monkeypatch.setenv("SIMPLEFLOW_PAYLOAD_STORE", f"s3://{bucket}/runs/fan-out")
    done = CliRunner().invoke(main, ["workflow.start", "--local", WORKFLOW, "--input-file", str(input_file)])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == FAN_OUT_RESULT
    listed = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="runs/fan-out/sha256/")
    sizes = {item["Key"].rsplit("/", 1)[1]: item["Size"] for page in listed for item in page["Contents"]}
    assert_held_once(sizes)


def standalone(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_standalone(WORKFLOW, *arguments, env={**env, "LOG_LEVEL": "WARNING"}, timeout=180)


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}


@pytest.mark.slow
def test_standalone_processes_share_the_default_store(input_file: Path, tmp_path: Path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**clean_environment(), "TMPDIR": str(temporary)}
    done = standalone("--input-file", str(input_file), "--nb-workers", "2", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == FAN_OUT_RESULT
    assert list(temporary.iterdir()) == [], "the run's temporary directory (and its store) is left behind"


def test_standalone_processes_store_the_input_once_in_a_configured_store(tmp_path: Path):
    smaller = {"args": FAN_OUT["args"], "kwargs": {"count": 5, "result_size": 40_000}}
    (tmp_path / "input.json").write_text(json.dumps(smaller))
    store = tmp_path / "store"
    env = {**clean_environment(), "SIMPLEFLOW_PAYLOAD_STORE": store.as_uri()}
    done = standalone("--input-file", str(tmp_path / "input.json"), env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["distinct"] == 5
    sizes = sizes_by_digest(FileSystemStore(store))
    assert sizes[input_digest(smaller)] == len(json.dumps(smaller, separators=(",", ":")))
    assert sorted(sizes.values()) == [40_002] * 5 + [sizes[input_digest(smaller)]]
