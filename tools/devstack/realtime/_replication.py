"""The rows committed to realtime.messages, streamed from the WAL as hosted Realtime streams them
(`Realtime.Tenants.ReplicationConnection`).

A replication connection makes sure the publication `supabase_realtime_messages_publication`
(realtime.messages) exists, creates a temporary logical slot (dropped by Postgres when the
connection ends) and streams it with the `pgoutput` plugin. Logical decoding hands over a
transaction's changes only once it has committed, transactions in commit order: a rolled-back
message is never seen, and messages arrive in the order they were committed. Writers pay
nothing extra (no trigger, no lock); the server's walsender does the decoding.
"""

from __future__ import annotations

import asyncio
import struct
import time
import uuid
from collections.abc import AsyncIterator
from types import TracebackType

import psycopg
from psycopg import pq
from psycopg.conninfo import make_conninfo

PUBLICATION = "supabase_realtime_messages_publication"
_PG_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds: the replication protocol's clock
_CREATE_PUBLICATION = f"""
  do $$
  begin
    if not exists (select from pg_publication where pubname = '{PUBLICATION}') then
      create publication {PUBLICATION} for table realtime.messages;
    end if;
  end
  $$
"""

Row = dict[str, str | None]


class ReplicationStream:
    """One replication connection streaming the inserts into realtime.messages."""

    def __init__(self, db_url: str) -> None:
        self._conninfo = make_conninfo(db_url, replication="database").encode()
        self._slot = f"supabase_realtime_messages_replication_slot_local_{uuid.uuid4().hex[:8]}"
        self._conn: pq.abc.PGconn | None = None

    async def __aenter__(self) -> ReplicationStream:
        self._conn = await asyncio.to_thread(self._start)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # fmt: skip
        if self._conn is not None:
            self._conn.finish()  # the temporary slot goes with the connection

    def _start(self) -> pq.abc.PGconn:
        conn = pq.PGconn.connect(self._conninfo)
        if conn.status != pq.ConnStatus.OK:
            raise psycopg.OperationalError(_message(conn))
        _run(conn, _CREATE_PUBLICATION, pq.ExecStatus.COMMAND_OK)
        _run(conn, f"CREATE_REPLICATION_SLOT {self._slot} TEMPORARY LOGICAL pgoutput "
                   "NOEXPORT_SNAPSHOT", pq.ExecStatus.TUPLES_OK)  # fmt: skip
        _run(conn, f"START_REPLICATION SLOT {self._slot} LOGICAL 0/0 "
                   f"(proto_version '1', publication_names '{PUBLICATION}')",
             pq.ExecStatus.COPY_BOTH)  # fmt: skip
        conn.nonblocking = 1
        return conn

    async def inserted_rows(self) -> AsyncIterator[Row]:
        """Yield each committed row inserted into realtime.messages (as text), in commit order."""
        decoder = _PgOutput()
        async for frame in self._frames():
            if frame[:1] == b"w":  # XLogData: start, end, send time, then one pgoutput message
                row = decoder.insert(frame[25:])
                if row is not None:
                    yield row
            elif frame[:1] == b"k":  # keepalive: acknowledge what has been read, as Realtime does
                (wal_end,) = struct.unpack_from(">Q", frame, 1)
                self._acknowledge(wal_end + 1)

    async def _frames(self) -> AsyncIterator[bytes]:
        conn = self._conn
        assert conn is not None
        readable = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_reader(conn.socket, readable.set)
        try:
            while True:
                conn.consume_input()
                while True:
                    size, data = conn.get_copy_data(1)
                    if size == 0:
                        break
                    if size < 0:
                        raise psycopg.OperationalError(_message(conn) or "replication ended")
                    yield bytes(data)
                readable.clear()
                await readable.wait()
        finally:
            loop.remove_reader(conn.socket)

    def _acknowledge(self, lsn: int) -> None:
        assert self._conn is not None
        now = int((time.time() - _PG_EPOCH) * 1_000_000)
        self._conn.put_copy_data(struct.pack(">cQQQQB", b"r", lsn, lsn, lsn, now, 0))
        self._conn.flush()


class _PgOutput:
    """Reads pgoutput (protocol 1) messages: relations, and the inserts into realtime.messages."""

    def __init__(self) -> None:
        self._columns: dict[int, list[str]] = {}

    def insert(self, message: bytes) -> Row | None:
        kind = message[:1]
        if kind == b"R":
            self._relation(message)
        elif kind == b"I":
            (relation,) = struct.unpack_from(">I", message, 1)
            columns = self._columns.get(relation)
            if columns is not None:  # the partitions of realtime.messages (messages_*)
                return dict(zip(columns, _tuple(message, 6), strict=True))
        return None

    def _relation(self, message: bytes) -> None:
        (relation,) = struct.unpack_from(">I", message, 1)
        namespace, offset = _string(message, 5)
        name, offset = _string(message, offset)
        (count,) = struct.unpack_from(">H", message, offset + 1)
        offset += 3
        columns = []
        for _ in range(count):
            column, offset = _string(message, offset + 1)
            columns.append(column)
            offset += 8  # type oid and modifier
        if namespace == "realtime" and name.startswith("messages"):
            self._columns[relation] = columns


def _string(message: bytes, offset: int) -> tuple[str, int]:
    end = message.index(b"\0", offset)
    return message[offset:end].decode(), end + 1


def _tuple(message: bytes, offset: int) -> list[str | None]:
    (count,) = struct.unpack_from(">H", message, offset)
    offset += 2
    values: list[str | None] = []
    for _ in range(count):
        kind = message[offset : offset + 1]
        offset += 1
        if kind == b"t":
            (size,) = struct.unpack_from(">I", message, offset)
            values.append(message[offset + 4 : offset + 4 + size].decode())
            offset += 4 + size
        else:  # n: null; u: an unchanged TOASTed value, which an insert never has
            values.append(None)
    return values


def _run(conn: pq.abc.PGconn, command: str, expected: pq.ExecStatus) -> None:
    result = conn.exec_(command.encode())
    if result.status != expected:
        raise psycopg.OperationalError(_message(conn) or f"{command.split()[0]} failed")


def _message(conn: pq.abc.PGconn) -> str:
    return conn.error_message.decode(errors="replace").strip()
