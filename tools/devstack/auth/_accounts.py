"""Sign-up and sign-in with an email and a password, by Supabase Auth's rules
(internal/api/signup.go, token.go, password.go, mail.go).

Passwords are stored as Auth stores them: bcrypt, cost 10, `$2a$` hashes in
`auth.users.encrypted_password`. A wrong password and an unknown email get the same answer after
the same work, so sign-in cannot tell anyone which addresses have an account.
"""

from __future__ import annotations

import functools
import re

import bcrypt
import psycopg

from devstack.auth._database import USER_COLUMNS, Database, Row
from devstack.auth._errors import (
    EmailNotConfirmed,
    InvalidCredentials,
    PhoneProviderDisabled,
    UserAlreadyExists,
    UserBanned,
    ValidationFailed,
    WeakPassword,
)
from devstack.auth._models import PasswordGrantIn, SignupIn, metadata_json
from devstack.auth._sessions import Client, IssuedSession, issue_session

# bcrypt reads at most 72 bytes; Auth refuses longer passwords rather than cut them.
MAX_PASSWORD_BYTES = 72
_BCRYPT_COST = 10
# The WHATWG form of a valid email address, the format Auth's address check accepts.
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_FIND_BY_EMAIL = f"""select {USER_COLUMNS}, banned_until > now() as banned from auth.users
where lower(email) = lower(%s) and aud = 'authenticated' and is_sso_user = false"""


def sign_up(
    database: Database, params: SignupIn, client: Client, *, minimum_password_length: int
) -> IssuedSession:
    """Create a confirmed user (email confirmations are off locally) and begin a session."""
    email, password = params.email or "", params.password or ""
    if not password:
        raise ValidationFailed("Signup requires a valid password")
    check_password_strength(password, minimum_password_length)
    if email and params.phone:
        raise ValidationFailed(
            "Only an email address or phone number should be provided on signup."
        )
    if params.phone:
        raise PhoneProviderDisabled("Phone signups are disabled")
    if not email:
        raise ValidationFailed("Sign up only available with email provider")
    email = _valid_email(email)
    metadata = metadata_json(params.data or {})
    encrypted = _hash(password)  # slow: before the transaction, as Auth does
    try:
        with database.transaction() as cursor:
            if cursor.execute(_FIND_BY_EMAIL, (email,)).fetchone() is not None:
                raise UserAlreadyExists()
            user = cursor.execute(
                f"""insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
                  email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at,
                  updated_at)
                values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(),
                  'authenticated', 'authenticated', %s, %s, now(),
                  '{{"provider": "email", "providers": ["email"]}}', %s::jsonb, now(), now())
                returning {USER_COLUMNS}""",
                (email, encrypted, metadata),
            ).fetchone()
            assert user is not None
            return issue_session(cursor, user, client)
    except psycopg.errors.UniqueViolation:  # signed up at the same moment
        raise UserAlreadyExists() from None


def sign_in_with_password(
    database: Database, params: PasswordGrantIn, client: Client
) -> IssuedSession:
    """Begin a session for the user with this email and password."""
    if params.email and params.phone:
        raise ValidationFailed("Only an email address or phone number should be provided on login.")
    if params.phone:
        raise PhoneProviderDisabled("Phone logins are disabled", status=422)
    if not params.email:
        raise ValidationFailed("missing email or phone")
    user = _find_by_email(database, params.email)
    if not password_matches(params.password or "", user["encrypted_password"] if user else None):
        raise InvalidCredentials()
    assert user is not None
    if user["banned"]:
        raise UserBanned("User is banned")
    if user["email_confirmed_at"] is None:
        raise EmailNotConfirmed("Email not confirmed")
    with database.transaction() as cursor:
        return issue_session(cursor, user, client)


def check_password_strength(password: str, minimum_length: int) -> None:
    """Raise unless `password` may be set: at most 72 bytes, at least the minimum length."""
    size = len(password.encode())
    if size > MAX_PASSWORD_BYTES:
        raise ValidationFailed(f"Password cannot be longer than {MAX_PASSWORD_BYTES} characters")
    if size < minimum_length:
        raise WeakPassword(
            f"Password should be at least {minimum_length} characters.", reasons=["length"]
        )


def password_matches(password: str, encrypted: str | None) -> bool:
    """Return whether `password` is the one hashed in `encrypted`, always at bcrypt's cost."""
    candidate = password.encode()
    if encrypted is None or not encrypted.startswith("$2") or len(candidate) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"", _decoy_hash())  # the same work as a real comparison
        return False
    try:
        return bcrypt.checkpw(candidate, encrypted.encode())
    except ValueError:  # not a bcrypt hash after all
        return False


def _hash(password: str) -> str:
    salt = bcrypt.gensalt(rounds=_BCRYPT_COST, prefix=b"2a")
    return bcrypt.hashpw(password.encode(), salt).decode()


@functools.cache
def _decoy_hash() -> bytes:
    return _hash("no account has this password").encode()


def _valid_email(email: str) -> str:
    if len(email) > 255:
        raise ValidationFailed("An email address is too long")
    if not _EMAIL.fullmatch(email):
        raise ValidationFailed("Unable to validate email address: invalid format")
    return email.lower()


def _find_by_email(database: Database, email: str) -> Row | None:
    if "\x00" in email:  # Postgres text cannot hold it, so no address has it
        return None
    with database.transaction() as cursor:
        return cursor.execute(_FIND_BY_EMAIL, (email,)).fetchone()
