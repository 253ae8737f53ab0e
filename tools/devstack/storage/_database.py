"""Transactions run as Storage runs them (src/internal/database/postgres/scope.ts).

Every statement runs in a transaction that first takes on the caller: `role` (so RLS applies),
`request.jwt.claims` and the legacy per-claim settings, the request's headers, method and path,
`storage.operation` (the API operation, for operation-aware policies) and
`storage.allow_delete_query` (the delete guard lets Storage's own deletes through). The
connection itself is `supabase_storage_admin`, which may only `set role` to the API roles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import Connection, Cursor, sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from devstack.storage._errors import database_error
from devstack.storage._tokens import Caller

Row = dict[str, Any]

_TAKE_ON_CALLER = """select
  set_config('role', %(role)s, true),
  set_config('request.jwt.claim.role', %(role)s, true),
  set_config('request.jwt', %(jwt)s, true),
  set_config('request.jwt.claim.sub', %(sub)s, true),
  set_config('request.jwt.claims', %(claims)s, true),
  set_config('request.headers', %(headers)s, true),
  set_config('request.method', %(method)s, true),
  set_config('request.path', %(path)s, true),
  set_config('storage.operation', %(operation)s, true),
  set_config('storage.allow_delete_query', 'true', true)"""


@dataclass(frozen=True)
class Scope:
    """One API operation on behalf of one caller, as the database is told about it."""

    caller: Caller
    operation: str
    method: str = ""
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def as_caller(self, caller: Caller) -> Scope:
        """The same operation on behalf of someone else (Storage's `asSuperUser()`)."""
        return Scope(caller, self.operation, self.method, self.path, self.headers)


class Database:
    """The stand-in's connections: one small pool per worker process."""

    def __init__(self, url: str, *, max_size: int) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            connection_class=Connection[DictRow],
            kwargs={"row_factory": dict_row, "application_name": "devstack-storage"},
            open=True,
        )

    @contextmanager
    def transaction(self, scope: Scope) -> Iterator[Cursor[DictRow]]:
        """Yield a cursor acting as `scope`'s caller, committed when the block ends cleanly.

        Database errors leave as Storage's errors (`StorageError`).
        """
        try:
            with self._pool.connection() as connection, connection.cursor() as cursor:
                _take_on(cursor, scope)
                yield cursor
        except psycopg.Error as error:
            raise database_error(error) from None

    def test_permission(
        self, scope: Scope, statement: sql.SQL | sql.Composed, params: dict[str, Any]
    ) -> None:
        """Run `sql` as `scope`'s caller and roll it back: raise as Storage if it fails.

        This is how Storage asks the policies whether an upload may happen before it stores
        anything (`testPermission`).
        """
        try:
            with self._pool.connection() as connection:
                try:
                    with connection.cursor() as cursor:
                        _take_on(cursor, scope)
                        cursor.execute(statement, params)
                finally:
                    connection.rollback()
        except psycopg.Error as error:
            raise database_error(error) from None

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self._pool.connection() as connection:
            connection.execute("select id from storage.buckets limit 1")

    def close(self) -> None:
        self._pool.close()


def _take_on(cursor: Cursor[DictRow], scope: Scope) -> None:
    caller = scope.caller
    cursor.execute(
        _TAKE_ON_CALLER,
        {
            "role": caller.role,
            "jwt": caller.jwt,
            "sub": caller.owner or "",
            "claims": json.dumps(caller.claims),
            "headers": json.dumps(scope.headers),
            "method": scope.method,
            "path": scope.path,
            "operation": scope.operation,
        },
    )
