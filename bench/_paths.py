"""The ways to run one operation: the BFF action, the same action as a Node server (the peer),
PostgREST `rpc`, and the SQL function.

Each path takes the same `Call` and the same user, and returns the function's JSON result (for
`createTicket` the two servers of actions return the ticket itself; the others return
`{ticket, replayed}`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import httpx
import jwt
import psycopg
from postgrest import SyncPostgrestClient
from psycopg import sql
from psycopg.types.json import Jsonb

_TIMEOUT_S = 10.0


class CallFailed(RuntimeError):
    """A call answered with an error (HTTP status ≥ 400, PostgREST or SQL error)."""


@dataclass(frozen=True)
class User:
    """A user of the benchmark's data, with an access token the BFF and PostgREST accept."""

    user_id: str
    email: str
    token: str

    @cached_property
    def claims_json(self) -> str:
        """Return the token's claims, exactly as PostgREST puts them in `request.jwt.claims`."""
        claims = jwt.decode(self.token, options={"verify_signature": False})
        return json.dumps(claims)


@dataclass(frozen=True)
class Call:
    """One operation, spelled for each path: SQL function and params, BFF action and body."""

    function: str
    params: dict[str, Any]
    action: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class AccessPath(Protocol):
    """A way to run a `Call` as a user; `client` picks per-client resources (connections)."""

    name: str

    def run(self, call: Call, user: User, client: int) -> Any: ...

    def close(self) -> None: ...


class _ActionsPath:
    """`POST /actions/<name>` with the user's bearer token, on a server of actions."""

    name: str

    def __init__(self, base_url: str, http: httpx.Client) -> None:
        self._base_url = base_url
        self._http = http

    def run(self, call: Call, user: User, client: int) -> Any:
        return self._post(call, user).json()

    def _post(self, call: Call, user: User) -> httpx.Response:
        headers = {"Authorization": f"Bearer {user.token}", **call.headers}
        response = self._http.post(
            f"{self._base_url}/actions/{call.action}", json=call.body, headers=headers
        )
        if response.status_code >= 400:
            raise CallFailed(
                f"{self.name} {call.action}: {response.status_code} {response.text[:200]}"
            )
        return response

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()


class BffPath(_ActionsPath):
    """The BFF's action."""

    name = "bff"

    def __init__(self, base_url: str, http: httpx.Client) -> None:
        super().__init__(base_url, http)
        self.server_timings: list[tuple[float, float]] = []
        """(app, db) in ms from each answer's `Server-Timing`: inside the BFF, and waiting for
        PostgREST. Appending to a list is atomic, so client threads share it."""

    def run(self, call: Call, user: User, client: int) -> Any:
        response = self._post(call, user)
        timing = server_timing(response.headers.get("Server-Timing", ""))
        self.server_timings.append((timing.get("app", 0.0), timing.get("db", 0.0)))
        return response.json()


class NodePath(_ActionsPath):
    """The same action in `bench/node_actions.mjs`: the seed's architecture, Node server actions
    calling Supabase with supabase-js, which pays the same extra hop as the BFF."""

    name = "node"


class PostgrestPath:
    """supabase-py's PostgREST client, built per request around one shared connection pool.

    This is what the BFF does for every request, minus everything else the BFF does.
    """

    name = "postgrest"

    def __init__(self, rest_url: str, anon_key: str, http: httpx.Client) -> None:
        self._rest_url = rest_url
        self._anon_key = anon_key
        self._http = http

    def run(self, call: Call, user: User, client: int) -> Any:
        postgrest = SyncPostgrestClient(
            self._rest_url,
            headers={"apikey": self._anon_key, "Authorization": f"Bearer {user.token}"},
            http_client=self._http,
            retry_enabled=False,
        )
        try:
            return postgrest.rpc(call.function, call.params).execute().data
        except Exception as error:
            raise CallFailed(f"postgrest {call.function}: {error}") from error

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()


class SqlPath:
    """The SQL function over psycopg, in a transaction with the role and claims PostgREST sets.

    `set_config('role', ..., true)` is `set local role ...`; doing it in the same statement as the
    claims is what PostgREST itself does, so the floor is not handicapped by an extra round trip.
    With `role="service_role"` RLS is bypassed, which shows what the policies cost.
    """

    def __init__(self, db_url: str, role: str = "authenticated") -> None:
        self.name = "sql"
        self.role = role
        self._db_url = db_url
        self._connections: dict[int, psycopg.Connection[Any]] = {}
        self._lock = threading.Lock()

    def run(self, call: Call, user: User, client: int) -> Any:
        connection = self._connection(client)
        arguments = sql.SQL(", ").join(
            sql.SQL("{} => {}").format(sql.Identifier(name), sql.Placeholder(name))
            for name in call.params
        )
        statement = sql.SQL("select {}.{}({})").format(
            sql.Identifier("public"), sql.Identifier(call.function), arguments
        )
        values = {
            name: Jsonb(value) if isinstance(value, dict) else value
            for name, value in call.params.items()
        }
        try:
            with connection.transaction(), connection.cursor() as cursor:
                cursor.execute(
                    "select set_config('role', %s, true), "
                    "set_config('request.jwt.claims', %s, true)",
                    (self.role, user.claims_json),
                )
                cursor.execute(statement, values)
                row = cursor.fetchone()
        except psycopg.Error as error:
            raise CallFailed(f"sql {call.function}: {error}") from error
        return row[0] if row else None

    def _connection(self, client: int) -> psycopg.Connection[Any]:
        with self._lock:
            connection = self._connections.get(client)
            if connection is None or connection.closed:
                connection = psycopg.connect(
                    self._db_url,
                    autocommit=True,
                    connect_timeout=int(_TIMEOUT_S),
                    options=f"-c statement_timeout={int(_TIMEOUT_S * 1000)}",
                )
                self._connections[client] = connection
            return connection

    def close(self) -> None:
        """Close every per-client connection."""
        with self._lock:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()


def server_timing(header: str) -> dict[str, float]:
    """Return the durations of a `Server-Timing` header by metric name."""
    durations = {}
    for metric in header.split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        for param in params:
            if param.startswith("dur="):
                durations[name] = float(param.removeprefix("dur="))
    return durations


def shared_http_client(max_connections: int) -> httpx.Client:
    """Return one HTTP connection pool for the load generator (loopback only).

    Idle connections are dropped after 1 s, before gunicorn's 2 s keep-alive closes them: while
    other arms take their turn a connection idles, and reusing one the server is closing at that
    moment fails with "connection reset by peer".
    """
    return httpx.Client(
        timeout=httpx.Timeout(_TIMEOUT_S, connect=2.0),
        limits=httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=1.0,
        ),
    )
