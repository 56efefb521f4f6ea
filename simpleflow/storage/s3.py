"""A payload store in Amazon S3 (or anything speaking its API): ``s3://bucket/prefix``.

The client comes from boto3 with the usual AWS configuration: credentials from boto3's chain, region from
``AWS_DEFAULT_REGION`` (else ``us-east-1``), endpoint from boto3's own ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL`` (or an explicit ``endpoint_url``, or else simpleflow 0.x's ``SIMPLEFLOW_S3_HOST``).
``SIMPLEFLOW_S3_SSE=true`` writes objects with S3-managed server-side encryption, as in simpleflow 0.x.
Objects are ``<prefix>/sha256/<digest>``; a put first asks whether the digest is already there (a HEAD
request) and uploads only when it is not.

simpleflow 0.x's jumbo fields (``SIMPLEFLOW_JUMBO_FIELDS_BUCKET=bucket[/prefix]``) are
:class:`JumboFieldsStore`: the field's text is the object ``<prefix>/<sha256>`` and SWF carries
``simpleflow+s3://bucket/<prefix>/<sha256> <size>`` (:class:`~simpleflow.payload.JumboReference`), the
form simpleflow 0.x writes and reads, so both can run side by side on one domain during a migration.
Every S3 store reads jumbo references, from whichever bucket they name.

Timeouts and retries are bounded (``connect_timeout``, ``read_timeout``, ``max_attempts``), so that an
unreachable store fails a task with a clear :class:`~simpleflow.exceptions.PayloadStoreUnavailable` instead
of hanging it. Expired payloads can also be removed by an S3 lifecycle rule on the prefix instead of
``simpleflow payloads.gc``; keep the expiry longer than your longest execution plus its retention.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from simpleflow.exceptions import PayloadError, PayloadNotFound, PayloadStoreUnavailable
from simpleflow.payload import JUMBO_FIELDS_MAX_SIZE, JUMBO_PREFIX, JumboReference, is_jumbo_reference
from simpleflow.storage.store import ContentAddressedStore

__all__ = ["JumboFieldsStore", "S3Store"]

DEFAULT_REGION = "us-east-1"
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_UNREACHABLE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
)


def _upstream_s3_host() -> str | None:
    """simpleflow 0.x's ``SIMPLEFLOW_S3_HOST`` as an endpoint, when boto3's own variables say nothing."""
    host = os.environ.get("SIMPLEFLOW_S3_HOST", "").strip()
    if not host or host == "s3.amazonaws.com" or "AWS_ENDPOINT_URL_S3" in os.environ:
        return None
    if "AWS_ENDPOINT_URL" in os.environ:
        return None
    return host if "://" in host else f"https://{host}"


class S3Store(ContentAddressedStore):
    """Payloads as S3 objects under ``s3://bucket/prefix``; ``client`` may be given (for tests, sessions)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 60,
        max_attempts: int = 3,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        if client is None:
            session = boto3.session.Session()
            client = session.client(
                "s3",
                region_name=session.region_name or DEFAULT_REGION,
                endpoint_url=endpoint_url or _upstream_s3_host(),
                config=Config(
                    connect_timeout=connect_timeout,
                    read_timeout=read_timeout,
                    retries={"max_attempts": max_attempts, "mode": "standard"},
                ),
            )
        self.client = client
        #: simpleflow 0.x's ``SIMPLEFLOW_S3_SSE``: objects are written with S3-managed encryption.
        self.server_side_encryption = os.environ.get("SIMPLEFLOW_S3_SSE", "").lower() in ("1", "true", "yes")

    def get(self, reference: str) -> bytes:
        """The bytes of ``reference``: simpleflow's own form (verified), or a simpleflow 0.x jumbo field."""
        if not is_jumbo_reference(reference):
            return super().get(reference)
        jumbo = JumboReference.parse(reference)
        try:
            response = self.client.get_object(Bucket=jumbo.bucket, Key=jumbo.key)
            return bytes(response["Body"].read())
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in _NOT_FOUND_CODES:
                raise PayloadNotFound(
                    jumbo.text, f"no object {jumbo.key!r} in bucket {jumbo.bucket!r}"
                ) from error
            raise self._unavailable(jumbo.text, error) from error
        except botocore.exceptions.BotoCoreError as error:
            raise self._unavailable(jumbo.text, error) from error

    def _key(self, digest: str) -> str:
        return f"{self.prefix}/sha256/{digest}" if self.prefix else f"sha256/{digest}"

    def _unavailable(self, reference: str, error: Exception) -> PayloadStoreUnavailable:
        if isinstance(error, botocore.exceptions.ClientError):
            code = error.response.get("Error", {}).get("Code", "?")
            message = error.response.get("Error", {}).get("Message") or ""
            problem = f"{self.url} answered {code}" + (f": {message}" if message else "")
        elif isinstance(error, _UNREACHABLE):
            problem = f"cannot reach S3 for {self.url} at {self.client.meta.endpoint_url}: {error}"
        elif isinstance(error, botocore.exceptions.NoCredentialsError):
            problem = f"no AWS credentials to access {self.url}"
        else:
            problem = f"{self.url}: {type(error).__name__}: {error}"
        return PayloadStoreUnavailable(reference, problem)

    def _exists(self, digest: str, *, reference: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(digest))
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in _NOT_FOUND_CODES:
                return False
            raise self._unavailable(reference, error) from error
        except botocore.exceptions.BotoCoreError as error:
            raise self._unavailable(reference, error) from error
        return True

    def _write(self, digest: str, data: bytes, *, reference: str) -> None:
        try:
            encryption = {"ServerSideEncryption": "AES256"} if self.server_side_encryption else {}
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(digest),
                Body=data,
                ContentType="application/octet-stream",
                Metadata={"sha256": digest},
                **encryption,
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            raise self._unavailable(reference, error) from error

    def _read(self, digest: str, *, reference: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(digest))
            return bytes(response["Body"].read())
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in _NOT_FOUND_CODES:
                return None
            raise self._unavailable(reference, error) from error
        except botocore.exceptions.BotoCoreError as error:
            raise self._unavailable(reference, error) from error

    def _remove(self, digest: str, *, reference: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(digest))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            raise self._unavailable(reference, error) from error

    def _scan(self) -> Iterator[tuple[str, int, datetime.datetime]]:
        start = self._key("")
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start
            ):
                for item in page.get("Contents", []):
                    digest = item["Key"][len(start) :]
                    if len(digest) == 64:
                        yield digest, int(item["Size"]), item["LastModified"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            raise self._unavailable(self.url, error) from error


class JumboFieldsStore(S3Store):
    """simpleflow 0.x's jumbo fields in ``s3://bucket/prefix``: references upstream can read.

    A field over its SWF limit is stored whole (UTF-8) as ``<prefix>/<sha256 of it>``, once, and SWF
    carries ``simpleflow+s3://bucket/<prefix>/<sha256> <size in characters>``. As in simpleflow 0.x, a
    field over 5 MiB is refused. ``simpleflow payloads.gc`` sees the objects named by digest.
    """

    def __init__(self, bucket: str, prefix: str = "", **options: Any) -> None:
        super().__init__(bucket, prefix, **options)
        self.url = JUMBO_PREFIX + self.url[len("s3://") :]

    def put(self, data: bytes) -> str:
        """Store ``data`` under its digest (once) and return its jumbo reference."""
        size = len(data.decode("utf-8"))
        if size > JUMBO_FIELDS_MAX_SIZE:
            raise PayloadError(
                f"{size} characters is over the 5 MiB limit of simpleflow 0.x's jumbo fields "
                "(SIMPLEFLOW_JUMBO_FIELDS_BUCKET); SIMPLEFLOW_PAYLOAD_STORE=s3://bucket/prefix has none, "
                "but simpleflow 0.x cannot read its references"
            )
        digest = hashlib.sha256(data).hexdigest()
        reference = JumboReference(bucket=self.bucket, key=self._key(digest), size=size).text
        if not self._exists(digest, reference=reference):
            self._write(digest, data, reference=reference)
        return reference

    def _key(self, digest: str) -> str:
        # simpleflow 0.x puts each field right under the prefix (it names them by uuid4).
        return f"{self.prefix}/{digest}" if self.prefix else digest
