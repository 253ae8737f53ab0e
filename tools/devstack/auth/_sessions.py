"""Sessions and rotating refresh tokens, kept as Supabase Auth keeps them.

A session is a row in `auth.sessions`; its refresh tokens form a chain in `auth.refresh_tokens`
(each new one's `parent` is the token it replaced). Auth's own rules, from its
internal/tokens/service.go (refresh, "legacy" refresh tokens) and internal/models/sessions.go:

- Refreshing revokes the token used and issues its child.
- A revoked token that is the parent of the session's newest token answers that newest token
  again (the client most likely lost the previous answer); nothing new is issued.
- Any other revoked token, within the reuse interval after it was revoked, gets a child of its
  own (concurrent refreshes, say from two tabs). After the interval its reuse is taken as theft:
  the whole session ends, and every access token of it is refused from then on. (With these
  tokens Auth only revokes the session's refresh tokens and keeps the row; with its newer
  counter-based tokens it deletes the session, as here, which is what ends the access tokens.)
- Ending a session deletes its row (refresh tokens go with it); `logout` does that for one,
  the others, or all of a user's sessions (internal/api/logout.go).
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import Cursor
from psycopg.rows import DictRow

from devstack.auth._database import USER_COLUMNS, Database, Row
from devstack.auth._errors import (
    Conflict,
    RefreshTokenAlreadyUsed,
    RefreshTokenNotFound,
    SessionExpired,
    SessionNotFound,
    UserBanned,
    ValidationFailed,
)

# Auth's "legacy" refresh tokens: 12 lowercase letters and digits.
_REFRESH_TOKEN = re.compile(r"[a-z0-9]{12}")
_ALPHABET = string.ascii_lowercase + string.digits
_NIL_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Client:
    """Who asked, as Auth records it on the session."""

    user_agent: str | None
    ip: str | None


@dataclass(frozen=True)
class IssuedSession:
    """A session and the refresh token to hand out for it, with its user."""

    user: Row
    session_id: str
    signed_in_at: datetime
    refresh_token: str


def issue_session(cursor: Cursor[DictRow], user: Row, client: Client) -> IssuedSession:
    """Begin a session for `user` (signed in by password) within the caller's transaction."""
    session = cursor.execute(
        """insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
        values (gen_random_uuid(), %s, now(), now(), 'aal1', %s, %s)
        returning id, created_at""",
        (user["id"], client.user_agent, client.ip),
    ).fetchone()
    assert session is not None
    token = _new_refresh_token(cursor, str(user["id"]), session["id"], parent=None)
    signed_in = cursor.execute(
        f"update auth.users set last_sign_in_at = now() where id = %s returning {USER_COLUMNS}",
        (user["id"],),
    ).fetchone()
    assert signed_in is not None
    return IssuedSession(signed_in, str(session["id"]), session["created_at"], token)


def refresh_session(
    database: Database, refresh_token: str, client: Client, *, reuse_interval: int
) -> IssuedSession:
    """Rotate `refresh_token`: return its session with the refresh token to use next."""
    if not _REFRESH_TOKEN.fullmatch(refresh_token):
        raise ValidationFailed("Refresh token is not valid")
    ended_by_reuse = False
    with database.transaction() as cursor:
        # A session is refreshed by one request at a time; others wait (Auth retries instead).
        cursor.execute("set local lock_timeout = '5s'")
        try:
            issued = _rotate(cursor, refresh_token, client, reuse_interval)
        except _ReuseDetected as reuse:
            cursor.execute("delete from auth.sessions where id = %s", (reuse.session_id,))
            ended_by_reuse = True
        except psycopg.errors.LockNotAvailable:
            raise Conflict(
                "Too many concurrent token refresh requests on the same session or refresh token"
            ) from None
    if ended_by_reuse:  # after the commit: the session stays ended
        raise RefreshTokenAlreadyUsed()
    return issued


class _ReuseDetected(Exception):
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id


def _rotate(
    cursor: Cursor[DictRow], refresh_token: str, client: Client, reuse_interval: int
) -> IssuedSession:
    found = cursor.execute(
        "select session_id, user_id from auth.refresh_tokens where token = %s", (refresh_token,)
    ).fetchone()
    if found is None:
        raise RefreshTokenNotFound()
    user = cursor.execute(
        f"select {USER_COLUMNS}, banned_until > now() as banned from auth.users where id = %s",
        (_as_uuid(found["user_id"]),),
    ).fetchone()
    if user is None:
        raise RefreshTokenNotFound()
    if user["banned"]:
        raise UserBanned("Invalid Refresh Token: User Banned")
    session = cursor.execute(
        """select id, created_at, not_after is not null and not_after < now() as ended
        from auth.sessions where id = %s for update""",
        (found["session_id"],),
    ).fetchone()
    if session is None:  # a token without a session (ended sessions take theirs along)
        raise SessionNotFound("Invalid Refresh Token: No Valid Session Found", status=400)
    if session["ended"]:
        raise SessionExpired()
    token = cursor.execute(
        """select id, token, revoked,
          now() > updated_at + make_interval(secs => %s) as past_reuse_interval
        from auth.refresh_tokens where token = %s for update""",
        (reuse_interval, refresh_token),
    ).fetchone()
    assert token is not None  # the session's lock keeps its tokens
    session_id, user_id = session["id"], str(user["id"])
    if not token["revoked"]:
        issued = _replace(cursor, token, user_id, session_id)
    else:
        newest = cursor.execute(
            """select token, parent from auth.refresh_tokens
            where session_id = %s and revoked is false order by id desc limit 1""",
            (session_id,),
        ).fetchone()
        if newest is not None and newest["parent"] == refresh_token:
            issued = newest["token"]
        elif token["past_reuse_interval"]:
            raise _ReuseDetected(str(session_id))
        else:
            issued = _replace(cursor, token, user_id, session_id)
    cursor.execute(
        """update auth.sessions
        set refreshed_at = now() at time zone 'utc', user_agent = %s, ip = %s where id = %s""",
        (client.user_agent, client.ip, session_id),
    )
    return IssuedSession(user, str(session_id), session["created_at"], issued)


def _as_uuid(value: str) -> uuid.UUID | None:
    """`refresh_tokens.user_id` is text in Auth's schema; it holds the user's id."""
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


def _replace(cursor: Cursor[DictRow], token: Row, user_id: str, session_id: uuid.UUID) -> str:
    """Revoke `token` (stamping when) and return its new child."""
    cursor.execute(
        "update auth.refresh_tokens set revoked = true, updated_at = now() where id = %s",
        (token["id"],),
    )
    return _new_refresh_token(cursor, user_id, session_id, parent=token["token"])


def _new_refresh_token(
    cursor: Cursor[DictRow], user_id: str, session_id: uuid.UUID, *, parent: str | None
) -> str:
    token = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    cursor.execute(
        """insert into auth.refresh_tokens
          (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
        values (%s, %s, %s, false, now(), now(), %s, %s)""",
        (_NIL_UUID, token, user_id, parent, session_id),
    )
    return token


def end_sessions(database: Database, user_id: str, session_id: str | None, scope: str) -> None:
    """End the caller's sessions as `logout` does: `local` this one, `others` all but this one,
    `global` all of them (also when the token belongs to no session)."""
    with database.transaction() as cursor:
        if session_id is not None and scope == "local":
            cursor.execute("delete from auth.sessions where id = %s", (session_id,))
        elif session_id is not None and scope == "others":
            cursor.execute(
                "delete from auth.sessions where id <> %s and user_id = %s", (session_id, user_id)
            )
        else:
            cursor.execute("delete from auth.sessions where user_id = %s", (user_id,))
