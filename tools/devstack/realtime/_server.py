"""The HTTP boundary: `GET /websocket?apikey=…&vsn=…` (what nginx passes on from
`/realtime/v1/websocket`) and `GET /health`.

As Realtime's `UserSocket.connect/3`, the API key (`apikey` query parameter or `x-api-key`
header) is verified before the WebSocket opens; a refused key gets HTTP 401 with
`{"error": "..."}`, and a protocol version other than 1.0.0 and 2.0.0 gets 403.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from psycopg_pool import AsyncConnectionPool
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from devstack.realtime._authorization import Authorizer
from devstack.realtime._delivery import Hub
from devstack.realtime._janitor import keep_partitions_ahead
from devstack.realtime._protocol import Serializer, serializer_for
from devstack.realtime._session import Services, Session
from devstack.realtime._tokens import TokenRefused, TokenVerifier

_log = logging.getLogger(__name__)

_STARTUP_TIMEOUT = 10.0  # seconds to reach the database before giving up


class StartupError(RuntimeError):
    """The server could not start; the message says why."""


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen, which database to authorize against and read from, and the stack's keys.

    `db_url` names a superuser, as hosted Realtime connects as supabase_admin: it streams the WAL,
    sets the caller's role for each check, and creates the partitions of realtime.messages.
    """

    host: str
    port: int
    db_url: str
    keys_dir: Path


@dataclass(frozen=True)
class _Handshake:
    serializer: Serializer
    api_key: str
    headers: dict[str, str]


async def serve_until(config: ServerConfig, stop: asyncio.Event) -> None:
    """Serve until `stop` is set; raise `StartupError` if the database cannot be reached."""
    try:
        verifier = TokenVerifier(config.keys_dir)
    except (OSError, ValueError, KeyError) as error:
        raise StartupError(f"cannot read the stack's keys in {config.keys_dir}: {error}") from None
    pool = AsyncConnectionPool(
        config.db_url, min_size=1, max_size=8, timeout=5.0, open=False, kwargs={"autocommit": True}
    )
    hub = Hub(config.db_url)
    listener = asyncio.create_task(hub.run())
    janitor: asyncio.Task[None] | None = None
    try:
        try:
            await pool.open(wait=True, timeout=_STARTUP_TIMEOUT)
        except Exception as error:
            raise StartupError(f"cannot reach the database at {config.db_url}: {error}") from None
        janitor = asyncio.create_task(keep_partitions_ahead(pool))
        try:
            await asyncio.wait_for(hub.streaming.wait(), _STARTUP_TIMEOUT)
        except TimeoutError:
            raise StartupError(f"cannot stream realtime.messages: {hub.last_error}") from None
        services = Services(verifier, Authorizer(pool), hub)
        boundary = _Boundary(services)
        async with serve(boundary.handle, config.host, config.port,
                         process_request=boundary.check_request, server_header=None):  # fmt: skip
            _log.info("Realtime stand-in serving ws://%s:%s/websocket", config.host, config.port)
            await stop.wait()
    finally:
        listener.cancel()
        if janitor is not None:
            janitor.cancel()
        await pool.close()


class _Boundary:
    def __init__(self, services: Services) -> None:
        self._services = services

    def check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer /health and refused handshakes; let accepted WebSocket handshakes through."""
        path = urlsplit(request.path).path
        if path == "/health":
            if self._services.hub.streaming.is_set():
                return connection.respond(HTTPStatus.OK, "ok\n")
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "not streaming messages\n")
        if path != "/websocket":
            return _json(connection, HTTPStatus.NOT_FOUND, "Not found")
        handshake = self._handshake(request)
        if isinstance(handshake, tuple):
            return _json(connection, *handshake)
        return None

    def _handshake(self, request: Request) -> _Handshake | tuple[HTTPStatus, str]:
        query = parse_qs(urlsplit(request.path).query)
        serializer = serializer_for(query.get("vsn", [None])[0])
        if serializer is None:
            return HTTPStatus.FORBIDDEN, "Unsupported protocol version"
        api_key = request.headers.get("x-api-key") or query.get("apikey", [None])[0]
        if not api_key:
            return HTTPStatus.UNAUTHORIZED, "API key is missing"
        try:
            self._services.verifier.verify(api_key)
        except TokenRefused as refusal:
            return HTTPStatus.UNAUTHORIZED, refusal.at_connect
        headers = {name.lower(): value for name, value in request.headers.raw_items()
                   if name.lower().startswith("x-")}  # fmt: skip
        return _Handshake(serializer, api_key, headers)

    async def handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        handshake = self._handshake(connection.request)
        assert isinstance(handshake, _Handshake)
        session = Session(connection, handshake.serializer, self._services, handshake.api_key,
                          handshake.headers)  # fmt: skip
        await session.run()


def _json(connection: ServerConnection, status: HTTPStatus, error: str) -> Response:
    response = connection.respond(status, json.dumps({"error": error}))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response
