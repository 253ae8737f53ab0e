"""Staff actions: the members of an organization and its teams (admins of the organization only)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bff.actions._fields import TeamName
from bff.actions._registry import ActionContext, ActionIn, ActionOut, action, call
from bff.actions.organizations import Role
from bff.errors import Conflict, Forbidden, NotFound

# Admin actions answer 403 to the organization's other members and 404 to everyone else.
_ADMINS_ONLY = (Forbidden, NotFound)
# Seeded demo data (supabase/seed.sql), used in the documentation's examples.
_ACME = "aaaaaaaa-0000-4000-8000-000000000000"
_AGENT2 = "a0000000-0000-4000-8000-000000000003"
_BILLING_TEAM = "aaaaaaaa-0000-4000-8000-0000000000b1"


class MemberOut(ActionOut):
    organization_id: UUID
    user_id: UUID
    role: Role
    display_name: str | None
    created_at: datetime


class SetMemberRoleIn(ActionIn):
    org_id: UUID
    user_id: UUID
    role: Role

    example = {"org_id": _ACME, "user_id": _AGENT2, "role": "admin"}


@action("setMemberRole", errors=(*_ADMINS_ONLY, Conflict))
def set_member_role(ctx: ActionContext, payload: SetMemberRoleIn) -> MemberOut:
    """Make a member admin or employee (admins).

    The last admin cannot step down: 409 `conflict`.
    """
    result = call(
        ctx,
        "set_member_role",
        org_id=str(payload.org_id),
        user_id=str(payload.user_id),
        role=payload.role,
    )
    return MemberOut.model_validate(result)


class MemberIn(ActionIn):
    org_id: UUID
    user_id: UUID

    example = {"org_id": _ACME, "user_id": _AGENT2}


class MemberRemovedOut(ActionOut):
    organization_id: UUID
    user_id: UUID
    removed: bool


@action("removeMember", errors=(*_ADMINS_ONLY, Conflict))
def remove_member(ctx: ActionContext, payload: MemberIn) -> MemberRemovedOut:
    """Remove someone from the organization and its teams (admins).

    Their assigned tickets become unassigned. The last admin stays: 409 `conflict`.
    """
    result = call(ctx, "remove_member", org_id=str(payload.org_id), user_id=str(payload.user_id))
    return MemberRemovedOut.model_validate(result)


class TeamOut(ActionOut):
    id: UUID
    organization_id: UUID
    name: str
    member_ids: list[UUID]
    created_at: datetime


class CreateTeamIn(ActionIn):
    org_id: UUID
    name: TeamName

    example = {"org_id": _ACME, "name": "Escalations"}


@action("createTeam", status=201, errors=(*_ADMINS_ONLY, Conflict))
def create_team(ctx: ActionContext, payload: CreateTeamIn) -> TeamOut:
    """Create a team in the organization (admins); 409 `conflict` if the name is taken."""
    result = call(ctx, "create_team", org_id=str(payload.org_id), name=payload.name)
    return TeamOut.model_validate(result)


class RenameTeamIn(ActionIn):
    team_id: UUID
    name: TeamName

    example = {"team_id": _BILLING_TEAM, "name": "Billing and refunds"}


@action("renameTeam", errors=(*_ADMINS_ONLY, Conflict))
def rename_team(ctx: ActionContext, payload: RenameTeamIn) -> TeamOut:
    """Rename a team (admins); 409 `conflict` if the name is taken."""
    result = call(ctx, "rename_team", team_id=str(payload.team_id), name=payload.name)
    return TeamOut.model_validate(result)


class TeamIdIn(ActionIn):
    team_id: UUID

    example = {"team_id": _BILLING_TEAM}


class TeamDeletedOut(ActionOut):
    id: UUID
    deleted: bool
    unassigned_tickets: int


@action("deleteTeam", errors=_ADMINS_ONLY)
def delete_team(ctx: ActionContext, payload: TeamIdIn) -> TeamDeletedOut:
    """Delete a team (admins); its tickets lose the team assignment, recorded in their history."""
    return TeamDeletedOut.model_validate(call(ctx, "delete_team", team_id=str(payload.team_id)))


class TeamMemberIn(ActionIn):
    team_id: UUID
    user_id: UUID

    example = {"team_id": _BILLING_TEAM, "user_id": _AGENT2}


@action("addTeamMember", errors=_ADMINS_ONLY)
def add_team_member(ctx: ActionContext, payload: TeamMemberIn) -> TeamOut:
    """Put a member of the organization on the team (admins); others are 422."""
    result = call(
        ctx, "add_team_member", team_id=str(payload.team_id), user_id=str(payload.user_id)
    )
    return TeamOut.model_validate(result)


@action("removeTeamMember", errors=_ADMINS_ONLY)
def remove_team_member(ctx: ActionContext, payload: TeamMemberIn) -> TeamOut:
    """Take someone off the team (admins)."""
    result = call(
        ctx, "remove_team_member", team_id=str(payload.team_id), user_id=str(payload.user_id)
    )
    return TeamOut.model_validate(result)
