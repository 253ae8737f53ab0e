"""Reach the database through PostgREST, as the caller, and turn its errors into ours.

One `httpx.Client` (one connection pool) is shared by every request; each request gets a light
PostgREST client carrying the caller's own token, so row-level security sees the real user. The
per-request client is never closed: closing it would close the shared pool. Because the pool is
shared between users, it keeps no cookies: one an upstream proxy sets while serving one user's
request must not ride along on the next user's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
from postgrest import SyncPostgrestClient
from postgrest.exceptions import APIError
from storage3 import SyncStorageClient
from storage3.exceptions import StorageApiError

from bff.errors import (
    ATTACHMENT_ERRORS,
    ApiError,
    AssigneeUnavailable,
    AttachmentNotReady,
    AttachmentTooLarge,
    AttachmentTypeBlocked,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    Unauthorized,
    UpstreamUnavailable,
    ValidationFailed,
    VersionConflict,
)
from bff.settings import Settings

_log = logging.getLogger("bff")


class Database:
    """The shared connection pool to PostgREST, and clients bound to one caller's token."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.http = httpx.Client(
            timeout=httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout),
            limits=httpx.Limits(
                max_connections=settings.pool_size, max_keepalive_connections=settings.pool_size
            ),
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    def as_user(self, access_token: str) -> SyncPostgrestClient:
        """Return a PostgREST client that acts with the caller's access token."""
        return SyncPostgrestClient(
            self._settings.rest_url,
            headers={"apikey": self._settings.anon_key, "Authorization": f"Bearer {access_token}"},
            http_client=self.http,
            # Retries would hold a failing request for up to 30 s; callers get a fast 503 instead.
            retry_enabled=False,
        )

    def storage_as_user(self, access_token: str) -> SyncStorageClient:
        """Return a Supabase Storage client that acts with the caller's access token."""
        return SyncStorageClient(
            self._settings.storage_url,
            headers={"apikey": self._settings.anon_key, "Authorization": f"Bearer {access_token}"},
            http_client=self.http,
        )

    def ping(self) -> None:
        """Raise `UpstreamUnavailable` unless PostgREST answers with its schema."""
        with translate_errors():
            response = self.http.get(
                self._settings.rest_url + "/",
                headers={
                    "apikey": self._settings.anon_key,
                    "Authorization": f"Bearer {self._settings.anon_key}",
                    "Accept": "application/openapi+json",
                },
            )
        if response.status_code >= 500:
            raise UpstreamUnavailable("PostgREST answered but cannot reach the database.")

    def close(self) -> None:
        """Close the shared pool (at shutdown)."""
        self.http.close()


# SQLSTATEs raised by the project's own SQL functions (PTxyz: PostgREST answers HTTP status xyz,
# so a direct caller sees the status the BFF gives), and PostgreSQL's own that callers can cause.
_SQLSTATE_ERRORS: dict[str, type[ApiError]] = {
    "PT401": Unauthorized,  # the session behind the token has ended (public.check_request)
    "PT403": Forbidden,
    "PT404": NotFound,
    "PT409": Conflict,  # VersionConflict when the hint is expected_version (see _refine)
    "PT422": ValidationFailed,  # IdempotencyKeyReused when the hint is idempotency_key
    "42501": Forbidden,  # RLS or grant refused
    "23505": Conflict,  # unique violation
    "23503": Conflict,  # foreign key violation
    "23514": ValidationFailed,  # check violation
    "23502": ValidationFailed,  # not-null violation
    "PGRST116": NotFound,  # .single() found no row
    "PGRST301": Unauthorized,  # PostgREST rejected the token
    "PGRST302": Unauthorized,
    "PGRST303": Unauthorized,
}
# PT422 refusals whose SQL `detail` names a finer code than validation_failed.
_FINER_422: tuple[type[ValidationFailed], ...] = (*ATTACHMENT_ERRORS, AttachmentNotReady)
_DETAIL_CODES: dict[str, type[ApiError]] = {kind.code: kind for kind in _FINER_422}
# PT409 refusals whose SQL `detail` names a finer code than conflict.
_DETAIL_409: dict[str, type[ApiError]] = {AssigneeUnavailable.code: AssigneeUnavailable}
# Failures of the service, not of the request: the same request may well succeed shortly.
# PGRST000-003: PostgREST cannot reach Postgres; 08: connection; 53: out of resources;
# 57: shut down or cancelled (statement timeout); 58: system error; 40001/40P01: serialization
# failure and deadlock; 55P03: lock timeout.
_TRANSIENT_PREFIXES = ("PGRST00", "08", "53", "57", "58", "40001", "40P01", "55P03")


