"""simpleflow 0.x's storage functions over named objects: a directory, and S3 (moto's server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simpleflow import storage
from simpleflow.exceptions import ConfigurationError
from simpleflow.storage.objects import DirectoryBucket, ObjectNotFound, S3Bucket, open_bucket


@pytest.fixture(params=["file", "s3-url", "host/bucket"])
def location(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """One bucket location of each form the functions accept."""
    storage.BUCKET_CACHE.clear()
    if request.param == "file":
        return (tmp_path / "objects").as_uri()
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = request.getfixturevalue("bucket")
    if request.param == "s3-url":
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
        return f"s3://{bucket}/some/prefix"
    return f"{endpoint.removeprefix('http://')}/{bucket}"


def test_push_pull_list_round_trip(location: str, tmp_path: Path) -> None:
    storage.push_content(location, "runs/a/steps/one", "héllo", content_type="text/plain")
    storage.push_content(location, "runs/a/steps/two", b"\x00bytes")
    storage.push_content(location, "runs/b/other", "x")
    assert storage.pull_content(location, "runs/a/steps/one") == "héllo"
    listed = storage.list_keys(location, "runs/a/")
    assert [(item.key, item.size) for item in listed] == [("runs/a/steps/one", 6), ("runs/a/steps/two", 6)]
    assert listed[1].read() == b"\x00bytes" and listed[0].name == "runs/a/steps/one"
    assert {item.key for item in storage.list_keys(location)} == {
        "runs/a/steps/one",
        "runs/a/steps/two",
        "runs/b/other",
    }

    source = tmp_path / "binary"
    source.write_bytes(b"#!/bin/sh\necho hi\n")
    storage.push(location, "bin/tool", source)
    storage.pull(location, "bin/tool", tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == source.read_bytes()


def test_a_missing_object_is_an_object_not_found(location: str) -> None:
    with pytest.raises(ObjectNotFound, match="no object 'nope'") as raised:
        storage.pull_content(location, "nope")
    assert isinstance(raised.value, KeyError)


def test_the_s3_prefix_is_hidden_from_keys(s3_endpoint: str, bucket: str, s3_client: Any) -> None:
    objects = S3Bucket(bucket, "deep/prefix", endpoint_url=s3_endpoint)
    objects.put("k", b"v")
    assert [item["Key"] for item in s3_client.list_objects_v2(Bucket=bucket)["Contents"]] == ["deep/prefix/k"]
    assert [item.key for item in objects.list()] == ["k"]
    objects.delete("k")
    assert objects.list() == []


def test_server_side_encryption_is_asked_for(s3_endpoint: str, bucket: str, s3_client: Any) -> None:
    S3Bucket(bucket, endpoint_url=s3_endpoint, server_side_encryption=True).put("k", b"v")
    assert s3_client.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("", "expected a bucket name"),
        ("a/b/c", "only one slash"),
        ("ftp://host/x", "unsupported scheme 'ftp'"),
        ("file://host/x", "file:///absolute/directory"),
        ("s3:///prefix", "names no bucket"),
    ],
    ids=["empty", "two-slashes", "scheme", "file-host", "s3-no-bucket"],
)
def test_unusable_locations_say_why(location: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        open_bucket(location)


def test_a_key_cannot_leave_its_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="leaves"):
        DirectoryBucket(tmp_path).put("../escape", b"x")


def test_sanitize_bucket_and_host_as_upstream() -> None:
    assert storage.sanitize_bucket_and_host("s3.eu-west-1.amazonaws.com/data") == (
        "data",
        "s3.eu-west-1.amazonaws.com",
    )
    assert storage.sanitize_bucket_and_host("data") == ("data", "s3.amazonaws.com")
    with pytest.raises(ValueError, match="only one slash"):
        storage.sanitize_bucket_and_host("host/a/b")
