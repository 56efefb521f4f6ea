"""simpleflow 0.x's storage functions: ``push_content``, ``pull_content``, ``push``, ``pull``, ``list_keys``.

They take a *bucket* and a *path* (the object's key), as 0.x does. The bucket is any location
:func:`simpleflow.storage.objects.open_bucket` accepts: ``name`` or ``host/name`` (S3, as in 0.x), and also
``s3://bucket/prefix`` or ``file:///directory``. ``SIMPLEFLOW_S3_SSE`` asks S3 for server-side encryption,
as in 0.x.

One difference: :func:`list_keys` returns :class:`~simpleflow.storage.objects.StoredObject` items (``key``,
``size``, ``last_modified``, ``read()``) rather than boto3 ``ObjectSummary`` objects, so that it means the
same for a directory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from simpleflow import settings
from simpleflow.storage.objects import DEFAULT_S3_HOST, ObjectBucket, StoredObject, open_bucket

__all__ = [
    "BUCKET_CACHE",
    "BUCKET_LOCATIONS_CACHE",
    "get_bucket",
    "get_client",
    "get_resource",
    "list_keys",
    "pull",
    "pull_content",
    "push",
    "push_content",
    "sanitize_bucket_and_host",
]

#: Buckets opened so far, by location (0.x's cache; :func:`open_bucket` keeps them).
BUCKET_CACHE: dict[str, ObjectBucket] = {}
#: Kept for 0.x code that reads it; endpoints come from the location or boto3's configuration here.
BUCKET_LOCATIONS_CACHE: dict[str, str] = {}


def get_client() -> Any:
    """A boto3 S3 client with the usual AWS configuration (``AWS_ENDPOINT_URL_S3`` honoured)."""
    import boto3

    return boto3.session.Session().client("s3")


def get_resource(host_or_region: str) -> Any:
    """A boto3 S3 resource for a host (``s3.eu-west-1.amazonaws.com``) or a region (``eu-west-1``)."""
    import boto3

    if "." in host_or_region and host_or_region != DEFAULT_S3_HOST:
        return boto3.resource("s3", endpoint_url=f"https://{host_or_region}")
    if host_or_region == DEFAULT_S3_HOST:
        return boto3.resource("s3")
    return boto3.resource("s3", region_name=host_or_region)


def sanitize_bucket_and_host(bucket: str) -> tuple[str, str]:
    """``("name", "host")`` from ``"host/name"``; a bare name gets ``SIMPLEFLOW_S3_HOST``.

    Raises ``ValueError`` when there is more than one slash, as 0.x does.
    """
    if "/" in bucket:
        host, name = bucket.split("/", 1)
        if "/" in name:
            raise ValueError(f"{name} should contain only one slash separator")
        return name, host
    return bucket, BUCKET_LOCATIONS_CACHE.get(bucket, settings.SIMPLEFLOW_S3_HOST)


def get_bucket(bucket: str) -> ObjectBucket:
    """The bucket at this location (see the module documentation), opened once."""
    if bucket not in BUCKET_CACHE:
        BUCKET_CACHE[bucket] = open_bucket(bucket, server_side_encryption=bool(settings.SIMPLEFLOW_S3_SSE))
    return BUCKET_CACHE[bucket]


def push_content(bucket: str, path: str, content: str | bytes, content_type: str | None = None) -> None:
    """Store ``content`` (text is UTF-8 encoded) as the object ``path`` of ``bucket``."""
    data = content.encode() if isinstance(content, str) else bytes(content)
    get_bucket(bucket).put(path, data, content_type=content_type)


def pull_content(bucket: str, path: str) -> str:
    """The text of the object ``path`` of ``bucket``; raises ``ObjectNotFound`` (a ``KeyError``)."""
    return get_bucket(bucket).get(path).decode()


def push(bucket: str, path: str, src_file: str | os.PathLike[str], content_type: str | None = None) -> None:
    """Upload the file ``src_file`` as the object ``path`` of ``bucket``."""
    get_bucket(bucket).put(path, Path(src_file).read_bytes(), content_type=content_type)


def pull(bucket: str, path: str, dest_file: str | os.PathLike[str]) -> None:
    """Download the object ``path`` of ``bucket`` into ``dest_file`` (written whole, then renamed)."""
    data = get_bucket(bucket).get(path)
    destination = Path(dest_file)
    partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    partial.write_bytes(data)
    shutil.move(partial, destination)


def list_keys(bucket: str, path: str | None = None) -> list[StoredObject]:
    """The objects of ``bucket`` whose key starts with ``path`` (every object when None), by key."""
    return get_bucket(bucket).list(path or "")
