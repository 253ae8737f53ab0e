"""The stand-in's connections to Postgres: one small pool per worker process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg import Connection, Cursor
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

# The columns of auth.users the stand-in reads.
USER_COLUMNS = """id, aud, role, email, phone, encrypted_password, email_confirmed_at,
  phone_confirmed_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at,
  updated_at, banned_until, is_anonymous"""

Row = dict[str, Any]


class Database:
    """Transactions on the stack's database, as the Auth server makes them."""

    def __init__(self, url: str, *, max_size: int) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            connection_class=Connection[DictRow],
            kwargs={"row_factory": dict_row, "application_name": "devstack-auth"},
            open=True,
        )

    @contextmanager
    def transaction(self) -> Iterator[Cursor[DictRow]]:
        """Yield a cursor in a transaction, committed when the block ends without an error."""
        with self._pool.connection() as connection, connection.cursor() as cursor:
            yield cursor

    def close(self) -> None:
        self._pool.close()
