"""Private-channel authorization, run the way Realtime runs it (`Realtime.Tenants.Authorization`).

Each check is one transaction that is always rolled back. Read (join and receive): insert a probe
message for the topic as the server's own role, switch to the token's role with its claims and
the topic set, and see whether the probe is visible through RLS. Write (send): with the same
settings, insert a message as the token's role; RLS refusing it (42501) means the client may not
send. Nothing a check writes ever commits.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from devstack.realtime._tokens import Claims

_log = logging.getLogger(__name__)

# The settings Realtime sets before each check (`Authorization.set_conn_config/2`).
_SET_CONTEXT = """
  select
    set_config('role', %(role)s, true),
    set_config('realtime.topic', %(topic)s, true),
    set_config('request.jwt.claims', %(claims)s, true),
    set_config('request.jwt.claim.sub', %(sub)s, true),
    set_config('request.jwt.claim.role', %(role)s, true),
    set_config('request.headers', %(headers)s, true)
"""
_PROBE = "insert into realtime.messages (id, topic, extension) values (%s, %s, 'broadcast')"
_SEE_PROBE = "select 1 from realtime.messages where id = %s"
_SEND = "insert into realtime.messages (topic, extension) values (%s, 'broadcast')"


class DatabaseUnavailable(Exception):
    """The check could not run: Realtime answers that it cannot reach the project database."""


@dataclass(frozen=True)
class AuthorizationContext:
    """Who asks for which topic: the token's claims and the handshake's `x-` headers."""

    topic: str
    claims: Claims
    headers: Mapping[str, str] = field(default_factory=dict)

    def settings(self) -> dict[str, str]:
        sub = self.claims.values.get("sub")
        return {
            "role": self.claims.role,
            "topic": self.topic,
            "claims": json.dumps(self.claims.values),
            "sub": "" if sub is None else str(sub),
            "headers": json.dumps(dict(self.headers)),
        }


class Authorizer:
    """Runs the read and write checks on a pool of superuser (supabase_admin) connections."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def can_read(self, context: AuthorizationContext) -> bool:
        """Return whether the token may join the topic and receive its broadcasts."""
        probe = uuid.uuid4()
        try:
            async with self._pool.connection() as conn, conn.transaction(force_rollback=True):
                await conn.execute(_PROBE, (probe, context.topic))
                await conn.execute(_SET_CONTEXT, context.settings())
                cursor = await conn.execute(_SEE_PROBE, (probe,))
                return await cursor.fetchone() is not None
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise DatabaseUnavailable(str(error)) from error
        except psycopg.Error as error:
            # Realtime treats an error inside a policy as "not allowed" (RlsPolicyError).
            _log.warning("RlsPolicyError on %s: %s", context.topic, error)
            return False

    async def can_write(self, context: AuthorizationContext) -> bool:
        """Return whether the token may send broadcasts on the topic."""
        try:
            async with self._pool.connection() as conn, conn.transaction(force_rollback=True):
                await conn.execute(_SET_CONTEXT, context.settings())
                try:
                    async with conn.transaction():
                        await conn.execute(_SEND, (context.topic,))
                except psycopg.errors.InsufficientPrivilege:
                    return False
                return True
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise DatabaseUnavailable(str(error)) from error
        except psycopg.Error as error:
            _log.warning("RlsPolicyError on %s: %s", context.topic, error)
            return False
