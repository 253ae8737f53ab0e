"""Scenario 1: create_ticket and update_ticket, at 1, 8 and 32 concurrent clients."""

from __future__ import annotations

import uuid
from typing import Any

from bench._config import Scale
from bench._context import Context
from bench._paths import AccessPath, Call, User
from bench._results import Row
from bench._runner import Arm, Plan


def create_call(org_id: str, seq: int, tag: str) -> Call:
    """Return a create_ticket call with a fresh idempotency key (as the frontend sends)."""
    key = f"bench-{tag}-{seq}-{uuid.uuid4()}"
    subject = f"Benchmark ticket {seq}"
    description = "The export to CSV stops at 1000 rows; we need all of them for the audit."
    return Call(
        function="create_ticket",
        params={
            "handling_org_id": org_id,
            "subject": subject,
            "description": description,
            "priority": "medium",
            "idempotency_key": key,
            "request_hash": None,
        },
        action="createTicket",
        body={"handling_org_id": org_id, "subject": subject, "description": description},
        headers={"Idempotency-Key": key},
    )


def create_arm(ctx: Context, path: AccessPath, customers: list[User], scenario: str) -> Arm:
    """Return an arm where client c, as customer c, submits tickets to its own organization."""
    orgs = [ctx.writer_org(client) for client in range(len(customers))]

    def operation(client: int, seq: int) -> None:
        path.run(create_call(orgs[client], seq, path.name), customers[client], client)

    return Arm(scenario, path.name, operation)


def update_arm(
    ctx: Context, path: AccessPath, clients: int, scenario: str = "update_ticket"
) -> Arm:
    """Return an arm where each client moves its own ticket between open and in progress."""
    owner = ctx.customer(1)
    tickets: list[dict[str, Any]] = []
    for client in range(clients):
        created = path_result_ticket(
            ctx.paths[-1].run(create_call(ctx.large_org_id, client, "update"), owner, client)
        )
        tickets.append({"id": created["id"], "version": created["version"]})

    def operation(client: int, seq: int) -> None:
        ticket = tickets[client]
        status = "in_progress" if seq % 2 == 0 else "open"
        call = Call(
            function="update_ticket",
            params={
                "ticket_id": ticket["id"],
                "expected_version": ticket["version"],
                "changes": {"status": status},
            },
            action="updateTicket",
            body={
                "ticket_id": ticket["id"],
                "expected_version": ticket["version"],
                "status": status,
            },
        )
        try:
            ticket["version"] = path.run(call, ctx.employee, client)["version"]
        except Exception:
            # A timed-out update may still have committed: resync, so one error stays one error.
            ticket["version"] = ctx.dataset.ticket_version(ticket["id"])
            raise

    return Arm(scenario, path.name, operation)


def path_result_ticket(result: dict[str, Any]) -> dict[str, Any]:
    """Return the ticket from a create result (the BFF answers the ticket itself)."""
    ticket = result.get("ticket", result)
    assert isinstance(ticket, dict)
    return ticket


def run_writes(ctx: Context, scale: Scale, tickets: int) -> list[Row]:
    """Measure creates, then updates, at each client count, the paths interleaved."""
    rows: list[Row] = []
    for clients, requests in sorted(scale.write_requests.items()):
        plan = Plan(clients, requests, scale.batch, scale.scenario_cap_s)
        customers = [ctx.customer(client + 1) for client in range(clients)]
        arms = [
            create_arm(ctx, path, customers, "create_ticket")
            for path in ctx.paths_for("create_ticket")
        ]
        ctx.run(arms, plan, tickets=tickets)
        rows += [Row.from_arm(arm, clients=clients, tickets=tickets) for arm in arms]
        arms = [update_arm(ctx, path, clients) for path in ctx.paths_for("update_ticket")]
        ctx.run(arms, plan, tickets=tickets)
        rows += [Row.from_arm(arm, clients=clients, tickets=tickets) for arm in arms]
    return rows
