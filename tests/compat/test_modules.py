"""Upstream's modules in use: steps (payload store and S3), metrology, storage functions, local executor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.fixtures.moto_swf import moto_swf_server

FLOWS = "tests.compat.flows_modules"
BUCKETS = ("compat-steps", "compat-metrology", "compat-notes")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 in server mode on loopback, with the buckets the S3 workflow uses."""
    with moto_swf_server() as endpoint:
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        for bucket in BUCKETS:
            client.create_bucket(Bucket=bucket)
        yield endpoint


def _objects(endpoint: str, bucket: str, prefix: str) -> dict[str, Any]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {
        item["Key"]: json.loads(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        for item in listed
    }


def test_steps_run_once_then_are_skipped_or_forced(run, engine, tmp_path: Path):
    env = {"SIMPLEFLOW_PAYLOAD_STORE": (tmp_path / "store").as_uri()}
    prefix = f"compat-{engine}"
    first = run(f"{FLOWS}.StepsWorkflow", {"kwargs": {"prefix": prefix}}, env=env).result
    assert first == {
        "done_before": [],
        "ran": {"one": ["ONE", None], "two": [["TWO-A", "TWO-B"], None]},
        "markers": [
            ["one", "completed", False, []],
            ["one", "scheduled", False, []],
            ["two", "completed", False, []],
            ["two", "scheduled", False, []],
        ],
    }
    record = json.loads((tmp_path / "store" / "steps" / prefix / "steps" / "one").read_text())
    assert record["workflow_id"].startswith("compat_steps-") and record["run_id"]

    again = run(f"{FLOWS}.StepsWorkflow", {"kwargs": {"prefix": prefix}}, env=env).result
    assert again == {
        "done_before": ["one", "two"],
        "ran": {"one": [], "two": ["TWO-AGAIN"]},
        "markers": [
            ["one", "skipped", False, ["Step was already played"]],
            ["two", "skipped", False, ["Step was already played"]],
        ],
    }

    forced = run(
        f"{FLOWS}.StepsWorkflow", {"kwargs": {"prefix": prefix, "force": ["two"], "skip": ["*"]}}, env=env
    ).result
    assert forced["ran"] == {"one": [], "two": [["TWO-A", "TWO-B"], None]}
    assert forced["markers"] == [
        ["one", "skipped", True, ["asked"]],
        ["two", "completed", True, ["asked"]],
        ["two", "scheduled", True, ["asked"]],
    ]


def test_steps_metrology_and_storage_functions_on_s3(run, s3_endpoint: str):
    env = {
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
        "STEP_BUCKET": "compat-steps",
        "METROLOGY_BUCKET": "compat-metrology",
    }
    result = run(f"{FLOWS}.S3Workflow", ["compat-notes"], env=env).result
    assert result["step"] == [42, None]
    assert result["trip"] == {"read": "héllo", "keys": ["notes/hello.txt"]}
    workflow_id = result["workflow_id"]

    steps = _objects(s3_endpoint, "compat-steps", workflow_id)
    assert list(steps) == [f"{workflow_id}/steps/measure"]
    assert steps[f"{workflow_id}/steps/measure"]["workflow_id"] == workflow_id

    reports = _objects(s3_endpoint, "compat-metrology", workflow_id)
    activity_reports = {key: value for key, value in reports.items() if "/activity." in key}
    assert len(activity_reports) == 1
    (report,) = activity_reports.values()
    assert report["meta"] == {"n": 21}
    assert [(s["name"], s["read"]["records"], s["metadata"]) for s in report["steps"]] == [
        ("count", 21, {"unit": "rows"})
    ]
    (summary_key,) = [key for key in reports if key.endswith("/metrology.json")]
    merged = [info for _, info in reports[summary_key] if "metrology" in info]
    assert [info["metrology"] for info in merged] == [report]


def test_a_step_needs_the_mixin(run):
    outcome = run(f"{FLOWS}.NoMixinWorkflow")
    assert outcome.returncode != 0
    assert "Step needs a workflow with WorkflowStepMixin" in outcome.stderr + outcome.stdout
