"""Scenario 2: list (status filter, search, without an organization), stats, as an employee of the
largest organization.

Besides the paths (node, the peer, only for the status listing and the stats), the SQL path runs
once more as `service_role` (RLS bypassed); its rows are named `<scenario>_service_role`, so
`sql` / `sql_service_role` is what the policies cost. Not for the listing without an organization:
service_role would list every organization's tickets.
"""

from __future__ import annotations

from bench._config import Scale
from bench._context import Context
from bench._goals import READ_SCENARIOS, RLS_COST_SCENARIOS, SERVICE_ROLE_SUFFIX
from bench._paths import AccessPath, Call
from bench._results import Row
from bench._runner import Arm, Plan

SEARCH_TEXT = "webhook"  # in about 1 ticket in 20 (see _dataset_sql)


def read_call(scenario: str, org_id: str) -> Call:
    """Return the call a dashboard makes for `scenario`."""
    if scenario == "ticket_stats":
        return Call("ticket_stats", {"org_id": org_id}, "ticketStats", {"org_id": org_id})
    body: dict[str, object] = {"org_id": org_id, "limit": 25}
    if scenario == "list_tickets_all_orgs":
        body = {"limit": 25}  # every organization the caller staffs, and their own requests
    elif scenario == "list_tickets_status":
        body |= {"status": ["open", "in_progress"], "sort": "updated_at", "direction": "desc"}
    elif scenario == "list_tickets_search":
        body |= {"q": SEARCH_TEXT, "sort": "created_at", "direction": "desc"}
    else:
        raise ValueError(f"unknown read scenario {scenario!r}")
    return Call("list_tickets", body, "listTickets", body)


def _arm(ctx: Context, scenario: str, path: AccessPath, label: str) -> Arm:
    call = read_call(scenario, ctx.large_org_id)

    def operation(client: int, seq: int) -> None:
        path.run(call, ctx.employee, client)

    return Arm(label, path.name, operation)


def run_reads(ctx: Context, scale: Scale, tickets: int) -> list[Row]:
    """Measure each read scenario, one client, the paths and service_role interleaved."""
    rows: list[Row] = []
    plan = Plan(1, scale.read_requests, scale.batch, scale.scenario_cap_s)
    for scenario in READ_SCENARIOS:
        arms = [_arm(ctx, scenario, path, scenario) for path in ctx.paths_for(scenario)]
        if scenario in RLS_COST_SCENARIOS:
            arms.append(_arm(ctx, scenario, ctx.service_role_sql, scenario + SERVICE_ROLE_SUFFIX))
        ctx.run(arms, plan, tickets=tickets)
        rows += [Row.from_arm(arm, clients=1, tickets=tickets) for arm in arms]
    return rows
