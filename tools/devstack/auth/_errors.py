"""Errors answered as Supabase Auth answers them: an HTTP status and a stable `error_code`.

    AuthError                 500 unexpected_failure
    ├── ValidationFailed      400 validation_failed
    ├── BadJson               400 bad_json
    ├── InvalidCredentials    400 invalid_credentials (wrong password and unknown email alike)
    ├── EmailNotConfirmed     400 email_not_confirmed
    ├── UserBanned            400 user_banned
    ├── PhoneProviderDisabled 400 phone_provider_disabled (422 at sign-in, as Auth answers)
    ├── RefreshTokenNotFound  400 refresh_token_not_found
    ├── RefreshTokenAlreadyUsed 400 refresh_token_already_used
    ├── SessionExpired        400 session_expired
    ├── SessionNotFound       403 session_not_found (400 when refreshing)
    ├── NoAuthorization       401 no_authorization
    ├── BadJwt                403 bad_jwt
    ├── UserNotFound          403 user_not_found
    ├── NotFound              404 not_found
    ├── MethodNotAllowed      405 method_not_allowed
    ├── Conflict              409 conflict
    ├── RequestTooLarge       413 request_entity_too_large
    ├── UserAlreadyExists     422 user_already_exists
    └── WeakPassword          422 weak_password, with `weak_password.reasons`

The body follows the API version the client names in `X-Supabase-Api-Version` (supabase-js sends
2024-01-01): `{"code": "<error_code>", "message": "..."}`, the version echoed in that header.
Without it, Auth's original shape: `{"code": <status>, "error_code": "...", "msg": "..."}`.
Both name the code in the `x-sb-error-code` header too.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

API_VERSION_HEADER = "X-Supabase-Api-Version"
_API_VERSION_2024 = date(2024, 1, 1)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AuthError(Exception):
    """An answer other than success; `message` is for people, `code` for programs."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "unexpected_failure"
    default_message: ClassVar[str] = (
        "Unexpected failure, please check server logs for more information"
    )

    def __init__(self, message: str | None = None, *, status: int | None = None) -> None:
        self.message = message or self.default_message
        self.http_status = status or self.status
        super().__init__(self.message)

    def payload(self) -> dict[str, Any]:
        """Return what the body carries beside the code and message."""
        return {}


class ValidationFailed(AuthError):
    status, code = 400, "validation_failed"


class BadJson(AuthError):
    status, code = 400, "bad_json"


class InvalidCredentials(AuthError):
    status, code = 400, "invalid_credentials"
    default_message = "Invalid login credentials"


class EmailNotConfirmed(AuthError):
    status, code = 400, "email_not_confirmed"


class UserBanned(AuthError):
    status, code = 400, "user_banned"


class PhoneProviderDisabled(AuthError):
    status, code = 400, "phone_provider_disabled"


class RefreshTokenNotFound(AuthError):
    status, code = 400, "refresh_token_not_found"
    default_message = "Invalid Refresh Token: Refresh Token Not Found"


class RefreshTokenAlreadyUsed(AuthError):
    status, code = 400, "refresh_token_already_used"
    default_message = "Invalid Refresh Token: Already Used"


class SessionExpired(AuthError):
    status, code = 400, "session_expired"
    default_message = "Invalid Refresh Token: Session Expired"


class SessionNotFound(AuthError):
    status, code = 403, "session_not_found"
    default_message = "Session from session_id claim in JWT does not exist"


class NoAuthorization(AuthError):
    status, code = 401, "no_authorization"
    default_message = "This endpoint requires a valid Bearer token"


class BadJwt(AuthError):
    status, code = 403, "bad_jwt"


class UserNotFound(AuthError):
    status, code = 403, "user_not_found"
    default_message = "User from sub claim in JWT does not exist"


class NotFound(AuthError):
    status, code = 404, "not_found"
    default_message = "Not Found"


class MethodNotAllowed(AuthError):
    status, code = 405, "method_not_allowed"
    default_message = "Method Not Allowed"


class Conflict(AuthError):
    status, code = 409, "conflict"


class RequestTooLarge(AuthError):
    status, code = 413, "request_entity_too_large"


class UserAlreadyExists(AuthError):
    status, code = 422, "user_already_exists"
    default_message = "User already registered"


class WeakPassword(AuthError):
    status, code = 422, "weak_password"

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons

    def payload(self) -> dict[str, Any]:
        return {"weak_password": {"reasons": self.reasons}}


def wants_current_shape(api_version: str | None) -> bool:
    """Return whether the client asked for the 2024-01-01 error shape (or a later version)."""
    if not api_version or not _DATE.match(api_version):
        return False
    try:
        return date.fromisoformat(api_version) >= _API_VERSION_2024
    except ValueError:
        return False


def render(error: AuthError, api_version: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the body and headers of `error` in the shape the client's API version expects."""
    headers = {"x-sb-error-code": error.code}
    if wants_current_shape(api_version):
        headers[API_VERSION_HEADER] = _API_VERSION_2024.isoformat()
        body: dict[str, Any] = {"code": error.code, "message": error.message}
    else:
        body = {"code": error.http_status, "error_code": error.code, "msg": error.message}
    return {**body, **error.payload()}, headers
