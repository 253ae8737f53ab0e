"""One WebSocket connection: its joined channels and the channel events of `RealtimeChannel`.

Frames are handled one at a time, in the order they arrive; everything sent goes through one
queue, so a join's reply always precedes the broadcasts of that channel.

    phoenix / heartbeat   reply ok
    phx_join              authorize (private only, token, RLS read check), reply ok or
                          error {reason}
    phx_leave             reply ok, then phx_close (only ok when the topic is not joined)
    access_token          verify and re-check; if it no longer passes, a `system` error message
                          and phx_close end the channel (as Realtime's shutdown_response)
    broadcast             sent on to the topic's other subscribers only if RLS lets the token
                          insert into realtime.messages; else dropped, with no reply
    anything else         ignored on a joined channel; error "unmatched topic" elsewhere
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from devstack.realtime._authorization import AuthorizationContext, Authorizer, DatabaseUnavailable
from devstack.realtime._delivery import Hub
from devstack.realtime._protocol import Broadcast, MalformedFrame, Message, Serializer
from devstack.realtime._tokens import Claims, TokenRefused, TokenVerifier

_log = logging.getLogger(__name__)

_PREFIX = "realtime:"
_NO_DATABASE = "Realtime was unable to connect to the project database"


def _cannot_read(sub_topic: str) -> str:
    return f"You do not have permissions to read from this Channel topic: {sub_topic}"


class JoinRefused(Exception):
    """A join that Realtime answers with `{status: "error", response: {reason}}`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.message = message
        self.reason = f"{code}: {message}"


@dataclass(frozen=True)
class Services:
    """What every connection shares: token checks, RLS checks and the delivery hub."""

    verifier: TokenVerifier
    authorizer: Authorizer
    hub: Hub


@dataclass(eq=False)
class Channel:
    """A joined private channel."""

    session: Session
    topic: str
    join_ref: str | None
    context: AuthorizationContext
    token: str
    self_broadcast: bool
    ack_broadcast: bool
    may_write: bool | None = None
    expiry: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def sub_topic(self) -> str:
        return self.context.topic

    def deliver(self, broadcast: Broadcast) -> None:
        self.session.send_broadcast(self.topic, broadcast)


