"""The three stores behave alike: content addressing, verification, missing and unreachable stores."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.exceptions import PayloadDigestMismatch, PayloadNotFound, PayloadStoreUnavailable
from simpleflow.storage import ContentAddressedStore, FileSystemStore, MemoryStore
from simpleflow.storage.s3 import S3Store
from tests.unit.storage.conftest import free_port

DATA = b'{"urls":["https://example.com/1","https://example.com/2"]}' * 1000


def corrupt(store: ContentAddressedStore, reference: str, data: bytes) -> None:
    """Overwrite a stored payload behind the store's back, as a bad disk or a bad actor would."""
    digest = payload.PayloadReference.parse(reference).digest
    if isinstance(store, FileSystemStore):
        (store.root / "sha256" / digest[:2] / digest).write_bytes(data)
    elif isinstance(store, MemoryStore):
        store.objects[digest] = (data, store.objects[digest][1])
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(Bucket=store.bucket, Key=store._key(digest), Body=data)


def test_round_trip(store: ContentAddressedStore) -> None:
    reference = store.put(DATA)
    parsed = payload.PayloadReference.parse(reference)
    assert (parsed.digest, parsed.size, parsed.location) == (
        hashlib.sha256(DATA).hexdigest(),
        len(DATA),
        store.url,
    )
    assert store.get(reference) == DATA


def test_the_same_payload_is_stored_once(store: ContentAddressedStore) -> None:
    references = {store.put(DATA) for _ in range(20)}
    store.put(b"other")
    assert len(references) == 1
    listed = sorted(stored.size for stored in store.iter_payloads())
    assert listed == sorted([len(DATA), 5])
    assert {stored.reference for stored in store.iter_payloads()} >= references


def test_digest_mismatch_names_the_reference(store: ContentAddressedStore) -> None:
    reference = store.put(DATA)
    corrupt(store, reference, DATA.replace(b"1", b"7"))
    with pytest.raises(PayloadDigestMismatch) as caught:
        store.get(reference)
    assert caught.value.reference == reference
    assert reference in str(caught.value)


def test_missing_object(store: ContentAddressedStore) -> None:
    reference = store.put(DATA)
    store.delete(reference)
    store.delete(reference)  # deleting twice is fine
    with pytest.raises(PayloadNotFound, match="no such payload in") as caught:
        store.get(reference)
    assert caught.value.reference == reference


def test_a_reference_from_another_location_is_found_by_digest(store: ContentAddressedStore) -> None:
    store.put(DATA)
    foreign = payload.PayloadReference.for_data(DATA, "s3://elsewhere/prefix").text
    assert store.get(foreign) == DATA
    missing = payload.PayloadReference.for_data(b"never stored", "s3://elsewhere/prefix").text
    with pytest.raises(PayloadNotFound, match=r"\(the reference names s3://elsewhere/prefix\)"):
        store.get(missing)


def test_fit_and_decode_through_a_store(store: ContentAddressedStore) -> None:
    value = {"rows": list(range(10000))}
    texts = [payload.encode_field("input", value, store=store) for _ in range(100)]
    assert all(payload.is_reference(text) for text in texts)
    assert payload.decode(texts[0], field="input", store=store) == value
    assert sum(1 for _ in store.iter_payloads()) == 1


def test_s3_objects_live_under_the_prefix(s3_endpoint: str, bucket: str, s3_client: Any) -> None:
    store = S3Store(bucket, "/jumbo/", endpoint_url=s3_endpoint)
    assert store.url == f"s3://{bucket}/jumbo"
    reference = store.put(DATA)
    keys = [item["Key"] for item in s3_client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"jumbo/sha256/{payload.PayloadReference.parse(reference).digest}"]


def test_s3_missing_bucket_is_unavailable(s3_endpoint: str) -> None:
    store = S3Store("no-such-bucket-here", endpoint_url=s3_endpoint)
    with pytest.raises(PayloadStoreUnavailable, match="NoSuchBucket"):
        store.put(DATA)


def test_s3_unreachable_fails_fast_and_clearly() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    store = S3Store("bucket", endpoint_url=endpoint, connect_timeout=1, read_timeout=1, max_attempts=1)
    reference = payload.PayloadReference.for_data(DATA, store.url).text
    started = time.monotonic()
    with pytest.raises(
        PayloadStoreUnavailable, match=f"cannot reach S3 for s3://bucket at {endpoint}"
    ) as caught:
        store.get(reference)
    assert time.monotonic() - started < 10
    assert caught.value.reference == reference
    with pytest.raises(PayloadStoreUnavailable, match="cannot reach S3"):
        store.put(DATA)


def test_filesystem_root_that_is_a_file_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    store = FileSystemStore(blocker)
    with pytest.raises(PayloadStoreUnavailable, match="cannot write"):
        store.put(DATA)


def test_filesystem_missing_root_is_unavailable_not_missing(tmp_path: Path) -> None:
    store = FileSystemStore(tmp_path / "never-created")
    reference = payload.PayloadReference.for_data(DATA, store.url).text
    with pytest.raises(PayloadStoreUnavailable, match="does not exist"):
        store.get(reference)


def test_filesystem_leaves_no_partial_files(tmp_path: Path) -> None:
    store = FileSystemStore(tmp_path)
    store.put(DATA)
    store.put(DATA)
    files = [path for path in (tmp_path / "sha256").rglob("*") if path.is_file()]
    assert [path.name for path in files] == [hashlib.sha256(DATA).hexdigest()]
    assert files[0].stat().st_mode & 0o777 == 0o644  # readable by deciders and workers running as others


def test_failure_details_over_the_limit_go_to_the_store(store: ContentAddressedStore) -> None:
    error = ValueError("why " * 20000)
    reason, details = payload.encode_failure(error, store=store)
    assert len(reason) == 256
    assert payload.is_reference(details)
    decoded_reason, decoded = payload.decode_failure(reason, details, store=store)
    assert decoded_reason == reason
    assert decoded["message"] == "why " * 20000
