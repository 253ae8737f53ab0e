"""Scenario 2: list (status filter, search, without an organization), stats, and get_ticket with
and without attached files, as an employee of the largest organization.

Besides the paths (node, the peer, only for the status listing and the stats), the SQL path runs
once more as `service_role` (RLS bypassed); its rows are named `<scenario>_service_role`, so
`sql` / `sql_service_role` is what the policies cost. Not for the listing without an organization:
service_role would list every organization's tickets.

get_ticket reads tickets with two comments and ten files (`get_ticket_10_files`) and, in the same
interleaved run, tickets with two comments and none (`get_ticket`), so the ratio of the two rows is
what the files cost.
"""

from __future__ import annotations

from bench._config import Scale
from bench._context import Context
from bench._goals import READ_SCENARIOS, RLS_COST_SCENARIOS, SERVICE_ROLE_SUFFIX
from bench._paths import AccessPath, Call
from bench._results import Row
from bench._runner import Arm, Operation, Plan, run_interleaved

SEARCH_TEXT = "webhook"  # in about 1 ticket in 20 (see _dataset_sql)
# get_ticket on tickets without files and on tickets with ten (see `Dataset.attach_files`):
# FILE_TICKETS of each, read in turn.
GET_TICKET_SCENARIOS = {"get_ticket": False, "get_ticket_10_files": True}
FILE_TICKETS = 5


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
    return rows + _run_get_ticket(ctx, plan, tickets)


def get_ticket_call(ticket_id: str) -> Call:
    """Return the call a ticket's page makes."""
    return Call("get_ticket", {"ticket_id": ticket_id}, "getTicket", {"ticket_id": ticket_id})


def _run_get_ticket(ctx: Context, plan: Plan, tickets: int) -> list[Row]:
    """Measure get_ticket on tickets with and without files, all paths of both interleaved.

    Without the BFF's time split: its `Server-Timing` would mix the two scenarios.
    """
    arms = []
    for scenario, with_files in GET_TICKET_SCENARIOS.items():
        ticket_ids = ctx.dataset.file_tickets(with_files=with_files)
        calls = [get_ticket_call(ticket_id) for ticket_id in ticket_ids]
        if not calls:
            raise LookupError("no tickets for get_ticket: was Dataset.attach_files run?")
        _require_shape(ctx, calls[0], files=10 if with_files else 0)
        for path in ctx.paths_for(scenario):
            arms.append(Arm(scenario, path.name, _rotating(ctx, path, calls)))
    run_interleaved(arms, plan)
    return [Row.from_arm(arm, clients=1, tickets=tickets) for arm in arms]


def _require_shape(ctx: Context, call: Call, *, files: int) -> None:
    """Raise unless the employee reads the ticket with its two comments and `files` files."""
    ticket = ctx.paths[-1].run(call, ctx.employee, 0)
    comments = ticket["comments"]
    seen = len(ticket["attachments"]) + sum(len(comment["attachments"]) for comment in comments)
    if (len(comments), seen) != (2, files):
        raise RuntimeError(
            f"get_ticket {ticket['id']} shows {len(comments)} comments and {seen} files, "
            f"not 2 and {files}"
        )


def _rotating(ctx: Context, path: AccessPath, calls: list[Call]) -> Operation:
    def operation(client: int, seq: int) -> None:
        path.run(calls[seq % len(calls)], ctx.employee, client)

    return operation
