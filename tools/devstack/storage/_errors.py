"""Errors answered as Supabase Storage answers them (src/internal/errors/codes.ts).

    StorageError            500 InternalError
    ├── InvalidRequest      400 InvalidRequest (a body or header that fails the route's schema)
    ├── InvalidParameter    400 InvalidParameter
    ├── InvalidKey          400 InvalidKey
    ├── InvalidJwt          400 InvalidJWT          (a signed URL's token that does not verify)
    ├── InvalidSignature    400 InvalidSignature    (a signed URL's token for another object)
    ├── AccessDenied        403 AccessDenied        (a bad access token; a policy said no)
    ├── NoSuchBucket        404 NoSuchBucket
    ├── NoSuchKey           404 NoSuchKey
    ├── RelatedResourceNotFound 404 InvalidRequest  (an insert into a bucket that does not exist)
    ├── KeyAlreadyExists    409 KeyAlreadyExists
    ├── ResourceReferenced  409 ResourceReferenced
    ├── EntityTooLarge      413 EntityTooLarge      (over the bucket's or the server's size limit)
    ├── InvalidMimeType     415 InvalidMimeType     (not one of the bucket's allowed_mime_types)
    ├── ResourceLocked      423 ResourceLocked
    ├── DatabaseError       500 DatabaseError
    └── DatabaseTimeout     544 DatabaseTimeout     (HTTP 544 too)

The body is `{"statusCode": "<status>", "code": ..., "error": ..., "message": ...}`. Storage's
own status is the *body's* `statusCode`: the HTTP status is 400 for every error below 500
(Storage's error handler answers so, and supabase-js / storage3 read the body's), and 500 for
the rest. Only an unknown route gets a real 404.
"""

from __future__ import annotations

from typing import Any, ClassVar

import psycopg


class StorageError(Exception):
    """An answer other than success; `message` is for people, `code` for programs."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "InternalError"
    error: ClassVar[str | None] = None
    """Storage's older `error` field where it differs from `code`."""
    default_message: ClassVar[str] = "Internal server error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return 500 if self.status >= 500 else 400

    def body(self) -> dict[str, Any]:
        return {
            "statusCode": str(self.status),
            "code": self.code,
            "error": self.error or self.code,
            "message": self.message,
        }


class InvalidRequest(StorageError):
    status, code = 400, "InvalidRequest"
    error = "Bad Request"
    default_message = "Invalid Request"


class InvalidParameter(StorageError):
    status, code = 400, "InvalidParameter"

    def __init__(self, parameter: str, message: str | None = None) -> None:
        super().__init__(message or f"Invalid Parameter {parameter}")


class InvalidKey(StorageError):
    status, code = 400, "InvalidKey"

    def __init__(self, key: str) -> None:
        super().__init__(f"Invalid key: {key}")


class InvalidJwt(StorageError):
    status, code = 400, "InvalidJWT"
    default_message = "Invalid JWT"


class InvalidSignature(StorageError):
    status, code = 400, "InvalidSignature"
    default_message = "Invalid signature"


class AccessDenied(StorageError):
    status, code = 403, "AccessDenied"
    error = "Unauthorized"
    default_message = "Access denied"


class NoSuchBucket(StorageError):
    status, code = 404, "NoSuchBucket"
    error = "Bucket not found"
    default_message = "Bucket not found"


class NoSuchKey(StorageError):
    status, code = 404, "NoSuchKey"
    error = "not_found"
    default_message = "Object not found"


class RelatedResourceNotFound(StorageError):
    status, code = 404, "InvalidRequest"
    default_message = "The related resource does not exist"


class KeyAlreadyExists(StorageError):
    status, code = 409, "KeyAlreadyExists"
    error = "Duplicate"
    default_message = "The resource already exists"


class ResourceReferenced(StorageError):
    status, code = 409, "ResourceReferenced"
    default_message = "The resource could not be updated or removed due to a foreign key constraint"


class EntityTooLarge(StorageError):
    status, code = 413, "EntityTooLarge"
    error = "Payload too large"
    default_message = "The object exceeded the maximum allowed size"


class InvalidMimeType(StorageError):
    status, code = 415, "InvalidMimeType"
    error = "invalid_mime_type"

    def __init__(self, mime_type: str) -> None:
        super().__init__(f"mime type {mime_type} is not supported")


class ResourceLocked(StorageError):
    status, code = 423, "ResourceLocked"
    default_message = "The resource is locked"


class DatabaseError(StorageError):
    status, code = 500, "DatabaseError"


class DatabaseTimeout(StorageError):
    status, code = 544, "DatabaseTimeout"
    default_message = "The connection to the database timed out"

    @property
    def http_status(self) -> int:
        return 544  # Storage answers this one with its own status


def database_error(error: psycopg.Error) -> StorageError:
    """Return Storage's answer to a database error (src/storage/database/errors.ts)."""
    sqlstate = error.sqlstate or ""
    text = error.diag.message_primary or str(error)
    if sqlstate == "42501":
        return AccessDenied(
            "new row violates row-level security policy" if "row-level security" in text else text
        )
    if sqlstate == "23505":
        return KeyAlreadyExists()
    if sqlstate == "23503":
        detail = error.diag.message_detail or ""
        if "is still referenced from table" in detail:
            return ResourceReferenced()
        return RelatedResourceNotFound()
    if sqlstate == "55P03":
        return ResourceLocked()
    if sqlstate == "57014":
        return DatabaseTimeout()
    if sqlstate == "22P02":
        return InvalidParameter("value", text)
    return DatabaseError(f"database error, code: {sqlstate or 'unknown'}")
