"""Ticket actions: create, update, read, list, count and comment.

Each action is one call to one SQL function (`supabase/migrations`), made with the caller's token,
so the database checks access and every multi-row write is atomic.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from bff.actions._registry import (
    ActionContext,
    ActionIn,
    ActionOut,
    action,
    call,
    named_changes,
)

Status = Literal["open", "in_progress", "waiting_on_customer", "resolved", "closed"]
Priority = Literal["low", "medium", "high", "urgent"]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


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
    handling_org_id: UUID
    subject: Subject
    description: Body
    priority: Priority = "medium"


@action(
    "createTicket",
    status=201,
    errors=("422 idempotency_key_reused: the Idempotency-Key was used with another body",),
)
def create_ticket(ctx: ActionContext, payload: CreateTicketIn) -> TicketOut:
    """Submit a ticket to an organization (honours the Idempotency-Key header)."""
    params = payload.model_dump(mode="json")
    result = call(
        ctx,
        "create_ticket",
        p_handling_org_id=params["handling_org_id"],
        p_subject=params["subject"],
        p_description=params["description"],
        p_priority=params["priority"],
        p_idempotency_key=ctx.idempotency_key,
        p_request_hash=hashlib.sha256(payload.model_dump_json().encode()).hexdigest(),
    )
    if result.get("replayed"):
        ctx.response_headers["Idempotent-Replayed"] = "true"
    return TicketOut.model_validate(result["ticket"])


class UpdateTicketIn(ActionIn):
    id: UUID
    expected_version: int = Field(ge=1, description="The version you last read.")
    subject: Subject | None = None
    description: Body | None = None
    status: Status | None = None
    priority: Priority | None = None
    assigned_team_id: UUID | None = Field(None, description="null unassigns the team.")
    assigned_employee_id: UUID | None = Field(None, description="null unassigns the employee.")


_UNASSIGNABLE = frozenset({"assigned_team_id", "assigned_employee_id"})


@action(
    "updateTicket",
    errors=(
        "403 forbidden: your role may not change one of these fields",
        "409 version_conflict: the ticket changed since you read it; details.current holds it",
    ),
)
def update_ticket(ctx: ActionContext, payload: UpdateTicketIn) -> TicketOut:
    """Change the named fields of a ticket, if nobody changed it since `expected_version`."""
    changes = named_changes(payload, keys={"id", "expected_version"}, nullable=_UNASSIGNABLE)
    result = call(
        ctx,
        "update_ticket",
        p_id=str(payload.id),
        p_expected_version=payload.expected_version,
        p_changes=changes,
    )
    return TicketOut.model_validate(result)


class TicketIdIn(ActionIn):
    id: UUID


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
    comments: list[CommentOut] = Field(description="Visible comments, oldest first.")
    events: list[EventOut] = Field(description="Visible history, oldest first.")


@action("getTicket")
def get_ticket(ctx: ActionContext, payload: TicketIdIn) -> TicketDetailOut:
    """Read a ticket with its organization, people, team, comments and history."""
    return TicketDetailOut.model_validate(call(ctx, "get_ticket", p_id=str(payload.id)))


class ListTicketsIn(ActionIn):
    org_id: UUID | None = None
    status: list[Status] | None = Field(None, max_length=5)
    priority: list[Priority] | None = Field(None, max_length=4)
    assigned_employee_id: UUID | None = None
    assigned_team_id: UUID | None = None
    unassigned: bool = False
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    sort: Literal["created_at", "updated_at", "priority"] = "created_at"
    direction: Literal["asc", "desc"] = "desc"
    limit: int = Field(25, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(max_length=500)] | None = None


class TicketPageOut(ActionOut):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page.")


@action("listTickets")
def list_tickets(ctx: ActionContext, payload: ListTicketsIn) -> TicketPageOut:
    """List the tickets you may see, filtered and sorted, one page at a time."""
    params = {f"p_{name}": value for name, value in payload.model_dump(mode="json").items()}
    return TicketPageOut.model_validate(call(ctx, "list_tickets", **params))


class OrgIdIn(ActionIn):
    org_id: UUID


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
    """Count an organization's tickets by status and priority (staff only)."""
    return TicketStatsOut.model_validate(call(ctx, "ticket_stats", p_org_id=str(payload.org_id)))


class AddCommentIn(ActionIn):
    ticket_id: UUID
    body: Body
    internal: bool = Field(False, description="An internal note, visible to staff only.")


@action("addComment", status=201)
def add_comment(ctx: ActionContext, payload: AddCommentIn) -> CommentOut:
    """Comment on a ticket; staff may leave internal notes."""
    result = call(
        ctx,
        "add_comment",
        p_ticket_id=str(payload.ticket_id),
        p_body=payload.body,
        p_internal=payload.internal,
    )
    return CommentOut.model_validate(result)


class ListMyTicketsIn(ActionIn):
    status: list[Status] | None = Field(None, max_length=5)
    org_id: UUID | None = None
    limit: int = Field(25, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(max_length=500)] | None = None


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
    params = {f"p_{name}": value for name, value in payload.model_dump(mode="json").items()}
    return MyTicketPageOut.model_validate(call(ctx, "list_my_tickets", **params))
