"""Scenario 4: registering a file for upload (`create_attachment_upload`) at 1, 8 and 32 clients.

Client c, as customer c, registers PDFs for tickets of its own in its own organization (as the
writes submit them), which each arm first submits through the SQL function. Each ticket takes at
most `FILES_PER_TICKET` of an arm's files: a ticket holds at most 20 pending uploads per user and
100 MiB, and registrations for one ticket queue on its lock, so no two clients share a ticket.

bff and node do what the action does: register, then ask Storage (the local stack's stand-in, at
the project URL) for a signed upload URL for the attachment's object. `postgrest+storage` makes
the same two calls straight from the load generator, with supabase-py's PostgREST and Storage
clients as the BFF builds them; postgrest and sql only register (the database part).
"""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
from storage3 import SyncStorageClient

from bench._config import Scale
from bench._context import Context
from bench._paths import AccessPath, Call, CallFailed, User, shared_http_client
from bench._results import Row
from bench._runner import Arm, Plan, run_interleaved

SCENARIO = "create_attachment_upload"
BUCKET = "ticket-attachments"
FILES_PER_TICKET = 10

_SUBMIT_TICKETS = """
select public.create_ticket(
  handling_org_id => %(org_id)s,
  subject => 'Benchmark files ' || g,
  description => 'The reports for the audit are attached.'
) -> 'ticket' ->> 'id'
from generate_series(1, %(count)s) g
"""


class PostgrestStoragePath:
    """PostgREST's `rpc`, then Storage's signed upload URL for the object the call registered:
    the BFF's two calls, made straight from the load generator."""

    name = "postgrest+storage"

    def __init__(
        self, postgrest: AccessPath, storage_url: str, anon_key: str, http: httpx.Client
    ) -> None:
        self._postgrest = postgrest
        self._storage_url = storage_url
        self._anon_key = anon_key
        self._http = http

    def run(self, call: Call, user: User, client: int) -> Any:
        record = self._postgrest.run(call, user, client)
        storage = SyncStorageClient(
            self._storage_url,
            headers={"apikey": self._anon_key, "Authorization": f"Bearer {user.token}"},
            http_client=self._http,
        )
        try:
            storage.from_(BUCKET).create_signed_upload_url(record["object_name"])
        except Exception as error:
            raise CallFailed(f"storage create_signed_upload_url: {error}") from error
        return record

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()


def upload_call(ticket_id: str, seq: int) -> Call:
    """Return the registration of a small PDF for `ticket_id`, as the browser sends it."""
    params = {
        "ticket_id": ticket_id,
        "file_name": f"report-{seq}.pdf",
        "content_type": "application/pdf",
        "size_bytes": 48_000 + seq % 1000,
    }
    return Call("create_attachment_upload", params, "createAttachmentUpload", params)


def _submit_tickets(
    connection: psycopg.Connection[Any], customer: User, org_id: str, count: int
) -> list[str]:
    """Submit `count` tickets as `customer`, through create_ticket; return their ids."""
    with connection.transaction():
        connection.execute(
            "select set_config('role', 'authenticated', true), "
            "set_config('request.jwt.claims', %s, true)",
            (customer.claims_json,),
        )
        rows = connection.execute(_SUBMIT_TICKETS, {"org_id": org_id, "count": count}).fetchall()
    return [str(row[0]) for row in rows]


def _upload_arm(ctx: Context, path: AccessPath, customers: list[User], plan: Plan) -> Arm:
    """Return an arm where client c registers files for tickets of its own, a few per ticket."""
    # Per client: its share of the requests, and the warm-up turn.
    calls = -(-plan.requests // plan.clients) + plan.batch
    per_client = -(-calls // FILES_PER_TICKET)
    with psycopg.connect(ctx.stack.db_url, autocommit=True) as connection:
        tickets = [
            _submit_tickets(connection, customer, ctx.writer_org(client), per_client)
            for client, customer in enumerate(customers)
        ]
    made = [0] * len(customers)  # each client thread counts only its own

    def operation(client: int, seq: int) -> None:
        ticket = tickets[client][made[client] // FILES_PER_TICKET]
        made[client] += 1
        path.run(upload_call(ticket, seq), customers[client], client)

    return Arm(SCENARIO, path.name, operation)


def run_uploads(ctx: Context, scale: Scale, tickets: int) -> list[Row]:
    """Measure create_attachment_upload at each client count, the paths interleaved.

    Without the BFF's time split: its `db` timing covers PostgREST only, not Storage.
    """
    storage_url = ctx.stack.api_url + "/storage/v1/"
    http = shared_http_client(max(scale.write_requests))
    paths: list[AccessPath] = []
    for path in ctx.paths_for(SCENARIO):
        paths.append(path)
        if path.name == "postgrest":
            paths.append(PostgrestStoragePath(path, storage_url, ctx.stack.anon_key, http))
    rows: list[Row] = []
    try:
        for clients, requests in sorted(scale.write_requests.items()):
            plan = Plan(clients, requests, scale.batch, scale.scenario_cap_s)
            customers = [ctx.customer(client + 1) for client in range(clients)]
            arms = [_upload_arm(ctx, path, customers, plan) for path in paths]
            run_interleaved(arms, plan)
            rows += [Row.from_arm(arm, clients=clients, tickets=tickets) for arm in arms]
    finally:
        http.close()
    # Thousands of pending rows were added to a table analyzed with a few dozen: analyze it now,
    # as autovacuum soon would, so the reads that follow are not planned on stale statistics.
    with psycopg.connect(ctx.stack.db_url, autocommit=True) as connection:
        connection.execute("analyze public.ticket_attachments")
    return rows
