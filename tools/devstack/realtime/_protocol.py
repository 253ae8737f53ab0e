"""The Phoenix channel protocol as supabase-js speaks it, in both of its serializer versions.

`vsn=2.0.0` (realtime-js's default): text frames are JSON arrays
`[join_ref, ref, topic, event, payload]`; a client's broadcast arrives as a binary
"user broadcast push" frame (kind 3) and a broadcast reaches clients as a binary "user broadcast"
frame (kind 4), both laid out as Realtime's `RealtimeWeb.Socket.V2Serializer` and realtime-js's
`lib/serializer.js` lay them out. `vsn=1.0.0`: every frame is a JSON object
`{topic, event, payload, ref}` (Phoenix's V1 JSON serializer), and broadcasts are JSON too.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any, Protocol

VSN_1 = "1.0.0"
VSN_2 = "2.0.0"

_USER_BROADCAST_PUSH = 3
_USER_BROADCAST = 4
_JSON_ENCODING = 1


class MalformedFrame(ValueError):
    """A frame this protocol cannot read (Realtime logs it and keeps the connection)."""


@dataclass(frozen=True)
class Broadcast:
    """A broadcast as it travels to subscribers: the user's event name and payload bytes."""

    event: str
    payload: bytes
    json_encoded: bool = True
    meta: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, event: str, payload: Any, meta: dict[str, Any] | None = None) -> Broadcast:
        """Return a broadcast whose payload is `payload` encoded as JSON."""
        return cls(event, json.dumps(payload, separators=(",", ":")).encode(), True, meta)


@dataclass(frozen=True)
class Message:
    """One decoded client frame. `payload` is a JSON object, or a `Broadcast` (binary push)."""

    join_ref: str | None
    ref: str | None
    topic: str
    event: str
    payload: dict[str, Any] | Broadcast


class Serializer(Protocol):
    """Turns frames into messages and replies, pushes and broadcasts into frames."""

    def decode(self, frame: str | bytes) -> Message: ...

    def reply(
        self, join_ref: str | None, ref: str | None, topic: str, status: str,
        response: dict[str, Any],
    ) -> str: ...  # fmt: skip

    def push(
        self, join_ref: str | None, ref: str | None, topic: str, event: str,
        payload: dict[str, Any],
    ) -> str: ...  # fmt: skip

    def broadcast(self, topic: str, message: Broadcast) -> str | bytes | None: ...


def serializer_for(vsn: str | None) -> Serializer | None:
    """Return the serializer for a `vsn` query parameter (Phoenix's default is 1.0.0)."""
    if vsn in (None, VSN_1):
        return V1Serializer()
    if vsn == VSN_2:
        return V2Serializer()
    return None


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _optional_ref(value: Any) -> str | None:
    return None if value is None else str(value)


def _fields(topic: Any, event: Any, payload: Any) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(topic, str) or not isinstance(event, str) or not isinstance(payload, dict):
        raise MalformedFrame("expected a topic, an event and an object payload")
    return topic, event, payload


def _json_object(frame: str | bytes) -> Any:
    try:
        return json.loads(frame)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedFrame(f"not JSON: {error}") from None


class V1Serializer:
    """`vsn=1.0.0`: JSON objects both ways."""

    def decode(self, frame: str | bytes) -> Message:
        if isinstance(frame, bytes):
            raise MalformedFrame("binary frames need vsn=2.0.0")
        data = _json_object(frame)
        if not isinstance(data, dict):
            raise MalformedFrame("expected a JSON object")
        topic, event, payload = _fields(data.get("topic"), data.get("event"), data.get("payload"))
        join_ref, ref = _optional_ref(data.get("join_ref")), _optional_ref(data.get("ref"))
        return Message(join_ref, ref, topic, event, payload)

    def reply(
        self, join_ref: str | None, ref: str | None, topic: str, status: str,
        response: dict[str, Any],
    ) -> str:  # fmt: skip
        payload = {"status": status, "response": response}
        return _text({"topic": topic, "event": "phx_reply", "payload": payload, "ref": ref})

    def push(
        self, join_ref: str | None, ref: str | None, topic: str, event: str,
        payload: dict[str, Any],
    ) -> str:  # fmt: skip
        return _text({"topic": topic, "event": event, "payload": payload, "ref": ref})

    def broadcast(self, topic: str, message: Broadcast) -> str | None:
        # As Realtime converts a user broadcast for V1 sockets: JSON payloads only.
        if not message.json_encoded:
            return None
        payload: dict[str, Any] = {
            "type": "broadcast",
            "event": message.event,
            "payload": json.loads(message.payload),
        }
        if message.meta is not None:
            payload["meta"] = message.meta
        return self.push(None, None, topic, "broadcast", payload)


class V2Serializer:
    """`vsn=2.0.0`: JSON arrays, and binary frames for user broadcasts."""

    def decode(self, frame: str | bytes) -> Message:
        if isinstance(frame, bytes):
            return self._decode_binary(frame)
        data = _json_object(frame)
        if not isinstance(data, list) or len(data) < 5:
            raise MalformedFrame("expected a V2 array [join_ref, ref, topic, event, payload]")
        topic, event, payload = _fields(*data[2:5])
        return Message(_optional_ref(data[0]), _optional_ref(data[1]), topic, event, payload)

    def _decode_binary(self, frame: bytes) -> Message:
        if len(frame) < 7 or frame[0] != _USER_BROADCAST_PUSH:
            raise MalformedFrame("the only binary frame a client may send is a user broadcast push")
        sizes = struct.unpack_from("6B", frame, 1)
        join_ref_size, ref_size, topic_size, event_size, meta_size, encoding = sizes
        offset = 7
        fields = []
        for size in (join_ref_size, ref_size, topic_size, event_size, meta_size):
            fields.append(frame[offset : offset + size].decode())
            offset += size
        if offset > len(frame):
            raise MalformedFrame("user broadcast push shorter than its header says")
        join_ref, ref, topic, event, _meta = fields
        broadcast = Broadcast(event, frame[offset:], encoding == _JSON_ENCODING)
        return Message(join_ref or None, ref or None, topic, "broadcast", broadcast)

    def reply(
        self, join_ref: str | None, ref: str | None, topic: str, status: str,
        response: dict[str, Any],
    ) -> str:  # fmt: skip
        payload = {"status": status, "response": response}
        return _text([join_ref, ref, topic, "phx_reply", payload])

    def push(
        self, join_ref: str | None, ref: str | None, topic: str, event: str,
        payload: dict[str, Any],
    ) -> str:  # fmt: skip
        return _text([join_ref, ref, topic, event, payload])

    def broadcast(self, topic: str, message: Broadcast) -> bytes | None:
        meta = b"" if message.meta is None else _text(message.meta).encode()
        parts = (topic.encode(), message.event.encode(), meta)
        if any(len(part) > 255 for part in parts):
            return None  # Realtime cannot frame it either: each size is one byte
        encoding = _JSON_ENCODING if message.json_encoded else 0
        header = struct.pack("5B", _USER_BROADCAST, *(len(part) for part in parts), encoding)
        return header + b"".join(parts) + message.payload
