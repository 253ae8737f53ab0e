"""What the stand-in reads from a request body and writes back, in Supabase Auth's field names."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from devstack.auth._errors import BadJson, ValidationFailed


class _Body(BaseModel):
    """A JSON object; fields Auth does not read (supabase-js sends a few) are ignored, as Auth
    ignores them. Types are taken strictly: a number where text belongs is bad JSON."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class SignupIn(_Body):
    email: str | None = None
    phone: str | None = None
    password: str | None = None
    data: dict[str, Any] | None = None
    """The user's metadata (`raw_user_meta_data`), e.g. `display_name`."""


class PasswordGrantIn(_Body):
    email: str | None = None
    phone: str | None = None
    password: str | None = None


class RefreshTokenGrantIn(_Body):
    refresh_token: str | None = None


BodyT = TypeVar("BodyT", bound=_Body)


def parse_body(model: type[BodyT], body: bytes) -> BodyT:
    """Parse a request body, or raise `BadJson` as Auth does for anything it cannot decode.

    Pydantic's parser also refuses lone surrogates and nesting deeper than it can follow.
    """
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        reason = error.errors(include_url=False)[0]["msg"]
        raise BadJson(f"Could not parse request body as JSON: {reason}") from None


def metadata_json(data: dict[str, Any]) -> str:
    """Return user metadata as JSON Postgres accepts, or raise `ValidationFailed`.

    `jsonb` holds no U+0000 and no infinite numbers, which JSON can spell but Postgres refuses.
    """
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:
        raise ValidationFailed("User metadata cannot hold an infinite number") from None
    if "\\u0000" in text:
        raise ValidationFailed("User metadata cannot contain the character U+0000")
    return text


def timestamp(moment: datetime | None) -> str | None:
    """Return a time as Auth writes it: RFC 3339 in UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def user_json(user: dict[str, Any]) -> dict[str, Any]:
    """Return an `auth.users` row as Auth shows a user (never its password hash)."""
    confirmed = [t for t in (user["email_confirmed_at"], user["phone_confirmed_at"]) if t]
    fields: dict[str, Any] = {
        "id": str(user["id"]),
        "aud": user["aud"] or "",
        "role": user["role"] or "",
        "email": user["email"] or "",
        "email_confirmed_at": timestamp(user["email_confirmed_at"]),
        "phone": user["phone"] or "",
        "phone_confirmed_at": timestamp(user["phone_confirmed_at"]),
        "confirmed_at": timestamp(min(confirmed)) if confirmed else None,
        "last_sign_in_at": timestamp(user["last_sign_in_at"]),
        "app_metadata": user["raw_app_meta_data"] or {},
        "user_metadata": user["raw_user_meta_data"] or {},
        "identities": [],
        "created_at": timestamp(user["created_at"]),
        "updated_at": timestamp(user["updated_at"]),
        "banned_until": timestamp(user["banned_until"]),
        "is_anonymous": bool(user["is_anonymous"]),
    }
    # Auth leaves out the times that are not set, rather than writing null.
    return {k: v for k, v in fields.items() if v is not None or k not in _OMITTED_WHEN_UNSET}


_OMITTED_WHEN_UNSET = frozenset(
    {"email_confirmed_at", "phone_confirmed_at", "confirmed_at", "last_sign_in_at", "banned_until"}
)
