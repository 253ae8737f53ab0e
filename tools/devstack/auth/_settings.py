"""The stand-in's settings, checked once before it serves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg

from devstack._keys import LOCAL_ISSUER, LocalKeys


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


@dataclass(frozen=True)
class AuthSettings:
    """Where the stand-in finds its database and keys, and the Auth settings it applies.

    The defaults are supabase/config.toml's `[auth]` values, which `supabase start` gives Auth.
    """

    db_url: str
    keys_dir: Path
    issuer: str = LOCAL_ISSUER
    jwt_expiry: int = 3600
    """Seconds an access token lasts (`jwt_expiry`)."""
    refresh_token_reuse_interval: int = 10
    """Seconds after its rotation during which a refresh token may still be used once more
    (`refresh_token_reuse_interval`); after it, reusing one ends its session."""
    minimum_password_length: int = 6
    """`minimum_password_length`: shorter passwords are refused at sign-up as weak."""

    @property
    def keys(self) -> LocalKeys:
        return LocalKeys(self.keys_dir)

    def check(self) -> None:
        """Raise `SettingsError` unless the keys and Auth's tables are there."""
        if self.jwt_expiry < 1 or self.refresh_token_reuse_interval < 0:
            raise SettingsError("jwt_expiry must be positive and the reuse interval not negative")
        if self.minimum_password_length < 6:
            raise SettingsError("minimum_password_length is at least 6, as Supabase Auth requires")
        keys = self.keys
        for path in (keys.private_key_file, keys.folder / "signing-key.kid", keys.public_jwks_file):
            if not path.is_file():
                raise SettingsError(
                    f"{path} not found: --keys must be the local stack's keys folder"
                    " (<state>/keys, written by `bff stack up`)"
                )
        self._check_database()

    def _check_database(self) -> None:
        try:
            with psycopg.connect(self.db_url, connect_timeout=5) as connection:
                row = connection.execute(
                    "select to_regclass('auth.sessions') is not null"
                    " and to_regclass('auth.refresh_tokens') is not null"
                ).fetchone()
        except psycopg.Error as error:
            raise SettingsError(f"cannot reach the database at --db-url: {error}") from None
        if not (row and row[0]):
            raise SettingsError(
                "auth.sessions or auth.refresh_tokens is missing: the database predates the"
                " bootstrap's Auth sessions section; rebuild it with `bff stack reset`"
            )
