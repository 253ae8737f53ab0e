"""Signing, finding, listing and removing objects, by Storage's rules (src/storage/object.ts,
src/storage/database/pg.ts). Each action runs as the caller it is given, so the policies on
`storage.objects` (and `storage.buckets`) decide what it sees and changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from devstack.storage._database import Database, Row, Scope
from devstack.storage._errors import InvalidKey, NoSuchBucket, NoSuchKey
from devstack.storage._files import ObjectFiles, iso_time
from devstack.storage._tokens import Tokens
from devstack.storage._uploads import can_upload, is_valid_key

# Storage deletes in batches small enough for one S3 request (two keys per versioned object).
_DELETE_BATCH = 500
_NOT_FOUND_OR_DENIED = "Either the object does not exist or you do not have access to it"

SortColumn = Literal["name", "updated_at", "created_at", "last_accessed_at"]


@dataclass(frozen=True)
class SignedUploadUrlOut:
    url: str
    token: str


def sign_upload_url(
    database: Database,
    tokens: Tokens,
    scope: Scope,
    *,
    bucket_id: str,
    object_name: str,
    upsert: bool,
    metadata: dict[str, Any],
    user_metadata: dict[str, Any] | None,
    expires_in: int,
) -> SignedUploadUrlOut:
    """Return a URL anyone may upload this object to once, if the caller may upload it now."""
    owner = scope.caller.owner
    can_upload(
        database,
        scope,
        bucket_id,
        object_name,
        owner=owner,
        upsert=upsert,
        metadata=metadata,
        user_metadata=user_metadata,
    )
    url = f"{bucket_id}/{object_name}"
    claims: dict[str, Any] = {"url": url, "upsert": upsert, "scope": "upload"}
    if owner is not None:
        claims = {"owner": owner, **claims}
    token = tokens.sign_url(claims, expires_in)
    return SignedUploadUrlOut(f"/object/upload/sign/{url}?token={token}", token)


def find_object(
    database: Database, scope: Scope, bucket_id: str, object_name: str, columns: str = "id"
) -> Row:
    """Return the object if the caller may see it, or raise `NoSuchKey`."""
    if not is_valid_key(object_name):
        raise InvalidKey(object_name)
    with database.transaction(scope) as cursor:
        row = cursor.execute(
            f"select {columns} from storage.objects where name = %s and bucket_id = %s limit 1",
            (object_name, bucket_id),
        ).fetchone()
    if row is None:
        raise NoSuchKey()
    return row


def sign_object_url(
    database: Database,
    tokens: Tokens,
    scope: Scope,
    *,
    bucket_id: str,
    object_name: str,
    expires_in: int,
) -> str:
    """Return a download URL for an object the caller may see, valid `expires_in` seconds."""
    find_object(database, scope, bucket_id, object_name)
    url = f"{bucket_id}/{object_name}"
    token = tokens.sign_url({"url": url, "scope": "download"}, expires_in)
    return f"/object/sign/{url}?token={token}"


def sign_object_urls(
    database: Database,
    tokens: Tokens,
    scope: Scope,
    *,
    bucket_id: str,
    paths: list[str],
    expires_in: int,
) -> list[dict[str, Any]]:
    """Return a download URL, or why there is none, for each path, in the order given."""
    with database.transaction(scope) as cursor:
        rows = cursor.execute(
            "select name from storage.objects where bucket_id = %s and name = any(%s::text[])",
            (bucket_id, paths),
        ).fetchall()
    visible = {row["name"] for row in rows}
    results = []
    for path in paths:
        signed = None
        if path in visible:
            url = f"{bucket_id}/{path}"
            token = tokens.sign_url({"url": url, "scope": "download"}, expires_in)
            signed = f"/object/sign/{url}?token={token}"
        results.append(
            {"error": None if signed else _NOT_FOUND_OR_DENIED, "path": path, "signedURL": signed}
        )
    return results


def delete_objects(
    database: Database, files: ObjectFiles, scope: Scope, *, bucket_id: str, names: list[str]
) -> list[Row]:
    """Delete the named objects the caller may delete; return them (none is not an error).

    The delete runs as the caller, so an object survives unless the select and delete policies
    both let the caller at it. Its bytes go in the same transaction, as Storage removes them.
    """
    deleted: list[Row] = []
    for start in range(0, len(names), _DELETE_BATCH):
        with database.transaction(scope) as cursor:
            rows = cursor.execute(
                "delete from storage.objects where bucket_id = %s and name = any(%s::text[])"
                " returning *",
                (bucket_id, names[start : start + _DELETE_BATCH]),
            ).fetchall()
            for row in rows:
                files.delete(bucket_id, row["name"], row["version"])
        deleted += rows
    return deleted


def list_objects(
    database: Database,
    scope: Scope,
    *,
    bucket_id: str,
    prefix: str,
    search: str,
    limit: int,
    offset: int,
    sort_column: SortColumn,
    descending: bool,
) -> list[dict[str, Any]]:
    """Return the folders and files directly under `prefix` the caller may see (`storage.search`).

    Names are relative to the prefix; a folder has only a name. Matching ignores case.
    """
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    with database.transaction(scope) as cursor:
        rows = cursor.execute(
            "select name, id, updated_at, created_at, last_accessed_at, metadata"
            " from storage.objects where bucket_id = %s and lower(name) like %s escape '\\'",
            (bucket_id, _like_prefix((prefix + search).lower())),
        ).fetchall()
    folders: dict[str, dict[str, Any]] = {}
    files: list[dict[str, Any]] = []
    for row in rows:
        rest = row["name"][len(prefix) :]
        if "/" in rest:
            folder = rest.split("/", 1)[0]
            folders.setdefault(folder, {"name": folder} | dict.fromkeys(_LISTED[1:]))
        else:
            files.append({**row, "name": rest})
    if sort_column == "name":  # folders and files interleave
        listed = sorted([*folders.values(), *files], key=_lower_name, reverse=descending)
    else:  # folders (by name) first
        listed = sorted(folders.values(), key=_lower_name, reverse=descending) + sorted(
            files,
            key=lambda entry: (entry[sort_column] is not None, entry[sort_column]),
            reverse=descending,
        )
    return listed[offset : offset + limit]


_LISTED = ("name", "id", "updated_at", "created_at", "last_accessed_at", "metadata")


def find_bucket(database: Database, scope: Scope, bucket_id: str) -> Row:
    """Return a bucket the caller may see (the policies on `storage.buckets` decide)."""
    with database.transaction(scope) as cursor:
        row = cursor.execute(
            "select id, name, owner, public, created_at, updated_at, file_size_limit,"
            " allowed_mime_types from storage.buckets where id = %s limit 1",
            (bucket_id,),
        ).fetchone()
    if row is None:
        raise NoSuchBucket()
    return row


def object_json(row: Row) -> dict[str, Any]:
    """Return an object row as Storage serializes one (its `objectSchema`, in its order).

    Storage's serializer writes a missing text value as "" and times in ISO form.
    """
    shown: dict[str, Any] = {}
    for column in _OBJECT_TEXT + _OBJECT_NULLABLE:
        if column not in row:
            continue
        value = row[column]
        if column in _OBJECT_TEXT:
            shown[column] = "" if value is None else str(value)
        elif hasattr(value, "isoformat"):
            shown[column] = iso_time(value)
        elif column == "id" and value is not None:
            shown[column] = str(value)
        else:
            shown[column] = value
    return shown


_OBJECT_TEXT = ("name", "bucket_id", "owner", "owner_id", "version")
_OBJECT_NULLABLE = (
    "id", "updated_at", "created_at", "last_accessed_at", "metadata", "user_metadata",
)  # fmt: skip


def bucket_json(row: Row) -> dict[str, Any]:
    """Return a bucket row as Storage serializes one (its `bucketSchema`, in its order)."""
    shown: dict[str, Any] = {}
    for column in ("id", "name", "owner", "owner_id", "public", "type", "file_size_limit",
                   "allowed_mime_types", "created_at", "updated_at"):  # fmt: skip
        if column not in row:
            continue
        value = row[column]
        if column in ("owner", "owner_id"):
            value = "" if value is None else str(value)
        elif hasattr(value, "isoformat"):
            value = iso_time(value)
        shown[column] = value
    return shown


def _lower_name(entry: dict[str, Any]) -> str:
    return str(entry["name"]).lower()


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
