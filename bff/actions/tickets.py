"""Ticket actions: create, update, read, list, count and comment.

Each action is one call to one SQL function (`supabase/migrations`), made with the caller's token,
so the database checks access and every multi-row write is atomic.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from bff.actions._fields import Body, Cursor, PageSize, SearchText, Subject, Version
from bff.actions._registry import (
    ActionContext,
    ActionIn,
    ActionOut,
    action,
    call,
    named_changes,
)
from bff.actions.attachments import AttachmentIds, AttachmentRef
from bff.actions.knowledge_base import LinkedArticleOut
from bff.errors import (
    AssigneeUnavailable,
    AttachmentNotReady,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    VersionConflict,
)

Status = Literal["open", "in_progress", "waiting_on_customer", "resolved", "closed"]
Priority = Literal["low", "medium", "high", "urgent"]
# Seeded demo data (supabase/seed.sql), used in the documentation's examples.
_ACME = "aaaaaaaa-0000-4000-8000-000000000000"
_TICKET = "aaaaaaaa-1000-4000-8000-000000000001"
_BILLING_TEAM = "aaaaaaaa-0000-4000-8000-0000000000b1"


class TicketOut(ActionOut):
    id: UUID
    number: int = Field(description="Human ticket number, unique within the organization.")
    handling_org_id: UUID
    user_id: UUID = Field(description="The requester.")
    subject: str
    description: str
    status: Status
    priority: Priority
    assigned_team_id: UUID | None
    assigned_employee_id: UUID | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    version: int = Field(description="Send it back as expected_version when updating.")


class CreateTicketIn(ActionIn):
    handling_org_id: UUID = Field(description="The organization to submit the ticket to.")
    subject: Subject
    description: Body
    priority: Priority = "medium"
    ticket_id: UUID | None = Field(
        None,
        description="The id you reserved for this ticket when uploading its files "
        "(createAttachmentUpload); 409 if a ticket already has it.",
    )
    attachment_ids: AttachmentIds | None = None
    suggested_article_ids: list[UUID] | None = Field(
        None,
        max_length=20,
        description="The articles suggestArticles showed before you submitted anyway (kbStats "
        "counts them); ids of articles you may not read there are ignored.",
    )

    example = {
        "handling_org_id": _ACME,
        "subject": "Cannot export invoices",
        "description": "The export button spins forever since this morning.",
        "priority": "high",
    }


@action(
    "createTicket",
    status=201,
    errors=(Forbidden, NotFound, Conflict, IdempotencyKeyReused, AttachmentNotReady),
    idempotent_create=True,
)
def create_ticket(ctx: ActionContext, payload: CreateTicketIn) -> TicketOut:
    """Submit a ticket to an organization.

    Send an `Idempotency-Key` header to make retries safe: the same key with the same body
    returns the ticket created first (with `Idempotent-Replayed: true`); with another body, 422
    `idempotency_key_reused`. 403 where the organization does not accept your tickets.
    """
    params = payload.model_dump(mode="json")
    result = call(
        ctx,
        "create_ticket",
        handling_org_id=params["handling_org_id"],
        subject=params["subject"],
        description=params["description"],
        priority=params["priority"],
        idempotency_key=ctx.idempotency_key,
        request_hash=hashlib.sha256(payload.model_dump_json().encode()).hexdigest(),
        # Passed only when given, so a plain ticket is the same call as before files existed.
        **{
            name: params[name]
            for name in ("ticket_id", "attachment_ids", "suggested_article_ids")
            if params[name]
        },
    )
    if result.get("replayed"):
        ctx.response_headers["Idempotent-Replayed"] = "true"
    return TicketOut.model_validate(result["ticket"])


class UpdateTicketIn(ActionIn):
    ticket_id: UUID
    expected_version: Version
    subject: Subject | None = None
    description: Body | None = None
    status: Status | None = None
    priority: Priority | None = None
    assigned_team_id: UUID | None = Field(None, description="null unassigns the team.")
    assigned_employee_id: UUID | None = Field(None, description="null unassigns the employee.")

    nullable = frozenset({"assigned_team_id", "assigned_employee_id"})
    identifies = frozenset({"ticket_id", "expected_version"})
    example = {
        "ticket_id": _TICKET,
        "expected_version": 2,
        "status": "in_progress",
        "assigned_team_id": _BILLING_TEAM,
    }


@action("updateTicket", errors=(Forbidden, NotFound, VersionConflict, AssigneeUnavailable))
def update_ticket(ctx: ActionContext, payload: UpdateTicketIn) -> TicketOut:
    """Change the named fields of a ticket, if nobody changed it since `expected_version`.

    Name at least one field to change. Requesters may change the subject and description of
    their own tickets, close them, and reopen resolved or closed ones; anything else is 403.
    A stale `expected_version` answers 409 `version_conflict` with the current ticket in
    `details.current`. In a team that assigns automatically, an assignee who is not available or
    is at capacity is 409 `assignee_unavailable`, unless an admin assigns (the history records
    `over_capacity`). The answer is the ticket as stored: putting it in such a team's queue may
    have assigned it already (a later version).
    """
    changes = named_changes(payload)
    result = call(
        ctx,
        "update_ticket",
        ticket_id=str(payload.ticket_id),
        expected_version=payload.expected_version,
        changes=changes,
    )
    return TicketOut.model_validate(result)


class TicketIdIn(ActionIn):
    ticket_id: UUID

    example = {"ticket_id": _TICKET}


class OrganizationRef(ActionOut):
    id: UUID
    name: str
    slug: str


class PersonRef(ActionOut):
    id: UUID
    display_name: str | None
    avatar_url: str | None


class TeamRef(ActionOut):
    id: UUID
    name: str


class CommentOut(ActionOut):
    id: UUID
    ticket_id: UUID
    author_id: UUID | None
    body: str
    is_internal: bool
    created_at: datetime
    attachments: list[AttachmentRef] = Field(default_factory=list)


class EventOut(ActionOut):
    id: UUID | int
    kind: str
    actor_id: UUID | None
    old_value: Any
    new_value: Any
    is_internal: bool
    created_at: datetime


class TicketDetailOut(TicketOut):
    organization: OrganizationRef
    requester: PersonRef | None
    assignee: PersonRef | None
    team: TeamRef | None
    attachments: list[AttachmentRef] = Field(
        default_factory=list,
        description="Files on the ticket itself (files on comments are there).",
    )
    comments: list[CommentOut] = Field(description="Visible comments, oldest first.")
    articles: list[LinkedArticleOut] = Field(
        description="Articles staff linked, oldest link first; the requester sees those that "
        "are published and public."
    )
    events: list[EventOut] = Field(description="Visible history, oldest first.")


@action("getTicket", errors=(NotFound,))
def get_ticket(ctx: ActionContext, payload: TicketIdIn) -> TicketDetailOut:
    """Read a ticket with its organization, people, team, comments and history.

    Reading changes nothing; call `markTicketSeen` when the requester has opened it.
    """
    return TicketDetailOut.model_validate(call(ctx, "get_ticket", ticket_id=str(payload.ticket_id)))


class TicketSeenOut(ActionOut):
    ticket_id: UUID
    seen_at: datetime | None = Field(
        description="When you, the requester, last opened it; null for staff (nothing recorded)."
    )


@action("markTicketSeen", errors=(NotFound,))
def mark_ticket_seen(ctx: ActionContext, payload: TicketIdIn) -> TicketSeenOut:
    """Record that the requester has opened the ticket (clears `staff_replied` in listMyTickets)."""
    result = call(ctx, "mark_ticket_seen", ticket_id=str(payload.ticket_id))
    return TicketSeenOut.model_validate(result)


class ListTicketsIn(ActionIn):
    org_id: UUID | None = None
    status: list[Status] | None = Field(None, max_length=5)
    priority: list[Priority] | None = Field(None, max_length=4)
    assigned_employee_id: UUID | None = None
    assigned_team_id: UUID | None = None
    unassigned: bool = Field(False, description="Only tickets with no team and no assignee.")
    q: SearchText | None = Field(None, description="Words to find in subject and description.")
    sort: Literal["created_at", "updated_at", "priority"] = "created_at"
    direction: Literal["asc", "desc"] = "desc"
    limit: PageSize = 25
    cursor: Cursor | None = None

    nullable = frozenset({"cursor"})
    example = {"org_id": _ACME, "status": ["open", "in_progress"], "q": "export", "limit": 25}


class TicketPageOut(ActionOut):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page.")


@action("listTickets")
def list_tickets(ctx: ActionContext, payload: ListTicketsIn) -> TicketPageOut:
    """List the tickets you may see, filtered and sorted, one page at a time."""
    return TicketPageOut.model_validate(
        call(ctx, "list_tickets", **payload.model_dump(mode="json"))
    )


class OrgIdIn(ActionIn):
    org_id: UUID

    example = {"org_id": _ACME}


class TicketStatsOut(ActionOut):
    org_id: UUID
    total: int
    by_status: dict[Status, int]
    by_priority: dict[Priority, int]
    open: int
    in_progress: int
    high_priority: int = Field(description="High or urgent, not resolved or closed.")
    unassigned: int = Field(description="No team and no employee, not resolved or closed.")


@action("ticketStats")
def ticket_stats(ctx: ActionContext, payload: OrgIdIn) -> TicketStatsOut:
    """Count the organization's tickets that listTickets would list to you, by status and priority.

    Staff count every ticket of the organization (kept counts, so as fast at 1M tickets as at 10);
    anyone else counts their own requests there: zeros, never an error, for an organization they
    have nothing to do with, so the answer tells nothing about whether it exists.
    """
    return TicketStatsOut.model_validate(call(ctx, "ticket_stats", org_id=str(payload.org_id)))


class AddCommentIn(ActionIn):
    ticket_id: UUID
    body: Body
    is_internal: bool = Field(False, description="An internal note, visible to staff only.")
    attachment_ids: AttachmentIds | None = None

    example = {"ticket_id": _TICKET, "body": "Could you send a screenshot?", "is_internal": False}


@action("addComment", status=201, errors=(Forbidden, NotFound, AttachmentNotReady))
def add_comment(ctx: ActionContext, payload: AddCommentIn) -> CommentOut:
    """Comment on a ticket; staff may leave internal notes (403 for anyone else)."""
    result = call(
        ctx,
        "add_comment",
        ticket_id=str(payload.ticket_id),
        body=payload.body,
        is_internal=payload.is_internal,
        **({"attachment_ids": [str(i) for i in payload.attachment_ids]}
           if payload.attachment_ids else {}),
    )  # fmt: skip
    return CommentOut.model_validate(result)


class ListMyTicketsIn(ActionIn):
    status: list[Status] | None = Field(None, max_length=5)
    org_id: UUID | None = None
    limit: PageSize = 25
    cursor: Cursor | None = None

    nullable = frozenset({"cursor"})
    example = {"status": ["open", "waiting_on_customer"], "limit": 10}


class MyTicketOut(TicketOut):
    organization_name: str | None
    last_activity_at: datetime
    staff_replied: bool = Field(description="Staff replied since you last opened the ticket.")


class MyTicketPageOut(ActionOut):
    items: list[MyTicketOut]
    next_cursor: str | None


@action("listMyTickets")
def list_my_tickets(ctx: ActionContext, payload: ListMyTicketsIn) -> MyTicketPageOut:
    """List your own tickets across organizations, most recently active first."""
    return MyTicketPageOut.model_validate(
        call(ctx, "list_my_tickets", **payload.model_dump(mode="json"))
    )
