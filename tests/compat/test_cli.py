"""CLI and environment forms of upstream simpleflow 0.36: middlewares, run-time activities, jumbo fields."""

from __future__ import annotations

import json
import logging
import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.compat.harness import run_workflow

FLOWS = "tests.compat.flows_cli"
PRE1, PRE2, POST = f"{FLOWS}.first_pre", f"{FLOWS}.second_pre", f"{FLOWS}.record_post"
MIDDLEWARES = (
    "--middleware-pre-execution",
    PRE1,
    "--middleware-pre-execution",
    PRE2,
    "--middleware-post-execution",
    POST,
)


def read_log(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_middlewares_run_around_each_activity_in_order(run, tmp_path):
    log = tmp_path / "middlewares.log"
    outcome = run(f"{FLOWS}.MiddlewareWorkflow", [3], *MIDDLEWARES, env={"COMPAT_MIDDLEWARE_LOG": str(log)})
    assert outcome.result == [4, 8]
    increment, double = f"activity-{FLOWS}.increment-1", f"activity-{FLOWS}.double-1"
    assert read_log(log) == [
        f"pre1 {increment} True",
        f"pre2 {increment}",
        f"post {increment} 4",
        f"pre1 {double} True",
        f"pre2 {double}",
        f"post {double} 8",
    ]


def test_middlewares_run_in_local_process_workers_too(tmp_path):
    log = tmp_path / "middlewares.log"
    env = {"COMPAT_MIDDLEWARE_LOG": str(log)}
    outcome = run_workflow("local", f"{FLOWS}.MiddlewareWorkflow", [5], "--processes", *MIDDLEWARES, env=env)
    assert outcome.result == [6, 12]
    assert [line.split()[0] for line in read_log(log)] == ["pre1", "pre2", "post"] * 2
    assert read_log(log)[-1] == f"post activity-{FLOWS}.double-1 12"


def test_post_middleware_is_skipped_when_the_activity_raises(run, tmp_path):
    log = tmp_path / "middlewares.log"
    options = ("--middleware-pre-execution", PRE2, "--middleware-post-execution", POST)
    env = {"COMPAT_MIDDLEWARE_LOG": str(log)}
    outcome = run(f"{FLOWS}.FailingMiddlewareWorkflow", [3], *options, env=env)
    assert outcome.result == {"failed": True, "after": 4}
    broken, increment = f"activity-{FLOWS}.broken-1", f"activity-{FLOWS}.increment-1"
    assert read_log(log) == [f"pre2 {broken}", f"pre2 {increment}", f"post {increment} 4"]


def test_a_raising_pre_middleware_fails_the_task_with_its_error(run):
    outcome = run(f"{FLOWS}.RefusedWorkflow", [3], "--middleware-pre-execution", f"{FLOWS}.refusing_pre")
    assert "RuntimeError: refused by the pre-execution middleware" in outcome.result


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        pytest.param(f"{FLOWS}.missing", f"module {FLOWS!r} has no attribute 'missing'", id="attr"),
        pytest.param("no_such_module.func", "no module named 'no_such_module'", id="module"),
        pytest.param("nodots", "expected a dotted path", id="not-dotted"),
    ],
)
def test_a_bad_middleware_path_is_one_line_before_anything_starts(engine, tmp_path, path, problem):
    log = tmp_path / "middlewares.log"
    outcome = run_workflow(
        engine,
        f"{FLOWS}.MiddlewareWorkflow",
        [3],
        "--middleware-post-execution",
        path,
        env={"COMPAT_MIDDLEWARE_LOG": str(log)},
        timeout=60,
    )
    assert outcome.returncode == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(f"error: --middleware-post-execution {path!r}: ")
    assert problem in lines[0]
    assert outcome.stdout == ""
    assert not log.exists()


def test_middlewares_need_local_on_workflow_start(tmp_path):
    import subprocess

    from simpleflow.children import simpleflow_command

    done = subprocess.run(
        simpleflow_command(
            "workflow.start",
            f"{FLOWS}.MiddlewareWorkflow",
            "-i",
            "[1]",
            "-d",
            "any",
            "--middleware-pre-execution",
            PRE1,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: --middleware-pre-execution only applies with --local "
        "(give middlewares to worker.start instead)"
    )


def test_activities_decorated_inside_run_on_a_run_time_task_list(run, engine):
    # On standalone, with upstream's -W/-D, --heartbeat 0 (no heartbeats) and --display-status too.
    upstream_options = ("-W", "2", "-D", "1", "--heartbeat", "0", "--display-status", "true")
    options = upstream_options if engine == "standalone" else ()
    outcome = run(f"{FLOWS}.DynamicTaskListWorkflow", [3, "chosen-at-run-time"], *options)
    assert outcome.result == [9, 9]
    if engine == "standalone":
        assert "status: OPEN" in outcome.stderr
        assert outcome.stderr.count("status: CLOSED") == 1


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port (nothing beyond loopback is reached)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_jumbo_fields_go_to_the_bucket_as_upstream_stores_them(run, s3_endpoint):
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"jumbo-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    env = {
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
        "SIMPLEFLOW_JUMBO_FIELDS_BUCKET": f"{bucket}/jumbo",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    outcome = run(f"{FLOWS}.JumboFieldsWorkflow", ["ab", "p" * 40_000], env=env)
    assert outcome.result == {"length": 100_000, "padding": 40_000, "tail": "bab"}
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    # The workflow input, repeat50k's result and length's input: upstream's layout, <prefix>/<name>.
    assert len(keys) >= 3
    assert all(re.fullmatch(r"jumbo/[0-9a-f]{64}", key) for key in keys), keys
    texts = [s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode() for key in keys]
    assert json.dumps("ab" * 50_000) in texts
