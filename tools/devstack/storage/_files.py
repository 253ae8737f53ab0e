"""The bytes of objects, kept in a folder as Storage's file backend keeps them
(src/storage/backend/file.ts): one file per object version, `<bucket>/<name>/<version>`.

A version is written to a temporary file beside its final place, flushed to disk and renamed
into place, so a version is either complete or absent. Its metadata (size, `eTag` = the MD5 in
quotes, content type, cache control, modification time) is what Storage records in
`storage.objects.metadata`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from devstack.storage._errors import EntityTooLarge, InvalidKey

_CHUNK = 1 << 16


@dataclass(frozen=True)
class StoredVersion:
    path: Path
    size: int
    etag: str
    modified_at: datetime

    def metadata(self, mime_type: str, cache_control: str) -> dict[str, Any]:
        """Return the object's metadata as Storage records it after an upload."""
        return {
            "eTag": self.etag,
            "size": self.size,
            "mimetype": mime_type or "application/octet-stream",
            "cacheControl": cache_control or "no-cache",
            "lastModified": iso_time(self.modified_at),
            "contentLength": self.size,
            "httpStatusCode": 200,
        }


class ObjectFiles:
    """Object versions under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, bucket_id: str, name: str, version: str) -> Path:
        """Return where a version lives, refusing any name that would lead out of the root."""
        candidate = (self.root / bucket_id / name / version).resolve()
        if not candidate.is_relative_to(self.root / bucket_id) or ".." in Path(name).parts:
            raise InvalidKey(name)
        return candidate

    def write(
        self, bucket_id: str, name: str, version: str, body: IO[bytes], *, max_size: int
    ) -> StoredVersion:
        """Store `body` as a version; raise `EntityTooLarge` (keeping nothing) past `max_size`."""
        target = self.path(bucket_id, name, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{version}.part")
        digest = hashlib.md5()  # noqa: S324 - Storage's file backend's eTag, not a security check
        size = 0
        try:
            with partial.open("wb") as out:
                while chunk := body.read(_CHUNK):
                    size += len(chunk)
                    if size > max_size:
                        raise EntityTooLarge()
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            self._prune(target.parent, bucket_id)
            raise
        modified = datetime.fromtimestamp(target.stat().st_mtime, UTC)
        return StoredVersion(target, size, f'"{digest.hexdigest()}"', modified)

    def delete(self, bucket_id: str, name: str, version: str | None) -> None:
        """Remove a version (gone already is fine) and the folders it leaves empty."""
        if not version:
            return
        try:
            target = self.path(bucket_id, name, version)
        except InvalidKey:
            return
        target.unlink(missing_ok=True)
        self._prune(target.parent, bucket_id)

    def _prune(self, folder: Path, bucket_id: str) -> None:
        stop = self.root / bucket_id
        while folder != stop and folder.is_relative_to(stop):
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone)
                return
            folder = folder.parent


def iso_time(moment: datetime | None) -> str | None:
    """Return a time as Storage's JSON shows one: UTC, milliseconds, `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
