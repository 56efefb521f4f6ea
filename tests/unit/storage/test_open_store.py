"""Choosing a store by URL or from the environment, with clear errors for URLs that cannot work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.exceptions import ConfigurationError
from simpleflow.storage import CachingStore, FileSystemStore, MemoryStore, open_store, store_from_settings
from simpleflow.storage.s3 import S3Store


def test_file_url(tmp_path: Path) -> None:
    store = open_store(tmp_path.as_uri(), cache_bytes=0)
    assert isinstance(store, FileSystemStore)
    assert store.root == tmp_path
    assert payload.PayloadReference.parse(store.put(b"x")).location == tmp_path.as_uri()


def test_file_url_with_spaces(tmp_path: Path) -> None:
    root = tmp_path / "with space"
    store = open_store(root.as_uri(), cache_bytes=0)
    assert isinstance(store, FileSystemStore)
    assert store.root == root


def test_cached_by_default(tmp_path: Path) -> None:
    store = open_store(tmp_path.as_uri())
    assert isinstance(store, CachingStore)
    assert isinstance(store.store, FileSystemStore)
    assert store.max_bytes == 64 * 1024 * 1024


def test_memory_stores_are_shared_by_name() -> None:
    first = open_store("memory://shared-test", cache_bytes=0)
    second = open_store("memory://shared-test", cache_bytes=0)
    assert isinstance(first, MemoryStore)
    assert first is second


def test_s3_url() -> None:
    store = open_store("s3://my-bucket/jumbo/fields", cache_bytes=0)
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix, store.url) == (
        "my-bucket",
        "jumbo/fields",
        "s3://my-bucket/jumbo/fields",
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        pytest.param("/tmp/payloads", "has no scheme", id="bare-path"),
        pytest.param("ftp://host/x", "unsupported scheme 'ftp'", id="unknown-scheme"),
        pytest.param("file://payloads/dir", "names host 'payloads'", id="file-two-slashes"),
        pytest.param("file:///", "absolute directory", id="file-root"),
        pytest.param("s3://Bad_Bucket/x", "not a valid S3 bucket name", id="bad-bucket"),
        pytest.param("s3:///prefix", "not a valid S3 bucket name", id="no-bucket"),
        pytest.param("s3://bucket/x?versioned=1", "query strings", id="query"),
        pytest.param("memory://", "needs a name", id="memory-no-name"),
    ],
)
def test_bad_urls(url: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        open_store(url)


def test_unset_means_no_store() -> None:
    assert store_from_settings({}) is None


def test_bad_setting_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"^SIMPLEFLOW_PAYLOAD_STORE: payload store URL 'nope'"):
        store_from_settings({"SIMPLEFLOW_PAYLOAD_STORE": "nope"})


def test_jumbo_fields_bucket_alias_with_boto3_s3_endpoint(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, bucket: str, s3_client: Any
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    store = store_from_settings({"SIMPLEFLOW_JUMBO_FIELDS_BUCKET": f"{bucket}/jumbo"})
    assert isinstance(store, CachingStore)
    inner = store.store
    assert isinstance(inner, S3Store)
    assert inner.client.meta.endpoint_url == s3_endpoint
    text = payload.encode_field("input", ["u" * 100] * 1000, store=store)
    assert payload.decode(text, store=store) == ["u" * 100] * 1000
    assert s3_client.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
