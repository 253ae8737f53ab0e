"""The errors the BFF answers with, and the one JSON shape they take.

Every error response is
`{"error": {"code": ..., "message": ..., "details": {...}, "request_id": ...}}`. The `code` is
stable and meant for programs; the message is for people and may change; `request_id` is the
response's `X-Request-Id`, to quote when reporting a problem.

    ApiError                     500 internal_error          a fault on our side (logged)
    ├── BadRequest               400 bad_request             the body is not JSON, or nests too deep
    ├── Unauthorized             401 unauthorized            missing, invalid or expired token
    ├── Forbidden                403 forbidden               signed in, but not allowed
    ├── NotFound                 404 not_found               absent, or not visible to the caller
    ├── MethodNotAllowed         405 method_not_allowed      (with an `Allow` header)
    ├── Conflict                 409 conflict                clashes with existing data or state
    │   ├── VersionConflict      409 version_conflict        the row changed since it was read
    │   └── AssigneeUnavailable  409 assignee_unavailable    not available, or at capacity
    ├── PayloadTooLarge          413 payload_too_large       body over the byte limit
    ├── UnsupportedMediaType     415 unsupported_media_type  a body that is not application/json
    ├── ValidationFailed         422 validation_failed       details.fields lists each invalid field
    │   ├── IdempotencyKeyReused 422 idempotency_key_reused
    │   ├── AttachmentTooLarge    422 attachment_too_large     over 25 MiB or the org's limit
    │   ├── AttachmentTypeBlocked 422 attachment_type_blocked  an executable or script
    │   ├── TooManyAttachments    422 too_many_attachments     over 10 on a comment or ticket
    │   ├── TicketAttachmentsFull 422 ticket_attachments_full  the ticket's files pass 100 MiB
    │   ├── PendingUploadsFull    422 pending_uploads_full     your unattached uploads pass 100 MiB
    │   └── AttachmentNotReady    422 attachment_not_ready     not yours, not pending, expired
    │                                                          or not uploaded as declared
    └── UpstreamUnavailable      503 upstream_unavailable    Supabase failed or did not answer
                                                             (with `Retry-After`, seconds)

Each server action declares which of these it raises beyond the ones every action can answer
(`COMMON_ERRORS`); the OpenAPI document lists them per status from that declaration.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """A fault on our side; the details are in the log under the request id, never in the body."""

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

    def to_body(self, request_id: str) -> dict[str, Any]:
        """Return the JSON body of this error."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "request_id": request_id,
            }
        }


class BadRequest(ApiError):
    """The body is not valid JSON (or nests deeper than the parser allows)."""

    status = 400
    code = "bad_request"
    default_message = "The request could not be read."


class Unauthorized(ApiError):
    """The access token is missing, invalid or expired."""

    status = 401
    code = "unauthorized"
    default_message = "A valid access token is required."


class Forbidden(ApiError):
    """Signed in, but your role may not do this."""

    status = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(ApiError):
    """The object does not exist or is not visible to you."""

    status = 404
    code = "not_found"
    default_message = "Nothing was found here."


class MethodNotAllowed(ApiError):
    """The path exists, the method does not (the `Allow` header lists those that do)."""

    status = 405
    code = "method_not_allowed"
    default_message = "This method is not allowed here."


class Conflict(ApiError):
    """The request clashes with existing data or with the object's current state."""

    status = 409
    code = "conflict"
    default_message = "This clashes with existing data."


class VersionConflict(Conflict):
    """The object changed since you read it; `details.current` holds it as it is now."""

    code = "version_conflict"
    default_message = "It was changed by someone else; reload it and try again."


class AssigneeUnavailable(Conflict):
    """The agent is not `available`, or already holds their capacity of the team's open tickets.

    Answered to assignment in a team that assigns automatically (an admin may assign anyway) and
    to `claimNextTicket`.
    """

    code = "assignee_unavailable"
    default_message = "The agent is not available or has no room for another ticket of this team."


class PayloadTooLarge(ApiError):
    """The body is over the byte limit (`BFF_MAX_BODY_BYTES`, 64 KiB by default)."""

    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class UnsupportedMediaType(ApiError):
    """A request body must be sent as `Content-Type: application/json` (UTF-8)."""

    status = 415
    code = "unsupported_media_type"
    default_message = "Send the request body as application/json."


class ValidationFailed(ApiError):
    """Some fields are invalid; `details.fields` lists each with its path and the reason."""

    status = 422
    code = "validation_failed"
    default_message = "Some fields are invalid."

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationFailed:
        """Return the error for one invalid field (`field` is a dotted path)."""
        return cls(message, {"fields": [{"path": field.split("."), "message": message}]})


class IdempotencyKeyReused(ValidationFailed):
    """The `Idempotency-Key` was already used with a different request body."""

    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request."


class AttachmentTooLarge(ValidationFailed):
    """The file is larger than 25 MiB (the bucket's cap) or than its organization allows."""

    code = "attachment_too_large"
    default_message = "The file is too large."


class AttachmentTypeBlocked(ValidationFailed):
    """The declared type or the file name's extension is an executable, script or markup type."""

    code = "attachment_type_blocked"
    default_message = "Files of this type cannot be attached."


class TooManyAttachments(ValidationFailed):
    """More than 10 files on one comment or ticket, or more than 20 pending uploads of yours."""

    code = "too_many_attachments"
    default_message = "Too many files."


class TicketAttachmentsFull(ValidationFailed):
    """The ticket's files would exceed 100 MiB in all."""

    code = "ticket_attachments_full"
    default_message = "This ticket has no room for more files."


class PendingUploadsFull(ValidationFailed):
    """Your uploads not yet attached, on every ticket, would exceed 100 MiB."""

    code = "pending_uploads_full"
    default_message = "Attach or remove some of your pending uploads first."


class AttachmentNotReady(ValidationFailed):
    """An attachment in `attachment_ids` cannot be attached; the message says which and why."""

    code = "attachment_not_ready"
    default_message = "An attachment cannot be attached."


ATTACHMENT_ERRORS: tuple[type[ValidationFailed], ...] = (
    AttachmentTooLarge,
    AttachmentTypeBlocked,
    TooManyAttachments,
    TicketAttachmentsFull,
    PendingUploadsFull,
)


class UpstreamUnavailable(ApiError):
    """Supabase failed or did not answer in time; retry after `Retry-After` seconds."""

    status = 503
    code = "upstream_unavailable"
    default_message = "The database is unavailable; try again shortly."

    def __init__(self, message: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


# What any action can answer, whatever it does.
COMMON_ERRORS: tuple[type[ApiError], ...] = (
    BadRequest,
    Unauthorized,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    ApiError,
    UpstreamUnavailable,
)