def error_from_postgrest(error: APIError) -> ApiError:
    """Return the BFF error for a PostgREST error, without leaking SQL to the caller.

    Data exceptions (SQLSTATE class 22) are the caller's bad input: 422 `validation_failed`.
    A reply that carries no SQLSTATE at all (an empty body or a proxy's page as PostgREST or
    its connection died) and transient failures are 503 `upstream_unavailable`. Anything else
    is a 500 `internal_error`, logged with its SQLSTATE.
    """
    code = error.code or ""
    kind = _refine(_SQLSTATE_ERRORS.get(code), error.hint, error.details)
    if kind is None and code.startswith("22"):
        kind = ValidationFailed
    if kind is not None and issubclass(kind, ValidationFailed) and kind is not IdempotencyKeyReused:
        field = error.hint or "body"
        message = error.message if code == "PT422" else None
        return kind.for_field(field, message or "This value is invalid.")
    if kind is VersionConflict:
        return VersionConflict(error.message, details={"current": _json_or_none(error.details)})
    if kind is not None:
        # Our own functions write messages for people; PostgreSQL's are replaced by the default.
        return kind(error.message if code.startswith("PT") else None)
    if not _is_sqlstate(code) or code.startswith(_TRANSIENT_PREFIXES):
        return UpstreamUnavailable()
    _log.error("unexpected database error %s: %s", code, error.message)
    return ApiError()


# Supabase Storage answers refusals as HTTP 400 with the real status in the body's statusCode.
_STORAGE_STATUSES: dict[str, type[ApiError]] = {
    "401": Unauthorized,
    "403": Forbidden,
    "404": NotFound,
    "413": AttachmentTooLarge,
    "415": AttachmentTypeBlocked,
}


def error_from_storage(error: StorageApiError) -> ApiError:
    """Return the BFF error for a Supabase Storage refusal (its message is not passed on).

    The database checked the caller and the file before Storage is asked, so a refusal here
    means the two disagree: it is logged. 5xx answers are 503 `upstream_unavailable`.
    """
    status = str(error.status)
    _log.warning("storage refused: %s %s %s", status, error.code, error.message)
    if status.startswith("5"):
        return UpstreamUnavailable("File storage is unavailable; try again shortly.")
    kind = _STORAGE_STATUSES.get(status)
    return kind() if kind is not None else ApiError()


def _refine(
    kind: type[ApiError] | None, hint: str | None, detail: str | None
) -> type[ApiError] | None:
    """The BFF's finer code for a 409 or 422 from SQL.

    A PT422 whose detail is one of the finer codes (`attachment_too_large`, ...) is that error,
    and so is a PT409 whose detail is `assignee_unavailable`.
    Otherwise the input the hint names tells: the BFF checks an idempotency key's form itself, so
    a PT422 about the key can only mean it was used before with another request.
    """
    if kind is ValidationFailed and detail in _DETAIL_CODES:
        return _DETAIL_CODES[detail]
    if kind is Conflict and detail in _DETAIL_409:
        return _DETAIL_409[detail]
    if kind is Conflict and hint == "expected_version":
        return VersionConflict
    if kind is ValidationFailed and hint == "idempotency_key":
        return IdempotencyKeyReused
    return kind


def _is_sqlstate(code: str) -> bool:
    """Whether `code` is a SQLSTATE or PostgREST error code (not an HTTP status or nothing)."""
    return (len(code) == 5 and code.isalnum()) or code.startswith("PGRST")


def _json_or_none(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn PostgREST and network failures inside the block into `ApiError`s."""
    try:
        yield
    except APIError as error:
        raise error_from_postgrest(error) from error
    except StorageApiError as error:
        raise error_from_storage(error) from error
    except (httpx.TransportError, httpx.DecodingError, json.JSONDecodeError) as error:
        # Timeouts, refused or dropped connections, and replies cut off mid-body.
        raise UpstreamUnavailable() from error
