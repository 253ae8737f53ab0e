"""The errors the BFF answers with, and the one JSON shape they take.

Every error response is `{"error": {"code": ..., "message": ..., "details": {...}}}`. The `code` is
stable and meant for programs; the message is for people and may change.

    ApiError                    500 internal_error
    ├── BadRequest              400 bad_request            malformed JSON or headers
    ├── Unauthorized            401 unauthorized           missing, invalid or expired token
    ├── Forbidden               403 forbidden              signed in, but not allowed
    ├── NotFound                404 not_found              absent, or not visible to the caller
    ├── MethodNotAllowed        405 method_not_allowed
    ├── Conflict                409 conflict               clashes with existing data
    │   └── VersionConflict     409 version_conflict       the row changed since it was read
    ├── PayloadTooLarge         413 payload_too_large
    ├── ValidationFailed        422 validation_failed      details.fields lists each invalid field
    │   └── IdempotencyKeyReused 422 idempotency_key_reused
    ├── RateLimited             429 rate_limited
    └── UpstreamUnavailable     503 upstream_unavailable   Supabase did not answer in time
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """Base of every error the BFF reports to its callers."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Something went wrong on our side."

    def __init__(
        self,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        """Return the JSON body of this error."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"
    default_message = "The request could not be read."


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"
    default_message = "A valid access token is required."


class Forbidden(ApiError):
    status = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    default_message = "Nothing was found here."


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"
    default_message = "This method is not allowed here."


class Conflict(ApiError):
    status = 409
    code = "conflict"
    default_message = "This clashes with existing data."


class VersionConflict(Conflict):
    code = "version_conflict"
    default_message = "The ticket was changed by someone else; reload it and try again."


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class ValidationFailed(ApiError):
    status = 422
    code = "validation_failed"
    default_message = "Some fields are invalid."

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationFailed:
        """Return the error for one invalid field."""
        return cls(message, {"fields": [{"path": field.split("."), "message": message}]})


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request."


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"
    default_message = "Too many requests; slow down."


class UpstreamUnavailable(ApiError):
    status = 503
    code = "upstream_unavailable"
    default_message = "The database is unavailable; try again shortly."

    def __init__(self, message: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
