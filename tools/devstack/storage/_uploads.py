"""Uploads, by Storage's rules (src/storage/uploader.ts, src/storage/object.ts).

1. The bucket's limits apply: `allowed_mime_types` (a type, or `type/*`) and the smaller of its
   `file_size_limit` and the server's own limit. A binary body whose `Content-Length` is over
   the limit is refused before anything else happens; a form's file is measured as it is stored.
2. The policies decide (`can_upload`): the insert into `storage.objects` is tried as the caller
   and rolled back; an upsert tries `insert ... on conflict do update ... returning *`, which
   needs the insert, update and select policies.
3. The bytes are stored, as a new version.
4. Only then is the row written (as the service role: the policies have spoken), `owner` and
   `owner_id` from the token's `sub`. If that fails the new version's bytes are removed; if it
   replaced an older version, that version's bytes are removed after the commit.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from typing import IO, Any

from flask import Request
from psycopg import sql
from werkzeug.exceptions import RequestEntityTooLarge

from devstack.storage._database import Database, Row, Scope
from devstack.storage._errors import (
    EntityTooLarge,
    InvalidKey,
    InvalidMimeType,
    InvalidRequest,
    NoSuchBucket,
)
from devstack.storage._files import ObjectFiles

# Storage's key check: S3's safe characters and a few that need special handling.
_VALID_KEY = re.compile(r"[A-Za-z0-9_/!.*'() &$=@;:+,?-]+")
_MAX_USER_METADATA = 1 << 20
# Room for a form's boundaries and small fields beyond the file itself.
_FORM_OVERHEAD = 1 << 20


@dataclass(frozen=True)
class Bucket:
    bucket_id: str
    file_size_limit: int | None
    allowed_mime_types: list[str]


@dataclass(frozen=True)
class IncomingFile:
    """An upload's body and what the request says about it."""

    body: IO[bytes]
    mime_type: str
    cache_control: str
    declared_length: int | None
    user_metadata: dict[str, Any] | None


@dataclass(frozen=True)
class UploadOut:
    object_id: str
    key: str


def find_bucket_limits(database: Database, scope: Scope, bucket_id: str) -> Bucket:
    """Return a bucket's upload limits (read as the service role, as Storage reads them)."""
    with database.transaction(scope) as cursor:
        row = cursor.execute(
            "select id, file_size_limit, allowed_mime_types from storage.buckets where id = %s",
            (bucket_id,),
        ).fetchone()
    if row is None:
        raise NoSuchBucket()
    return Bucket(row["id"], row["file_size_limit"], list(row["allowed_mime_types"] or []))


def max_file_size(bucket: Bucket, object_name: str, server_limit: int) -> int:
    """Return the largest size an object may have in `bucket`."""
    if _is_empty_folder(object_name):
        return 0
    if bucket.file_size_limit is None:
        return server_limit
    return min(bucket.file_size_limit, server_limit)


def read_upload(request: Request, bucket: Bucket, object_name: str, max_size: int) -> IncomingFile:
    """Return the file a request uploads, as Storage reads a form or a binary body."""
    if (request.content_type or "").startswith("multipart/form-data"):
        return _read_form(request, bucket, object_name, max_size)
    mime_type = request.headers.get("Content-Type") or "application/octet-stream"
    if bucket.allowed_mime_types and not _is_empty_folder(object_name):
        check_mime_type(mime_type, bucket.allowed_mime_types)
    length = request.content_length
    if length is not None and length > max_size:
        raise EntityTooLarge()
    encoded = request.headers.get("X-Metadata")
    return IncomingFile(
        body=request.stream,
        mime_type=mime_type,
        cache_control=request.headers.get("Cache-Control") or "no-cache",
        declared_length=length,
        user_metadata=decode_user_metadata(encoded) if encoded is not None else None,
    )


def _read_form(request: Request, bucket: Bucket, object_name: str, max_size: int) -> IncomingFile:
    request.max_content_length = max_size + _FORM_OVERHEAD
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise EntityTooLarge() from None
    upload = next(iter(files.values()), None)
    if upload is None:
        raise InvalidRequest("No content provided")
    mime_type = form.get("contentType") or upload.mimetype or "application/octet-stream"
    if bucket.allowed_mime_types and not _is_empty_folder(object_name):
        check_mime_type(mime_type, bucket.allowed_mime_types)
    metadata = form.get("metadata", form.get("userMetadata"))
    user_metadata = None
    if metadata is not None:
        if len(metadata.encode()) > _MAX_USER_METADATA:
            raise EntityTooLarge("The user_metadata exceeded the maximum allowed size")
        user_metadata = _json_object(metadata)
    cache_time = form.get("cacheControl")
    return IncomingFile(
        body=upload.stream,
        mime_type=mime_type,
        cache_control=f"max-age={cache_time}" if cache_time else "no-cache",
        declared_length=request.content_length,
        user_metadata=user_metadata,
    )


