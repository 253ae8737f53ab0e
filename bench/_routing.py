"""Scenario 5: create_ticket routed by three rules to a round-robin team, beside create_ticket
where nothing routes, on the sql path at 1 and 32 clients.

Each routed organization is set up as its admin would, with the API (`create_team`,
`set_team_assignment`, `create_routing_rule`): billing words go to a Billing team, high and urgent
tickets to an Escalations team, and requesters at bench.test to its first team, which assigns
round robin among 10 available agents. The benchmark's ticket (medium priority, about a CSV
export, from a customer at bench.test) fails the first two rules and matches the third, so every
rule is evaluated and the ticket is assigned as it is created. The unrouted organizations are
alike (the same team of 10) but have no rules and no default team: the routing trigger finds
nothing and the ticket stays unassigned, as every ticket did before routing.

Four clients submit to each organization, in both arms (one organization at one client, eight at
32): a team's tickets come from several clients at once, so its fairness and capacity are
tested under concurrency, and both arms wait alike on their organizations' ticket counters. The
organizations rank after the writers' (see `Context.writer_org`), routed and unrouted in turn, so
the two arms' organizations hold about as many tickets. Capacities leave twice the room the runs
need, so tickets are assigned, not queued; after the 32-client run the scenario counts how many
of its tickets each agent was given, and the agents above capacity. Nobody resolves the tickets,
so the teams' open load grows through the runs (at full scale to about 50 per agent in the first
team), and with it what counting the load costs each assignment.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import psycopg

from bench._config import Scale
from bench._context import FIRST_WRITER_ORG_RANK, Context
from bench._goals import ROUTING_CLIENTS, ROUTING_SCENARIOS
from bench._paths import AccessPath, Call, User
from bench._results import Distribution, Row
from bench._runner import Arm, Plan, run_interleaved
from bench._writes import create_call

ROUTED, UNROUTED = ROUTING_SCENARIOS
CLIENT_COUNTS = ROUTING_CLIENTS
CLIENTS_PER_ORG = 4
TEAM_SIZE = 10
# A routed organization's rules in order: (name, conditions, team; None is the round-robin team).
RULES: tuple[tuple[str, dict[str, list[str]], str | None], ...] = (
    ("Billing words", {"keywords": ["refund", "invoice", "chargeback", "payment", "billing"]},
     "Billing"),
    ("High and urgent", {"priorities": ["high", "urgent"]}, "Escalations"),
    ("Requesters at bench.test", {"requester_domains": ["bench.test"]}, None),
)  # fmt: skip

_OPEN = "('open', 'in_progress', 'waiting_on_customer')"
_TEAM_OPEN_TICKETS = f"""
select coalesce(max(n), 0) from (
  select count(*) as n from public.tickets t
  where t.assigned_team_id = any(%(teams)s::uuid[]) and t.status in {_OPEN}
  group by t.assigned_team_id
) per_team
"""
_DISTRIBUTION = f"""
with agents as (
  select tm.team_id, tm.user_id, coalesce(tm.capacity, s.default_capacity) as capacity,
    count(t.id) filter (where t.created_at >= %(since)s) as given,
    count(t.id) filter (where t.status in {_OPEN}) as open_assigned
  from public.team_members tm
  join public.team_assignment_settings s on s.team_id = tm.team_id
  left join public.tickets t
    on t.assigned_team_id = tm.team_id and t.assigned_employee_id = tm.user_id
  where tm.team_id = any(%(teams)s::uuid[])
  group by tm.team_id, tm.user_id, tm.capacity, s.default_capacity
),
teams as (
  select team_id, max(given) - min(given) as spread from agents group by team_id
)
select (select count(*) from teams), count(*), coalesce(sum(given), 0), min(given), max(given),
  (select max(spread) from teams),
  (
    select count(*) from public.tickets t
    where t.handling_org_id = any(%(orgs)s::uuid[]) and t.created_at >= %(started)s
      and not coalesce(
        t.assigned_team_id = any(%(teams)s::uuid[]) and t.assigned_employee_id is not null, false)
  ),
  count(*) filter (where open_assigned > capacity)
from agents
"""


def _orgs(clients: int) -> int:
    return math.ceil(clients / CLIENTS_PER_ORG)


def _ranks(ctx: Context) -> tuple[list[int], list[int]]:
    """Return the ranks of the routed and the unrouted organizations, after the writers'."""
    first = FIRST_WRITER_ORG_RANK + ctx.max_clients
    count = _orgs(max(CLIENT_COUNTS))
    return [first + 2 * i for i in range(count)], [first + 2 * i + 1 for i in range(count)]


