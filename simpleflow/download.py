"""simpleflow 0.x's ``simpleflow.download``: fetch binaries an activity needs into a local cache.

``@with_binaries({"jq": "s3://bucket/tools/jq"})`` on an activity downloads each binary (once per machine:
the cache is ``SIMPLEFLOW_BINARIES_DIRECTORY/<name>-<hash of the location>/<name>``, guarded by a file
lock so that concurrent workers download it once) and puts its directory first on ``PATH`` before the
activity runs. Locations are ``s3://bucket/key`` as in 0.x, or ``file:///path`` (through
:func:`simpleflow.storage.pull`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import posixpath
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from simpleflow import settings, storage
from simpleflow.exceptions import ConfigurationError

__all__ = ["RemoteBinary", "download_binaries", "with_binaries"]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class RemoteBinary:
    """A binary named ``name`` at ``remote_location``, and where it is cached on this machine."""

    def __init__(self, name: str, remote_location: str) -> None:
        if not remote_location.startswith(("s3://", "file:///")):
            raise ConfigurationError(
                f"binary {name!r}: {remote_location!r} is not supported; use s3://bucket/key or file:///path"
            )
        self.name = name
        self.remote_location = remote_location
        digest = hashlib.md5(remote_location.encode(), usedforsecurity=False).hexdigest()
        self.local_directory = os.path.join(settings.SIMPLEFLOW_BINARIES_DIRECTORY, f"{name}-{digest}")
        self.local_location = os.path.join(self.local_directory, name)
        self.lock_location = os.path.join(self.local_directory, f".{name}.lock")

    def download(self) -> None:
        """Download the binary unless an executable copy is cached already."""
        os.makedirs(self.local_directory, exist_ok=True)
        with _locked(self.lock_location):
            if not os.access(self.local_location, os.X_OK):
                self._download()

    def _download(self) -> None:
        logger.info("downloading binary %s -> %s", self.remote_location, self.local_location)
        if self.remote_location.startswith("s3://"):
            bucket, _, key = self.remote_location[len("s3://") :].partition("/")
        else:
            bucket, key = posixpath.split(self.remote_location)
        storage.pull(bucket, key, self.local_location)
        os.chmod(self.local_location, 0o755)  # an executable: the point of downloading it


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def download_binaries(binaries_map: Mapping[str, str]) -> None:
    """Download every ``name -> location`` of ``binaries_map`` and put each directory first on ``PATH``."""
    for name, location in binaries_map.items():
        binary = RemoteBinary(name, location)
        binary.download()
        os.environ["PATH"] = binary.local_directory + os.pathsep + os.environ.get("PATH", "")


def with_binaries(binaries_map: Mapping[str, str]) -> Callable[[F], F]:
    """Decorate an activity function so that :func:`download_binaries` runs before it."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            download_binaries(binaries_map)
            return func(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
