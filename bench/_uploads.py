"""Scenario 4: registering a file for upload (`create_attachment_upload`) at 1, 8 and 32 clients.

Client c, as customer c, registers small PDFs for a ticket of its own in its own organization (as
the writes submit them), which the scenario first submits through the SQL function. A user may
hold only 20 pending uploads (and 100 MiB), on one ticket and in all, so before each turn, outside
the measured time, the customers' pending uploads are deleted, as the purge deletes them once they
expire; a turn makes `batch` per client, fewer than 20.

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
MAX_PENDING = 20  # per user (supabase/migrations: register_attachment)

_SUBMIT_TICKET = """
select public.create_ticket(
  handling_org_id => %(org_id)s,
  subject => 'Reports for the audit',
  description => 'The reports for the audit are attached.'
) -> 'ticket' ->> 'id'
"""
_DELETE_PENDING = """
delete from public.ticket_attachments a
where a.uploaded_by = any(%s::uuid[]) and a.status = 'pending'
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


def _submit_ticket(connection: psycopg.Connection[Any], customer: User, org_id: str) -> str:
    """Submit a ticket as `customer`, through create_ticket; return its id."""
    with connection.transaction():
        connection.execute(
            "select set_config('role', 'authenticated', true), "
            "set_config('request.jwt.claims', %s, true)",
            (customer.claims_json,),
        )
        row = connection.execute(_SUBMIT_TICKET, {"org_id": org_id}).fetchone()
    assert row is not None
    return str(row[0])


def _upload_arm(
    path: AccessPath, customers: list[User], tickets: list[str], admin: psycopg.Connection[Any]
) -> Arm:
    """Return an arm where client c registers files for its ticket, from no pending uploads."""
    user_ids = [customer.user_id for customer in customers]

    def before() -> None:
        admin.execute(_DELETE_PENDING, (user_ids,))

    def operation(client: int, seq: int) -> None:
        path.run(upload_call(tickets[client], seq), customers[client], client)

    return Arm(SCENARIO, path.name, operation, before_turn=before)


def run_uploads(ctx: Context, scale: Scale, tickets: int) -> list[Row]:
    """Measure create_attachment_upload at each client count, the paths interleaved.

    Without the BFF's time split: its `db` timing covers PostgREST only, not Storage.
    """
    if scale.batch > MAX_PENDING:
        raise ValueError(f"a turn of {scale.batch} uploads per client passes the pending limit")
    storage_url = ctx.stack.api_url + "/storage/v1/"
    http = shared_http_client(max(scale.write_requests))
    paths: list[AccessPath] = []
    for path in ctx.paths_for(SCENARIO):
        paths.append(path)
        if path.name == "postgrest":
            paths.append(PostgrestStoragePath(path, storage_url, ctx.stack.anon_key, http))
    customers = [ctx.customer(client + 1) for client in range(max(scale.write_requests))]
    rows: list[Row] = []
    with psycopg.connect(ctx.stack.db_url, autocommit=True) as admin:
        own_tickets = [
            _submit_ticket(admin, customer, ctx.writer_org(client))
            for client, customer in enumerate(customers)
        ]
        try:
            for clients, requests in sorted(scale.write_requests.items()):
                plan = Plan(clients, requests, scale.batch, scale.scenario_cap_s)
                arms = [
                    _upload_arm(path, customers[:clients], own_tickets[:clients], admin)
                    for path in paths
                ]
                run_interleaved(arms, plan)
                rows += [Row.from_arm(arm, clients=clients, tickets=tickets) for arm in arms]
        finally:
            http.close()
            admin.execute(_DELETE_PENDING, ([customer.user_id for customer in customers],))
    return rows
