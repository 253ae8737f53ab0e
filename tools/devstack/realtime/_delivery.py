"""Delivery: every committed private row of realtime.messages reaches the channels joined to its
topic, in commit order.

One task reads the rows from the WAL (`_replication`, as hosted Realtime does) and hands each one
to the subscribers of its topic, one row after the other; each subscriber queues what it is
handed, so it sends a topic's messages in the order they were committed. As Realtime, only rows
with `private = true` reach private channels, and a row without an event or a payload is not
broadcast; the broadcast carries the row's id as `meta.id`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Protocol

import psycopg

from devstack.realtime._protocol import Broadcast
from devstack.realtime._replication import ReplicationStream, Row

_log = logging.getLogger(__name__)

_RETRY_AFTER = 1.0  # seconds between attempts to reach the database again


class Subscriber(Protocol):
    """A joined channel that broadcasts of its topic are handed to."""

    def deliver(self, broadcast: Broadcast) -> None: ...


class Hub:
    """Who listens to which topic, and the task that feeds them from the database."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url
        self._subscribers: defaultdict[str, list[Subscriber]] = defaultdict(list)
        self.streaming = asyncio.Event()
        """Set while the replication stream is up (the server's health)."""
        self.last_error: str | None = None

    def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        self._subscribers[topic].append(subscriber)

    def unsubscribe(self, topic: str, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(topic, [])
        if subscriber in subscribers:
            subscribers.remove(subscriber)
        if not subscribers:
            self._subscribers.pop(topic, None)

    def publish(self, topic: str, broadcast: Broadcast, sender: Subscriber | None = None) -> None:
        """Hand `broadcast` to every subscriber of `topic` except `sender`."""
        for subscriber in list(self._subscribers.get(topic, [])):
            if subscriber is not sender:
                subscriber.deliver(broadcast)

    async def run(self) -> None:
        """Stream messages until cancelled, reconnecting when the database drops."""
        while True:
            try:
                await self._stream()
            except psycopg.OperationalError as error:
                if str(error) != self.last_error:
                    # Realtime does not replay what was sent while it was away either.
                    _log.warning("no replication stream (%s); retrying every second", error)
                self.last_error = str(error)
            self.streaming.clear()
            await asyncio.sleep(_RETRY_AFTER)

    async def _stream(self) -> None:
        async with ReplicationStream(self._db_url) as stream:
            self.streaming.set()
            self.last_error = None
            _log.info("streaming the inserts into realtime.messages")
            async for row in stream.inserted_rows():
                self._inserted(row)

    def _inserted(self, row: Row) -> None:
        topic, event, payload = row.get("topic"), row.get("event"), row.get("payload")
        message_id = row.get("id")
        if row.get("private") != "t" or topic is None or topic not in self._subscribers:
            return
        if event is None or payload is None or message_id is None:
            _log.warning("message %s on %s has no event or payload", message_id, topic)
            return
        self.publish(topic, Broadcast(event, payload.encode(), meta={"id": message_id}))
