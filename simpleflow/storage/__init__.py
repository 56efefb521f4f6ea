"""Out-of-band payload stores: where fields over SWF's limits go, content-addressed by sha256.

Pick a store by URL with :func:`open_store`, or from the environment with :func:`store_from_settings`
(``SIMPLEFLOW_PAYLOAD_STORE``, or simpleflow 0.x's ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` meaning S3):

- ``file:///absolute/path``: :class:`~simpleflow.storage.filesystem.FileSystemStore`;
- ``s3://bucket/prefix``: :class:`~simpleflow.storage.s3.S3Store` (boto3; ``AWS_ENDPOINT_URL_S3`` honoured);
- ``simpleflow+s3://bucket/prefix``: :class:`~simpleflow.storage.s3.JumboFieldsStore`, simpleflow 0.x's
  jumbo fields (what ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET=bucket/prefix`` means);
- ``memory://name``: :class:`~simpleflow.storage.memory.MemoryStore`, one per name in this process (tests).

The store is wrapped in a :class:`~simpleflow.storage.cache.CachingStore` bounded by
``SIMPLEFLOW_PAYLOAD_CACHE_BYTES`` (64 MiB by default) so that replays do not fetch a payload twice.
Pass the store to :func:`simpleflow.payload.fit` when encoding and to :func:`simpleflow.payload.decode`
when decoding.

simpleflow 0.x's functions on named objects (``push_content``, ``pull_content``, ``push``, ``pull``,
``list_keys``, ...) are here too, over :mod:`simpleflow.storage.objects` (see
:mod:`simpleflow.storage.buckets`).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from simpleflow import settings
from simpleflow.exceptions import ConfigurationError
from simpleflow.payload import PayloadStore
from simpleflow.storage.buckets import (
    BUCKET_CACHE,
    BUCKET_LOCATIONS_CACHE,
    get_bucket,
    get_client,
    get_resource,
    list_keys,
    pull,
    pull_content,
    push,
    push_content,
    sanitize_bucket_and_host,
)
from simpleflow.storage.cache import CachingStore
from simpleflow.storage.filesystem import FileSystemStore
from simpleflow.storage.memory import MemoryStore
from simpleflow.storage.store import ContentAddressedStore, StoredPayload

__all__ = [
    "BUCKET_CACHE",
    "BUCKET_LOCATIONS_CACHE",
    "CachingStore",
    "ContentAddressedStore",
    "FileSystemStore",
    "MemoryStore",
    "PayloadStore",
    "StoredPayload",
    "get_bucket",
    "get_client",
    "get_resource",
    "list_keys",
    "open_store",
    "pull",
    "pull_content",
    "push",
    "push_content",
    "run_store_url",
    "sanitize_bucket_and_host",
    "store_from_settings",
]

SCHEMES = ("file", "s3", "simpleflow+s3", "memory")
# S3's bucket naming rules (general purpose buckets), checked so a typo fails here and not on first use.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

_memory_stores: dict[str, MemoryStore] = {}
_memory_lock = threading.Lock()


def open_store(url: str, *, cache_bytes: int | None = None) -> PayloadStore:
    """The store at ``url``, behind a cache of ``cache_bytes`` (default from settings; 0 for none).

    Raises :class:`~simpleflow.exceptions.ConfigurationError` for a URL it cannot use, saying why.
    """
    store = _open_uncached(url)
    size = settings.PAYLOAD_CACHE_BYTES if cache_bytes is None else cache_bytes
    return CachingStore(store, max_bytes=size) if size > 0 else store


def store_from_settings(environ: Mapping[str, str] = os.environ) -> PayloadStore | None:
    """The store configured by ``SIMPLEFLOW_PAYLOAD_STORE`` / ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET``, or None."""
    url = settings.read_payload_store(environ)
    if url is None:
        return None
    try:
        return open_store(url)
    except ConfigurationError as error:
        raise ConfigurationError(f"SIMPLEFLOW_PAYLOAD_STORE: {error}") from error


def run_store_url(directory: str | os.PathLike[str], environ: Mapping[str, str] = os.environ) -> str:
    """The store URL of a run on one machine (``--local``, ``standalone --local-swf``).

    The configured store when there is one (``SIMPLEFLOW_PAYLOAD_STORE`` or its alias), else a filesystem
    store in ``directory/payloads``: large fields then work with no configuration, and go away with the
    run's temporary directory.
    """
    return settings.read_payload_store(environ) or (Path(directory).absolute() / "payloads").as_uri()


def _open_uncached(url: str) -> ContentAddressedStore:
    if not isinstance(url, str) or "://" not in url:
        raise ConfigurationError(
            f"payload store URL {url!r} has no scheme; expected file:///path, s3://bucket/prefix or memory://name"
        )
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(
                f"payload store URL {url!r} names host {parts.netloc!r}; "
                "use file:///absolute/path (three slashes)"
            )
        path = unquote(parts.path)
        if not path.startswith("/") or path == "/":
            raise ConfigurationError(f"payload store URL {url!r} needs an absolute directory: file:///path")
        return FileSystemStore(Path(path))
    if parts.scheme in ("s3", "simpleflow+s3"):
        bucket = parts.netloc
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise ConfigurationError(
                f"payload store URL {url!r}: {bucket!r} is not a valid S3 bucket name "
                "(3-63 lowercase letters, digits, '.', '-')"
            )
        if parts.query or parts.fragment:
            raise ConfigurationError(
                f"payload store URL {url!r}: query strings and fragments are not supported"
            )
        from simpleflow.storage.s3 import JumboFieldsStore, S3Store

        kind = S3Store if parts.scheme == "s3" else JumboFieldsStore
        return kind(bucket, unquote(parts.path))
    if parts.scheme == "memory":
        name = parts.netloc + parts.path
        if not name:
            raise ConfigurationError(f"payload store URL {url!r} needs a name: memory://name")
        with _memory_lock:
            return _memory_stores.setdefault(name, MemoryStore(name))
    raise ConfigurationError(
        f"payload store URL {url!r}: unsupported scheme {parts.scheme!r}; "
        f"expected one of {', '.join(SCHEMES)}"
    )
