"""Routing and assignment actions: routing rules, team strategies, capacity, availability, queues.

The decisions themselves happen in the database, inside the transaction that creates or changes a
ticket (`supabase/migrations/20261130170100_route_and_assign_tickets.sql`); these actions only
configure and observe them. Rules, strategies, capacities, availability and queues are visible to
the organization's staff only; admins change everything but availability, which each staff
member sets for themself. An admin action answers 403 to the organization's other staff and 404
to everyone else; a staff view answers 404 to anyone who is not staff of the organization.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BeforeValidator, Field, SerializerFunctionWrapHandler, model_serializer

from bff.actions._fields import Cursor, Domain, PageSize, Text, Version, whole_number
from bff.actions._registry import (
    ActionContext,
    ActionIn,
    ActionOut,
    action,
    call,
    named_changes,
)
from bff.actions.tickets import Priority, TicketOut, TicketPageOut
from bff.errors import AssigneeUnavailable, Conflict, Forbidden, NotFound, VersionConflict

Strategy = Literal["manual", "round_robin", "least_loaded"]
Availability = Literal["available", "away", "offline"]
Keyword = Annotated[str, Text(100)]
RuleName = Annotated[str, Text(100)]
# An open-ticket count: what a member may hold (0 stops assignment to them), 0 to 1000.
Capacity = Annotated[int, Field(ge=0, le=1000), BeforeValidator(whole_number)]
# Admin actions answer 403 to the organization's other members and 404 to everyone else.
_ADMINS_ONLY = (Forbidden, NotFound)
# Seeded demo data (supabase/seed.sql), used in the documentation's examples.
_ACME = "aaaaaaaa-0000-4000-8000-000000000000"
_AGENT1 = "a0000000-0000-4000-8000-000000000002"
_BILLING_TEAM = "aaaaaaaa-0000-4000-8000-0000000000b1"
_REFUNDS_RULE = "aaaaaaaa-2000-4000-8000-000000000001"


class RoutingConditions(ActionIn):
    """What a new ticket must have for the rule to route it; every condition given must hold.

    Leave a condition out to match anything; a given list may not be empty.
    """

    priorities: list[Priority] | None = Field(
        None, min_length=1, max_length=4, description="The priority the ticket was submitted with."
    )
    keywords: list[Keyword] | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="One of them is found in the subject or description exactly as "
        "listTickets' q finds it: every word, case-insensitively, also inside longer words.",
    )
    requester_domains: list[Domain] | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="The requester's email domain is one of these, or a subdomain of one.",
    )

    example = {"keywords": ["refund", "invoice"], "priorities": ["high", "urgent"]}


class RoutingConditionsOut(ActionOut):
    """The rule's conditions; a condition the rule does not check is left out."""

    priorities: list[Priority] | None = None
    keywords: list[str] | None = None
    requester_domains: list[str] | None = None

    @model_serializer(mode="wrap")
    def _leave_out_unchecked(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {name: value for name, value in handler(self).items() if value is not None}


class RoutingRuleOut(ActionOut):
    id: UUID
    organization_id: UUID
    name: str
    position: int = Field(description="1 is evaluated first; the first match wins.")
    conditions: RoutingConditionsOut
    team_id: UUID
    set_priority: Priority | None = Field(
        description="Raises the ticket to this priority (never lowers it); null keeps it."
    )
    version: int = Field(description="Send it back as expected_version when updating.")
    created_at: datetime
    updated_at: datetime


class RoutingRulesOut(ActionOut):
    rules: list[RoutingRuleOut] = Field(description="In evaluation order.")
    default_team_id: UUID | None = Field(
        description="Where tickets no rule matches go; null: they stay without a team."
    )


class CreateRoutingRuleIn(ActionIn):
    org_id: UUID
    name: RuleName
    conditions: RoutingConditions
    team_id: UUID = Field(description="A team of the organization.")
    set_priority: Priority | None = None
    position: Annotated[
        int | None,
        Field(ge=1, le=101, description="Where to insert it (1 = first); left out: last."),
        BeforeValidator(whole_number),
    ] = None

    example = {
        "org_id": _ACME,
        "name": "Refunds to Billing",
        "conditions": {"keywords": ["refund", "chargeback"]},
        "team_id": _BILLING_TEAM,
        "set_priority": "high",
    }


@action("createRoutingRule", status=201, errors=(*_ADMINS_ONLY, Conflict))
def create_routing_rule(ctx: ActionContext, payload: CreateRoutingRuleIn) -> RoutingRuleOut:
    """Add a routing rule (admins); 409 `conflict` if the name is taken.

    At most 100 rules per organization; a position past the end (or the 101st rule) is 422.
    """
    params = payload.model_dump(mode="json", exclude_none=True)
    return RoutingRuleOut.model_validate(call(ctx, "create_routing_rule", **params))


class UpdateRoutingRuleIn(ActionIn):
    rule_id: UUID
    expected_version: Version
    name: RuleName | None = None
    conditions: RoutingConditions | None = Field(None, description="Replaces all conditions.")
    team_id: UUID | None = None
    set_priority: Priority | None = Field(None, description="null: keep the ticket's priority.")

    nullable = frozenset({"set_priority"})
    identifies = frozenset({"rule_id", "expected_version"})
    example = {"rule_id": _REFUNDS_RULE, "expected_version": 1, "set_priority": "urgent"}


@action("updateRoutingRule", errors=(*_ADMINS_ONLY, Conflict, VersionConflict))
def update_routing_rule(ctx: ActionContext, payload: UpdateRoutingRuleIn) -> RoutingRuleOut:
    """Change a routing rule's name, conditions, team or priority (admins).

    Name at least one field to change. A stale `expected_version` answers 409
    `version_conflict` with the current rule in `details.current`; a taken name, 409 `conflict`.
    """
    changes = named_changes(payload)
    result = call(
        ctx,
        "update_routing_rule",
        rule_id=str(payload.rule_id),
        expected_version=payload.expected_version,
        changes=changes,
    )
    return RoutingRuleOut.model_validate(result)


class RuleIdIn(ActionIn):
    rule_id: UUID

    example = {"rule_id": _REFUNDS_RULE}


class RoutingRuleDeletedOut(ActionOut):
    id: UUID
    deleted: bool


@action("deleteRoutingRule", errors=_ADMINS_ONLY)
def delete_routing_rule(ctx: ActionContext, payload: RuleIdIn) -> RoutingRuleDeletedOut:
    """Delete a routing rule (admins); the rules after it move up one place."""
    return RoutingRuleDeletedOut.model_validate(
        call(ctx, "delete_routing_rule", rule_id=str(payload.rule_id))
    )


class ReorderRoutingRulesIn(ActionIn):
    org_id: UUID
    rule_ids: list[UUID] = Field(
        min_length=1, max_length=100, description="Every rule of the organization, once, in order."
    )

    example = {"org_id": _ACME, "rule_ids": [_REFUNDS_RULE]}


@action("reorderRoutingRules", errors=_ADMINS_ONLY)
def reorder_routing_rules(ctx: ActionContext, payload: ReorderRoutingRulesIn) -> RoutingRulesOut:
    """Put the organization's rules in a new order (admins).

    `rule_ids` must list every rule exactly once (422 otherwise), so a reorder made from a stale
    list cannot drop a rule someone just added.
    """
    result = call(
        ctx,
        "reorder_routing_rules",
        org_id=str(payload.org_id),
        rule_ids=[str(rule_id) for rule_id in payload.rule_ids],
    )
    return RoutingRulesOut.model_validate(result)


class OrgIdIn(ActionIn):
    org_id: UUID

    example = {"org_id": _ACME}


@action("listRoutingRules", errors=(NotFound,))
def list_routing_rules(ctx: ActionContext, payload: OrgIdIn) -> RoutingRulesOut:
    """List the organization's routing rules in evaluation order, and its default team (staff)."""
    return RoutingRulesOut.model_validate(
        call(ctx, "list_routing_rules", org_id=str(payload.org_id))
    )


class SetDefaultTeamIn(ActionIn):
    org_id: UUID
    team_id: UUID | None = Field(description="null: no default team.")

    nullable = frozenset({"team_id"})
    example = {"org_id": _ACME, "team_id": _BILLING_TEAM}


@action("setDefaultTeam", errors=_ADMINS_ONLY)
def set_default_team(ctx: ActionContext, payload: SetDefaultTeamIn) -> RoutingRulesOut:
    """Choose the team that gets the tickets no routing rule matches (admins)."""
    team_id = None if payload.team_id is None else str(payload.team_id)
    result = call(ctx, "set_default_team", org_id=str(payload.org_id), team_id=team_id)
    return RoutingRulesOut.model_validate(result)


class AgentLoadOut(ActionOut):
    user_id: UUID
    display_name: str | None
    availability: Availability
    open_assigned: int = Field(
        description="Open tickets of this team assigned to them (open, in progress, "
        "waiting on customer)."
    )
    capacity: int = Field(description="The most open tickets the team assigns them.")
    capacity_override: int | None = Field(description="Their own capacity; null: the default.")


class TeamWorkloadOut(ActionOut):
    team_id: UUID
    organization_id: UUID
    strategy: Strategy
    default_capacity: int
    requeue_when_away: bool
    is_default: bool = Field(description="Whether tickets no rule matches go to this team.")
    queued: int = Field(description="Open tickets of the team waiting for an assignee.")
    agents: list[AgentLoadOut]


class SetTeamAssignmentIn(ActionIn):
    team_id: UUID
    strategy: Strategy = Field(
        description="manual: people assign; round_robin: the available member with room who "
        "was assigned least recently; least_loaded: the one with the most spare capacity."
    )
    default_capacity: Capacity = Field(description="Open tickets per member unless overridden.")
    requeue_when_away: bool = Field(
        description="Return a member's open tickets to the queue when they become away or offline."
    )

    example = {
        "team_id": _BILLING_TEAM,
        "strategy": "round_robin",
        "default_capacity": 10,
        "requeue_when_away": True,
    }


@action("setTeamAssignment", errors=_ADMINS_ONLY)
def set_team_assignment(ctx: ActionContext, payload: SetTeamAssignmentIn) -> TeamWorkloadOut:
    """Set how a team assigns its tickets (admins); its queue is assigned at once if it can be."""
    result = call(ctx, "set_team_assignment", **payload.model_dump(mode="json"))
    return TeamWorkloadOut.model_validate(result)


class SetMemberCapacityIn(ActionIn):
    team_id: UUID
    user_id: UUID
    capacity: Capacity | None = Field(description="null: the team's default capacity.")

    nullable = frozenset({"capacity"})
    example = {"team_id": _BILLING_TEAM, "user_id": _AGENT1, "capacity": 5}


@action("setMemberCapacity", errors=_ADMINS_ONLY)
def set_member_capacity(ctx: ActionContext, payload: SetMemberCapacityIn) -> TeamWorkloadOut:
    """Set how many open tickets of the team one member may hold (admins).

    Someone not on the team is 422. Lowering it takes nothing away; raising it assigns queued
    tickets at once.
    """
    result = call(ctx, "set_member_capacity", **payload.model_dump(mode="json"))
    return TeamWorkloadOut.model_validate(result)


class TeamIdIn(ActionIn):
    team_id: UUID

    example = {"team_id": _BILLING_TEAM}


@action("teamWorkload", errors=(NotFound,))
def team_workload(ctx: ActionContext, payload: TeamIdIn) -> TeamWorkloadOut:
    """Show a team's strategy and, per member, availability, open tickets and capacity (staff)."""
    return TeamWorkloadOut.model_validate(call(ctx, "team_workload", team_id=str(payload.team_id)))


class ListTeamQueueIn(ActionIn):
    team_id: UUID
    limit: PageSize = 25
    cursor: Cursor | None = None

    example = {"team_id": _BILLING_TEAM, "limit": 25}


@action("listTeamQueue", errors=(NotFound,))
def list_team_queue(ctx: ActionContext, payload: ListTeamQueueIn) -> TicketPageOut:
    """List a team's queued tickets in the order they will be assigned (staff).

    Queued: open, in progress or waiting on customer, with the team and no assignee. Highest
    priority first, then the longest waiting (oldest `created_at`).
    """
    return TicketPageOut.model_validate(
        call(ctx, "list_team_queue", **payload.model_dump(mode="json", exclude_none=True))
    )


class SetMyAvailabilityIn(ActionIn):
    org_id: UUID
    status: Availability

    example = {"org_id": _ACME, "status": "away"}


class AvailabilityOut(ActionOut):
    organization_id: UUID
    user_id: UUID
    availability: Availability


@action("setMyAvailability", errors=(NotFound,))
def set_my_availability(ctx: ActionContext, payload: SetMyAvailabilityIn) -> AvailabilityOut:
    """Say whether you can take tickets in an organization you work for.

    `available` assigns you queued tickets of your teams at once (as capacity allows); `away` or
    `offline` stops automatic assignment to you and, in teams that ask for it
    (`requeue_when_away`), returns your open tickets to their queues.
    """
    result = call(ctx, "set_my_availability", org_id=str(payload.org_id), status=payload.status)
    return AvailabilityOut.model_validate(result)


class ClaimNextTicketIn(ActionIn):
    team_id: UUID | None = Field(
        None, description="Left out: whichever of your teams' queues has the next ticket."
    )

    example = {"team_id": _BILLING_TEAM}


class ClaimedTicketOut(ActionOut):
    ticket: TicketOut | None = Field(description="null: the queue was empty.")


@action("claimNextTicket", errors=(Forbidden, NotFound, AssigneeUnavailable))
def claim_next_ticket(ctx: ActionContext, payload: ClaimNextTicketIn) -> ClaimedTicketOut:
    """Take the next queued ticket of your team: highest priority, then longest waiting.

    You must be on the team (403 for other staff, 404 for anyone else), available and below
    your capacity (409 `assignee_unavailable`).
    """
    params = {} if payload.team_id is None else {"team_id": str(payload.team_id)}
    return ClaimedTicketOut.model_validate(call(ctx, "claim_next_ticket", **params))
