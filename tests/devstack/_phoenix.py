"""A bare Phoenix channel client (protocol 2.0.0), framing messages as realtime-js frames them,
for the tests of the Realtime stand-in. Independent of the stand-in's own serializer on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

Message = tuple[Any, ...]
"""A received frame as (join_ref, ref, topic, event, payload)."""


class Client:
    """A bare Phoenix 2.0.0 client, framing messages as realtime-js does."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.ws = websocket
        self.ref = 0
        self.unread: list[Message] = []

    async def push(
        self, topic: str, event: str, payload: dict[str, Any], join_ref: str | None = None
    ) -> str:
        self.ref += 1
        await self.ws.send(json.dumps([join_ref, str(self.ref), topic, event, payload]))
        return str(self.ref)

    async def join(
        self,
        topic: str,
        token: str | None,
        *,
        private: bool = True,
        broadcast: dict[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Join `realtime:<topic>`; return the join ref and the reply's payload."""
        config = {
            "broadcast": broadcast or {"ack": False, "self": False},
            "private": private,
            "presence": {"enabled": False},
            "postgres_changes": [],
        }
        payload: dict[str, Any] = {"config": config}
        if token is not None:
            payload["access_token"] = token
        ref = await self.push(f"realtime:{topic}", "phx_join", payload, join_ref=str(self.ref + 1))
        return ref, await self.reply(ref)

    async def send_broadcast(self, join_ref: str, topic: str, event: str, payload: Any) -> str:
        """Send a broadcast as realtime-js does: a binary user broadcast push (kind 3)."""
        self.ref += 1
        parts = [p.encode() for p in (join_ref, str(self.ref), f"realtime:{topic}", event, "")]
        frame = bytes([3, *(len(p) for p in parts), 1]) + b"".join(parts)
        await self.ws.send(frame + json.dumps(payload).encode())
        return str(self.ref)

    async def next(self, match: Callable[[Message], bool], timeout: float = 5) -> Message:
        """Return the first message (unread or new) that `match` accepts."""
        for message in self.unread:
            if match(message):
                self.unread.remove(message)
                return message
        async with asyncio.timeout(timeout):
            while True:
                message = decode(await self.ws.recv())
                if match(message):
                    return message
                self.unread.append(message)

    async def reply(self, ref: str) -> dict[str, Any]:
        message = await self.next(lambda m: m[3] == "phx_reply" and m[1] == ref)
        reply: dict[str, Any] = message[4]
        return reply

    async def broadcasts(self, until_event: str) -> list[tuple[str, Any]]:
        """Every broadcast received until one named `until_event`, as (event, payload).

        The `id` that realtime.send adds to a payload without one (the message's id, also sent
        as `meta.id`) is left out, so payloads compare with what was sent.
        """
        received = []
        while True:
            message = await self.next(lambda m: m[3] == "broadcast")
            received.append((message[4]["event"], without_message_id(message[4])))
            if message[4]["event"] == until_event:
                return received

    async def nothing_more(self, seconds: float = 0.5) -> list[Message]:
        """Whatever arrives within `seconds` (empty when nothing does)."""
        with contextlib.suppress(TimeoutError):
            await self.next(lambda m: False, timeout=seconds)
        return self.unread


def without_message_id(broadcast: dict[str, Any]) -> Any:
    """The broadcast's payload without the `id` realtime.send put there (the message's id)."""
    payload = broadcast["payload"]
    message_id = broadcast.get("meta", {}).get("id")
    if isinstance(payload, dict) and message_id is not None and payload.get("id") == message_id:
        return {name: value for name, value in payload.items() if name != "id"}
    return payload


def decode(frame: str | bytes) -> Message:
    """A frame as (join_ref, ref, topic, event, payload); broadcasts as realtime-js decodes them."""
    if isinstance(frame, str):
        return tuple(json.loads(frame))
    kind, *sizes, encoding = frame[:5]
    assert (kind, encoding) == (4, 1), "a broadcast of JSON, framed as Realtime's user broadcast"
    fields, offset = [], 5
    for size in sizes:
        fields.append(frame[offset : offset + size].decode())
        offset += size
    topic, event, meta = fields
    payload = {"type": "broadcast", "event": event, "payload": json.loads(frame[offset:])}
    if meta:
        payload["meta"] = json.loads(meta)
    return None, None, topic, "broadcast", payload


OpenClient = Callable[..., Awaitable[Client]]


def run_clients(url: str, api_key: str, scenario: Callable[[OpenClient], Awaitable[None]]) -> None:
    """Run `scenario` with a function that opens clients to `url` (all closed afterwards)."""

    async def main() -> None:
        sockets: list[ClientConnection] = []

        async def open_client(vsn: str = "2.0.0") -> Client:
            websocket = await connect(f"{url}/websocket?apikey={api_key}&vsn={vsn}")
            sockets.append(websocket)
            return Client(websocket)

        try:
            await scenario(open_client)
        finally:
            for websocket in sockets:
                await websocket.close()

    asyncio.run(main())