def _room_needed(scale: Scale) -> int:
    """Return twice the most tickets round robin can give one agent of a team in the scenario.

    The first organization's team takes the one-client run and its share of the larger ones; each
    run adds a warm-up turn and may overshoot by one turn, a batch per client each.
    """
    tickets = sum(
        (scale.write_requests[clients] + 2 * clients * scale.batch)
        * min(clients, CLIENTS_PER_ORG) / clients
        for clients in CLIENT_COUNTS
    )  # fmt: skip
    return 2 * math.ceil(tickets / TEAM_SIZE)


def _api(sql: AccessPath, admin: User, function: str, action: str, params: dict[str, Any]) -> Any:
    return sql.run(Call(function, params, action, params), admin, 0)


def _set_up_routing(sql: AccessPath, admin: User, org_id: str, team_id: str, capacity: int) -> None:
    """As the organization's admin: two more teams, round robin in the first, the three rules."""
    teams: dict[str | None, str] = {None: team_id}
    for name in ("Billing", "Escalations"):
        team = _api(sql, admin, "create_team", "createTeam", {"org_id": org_id, "name": name})
        teams[name] = team["id"]
    _api(sql, admin, "set_team_assignment", "setTeamAssignment", {
        "team_id": team_id, "strategy": "round_robin", "default_capacity": capacity,
        "requeue_when_away": False,
    })  # fmt: skip
    for name, conditions, team_name in RULES:
        _api(sql, admin, "create_routing_rule", "createRoutingRule", {
            "org_id": org_id, "name": name, "conditions": conditions,
            "team_id": teams[team_name],
        })  # fmt: skip


def _create_arm(path: AccessPath, customers: list[User], org_ids: list[str], scenario: str) -> Arm:
    """Return an arm where client c, as customer c, submits to organization c // CLIENTS_PER_ORG."""

    def operation(client: int, seq: int) -> None:
        org_id = org_ids[client // CLIENTS_PER_ORG]
        path.run(create_call(org_id, seq, scenario), customers[client], client)

    return Arm(scenario, path.name, operation)


def _now(admin: psycopg.Connection[Any]) -> datetime:
    row = admin.execute("select now()").fetchone()
    assert row is not None and isinstance(row[0], datetime)
    return row[0]


def _distribution(
    admin: psycopg.Connection[Any],
    teams: list[str],
    orgs: list[str],
    *,
    since: datetime,
    started: datetime,
    capacity: int,
) -> Distribution:
    """Count what the teams' agents were given since `since`, and the agents above capacity."""
    row = admin.execute(
        _DISTRIBUTION, {"teams": teams, "orgs": orgs, "since": since, "started": started}
    ).fetchone()
    assert row is not None
    team_count, agents, tickets, fewest, most, spread, unassigned, over = (
        int(value) for value in row
    )
    return Distribution(CLIENT_COUNTS[-1], team_count, agents, capacity, tickets, fewest, most,
                        spread, unassigned, over)  # fmt: skip


def run_routing(ctx: Context, scale: Scale, tickets: int) -> tuple[list[Row], Distribution]:
    """Measure routed and unrouted creates at 1 and 32 clients, interleaved, on the sql path.

    Returns the rows and how the last (32-client) run's routed tickets were distributed.
    """
    sql = ctx.paths[-1]
    routed_ranks, unrouted_ranks = _ranks(ctx)
    ctx.dataset.add_agents(routed_ranks + unrouted_ranks, team_size=TEAM_SIZE)
    routed = [ctx.dataset.organization(rank) for rank in routed_ranks]
    unrouted = [ctx.dataset.organization(rank) for rank in unrouted_ranks]
    teams = [ctx.dataset.first_team(rank) for rank in routed_ranks]
    customers = [ctx.customer(client + 1) for client in range(max(CLIENT_COUNTS))]
    rows: list[Row] = []
    with psycopg.connect(ctx.stack.db_url, autocommit=True) as admin:
        # No agent starts with more than its team's open tickets from the data.
        row = admin.execute(_TEAM_OPEN_TICKETS, {"teams": teams}).fetchone()
        capacity = min(1000, (int(row[0]) if row else 0) + _room_needed(scale))
        for rank, org_id, team_id in zip(routed_ranks, routed, teams, strict=True):
            admin_user = ctx.user(ctx.dataset.staff(rank, 1))
            _set_up_routing(sql, admin_user, org_id, team_id, capacity)
        started = since = _now(admin)
        for clients in CLIENT_COUNTS:
            plan = Plan(clients, scale.write_requests[clients], scale.batch, scale.scenario_cap_s)
            arms = [
                _create_arm(sql, customers[:clients], routed, ROUTED),
                _create_arm(sql, customers[:clients], unrouted, UNROUTED),
            ]
            since = _now(admin)
            run_interleaved(arms, plan)
            rows += [Row.from_arm(arm, clients=clients, tickets=tickets) for arm in arms]
        distribution = _distribution(
            admin, teams, routed, since=since, started=started, capacity=capacity
        )
    return rows, distribution
