"""Scenario 3: write amplification of create_ticket with the realtime triggers on and off.

The triggers are those on tickets, ticket_comments and ticket_events whose names start with
`realtime_`. The on and off arms alternate turn by turn (the state is switched between turns);
for each arm the WAL written and the realtime.messages rows added are measured per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench._config import Scale
from bench._context import Context
from bench._paths import AccessPath, User
from bench._results import Row
from bench._runner import Arm, Plan, run_interleaved
from bench._writes import create_call

_FIND_TRIGGERS = """
select tgrelid::regclass::text, tgname
from pg_trigger
where not tgisinternal
  and tgname like 'realtime\\_%'
  and tgrelid in ('public.tickets'::regclass, 'public.ticket_comments'::regclass,
                  'public.ticket_events'::regclass)
order by 1, 2
"""
_WAL_AND_MESSAGES = """
select pg_current_wal_insert_lsn() - '0/0'::pg_lsn,
  (select count(*) from realtime.messages)
"""


@dataclass
class Amplification:
    """What one arm's requests wrote, in total."""

    wal_bytes: int = 0
    messages: int = 0
    requests: int = 0


@dataclass
class _Switch:
    """Sets the triggers' state before a turn and measures WAL and messages around it."""

    admin: psycopg.Connection[Any]
    triggers: list[tuple[str, str]]
    state: dict[str, bool] = field(default_factory=lambda: {"on": True})

    def set(self, on: bool) -> None:
        if self.state["on"] == on:
            return
        verb = "enable" if on else "disable"
        # In replica mode the DDL event trigger does not fire, so PostgREST is not told to reload
        # its schema cache (triggers are not in it) during the next turn's requests.
        with self.admin.transaction():
            self.admin.execute("set local session_replication_role = replica")
            for table, name in self.triggers:
                self.admin.execute(f'alter table {table} {verb} trigger "{name}"')
        self.state["on"] = on

    def sample(self) -> tuple[int, int]:
        row = self.admin.execute(_WAL_AND_MESSAGES).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def find_realtime_triggers(db_url: str) -> list[tuple[str, str]]:
    """Return (table, trigger) for every realtime_ trigger on the ticket tables."""
    with psycopg.connect(db_url) as connection:
        return [(str(t), str(n)) for t, n in connection.execute(_FIND_TRIGGERS).fetchall()]


def run_triggers(
    ctx: Context, scale: Scale, tickets: int
) -> tuple[list[Row], dict[str, Amplification], list[tuple[str, str]]]:
    """Measure create_ticket with the realtime triggers on and off, one client."""
    triggers = find_realtime_triggers(ctx.stack.db_url)
    suffix = "" if triggers else "[none found]"
    customer = ctx.customer(1)
    amplification: dict[str, Amplification] = {}
    with psycopg.connect(ctx.stack.db_url, autocommit=True) as admin:
        switch = _Switch(admin, triggers)
        arms = [
            _arm(ctx, path, customer, switch, on, f"create_ticket_realtime_{label}{suffix}",
                 amplification)
            for path in ctx.paths_for("create_ticket_realtime")
            for on, label in ((True, "on"), (False, "off"))
        ]  # fmt: skip
        try:
            run_interleaved(
                arms, Plan(1, scale.trigger_requests, scale.batch, scale.scenario_cap_s)
            )
        finally:
            switch.set(True)
    rows = [Row.from_arm(arm, clients=1, tickets=tickets) for arm in arms]
    return rows, amplification, triggers


def _arm(
    ctx: Context,
    path: AccessPath,
    customer: User,
    switch: _Switch,
    on: bool,
    scenario: str,
    totals: dict[str, Amplification],
) -> Arm:
    org_id = ctx.writer_org(0)
    key = f"{scenario} {path.name}"
    totals[key] = Amplification()
    mark: dict[str, tuple[int, int]] = {}

    def before() -> None:
        switch.set(on)
        mark["start"] = switch.sample()

    def after(requests: int) -> None:
        wal, messages = switch.sample()
        total = totals[key]
        total.wal_bytes += wal - mark["start"][0]
        total.messages += messages - mark["start"][1]
        total.requests += requests

    def operation(client: int, seq: int) -> None:
        path.run(create_call(org_id, seq, f"rt-{path.name}"), customer, client)

    return Arm(scenario, path.name, operation, before_turn=before, after_turn=after)
