"""simpleflow 0.x's jumbo fields (SIMPLEFLOW_JUMBO_FIELDS_BUCKET) against moto's S3 server on loopback."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.exceptions import PayloadError, PayloadNotFound
from simpleflow.storage import CachingStore, store_from_settings
from simpleflow.storage.s3 import JumboFieldsStore, S3Store

# What simpleflow 0.x writes, and how it reads it back: "<prefix><bucket>/<path> <size>", split on spaces.
UPSTREAM_REFERENCE = re.compile(r"^simpleflow\+s3://(?P<bucket>[^/ ]+)/(?P<path>\S+) (?P<size>\d+)$")


@pytest.fixture
def jumbo_store(monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, bucket: str) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    store = store_from_settings({"SIMPLEFLOW_JUMBO_FIELDS_BUCKET": f"{bucket}/jumbo/"})
    assert isinstance(store, CachingStore) and isinstance(store.store, JumboFieldsStore)
    return store


def test_a_large_field_is_written_as_upstream_writes_it(
    jumbo_store: Any, s3_client: Any, bucket: str
) -> None:
    value = {"args": ["é" * 40_000], "kwargs": {}}
    text = payload.encode_field("input", value, store=jumbo_store)
    match = UPSTREAM_REFERENCE.match(text)
    assert match, text
    assert match["bucket"] == bucket and match["path"].startswith("jumbo/")
    stored = s3_client.get_object(Bucket=bucket, Key=match["path"])["Body"].read().decode("utf-8")
    assert json.loads(stored) == value
    assert int(match["size"]) == len(stored)  # characters, as upstream counts them
    assert payload.decode(text, store=jumbo_store) == value


def test_a_small_field_stays_inline(jumbo_store: Any) -> None:
    assert payload.encode_field("result", [1, 2], store=jumbo_store) == "[1,2]"


def test_a_reference_written_by_upstream_is_read(jumbo_store: Any, s3_client: Any, bucket: str) -> None:
    key = f"jumbo/{uuid.uuid4()}"
    text = json.dumps(["x" * 50_000, 3])
    s3_client.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
    reference = f"simpleflow+s3://{bucket}/{key} {len(text)}"
    assert payload.decode(reference, store=jumbo_store) == ["x" * 50_000, 3]
    # Any S3 store reads them (a user who moved to SIMPLEFLOW_PAYLOAD_STORE=s3://...), from any bucket.
    assert payload.decode(reference, store=S3Store("another-bucket")) == ["x" * 50_000, 3]


def test_a_missing_upstream_object_says_which(jumbo_store: Any, bucket: str) -> None:
    with pytest.raises(PayloadNotFound, match=f"no object 'jumbo/gone' in bucket '{bucket}'"):
        payload.decode(f"simpleflow+s3://{bucket}/jumbo/gone 10", store=jumbo_store)


def test_over_five_mebibytes_is_refused_as_upstream_does(jumbo_store: Any) -> None:
    with pytest.raises(PayloadError, match=r"over the 5 MiB limit of simpleflow 0\.x's jumbo fields"):
        payload.encode_field("input", "y" * (5 * 1024 * 1024), store=jumbo_store)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("simpleflow+s3://bucket-only 3", id="no-key"),
        pytest.param("simpleflow+s3://b/k", id="no-size"),
        pytest.param("simpleflow+s3://b/k many", id="bad-size"),
    ],
)
def test_a_malformed_jumbo_reference_is_a_payload_error(text: str) -> None:
    with pytest.raises(PayloadError, match="malformed jumbo field"):
        payload.JumboReference.parse(text)


def test_a_jumbo_reference_without_a_store_says_what_to_set() -> None:
    with pytest.raises(PayloadError, match="set SIMPLEFLOW_JUMBO_FIELDS_BUCKET"):
        payload.decode("simpleflow+s3://b/k 3")


def test_upstream_s3_settings_host_and_server_side_encryption(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, s3_client: Any, bucket: str
) -> None:
    monkeypatch.setenv("SIMPLEFLOW_S3_HOST", s3_endpoint)
    monkeypatch.setenv("SIMPLEFLOW_S3_SSE", "true")
    store = JumboFieldsStore(bucket, "jumbo")
    assert store.client.meta.endpoint_url == s3_endpoint
    reference = payload.JumboReference.parse(store.put(b'"' + b"z" * 40_000 + b'"'))
    head = s3_client.head_object(Bucket=bucket, Key=reference.key)
    assert head["ServerSideEncryption"] == "AES256"


def test_boto3s_endpoint_variable_wins_over_the_upstream_host(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str
) -> None:
    monkeypatch.setenv("SIMPLEFLOW_S3_HOST", "s3.eu-west-1.amazonaws.com")
    assert S3Store("b").client.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    assert S3Store("b").client.meta.endpoint_url == s3_endpoint


def test_upstream_jumbo_failures_and_recorded_inputs_are_read(
    jumbo_store: Any, s3_client: Any, bucket: str
) -> None:
    from simpleflow.runtime.resolution import same_input

    reason_text, input_text = "E: " + "r" * 300, json.dumps({"args": ["i" * 40_000], "kwargs": {}})
    for key, text in (("jumbo/reason", reason_text), ("jumbo/input", input_text)):
        s3_client.put_object(Bucket=bucket, Key=key, Body=text.encode())
    reason = f"simpleflow+s3://{bucket}/jumbo/reason {len(reason_text)}"
    assert payload.decode_failure(reason, None, store=jumbo_store) == (reason_text, None)
    recorded = f"simpleflow+s3://{bucket}/jumbo/input {len(input_text)}"
    assert same_input(recorded, payload.encode_input(["i" * 40_000]), store=jumbo_store)
    assert not same_input(recorded, payload.encode_input(["other"]), store=jumbo_store)
