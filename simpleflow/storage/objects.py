"""Named objects in a bucket: the key-value storage that simpleflow 0.x's ``storage`` functions work on.

Payload stores (:mod:`simpleflow.storage.store`) keep bytes under their digest; some features need plain
keys instead: step markers (:mod:`simpleflow.step`), metrology reports (:mod:`simpleflow.metrology`),
binaries to download (:mod:`simpleflow.download`). A *location* names where such objects live:

- ``bucket`` or ``host/bucket``, simpleflow 0.x's forms: an S3 bucket (``host`` picks the endpoint, as
  0.x's ``sanitize_bucket_and_host`` does); boto3's ``AWS_ENDPOINT_URL_S3`` applies when no host is given;
- ``s3://bucket/prefix``: the objects under ``prefix/`` of that bucket;
- ``file:///absolute/dir``: files under a directory, for one machine or a shared mount.

:func:`open_bucket` turns a location into an :class:`ObjectBucket`.
"""

from __future__ import annotations

import abc
import datetime
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from simpleflow.exceptions import ConfigurationError, SimpleflowError

__all__ = ["DirectoryBucket", "ObjectBucket", "ObjectNotFound", "S3Bucket", "StoredObject", "open_bucket"]

#: simpleflow 0.x's default S3 host: a location naming it uses boto3's own endpoint resolution.
DEFAULT_S3_HOST = "s3.amazonaws.com"


class ObjectNotFound(SimpleflowError, KeyError):
    """Raised when a bucket holds no object under the key asked for."""

    def __init__(self, location: str, key: str) -> None:
        super().__init__(f"no object {key!r} in {location}")
        self.location = location
        self.key = key

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class StoredObject:
    """One object listed by :meth:`ObjectBucket.list`; ``key`` is relative to the bucket's location.

    ``name`` is the same as ``key`` (simpleflow 0.x code reads either).
    """

    key: str
    size: int
    last_modified: datetime.datetime
    bucket: ObjectBucket = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        """The key (an alias kept for simpleflow 0.x code)."""
        return self.key

    @property
    def bucket_name(self) -> str:
        """The location of the bucket that holds the object."""
        return self.bucket.location

    def read(self) -> bytes:
        """The object's bytes."""
        return self.bucket.get(self.key)

    def get_contents_as_string(self, encoding: str = "utf-8") -> str:
        """The object's text (simpleflow 0.x's name for reading it)."""
        return self.read().decode(encoding)


class ObjectBucket(abc.ABC):
    """Objects under keys: write, read, list by prefix, delete."""

    #: The location this bucket was opened from (``s3://...``, ``file:///...``).
    location: str

    @abc.abstractmethod
    def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        """Store ``data`` under ``key``, replacing what was there."""

    @abc.abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes under ``key``; raises :class:`ObjectNotFound`."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> list[StoredObject]:
        """The objects whose key starts with ``prefix``, sorted by key."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object under ``key``; a missing one is not an error."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location}>"


class DirectoryBucket(ObjectBucket):
    """Objects as files under ``root``; a key's ``/`` are subdirectories."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()
        self.location = self.root.as_uri()

    def _path(self, key: str) -> Path:
        path = (self.root / key.lstrip("/")).resolve()
        if path != self.root.resolve() and self.root.resolve() not in path.parents:
            raise ConfigurationError(f"object key {key!r} leaves {self.location}")
        return path

    def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed, so a concurrent reader never sees half an object.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(self.location, key) from None

    def list(self, prefix: str = "") -> list[StoredObject]:
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.rglob("*"):
            if not path.is_file() or path.name.startswith("."):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                stat = path.stat()
                modified = datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.timezone.utc)
                found.append(StoredObject(key, stat.st_size, modified, self))
        return sorted(found, key=lambda stored: stored.key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Bucket(ObjectBucket):
    """Objects of an S3 bucket under ``prefix``, through boto3 (``client`` may be given, for tests)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        client: Any = None,
        server_side_encryption: bool = False,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.server_side_encryption = server_side_encryption
        if client is None:
            import boto3

            from simpleflow.storage.s3 import DEFAULT_REGION

            session = boto3.session.Session()
            client = session.client(
                "s3", region_name=session.region_name or DEFAULT_REGION, endpoint_url=endpoint_url
            )
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key.lstrip('/')}" if self.prefix else key

    def put(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        extra: dict[str, Any] = {}
        if content_type:
            extra["ContentType"] = content_type
        if self.server_side_encryption:
            extra["ServerSideEncryption"] = "AES256"
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, **extra)

    def get(self, key: str) -> bytes:
        import botocore.exceptions

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise ObjectNotFound(self.location, key) from None
            raise
        return bytes(response["Body"].read())

    def list(self, prefix: str = "") -> list[StoredObject]:
        strip = len(self._key(""))
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        ):
            for item in page.get("Contents", []):
                found.append(StoredObject(item["Key"][strip:], int(item["Size"]), item["LastModified"], self))
        return sorted(found, key=lambda stored: stored.key)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


_opened: dict[tuple[str, bool], ObjectBucket] = {}
_opened_lock = threading.Lock()


def open_bucket(location: str, *, server_side_encryption: bool = False) -> ObjectBucket:
    """The bucket at ``location`` (see the module documentation), opened once per process.

    Raises :class:`ConfigurationError` for a location it cannot use, saying why.
    """
    if not isinstance(location, str) or not location.strip("/"):
        raise ConfigurationError(
            f"bucket location {location!r}: expected a bucket name, host/bucket, s3://bucket/prefix "
            "or file:///directory"
        )
    with _opened_lock:
        cache_key = (location, server_side_encryption)
        if cache_key not in _opened:
            _opened[cache_key] = _open(location, server_side_encryption=server_side_encryption)
        return _opened[cache_key]


def _open(location: str, *, server_side_encryption: bool) -> ObjectBucket:
    if "://" in location:
        parts = urlsplit(location)
        if parts.scheme == "file":
            path = unquote(parts.path)
            if parts.netloc not in ("", "localhost") or not path.startswith("/"):
                raise ConfigurationError(f"bucket location {location!r}: use file:///absolute/directory")
            return DirectoryBucket(path)
        if parts.scheme == "s3":
            if not parts.netloc:
                raise ConfigurationError(f"bucket location {location!r} names no bucket: s3://bucket/prefix")
            return S3Bucket(parts.netloc, unquote(parts.path), server_side_encryption=server_side_encryption)
        raise ConfigurationError(
            f"bucket location {location!r}: unsupported scheme {parts.scheme!r}; expected s3 or file"
        )
    host, _, bucket = location.rpartition("/")
    if "/" in host:
        raise ConfigurationError(f"bucket location {location!r} should contain only one slash (host/bucket)")
    endpoint = None if host in ("", DEFAULT_S3_HOST) else _endpoint(host)
    return S3Bucket(bucket, endpoint_url=endpoint, server_side_encryption=server_side_encryption)


def _endpoint(host: str) -> str:
    # simpleflow 0.x always spoke HTTPS to a named host; a local server (moto, minio) speaks HTTP.
    loopback = host.split(":")[0] in ("localhost", "127.0.0.1")
    return f"{'http' if loopback else 'https'}://{host}"
