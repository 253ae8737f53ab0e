"""The caller behind an access token, found as Auth's `requireAuthentication` finds it
(internal/api/auth.go): a valid signature and expiry, an existing user, and, when the token
names a session, an existing session."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from devstack._keys import LocalKeys
from devstack.auth._database import USER_COLUMNS, Database, Row
from devstack.auth._errors import BadJwt, NoAuthorization, SessionNotFound, UserNotFound

_BEARER = re.compile(r"^(?:B|b)earer (\S+$)")
_NIL_UUID = uuid.UUID(int=0)


@dataclass(frozen=True)
class Caller:
    user: Row
    session_id: str | None
    claims: dict[str, Any]


def authenticate(database: Database, keys: LocalKeys, authorization: str | None) -> Caller:
    """Return who sent `Authorization: Bearer <access token>`, or raise Auth's error for it."""
    match = _BEARER.match(authorization or "")
    if match is None:
        raise NoAuthorization()
    try:
        claims = keys.verify(match.group(1))
    except jwt.InvalidTokenError as error:
        raise BadJwt(f"invalid JWT: unable to parse or verify signature, {error}") from None
    user_id = _uuid_claim(claims, "sub")
    if user_id is None:
        raise BadJwt("invalid claim: sub claim must be a UUID", status=400)
    session_id = claims.get("session_id")
    if session_id not in (None, "") and _uuid_claim(claims, "session_id") is None:
        raise BadJwt("invalid claim: session_id claim must be a UUID")
    with database.transaction() as cursor:
        user = cursor.execute(
            f"select {USER_COLUMNS} from auth.users where id = %s", (user_id,)
        ).fetchone()
        if user is None:
            raise UserNotFound()
        sid = _uuid_claim(claims, "session_id")
        if sid is None or sid == _NIL_UUID:
            return Caller(user, None, claims)
        if cursor.execute("select from auth.sessions where id = %s", (sid,)).fetchone() is None:
            raise SessionNotFound()
        return Caller(user, str(sid), claims)


def _uuid_claim(claims: dict[str, Any], name: str) -> uuid.UUID | None:
    value = claims.get(name)
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
