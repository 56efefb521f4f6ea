"""Fixtures for the out-of-band payload runs: the fan-out's input, moto's S3 on loopback, file stores."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from simpleflow.storage import FileSystemStore

#: The fan-out of the issue: a 1 MB input to 100 activities that each return 100 KB.
FAN_OUT = {"args": ["x" * 1_000_000], "kwargs": {"count": 100, "result_size": 100_000}}
FAN_OUT_RESULT = {"input_size": 1_000_000, "results": 100, "distinct": 100, "result_bytes": 10_000_000}


def input_digest(value: Any) -> str:
    """The sha256 of a value's compact JSON text: its key in a content-addressed store."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def sizes_by_digest(store: FileSystemStore) -> dict[str, int]:
    """What a filesystem store holds: digest -> size."""
    return {stored.digest: stored.size for stored in store.iter_payloads()}


def free_port() -> int:
    """A loopback port nobody listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    """The fan-out's input as a JSON file, for ``--input-file``."""
    path = tmp_path / "input.json"
    path.write_text(json.dumps(FAN_OUT))
    return path


@pytest.fixture(autouse=True)
def no_configured_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test says which store it uses; none leaks in from the caller's shell."""
    monkeypatch.delenv("SIMPLEFLOW_PAYLOAD_STORE", raising=False)
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 behind a real HTTP server on a free loopback port."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """A fresh bucket on the moto server, with boto3 pointed at it (``AWS_ENDPOINT_URL_S3``)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"payloads-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


# The embedded service over HTTP, and a client on it with the domain registered, as the run tests have.
from tests.integration.run.conftest import swf_client, swf_endpoint  # noqa: E402, F401
