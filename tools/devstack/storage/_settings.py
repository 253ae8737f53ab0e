"""The stand-in's settings, checked once before it serves."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg

from devstack._keys import LocalKeys

# supabase/config.toml's `[storage] file_size_limit = "50MiB"`, the server-wide cap.
DEFAULT_FILE_SIZE_LIMIT = 50 * 1024 * 1024
# How long a signed upload URL lasts on hosted projects (Storage's
# UPLOAD_SIGNED_URL_EXPIRATION_TIME there): two hours.
DEFAULT_UPLOAD_URL_EXPIRY = 7200


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


@dataclass(frozen=True)
class StorageSettings:
    """Where the stand-in finds its database, keys and bytes, and the limits it applies."""

    db_url: str
    """Postgres as `supabase_storage_admin` (any role that may `set role` to the API roles)."""
    keys_dir: Path
    data_dir: Path
    file_size_limit: int = DEFAULT_FILE_SIZE_LIMIT
    upload_url_expiry: int = DEFAULT_UPLOAD_URL_EXPIRY

    @property
    def keys(self) -> LocalKeys:
        return LocalKeys(self.keys_dir)

    def check(self) -> None:
        """Raise `SettingsError` unless keys, data folder and database are usable."""
        if self.file_size_limit < 0 or self.upload_url_expiry < 1:
            raise SettingsError("the file size limit and the upload URL expiry must be positive")
        if not self.keys.public_jwks_file.is_file():
            raise SettingsError(
                f"{self.keys.public_jwks_file} not found: --keys must be the local stack's keys"
                " folder (<state>/keys, written by `bff stack up`)"
            )
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SettingsError(f"cannot create the data folder {self.data_dir}: {error}") from None
        if not os.access(self.data_dir, os.W_OK | os.X_OK):
            raise SettingsError(f"the data folder {self.data_dir} is not writable")
        self._check_database()

    def _check_database(self) -> None:
        try:
            with psycopg.connect(self.db_url, connect_timeout=5) as connection:
                row = connection.execute(
                    """select to_regclass('storage.objects') is not null
                      and to_regclass('storage.buckets') is not null,
                    pg_has_role(current_user, 'anon', 'MEMBER')
                      and pg_has_role(current_user, 'authenticated', 'MEMBER')
                      and pg_has_role(current_user, 'service_role', 'MEMBER')"""
                ).fetchone()
        except psycopg.Error as error:
            raise SettingsError(f"cannot reach the database at --db-url: {error}") from None
        if not (row and row[0]):
            raise SettingsError(
                "storage.objects or storage.buckets is missing: run supabase/local/storage.sql"
                " (`bff stack up` does)"
            )
        if not row[1]:
            raise SettingsError(
                "the --db-url role cannot `set role` to anon, authenticated and service_role:"
                " connect as supabase_storage_admin, as hosted Storage does"
            )
