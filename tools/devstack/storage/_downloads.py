"""Serving an object's bytes and its info, with the headers Storage sends
(src/storage/renderer/renderer.ts, info.ts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Response, send_file

from devstack.storage._context import json_response
from devstack.storage._database import Row
from devstack.storage._files import ObjectFiles, iso_time


def object_response(
    files: ObjectFiles,
    row: Row,
    bucket_id: str,
    object_name: str,
    *,
    download: str | None,
    expires: str | None = None,
) -> Response:
    """Return the object's bytes (ranges and revalidation as HTTP has them).

    With `download` (even empty) the browser is told to save it: `Content-Disposition:
    attachment`, with the file name given. `expires` (signed URLs) replaces `Cache-Control`.
    """
    metadata: dict[str, Any] = row["metadata"] or {}
    path = files.path(bucket_id, object_name, row["version"] or "")
    if not path.is_file():
        return _missing_bytes()
    etag = str(metadata.get("eTag") or "").strip('"') or None
    response = send_file(
        path, conditional=True, etag=etag or False, max_age=None, last_modified=path.stat().st_mtime
    )
    response.headers["Content-Type"] = _shown_content_type(metadata.get("mimetype"))
    response.headers["X-Robots-Tag"] = "none"
    # Not sent by Storage itself: the stand-in's own guard against a browser sniffing an
    # uploaded file into HTML. The product must not rely on it (set safe content types).
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Only what Storage sends: no caching advice of werkzeug's, no inline file name.
    del response.headers["Cache-Control"]
    del response.headers["Content-Disposition"]
    if expires is not None:
        response.headers["Expires"] = expires
    elif metadata.get("cacheControl"):
        response.headers["Cache-Control"] = str(metadata["cacheControl"])
    if download is not None:
        response.headers["Content-Disposition"] = content_disposition(download)
    return response


def info_response(row: Row) -> Response:
    """Return what Storage answers for an object's info: its row and stored metadata as JSON."""
    metadata: dict[str, Any] = row["metadata"] or {}
    response = json_response(
        {
            "id": str(row["id"]),
            "name": row["name"],
            "version": row["version"],
            "bucket_id": row["bucket_id"],
            "size": metadata.get("size"),
            "content_type": metadata.get("mimetype"),
            "cache_control": metadata.get("cacheControl"),
            "etag": metadata.get("eTag"),
            "metadata": row["user_metadata"],
            "last_modified": iso_time(row["updated_at"]),
            "created_at": iso_time(row["created_at"]),
        }
    )
    if metadata.get("eTag"):
        response.headers["ETag"] = str(metadata["eTag"])
    if metadata.get("cacheControl"):
        response.headers["Cache-Control"] = str(metadata["cacheControl"])
    if isinstance(metadata.get("lastModified"), str):
        try:
            modified = datetime.fromisoformat(metadata["lastModified"].replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            response.last_modified = modified
    return response


def content_disposition(download: str) -> str:
    """Return Storage's `Content-Disposition` for `?download=<name>` (empty: no name)."""
    if download == "":
        return "attachment;"
    encoded = quote(download, safe="-_.!~*'()")  # as JavaScript's encodeURIComponent
    return f"attachment; filename={encoded}; filename*=UTF-8''{encoded}"


def _shown_content_type(mime_type: object) -> str:
    """Storage never serves `text/html` as such: it becomes `text/plain`."""
    shown = str(mime_type or "application/octet-stream")
    return "text/plain" if "text/html" in shown else shown


def _missing_bytes() -> Response:
    """The row is there, the bytes are not: what Storage answers when its backend says 404."""
    response = json_response(
        {
            "error": "Not found",
            "message": "The resource was not found",
            "statusCode": "404",
            "code": "NoSuchKey",
        },
        400,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
