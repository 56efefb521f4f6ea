"""A payload store in a directory: ``file:///var/lib/simpleflow/payloads``.

Objects live at ``<root>/sha256/<first two hex digits>/<digest>`` (the fan-out keeps directories small).
A write goes to a temporary file in the same directory, then is renamed into place, so a reader never
sees a partial payload, and two writers of the same payload both succeed with the same bytes.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from simpleflow.exceptions import PayloadStoreUnavailable
from simpleflow.storage.store import ContentAddressedStore

__all__ = ["FileSystemStore"]


class FileSystemStore(ContentAddressedStore):
    """Payloads as files under ``root`` (created on first write). Good for one machine or a shared mount."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()
        self.url = self.root.as_uri()

    def _path(self, digest: str) -> Path:
        return self.root / "sha256" / digest[:2] / digest

    def _exists(self, digest: str, *, reference: str) -> bool:
        return self._path(digest).is_file()

    def _write(self, digest: str, data: bytes, *, reference: str) -> None:
        path = self._path(digest)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                    # mkstemp makes the file private; deciders and workers may run as other users.
                    os.fchmod(stream.fileno(), 0o644)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise PayloadStoreUnavailable(
                reference, f"cannot write {path}: {error.strerror or error}"
            ) from error

    def _read(self, digest: str, *, reference: str) -> bytes | None:
        path = self._path(digest)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            if not self.root.is_dir():
                raise PayloadStoreUnavailable(
                    reference, f"store directory {self.root} does not exist"
                ) from None
            return None
        except OSError as error:
            raise PayloadStoreUnavailable(
                reference, f"cannot read {path}: {error.strerror or error}"
            ) from error

    def _remove(self, digest: str, *, reference: str) -> None:
        try:
            self._path(digest).unlink(missing_ok=True)
        except OSError as error:
            raise PayloadStoreUnavailable(reference, f"cannot delete: {error.strerror or error}") from error

    def _scan(self) -> Iterator[tuple[str, int, datetime.datetime]]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for path in base.glob("??/*"):
            if path.name.startswith(".") or not path.is_file():
                continue
            stat = path.stat()
            yield (
                path.name,
                stat.st_size,
                datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.timezone.utc),
            )