def check_mime_type(mime_type: str, allowed: list[str]) -> None:
    """Raise `InvalidMimeType` unless Storage's comparison accepts `mime_type`.

    As Storage compares them: the part after `/` must equal the allowed one exactly (so
    `text/plain;charset=UTF-8` is not `text/plain`), or the allowed one ends in `/*`.
    """
    requested = mime_type.split("/")
    if len(requested) < 2:
        raise InvalidMimeType(mime_type)
    for allowed_type in allowed:
        parts = allowed_type.split("/")
        if len(parts) >= 2 and parts[0] == requested[0] and parts[1] in ("*", requested[1]):
            return
    raise InvalidMimeType(mime_type)


def upload_object(
    database: Database,
    files: ObjectFiles,
    scope: Scope,
    service: Scope,
    *,
    bucket: Bucket,
    object_name: str,
    incoming: IncomingFile,
    max_size: int,
    owner: str | None,
    upsert: bool,
) -> UploadOut:
    """Store an object as `scope`'s caller may, and record it as Storage does, for `owner`."""
    if not is_valid_key(object_name):
        raise InvalidKey(object_name)
    can_upload(
        database,
        scope,
        bucket.bucket_id,
        object_name,
        owner=owner,
        upsert=upsert,
        metadata=_without_none(
            {"mimetype": incoming.mime_type, "contentLength": incoming.declared_length}
        ),
        user_metadata=incoming.user_metadata,
    )
    version = str(uuid.uuid4())
    stored = files.write(bucket.bucket_id, object_name, version, incoming.body, max_size=max_size)
    recorded = False
    try:
        with database.transaction(service) as cursor:
            cursor.execute("set local lock_timeout = '5s'")
            cursor.execute(
                "select pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"{bucket.bucket_id}/{object_name}",),
            )
            previous = cursor.execute(
                "select version from storage.objects where bucket_id = %s and name = %s for update",
                (bucket.bucket_id, object_name),
            ).fetchone()
            row: Row | None = cursor.execute(
                _upsert_statement(owner, with_user_metadata=True),
                _object_values(
                    bucket.bucket_id,
                    object_name,
                    owner,
                    version,
                    stored.metadata(incoming.mime_type, incoming.cache_control),
                    incoming.user_metadata or {},
                ),
            ).fetchone()
        recorded = row is not None
    finally:
        if not recorded:
            files.delete(bucket.bucket_id, object_name, version)
    assert row is not None
    if previous is not None and previous["version"] != version:
        files.delete(bucket.bucket_id, object_name, previous["version"])
    return UploadOut(str(row["id"]), f"{bucket.bucket_id}/{object_name}")


def can_upload(
    database: Database,
    scope: Scope,
    bucket_id: str,
    object_name: str,
    *,
    owner: str | None,
    upsert: bool,
    metadata: dict[str, Any] | None,
    user_metadata: dict[str, Any] | None,
) -> None:
    """Raise as Storage does unless the policies let `scope`'s caller write this object."""
    values = _object_values(bucket_id, object_name, owner, "1", metadata, user_metadata)
    statement: sql.SQL | sql.Composed
    if upsert:
        statement = _upsert_statement(owner, with_user_metadata=user_metadata is not None)
    else:
        statement = sql.SQL(
            "insert into storage.objects"
            " (bucket_id, name, owner, owner_id, version, metadata, user_metadata)"
            " values (%(bucket_id)s, %(name)s, %(owner)s, %(owner_id)s, %(version)s,"
            " %(metadata)s, %(user_metadata)s)"
        )
    database.test_permission(scope, statement, values)


def _upsert_statement(owner: str | None, *, with_user_metadata: bool) -> sql.Composed:
    # Storage updates only the columns it has a value for.
    updated = ["metadata", "version"]
    if with_user_metadata:
        updated.append("user_metadata")
    if owner is not None:
        updated += ["owner", "owner_id"]
    assignments = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(column)) for column in updated
    )
    return sql.SQL(
        "insert into storage.objects"
        " (bucket_id, name, owner, owner_id, version, metadata, user_metadata)"
        " values (%(bucket_id)s, %(name)s, %(owner)s, %(owner_id)s, %(version)s,"
        " %(metadata)s, %(user_metadata)s)"
        " on conflict (name, bucket_id) do update set {} returning *"
    ).format(assignments)


def _object_values(
    bucket_id: str,
    object_name: str,
    owner: str | None,
    version: str,
    metadata: dict[str, Any] | None,
    user_metadata: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "bucket_id": bucket_id,
        "name": object_name,
        "owner": owner if owner is not None and _is_uuid(owner) else None,
        "owner_id": owner,
        "version": version,
        "metadata": json.dumps(metadata) if metadata is not None else None,
        "user_metadata": json.dumps(user_metadata) if user_metadata is not None else None,
    }


def is_valid_key(object_name: str) -> bool:
    """Return whether Storage accepts `object_name` as an object's name."""
    return _VALID_KEY.fullmatch(object_name) is not None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_empty_folder(object_name: str) -> bool:
    return object_name.endswith(".emptyFolderPlaceholder")


def decode_user_metadata(encoded: str) -> dict[str, Any] | None:
    """Return the user metadata of an `X-Metadata` header (base64 JSON), or None if it is not."""
    try:
        return _json_object(base64.b64decode(encoded, validate=False).decode())
    except (binascii.Error, UnicodeDecodeError):
        return None


def _json_object(text: str) -> dict[str, Any] | None:
    """Storage keeps what parses as JSON and ignores the rest."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}
