"""The daily partitions of realtime.messages, kept as hosted Realtime's janitor keeps them
(`Realtime.Tenants.create_messages_partitions/1` and `Realtime.Messages.delete_old_messages/1`).

Partitions are named `messages_YYYY_MM_DD` (UTC days), exist from yesterday to today + 3, belong
to supabase_realtime_admin, and are dropped once their day is more than 72 hours ago. There is no
catch-all partition, so a message written for a day without one is not stored (`realtime.send`
only warns). Realtime does this when it connects to a project and every few hours after; the
local stack does it at every `up` and whenever it provisions a database, and the stand-in every
hour while it runs. It needs a superuser (Realtime connects as supabase_admin).
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

_log = logging.getLogger(__name__)

EVERY = 3600.0
"""Seconds between two runs in the stand-in (hosted Realtime: about every four hours)."""

MAINTAIN_PARTITIONS = """
do $$
declare
  v_today date := (now() at time zone 'utc')::date;
  v_oldest date := ((now() at time zone 'utc') - interval '72 hours')::date;
  v_day date;
  v_name text;
begin
  for v_day in select generate_series(v_today - 1, v_today + 3, interval '1 day')::date loop
    v_name := 'messages_' || to_char(v_day, 'YYYY_MM_DD');
    if to_regclass(format('realtime.%I', v_name)) is null then
      execute format(
        'create table realtime.%I partition of realtime.messages for values from (%L) to (%L)',
        v_name, v_day, v_day + 1);
      execute format('alter table realtime.%I owner to supabase_realtime_admin', v_name);
    end if;
  end loop;
  for v_name in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass
      and c.relname ~ '^messages_\\d{4}_\\d{2}_\\d{2}$'
      and to_date(substr(c.relname, 10), 'YYYY_MM_DD') < v_oldest
  loop
    execute format('drop table if exists realtime.%I', v_name);
  end loop;
end
$$
"""


async def keep_partitions_ahead(pool: AsyncConnectionPool) -> None:
    """Maintain the partitions now and every `EVERY` seconds, until cancelled."""
    while True:
        try:
            async with pool.connection() as conn:
                await conn.execute(MAINTAIN_PARTITIONS)
        except (psycopg.Error, PoolTimeout) as error:
            _log.warning("could not maintain the partitions of realtime.messages: %s", error)
        await asyncio.sleep(EVERY)