class Session:
    """Serves one client connection until it closes."""

    def __init__(
        self, websocket: ServerConnection, serializer: Serializer, services: Services,
        api_key: str, headers: Mapping[str, str],
    ) -> None:  # fmt: skip
        self._ws = websocket
        self._serializer = serializer
        self._services = services
        self._api_key = api_key
        self._headers = dict(headers)
        self._channels: dict[str, Channel] = {}
        self._outbox: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def run(self) -> None:
        writer = asyncio.create_task(self._write())
        try:
            async for frame in self._ws:
                await self._receive(frame)
        except ConnectionClosed:
            pass
        finally:
            for channel in list(self._channels.values()):
                self._forget(channel)
            writer.cancel()

    async def _write(self) -> None:
        try:
            while True:
                await self._ws.send(await self._outbox.get())
        except ConnectionClosed:
            pass

    # Sending ------------------------------------------------------------------------------------
    def _reply(self, message: Message, status: str, response: dict[str, Any]) -> None:
        topic, join_ref, ref = message.topic, message.join_ref, message.ref
        self._outbox.put_nowait(self._serializer.reply(join_ref, ref, topic, status, response))

    def _unmatched(self, message: Message) -> None:
        """Answer a message for a topic that is not joined, as Phoenix does."""
        reason = {"reason": "unmatched topic"}
        frame = self._serializer.reply(None, message.ref, message.topic, "error", reason)
        self._outbox.put_nowait(frame)

    def _push(self, channel: Channel, event: str, payload: dict[str, Any], ref: str | None) -> None:
        frame = self._serializer.push(channel.join_ref, ref, channel.topic, event, payload)
        self._outbox.put_nowait(frame)

    def send_broadcast(self, topic: str, broadcast: Broadcast) -> None:
        frame = self._serializer.broadcast(topic, broadcast)
        if frame is not None:
            self._outbox.put_nowait(frame)

    # Receiving ----------------------------------------------------------------------------------
    async def _receive(self, frame: str | bytes) -> None:
        try:
            message = self._serializer.decode(frame)
        except MalformedFrame as error:
            _log.info("MalformedWebSocketMessage: %s", error)
            return
        channel = self._channels.get(message.topic)
        if message.topic == "phoenix" and message.event == "heartbeat":
            self._reply(message, "ok", {})
        elif message.event == "phx_join":
            await self._join(message)
        elif channel is None and message.event == "phx_leave":
            self._reply(message, "ok", {})  # Phoenix: leaving what is not joined is fine
        elif channel is None:
            self._unmatched(message)
        elif message.event == "phx_leave":
            if message.join_ref in (channel.join_ref, None):  # else it raced a close: no reply
                self._reply(message, "ok", {})
                self._close(channel)
        elif message.event == "access_token":
            await self._access_token(channel, message.payload)
        elif message.event == "broadcast":
            await self._broadcast(channel, message)
        else:
            _log.info("Unexpected message from client of type `%s`", message.event)

    async def _join(self, message: Message) -> None:
        if not message.topic.startswith(_PREFIX):
            self._unmatched(message)
            return
        duplicate = self._channels.get(message.topic)
        if duplicate is not None:  # Phoenix closes the existing channel for the new join
            self._close(duplicate)
        try:
            channel = await self._authorized_channel(message)
        except JoinRefused as refusal:
            _log.info("join of %s refused: %s", message.topic, refusal.reason)
            self._reply(message, "error", {"reason": refusal.reason})
            return
        self._channels[channel.topic] = channel
        self._services.hub.subscribe(channel.sub_topic, channel)
        self._watch_expiry(channel)
        self._reply(message, "ok", {"postgres_changes": []})

    async def _authorized_channel(self, message: Message) -> Channel:
        payload = message.payload if isinstance(message.payload, dict) else {}
        sub_topic = message.topic.removeprefix(_PREFIX)
        config = payload.get("config") or {}
        if not sub_topic:
            raise JoinRefused("TopicNameRequired", "You must provide a topic name")
        if config.get("private") not in (True, "true"):
            raise JoinRefused("PrivateOnly", "This project only allows private channels")
        if config.get("postgres_changes"):
            raise JoinRefused("PostgresChangesUnsupported",
                              "The local Realtime stand-in delivers broadcasts only")  # fmt: skip
        token = payload.get("access_token") or payload.get("user_token") or self._api_key
        context = AuthorizationContext(sub_topic, self._verify(str(token)), self._headers)
        if not await self._can_read(context):
            raise JoinRefused("Unauthorized", _cannot_read(sub_topic))
        broadcast = config.get("broadcast") or {}
        return Channel(self, message.topic, message.join_ref, context, str(token),
                       broadcast.get("self") is True, broadcast.get("ack") is True)  # fmt: skip

    def _verify(self, token: str) -> Claims:
        try:
            return self._services.verifier.verify(token)
        except TokenRefused as refusal:
            raise JoinRefused(refusal.code, refusal.message) from None

    async def _can_read(self, context: AuthorizationContext) -> bool:
        try:
            return await self._services.authorizer.can_read(context)
        except DatabaseUnavailable as error:
            _log.warning("UnableToConnectToProject: %s", error)
            raise JoinRefused("UnableToConnectToProject", _NO_DATABASE) from None

    async def _access_token(self, channel: Channel, payload: Any) -> None:
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or token == channel.token or token.startswith("sb_"):
            return
        try:
            context = AuthorizationContext(channel.sub_topic, self._verify(token), self._headers)
            allowed = await self._can_read(context)
        except JoinRefused as refusal:
            self._shut_down(channel, refusal.message)
            return
        if not allowed:
            self._shut_down(channel, _cannot_read(channel.sub_topic))
            return
        channel.context, channel.token, channel.may_write = context, token, None
        self._watch_expiry(channel)

    async def _broadcast(self, channel: Channel, message: Message) -> None:
        if channel.may_write is None:
            try:
                channel.may_write = await self._services.authorizer.can_write(channel.context)
            except DatabaseUnavailable as error:
                _log.warning("UnableToConnectToProject: %s", error)
                return
        if not channel.may_write:
            _log.info("broadcast on %s refused: the insert policy denies it", channel.sub_topic)
            return
        payload = message.payload
        if isinstance(payload, dict):
            payload = Broadcast.from_json(str(payload.get("event")), payload.get("payload"))
        sender = None if channel.self_broadcast else channel
        self._services.hub.publish(channel.sub_topic, payload, sender)
        if channel.ack_broadcast:
            self._reply(message, "ok", {})

    # Ending channels ----------------------------------------------------------------------------
    def _watch_expiry(self, channel: Channel) -> None:
        if channel.expiry is not None:
            channel.expiry.cancel()
        delay = max(0.0, channel.context.claims.expires_at - time.time())
        channel.expiry = asyncio.get_running_loop().call_later(delay, self._expired, channel)

    def _expired(self, channel: Channel) -> None:
        if self._channels.get(channel.topic) is channel:
            ago = int(time.time()) - channel.context.claims.expires_at
            self._shut_down(channel, f"Token has expired {ago} seconds ago")

    def _shut_down(self, channel: Channel, reason: str) -> None:
        """End the channel as Realtime does: a `system` error message, then phx_close."""
        _log.info("channel %s shut down: %s", channel.topic, reason)
        payload = {"extension": "system", "status": "error", "message": reason,
                   "channel": channel.sub_topic}  # fmt: skip
        self._push(channel, "system", payload, None)
        self._close(channel)

    def _close(self, channel: Channel) -> None:
        self._push(channel, "phx_close", {}, channel.join_ref)
        self._forget(channel)

    def _forget(self, channel: Channel) -> None:
        if self._channels.get(channel.topic) is channel:
            del self._channels[channel.topic]
        self._services.hub.unsubscribe(channel.sub_topic, channel)
        if channel.expiry is not None:
            channel.expiry.cancel()
